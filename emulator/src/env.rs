//! The interface between the hart and whatever serves its `ecall`s on the
//! host (the `zeroos` crate).

use crate::cpu::Cpu;
use crate::decode::Insn;
use crate::memory::Memory;
use crate::Xlen;

/// A Linux syscall made by `ecall` when no trap vector is installed:
/// number in a7, arguments in a0..a5 (Linux `syscall(2)`, "Architecture
/// calling conventions", riscv).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallRequest {
    /// Syscall number (a7), asm-generic numbering.
    pub nr: u64,
    /// Arguments a0..a5 (zero-extended on RV32).
    pub args: [u64; 6],
    /// pc of the `ecall`.
    pub pc: u64,
    /// Cycles before this syscall.
    pub cycle: u64,
    /// Retired instructions before this `ecall`.
    pub instret: u64,
    /// XLEN of the calling hart.
    pub xlen: Xlen,
}

/// What serving a syscall produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallResult {
    /// Return this value in a0 (a negative errno as a two's-complement
    /// XLEN-bit value on error).
    Return(u64),
    /// The guest exited (`exit` or `exit_group`) with this status.
    Exit(i32),
}

/// A Jolt host call, made by the `VirtualHostIO` custom instruction or by
/// `ecall` with a7 = 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCall {
    /// a0 = 0x505249: print a1/a2 (pointer/length) as a string (a3 = 1) or a
    /// line (a3 = 2, a newline follows).
    Print {
        /// The bytes printed.
        text: Vec<u8>,
        /// Whether a newline follows.
        newline: bool,
    },
    /// a0 = 0xC7C1E: a cycle-tracking span marker labelled by a1/a2.
    CycleMarker {
        /// The span label.
        label: String,
        /// `true` at `start_cycle_tracking` (a3 = 1), `false` at the end (a3 = 2).
        start: bool,
        /// Cycles before the marker instruction.
        cycle: u64,
    },
}

/// a0 value of a Jolt print host call.
pub const JOLT_PRINT: u64 = 0x50_5249;
/// a0 value of a Jolt cycle-tracking marker host call.
pub const JOLT_CYCLE_MARKER: u64 = 0xC_7C1E;

/// What serving a custom instruction ([`crate::Op::Custom`]) produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomResult {
    /// Served: registers and memory are updated. `name` names the
    /// instruction in traces and profiles (the zkVM's own name).
    Done {
        /// The instruction's name, e.g. `SHA256_INLINE`.
        name: &'static str,
        /// What it is: a virtual instruction, or an inline or precompile
        /// (a named frame in profiles, a record in traces).
        kind: CustomKind,
        /// The guest memory it read and wrote, for watchpoints (empty
        /// where the platform does not report them).
        accesses: Vec<crate::MemAccess>,
        /// Console output it produced: (fd, bytes), fd 1 stdout, 2 stderr.
        output: Option<(u32, Vec<u8>)>,
        /// Its arguments as the platform decodes them, taken before it
        /// ran, for traces (`None`: rs1, rs2 and rd's values).
        args: Option<Vec<crate::CallArg>>,
    },
    /// Served together with the `skip` bytes of code after it, which do
    /// not run (ZisK's DMA calls, fused with the `add`/`addi` after them);
    /// pc goes past them. `extra_cycles`: what the call costs beyond the
    /// instruction's own cycles.
    Skip {
        /// The call's name.
        name: &'static str,
        /// What it is.
        kind: CustomKind,
        /// The guest memory it read and wrote, for watchpoints.
        accesses: Vec<crate::MemAccess>,
        /// Bytes of code after the instruction that are part of it.
        skip: u64,
        /// Cycles beyond the instruction's own.
        extra_cycles: u64,
    },
    /// A cycle-tracking span marker (ZisK's PROFILE): observers see it as
    /// a [`HostCall::CycleMarker`]; the `skip` bytes of code after it are
    /// part of it and do not run.
    Marker {
        /// The span's label.
        label: String,
        /// `true` where the span starts.
        start: bool,
        /// Bytes of code after the instruction that are part of it.
        skip: u64,
    },
    /// Served, and the guest is done: it exited with `code` (OpenVM's
    /// TERMINATE).
    Halt {
        /// The instruction's name.
        name: &'static str,
        /// The exit code.
        code: i32,
    },
    /// Not an instruction of this platform: an illegal-instruction fault.
    Unknown,
    /// The platform refused it (a failed assertion, an operand outside
    /// memory, an instruction of another version): a fault that names it.
    Fault {
        /// The instruction's name.
        name: &'static str,
        /// Why, with the values involved.
        message: String,
        /// The memory address at fault, if any.
        addr: Option<u64>,
    },
}

