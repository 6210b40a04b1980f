//! The instrumentation interface.
//!
//! A run is generic over an [`Observer`]; every method has an empty default
//! body marked `#[inline(always)]`, so a run with the no-op observer `()`
//! compiles to the plain interpreter and pays nothing.
//!
//! Event order within one instruction: [`Observer::before_insn`], then the
//! memory accesses it makes ([`Observer::mem_access`]), syscall or trap
//! events (for `mret`, [`Observer::trap_return`]), then
//! [`Observer::retired`], then [`Observer::transfer`] if it changed control
//! flow.

use crate::cpu::Cpu;
use crate::decode::Insn;
use crate::env::{HostCall, SyscallRequest, SyscallResult};
use crate::memory::Memory;

/// How a control transfer relates to the call stack, classified by the
/// return-address-stack hints of the RISC-V unprivileged spec ("JALR"
/// section, table of push/pop hints): a link register is `ra` (x1) or `t0`
/// (x5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransferKind {
    /// `jal`/`jalr` writing a link register (push).
    Call,
    /// `jalr` through a link register, not writing one (pop).
    Return,
    /// `jalr` reading one link register and writing another (pop, then push).
    CoroutineSwap,
    /// A jump that links nothing (`j`, `jr`, `tail`): a local jump or a tail
    /// call; a profiler tells them apart by whether the target is a function
    /// entry.
    Jump,
    /// An exception or `ecall` entering the trap vector in `mtvec`.
    Trap,
    /// `mret` leaving a trap handler.
    TrapReturn,
}

/// One control transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Classification.
    pub kind: TransferKind,
    /// Address of the transferring instruction.
    pub from: u64,
    /// Target address (the new pc).
    pub to: u64,
    /// Address of the instruction after the transferring one (the return
    /// address a call links).
    pub next: u64,
}

/// Direction of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A load (including the read half of an AMO and `lr`).
    Read,
    /// A store (including the write half of an AMO and a successful `sc`).
    Write,
}

/// One data memory access made by an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemAccess {
    /// pc of the accessing instruction.
    pub pc: u64,
    /// First byte accessed.
    pub addr: u64,
    /// Size in bytes (1, 2, 4 or 8).
    pub size: u8,
    /// Read or write.
    pub kind: AccessKind,
    /// The value read or written (zero-extended).
    pub value: u64,
}

/// A trap entering the guest's own trap vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrapEvent {
    /// The `mcause` value (11 for an `ecall` from M-mode).
    pub cause: u64,
    /// The `mepc` value: pc of the trapping instruction.
    pub epc: u64,
    /// The handler address (from `mtvec`).
    pub handler: u64,
    /// For an `ecall`, the value of a7 (the syscall number by the Linux
    /// convention), which in-guest kernels dispatch on.
    pub a7: u64,
}

/// The instructions a compiled block retired in one call
/// ([`Observer::retired_compiled`]).
#[derive(Clone, Copy, Debug)]
pub struct CompiledRun<'a> {
    /// The block's first pc.
    pub pc: u64,
    /// Offset in bytes of each instruction from `pc` (at least `retired`
    /// entries).
    pub offs: &'a [u16],
    /// Cycles of the first `i` instructions, `i = 0..=retired` (at least
    /// `retired + 1` entries).
    pub cum: &'a [u64],
    /// Instructions retired.
    pub retired: usize,
    /// `u32::MAX` on RV32 (pcs wrap at XLEN), else `u64::MAX`.
    pub pc_mask: u64,
}

impl CompiledRun<'_> {
    /// Each retired instruction's pc and cycles, in order.
    #[inline(always)]
    pub fn instructions(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..self.retired).map(|i| {
            (
                self.pc.wrapping_add(u64::from(self.offs[i])) & self.pc_mask,
                self.cum[i + 1] - self.cum[i],
            )
        })
    }
}

/// Receives the emulator's events. All methods default to doing nothing.
pub trait Observer {
    /// Whether this observer wants events. `false` only for the no-op
    /// observer `()`: the interpreter then keeps pc and counters in
    /// registers and writes them back only when it stops.
    const ACTIVE: bool = true;

    /// `false` if [`Observer::retired`] and [`Observer::transfer`] are
    /// no-ops: the interpreter then skips publishing pc and counters after
    /// every instruction (breakpoint-only observers run faster).
    const RETIRED: bool = true;

