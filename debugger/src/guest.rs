//! Loading a guest ELF with the options every subcommand shares.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroos::{Mount, OsConfig, Output, ZeroOs};
use zkdbg_emulator::machine::{DEFAULT_MEMORY_LIMIT, DEFAULT_SYSCALL_CYCLES};
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{Config, Engine, Machine, Program};
use zkdbg_platforms::airbender::AirbenderDevice;
use zkdbg_platforms::jolt::{self, JoltDevice, JoltInputs, MemoryConfig, MemoryLayout};
use zkdbg_platforms::openvm::OpenVmDevice;
use zkdbg_platforms::risc0::Risc0Device;
use zkdbg_platforms::sp1::Sp1Device;
use zkdbg_platforms::zeroos::ZeroOsLayout;
use zkdbg_platforms::zisk::ZiskDevice;
use zkdbg_platforms::{detect, Detection, Device, Platform, PlatformOs};
use zkdbg_symbols::Symbols;

/// Bytes given on the command line: a file's contents or literal bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bytes {
    /// The contents of this file.
    File(PathBuf),
    /// These bytes (`--input-hex`).
    Literal(Vec<u8>),
}

impl Bytes {
    fn read(&self, what: &str) -> Result<Vec<u8>> {
        match self {
            Bytes::File(p) => read_file(p, what),
            Bytes::Literal(b) => Ok(b.clone()),
        }
    }
}

/// The bytes of a `what` file given on the command line.
fn read_file(p: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(p).with_context(|| format!("cannot read {what} file {}", p.display()))
}

/// [`read_file`] of an optional file: no file is no bytes.
fn read_optional(p: Option<&Path>, what: &str) -> Result<Vec<u8>> {
    p.map_or(Ok(Vec::new()), |p| read_file(p, what))
}

/// The inputs and memory sizes of a zkVM platform, as its host passes
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkvmOptions {
    /// The public inputs (Jolt: at most one, the bytes its host writes to
    /// the input region, already postcard-serialized; SP1: the input
    /// vectors, in order).
    pub inputs: Vec<Bytes>,
    /// Jolt's trusted advice region.
    pub trusted_advice: Option<PathBuf>,
    /// Jolt's untrusted advice region.
    pub untrusted_advice: Option<PathBuf>,
    /// Jolt's advice tape (what an advice-computing run wrote).
    pub advice_tape: Option<PathBuf>,
    /// SP1: a bincode-serialized `SP1Stdin` whose vectors are the inputs.
    pub sp1_stdin: Option<PathBuf>,
    /// RISC Zero: log2 of its segment size in cycles (`None`: 20, as
    /// risc0-zkvm).
    pub risc0_segment_po2: Option<u32>,
    /// RISC Zero: show the kernel (its functions in profiles, steps into
    /// it) instead of folding it into the calls that enter it.
    pub show_kernel: bool,
    /// ZisK: the memory layout (`None`: recognised from the ELF).
    pub zisk_layout: Option<zkdbg_platforms::zisk::Layout>,
    /// Sizes in bytes as `#[jolt::provable(...)]` sets them (the program
    /// size is read from the ELF).
    pub jolt_memory: MemoryConfig,
}

impl Default for ZkvmOptions {
    fn default() -> Self {
        ZkvmOptions {
            inputs: Vec::new(),
            trusted_advice: None,
            untrusted_advice: None,
            advice_tape: None,
            sp1_stdin: None,
            risc0_segment_po2: None,
            show_kernel: false,
            zisk_layout: None,
            jolt_memory: MemoryConfig::with_program_size(0),
        }
    }
}

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
    /// The engine that runs guest code (the compiled tier where this
    /// build has it, by default; see [`Engine`]).
    pub engine: Engine,
    /// Block starts before the compiled tier compiles a block (see
    /// [`zkdbg_emulator::Config::jit_threshold`]).
    pub jit_threshold: u32,
    /// Host directories visible to the guest.
    pub mounts: Vec<Mount>,
    /// Seed of the guest's randomness (getrandom, /dev/urandom).
    pub seed: u64,
    /// Guest memory limit in bytes (at least 4096).
    pub memory_limit: u64,
    /// Modeled cost in cycles of each syscall served by zeroos (added to the
    /// ecall's own cycle).
    pub syscall_cycles: u64,
    /// The platform (`None`: recognise it from the ELF).
    pub platform: Option<Platform>,
    /// An ELF whose symbols and DWARF describe a flat binary (Airbender's
    /// `app.elf` for its `app.bin`).
    pub symbols: Option<PathBuf>,
    /// A zkVM platform's inputs and sizes.
    pub zkvm: ZkvmOptions,
    /// `--source-map FROM=TO` rules for DWARF source paths (see
    /// [`zkdbg_symbols::SourcePaths`]).
    pub source_map: Vec<(String, String)>,
}

