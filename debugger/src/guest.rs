//! Loading a guest ELF with the options every subcommand shares.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroos::{Mount, OsConfig, Output, ZeroOs};
use zkdbg_emulator::machine::{DEFAULT_MEMORY_LIMIT, DEFAULT_SYSCALL_CYCLES};
use zkdbg_emulator::{Config, Machine, Program};

/// Guest options shared by `run`, `profile`, `trace`, `gdb` and `tui`.
#[derive(clap::Args, Clone, Debug)]
pub struct GuestArgs {
    /// The guest ELF (RV32 or RV64, little-endian, statically linked).
    pub elf: PathBuf,
    /// File whose bytes the guest reads as stdin (default: empty).
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,
    /// Stop with a fault after this many cycles.
    #[arg(long, value_name = "N")]
    pub max_cycles: Option<u64>,
    /// Misaligned loads and stores fault (as on RISC Zero).
    #[arg(long)]
    pub strict_align: bool,
    /// Make a host directory visible to the guest: HOST_DIR:GUEST_DIR, read-only unless `:rw` follows.
    #[arg(long, value_name = "HOST:GUEST[:rw]")]
    pub mount: Vec<Mount>,
    /// Seed of the guest's randomness (getrandom, /dev/urandom).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Guest memory limit in bytes (suffixes K, M, G accepted).
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value_t = DEFAULT_MEMORY_LIMIT)]
    pub memory_limit: u64,
    /// Modeled cost in cycles of each syscall served by zeroos (added to the ecall's own cycle; at most 2^32).
    #[arg(long, value_name = "CYCLES", default_value_t = DEFAULT_SYSCALL_CYCLES,
          value_parser = clap::value_parser!(u64).range(..=1u64 << 32))]
    pub syscall_cycles: u64,
}

/// Parses a byte size such as `4096`, `64K`, `256M` or `1G` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size in bytes (e.g. 4096, 64K, 256M, 1G)"))
}

/// A loaded guest: the machine at its entry point and its OS.
pub struct Guest {
    /// Path of the ELF.
    pub path: PathBuf,
    /// The ELF's bytes (for DWARF).
    pub elf: Arc<Vec<u8>>,
    /// The machine.
    pub machine: Machine,
    /// The OS layer.
    pub os: ZeroOs,
}

impl Guest {
    /// Loads the guest described by `args`, its output going to `output`.
    ///
    /// Errors: unreadable files, malformed ELF, segments that do not fit.
    pub fn load(args: &GuestArgs, output: Output) -> Result<Guest> {
        let elf = std::fs::read(&args.elf)
            .with_context(|| format!("cannot read {}", args.elf.display()))?;
        let stdin = match &args.stdin {
            Some(p) => std::fs::read(p)
                .with_context(|| format!("cannot read stdin file {}", p.display()))?,
            None => Vec::new(),
        };
        if args.memory_limit < 4096 {
            bail!("--memory-limit must be at least 4096 bytes");
        }
        let program = Arc::new(
            Program::parse(&elf).with_context(|| format!("cannot load {}", args.elf.display()))?,
        );
        let config = Config {
            strict_align: args.strict_align,
            max_cycles: args.max_cycles,
            syscall_cycles: args.syscall_cycles,
            memory_limit: args.memory_limit,
        };
        let machine = Machine::new(program.clone(), config)
            .with_context(|| format!("cannot load {}", args.elf.display()))?;
        let os = ZeroOs::new(
            &program,
            OsConfig {
                stdin,
                mounts: args.mount.clone(),
                seed: args.seed,
                output,
            },
        );
        Ok(Guest {
            path: args.elf.clone(),
            elf: Arc::new(elf),
            machine,
            os,
        })
    }

    /// The guest's file name without directories.
    pub fn name(&self) -> String {
        Path::new(&self.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