    /// `true` if this observer only counts retired instructions and takes
    /// them in runs: the interpreter then calls [`Observer::retired_run`]
    /// once per straight-line run of instructions instead of
    /// [`Observer::retired`] for each (as block-level instrumentation in
    /// binary translators counts). [`Observer::transfer`] and every other
    /// event are unchanged.
    const RETIRED_RUNS: bool = false;

    /// `true` if [`Observer::may_stop_in`] tells which straight-line runs
    /// of instructions need [`Observer::before_insn`] at all.
    const FILTERS_BLOCKS: bool = false;

    /// `true` if this observer can watch compiled code ([`crate::Engine::Jit`]):
    /// it needs neither [`Observer::retired`] nor [`Observer::mem_access`]
    /// (in runs where [`Observer::may_run_compiled`] allows compiled code),
    /// takes retired instructions only through [`Observer::retired_run`]
    /// or [`Observer::retired_compiled`] if at all, and
    /// [`Observer::before_insn`] only in blocks where
    /// [`Observer::may_stop_in`] says so (with [`Observer::FILTERS_BLOCKS`];
    /// such blocks run interpreted). Compiled blocks report one run per
    /// block (its branch or jump included) and their transfers; every
    /// other event comes from the interpreter as usual.
    const COMPILED: bool = false;

    /// With [`Observer::COMPILED`]: the first [`CompiledRun::retired`]
    /// instructions of a compiled block retired (each one's pc and cycles
    /// are in `run`), before the block's transfer is reported. For
    /// observers that attribute cycles by pc (profiles); `cpu`'s pc and
    /// counters may lag, as in [`Observer::retired`].
    #[inline(always)]
    fn retired_compiled(&mut self, _cpu: &Cpu, _run: &CompiledRun) {}

    /// With [`Observer::COMPILED`]: whether this run may use compiled code
    /// at all, asked once when a run starts (a debugger with watchpoints
    /// answers `false`: it needs [`Observer::mem_access`]).
    #[inline(always)]
    fn may_run_compiled(&mut self) -> bool {
        true
    }

    /// Called before the instruction `insn` at `pc` executes; returning
    /// `true` stops the run before it (a breakpoint), leaving `pc`
    /// unexecuted. `cpu`'s registers are current, but its `pc`, `instret`
    /// and `cycle` may lag behind (the interpreter keeps them in locals).
    #[inline(always)]
    fn before_insn(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn) -> bool {
        false
    }

    /// With [`Observer::FILTERS_BLOCKS`]: whether `before_insn` could
    /// return `true` for any instruction in `start..end` (bytes), a
    /// straight-line run about to execute. `false` skips `before_insn` for
    /// the whole run; `true` may be conservative.
    #[inline(always)]
    fn may_stop_in(&mut self, _cpu: &Cpu, _start: u64, _end: u64) -> bool {
        true
    }

    /// An instruction retired. `cycles` is what it cost (1, or 1 plus the
    /// modeled syscall cost for an `ecall` served on the host). `cpu`'s
    /// registers and CSRs are the state after it, but its `pc`, `instret`
    /// and `cycle` may lag (the interpreter keeps them in locals; they are
    /// current in [`Observer::transfer`] and the syscall and trap events).
    #[inline(always)]
    fn retired(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn, _cycles: u64) {}

    /// With [`Observer::RETIRED_RUNS`]: `instructions` more instructions
    /// retired, costing `cycles` in all, each run reported before any event
    /// that follows it (a transfer, syscall, trap or stop). `cpu`'s `pc`,
    /// `instret` and `cycle` may lag, as in [`Observer::retired`].
    #[inline(always)]
    fn retired_run(&mut self, _cpu: &Cpu, _instructions: u64, _cycles: u64) {}

    /// A control transfer by `jal`, `jalr`, a trap or `mret` (not taken
    /// branches). `cpu` is the state after it.
    #[inline(always)]
    fn transfer(&mut self, _cpu: &Cpu, _t: &Transfer) {}

    /// A data memory access. Returning `true` stops the run after the
    /// instruction retires (a watchpoint).
    #[inline(always)]
    fn mem_access(&mut self, _access: &MemAccess) -> bool {
        false
    }