impl CustomResult {
    /// Served, with no memory accesses reported and no output.
    pub fn done(name: &'static str, kind: CustomKind) -> CustomResult {
        CustomResult::Done {
            name,
            kind,
            accesses: Vec::new(),
            output: None,
            args: None,
        }
    }
}

/// What a platform instruction or call is, for profiles and traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomKind {
    /// A cheap virtual instruction (Jolt's advice loads, assertions): no
    /// frame, no trace record.
    Virtual,
    /// An inline (Jolt): the frame `[inline] NAME`.
    Inline,
    /// A precompile (SP1's SHA_COMPRESS, ...): the frame `[precompile] NAME`.
    Precompile,
    /// A platform syscall that is not a precompile (SP1's WRITE,
    /// HINT_READ, ...): the frame `[syscall] NAME`.
    Syscall,
}

impl CustomKind {
    /// The tag of its profile frames and trace records (`None`: neither).
    pub fn tag(self) -> Option<&'static str> {
        match self {
            CustomKind::Virtual => None,
            CustomKind::Inline => Some("inline"),
            CustomKind::Precompile => Some("precompile"),
            CustomKind::Syscall => Some("syscall"),
        }
    }
}

/// One decoded argument of a platform call, for traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallArg {
    /// A signed integer (fds, lengths, counts).
    Int(i64),
    /// A pointer or other unsigned value.
    Hex(u64),
    /// Bytes read from guest memory (a written buffer), `true` if cut.
    Bytes(Vec<u8>, bool),
}

/// What serving an `ecall` as the platform's own call produced (see
/// [`Environment::ecall`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EcallResult {
    /// Not a platform call: served as a Linux syscall (a7) or a Jolt host
    /// call, as on the linux platform.
    Linux,
    /// Served: registers and memory are updated.
    Done {
        /// The platform's name for the call, e.g. SP1's `SHA_COMPRESS`.
        name: &'static str,
        /// A precompile or a syscall.
        kind: CustomKind,
        /// Bytes the call wrote to the guest's stdout (fd 1) or stderr
        /// (fd 2), for observers that read the output (cycle-tracker
        /// lines).
        output: Option<(u32, Vec<u8>)>,
        /// The call's arguments decoded by the platform (`None`: show the
        /// raw a0..a2).
        args: Option<Vec<CallArg>>,
        /// Cycles the call costs beyond the `ecall`'s own (RISC Zero's host
        /// calls: one per cycle state of its circuit).
        extra_cycles: u64,
        /// Guest memory the call read and wrote on the host, in order:
        /// observers see them as the `ecall`'s own accesses (watchpoints,
        /// RISC Zero's paging model).
        accesses: Vec<crate::MemAccess>,
    },
    /// The platform's kernel, running in the guest, takes the call: pc
    /// goes to `to` (RISC Zero's user `ecall`, dispatched through the word
    /// at 0xffff1000). Observers see the call as with `Done`, then a call
    /// transfer to `to`, which the kernel's [`Environment::mret`] returns
    /// from.
    Enter {
        /// The call's name.
        name: &'static str,
        /// A precompile or a syscall.
        kind: CustomKind,
        /// Where the kernel takes it.
        to: u64,
        /// The call's arguments decoded by the platform.
        args: Option<Vec<CallArg>>,
        /// Guest memory the platform read and wrote to enter the kernel.
        accesses: Vec<crate::MemAccess>,
    },
    /// Served, and the platform moved the hart: pc goes to `to`, a jump
    /// (SP1's EXIT_UNCONSTRAINED returns to the instruction after its
    /// ENTER_UNCONSTRAINED with the registers and memory saved there).
    Jump {
        /// The call's name.
        name: &'static str,
        /// Where the hart goes on.
        to: u64,
    },
    /// The guest halted with this exit code.
    Halt {
        /// The call's name.
        name: &'static str,
        /// The exit code.
        code: i32,
        /// Cycles the call costs beyond the `ecall`'s own.
        extra_cycles: u64,
    },
    /// The platform refused the call: a fault that names it.
    Fault {
        /// The call's name (or `ecall`).
        name: &'static str,
        /// Why, with the values involved.
        message: String,
        /// The memory address at fault, if any.
        addr: Option<u64>,
    },
}

impl EcallResult {
    /// A refused call: `name` and why.
    pub fn fault(name: &'static str, message: String, addr: Option<u64>) -> EcallResult {
        EcallResult::Fault {
            name,
            message,
            addr,
        }
    }

    /// The guest halted with exit code `code`.
    pub fn halt(name: &'static str, code: i32) -> EcallResult {
        EcallResult::Halt {
            name,
            code,
            extra_cycles: 0,
        }
    }