impl GuestOptions {
    /// The options of `zkdbg run ELF` with no flags.
    pub fn new(elf: impl Into<PathBuf>) -> GuestOptions {
        GuestOptions {
            elf: elf.into(),
            stdin: None,
            max_cycles: None,
            strict_align: false,
            engine: if Engine::JIT_BUILT {
                Engine::Jit
            } else {
                Engine::Interp
            },
            jit_threshold: zkdbg_emulator::machine::DEFAULT_JIT_THRESHOLD,
            mounts: Vec::new(),
            seed: 0,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            syscall_cycles: DEFAULT_SYSCALL_CYCLES,
            platform: None,
            symbols: None,
            zkvm: ZkvmOptions::default(),
            source_map: Vec::new(),
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
    /// The OS layer and the platform's device.
    pub os: PlatformOs,
    /// The platform it runs on, and why.
    pub platform: Detection,
    /// RISC Zero: its cycle totals, once [`crate::exec::run_guest`] ran it.
    pub risc0_cycles: Option<zkdbg_platforms::risc0::pager::Risc0Cycles>,
    /// RISC Zero's kernel is shown (`--show-kernel`).
    pub show_kernel: bool,
}

impl Guest {
    /// Loads the guest described by `args`, its output going to `output`.
    ///
    /// Errors: unreadable files, malformed ELF, segments that do not fit, a
    /// memory limit below 4096 bytes.
    pub fn load(args: &GuestOptions, output: Output) -> Result<Guest> {
        let file = std::fs::read(&args.elf)
            .with_context(|| format!("cannot read {}", args.elf.display()))?;
        // A RISC Zero program binary (R0BF) carries the user ELF and the
        // kernel that serves it.
        let (elf, r0_kernel) = if file.starts_with(b"R0BF") {
            let (user, kernel) = zkdbg_platforms::risc0::split_r0bf(&file)
                .map_err(|e| anyhow::anyhow!("cannot load {}: {e}", args.elf.display()))?;
            if args.platform.is_some_and(|p| p != Platform::Risc0) {
                bail!(
                    "{} is a RISC Zero program binary (R0BF): it runs on the risc0 platform",
                    args.elf.display()
                );
            }
            (user.to_vec(), Some(kernel.to_vec()))
        } else {
            (file, None)
        };
        let stdin = read_optional(args.stdin.as_deref(), "stdin")?;
        if args.memory_limit < 4096 {
            bail!("--memory-limit must be at least 4096 bytes");
        }
        // A flat binary (not an ELF) on Airbender: loaded at 0, named by
        // --symbols.
        let flat = args.platform == Some(Platform::Airbender) && !elf.starts_with(b"\x7fELF");
        if args.symbols.is_some() && !flat {
            bail!("--symbols names a flat binary's code (--platform airbender with app.bin); an ELF carries its own");
        }
        let (program, elf) = if flat {
            load_flat(&elf, args.symbols.as_deref())?
        } else {
            let program = Program::parse(&elf).with_context(|| {
                let hint = if elf.starts_with(b"\x7fELF") {
                    ""
                } else {
                    " (a flat binary? ZKsync Airbender's app.bin runs with --platform airbender)"
                };
                format!("cannot load {}{hint}", args.elf.display())
            })?;
            (program, elf)
        };
        let program = Arc::new(program);
        let platform = if flat {
            Detection {
                platform: Platform::Airbender,
                reason: "--platform airbender (a flat binary, loaded at 0)".to_string(),
            }
        } else if r0_kernel.is_some() {
            Detection {
                platform: Platform::Risc0,
                reason: "a RISC Zero program binary (R0BF: user ELF and kernel)".to_string(),
            }
        } else {
            choose_platform(&program, args.platform)?
        };
        if args.zkvm.show_kernel && platform.platform != Platform::Risc0 {
            bail!(
                "--show-kernel shows RISC Zero's kernel; this guest runs on the {} platform",
                platform.platform
            );
        }
        // The kernel's functions join the program's symbols.
        let program = if args.zkvm.show_kernel {
            let kernel = r0_kernel
                .as_deref()
                .unwrap_or(zkdbg_platforms::risc0::V1COMPAT_KERNEL);
            let named = Program::parse(kernel).context("cannot read the kernel's symbols")?;
            let mut p = (*program).clone();
            // Its assembly labels (`_ecall_dispatch`, ...) have no size:
            // each runs to the next symbol.
            let mut kernel_syms: Vec<zkdbg_emulator::Symbol> = named
                .symbols
                .iter()
                .filter(|s| s.addr >= zkdbg_platforms::risc0::USER_END_ADDR)
                .filter(|s| !s.name.starts_with(".L") && !s.name.starts_with('$'))
                .cloned()
                .collect();
            let ends: Vec<u64> = kernel_syms.iter().skip(1).map(|s| s.addr).collect();
            for (s, end) in kernel_syms.iter_mut().zip(ends) {
                if s.size == 0 && end > s.addr {
                    s.size = end - s.addr;
                    s.is_function = true;
                }
            }
            let symbols = p.symbols.iter().cloned().chain(kernel_syms).collect();
            p.symbols = zkdbg_emulator::SymbolTable::new(symbols);
            Arc::new(p)
        } else {
            program
        };
        let config = Config {
            // SP1 refuses misaligned loads and stores (its executor's
            // load_value/store_value assert natural alignment); OpenVM's
            // executor aligns a word access down and fails a misaligned
            // halfword (`loadstore/execution.rs`): zkdbg stops at both.
            strict_align: args.strict_align
                || matches!(platform.platform, Platform::Sp1 | Platform::OpenVm),
            max_cycles: args.max_cycles,
            syscall_cycles: args.syscall_cycles,
            memory_limit: args.memory_limit,
            cost: platform.platform.cost_model(),
            guard: platform.platform.guard(),
            engine: args.engine,
            jit_threshold: args.jit_threshold,
        };
        let mut machine = Machine::new(program.clone(), config)
            .with_context(|| format!("cannot load {}", args.elf.display()))?;
        map_zeroos_reservations(&mut machine)?;
        if args.zkvm.risc0_segment_po2.is_some() && platform.platform != Platform::Risc0 {
            bail!(
                "--segment-po2 sizes RISC Zero's segments; this guest runs on the {} platform",
                platform.platform
            );
        }
        if args.zkvm.sp1_stdin.is_some() && platform.platform != Platform::Sp1 {
            bail!(
                "--sp1-stdin is an SP1 guest's input; this guest runs on the {} platform",
                platform.platform
            );
        }
        let device = match platform.platform {
            Platform::Linux => {
                if !args.zkvm.inputs.is_empty() {
                    bail!("--input/--input-hex are a zkVM platform's inputs; a linux-platform guest reads --stdin");
                }
                Device::None
            }
            Platform::Jolt => Device::Jolt(install_jolt(&elf, &args.zkvm, &mut machine)?),
            Platform::Sp1 => Device::Sp1(install_sp1(&args.zkvm, &mut machine)?),
            Platform::Risc0 => {
                Device::Risc0(install_risc0(args, r0_kernel.as_deref(), &mut machine)?)
            }
            Platform::Airbender => Device::Airbender(install_airbender(&args.zkvm, &mut machine)?),
            Platform::OpenVm => Device::OpenVm(install_openvm(&args.zkvm, &mut machine)?),
            Platform::Zisk => Device::Zisk(install_zisk(&elf, &args.zkvm, &mut machine)?),
        };
        let zeroos = ZeroOs::new(
            &program,
            OsConfig {
                stdin,
                mounts: args.mounts.clone(),
                seed: args.seed,
                output,
            },
        );
        let os = PlatformOs { zeroos, device };
        let elf: Arc<[u8]> = Arc::from(elf);
        Ok(Guest {
            path: args.elf.clone(),
            symbols: Symbols::new(elf.clone())
                .with_source_paths(zkdbg_symbols::SourcePaths::new(args.source_map.clone())),
            elf,
            machine,
            os,
            platform,
            risc0_cycles: None,
            show_kernel: args.zkvm.show_kernel,
        })
    }

    /// Whether the guest panicked: set its zkVM's panic flag (Jolt's panic
    /// word) or halted from its runtime's panic handler (SP1).
    pub fn panicked(&self) -> bool {
        match &self.os.device {
            Device::Jolt(d) => d.panicked(&self.machine.mem),
            Device::Sp1(d) => d.panicked,
            Device::Risc0(d) => d.panic_message.is_some(),
            Device::Airbender(_) | Device::OpenVm(_) | Device::Zisk(_) => false,
            Device::None => false,
        }
    }

    /// Code of the platform's own in the guest that profiles fold into one
    /// frame and steps pass through (RISC Zero's kernel, unless
    /// `--show-kernel`): (start, end, frame name).
    pub fn code_regions(&self) -> &'static [(u64, u64, &'static str)] {
        if self.show_kernel {
            &[]
        } else {
            self.platform.platform.code_regions()
        }
    }