    /// An `ecall` is about to be served on the host as a Linux syscall.
    #[inline(always)]
    fn syscall_enter(&mut self, _cpu: &Cpu, _mem: &Memory, _req: &SyscallRequest) {}

    /// A host-served syscall finished; `cycles` is its modeled cost (not
    /// counting the `ecall` instruction's own cycle).
    #[inline(always)]
    fn syscall_exit(
        &mut self,
        _cpu: &Cpu,
        _mem: &Memory,
        _req: &SyscallRequest,
        _res: &SyscallResult,
        _cycles: u64,
    ) {
    }

    /// A trap into the guest's trap vector.
    #[inline(always)]
    fn trap(&mut self, _cpu: &Cpu, _trap: &TrapEvent) {}

    /// `mret` at `pc` is leaving a trap handler for `to` (the `mepc`).
    /// Delivered whatever [`Observer::RETIRED`] says (unlike the
    /// [`TransferKind::TrapReturn`] transfer that follows it when `RETIRED`
    /// is set), before the `mret` retires: registers are current, `cpu`'s
    /// `pc`, `instret` and `cycle` are those of the `mret` itself.
    #[inline(always)]
    fn trap_return(&mut self, _cpu: &Cpu, _pc: u64, _to: u64) {}

    /// A Jolt host call (print or cycle-tracking marker).
    #[inline(always)]
    fn host_call(&mut self, _cpu: &Cpu, _call: &HostCall) {}

    /// A custom instruction the platform served (an inline, a virtual
    /// instruction) or a platform call made by `ecall` (a precompile, a
    /// syscall), after it ran and before it retires; `cpu`'s pc and
    /// counters are those of the instruction.
    #[inline(always)]
    fn custom(&mut self, _cpu: &Cpu, _event: &CustomEvent) {}

    /// Bytes a platform call wrote to the guest's stdout (`fd` 1) or
    /// stderr (`fd` 2), reported before its [`Observer::custom`] event.
    /// (Linux `write`s are seen through [`Observer::syscall_enter`].)
    #[inline(always)]
    fn guest_output(&mut self, _cpu: &Cpu, _fd: u32, _bytes: &[u8]) {}

    /// Cycles a platform's cost model charges beyond the instructions'
    /// (RISC Zero's paging), at the instruction that just retired, under
    /// the frame `frame` (e.g. `[paging]`). Not in [`Observer::retired`]'s
    /// cycles nor in the hart's cycle counter.
    #[inline(always)]
    fn platform_cycles(&mut self, _cpu: &Cpu, _frame: &'static str, _cycles: u64) {}
}

/// A custom instruction or platform call served by the platform (see
/// [`Observer::custom`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomEvent {
    /// Its address.
    pub pc: u64,
    /// The platform's name for it.
    pub name: &'static str,
    /// What it costs, in cycles.
    pub cycles: u64,
    /// What it is (see `CustomKind`).
    pub kind: crate::CustomKind,
    /// Its operands before it ran: rs1, rs2 and rd of a custom
    /// instruction (pointers, for an inline); a0, a1 and a2 of an `ecall`.
    pub operands: [u64; 3],
    /// The arguments as the platform decodes them (platform calls by
    /// `ecall`), if it does.
    pub args: Option<Vec<crate::CallArg>>,
    /// The platform's kernel, in the guest, takes the call from here (RISC
    /// Zero): it ends at the next [`Observer::trap_return`].
    pub enters_kernel: bool,
}

/// The no-op observer.
impl Observer for () {
    const ACTIVE: bool = false;
}