    /// A served call without console output (arguments decoded later, if
    /// at all).
    pub fn done(name: &'static str, kind: CustomKind) -> EcallResult {
        EcallResult::Done {
            name,
            kind,
            output: None,
            args: None,
            extra_cycles: 0,
            accesses: Vec::new(),
        }
    }
}

/// Serves host-side `ecall`s. Implemented by `zeroos::ZeroOs`.
pub trait Environment {
    /// Serves one Linux syscall. May read and write guest memory.
    fn syscall(&mut self, req: &SyscallRequest, mem: &mut Memory) -> SyscallResult;

    /// Receives text printed by a Jolt host call.
    fn host_print(&mut self, text: &[u8], newline: bool);

    /// Whether `ecall`s with no trap handler installed (mtvec = 0) are
    /// served on the host: `None` if they are, otherwise the message of the
    /// platform fault they stop with. The default: served.
    fn host_syscalls(&self) -> Option<&'static str> {
        None
    }

    /// Whether CSR instructions on `csr` are platform calls rather than
    /// CSR accesses (ZisK's precompiles, `csrs 0x800, a0`): they are then
    /// served by [`Environment::custom`] with the instruction (its `imm`
    /// the CSR number), named and traced like a custom instruction. The
    /// default: none.
    fn csr_is_call(&self, csr: u16) -> bool {
        let _ = csr;
        false
    }

    /// Receives the bytes the guest stored to the byte register
    /// [`Memory::capture_byte_stores`] set up (ZisK's UART at 0xa0000200),
    /// in order, soon after they were stored (at the next block boundary
    /// or stop). The default: dropped.
    fn device_output(&mut self, bytes: &[u8], mem: &mut Memory) {
        let _ = (bytes, mem);
    }

    /// Serves or refuses a CSR instruction (`op` one of the `Csrr*`
    /// operations, `csr` its CSR number, `rd` its destination register
    /// number, `value` what it would write (rs1, or its immediate),
    /// `writes` whether it writes: csrrw, or csrrs/csrrc with a non-zero
    /// source) before it executes: `Some(Ok(old))` serves it on a CSR the
    /// platform implements (ZKsync Airbender's non-determinism CSR 0x7c0),
    /// rd gets `old` and the hart's CSRs are untouched; `Some(Err(why))`
    /// stops the run with a platform fault saying `why` (Jolt's CSRs
    /// outside its ISA). `None` (the default): the hart's own CSRs.
    fn csr(
        &mut self,
        op: crate::Op,
        csr: u16,
        rd: usize,
        value: u64,
        writes: bool,
    ) -> Option<Result<u64, String>> {
        let _ = (op, csr, rd, value, writes);
        None
    }

    /// Serves an `ecall` made with no trap handler installed (mtvec = 0) as
    /// the platform's own call (SP1: the syscall id in t0). May write
    /// registers (x0 must stay 0) and memory, never pc. The default:
    /// [`EcallResult::Linux`], i.e. a Linux syscall by a7.
    fn ecall(&mut self, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> EcallResult {
        let _ = (pc, cpu, mem);
        EcallResult::Linux
    }

    /// Serves `mret` at `pc` for a platform whose kernel runs in the guest
    /// with its own trap protocol (RISC Zero: back to the word at MEPC_ADDR
    /// plus 4, swapping the register banks): `Some(Ok((target, returns)))`
    /// where `returns` says it ends a call that [`EcallResult::Enter`]
    /// began (a return transfer; otherwise a jump: the kernel's first
    /// entry into the program), or `Some(Err(why))` for a platform fault.
    /// `None` (the default): the standard `mret` (pc from `mepc`,
    /// privileged spec "Trap-Return Instructions").
    fn mret(
        &mut self,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
    ) -> Option<Result<(u64, bool), String>> {
        let _ = (pc, cpu, mem);
        None
    }

    /// Serves a custom instruction (custom-0/1/2 opcode space, and Jolt's
    /// `VirtualHostIO` with a call id other than print or cycle marker) at
    /// `pc`. May write registers (x0 must stay 0) and memory, never pc. Its
    /// cost comes from the machine's cost model. The default: no custom
    /// instructions.
    fn custom(&mut self, insn: &Insn, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> CustomResult {
        let _ = (insn, pc, cpu, mem);
        CustomResult::Unknown
    }
}

/// An environment with no syscalls: every syscall returns `-ENOSYS` and
/// prints go nowhere. Useful for tests of bare-metal code.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSyscalls;

impl Environment for NoSyscalls {
    fn syscall(&mut self, req: &SyscallRequest, _mem: &mut Memory) -> SyscallResult {
        let enosys = (-38i64) as u64;
        SyscallResult::Return(req.xlen.truncate(enosys))
    }
    fn host_print(&mut self, _text: &[u8], _newline: bool) {}
}
