//! Command-line arguments shared by several subcommands, and their
//! conversion into the library's plain option types.

use std::net::SocketAddr;
use std::path::PathBuf;
use zeroos::Mount;
use zkdbg::gdb::GdbOptions;
use zkdbg::guest::{Bytes, GuestOptions, ZkvmOptions};
use zkdbg_emulator::machine::{DEFAULT_MEMORY_LIMIT, DEFAULT_SYSCALL_CYCLES};
use zkdbg_emulator::Engine;
use zkdbg_platforms::jolt::{self, MemoryConfig};
use zkdbg_platforms::Platform;

/// Guest options shared by `run`, `profile`, `trace`, `gdb` and `tui`.
#[derive(clap::Args, Clone, Debug)]
pub struct GuestArgs {
    /// The guest ELF (RV32 or RV64, little-endian, statically linked), or with --platform airbender a flat binary (app.bin).
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
    /// How guest code runs: `interp` (the interpreter, the reference), `jit` (hot blocks compiled to host code with Cranelift, where the subcommand's instrumentation allows it; identical results), `auto` (jit where this build has it).
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
    /// With the compiled tier: how many times a block starts in the interpreter before it is compiled (a compile costs about a thousand runs of its block).
    #[arg(long, value_name = "N", default_value_t = zkdbg_emulator::machine::DEFAULT_JIT_THRESHOLD,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub jit_threshold: u32,
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
    /// Where the DWARF's source paths are on this machine: FROM=TO
    /// replaces the leading path FROM (repeatable; as gdb's `set
    /// substitute-path`). Cargo registry and Rust std paths are found
    /// without it.
    #[arg(long, value_name = "FROM=TO", value_parser = parse_source_map)]
    pub source_map: Vec<(String, String)>,
    /// The zkVM platform and its inputs.
    #[command(flatten, next_help_heading = "zkVM platform")]
    pub zkvm: PlatformArgs,
}

/// `--engine`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineArg {
    /// The compiled tier where this build has it.
    Auto,
    /// The interpreter.
    Interp,
    /// The compiled tier.
    Jit,
}

impl From<EngineArg> for Engine {
    fn from(e: EngineArg) -> Engine {
        match e {
            EngineArg::Interp => Engine::Interp,
            EngineArg::Auto if !Engine::JIT_BUILT => Engine::Interp,
            EngineArg::Auto | EngineArg::Jit => Engine::Jit,
        }
    }
}