    /// Disassembles `insn` at `pc`: symbols named, custom instructions
    /// in the platform's words.
    pub fn disassemble(&self, insn: &zkdbg_emulator::Insn, pc: u64) -> String {
        crate::run::disassemble_on(self.platform.platform, insn, pc, &self.machine)
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
/// by linker symbols (see [`ZeroOsLayout`]): reserves both read-write
/// (demand-zero: charged to `--memory-limit` as pages are touched), so
/// that its boot code's `sp = __stack_top` and its allocator work. Other
/// guests are left as they are.
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
            .reserve(lo, hi - lo, Perm::RW)
            .with_context(|| format!("cannot map the ZeroOS {what} at {lo:#x}..{hi:#x}"))?;
    }
    log::debug!("ZeroOS reservations mapped: {layout:?}");
    Ok(())
}

/// The platform to run `program` on: `forced` if given (refused if the ELF
/// cannot run there), else the one [`detect`] recognises.
///
/// Errors: a platform that does not run guests of the ELF's XLEN.
fn choose_platform(program: &Program, forced: Option<Platform>) -> Result<Detection> {
    let detected = detect(program);
    let chosen = match forced {
        None => detected,
        Some(p) if p == detected.platform => Detection {
            platform: p,
            reason: format!("--platform {p}; {}", detected.reason),
        },
        Some(p) => Detection {
            platform: p,
            reason: format!(
                "--platform {p} (the ELF looks like {}: {})",
                detected.platform, detected.reason
            ),
        },
    };
    if !chosen.platform.supports(program.xlen) {
        let xlen = match program.xlen {
            zkdbg_emulator::Xlen::X32 => "RV32",
            zkdbg_emulator::Xlen::X64 => "RV64",
        };
        bail!(
            "the {} platform does not run {xlen} guests ({})",
            chosen.platform,
            chosen.reason
        );
    }
    Ok(chosen)
}

