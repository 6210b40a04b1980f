//! `zkdbg run`: run a guest to completion and report.

use crate::guest::Guest;
use serde::Serialize;
use zkdbg_emulator::disasm::disassemble;
use zkdbg_emulator::{Fault, FaultKind, Insn, Machine, StopReason};
use zkdbg_platforms::{Device, Platform};

/// Disassembles `insn` at `pc`, naming symbols and, for a custom
/// instruction, using `platform`'s name for it.
pub fn disassemble_on(platform: Platform, insn: &Insn, pc: u64, machine: &Machine) -> String {
    if let Some(s) = platform.disassemble_custom(insn) {
        return s;
    }
    let symbols = machine.symbols();
    disassemble(insn, pc, machine.xlen(), &|a| symbols.describe(a))
}

/// A fault, described for people and for JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FaultReport {
    /// Kind, e.g. `load-access`.
    pub kind: FaultKind,
    /// Human description, e.g. "load access fault".
    pub description: String,
    /// pc of the faulting instruction (`"0x..."` in the report).
    #[serde(serialize_with = "hex_u64")]
    pub pc: u64,
    /// The faulting address, if any (`"0x..."` in the report).
    #[serde(serialize_with = "hex_opt_u64")]
    pub addr: Option<u64>,
    /// The instruction, disassembled.
    pub instruction: Option<String>,
    /// The function containing pc (`name+0xOFF`), if known.
    pub function: Option<String>,
    /// `file:line` of pc, if DWARF knows it.
    pub location: Option<String>,
    /// The signal a debugger reports for it (SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGXCPU, SIGABRT).
    pub signal: String,
    /// For an access fault at a mapped address: the permission the page
    /// lacks, e.g. "page is r-x: not writable".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// For a platform fault: the instruction's name and why the platform
    /// refused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The call stack at the fault, innermost first, one line per frame
    /// (inline frames included), as gdb's `bt` prints them:
    /// `#0  0x80000120 in f at fib.c:12`; at most [`MAX_BACKTRACE`].
    pub backtrace: Vec<String>,
    /// The last control transfers before the fault (calls, returns,
    /// jumps, traps; oldest first): `jalr s1 at __call_exitprocs+0x76 ->
    /// 0x100`.
    pub last_transfers: Vec<String>,
    /// How to stop at the fault in the debugger: `zkdbg tui GUEST
    /// --break-at-fault`.
    pub debug_hint: String,
}

/// An address as the report writes it: `"0x..."`, as traces do.
fn hex_u64<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:#x}"))
}

/// An optional address as the report writes it: `"0x..."` or null.
fn hex_opt_u64<S: serde::Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&format!("{v:#x}")),
        None => s.serialize_none(),
    }
}

/// `n` and `what`, plural unless n is 1: "1 syscall", "2 syscalls".
pub fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Frames a fault's backtrace keeps.
pub const MAX_BACKTRACE: usize = 32;

/// Where `addr` is, for post-mortems: `name+0xOFF (0xADDR)`, or the
/// address alone.
fn place(machine: &Machine, addr: u64) -> String {
    match machine.symbols().describe(addr) {
        Some(d) => format!("{d} ({addr:#x})"),
        None => format!("{addr:#x}"),
    }
}

