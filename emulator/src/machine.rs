//! The machine: one hart plus memory, and the interpreter loop.
//!
//! Semantics follow the RISC-V Unprivileged ISA (RV32I/RV64I, M, A, C,
//! Zicsr) and the Privileged ISA for machine-mode traps. Cycle model: every
//! retired instruction costs 1 cycle; an `ecall` served on the host costs
//! `1 + syscall_cycles`.

use crate::block::{block_end_ops, rd_only_ops, BlockCache, Entry, MAX_BLOCK};
use crate::cpu::{Cpu, Fault, FaultKind, MSTATUS_MIE, MSTATUS_MPIE};
use crate::decode::{Insn, Op};
use crate::elf::{ElfError, Program, SymbolTable};
use crate::env::{
    Environment, HostCall, SyscallRequest, SyscallResult, JOLT_CYCLE_MARKER, JOLT_PRINT,
};
use crate::memory::{MemError, Memory, Perm};
use crate::observer::{AccessKind, MemAccess, Observer, Transfer, TransferKind, TrapEvent};
use crate::Xlen;
use std::sync::Arc;

/// Default memory limit: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;
/// Default modeled cost of a host-served syscall, in cycles (ZeroOS measured
/// about 128 guest instructions per syscall on Jolt).
pub const DEFAULT_SYSCALL_CYCLES: u64 = 128;

/// Machine options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Misaligned loads and stores fault (as on RISC Zero) instead of
    /// succeeding. LR/SC/AMO always require alignment.
    pub strict_align: bool,
    /// Fault with [`FaultKind::CycleLimit`] once this many cycles have run.
    pub max_cycles: Option<u64>,
    /// Modeled cost in cycles of each syscall served on the host, added to
    /// the `ecall`'s own cycle.
    pub syscall_cycles: u64,
    /// Memory limit in bytes.
    pub memory_limit: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            strict_align: false,
            max_cycles: None,
            syscall_cycles: DEFAULT_SYSCALL_CYCLES,
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// Why [`Machine::run`] returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The guest called `exit`/`exit_group` with this status.
    Exited(i32),
    /// The guest jumped to itself (`j .`): Jolt's clean halt.
    Halted,
    /// A fault; the hart stays at the faulting instruction.
    Fault(Fault),
    /// The observer's [`Observer::before_insn`] asked to stop before pc.
    Breakpoint,
    /// The observer's [`Observer::mem_access`] asked to stop after an
    /// instruction (a watchpoint).
    Watchpoint,
    /// The requested number of instructions was executed.
    StepLimit,
}

impl StopReason {
    /// Whether the guest is finished (exit, halt or fault).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            StopReason::Exited(_) | StopReason::Halted | StopReason::Fault(_)
        )
    }
}

/// A hart, its memory and the loaded program. `Clone` is a full snapshot.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Hart state.
    pub cpu: Cpu,
    /// Memory.
    pub mem: Memory,
    /// Options.
    pub config: Config,
    /// The loaded program (segments, symbols).
    pub program: Arc<Program>,
    /// Set once the run has ended (exit, halt or fault).
    pub finished: Option<StopReason>,
    /// The interpreter's blocks, derived from `mem`'s predecoded code.
    blocks: BlockCache,
}

/// A saved machine state, restorable with [`Machine::restore`].
#[derive(Clone, Debug)]
pub struct Snapshot {
    cpu: Cpu,
    mem: Memory,
    finished: Option<StopReason>,
}

impl Machine {
    /// A machine with `program` loaded and the hart at its entry point.
    ///
    /// Errors: [`ElfError::Memory`] if the segments do not fit the memory
    /// limit or touch the guard region.
    pub fn new(program: Arc<Program>, config: Config) -> Result<Machine, ElfError> {
        let mut mem = Memory::new(program.xlen, config.memory_limit);
        program.load_into(&mut mem)?;
        let cpu = Cpu::new(program.xlen, program.entry);
        Ok(Machine {
            cpu,
            mem,
            config,
            program,
            finished: None,
            blocks: BlockCache::default(),
        })
    }

    /// XLEN of the hart.
    pub fn xlen(&self) -> Xlen {
        self.cpu.xlen
    }

    /// The program's symbol table.
    pub fn symbols(&self) -> &SymbolTable {
        &self.program.symbols
    }