/// Lays out Jolt's memory for this ELF, maps it and writes the inputs.
///
/// Errors: unreadable input files, sizes Jolt refuses, inputs larger than
/// their regions, memory over `--memory-limit`.
fn install_jolt(elf: &[u8], opts: &ZkvmOptions, machine: &mut Machine) -> Result<JoltDevice> {
    let mut config = opts.jolt_memory;
    config.program_size = jolt::program_size(elf).context("cannot read the ELF's sections")?;
    let layout = MemoryLayout::new(&config).context("Jolt memory layout")?;
    let inputs = JoltInputs {
        input: match opts.inputs.as_slice() {
            [] => Vec::new(),
            [b] => b.read("input")?,
            _ => bail!(
                "Jolt takes one --input (the serialized arguments), {} given",
                opts.inputs.len()
            ),
        },
        trusted_advice: read_optional(opts.trusted_advice.as_deref(), "trusted advice")?,
        untrusted_advice: read_optional(opts.untrusted_advice.as_deref(), "untrusted advice")?,
        advice_tape: read_optional(opts.advice_tape.as_deref(), "advice tape")?,
    };
    let device = JoltDevice::install(layout, &inputs, &mut machine.mem)?;
    log::debug!("Jolt layout: {layout:?}");
    Ok(device)
}