impl FaultReport {
    /// Describes `fault` in `guest`'s program, with the call stack and the
    /// last control transfers; custom instructions are named as the
    /// guest's platform names them.
    pub fn new(fault: &Fault, guest: &Guest) -> FaultReport {
        let machine = &guest.machine;
        let platform = guest.platform.platform;
        let symbols = machine.symbols();
        let mut backtrace = Vec::new();
        'frames: for frame in crate::core::backtrace(guest) {
            for f in &frame.inline {
                if backtrace.len() == MAX_BACKTRACE {
                    break 'frames;
                }
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                backtrace.push(format!(
                    "#{:<2} {:#x} in {}{at}",
                    backtrace.len(),
                    frame.pc,
                    f.function
                ));
            }
        }
        let last_transfers = machine
            .recent_transfers()
            .iter()
            .map(|t| {
                let insn = machine
                    .mem
                    .fetch_slow(t.from)
                    .map(|i| disassemble_on(platform, &i, t.from, machine))
                    .unwrap_or_else(|| "?".into());
                format!(
                    "{insn} at {} -> {}",
                    place(machine, t.from),
                    place(machine, t.to)
                )
            })
            .collect();
        let instruction = fault
            .insn
            .map(|i| disassemble_on(platform, &i, fault.pc, machine));
        FaultReport {
            kind: fault.kind,
            description: fault.kind.describe().to_string(),
            pc: fault.pc,
            addr: fault.addr,
            instruction,
            function: symbols.describe(fault.pc),
            location: guest.symbols.source().location(fault.pc),
            signal: Signal::of(fault.kind).name().to_string(),
            permission: permission_note(fault, &machine.mem),
            message: fault.message.as_deref().map(str::to_string).or_else(|| {
                let float = platform == Platform::Zisk
                    && fault.kind == zkdbg_emulator::FaultKind::IllegalInstruction
                    && machine
                        .mem
                        .read_vec(fault.pc, 2)
                        .is_ok_and(|b| zkdbg_platforms::zisk::is_float_insn(&b));
                float.then(|| {
                    "a floating-point instruction: ZisK runs them in the float library of its \
                     ROM, which zkdbg does not support yet"
                        .to_string()
                })
            }),
            backtrace,
            last_transfers,
            debug_hint: format!(
                "zkdbg tui {} --break-at-fault (with this run's options) stops at the fault: \
                 inspect it and reverse-step to its cause",
                guest.path.display()
            ),
        }
    }

    /// A multi-line message: kind, pc, function, source line, instruction, address.
    pub fn message(&self) -> String {
        let mut s = format!("guest fault: {} at pc {:#x}", self.description, self.pc);
        if let Some(f) = &self.function {
            s += &format!(" in {f}");
        }
        if let Some(l) = &self.location {
            s += &format!(" ({l})");
        }
        if let Some(m) = &self.message {
            s += &format!("\n  {m}");
        }
        if let Some(i) = &self.instruction {
            s += &format!("\n  instruction: {i}");
        }
        if let Some(a) = self.addr {
            s += &format!("\n  address: {a:#x}");
            if let Some(p) = &self.permission {
                s += &format!(" ({p})");
            }
        }
        if !self.backtrace.is_empty() {
            s += "\n  backtrace:";
            for l in &self.backtrace {
                s += &format!("\n    {l}");
            }
        }
        if !self.last_transfers.is_empty() {
            s += "\n  last control transfers (oldest first):";
            let skip = self.last_transfers.len().saturating_sub(6);
            for l in &self.last_transfers[skip..] {
                s += &format!("\n    {l}");
            }
        }
        s += &format!("\n  debug it: {}", self.debug_hint);
        s
    }
}

/// What an access fault at a mapped address lacked: "page is r--: not
/// writable" (a store to read-only memory), "page is rw-: not executable"
/// (a jump into data or stack).
fn permission_note(fault: &Fault, mem: &zkdbg_emulator::Memory) -> Option<String> {
    use zkdbg_emulator::memory::Perm;
    let addr = fault.addr?;
    let (need, what) = match fault.kind {
        FaultKind::InstructionAccess => (Perm::X, "executable"),
        FaultKind::LoadAccess => (Perm::R, "readable"),
        FaultKind::StoreAccess => (Perm::W, "writable"),
        _ => return None,
    };
    let perm = mem.perm(addr)?;
    if perm.allows(need) && mem.is_demand_zero(addr) {
        // A reserved page the guest touched first when the budget was spent.
        return Some(format!(
            "memory limit of {} bytes reached when the guest first touched this page: raise \
             --memory-limit",
            mem.limit()
        ));
    }
    (!perm.allows(need)).then(|| format!("page is {}: not {what}", perm.describe()))
}

/// The POSIX signal a fault maps to, as a debugger or a shell would report a
/// process killed by it. Numbers are Linux's (signal(7), asm-generic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Access to an unmapped page or one without the needed permission.
    Segv,
    /// Illegal instruction.
    Ill,
    /// Misaligned access (under `--strict-align`).
    Bus,
    /// `ebreak`.
    Trap,
    /// `--max-cycles` reached.
    Xcpu,
    /// A platform refused a custom instruction (a failed assertion).
    Abrt,
}

impl Signal {
    /// The signal of a fault.
    pub fn of(kind: FaultKind) -> Signal {
        match kind {
            FaultKind::InstructionAccess | FaultKind::LoadAccess | FaultKind::StoreAccess => {
                Signal::Segv
            }
            FaultKind::IllegalInstruction => Signal::Ill,
            FaultKind::LoadMisaligned | FaultKind::StoreMisaligned => Signal::Bus,
            FaultKind::Breakpoint => Signal::Trap,
            FaultKind::CycleLimit => Signal::Xcpu,
            FaultKind::Platform => Signal::Abrt,
        }
    }

    /// Its name, e.g. `SIGSEGV`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Segv => "SIGSEGV",
            Signal::Ill => "SIGILL",
            Signal::Bus => "SIGBUS",
            Signal::Trap => "SIGTRAP",
            Signal::Xcpu => "SIGXCPU",
            Signal::Abrt => "SIGABRT",
        }
    }

    /// Its Linux number (a shell reports exit status 128 + this).
    pub fn number(self) -> i32 {
        match self {
            Signal::Segv => 11,
            Signal::Ill => 4,
            Signal::Bus => 7,
            Signal::Trap => 5,
            Signal::Xcpu => 24,
            Signal::Abrt => 6,
        }
    }
}