    /// Saves the full state (hart and memory).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            cpu: self.cpu.clone(),
            mem: self.mem.clone(),
            finished: self.finished.clone(),
        }
    }

    /// Restores a state saved by [`Machine::snapshot`].
    pub fn restore(&mut self, snap: &Snapshot) {
        self.cpu = snap.cpu.clone();
        self.mem = snap.mem.clone();
        self.finished = snap.finished.clone();
    }

    /// Runs until the guest exits, halts or faults, the observer stops it, or
    /// `max_steps` instructions have retired. A finished machine returns its
    /// final reason again without executing anything.
    pub fn run<E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        max_steps: u64,
    ) -> StopReason {
        if let Some(r) = &self.finished {
            return r.clone();
        }
        let r = match self.cpu.xlen {
            Xlen::X64 => self.run_inner::<true, E, O>(env, obs, max_steps),
            Xlen::X32 => self.run_inner::<false, E, O>(env, obs, max_steps),
        };
        if r.is_final() {
            self.finished = Some(r.clone());
        }
        r
    }

    /// The interpreter loop, one [block](crate::block) at a time.
    ///
    /// pc and the counters live in locals and are written back to
    /// `self.cpu` whenever anything outside the loop can see them: before
    /// environment, trap and transfer events, CSR accesses, and on exit
    /// (in [`Observer::before_insn`] and [`Observer::retired`] they may lag).
    /// Inside a block only the entry index moves: the current pc is the
    /// block's pc plus the entry's offset, and the counters are
    /// `base + index`. Instructions that end blocks (branches, jumps,
    /// system instructions) run after the block's straight-line part.
    fn run_inner<const R64: bool, E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        max_steps: u64,
    ) -> StopReason {
        let max_cycles = self.config.max_cycles.unwrap_or(u64::MAX);
        let mut block_pc = self.cpu.pc;
        let mut instret = self.cpu.instret;
        let mut cycle = self.cpu.cycle;
        let end_instret = instret.saturating_add(max_steps);

        loop {
            if instret >= end_instret {
                self.cpu.pc = block_pc;
                self.cpu.instret = instret;
                self.cpu.cycle = cycle;
                return StopReason::StepLimit;
            }
            if cycle >= max_cycles {
                self.cpu.pc = block_pc;
                self.cpu.instret = instret;
                self.cpu.cycle = cycle;
                let insn = self.mem.fetch(block_pc);
                return StopReason::Fault(Fault {
                    kind: FaultKind::CycleLimit,
                    pc: block_pc,
                    addr: None,
                    insn,
                });
            }
            let Some(first) = self.blocks.lookup(&mut self.mem, block_pc) else {
                self.cpu.pc = block_pc;
                self.cpu.instret = instret;
                self.cpu.cycle = cycle;
                // The first byte of the instruction that is not mapped
                // executable (its second half, for a 32-bit one).
                let addr = match self.mem.check(block_pc, 2, Perm::X) {
                    Err(MemError::Unmapped(a) | MemError::Protection { addr: a, .. }) => a,
                    _ => block_pc.wrapping_add(2),
                };
                return StopReason::Fault(Fault {
                    kind: FaultKind::InstructionAccess,
                    pc: block_pc,
                    addr: Some(addr),
                    insn: None,
                });
            };
            // Never run past the step or cycle budget: a cut block ends
            // after a non-branch and goes on at its fall-through next time.
            let fuel = (end_instret - instret).min(max_cycles - cycle);
            let block = self.blocks.window(first);
            let full = block[0].len();
            let count = (full as u64).min(fuel) as usize;
            // Whether to ask the observer before each instruction.
            let before = O::ACTIVE
                && (!O::FILTERS_BLOCKS || {
                    let last = &block[count - 1];
                    let end = block_pc.wrapping_add(last.off as u64 + last.insn.len as u64);
                    obs.may_stop_in(&self.cpu, block_pc, end)
                });
            macro_rules! straight {
                ($f:ident, $before:expr) => {
                    $f::<R64, O>(
                        &mut self.cpu,
                        &mut self.mem,
                        self.config.strict_align,
                        self.blocks.generation(),
                        obs,
                        block_pc,
                        block,
                        count,
                        $before,
                        instret,
                        cycle,
                    )
                };
            }
            // A whole block that ends with a branch, jump or system
            // instruction runs until that one without counting (the
            // common case, inlined); a block cut by the budget or longer
            // than a block holds runs counted, out of line. So does a block
            // in which an observer that filters blocks may stop: the
            // inlined copy then never asks it before an instruction.
            let done = if count == full && block[0].is_closed() && !(O::FILTERS_BLOCKS && before) {
                // `before` is then this constant, which the inlined copy is
                // compiled with.
                straight!(straight_closed, O::ACTIVE && !O::FILTERS_BLOCKS)
            } else {
                straight!(straight_counted, before)
            };
            let (idx, last) = match done {
                Straight::Terminator(idx) => (idx, true),
                Straight::Cut(idx) => (idx, false),
                Straight::Stop(r) => return r,
            };
            instret += idx as u64;
            cycle += idx as u64;
            if O::ACTIVE && O::RETIRED_RUNS && idx > 0 {
                obs.retired_run(&self.cpu, idx as u64, idx as u64);
            }
            if !last {
                // A block cut by the budget or by a code write: go on at the
                // fall-through of its last instruction.
                let e = &block[(idx - 1) % MAX_BLOCK];
                block_pc = n::<R64>(block_pc.wrapping_add(e.off as u64 + e.insn.len as u64));
                continue;
            }

            // The block's last instruction, which ends it.
            let e = &block[idx % MAX_BLOCK];
            let insn = e.insn;
            let pc = block_pc.wrapping_add(e.off as u64);
            let next = n::<R64>(pc.wrapping_add(insn.len as u64));
            macro_rules! sync_here {
                () => {{
                    self.cpu.pc = pc;
                    self.cpu.instret = instret;
                    self.cpu.cycle = cycle;
                }};
            }
            macro_rules! fault {
                ($kind:expr, $addr:expr) => {{
                    sync_here!();
                    return StopReason::Fault(Fault {
                        kind: $kind,
                        pc,
                        addr: $addr,
                        insn: Some(insn),
                    });
                }};
            }
            let Insn {
                op,
                rd,
                rs1: rs1_b,
                imm: imm_raw,
                ..
            } = insn;
            let rd = (rd & 31) as usize;
            let rs1_n = (rs1_b & 31) as usize;
            let imm = n::<R64>(imm_raw as i64 as u64);
            let rs1 = self.cpu.x[rs1_n];
            let rs2 = self.cpu.x[(insn.rs2 & 31) as usize];
            let mut new_pc = next;
            let mut cost = 1u64;
            let mut stop: Option<StopReason> = None;
            let mut transfer: Option<TransferKind> = None;
            macro_rules! wr {
                ($v:expr) => {{
                    let v = $v;
                    self.cpu.x[rd] = v;
                    self.cpu.x[0] = 0;
                }};
            }
            macro_rules! branch {
                ($cond:expr) => {{
                    if $cond {
                        new_pc = n::<R64>(pc.wrapping_add(imm));
                    }
                }};
            }
            match op {
                Op::Jal => {
                    wr!(next);
                    new_pc = n::<R64>(pc.wrapping_add(imm));
                    if new_pc == pc {
                        stop = Some(StopReason::Halted);
                    }
                    transfer = Some(if rd == 1 || rd == 5 {
                        TransferKind::Call
                    } else {
                        TransferKind::Jump
                    });
                }
                Op::Jalr => {
                    new_pc = n::<R64>(rs1.wrapping_add(imm)) & !1;
                    wr!(next);
                    let rd_link = rd == 1 || rd == 5;
                    let rs1_link = rs1_n == 1 || rs1_n == 5;
                    transfer = Some(match (rd_link, rs1_link) {
                        (false, false) => TransferKind::Jump,
                        (false, true) => TransferKind::Return,
                        (true, false) => TransferKind::Call,
                        (true, true) if rd == rs1_n => TransferKind::Call,
                        (true, true) => TransferKind::CoroutineSwap,
                    });
                }
                Op::Beq => branch!(rs1 == rs2),
                Op::Bne => branch!(rs1 != rs2),
                Op::Blt => branch!(s::<R64>(rs1) < s::<R64>(rs2)),
                Op::Bge => branch!(s::<R64>(rs1) >= s::<R64>(rs2)),
                Op::Bltu => branch!(rs1 < rs2),
                Op::Bgeu => branch!(rs1 >= rs2),
                Op::FenceI => {}
                Op::Ecall => {
                    sync_here!();
                    if self.cpu.csr.mtvec != 0 {
                        new_pc = self.enter_trap(11, pc, 0, obs);
                        transfer = Some(TransferKind::Trap);
                    } else {
                        let (a0, a7) = (self.cpu.x[10], self.cpu.x[17]);
                        if a7 == 0 && (a0 == JOLT_PRINT || a0 == JOLT_CYCLE_MARKER) {
                            if let Err(f) = self.host_call(pc, insn, env, obs) {
                                return f;
                            }
                        } else {
                            let (res, c) = self.host_syscall(pc, env, obs);
                            cost = cost.saturating_add(c);
                            if let SyscallResult::Exit(code) = res {
                                stop = Some(StopReason::Exited(code));
                            }
                        }
                    }
                }
                Op::HostIo => {
                    let a0 = self.cpu.x[10];
                    if a0 != JOLT_PRINT && a0 != JOLT_CYCLE_MARKER {
                        fault!(FaultKind::IllegalInstruction, None);
                    }
                    sync_here!();
                    if let Err(f) = self.host_call(pc, insn, env, obs) {
                        return f;
                    }
                }
                Op::Ebreak => fault!(FaultKind::Breakpoint, None),
                Op::Mret => {
                    let st = self.cpu.csr.mstatus;
                    let mie = if st & MSTATUS_MPIE != 0 {
                        MSTATUS_MIE
                    } else {
                        0
                    };
                    self.cpu.csr.mstatus = (st & !MSTATUS_MIE) | mie | MSTATUS_MPIE;
                    new_pc = self.cpu.csr.mepc;
                    if O::ACTIVE {
                        sync_here!();
                        obs.trap_return(&self.cpu, pc, new_pc);
                    }
                    transfer = Some(TransferKind::TrapReturn);
                }
                Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci => {
                    sync_here!();
                    let num = imm_raw as u16;
                    let src = match op {
                        Op::Csrrw | Op::Csrrs | Op::Csrrc => rs1,
                        _ => rs1_n as u64,
                    };
                    let writes = matches!(op, Op::Csrrw | Op::Csrrwi) || rs1_n != 0;
                    let Some(old) = self.cpu.read_csr(num) else {
                        fault!(FaultKind::IllegalInstruction, None);
                    };
                    if writes {
                        let new = match op {
                            Op::Csrrw | Op::Csrrwi => src,
                            Op::Csrrs | Op::Csrrsi => old | src,
                            _ => old & !src,
                        };
                        if !self.cpu.write_csr(num, new) {
                            fault!(FaultKind::IllegalInstruction, None);
                        }
                    }
                    wr!(old);
                }
                // Every other operation is run in the block loop above.
                _ => fault!(FaultKind::IllegalInstruction, None),
            }

            block_pc = new_pc;
            instret += 1;
            // The cycle counter saturates (a huge --syscall-cycles): the
            // cost observers see is what the counter really moved, and the
            // run then ends at the cycle limit.
            let cost = cycle.saturating_add(cost) - cycle;
            cycle += cost;
            if O::ACTIVE && O::RETIRED {
                if O::RETIRED_RUNS {
                    obs.retired_run(&self.cpu, 1, cost);
                } else {
                    obs.retired(&self.cpu, pc, &insn, cost);
                }
                if let Some(kind) = transfer {
                    self.cpu.pc = new_pc;
                    self.cpu.instret = instret;
                    self.cpu.cycle = cycle;
                    obs.transfer(
                        &self.cpu,
                        &Transfer {
                            kind,
                            from: pc,
                            to: new_pc,
                            next,
                        },
                    );
                }
            }
            if let Some(r) = stop {
                self.cpu.pc = new_pc;
                self.cpu.instret = instret;
                self.cpu.cycle = cycle;
                return r;
            }
        }
    }

    /// Enters the trap vector: sets mepc/mcause/mtval, stacks MIE into MPIE
    /// and returns the handler address (direct mode: `mtvec` with the mode
    /// bits cleared; exceptions always use the base in vectored mode too).
    #[inline(never)]
    fn enter_trap<O: Observer>(&mut self, cause: u64, epc: u64, tval: u64, obs: &mut O) -> u64 {
        let c = &mut self.cpu.csr;
        c.mepc = epc;
        c.mcause = cause;
        c.mtval = tval;
        let mpie = if c.mstatus & MSTATUS_MIE != 0 {
            MSTATUS_MPIE
        } else {
            0
        };
        c.mstatus = (c.mstatus & !(MSTATUS_MIE | MSTATUS_MPIE)) | mpie;
        let handler = c.mtvec & !3;
        obs.trap(
            &self.cpu,
            &TrapEvent {
                cause,
                epc,
                handler,
                a7: self.cpu.x[17],
            },
        );
        handler
    }

    #[inline(never)]
    fn host_syscall<E: Environment, O: Observer>(
        &mut self,
        pc: u64,
        env: &mut E,
        obs: &mut O,
    ) -> (SyscallResult, u64) {
        let x = &self.cpu.x;
        let req = SyscallRequest {
            nr: x[17],
            args: [x[10], x[11], x[12], x[13], x[14], x[15]],
            pc,
            cycle: self.cpu.cycle,
            instret: self.cpu.instret,
            xlen: self.cpu.xlen,
        };
        obs.syscall_enter(&self.cpu, &self.mem, &req);
        let res = env.syscall(&req, &mut self.mem);
        let cost = self.config.syscall_cycles;
        if let SyscallResult::Return(v) = res {
            wr_a0(&mut self.cpu, v);
        }
        obs.syscall_exit(&self.cpu, &self.mem, &req, &res, cost);
        (res, cost)
    }

    #[inline(never)]
    fn host_call<E: Environment, O: Observer>(
        &mut self,
        pc: u64,
        insn: Insn,
        env: &mut E,
        obs: &mut O,
    ) -> Result<(), StopReason> {
        let x = &self.cpu.x;
        let (a0, ptr, len, mode) = (x[10], x[11], x[12], x[13]);
        let text = match self.mem.read_vec(ptr, len.min(1 << 20) as usize) {
            Ok(t) => t,
            Err(e) => {
                let addr = match e {
                    MemError::Unmapped(a) => a,
                    _ => ptr,
                };
                return Err(StopReason::Fault(Fault {
                    kind: FaultKind::LoadAccess,
                    pc,
                    addr: Some(addr),
                    insn: Some(insn),
                }));
            }
        };
        let call = if a0 == JOLT_PRINT {
            let newline = mode == 2;
            env.host_print(&text, newline);
            HostCall::Print { text, newline }
        } else {
            HostCall::CycleMarker {
                label: String::from_utf8_lossy(&text).into_owned(),
                start: mode == 1,
                cycle: self.cpu.cycle,
            }
        };
        obs.host_call(&self.cpu, &call);
        Ok(())
    }
}