/// The zkVM platform options shared by every subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct PlatformArgs {
    /// The zkVM platform: auto (recognise it from the ELF), linux, jolt, sp1, risc0, airbender, openvm, zisk.
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = parse_platform)]
    pub platform: PlatformArg,
    /// The guest's input, as its zkVM's host writes it (Jolt: the
    /// postcard-serialized arguments of the provable function, once; SP1:
    /// one input vector per --input, as SP1Stdin::write_vec, e.g. bincode
    /// of what `sp1_zkvm::io::read` reads; RISC Zero: the guest's stdin,
    /// the --input files one after the other, as ExecutorEnv::write's
    /// word serialization; Airbender: the oracle as its CLI's
    /// --input-file holds it, hex words of 8 digits).
    #[arg(long, value_name = "FILE", conflicts_with = "input_hex")]
    pub input: Vec<PathBuf>,
    /// An ELF with the symbols and DWARF of a flat binary (Airbender: app.elf for app.bin).
    #[arg(long, value_name = "ELF")]
    pub symbols: Option<PathBuf>,
    /// The guest's input as hex bytes (e.g. 0a0b); repeatable as --input.
    #[arg(long, value_name = "HEX", value_parser = parse_hex)]
    pub input_hex: Vec<HexBytes>,
    /// SP1: a bincode-serialized SP1Stdin (as SP1's SDK and eval programs
    /// write it); its vectors follow any --input vectors.
    #[arg(long, value_name = "FILE")]
    pub sp1_stdin: Option<PathBuf>,
    /// RISC Zero: show its kernel (the kernel's functions in profiles; steps go into it).
    #[arg(long)]
    pub show_kernel: bool,
    /// ZisK: the memory layout the guest was built for: 1.4 (ziskos 1.4, input at 0x10000000),
    /// current (v0.16+, input at 0x40000000), 0.8 (v0.8-v0.15) or 0.4 (v0.4-v0.6); default:
    /// recognised from the ELF.
    #[arg(long, value_name = "LAYOUT", value_parser = ["1.4", "current", "0.8", "0.4"])]
    pub zisk_layout: Option<String>,
    /// RISC Zero: log2 of the segment size in cycles (risc0-zkvm's segment_limit_po2).
    #[arg(long, value_name = "PO2", value_parser = clap::value_parser!(u32).range(12..=24))]
    pub segment_po2: Option<u32>,
    /// Jolt: the trusted advice region's bytes.
    #[arg(long, value_name = "FILE")]
    pub trusted_advice: Option<PathBuf>,
    /// Jolt: the untrusted advice region's bytes.
    #[arg(long, value_name = "FILE")]
    pub untrusted_advice: Option<PathBuf>,
    /// Jolt: the advice tape read by the Advice* instructions.
    #[arg(long, value_name = "FILE")]
    pub advice_tape: Option<PathBuf>,
    /// Jolt: max_input_size of #[jolt::provable] (bytes).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_MAX_INPUT_SIZE)]
    pub max_input_size: u64,
    /// Jolt: max_output_size (bytes).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_MAX_OUTPUT_SIZE)]
    pub max_output_size: u64,
    /// Jolt: max_trusted_advice_size (bytes; 0 or a power of two).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_MAX_TRUSTED_ADVICE_SIZE)]
    pub max_trusted_advice_size: u64,
    /// Jolt: max_untrusted_advice_size (bytes; 0 or a power of two).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_MAX_UNTRUSTED_ADVICE_SIZE)]
    pub max_untrusted_advice_size: u64,
    /// Jolt: stack_size (bytes).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_STACK_SIZE)]
    pub stack_size: u64,
    /// Jolt: heap_size (bytes).
    #[arg(long, value_name = "BYTES", value_parser = parse_size,
          default_value_t = jolt::DEFAULT_HEAP_SIZE)]
    pub heap_size: u64,
}

/// `--platform`: `auto` or a platform's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlatformArg {
    /// Recognise the platform from the ELF.
    Auto,
    /// This platform.
    Named(Platform),
}

fn parse_platform(s: &str) -> Result<PlatformArg, String> {
    if s == "auto" {
        return Ok(PlatformArg::Auto);
    }
    Platform::from_name(s)
        .map(PlatformArg::Named)
        .ok_or_else(|| {
            let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
            format!("unknown platform `{s}` (auto, {})", names.join(", "))
        })
}

/// Bytes given in hex on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

/// Parses hex bytes (`0a0B`, optionally `0x`-prefixed, even length).
pub fn parse_hex(s: &str) -> Result<HexBytes, String> {
    let t = s.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    if !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`{s}` is not hex bytes (an even number of 0-9a-f digits)"
        ));
    }
    Ok(HexBytes(
        (0..t.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&t[i..i + 2], 16).expect("checked hex digits"))
            .collect(),
    ))
}