/// Reserves SP1's memory and queues the input vectors.
///
/// Errors: unreadable input files, an ELF segment below SP1's STACK_TOP.
fn install_sp1(opts: &ZkvmOptions, machine: &mut Machine) -> Result<Sp1Device> {
    let mut inputs = read_inputs(opts)?;
    if let Some(p) = &opts.sp1_stdin {
        let bytes = read_file(p, "SP1Stdin")?;
        let vectors = zkdbg_platforms::sp1::parse_sp1_stdin(&bytes)
            .with_context(|| format!("cannot read --sp1-stdin {}", p.display()))?;
        inputs.extend(vectors);
    }
    let program = machine.program.clone();
    let panic_handler = program
        .symbols
        .by_name("sys_panic")
        .map(|s| (s.addr, s.addr.saturating_add(s.size.max(1))));
    let device = Sp1Device::install(inputs, segments(&program), panic_handler, &mut machine.mem)?;
    Ok(device)
}

/// Loads RISC Zero's kernel (an R0BF file's, else the bundled v1compat
/// kernel) beside the user program and starts the hart at the kernel's
/// entry (as RISC Zero's executor does); the `--input` files, one after
/// the other, are the guest's stdin.
///
/// Errors: unreadable input files, a bad kernel ELF, memory over
/// `--memory-limit`.
fn install_risc0(
    args: &GuestOptions,
    kernel: Option<&[u8]>,
    machine: &mut Machine,
) -> Result<Risc0Device> {
    let stdin = read_inputs(&args.zkvm)?.concat();
    let program = machine.program.clone();
    let mut device = Risc0Device::install(
        kernel.unwrap_or(zkdbg_platforms::risc0::V1COMPAT_KERNEL),
        stdin,
        args.seed,
        program.entry,
        segments(&program),
        &mut machine.mem,
    )
    .map_err(|e| anyhow::anyhow!("cannot load RISC Zero's kernel: {e}"))?;
    if let Some(po2) = args.zkvm.risc0_segment_po2 {
        device.segment_po2 = po2;
    }
    machine.cpu.pc = device.kernel_entry;
    Ok(device)
}

/// A flat binary at address 0 (RV32), with the symbols (and, for
/// [`Symbols`], the bytes) of the `symbols` ELF if given.
///
/// Errors: a length that is not whole 32-bit words (Airbender's loader,
/// `risc_v_simulator/src/runner/mod.rs` `read_bin`, asserts it), an
/// unreadable or malformed symbols ELF.
fn load_flat(bytes: &[u8], symbols: Option<&Path>) -> Result<(Program, Vec<u8>)> {
    if !bytes.len().is_multiple_of(4) {
        bail!(
            "a flat binary of {} bytes: Airbender's simulator loads whole 32-bit words (pad it to a multiple of 4 bytes)",
            bytes.len()
        );
    }
    let mut program = Program::flat(
        zkdbg_emulator::Xlen::X32,
        0,
        bytes.to_vec(),
        bytes.len() as u64,
    );
    let Some(path) = symbols else {
        return Ok((program, Vec::new()));
    };
    let elf = read_file(path, "--symbols")?;
    let named = Program::parse(&elf)
        .with_context(|| format!("cannot read symbols from {}", path.display()))?;
    program.symbols = named.symbols;
    program.absolute_symbols = named.absolute_symbols;
    Ok((program, elf))
}