fn wr_a0(cpu: &mut Cpu, v: u64) {
    cpu.x[10] = cpu.xlen.truncate(v);
}

/// How the straight-line part of a block ended (see [`straight`]).
enum Straight {
    /// At the block's last instruction, which ends blocks and has not run
    /// yet: its index in the block.
    Terminator(usize),
    /// After all instructions of a block cut short (by the step or cycle
    /// budget, or by a store that rewrote code): how many ran.
    Cut(usize),
    /// A stop inside the block; pc and the counters are written back.
    Stop(StopReason),
}

/// Normalises a value to XLEN (RV32 values are kept zero-extended).
#[inline(always)]
fn n<const R64: bool>(v: u64) -> u64 {
    if R64 {
        v
    } else {
        v as u32 as u64
    }
}

/// The signed view of an XLEN value.
#[inline(always)]
fn s<const R64: bool>(v: u64) -> i64 {
    if R64 {
        v as i64
    } else {
        v as u32 as i32 as i64
    }
}

/// Runs the straight-line part of a block: every instruction that cannot
/// end a block, starting at the block's first. `block` is the block's window
/// of entries (see [`BlockCache::window`]), `count` how many of them may
/// run; `block_pc` is the address of `block[0]`; `ret_base` and `cyc_base`
/// are instret and cycle before it. A store that changes code (the memory's
/// code generation is no longer `generation`) cuts the block after that
/// store. `before`: ask the observer before each instruction (breakpoints).
///
/// `COUNTED`: stop after `count` instructions. Without it the loop runs
/// until an instruction of [`block_end_ops`], which must come within
/// `count`: the block is closed (see [`Entry::is_closed`]) and whole. Its
/// only exits are then the dispatch arms, which lets the compiler give each
/// arm its own copy of the dispatch (threaded code).
///
/// Written apart from [`Machine::run_inner`] (and inlined into it) with
/// explicit borrows of the hart, the memory and the block: the compiler then
/// knows that register writes never alias the block or the memory's state,
/// and keeps the loop's state in host registers.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn straight<const R64: bool, const COUNTED: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    strict_align: bool,
    generation: u64,
    obs: &mut O,
    block_pc: u64,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
    ret_base: u64,
    cyc_base: u64,
) -> Straight {
    let shmask: u64 = if R64 { 63 } else { 31 };
    // Publishes pc and counters when the run stops inside the block,
    // `$retired` instructions into it.
    macro_rules! sync {
        ($pc:expr, $retired:expr) => {{
            cpu.pc = $pc;
            cpu.instret = ret_base.wrapping_add($retired as u64);
            cpu.cycle = cyc_base.wrapping_add($retired as u64);
            if O::ACTIVE && O::RETIRED_RUNS && $retired > 0 {
                obs.retired_run(cpu, $retired as u64, $retired as u64);
            }
        }};
    }
    // The index of the next instruction in `block`.
    let mut i = 0usize;
    loop {
        if COUNTED && i >= count {
            return Straight::Cut(count);
        }
        let e = &block[i % MAX_BLOCK];
        i += 1;
        // The current pc, computed where needed.
        macro_rules! pc {
            () => {
                block_pc.wrapping_add(e.off as u64)
            };
        }
        // The index of `e` in `block`.
        macro_rules! idx {
            () => {
                i - 1
            };
        }
        if O::ACTIVE && before && obs.before_insn(cpu, pc!(), &e.insn) {
            sync!(pc!(), idx!());
            return Straight::Stop(StopReason::Breakpoint);
        }
        // Operands, read where an operation needs them.
        macro_rules! rd {
            () => {
                (e.insn.rd & 31) as usize
            };
        }
        macro_rules! rs1 {
            () => {
                cpu.x[(e.insn.rs1 & 31) as usize]
            };
        }
        macro_rules! rs2 {
            () => {
                cpu.x[(e.insn.rs2 & 31) as usize]
            };
        }
        macro_rules! imm_raw {
            () => {
                e.insn.imm
            };
        }
        macro_rules! imm {
            () => {
                n::<R64>(e.insn.imm as i64 as u64)
            };
        }
        // Kept apart from a stop reason so that a no-op observer's
        // constant `false` removes it entirely.
        let mut watch = false;

        macro_rules! fault {
            ($kind:expr, $addr:expr) => {{
                sync!(pc!(), idx!());
                return Straight::Stop(StopReason::Fault(Fault {
                    kind: $kind,
                    pc: pc!(),
                    addr: $addr,
                    insn: Some(e.insn),
                }));
            }};
        }
        // Writes rd. Blocks never run an operation of `rd_only_ops` with
        // rd = x0, so those need not restore x0 after the write.
        macro_rules! wr {
            ($v:expr) => {{
                let v = $v;
                cpu.x[rd!()] = v;
                if !matches!(e.exec, rd_only_ops!()) {
                    cpu.x[0] = 0;
                }
            }};
        }
        macro_rules! access {
            ($addr:expr, $size:expr, $kind:expr, $value:expr) => {{
                watch |= obs.mem_access(&MemAccess {
                    pc: pc!(),
                    addr: $addr,
                    size: $size as u8,
                    kind: $kind,
                    value: $value,
                });
            }};
        }
        // What follows every instruction that ran: the per-instruction
        // hook, and a stop if a watchpoint was hit.
        macro_rules! finish {
            () => {{
                if O::ACTIVE && O::RETIRED && !O::RETIRED_RUNS {
                    obs.retired(cpu, pc!(), &e.insn, 1);
                }
                if watch {
                    sync!(n::<R64>(pc!().wrapping_add(e.insn.len as u64)), i);
                    return Straight::Stop(StopReason::Watchpoint);
                }
            }};
        }
        // A store that rewrote code ends the block after it (the last
        // step of the arms that store).
        macro_rules! code_check {
            () => {{
                if mem.code_generation() != generation {
                    finish!();
                    return Straight::Cut(i);
                }
            }};
        }
        macro_rules! load {
            ($size:expr, $signed:expr) => {{
                let addr = n::<R64>(rs1!().wrapping_add(imm!()));
                if strict_align && !addr.is_multiple_of($size) {
                    fault!(FaultKind::LoadMisaligned, Some(addr));
                }
                let Some(v) = mem.load(addr, $size as usize) else {
                    fault!(FaultKind::LoadAccess, Some(addr));
                };
                access!(addr, $size, AccessKind::Read, v);
                let v = if $signed {
                    let sh = 64 - 8 * $size;
                    (((v << sh) as i64) >> sh) as u64
                } else {
                    v
                };
                wr!(n::<R64>(v));
            }};
        }
        macro_rules! store {
            ($size:expr) => {{
                let addr = n::<R64>(rs1!().wrapping_add(imm!()));
                if strict_align && !addr.is_multiple_of($size) {
                    fault!(FaultKind::StoreMisaligned, Some(addr));
                }
                if !mem.store(addr, $size as usize, rs2!()) {
                    fault!(FaultKind::StoreAccess, Some(addr));
                }
                let value = if $size == 8 {
                    rs2!()
                } else {
                    rs2!() & ((1u64 << (8 * $size)) - 1)
                };
                access!(addr, $size, AccessKind::Write, value);
                code_check!();
            }};
        }
        // 32-bit result sign-extended to 64 (the W instructions, RV64 only).
        macro_rules! w {
            ($v:expr) => {
                ($v as i32 as i64 as u64)
            };
        }
        macro_rules! amo {
            ($size:expr, $f:expr) => {{
                let addr = rs1!();
                if addr & ($size - 1) != 0 {
                    fault!(FaultKind::StoreMisaligned, Some(addr));
                }
                let Some(old) = mem.load(addr, $size) else {
                    fault!(FaultKind::StoreAccess, Some(addr));
                };
                let f: fn(u64, u64) -> u64 = $f;
                let new = f(old, rs2!());
                if !mem.store(addr, $size, new) {
                    fault!(FaultKind::StoreAccess, Some(addr));
                }
                access!(addr, $size, AccessKind::Read, old);
                access!(
                    addr,
                    $size,
                    AccessKind::Write,
                    if $size == 8 { new } else { new as u32 as u64 }
                );
                let old = if $size == 4 {
                    old as u32 as i32 as i64 as u64
                } else {
                    old
                };
                wr!(n::<R64>(old));
                code_check!();
            }};
        }

        macro_rules! lr {
            ($size:expr) => {{
                let addr = rs1!();
                if addr & ($size - 1) != 0 {
                    fault!(FaultKind::LoadMisaligned, Some(addr));
                }
                let Some(v) = mem.load(addr, $size as usize) else {
                    fault!(FaultKind::LoadAccess, Some(addr));
                };
                access!(addr, $size, AccessKind::Read, v);
                cpu.reservation = Some(addr);
                wr!(n::<R64>(if $size == 4 {
                    v as u32 as i32 as i64 as u64
                } else {
                    v
                }));
            }};
        }
        macro_rules! sc {
            ($size:expr) => {{
                let addr = rs1!();
                if addr & ($size - 1) != 0 {
                    fault!(FaultKind::StoreMisaligned, Some(addr));
                }
                if cpu.reservation.take() == Some(addr) {
                    if !mem.store(addr, $size as usize, rs2!()) {
                        fault!(FaultKind::StoreAccess, Some(addr));
                    }
                    access!(
                        addr,
                        $size,
                        AccessKind::Write,
                        if $size == 8 {
                            rs2!()
                        } else {
                            rs2!() as u32 as u64
                        }
                    );
                    wr!(0);
                    code_check!();
                } else if !mem.is_mapped(addr, $size) {
                    fault!(FaultKind::StoreAccess, Some(addr));
                } else {
                    wr!(1)
                }
            }};
        }

        match e.exec {
            Op::Lui => wr!(imm!()),
            Op::Auipc => wr!(n::<R64>(pc!().wrapping_add(imm!()))),
            Op::Lb => load!(1u64, true),
            Op::Lh => load!(2u64, true),
            Op::Lw => load!(4u64, true),
            Op::Ld => load!(8u64, true),
            Op::Lbu => load!(1u64, false),
            Op::Lhu => load!(2u64, false),
            Op::Lwu => load!(4u64, false),
            Op::Sb => store!(1u64),
            Op::Sh => store!(2u64),
            Op::Sw => store!(4u64),
            Op::Sd => store!(8u64),
            Op::Addi => wr!(n::<R64>(rs1!().wrapping_add(imm!()))),
            Op::Slti => wr!((s::<R64>(rs1!()) < s::<R64>(imm!())) as u64),
            Op::Sltiu => wr!((rs1!() < imm!()) as u64),
            Op::Xori => wr!(rs1!() ^ imm!()),
            Op::Ori => wr!(rs1!() | imm!()),
            Op::Andi => wr!(rs1!() & imm!()),
            Op::Slli => wr!(n::<R64>(rs1!() << (imm_raw!() as u64 & shmask))),
            Op::Srli => wr!(rs1!() >> (imm_raw!() as u64 & shmask)),
            Op::Srai => wr!(n::<R64>(
                (s::<R64>(rs1!()) >> (imm_raw!() as u64 & shmask)) as u64
            )),
            Op::Add => wr!(n::<R64>(rs1!().wrapping_add(rs2!()))),
            Op::Sub => wr!(n::<R64>(rs1!().wrapping_sub(rs2!()))),
            Op::Sll => wr!(n::<R64>(rs1!() << (rs2!() & shmask))),
            Op::Slt => wr!((s::<R64>(rs1!()) < s::<R64>(rs2!())) as u64),
            Op::Sltu => wr!((rs1!() < rs2!()) as u64),
            Op::Xor => wr!(rs1!() ^ rs2!()),
            Op::Srl => wr!(rs1!() >> (rs2!() & shmask)),
            Op::Sra => wr!(n::<R64>((s::<R64>(rs1!()) >> (rs2!() & shmask)) as u64)),
            Op::Or => wr!(rs1!() | rs2!()),
            Op::And => wr!(rs1!() & rs2!()),
            Op::Addiw => wr!(w!(rs1!().wrapping_add(imm!()))),
            Op::Slliw => wr!(w!((rs1!() as u32) << (imm_raw!() & 31))),
            Op::Srliw => wr!(w!((rs1!() as u32) >> (imm_raw!() & 31))),
            Op::Sraiw => wr!(w!((rs1!() as i32) >> (imm_raw!() & 31))),
            Op::Addw => wr!(w!(rs1!().wrapping_add(rs2!()))),
            Op::Subw => wr!(w!(rs1!().wrapping_sub(rs2!()))),
            Op::Sllw => wr!(w!((rs1!() as u32) << (rs2!() & 31))),
            Op::Srlw => wr!(w!((rs1!() as u32) >> (rs2!() & 31))),
            Op::Sraw => wr!(w!((rs1!() as i32) >> (rs2!() & 31))),
            Op::Mul => wr!(n::<R64>(rs1!().wrapping_mul(rs2!()))),
            Op::Mulh => {
                if R64 {
                    wr!(((rs1!() as i64 as i128 * rs2!() as i64 as i128) >> 64) as u64)
                } else {
                    wr!(n::<R64>(
                        ((s::<R64>(rs1!()) * s::<R64>(rs2!())) >> 32) as u64
                    ))
                }
            }
            Op::Mulhsu => {
                if R64 {
                    wr!(((rs1!() as i64 as i128).wrapping_mul(rs2!() as i128) >> 64) as u64)
                } else {
                    wr!(n::<R64>(((s::<R64>(rs1!()) * rs2!() as i64) >> 32) as u64))
                }
            }
            Op::Mulhu => {
                if R64 {
                    wr!(((rs1!() as u128 * rs2!() as u128) >> 64) as u64)
                } else {
                    wr!((rs1!() * rs2!()) >> 32)
                }
            }
            Op::Div => {
                let (a, b) = (s::<R64>(rs1!()), s::<R64>(rs2!()));
                let min = if R64 { i64::MIN } else { i32::MIN as i64 };
                wr!(n::<R64>(if b == 0 {
                    u64::MAX
                } else if a == min && b == -1 {
                    a as u64
                } else {
                    (a / b) as u64
                }))
            }
            Op::Divu => wr!(rs1!().checked_div(rs2!()).unwrap_or(n::<R64>(u64::MAX))),
            Op::Rem => {
                let (a, b) = (s::<R64>(rs1!()), s::<R64>(rs2!()));
                let min = if R64 { i64::MIN } else { i32::MIN as i64 };
                wr!(n::<R64>(if b == 0 {
                    a as u64
                } else if a == min && b == -1 {
                    0
                } else {
                    (a % b) as u64
                }))
            }
            Op::Remu => wr!(if rs2!() == 0 { rs1!() } else { rs1!() % rs2!() }),
            Op::Mulw => wr!(w!((rs1!() as i32).wrapping_mul(rs2!() as i32))),
            Op::Divw => {
                let (a, b) = (rs1!() as i32, rs2!() as i32);
                wr!(w!(if b == 0 { -1 } else { a.wrapping_div(b) }))
            }
            Op::Divuw => {
                let (a, b) = (rs1!() as u32, rs2!() as u32);
                wr!(w!(a.checked_div(b).unwrap_or(u32::MAX)))
            }
            Op::Remw => {
                let (a, b) = (rs1!() as i32, rs2!() as i32);
                wr!(w!(if b == 0 { a } else { a.wrapping_rem(b) }))
            }
            Op::Remuw => {
                let (a, b) = (rs1!() as u32, rs2!() as u32);
                wr!(w!(if b == 0 { a } else { a % b }))
            }
            Op::LrW => lr!(4u64),
            Op::LrD => lr!(8u64),
            Op::ScW => sc!(4u64),
            Op::ScD => sc!(8u64),
            Op::AmoswapW => amo!(4, |_, b| b),
            Op::AmoaddW => amo!(4, |a, b| a.wrapping_add(b)),
            Op::AmoxorW => amo!(4, |a, b| a ^ b),
            Op::AmoandW => amo!(4, |a, b| a & b),
            Op::AmoorW => amo!(4, |a, b| a | b),
            Op::AmominW => amo!(4, |a, b| if (a as i32) < (b as i32) { a } else { b }),
            Op::AmomaxW => amo!(4, |a, b| if (a as i32) > (b as i32) { a } else { b }),
            Op::AmominuW => amo!(4, |a, b| if (a as u32) < (b as u32) { a } else { b }),
            Op::AmomaxuW => amo!(4, |a, b| if (a as u32) > (b as u32) { a } else { b }),
            Op::AmoswapD => amo!(8, |_, b| b),
            Op::AmoaddD => amo!(8, |a, b| a.wrapping_add(b)),
            Op::AmoxorD => amo!(8, |a, b| a ^ b),
            Op::AmoandD => amo!(8, |a, b| a & b),
            Op::AmoorD => amo!(8, |a, b| a | b),
            Op::AmominD => amo!(8, |a, b| if (a as i64) < (b as i64) { a } else { b }),
            Op::AmomaxD => amo!(8, |a, b| if (a as i64) > (b as i64) { a } else { b }),
            Op::AmominuD => amo!(8, |a, b| a.min(b)),
            Op::AmomaxuD => amo!(8, |a, b| a.max(b)),
            Op::Fence | Op::Wfi => {}
            // The instructions that end blocks, run below.
            block_end_ops!() => return Straight::Terminator(idx!()),
        }

        finish!();
    }
}

/// [`straight`] for a block cut short or not closed: counted.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn straight_counted<const R64: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    strict_align: bool,
    generation: u64,
    obs: &mut O,
    block_pc: u64,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
    ret_base: u64,
    cyc_base: u64,
) -> Straight {
    straight::<R64, true, O>(
        cpu,
        mem,
        strict_align,
        generation,
        obs,
        block_pc,
        block,
        count,
        before,
        ret_base,
        cyc_base,
    )
}

/// [`straight`] for a whole closed block: runs to its last instruction.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn straight_closed<const R64: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    strict_align: bool,
    generation: u64,
    obs: &mut O,
    block_pc: u64,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
    ret_base: u64,
    cyc_base: u64,
) -> Straight {
    straight::<R64, false, O>(
        cpu,
        mem,
        strict_align,
        generation,
        obs,
        block_pc,
        block,
        count,
        before,
        ret_base,
        cyc_base,
    )
}
