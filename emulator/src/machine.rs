//! The machine: one hart plus memory, and the interpreter loop.
//!
//! Semantics follow the RISC-V Unprivileged ISA (RV32I/RV64I, M, A, C,
//! Zicsr) and the Privileged ISA for machine-mode traps. Cycle model: every
//! retired instruction costs what the [`CostModel`] says (1 cycle by
//! default, a zkVM's own count on a platform); an `ecall` served on the host
//! adds `syscall_cycles`.

use crate::block::{block_end_ops, rd_only_ops, straight_ops, BlockCache, Cyc, Entry, MAX_BLOCK};
use crate::cpu::{Cpu, Fault, FaultKind, MSTATUS_MIE, MSTATUS_MPIE};
use crate::decode::{Insn, Op};
use crate::elf::{ElfError, Program, SymbolTable};
use crate::env::{
    CustomKind, CustomResult, EcallResult, Environment, HostCall, SyscallRequest, SyscallResult,
    JOLT_CYCLE_MARKER, JOLT_PRINT,
};
use crate::memory::{MemError, Memory, Perm};
use crate::observer::{
    AccessKind, CustomEvent, MemAccess, Observer, Transfer, TransferKind, TrapEvent,
};
use crate::Xlen;
use std::sync::Arc;

/// Default memory limit: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;
/// Default modeled cost of a host-served syscall, in cycles (ZeroOS measured
/// about 128 guest instructions per syscall on Jolt).
pub const DEFAULT_SYSCALL_CYCLES: u64 = 128;

/// What each retired instruction costs, in the platform's cycles: a pure
/// function of the decoded instruction (its operation and operands), so
/// that a block's cost is known when it is built.
#[derive(Clone, Copy)]
pub struct CostModel {
    /// The unit's name as reports show it (`instructions`, `jolt-cycles`).
    pub name: &'static str,
    /// Cycles one instruction costs (at least 1).
    pub cost: fn(&Insn) -> u32,
}

impl CostModel {
    /// One cycle per retired instruction.
    pub const INSTRUCTIONS: CostModel = CostModel {
        name: "instructions",
        cost: |_| 1,
    };
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel::INSTRUCTIONS
    }
}

impl std::fmt::Debug for CostModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CostModel({})", self.name)
    }
}

impl PartialEq for CostModel {
    /// Cost models are told apart by name.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CostModel {}

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
    /// What each instruction costs. Read when the machine is created.
    pub cost: CostModel,
    /// Bytes from address 0 never mapped, so that null pointers fault
    /// ([`crate::memory::GUARD_SIZE`]; 0 for programs loaded at address 0).
    pub guard: u64,
    /// Which engine runs the guest.
    pub engine: Engine,
    /// Under [`Engine::Jit`]: how many times a block starts in the
    /// interpreter before it is compiled ([`DEFAULT_JIT_THRESHOLD`]; at
    /// least 1). Lower compiles more code sooner: a Cranelift translation
    /// costs about as much as interpreting its block a thousand times.
    pub jit_threshold: u32,
}

/// The default [`Config::jit_threshold`] (block starts). Measured on the
/// `bench`, `lua` and `secp256k1` guests: 32 compiled so much cold code
/// that a 35-million-instruction Lua run and a 1-million-instruction
/// secp256k1 run were slower than the interpreter; 2000 is faster than
/// the interpreter on all three (README, Benchmark).
pub const DEFAULT_JIT_THRESHOLD: u32 = 2000;

/// How guest code runs. Both engines give the same results: registers,
/// memory, counts, stops and observer events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The interpreter (the reference).
    #[default]
    Interp,
    /// Hot blocks compiled to host code (see [`crate::jit`]) under
    /// observers that allow it ([`Observer::COMPILED`], or none); the
    /// interpreter otherwise, and on hosts the compiler does not support.
    Jit,
}

impl Engine {
    /// Whether this build has the compiled tier (the `jit` feature).
    pub const JIT_BUILT: bool = cfg!(feature = "jit");
}

impl Default for Config {
    fn default() -> Self {
        Config {
            strict_align: false,
            max_cycles: None,
            syscall_cycles: DEFAULT_SYSCALL_CYCLES,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            cost: CostModel::INSTRUCTIONS,
            guard: crate::memory::GUARD_SIZE,
            engine: Engine::Interp,
            jit_threshold: DEFAULT_JIT_THRESHOLD,
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
    /// The last control transfers (calls, returns, jumps, traps; not
    /// branches), for post-mortems.
    recent: RecentTransfers,
    /// The compiled tier, once a run under [`Engine::Jit`] started it.
    jit: JitCell,
}

/// The compiled tier of a machine. A clone (a snapshot) starts without
/// translations and compiles again.
#[derive(Default)]
struct JitCell {
    #[cfg(feature = "jit")]
    jit: Option<Box<crate::jit::Jit>>,
    /// The host cannot run compiled code: do not try again.
    #[cfg(feature = "jit")]
    unsupported: bool,
}

impl Clone for JitCell {
    fn clone(&self) -> Self {
        JitCell::default()
    }
}

impl std::fmt::Debug for JitCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JitCell")
    }
}

/// How many control transfers [`Machine::recent_transfers`] keeps.
pub const RECENT_TRANSFERS: usize = 16;

/// A ring of the last [`RECENT_TRANSFERS`] control transfers.
#[derive(Clone, Debug)]
struct RecentTransfers {
    ring: [(u64, u64, TransferKind); RECENT_TRANSFERS],
    /// Transfers recorded in all (the next slot is `count % N`).
    count: u64,
}

impl Default for RecentTransfers {
    fn default() -> Self {
        RecentTransfers {
            ring: [(0, 0, TransferKind::Jump); RECENT_TRANSFERS],
            count: 0,
        }
    }
}

/// A saved machine state, restorable with [`Machine::restore`].
#[derive(Clone, Debug)]
pub struct Snapshot {
    cpu: Cpu,
    mem: Memory,
    finished: Option<StopReason>,
    recent: RecentTransfers,
}

impl Machine {
    /// A machine with `program` loaded and the hart at its entry point.
    ///
    /// Errors: [`ElfError::Memory`] if the segments do not fit the memory
    /// limit or touch the guard region.
    pub fn new(program: Arc<Program>, config: Config) -> Result<Machine, ElfError> {
        let mut mem = Memory::new(program.xlen, config.memory_limit);
        mem.set_guard(config.guard);
        program.load_into(&mut mem)?;
        let cpu = Cpu::new(program.xlen, program.entry);
        Ok(Machine {
            cpu,
            mem,
            blocks: BlockCache::new(config.cost),
            config,
            program,
            finished: None,
            recent: RecentTransfers::default(),
            jit: JitCell::default(),
        })
    }