impl<O: Observer + ?Sized> Observer for &mut O {
    const ACTIVE: bool = O::ACTIVE;
    const RETIRED: bool = O::RETIRED;
    const RETIRED_RUNS: bool = O::RETIRED_RUNS;
    const FILTERS_BLOCKS: bool = O::FILTERS_BLOCKS;
    const COMPILED: bool = O::COMPILED;
    #[inline(always)]
    fn may_run_compiled(&mut self) -> bool {
        (**self).may_run_compiled()
    }
    #[inline(always)]
    fn retired_compiled(&mut self, cpu: &Cpu, run: &CompiledRun) {
        (**self).retired_compiled(cpu, run)
    }
    #[inline(always)]
    fn may_stop_in(&mut self, cpu: &Cpu, start: u64, end: u64) -> bool {
        (**self).may_stop_in(cpu, start, end)
    }
    #[inline(always)]
    fn before_insn(&mut self, cpu: &Cpu, pc: u64, insn: &Insn) -> bool {
        (**self).before_insn(cpu, pc, insn)
    }
    #[inline(always)]
    fn retired_run(&mut self, cpu: &Cpu, instructions: u64, cycles: u64) {
        (**self).retired_run(cpu, instructions, cycles)
    }
    #[inline(always)]
    fn retired(&mut self, cpu: &Cpu, pc: u64, insn: &Insn, cycles: u64) {
        (**self).retired(cpu, pc, insn, cycles)
    }
    #[inline(always)]
    fn transfer(&mut self, cpu: &Cpu, t: &Transfer) {
        (**self).transfer(cpu, t)
    }
    #[inline(always)]
    fn mem_access(&mut self, access: &MemAccess) -> bool {
        (**self).mem_access(access)
    }
    #[inline(always)]
    fn syscall_enter(&mut self, cpu: &Cpu, mem: &Memory, req: &SyscallRequest) {
        (**self).syscall_enter(cpu, mem, req)
    }
    #[inline(always)]
    fn syscall_exit(
        &mut self,
        cpu: &Cpu,
        mem: &Memory,
        req: &SyscallRequest,
        res: &SyscallResult,
        cycles: u64,
    ) {
        (**self).syscall_exit(cpu, mem, req, res, cycles)
    }
    #[inline(always)]
    fn trap(&mut self, cpu: &Cpu, trap: &TrapEvent) {
        (**self).trap(cpu, trap)
    }
    #[inline(always)]
    fn trap_return(&mut self, cpu: &Cpu, pc: u64, to: u64) {
        (**self).trap_return(cpu, pc, to)
    }
    #[inline(always)]
    fn host_call(&mut self, cpu: &Cpu, call: &HostCall) {
        (**self).host_call(cpu, call)
    }
    #[inline(always)]
    fn custom(&mut self, cpu: &Cpu, event: &CustomEvent) {
        (**self).custom(cpu, event)
    }
    #[inline(always)]
    fn guest_output(&mut self, cpu: &Cpu, fd: u32, bytes: &[u8]) {
        (**self).guest_output(cpu, fd, bytes)
    }
    #[inline(always)]
    fn platform_cycles(&mut self, cpu: &Cpu, frame: &'static str, cycles: u64) {
        (**self).platform_cycles(cpu, frame, cycles)
    }
}

/// An observer that counts events; the benchmark uses it to measure the
/// cost of instrumentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountingObserver {
    /// Retired instructions.
    pub retired: u64,
    /// Cycles reported with retired instructions.
    pub cycles: u64,
    /// Calls.
    pub calls: u64,
    /// Returns.
    pub returns: u64,
    /// Other transfers (jumps, traps, trap returns, coroutine swaps).
    pub other_transfers: u64,
    /// Loads.
    pub reads: u64,
    /// Stores.
    pub writes: u64,
    /// Host-served syscalls.
    pub syscalls: u64,
    /// Traps into the guest's vector.
    pub traps: u64,
}

impl Observer for CountingObserver {
    const RETIRED_RUNS: bool = true;
    #[inline(always)]
    fn retired(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn, cycles: u64) {
        self.retired += 1;
        self.cycles += cycles;
    }
    #[inline(always)]
    fn retired_run(&mut self, _cpu: &Cpu, instructions: u64, cycles: u64) {
        self.retired += instructions;
        self.cycles += cycles;
    }
    #[inline(always)]
    fn transfer(&mut self, _cpu: &Cpu, t: &Transfer) {
        match t.kind {
            TransferKind::Call => self.calls += 1,
            TransferKind::Return => self.returns += 1,
            _ => self.other_transfers += 1,
        }
    }
    #[inline(always)]
    fn mem_access(&mut self, a: &MemAccess) -> bool {
        match a.kind {
            AccessKind::Read => self.reads += 1,
            AccessKind::Write => self.writes += 1,
        }
        false
    }
    fn syscall_enter(&mut self, _cpu: &Cpu, _mem: &Memory, _req: &SyscallRequest) {
        self.syscalls += 1;
    }
    fn trap(&mut self, _cpu: &Cpu, _trap: &TrapEvent) {
        self.traps += 1;
    }
}