/// RISC Zero's cycle figures (risc0-circuit-rv32im 4.0.5
/// `ExecutorResult`): user cycles (instructions, the kernel's too, and host
/// calls' cycle states), paging cycles, reserved cycles, their total over
/// power-of-two segments, and the segment count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Risc0Report {
    /// User cycles.
    pub user_cycles: u64,
    /// Paging cycles.
    pub paging_cycles: u64,
    /// Reserved cycles (the rest of each segment).
    pub reserved_cycles: u64,
    /// Total cycles (the segments' power-of-two sizes summed).
    pub total_cycles: u64,
    /// Segments.
    pub segments: u64,
    /// Why RISC Zero's executor would stop, when it would (a segment size
    /// too small for an instruction's cycles); the figures stop there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The JSON report of `zkdbg run --report`. Deterministic: the same ELF and
/// input give byte-identical reports (wall time is printed on stderr only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Guest file name.
    pub guest: String,
    /// "rv32" or "rv64".
    pub xlen: zkdbg_emulator::Xlen,
    /// The platform it ran on (`linux`, `jolt`).
    pub platform: String,
    /// Why that platform: recognised from the ELF, or `--platform`.
    pub platform_reason: String,
    /// The process exit code: the guest's exit status (low 8 bits), 0 for a
    /// jump-to-self halt, 101 for a guest panic (Rust's), 128 + signal
    /// number for a fault.
    pub exit_code: i32,
    /// The status the guest passed to exit/exit_group, if it exited.
    pub exit_status: Option<i32>,
    /// `exit`, `jump-to-self`, `panic` (a zkVM's panic flag was set before
    /// the final jump-to-self) or `fault`.
    pub halt_reason: String,
    /// Retired instructions.
    pub instructions: u64,
    /// Cycles in the platform's unit (see `cycle_unit`): on `linux`
    /// instructions plus modeled syscall cost, on `jolt` Jolt's trace length.
    pub cycles: u64,
    /// The unit of `cycles`: `instructions` or `jolt-cycles`.
    pub cycle_unit: String,
    /// Jolt: the trace length the prover pads to (the next power of two).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padded_cycles: Option<u64>,
    /// A zkVM platform's output, as lowercase hex: Jolt: the bytes the
    /// guest wrote to its output region (postcard-serialized); SP1: the
    /// public values stream (bincode-serialized commits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// SP1: its `clk` timestamp at the end (1 + 8 per instruction + 256
    /// per `ecall`), as SP1's executor reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp1_clk: Option<u64>,
    /// SP1: instructions run in unconstrained blocks (each with its
    /// EXIT_UNCONSTRAINED): executed, and in profiles, but not in
    /// `cycles`, as SP1 counts them in neither its cycles nor its `clk`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconstrained_cycles: Option<u64>,
    /// Why the guest may have failed, when zkdbg knows (e.g. SP1: "the
    /// guest asked for input vector 2, only 1 given (--input)").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// RISC Zero: its cycle accounting (user, paging, reserved, total,
    /// segments of 2^20 cycles), as its executor reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risc0: Option<Risc0Report>,
    /// Syscalls served by zeroos.
    pub syscalls: u64,
    /// Syscalls answered -ENOSYS, by name or number.
    pub unknown_syscalls: std::collections::BTreeMap<String, u64>,
    /// The fault, or null.
    pub fault: Option<FaultReport>,
}