    /// The last control transfers before now (at most
    /// [`RECENT_TRANSFERS`]), oldest first: calls, returns, jumps, traps
    /// and trap returns, not conditional branches. `from` is the
    /// transferring instruction's pc, `to` the target; `next` is 0.
    pub fn recent_transfers(&self) -> Vec<Transfer> {
        let r = &self.recent;
        let n = r.count.min(RECENT_TRANSFERS as u64);
        (r.count - n..r.count)
            .map(|i| {
                let (from, to, kind) = r.ring[(i % RECENT_TRANSFERS as u64) as usize];
                Transfer {
                    kind,
                    from,
                    to,
                    next: 0,
                }
            })
            .collect()
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
            recent: self.recent.clone(),
        }
    }

    /// Restores a state saved by [`Machine::snapshot`].
    pub fn restore(&mut self, snap: &Snapshot) {
        self.cpu = snap.cpu.clone();
        self.mem = snap.mem.clone();
        self.finished = snap.finished.clone();
        self.recent = snap.recent.clone();
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
        if self.mem.has_captured() {
            self.drain_captured(env, obs);
        }
        if r.is_final() {
            self.finished = Some(r.clone());
        }
        r
    }

    /// Hands the bytes captured from a device register to the observer
    /// (as stdout) and the environment.
    #[cold]
    #[inline(never)]
    fn drain_captured<E: Environment, O: Observer>(&mut self, env: &mut E, obs: &mut O) {
        let bytes = self.mem.take_captured();
        obs.guest_output(&self.cpu, 1, &bytes);
        env.device_output(&bytes, &mut self.mem);
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
        // The compiled tier runs blocks under observers that allow it.
        #[cfg(feature = "jit")]
        let use_jit =
            (!O::ACTIVE || (O::COMPILED && obs.may_run_compiled())) && self.start_jit(R64);
        // After a compiled block left early, the interpreter runs the next
        // block (the rest of that one).
        #[cfg(feature = "jit")]
        let mut interp_next = false;
        // The block at block_pc got hot: compile it once it is built.
        #[cfg(feature = "jit")]
        let mut compile = false;

        loop {
            if self.mem.has_captured() {
                self.cpu.pc = block_pc;
                self.cpu.instret = instret;
                self.cpu.cycle = cycle;
                self.drain_captured(env, obs);
            }
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
                    message: None,
                });
            }
            #[cfg(feature = "jit")]
            if use_jit && !std::mem::take(&mut interp_next) {
                match self.run_compiled::<R64, O>(
                    obs,
                    block_pc,
                    instret,
                    cycle,
                    end_instret,
                    max_cycles,
                ) {
                    Compiled::Ran {
                        pc,
                        retired,
                        cycles,
                        left_early,
                    } => {
                        block_pc = pc;
                        instret += retired;
                        cycle = cycle.saturating_add(cycles);
                        interp_next = left_early;
                        continue;
                    }
                    Compiled::Hot => compile = true,
                    Compiled::No => {}
                }
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
                    message: None,
                });
            };
            #[cfg(feature = "jit")]
            if std::mem::take(&mut compile) {
                if let Some(jit) = self.jit.jit.as_mut() {
                    jit.compile(
                        &self.mem,
                        block_pc,
                        self.blocks.window(first),
                        self.blocks.cycles_window(first),
                    );
                }
            }
            // Never run past the step or cycle budget: a cut block ends
            // after a non-branch and goes on at its fall-through next time.
            // An instruction may start while the cycles before it stay
            // below the limit.
            let block = self.blocks.window(first);
            let cyc = self.blocks.cycles_window(first);
            let full = block[0].len();
            let mut count = (full as u64).min(end_instret - instret) as usize;
            let left = max_cycles - cycle;
            if count > 1 && u64::from(cyc[count - 1].before) >= left {
                count = 1 + cyc[1..count]
                    .iter()
                    .take_while(|c| u64::from(c.before) < left)
                    .count();
            }
            // Whether to ask the observer before each instruction.
            let before = O::ACTIVE
                && (!O::FILTERS_BLOCKS || {
                    let last = &block[count - 1];
                    let end = block_pc.wrapping_add(last.off as u64 + last.insn.len as u64);
                    obs.may_stop_in(&self.cpu, block_pc, end)
                });
            let start = BlockStart {
                block_pc,
                ret_base: instret,
                cyc_base: cycle,
                strict_align: self.config.strict_align,
                generation: self.blocks.generation(),
                cyc,
            };
            let (cpu, mem) = (&mut self.cpu, &mut self.mem);
            // A whole block that ends with a branch, jump or system
            // instruction runs until that one without counting (the
            // common case, inlined); a block cut by the budget or longer
            // than a block holds runs counted, out of line. So does a block
            // in which an observer that filters blocks may stop: the
            // inlined copy then never asks it before an instruction.
            let done = if count == full && block[0].is_closed() && !(O::FILTERS_BLOCKS && before) {
                // `before` is then this constant, which the inlined copy is
                // compiled with.
                let before = O::ACTIVE && !O::FILTERS_BLOCKS;
                straight_closed::<R64, O>(cpu, mem, obs, start, block, count, before)
            } else {
                straight_counted::<R64, O>(cpu, mem, obs, start, block, count, before)
            };
            let (idx, last) = match done {
                Straight::Terminator(idx) => (idx, true),
                Straight::Cut(idx) => (idx, false),
                Straight::Stop(r) => return r,
            };
            // Before a terminator (idx < the block's count) the cycles
            // spent are those before it: one load, no branch.
            let spent = if last {
                u64::from(cyc[idx % MAX_BLOCK].before)
            } else {
                cycles_after(cyc, idx)
            };
            instret += idx as u64;
            cycle += spent;
            if O::ACTIVE && O::RETIRED_RUNS && idx > 0 {
                obs.retired_run(&self.cpu, idx as u64, spent);
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
            let cost = u64::from(cyc[idx % MAX_BLOCK].cost);
            let t = match self.run_terminator::<R64, E, O>(env, obs, insn, pc, instret, cycle, cost)
            {
                Ok(t) => t,
                Err(r) => return r,
            };
            block_pc = t.new_pc;
            instret += 1;
            if let Some(kind) = t.transfer {
                let r = &mut self.recent;
                r.ring[(r.count % RECENT_TRANSFERS as u64) as usize] = (pc, block_pc, kind);
                r.count += 1;
            }
            // The cycle counter saturates (a huge --syscall-cycles): the
            // cost observers see is what the counter really moved, and the
            // run then ends at the cycle limit.
            let cost = cycle.saturating_add(t.cost) - cycle;
            cycle += cost;
            if O::ACTIVE && O::RETIRED {
                if O::RETIRED_RUNS {
                    obs.retired_run(&self.cpu, 1, cost);
                } else {
                    obs.retired(&self.cpu, pc, &insn, cost);
                }
                if let Some(kind) = t.transfer {
                    self.sync(block_pc, instret, cycle);
                    obs.transfer(
                        &self.cpu,
                        &Transfer {
                            kind,
                            from: pc,
                            to: block_pc,
                            next: n::<R64>(pc.wrapping_add(insn.len as u64)),
                        },
                    );
                }
            }
            if let Some(end) = t.stop {
                self.sync(block_pc, instret, cycle);
                return end;
            }
        }
    }

    /// How many blocks the compiled tier holds translations of (0 under
    /// [`Engine::Interp`], or before any block got hot; translations are
    /// dropped when the code changes or the code cache fills).
    pub fn compiled_blocks(&self) -> usize {
        #[cfg(feature = "jit")]
        if let Some(j) = &self.jit.jit {
            return j.translations();
        }
        0
    }

    /// Starts the compiled tier if the configuration asks for it and the
    /// host supports it; whether it runs.
    #[cfg(feature = "jit")]
    fn start_jit(&mut self, r64: bool) -> bool {
        if self.config.engine != Engine::Jit || self.jit.unsupported {
            return false;
        }
        if self.jit.jit.is_none() {
            match crate::jit::Jit::new(r64, self.config.strict_align, self.config.jit_threshold) {
                Ok(j) => self.jit.jit = Some(Box::new(j)),
                Err(_) => {
                    self.jit.unsupported = true;
                    return false;
                }
            }
        }
        true
    }

    /// Runs compiled blocks from `pc` for as long as the next block has a
    /// translation that fits the step and cycle budgets (all of it: a
    /// block that does not fit runs interpreted, which stops exactly at
    /// the limit). Reports retired instructions (with
    /// [`Observer::RETIRED_RUNS`], one run per block) and jumps.
    #[cfg(feature = "jit")]
    #[inline(always)]
    fn run_compiled<const R64: bool, O: Observer>(
        &mut self,
        obs: &mut O,
        pc: u64,
        instret: u64,
        cycle: u64,
        end_instret: u64,
        max_cycles: u64,
    ) -> Compiled {
        let Some(jit) = self.jit.jit.as_mut() else {
            return Compiled::No;
        };
        let mut hot = false;
        if jit.lookup(&self.mem, pc, &mut hot).is_none() {
            return if hot { Compiled::Hot } else { Compiled::No };
        }
        // Compiled code maps nothing and changes no code (it leaves before
        // any such store): the view and the translations stay valid for
        // the whole chain.
        let mut view = crate::jit::View::of(&mut self.mem);
        let (start_instret, start_cycle) = (instret, cycle);
        let (mut pc, mut instret, mut cycle) = (pc, instret, cycle);
        let mut left_early = false;
        while let Some(c) = jit.get(pc) {
            let len = c.len as usize;
            if instret.saturating_add(len as u64) > end_instret
                || c.cum[len - 1] >= max_cycles - cycle
            {
                break;
            }
            // A block the observer may stop in (a breakpoint) runs
            // interpreted, instruction by instruction.
            if O::ACTIVE
                && O::FILTERS_BLOCKS
                && obs.may_stop_in(&self.cpu, pc, pc.wrapping_add(u64::from(c.offs[len])))
            {
                break;
            }
            let k = c.call(&mut self.cpu.x, &mut view) as usize;
            let cycles = c.cum[k];
            let done = k == len && c.closed;
            let next = if done {
                view.next_pc
            } else {
                n::<R64>(pc.wrapping_add(u64::from(c.offs[k])))
            };
            instret += k as u64;
            cycle = cycle.saturating_add(cycles);
            if O::ACTIVE && O::RETIRED_RUNS && k > 0 {
                obs.retired_run(&self.cpu, k as u64, cycles);
            }
            if O::ACTIVE && O::COMPILED && k > 0 {
                obs.retired_compiled(
                    &self.cpu,
                    &crate::observer::CompiledRun {
                        pc,
                        offs: &c.offs,
                        cum: &c.cum,
                        retired: k,
                        pc_mask: if R64 { u64::MAX } else { u64::from(u32::MAX) },
                    },
                );
            }
            if done {
                if let Some((kind, from, fall)) = c.transfer {
                    let r = &mut self.recent;
                    r.ring[(r.count % RECENT_TRANSFERS as u64) as usize] = (from, next, kind);
                    r.count += 1;
                    if O::ACTIVE && O::RETIRED {
                        self.cpu.pc = next;
                        self.cpu.instret = instret;
                        self.cpu.cycle = cycle;
                        obs.transfer(
                            &self.cpu,
                            &Transfer {
                                kind,
                                from,
                                to: next,
                                next: fall,
                            },
                        );
                    }
                }
            }
            pc = next;
            if k < len {
                left_early = true;
                break;
            }
        }
        if instret == start_instret && cycle == start_cycle && !left_early {
            return Compiled::No;
        }
        Compiled::Ran {
            pc,
            retired: instret - start_instret,
            cycles: cycle - start_cycle,
            left_early,
        }
    }

    /// Runs the instruction that ends a block (an operation of
    /// [`block_end_ops`]) at `pc`, with `instret` and `cycle` counted up to
    /// it. `Err` is a stop before it retires (a fault); pc and the counters
    /// are then written back. Exhaustive over [`Op`]: a new block-ending
    /// operation is a compile error here until it has an arm.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn run_terminator<const R64: bool, E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        insn: Insn,
        pc: u64,
        instret: u64,
        cycle: u64,
        cost: u64,
    ) -> Result<Terminated, StopReason> {
        let rd = (insn.rd & 31) as usize;
        let rs1_n = (insn.rs1 & 31) as usize;
        let imm = n::<R64>(insn.imm as i64 as u64);
        let rs1 = self.cpu.x[rs1_n];
        let rs2 = self.cpu.x[(insn.rs2 & 31) as usize];
        let next = n::<R64>(pc.wrapping_add(insn.len as u64));
        let mut t = Terminated {
            new_pc: next,
            cost,
            stop: None,
            transfer: None,
        };
        let fault = |m: &mut Machine, kind: FaultKind| {
            m.sync(pc, instret, cycle);
            StopReason::Fault(Fault {
                kind,
                pc,
                addr: None,
                insn: Some(insn),
                message: None,
            })
        };
        // A branch's or jal's target.
        let target = n::<R64>(pc.wrapping_add(imm));
        let (a, b) = (s::<R64>(rs1), s::<R64>(rs2));
        match insn.op {
            Op::Beq if rs1 == rs2 => t.new_pc = target,
            Op::Bne if rs1 != rs2 => t.new_pc = target,
            Op::Blt if a < b => t.new_pc = target,
            Op::Bge if a >= b => t.new_pc = target,
            Op::Bltu if rs1 < rs2 => t.new_pc = target,
            Op::Bgeu if rs1 >= rs2 => t.new_pc = target,
            // Not taken.
            Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {}
            Op::Jal => {
                write_rd(&mut self.cpu, rd, next);
                t.new_pc = target;
                if t.new_pc == pc {
                    t.stop = Some(StopReason::Halted);
                }
                t.transfer = Some(if rd == 1 || rd == 5 {
                    TransferKind::Call
                } else {
                    TransferKind::Jump
                });
            }
            Op::Jalr => {
                t.new_pc = n::<R64>(rs1.wrapping_add(imm)) & !1;
                write_rd(&mut self.cpu, rd, next);
                let rd_link = rd == 1 || rd == 5;
                let rs1_link = rs1_n == 1 || rs1_n == 5;
                t.transfer = Some(match (rd_link, rs1_link) {
                    (false, false) => TransferKind::Jump,
                    (false, true) => TransferKind::Return,
                    (true, false) => TransferKind::Call,
                    (true, true) if rd == rs1_n => TransferKind::Call,
                    (true, true) => TransferKind::CoroutineSwap,
                });
            }
            Op::FenceI => {}
            Op::Ecall => {
                self.sync(pc, instret, cycle);
                if self.cpu.csr.mtvec != 0 {
                    t.new_pc = self.enter_trap(11, pc, 0, obs);
                    t.transfer = Some(TransferKind::Trap);
                } else if let Some(served) = self.platform_ecall(env, obs, insn, pc, t.cost)? {
                    if let Some(code) = served.halt {
                        t.stop = Some(StopReason::Exited(code));
                    }
                    if let Some(to) = served.enter {
                        t.new_pc = to;
                        t.transfer = Some(TransferKind::Call);
                    }
                    if let Some(to) = served.jump {
                        t.new_pc = n::<R64>(to);
                        t.transfer = Some(TransferKind::Jump);
                    }
                    if served.watch && t.stop.is_none() {
                        t.stop = Some(StopReason::Watchpoint);
                    }
                    t.cost = t.cost.saturating_add(served.extra);
                } else {
                    let (a0, a7) = (self.cpu.x[10], self.cpu.x[17]);
                    if a7 == 0 && (a0 == JOLT_PRINT || a0 == JOLT_CYCLE_MARKER) {
                        self.host_call(pc, insn, env, obs)?;
                    } else if let Some(why) = env.host_syscalls() {
                        return Err(platform_fault(pc, insn, None, why.into()));
                    } else {
                        let (res, c) = self.host_syscall(pc, env, obs);
                        t.cost = t.cost.saturating_add(c);
                        if let SyscallResult::Exit(code) = res {
                            t.stop = Some(StopReason::Exited(code));
                        }
                    }
                }
            }
            Op::HostIo if matches!(self.cpu.x[10], JOLT_PRINT | JOLT_CYCLE_MARKER) => {
                self.sync(pc, instret, cycle);
                self.host_call(pc, insn, env, obs)?;
            }
            Op::HostIo | Op::Custom => {
                self.sync(pc, instret, cycle);
                let (stop, skip, extra) = self.custom_insn(env, obs, insn, pc, t.cost)?;
                t.stop = stop;
                t.new_pc = n::<R64>(next.wrapping_add(skip));
                t.cost = t.cost.saturating_add(extra);
            }
            Op::Ebreak => return Err(fault(self, FaultKind::Breakpoint)),
            Op::Illegal => return Err(fault(self, FaultKind::IllegalInstruction)),
            Op::Mret => {
                self.sync(pc, instret, cycle);
                let (to, kind) = self.mret(env, obs, insn, pc)?;
                t.new_pc = n::<R64>(to);
                t.transfer = Some(kind);
            }
            op @ (Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci) => {
                self.sync(pc, instret, cycle);
                let num = insn.imm as u16;
                if env.csr_is_call(num) {
                    let (stop, skip, extra) = self.custom_insn(env, obs, insn, pc, t.cost)?;
                    t.stop = stop;
                    t.new_pc = n::<R64>(next.wrapping_add(skip));
                    t.cost = t.cost.saturating_add(extra);
                    return Ok(t);
                }
                let src = match op {
                    Op::Csrrw | Op::Csrrs | Op::Csrrc => rs1,
                    _ => rs1_n as u64,
                };
                let writes = matches!(op, Op::Csrrw | Op::Csrrwi) || rs1_n != 0;
                match env.csr(op, num, rd, src, writes) {
                    Some(Ok(old)) => {
                        write_rd(&mut self.cpu, rd, old);
                        return Ok(t);
                    }
                    Some(Err(why)) => return Err(platform_fault(pc, insn, None, why.into())),
                    None => {}
                }
                let Some(old) = self.cpu.read_csr(num) else {
                    return Err(fault(self, FaultKind::IllegalInstruction));
                };
                if writes {
                    let new = match op {
                        Op::Csrrw | Op::Csrrwi => src,
                        Op::Csrrs | Op::Csrrsi => old | src,
                        _ => old & !src,
                    };
                    if !self.cpu.write_csr(num, new) {
                        return Err(fault(self, FaultKind::IllegalInstruction));
                    }
                }
                write_rd(&mut self.cpu, rd, old);
            }
            // Run in the block loop ([`Exec::exec`]); a block's last entry
            // is never one of them.
            straight_ops!() => return Err(fault(self, FaultKind::IllegalInstruction)),
        }
        Ok(t)
    }

    /// `mret` at `pc`: the platform's ([`Environment::mret`]) or the
    /// standard one. Returns the target and the transfer it makes. pc and
    /// the counters are synced.
    #[inline(never)]
    fn mret<E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        insn: Insn,
        pc: u64,
    ) -> Result<(u64, TransferKind), StopReason> {
        match env.mret(pc, &mut self.cpu, &mut self.mem) {
            Some(Ok((to, returns))) => {
                self.cpu.x[0] = 0;
                let kind = if returns {
                    // The end of the call EcallResult::Enter began.
                    obs.trap_return(&self.cpu, pc, to);
                    TransferKind::Return
                } else {
                    TransferKind::Jump
                };
                Ok((to, kind))
            }
            Some(Err(why)) => Err(refused(pc, insn, "mret", &why, None)),
            None => {
                let st = self.cpu.csr.mstatus;
                let mie = if st & MSTATUS_MPIE != 0 {
                    MSTATUS_MIE
                } else {
                    0
                };
                self.cpu.csr.mstatus = (st & !MSTATUS_MIE) | mie | MSTATUS_MPIE;
                let to = self.cpu.csr.mepc;
                obs.trap_return(&self.cpu, pc, to);
                Ok((to, TransferKind::TrapReturn))
            }
        }
    }

    /// Writes pc and the counters back to the hart.
    #[inline(always)]
    fn sync(&mut self, pc: u64, instret: u64, cycle: u64) {
        self.cpu.pc = pc;
        self.cpu.instret = instret;
        self.cpu.cycle = cycle;
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

    /// Runs a custom instruction through the environment (see
    /// [`Environment::custom`]); `cost` is its cost in cycles. pc and the
    /// counters are synced. `Ok(Some(stop))`: the run stops after it (the
    /// guest exited, or a watchpoint on memory it accessed).
    #[inline(never)]
    fn custom_insn<E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        insn: Insn,
        pc: u64,
        cost: u64,
    ) -> Result<(Option<StopReason>, u64, u64), StopReason> {
        let x = &self.cpu.x;
        let operands = [
            x[(insn.rs1 & 31) as usize],
            x[(insn.rs2 & 31) as usize],
            x[(insn.rd & 31) as usize],
        ];
        let event = |name, kind| CustomEvent {
            enters_kernel: false,
            pc,
            name,
            cycles: cost,
            kind,
            operands,
            args: None,
        };
        match env.custom(&insn, pc, &mut self.cpu, &mut self.mem) {
            CustomResult::Done {
                name,
                kind,
                accesses,
                output,
                args,
            } => {
                self.cpu.x[0] = 0;
                if let Some((fd, bytes)) = output {
                    obs.guest_output(&self.cpu, fd, &bytes);
                }
                let watch = report_accesses(obs, &accesses);
                let mut e = event(name, kind);
                e.args = args;
                obs.custom(&self.cpu, &e);
                Ok((watch.then_some(StopReason::Watchpoint), 0, 0))
            }
            CustomResult::Skip {
                name,
                kind,
                accesses,
                skip,
                extra_cycles,
            } => {
                self.cpu.x[0] = 0;
                let watch = report_accesses(obs, &accesses);
                let mut e = event(name, kind);
                e.cycles = e.cycles.saturating_add(extra_cycles);
                obs.custom(&self.cpu, &e);
                Ok((watch.then_some(StopReason::Watchpoint), skip, extra_cycles))
            }
            CustomResult::Marker { label, start, skip } => {
                self.cpu.x[0] = 0;
                let call = HostCall::CycleMarker {
                    label,
                    start,
                    cycle: self.cpu.cycle,
                };
                obs.host_call(&self.cpu, &call);
                Ok((None, skip, 0))
            }
            CustomResult::Halt { name, code } => {
                self.cpu.x[0] = 0;
                obs.custom(&self.cpu, &event(name, CustomKind::Syscall));
                Ok((Some(StopReason::Exited(code)), 0, 0))
            }
            CustomResult::Unknown => Err(StopReason::Fault(Fault {
                kind: FaultKind::IllegalInstruction,
                pc,
                addr: None,
                insn: Some(insn),
                message: None,
            })),
            CustomResult::Fault {
                name,
                message,
                addr,
            } => {
                self.cpu.x[0] = 0;
                Err(refused(pc, insn, name, &message, addr))
            }
        }
    }

    /// Offers an `ecall` (no trap handler installed) to the platform
    /// ([`Environment::ecall`]): `Ok(None)` if it is not the platform's
    /// (serve it as a Linux syscall), otherwise what serving it did.
    /// `cost` is the ecall's cost in cycles. pc and the counters are synced.
    #[inline(never)]
    fn platform_ecall<E: Environment, O: Observer>(
        &mut self,
        env: &mut E,
        obs: &mut O,
        insn: Insn,
        pc: u64,
        cost: u64,
    ) -> Result<Option<Served>, StopReason> {
        let x = &self.cpu.x;
        let operands = [x[10], x[11], x[12]];
        let mut served = Served::default();
        let (name, kind, args) = match env.ecall(pc, &mut self.cpu, &mut self.mem) {
            EcallResult::Linux => return Ok(None),
            EcallResult::Done {
                name,
                kind,
                output,
                args,
                extra_cycles,
                accesses,
            } => {
                if let Some((fd, bytes)) = output {
                    obs.guest_output(&self.cpu, fd, &bytes);
                }
                served.watch = report_accesses(obs, &accesses);
                served.extra = extra_cycles;
                (name, kind, args)
            }
            EcallResult::Enter {
                name,
                kind,
                to,
                args,
                accesses,
            } => {
                served.watch = report_accesses(obs, &accesses);
                served.enter = Some(to);
                (name, kind, args)
            }
            EcallResult::Jump { name, to } => {
                served.jump = Some(to);
                (name, CustomKind::Syscall, None)
            }
            EcallResult::Halt {
                name,
                code,
                extra_cycles,
            } => {
                served.halt = Some(code);
                served.extra = extra_cycles;
                (name, CustomKind::Syscall, None)
            }
            EcallResult::Fault {
                name,
                message,
                addr,
            } => {
                self.cpu.x[0] = 0;
                return Err(refused(pc, insn, name, &message, addr));
            }
        };
        self.cpu.x[0] = 0;
        obs.custom(
            &self.cpu,
            &CustomEvent {
                enters_kernel: served.enter.is_some(),
                pc,
                name,
                cycles: cost.saturating_add(served.extra),
                kind,
                operands,
                args,
            },
        );
        Ok(Some(served))
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
                    message: None,
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

/// Tells `obs` about the guest memory a platform call accessed on the
/// host, as the `ecall`'s own accesses; whether a watchpoint asks to stop.
fn report_accesses<O: Observer>(obs: &mut O, accesses: &[MemAccess]) -> bool {
    let mut stop = false;
    if O::ACTIVE {
        for a in accesses {
            stop |= obs.mem_access(a);
        }
    }
    stop
}

/// What serving a platform `ecall` did (see `Machine::platform_ecall`).
#[derive(Default)]
struct Served {
    /// The guest halted with this exit code.
    halt: Option<i32>,
    /// The platform's in-guest kernel takes the call here.
    enter: Option<u64>,
    /// The platform moved the hart here.
    jump: Option<u64>,
    /// Cycles beyond the `ecall`'s own.
    extra: u64,
    /// An observer asked to stop after it (a watchpoint on memory the call
    /// accessed).
    watch: bool,
}

/// A platform fault at `pc` with its message.
#[cold]
#[inline(never)]
fn platform_fault(
    pc: u64,
    insn: Insn,
    addr: Option<u64>,
    message: std::sync::Arc<str>,
) -> StopReason {
    StopReason::Fault(Fault {
        kind: FaultKind::Platform,
        pc,
        addr,
        insn: Some(insn),
        message: Some(message),
    })
}

/// The platform fault of a custom instruction or platform call the
/// platform refused: "NAME: MESSAGE".
#[cold]
fn refused(pc: u64, insn: Insn, name: &str, message: &str, addr: Option<u64>) -> StopReason {
    platform_fault(pc, insn, addr, format!("{name}: {message}").into())
}

/// Writes register `rd` (x0 stays zero).
#[inline(always)]
fn write_rd(cpu: &mut Cpu, rd: usize, v: u64) {
    cpu.x[rd] = v;
    cpu.x[0] = 0;
}

/// What [`Machine::run_compiled`] did.
#[cfg(feature = "jit")]
enum Compiled {
    /// A compiled block ran: the next pc, what retired, and whether it
    /// left before its end (the interpreter must run the rest).
    Ran {
        pc: u64,
        retired: u64,
        cycles: u64,
        left_early: bool,
    },
    /// No translation yet, and the block just got hot.
    Hot,
    /// The interpreter runs this block.
    No,
}

/// What a block's last instruction did (see [`Machine::run_terminator`]).
struct Terminated {
    /// The next pc.
    new_pc: u64,
    /// Its cost in cycles (the cost model's, plus a host-served syscall's
    /// cost).
    cost: u64,
    /// The run ends after it retires: a jump-to-self halt, an exit, or a
    /// watchpoint on memory a platform call accessed.
    stop: Option<StopReason>,
    /// The control transfer it made, if any.
    transfer: Option<TransferKind>,
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

/// The cycles of a block's first `retired` instructions (at most its
/// count), from its cycles `cyc` (see [`BlockCache::cycles_window`]).
#[inline(always)]
fn cycles_after(cyc: &[Cyc; MAX_BLOCK], retired: usize) -> u64 {
    match retired.checked_sub(1) {
        None => 0,
        Some(i) => {
            let c = cyc[i % MAX_BLOCK];
            u64::from(c.before) + u64::from(c.cost)
        }
    }
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

/// The straight-line loop's state: the hart, memory and observer, and the
/// block being run. Its `#[inline(always)]` methods are the operations'
/// shared steps (operands, register writes, memory accesses, the end of an
/// instruction); a step that stops the run returns `Err` with how it
/// ended, which [`straight`] returns.
///
/// Explicit borrows of the hart, the memory and the observer (rather than
/// of the whole [`Machine`]) tell the compiler that register writes never
/// alias the block or the memory's state, so it keeps the loop's state in
/// host registers.
struct Exec<'a, const R64: bool, O> {
    cpu: &'a mut Cpu,
    mem: &'a mut Memory,
    obs: &'a mut O,
    strict_align: bool,
    /// The memory's code generation when the block started: a store that
    /// moves it rewrote code, and the block is cut after that store.
    generation: u64,
    /// The address of the block's first instruction.
    block_pc: u64,
    /// instret and cycle before the block.
    ret_base: u64,
    cyc_base: u64,
    /// The block's cycles (see [`BlockCache::cycles_window`]).
    cyc: &'a [Cyc; MAX_BLOCK],
    /// Whether the current instruction hit a watchpoint. Kept apart from a
    /// stop reason so that a no-op observer's constant `false` removes it.
    watch: bool,
}

/// One step's result: `Err` ends the straight-line run.
type Step = Result<(), Straight>;

impl<const R64: bool, O: Observer> Exec<'_, R64, O> {
    const SHMASK: u64 = if R64 { 63 } else { 31 };

    /// The address of entry `e`.
    #[inline(always)]
    fn pc(&self, e: &Entry) -> u64 {
        self.block_pc.wrapping_add(e.off as u64)
    }

    #[inline(always)]
    fn rs1(&self, e: &Entry) -> u64 {
        self.cpu.x[(e.insn.rs1 & 31) as usize]
    }

    #[inline(always)]
    fn rs2(&self, e: &Entry) -> u64 {
        self.cpu.x[(e.insn.rs2 & 31) as usize]
    }

    /// The immediate, sign-extended to XLEN.
    #[inline(always)]
    fn imm(&self, e: &Entry) -> u64 {
        n::<R64>(e.insn.imm as i64 as u64)
    }

    /// The shift amount of an immediate shift (XLEN bits).
    #[inline(always)]
    fn shamt(&self, e: &Entry) -> u64 {
        e.insn.imm as u64 & Self::SHMASK
    }

    /// Writes rd. Blocks never run an operation of `rd_only_ops` with
    /// rd = x0, so those need not restore x0 after the write.
    #[inline(always)]
    fn wr(&mut self, e: &Entry, v: u64) {
        self.cpu.x[(e.insn.rd & 31) as usize] = v;
        if !matches!(e.exec, rd_only_ops!()) {
            self.cpu.x[0] = 0;
        }
    }

    /// Publishes pc and the counters when the run stops inside the block,
    /// `retired` instructions into it.
    #[inline(always)]
    fn sync(&mut self, pc: u64, retired: usize) {
        self.cpu.pc = pc;
        self.cpu.instret = self.ret_base.wrapping_add(retired as u64);
        let spent = cycles_after(self.cyc, retired);
        self.cpu.cycle = self.cyc_base.wrapping_add(spent);
        if O::ACTIVE && O::RETIRED_RUNS && retired > 0 {
            self.obs.retired_run(self.cpu, retired as u64, spent);
        }
    }

    /// Stops at entry `e` (index `i`) with a fault. Inlined like every
    /// method here: a call taking `&mut self` would make the compiler keep
    /// the whole context in memory instead of host registers.
    #[inline(always)]
    fn fault(&mut self, e: &Entry, i: usize, kind: FaultKind, addr: u64) -> Straight {
        let pc = self.pc(e);
        self.sync(pc, i);
        Straight::Stop(StopReason::Fault(Fault {
            kind,
            pc,
            addr: Some(addr),
            insn: Some(e.insn),
            message: None,
        }))
    }

    /// Tells the observer about a data access.
    #[inline(always)]
    fn access(&mut self, e: &Entry, addr: u64, size: u64, kind: AccessKind, value: u64) {
        let pc = self.pc(e);
        self.watch |= self.obs.mem_access(&MemAccess {
            pc,
            addr,
            size: size as u8,
            kind,
            value,
        });
    }

    /// What follows every instruction that ran: the per-instruction hook,
    /// and a stop if a watchpoint was hit.
    #[inline(always)]
    fn finish(&mut self, e: &Entry, i: usize) -> Step {
        if O::ACTIVE && O::RETIRED && !O::RETIRED_RUNS {
            let pc = self.pc(e);
            let cost = u64::from(self.cyc[i % MAX_BLOCK].cost);
            self.obs.retired(self.cpu, pc, &e.insn, cost);
        }
        if self.watch {
            let next = n::<R64>(self.pc(e).wrapping_add(e.insn.len as u64));
            self.sync(next, i + 1);
            return Err(Straight::Stop(StopReason::Watchpoint));
        }
        Ok(())
    }

    /// A store that rewrote code ends the block after it (the last step of
    /// the operations that store).
    #[inline(always)]
    fn code_check(&mut self, e: &Entry, i: usize) -> Step {
        if self.mem.code_generation() != self.generation {
            self.finish(e, i)?;
            return Err(Straight::Cut(i + 1));
        }
        Ok(())
    }

    #[inline(always)]
    fn load<const SIZE: u64, const SIGNED: bool>(&mut self, e: &Entry, i: usize) -> Step {
        let addr = n::<R64>(self.rs1(e).wrapping_add(self.imm(e)));
        if self.strict_align && !addr.is_multiple_of(SIZE) {
            return Err(self.fault(e, i, FaultKind::LoadMisaligned, addr));
        }
        let Some(v) = self.mem.load(addr, SIZE as usize) else {
            return Err(self.fault(e, i, FaultKind::LoadAccess, addr));
        };
        self.access(e, addr, SIZE, AccessKind::Read, v);
        let v = if SIGNED {
            let sh = 64 - 8 * SIZE;
            (((v << sh) as i64) >> sh) as u64
        } else {
            v
        };
        self.wr(e, n::<R64>(v));
        Ok(())
    }

    #[inline(always)]
    fn store<const SIZE: u64>(&mut self, e: &Entry, i: usize) -> Step {
        let addr = n::<R64>(self.rs1(e).wrapping_add(self.imm(e)));
        if self.strict_align && !addr.is_multiple_of(SIZE) {
            return Err(self.fault(e, i, FaultKind::StoreMisaligned, addr));
        }
        let v = self.rs2(e);
        if !self.mem.store(addr, SIZE as usize, v) {
            return Err(self.fault(e, i, FaultKind::StoreAccess, addr));
        }
        let value = if SIZE == 8 {
            v
        } else {
            v & ((1u64 << (8 * SIZE)) - 1)
        };
        self.access(e, addr, SIZE, AccessKind::Write, value);
        self.code_check(e, i)
    }

    /// An AMO: `f(old, rs2)` is stored, `old` (sign-extended) goes to rd.
    #[inline(always)]
    fn amo<const SIZE: u64>(&mut self, e: &Entry, i: usize, f: fn(u64, u64) -> u64) -> Step {
        let addr = self.rs1(e);
        if addr & (SIZE - 1) != 0 {
            return Err(self.fault(e, i, FaultKind::StoreMisaligned, addr));
        }
        let Some(old) = self.mem.load(addr, SIZE as usize) else {
            return Err(self.fault(e, i, FaultKind::StoreAccess, addr));
        };
        let new = f(old, self.rs2(e));
        if !self.mem.store(addr, SIZE as usize, new) {
            return Err(self.fault(e, i, FaultKind::StoreAccess, addr));
        }
        self.access(e, addr, SIZE, AccessKind::Read, old);
        let written = if SIZE == 8 { new } else { new as u32 as u64 };
        self.access(e, addr, SIZE, AccessKind::Write, written);
        let old = if SIZE == 4 {
            old as u32 as i32 as i64 as u64
        } else {
            old
        };
        self.wr(e, n::<R64>(old));
        self.code_check(e, i)
    }

    #[inline(always)]
    fn lr<const SIZE: u64>(&mut self, e: &Entry, i: usize) -> Step {
        let addr = self.rs1(e);
        if addr & (SIZE - 1) != 0 {
            return Err(self.fault(e, i, FaultKind::LoadMisaligned, addr));
        }
        let Some(v) = self.mem.load(addr, SIZE as usize) else {
            return Err(self.fault(e, i, FaultKind::LoadAccess, addr));
        };
        self.access(e, addr, SIZE, AccessKind::Read, v);
        self.cpu.reservation = Some(addr);
        let v = if SIZE == 4 {
            v as u32 as i32 as i64 as u64
        } else {
            v
        };
        self.wr(e, n::<R64>(v));
        Ok(())
    }

    #[inline(always)]
    fn sc<const SIZE: u64>(&mut self, e: &Entry, i: usize) -> Step {
        let addr = self.rs1(e);
        if addr & (SIZE - 1) != 0 {
            return Err(self.fault(e, i, FaultKind::StoreMisaligned, addr));
        }
        if self.cpu.reservation.take() == Some(addr) {
            let v = self.rs2(e);
            if !self.mem.store(addr, SIZE as usize, v) {
                return Err(self.fault(e, i, FaultKind::StoreAccess, addr));
            }
            let written = if SIZE == 8 { v } else { v as u32 as u64 };
            self.access(e, addr, SIZE, AccessKind::Write, written);
            self.wr(e, 0);
            self.code_check(e, i)
        } else if !self.mem.is_mapped(addr, SIZE) {
            Err(self.fault(e, i, FaultKind::StoreAccess, addr))
        } else {
            self.wr(e, 1);
            Ok(())
        }
    }

    /// Runs entry `e`, the `i`-th of the block: `Err` if the run stops
    /// there, or at a block-ending operation (which runs in
    /// [`Machine::run_terminator`]). Exhaustive over [`Op`]: a new
    /// operation is a compile error here until it has an arm.
    #[inline(always)]
    fn exec(&mut self, e: &Entry, i: usize) -> Step {
        // Operands are read in the arms that use them.
        // 32-bit result sign-extended to 64 (the W instructions, RV64 only).
        let w = |v: i32| v as i64 as u64;
        match e.exec {
            Op::Lui => self.wr(e, self.imm(e)),
            Op::Auipc => self.wr(e, n::<R64>(self.pc(e).wrapping_add(self.imm(e)))),
            Op::Lb => self.load::<1, true>(e, i)?,
            Op::Lh => self.load::<2, true>(e, i)?,
            Op::Lw => self.load::<4, true>(e, i)?,
            Op::Ld => self.load::<8, true>(e, i)?,
            Op::Lbu => self.load::<1, false>(e, i)?,
            Op::Lhu => self.load::<2, false>(e, i)?,
            Op::Lwu => self.load::<4, false>(e, i)?,
            Op::Sb => self.store::<1>(e, i)?,
            Op::Sh => self.store::<2>(e, i)?,
            Op::Sw => self.store::<4>(e, i)?,
            Op::Sd => self.store::<8>(e, i)?,
            Op::Addi => self.wr(e, n::<R64>(self.rs1(e).wrapping_add(self.imm(e)))),
            Op::Slti => self.wr(e, (s::<R64>(self.rs1(e)) < s::<R64>(self.imm(e))) as u64),
            Op::Sltiu => self.wr(e, (self.rs1(e) < self.imm(e)) as u64),
            Op::Xori => self.wr(e, self.rs1(e) ^ self.imm(e)),
            Op::Ori => self.wr(e, self.rs1(e) | self.imm(e)),
            Op::Andi => self.wr(e, self.rs1(e) & self.imm(e)),
            Op::Slli => self.wr(e, n::<R64>(self.rs1(e) << self.shamt(e))),
            Op::Srli => self.wr(e, self.rs1(e) >> self.shamt(e)),
            Op::Srai => self.wr(e, n::<R64>((s::<R64>(self.rs1(e)) >> self.shamt(e)) as u64)),
            Op::Add => self.wr(e, n::<R64>(self.rs1(e).wrapping_add(self.rs2(e)))),
            Op::Sub => self.wr(e, n::<R64>(self.rs1(e).wrapping_sub(self.rs2(e)))),
            Op::Sll => self.wr(e, n::<R64>(self.rs1(e) << (self.rs2(e) & Self::SHMASK))),
            Op::Slt => self.wr(e, (s::<R64>(self.rs1(e)) < s::<R64>(self.rs2(e))) as u64),
            Op::Sltu => self.wr(e, (self.rs1(e) < self.rs2(e)) as u64),
            Op::Xor => self.wr(e, self.rs1(e) ^ self.rs2(e)),
            Op::Srl => self.wr(e, self.rs1(e) >> (self.rs2(e) & Self::SHMASK)),
            Op::Sra => self.wr(
                e,
                n::<R64>((s::<R64>(self.rs1(e)) >> (self.rs2(e) & Self::SHMASK)) as u64),
            ),
            Op::Or => self.wr(e, self.rs1(e) | self.rs2(e)),
            Op::And => self.wr(e, self.rs1(e) & self.rs2(e)),
            Op::Addiw => self.wr(e, w(self.rs1(e).wrapping_add(self.imm(e)) as i32)),
            Op::Slliw => self.wr(e, w(((self.rs1(e) as u32) << (e.insn.imm & 31)) as i32)),
            Op::Srliw => self.wr(e, w(((self.rs1(e) as u32) >> (e.insn.imm & 31)) as i32)),
            Op::Sraiw => self.wr(e, w((self.rs1(e) as i32) >> (e.insn.imm & 31))),
            Op::Addw => self.wr(e, w(self.rs1(e).wrapping_add(self.rs2(e)) as i32)),
            Op::Subw => self.wr(e, w(self.rs1(e).wrapping_sub(self.rs2(e)) as i32)),
            Op::Sllw => self.wr(e, w(((self.rs1(e) as u32) << (self.rs2(e) & 31)) as i32)),
            Op::Srlw => self.wr(e, w(((self.rs1(e) as u32) >> (self.rs2(e) & 31)) as i32)),
            Op::Sraw => self.wr(e, w((self.rs1(e) as i32) >> (self.rs2(e) & 31))),
            Op::Mul => self.wr(e, n::<R64>(self.rs1(e).wrapping_mul(self.rs2(e)))),
            Op::Mulh => self.wr(
                e,
                if R64 {
                    ((self.rs1(e) as i64 as i128 * self.rs2(e) as i64 as i128) >> 64) as u64
                } else {
                    n::<R64>(((s::<R64>(self.rs1(e)) * s::<R64>(self.rs2(e))) >> 32) as u64)
                },
            ),
            Op::Mulhsu => self.wr(
                e,
                if R64 {
                    ((self.rs1(e) as i64 as i128).wrapping_mul(self.rs2(e) as i128) >> 64) as u64
                } else {
                    n::<R64>(((s::<R64>(self.rs1(e)) * self.rs2(e) as i64) >> 32) as u64)
                },
            ),
            Op::Mulhu => self.wr(
                e,
                if R64 {
                    ((self.rs1(e) as u128 * self.rs2(e) as u128) >> 64) as u64
                } else {
                    (self.rs1(e) * self.rs2(e)) >> 32
                },
            ),
            Op::Div => {
                let (x, y) = (s::<R64>(self.rs1(e)), s::<R64>(self.rs2(e)));
                let min = if R64 { i64::MIN } else { i32::MIN as i64 };
                let q = if y == 0 {
                    u64::MAX
                } else if x == min && y == -1 {
                    x as u64
                } else {
                    (x / y) as u64
                };
                self.wr(e, n::<R64>(q))
            }
            Op::Divu => {
                let (x, y) = (self.rs1(e), self.rs2(e));
                self.wr(e, x.checked_div(y).unwrap_or(n::<R64>(u64::MAX)))
            }
            Op::Rem => {
                let (x, y) = (s::<R64>(self.rs1(e)), s::<R64>(self.rs2(e)));
                let min = if R64 { i64::MIN } else { i32::MIN as i64 };
                let r = if y == 0 {
                    x as u64
                } else if x == min && y == -1 {
                    0
                } else {
                    (x % y) as u64
                };
                self.wr(e, n::<R64>(r))
            }
            Op::Remu => {
                let (x, y) = (self.rs1(e), self.rs2(e));
                self.wr(e, if y == 0 { x } else { x % y })
            }
            Op::Mulw => self.wr(e, w((self.rs1(e) as i32).wrapping_mul(self.rs2(e) as i32))),
            Op::Divw => {
                let (x, y) = (self.rs1(e) as i32, self.rs2(e) as i32);
                self.wr(e, w(if y == 0 { -1 } else { x.wrapping_div(y) }))
            }
            Op::Divuw => {
                let (x, y) = (self.rs1(e) as u32, self.rs2(e) as u32);
                self.wr(e, w(x.checked_div(y).unwrap_or(u32::MAX) as i32))
            }
            Op::Remw => {
                let (x, y) = (self.rs1(e) as i32, self.rs2(e) as i32);
                self.wr(e, w(if y == 0 { x } else { x.wrapping_rem(y) }))
            }
            Op::Remuw => {
                let (x, y) = (self.rs1(e) as u32, self.rs2(e) as u32);
                self.wr(e, w(if y == 0 { x } else { x % y } as i32))
            }
            Op::LrW => self.lr::<4>(e, i)?,
            Op::LrD => self.lr::<8>(e, i)?,
            Op::ScW => self.sc::<4>(e, i)?,
            Op::ScD => self.sc::<8>(e, i)?,
            Op::AmoswapW => self.amo::<4>(e, i, |_, b| b)?,
            Op::AmoaddW => self.amo::<4>(e, i, |a, b| a.wrapping_add(b))?,
            Op::AmoxorW => self.amo::<4>(e, i, |a, b| a ^ b)?,
            Op::AmoandW => self.amo::<4>(e, i, |a, b| a & b)?,
            Op::AmoorW => self.amo::<4>(e, i, |a, b| a | b)?,
            Op::AmominW => {
                self.amo::<4>(e, i, |a, b| if (a as i32) < (b as i32) { a } else { b })?
            }
            Op::AmomaxW => {
                self.amo::<4>(e, i, |a, b| if (a as i32) > (b as i32) { a } else { b })?
            }
            Op::AmominuW => {
                self.amo::<4>(e, i, |a, b| if (a as u32) < (b as u32) { a } else { b })?
            }
            Op::AmomaxuW => {
                self.amo::<4>(e, i, |a, b| if (a as u32) > (b as u32) { a } else { b })?
            }
            Op::AmoswapD => self.amo::<8>(e, i, |_, b| b)?,
            Op::AmoaddD => self.amo::<8>(e, i, |a, b| a.wrapping_add(b))?,
            Op::AmoxorD => self.amo::<8>(e, i, |a, b| a ^ b)?,
            Op::AmoandD => self.amo::<8>(e, i, |a, b| a & b)?,
            Op::AmoorD => self.amo::<8>(e, i, |a, b| a | b)?,
            Op::AmominD => {
                self.amo::<8>(e, i, |a, b| if (a as i64) < (b as i64) { a } else { b })?
            }
            Op::AmomaxD => {
                self.amo::<8>(e, i, |a, b| if (a as i64) > (b as i64) { a } else { b })?
            }
            Op::AmominuD => self.amo::<8>(e, i, |a, b| a.min(b))?,
            Op::AmomaxuD => self.amo::<8>(e, i, |a, b| a.max(b))?,
            Op::Fence | Op::Wfi => {}
            // The operations that end blocks run in `run_terminator`.
            block_end_ops!() => return Err(Straight::Terminator(i)),
        }
        self.finish(e, i)
    }
}

/// Where a block's straight-line run starts: its first instruction's
/// address, the counters before it, what its stores are checked against,
/// and its instructions' cycles.
#[derive(Clone, Copy)]
struct BlockStart<'a> {
    block_pc: u64,
    ret_base: u64,
    cyc_base: u64,
    strict_align: bool,
    generation: u64,
    /// The block's cycles (see [`BlockCache::cycles_window`]).
    cyc: &'a [Cyc; MAX_BLOCK],
}

