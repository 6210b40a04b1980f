//! Loading a guest ELF with the options every subcommand shares.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroos::{Mount, OsConfig, Output, ZeroOs};
use zkdbg_emulator::machine::{DEFAULT_MEMORY_LIMIT, DEFAULT_SYSCALL_CYCLES};
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{Config, Machine, Program};
use zkdbg_platforms::zeroos::ZeroOsLayout;
use zkdbg_symbols::Symbols;

/// What a guest is loaded with: the ELF and the options every subcommand
/// shares. A plain value (the binary's clap arguments convert into it);
/// [`GuestOptions::new`] gives the defaults of the command line.
#[derive(Clone, Debug)]
pub struct GuestOptions {
    /// The guest ELF (RV32 or RV64, little-endian, statically linked).
    pub elf: PathBuf,
    /// File whose bytes the guest reads as stdin (`None`: empty).
    pub stdin: Option<PathBuf>,
    /// Stop with a fault after this many cycles (`None`: no limit).
    pub max_cycles: Option<u64>,
    /// Misaligned loads and stores fault (as on RISC Zero).
    pub strict_align: bool,
    /// Host directories visible to the guest.
    pub mounts: Vec<Mount>,
    /// Seed of the guest's randomness (getrandom, /dev/urandom).
    pub seed: u64,
    /// Guest memory limit in bytes (at least 4096).
    pub memory_limit: u64,
    /// Modeled cost in cycles of each syscall served by zeroos (added to the
    /// ecall's own cycle).
    pub syscall_cycles: u64,
}

impl GuestOptions {
    /// The options of `zkdbg run ELF` with no flags.
    pub fn new(elf: impl Into<PathBuf>) -> GuestOptions {
        GuestOptions {
            elf: elf.into(),
            stdin: None,
            max_cycles: None,
            strict_align: false,
            mounts: Vec::new(),
            seed: 0,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            syscall_cycles: DEFAULT_SYSCALL_CYCLES,
        }
    }
}

/// A loaded guest: the machine at its entry point and its OS.
pub struct Guest {
    /// Path of the ELF.
    pub path: PathBuf,
    /// The ELF's bytes, as loaded.
    pub elf: Arc<[u8]>,
    /// Its symbols (DWARF lines, inline frames, unwinding), read once from
    /// those bytes.
    pub symbols: Symbols,
    /// The machine.
    pub machine: Machine,
    /// The OS layer.
    pub os: ZeroOs,
}

impl Guest {
    /// Loads the guest described by `args`, its output going to `output`.
    ///
    /// Errors: unreadable files, malformed ELF, segments that do not fit, a
    /// memory limit below 4096 bytes.
    pub fn load(args: &GuestOptions, output: Output) -> Result<Guest> {
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
        let mut machine = Machine::new(program.clone(), config)
            .with_context(|| format!("cannot load {}", args.elf.display()))?;
        map_zeroos_reservations(&mut machine)?;
        let os = ZeroOs::new(
            &program,
            OsConfig {
                stdin,
                mounts: args.mounts.clone(),
                seed: args.seed,
                output,
            },
        );
        let elf: Arc<[u8]> = Arc::from(elf);
        Ok(Guest {
            path: args.elf.clone(),
            symbols: Symbols::new(elf.clone()),
            elf,
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

/// A guest linked with ZeroOS's linker script (Jolt's std guests) keeps
/// its stack and heap outside every PT_LOAD segment, as reservations named
/// by linker symbols (see [`ZeroOsLayout`]): maps both
/// read-write, so that its boot code's `sp = __stack_top` and its
/// allocator work. Other guests are left as they are.
///
/// Errors: the reservations touch the guard region or exceed
/// `--memory-limit`.
fn map_zeroos_reservations(machine: &mut Machine) -> Result<()> {
    let program = machine.program.clone();
    let Some(layout) = ZeroOsLayout::from_symbols(|name| program.linker_symbol(name)) else {
        return Ok(());
    };
    for (what, (lo, hi)) in [("stack", layout.stack), ("heap", layout.heap)] {
        machine
            .mem
            .map_with(lo, hi - lo, Perm::RW)
            .with_context(|| format!("cannot map the ZeroOS {what} at {lo:#x}..{hi:#x}"))?;
    }
    log::debug!("ZeroOS reservations mapped: {layout:?}");
    Ok(())
}