/// Airbender's oracle from the `--input` files (hex text, as its CLI's
/// `--input-file` holds) and `--input-hex` strings, in order, and its RAM.
///
/// Errors: unreadable files, text that is not 8-digit hex words.
fn install_airbender(opts: &ZkvmOptions, machine: &mut Machine) -> Result<AirbenderDevice> {
    let mut oracle = Vec::new();
    for (i, b) in opts.inputs.iter().enumerate() {
        let text = match b {
            Bytes::File(_) => String::from_utf8_lossy(&b.read("input")?).into_owned(),
            Bytes::Literal(bytes) => bytes.iter().map(|x| format!("{x:02x}")).collect(),
        };
        let words = zkdbg_platforms::airbender::parse_oracle(&text)
            .map_err(|e| anyhow::anyhow!("input {}: {e}", i + 1))?;
        oracle.extend(words);
    }
    let program = machine.program.clone();
    AirbenderDevice::install(oracle, segments(&program), &mut machine.mem)
        .context("cannot map Airbender's RAM")
}

/// Checks the program as OpenVM's transpiler would, maps OpenVM's memory
/// and queues the `--input`/`--input-hex` bytes, one input-stream entry
/// each.
///
/// Errors: a word OpenVM's transpiler rejects, unreadable input files.
fn install_openvm(opts: &ZkvmOptions, machine: &mut Machine) -> Result<OpenVmDevice> {
    let program = machine.program.clone();
    for seg in program.segments.iter().filter(|s| s.exec) {
        zkdbg_platforms::openvm::check_transpilable(seg.vaddr, &seg.data)
            .map_err(|e| anyhow::anyhow!("cannot run on OpenVM: {e}"))?;
    }
    // A file in cargo-openvm's --input JSON format gives its entries; any
    // other file or hex is one entry of raw bytes.
    let mut inputs = Vec::new();
    for (i, b) in opts.inputs.iter().enumerate() {
        let bytes = b.read(&format!("input {}", i + 1))?;
        match (b, zkdbg_platforms::openvm::parse_cli_input(&bytes)) {
            (Bytes::File(p), Ok(Some(entries))) => {
                log::debug!(
                    "{}: {} entries (cargo-openvm JSON)",
                    p.display(),
                    entries.len()
                );
                inputs.extend(entries);
            }
            (Bytes::File(p), Err(e)) => bail!("--input {}: {e}", p.display()),
            _ => inputs.push(bytes),
        }
    }
    OpenVmDevice::install(inputs, segments(&program), &mut machine.mem)
        .context("cannot map OpenVM's memory")
}

/// Maps ZisK's RAM and input region (the `--input`/`--input-hex` bytes
/// laid out for the guest's layout) and its UART.
///
/// Errors: unreadable inputs, several inputs for an older layout, memory
/// that cannot be mapped.
fn install_zisk(elf: &[u8], opts: &ZkvmOptions, machine: &mut Machine) -> Result<ZiskDevice> {
    let program = machine.program.clone();
    let layout = match opts.zisk_layout {
        Some(l) => l,
        None => {
            let (l, why) = zkdbg_platforms::zisk::Layout::detect(&program);
            log::info!("ZisK layout {}: {why}", l.name());
            l
        }
    };
    let inputs = read_inputs(opts)?;
    ZiskDevice::install(layout, &inputs, elf, segments(&program), &mut machine.mem)
        .map_err(|e| anyhow::anyhow!("cannot set up ZisK's memory: {e}"))
}

/// The bytes of each `--input`/`--input-hex`, in order.
fn read_inputs(opts: &ZkvmOptions) -> Result<Vec<Vec<u8>>> {
    opts.inputs
        .iter()
        .enumerate()
        .map(|(i, b)| b.read(&format!("input {}", i + 1)))
        .collect()
}

/// The program's PT_LOAD segments as (address, length in memory).
fn segments(program: &Program) -> impl Iterator<Item = (u64, u64)> + '_ {
    program.segments.iter().map(|s| (s.vaddr, s.mem_size))
}