/// Runs the straight-line part of a block: every instruction that cannot
/// end a block, starting at the block's first. `block` is the block's window
/// of entries (see [`BlockCache::window`]), `count` how many of them may
/// run. A store that changes code cuts the block after that store.
/// `before`: ask the observer before each instruction (breakpoints).
///
/// `COUNTED`: stop after `count` instructions. Without it the loop runs
/// until an instruction of [`block_end_ops`], which must come within
/// `count`: the block is closed (see [`Entry::is_closed`]) and whole. Its
/// only exits are then the dispatch arms, which lets the compiler give each
/// arm its own copy of the dispatch (threaded code).
///
/// The hart, the memory and the observer come as separate `&mut`
/// arguments (not inside one struct): the compiler then knows that none
/// aliases another, so register values stay in host registers across
/// memory accesses and observer calls.
#[inline(always)]
fn straight<const R64: bool, const COUNTED: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    obs: &mut O,
    start: BlockStart,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
) -> Straight {
    let mut x = Exec::<R64, O> {
        cpu,
        mem,
        obs,
        strict_align: start.strict_align,
        generation: start.generation,
        block_pc: start.block_pc,
        ret_base: start.ret_base,
        cyc_base: start.cyc_base,
        cyc: start.cyc,
        watch: false,
    };
    // The index of the next instruction in `block`.
    let mut i = 0usize;
    loop {
        if COUNTED && i >= count {
            return Straight::Cut(count);
        }
        let e = &block[i % MAX_BLOCK];
        if O::ACTIVE && before && x.obs.before_insn(x.cpu, x.pc(e), &e.insn) {
            let pc = x.pc(e);
            x.sync(pc, i);
            return Straight::Stop(StopReason::Breakpoint);
        }
        x.watch = false;
        if let Err(end) = x.exec(e, i) {
            return end;
        }
        i += 1;
    }
}

/// [`straight`] for a block cut short or not closed: counted.
#[inline(never)]
fn straight_counted<const R64: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    obs: &mut O,
    start: BlockStart,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
) -> Straight {
    straight::<R64, true, O>(cpu, mem, obs, start, block, count, before)
}

/// [`straight`] for a whole closed block: runs to its last instruction.
#[inline(always)]
fn straight_closed<const R64: bool, O: Observer>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    obs: &mut O,
    start: BlockStart,
    block: &[Entry; MAX_BLOCK],
    count: usize,
    before: bool,
) -> Straight {
    straight::<R64, false, O>(cpu, mem, obs, start, block, count, before)
}