impl RunReport {
    /// Builds the report of a finished run.
    pub fn new(guest: &Guest, stop: &StopReason) -> RunReport {
        let m = &guest.machine;
        let platform = guest.platform.platform;
        let panicked = guest.panicked();
        let (exit_code, exit_status, halt_reason, fault) = match stop {
            StopReason::Exited(s) if panicked => (s & 0xff, Some(*s), "panic", None),
            StopReason::Exited(s) => (s & 0xff, Some(*s), "exit", None),
            StopReason::Halted if panicked => (101, None, "panic", None),
            StopReason::Halted => (0, None, "jump-to-self", None),
            StopReason::Fault(f) => (
                128 + Signal::of(f.kind).number(),
                None,
                "fault",
                Some(FaultReport::new(f, guest)),
            ),
            other => (
                1,
                None,
                if matches!(other, StopReason::StepLimit) {
                    "step-limit"
                } else {
                    "stopped"
                },
                None,
            ),
        };
        let output = match &guest.os.device {
            Device::Jolt(d) => Some(hex(&d.output(&m.mem))),
            Device::Sp1(d) => Some(hex(d.public_values())),
            Device::Risc0(d) => Some(hex(d.journal())),
            Device::Airbender(_) => Some(hex(
                &zkdbg_platforms::airbender::AirbenderDevice::output(&m.cpu),
            )),
            Device::OpenVm(d) => Some(hex(&d.public_values)),
            Device::Zisk(d) => Some(hex(&d.output(&m.mem))),
            Device::None => None,
        };
        let unconstrained = match &guest.os.device {
            Device::Sp1(d) if d.unconstrained_instructions > 0 => {
                Some(d.unconstrained_instructions)
            }
            _ => None,
        };
        let (sp1_clk, hint) = match &guest.os.device {
            Device::Sp1(d) => (d.clk(m.cpu.instret), d.input_hint()),
            Device::Risc0(d) => (None, d.input_hint()),
            Device::Airbender(_) | Device::OpenVm(_) | Device::Zisk(_) => (None, None),
            Device::Jolt(_) | Device::None => (None, None),
        };
        let padded_cycles = (platform == Platform::Jolt)
            .then(|| m.cpu.cycle.checked_next_power_of_two().unwrap_or(u64::MAX));
        let stats = guest.os.stats();
        let unknown_syscalls = stats
            .unknown
            .iter()
            .map(|(&nr, &n)| (zeroos::syscall_label(nr, m.xlen()), n))
            .collect();
        RunReport {
            guest: guest.name(),
            xlen: m.xlen(),
            platform: platform.name().to_string(),
            platform_reason: guest.platform.reason.clone(),
            exit_code,
            exit_status,
            halt_reason: halt_reason.to_string(),
            instructions: m.cpu.instret,
            cycles: m.cpu.cycle - unconstrained.unwrap_or(0).min(m.cpu.cycle),
            cycle_unit: m.config.cost.name.to_string(),
            padded_cycles,
            output,
            sp1_clk,
            unconstrained_cycles: unconstrained,
            hint,
            risc0: guest.risc0_cycles.map(|c| Risc0Report {
                user_cycles: c.user,
                paging_cycles: c.paging,
                reserved_cycles: c.reserved,
                total_cycles: c.total,
                segments: c.segments,
                error: c.too_small_at.map(|pc| {
                    format!(
                        "segment limit too small for the instruction at pc {pc:#x}: RISC Zero's \
                         executor stops there (raise --segment-po2)"
                    )
                }),
            }),
            syscalls: stats.total,
            unknown_syscalls,
            fault,
        }
    }

    /// The one-line summary printed on stderr.
    pub fn summary(&self, seconds: f64) -> String {
        let mips = if seconds > 0.0 {
            self.instructions as f64 / seconds / 1e6
        } else {
            0.0
        };
        let end = match (&self.fault, self.exit_status) {
            (Some(f), _) => format!("fault ({})", f.description),
            (None, Some(s)) if self.halt_reason == "panic" => format!("panic (exit {s})"),
            (None, Some(s)) => format!("exit {s}"),
            (None, None) => self.halt_reason.clone(),
        };
        let mut s = format!(
            "zkdbg: {end} | {} | ",
            count(self.instructions, "instruction")
        );
        if let Some(r) = &self.risc0 {
            s += &format!(
                "{} user cycles, {} paging, {} total in {} segment{}",
                r.user_cycles,
                r.paging_cycles,
                r.total_cycles,
                r.segments,
                if r.segments == 1 { "" } else { "s" }
            );
            if r.error.is_some() {
                s += " (segment limit too small: see the report)";
            }
        } else if self.cycle_unit == "instructions" {
            s += &format!(
                "{} | {}",
                count(self.cycles, "cycle"),
                count(self.syscalls, "syscall")
            );
        } else {
            s += &format!("{} {}", self.cycles, self.cycle_unit);
            if let Some(p) = self.padded_cycles {
                s += &format!(" (padded {p})");
            }
        }
        s += &format!(" | {:.3} s | {:.1} MIPS", seconds, mips);
        if self.platform != "linux" {
            s += &format!(" | platform {}", self.platform);
        }
        if let Some(o) = &self.output {
            s += &format!(" | output {}", if o.is_empty() { "(none)" } else { o });
        }
        if let Some(h) = &self.hint {
            s += &format!(" | {h}");
        }
        if !self.unknown_syscalls.is_empty() {
            let names: Vec<String> = self
                .unknown_syscalls
                .iter()
                .map(|(k, v)| format!("{k} ×{v}"))
                .collect();
            s += &format!(" | unimplemented syscalls (ENOSYS): {}", names.join(", "));
        }
        s
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