impl From<GuestArgs> for GuestOptions {
    fn from(a: GuestArgs) -> GuestOptions {
        GuestOptions {
            elf: a.elf,
            stdin: a.stdin,
            max_cycles: a.max_cycles,
            strict_align: a.strict_align,
            engine: a.engine.into(),
            jit_threshold: a.jit_threshold,
            mounts: a.mount,
            source_map: a.source_map,
            seed: a.seed,
            memory_limit: a.memory_limit,
            syscall_cycles: a.syscall_cycles,
            platform: match a.zkvm.platform {
                PlatformArg::Auto => None,
                PlatformArg::Named(p) => Some(p),
            },
            symbols: a.zkvm.symbols,
            zkvm: ZkvmOptions {
                inputs: a
                    .zkvm
                    .input
                    .into_iter()
                    .map(Bytes::File)
                    .chain(a.zkvm.input_hex.into_iter().map(|b| Bytes::Literal(b.0)))
                    .collect(),
                trusted_advice: a.zkvm.trusted_advice,
                untrusted_advice: a.zkvm.untrusted_advice,
                advice_tape: a.zkvm.advice_tape,
                sp1_stdin: a.zkvm.sp1_stdin,
                risc0_segment_po2: a.zkvm.segment_po2,
                show_kernel: a.zkvm.show_kernel,
                zisk_layout: a
                    .zkvm
                    .zisk_layout
                    .as_deref()
                    .and_then(zkdbg_platforms::zisk::Layout::from_name),
                jolt_memory: MemoryConfig {
                    max_input_size: a.zkvm.max_input_size,
                    max_trusted_advice_size: a.zkvm.max_trusted_advice_size,
                    max_untrusted_advice_size: a.zkvm.max_untrusted_advice_size,
                    max_output_size: a.zkvm.max_output_size,
                    stack_size: a.zkvm.stack_size,
                    heap_size: a.zkvm.heap_size,
                    program_size: 0,
                },
            },
        }
    }
}

/// Options of `zkdbg gdb`.
#[derive(clap::Args, Clone, Debug)]
pub struct GdbArgs {
    /// Address to listen on (loopback by default; another address needs --allow-remote).
    #[arg(long, default_value = "127.0.0.1:1234", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Accept a --listen address other than loopback. A client has full
    /// control of the guest and can make the stub write files in
    /// --output-dir: only for networks you trust.
    #[arg(long)]
    pub allow_remote: bool,
    /// Exit after the first client disconnects.
    #[arg(long)]
    pub once: bool,
    /// Memory budget for reverse-execution snapshots (bytes; K, M, G accepted).
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "256M")]
    pub history_budget: u64,
    /// End a session whose client sends nothing for this many seconds
    /// while the guest is stopped (0: never).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub idle_timeout: u64,
    /// Directory where `monitor profile NAME` writes (a client names only
    /// a file in it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub output_dir: PathBuf,
}

impl From<GdbArgs> for GdbOptions {
    fn from(a: GdbArgs) -> GdbOptions {
        GdbOptions {
            listen: a.listen,
            allow_remote: a.allow_remote,
            once: a.once,
            history_budget: a.history_budget,
            idle_timeout: a.idle_timeout,
            output_dir: a.output_dir,
        }
    }
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

fn parse_source_map(s: &str) -> Result<(String, String), String> {
    zkdbg_symbols::paths::parse_map(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn hex_and_platform() {
        assert_eq!(parse_hex("0a0B"), Ok(HexBytes(vec![10, 11])));
        assert_eq!(parse_hex("0x01"), Ok(HexBytes(vec![1])));
        assert_eq!(parse_hex(""), Ok(HexBytes(vec![])));
        assert!(parse_hex("abc").is_err() && parse_hex("zz").is_err());
        assert_eq!(
            parse_platform("jolt"),
            Ok(PlatformArg::Named(Platform::Jolt))
        );
        assert_eq!(parse_platform("auto"), Ok(PlatformArg::Auto));
        assert!(parse_platform("sp2")
            .unwrap_err()
            .contains("auto, linux, jolt"));
    }

    /// The command line's defaults are the library's defaults.
    #[test]
    fn defaults_agree_with_the_library() {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            guest: GuestArgs,
            #[command(flatten)]
            gdb: GdbArgs,
        }
        let cli = Cli::parse_from(["x", "g.elf"]);
        let ours = GuestOptions::from(cli.guest);
        let lib = GuestOptions::new("g.elf");
        assert_eq!(format!("{ours:?}"), format!("{lib:?}"));
        let ours = GdbOptions::from(cli.gdb);
        assert_eq!(format!("{ours:?}"), format!("{:?}", GdbOptions::default()));
    }
}
