//! The observer contract, one test per combination of the flags: which
//! events each combination of `RETIRED`, `RETIRED_RUNS` and
//! `FILTERS_BLOCKS` delivers, on bundled guests that call and return,
//! serve syscalls on the host (`hello`) and trap into their own kernel,
//! return with `mret` and make Jolt host calls (`kernel`).

use std::path::Path;
use std::sync::Arc;
use zkdbg_emulator::{
    Config, Cpu, Environment, HostCall, Insn, Machine, MemAccess, Memory, Observer, Program,
    StopReason, SyscallRequest, SyscallResult, Transfer, TrapEvent,
};

/// Serves write (all bytes written) and exit/exit_group; -ENOSYS otherwise.
struct Env;

impl Environment for Env {
    fn syscall(&mut self, req: &SyscallRequest, _mem: &mut Memory) -> SyscallResult {
        match req.nr {
            64 => SyscallResult::Return(req.args[2]),
            93 | 94 => SyscallResult::Exit(req.args[0] as i32),
            _ => SyscallResult::Return(req.xlen.truncate((-38i64) as u64)),
        }
    }
    fn host_print(&mut self, _text: &[u8], _newline: bool) {}
}

/// Counts every event. `STOPS`: what `may_stop_in` answers.
#[derive(Default, Debug)]
struct Probe<const R: bool, const RUNS: bool, const FILTERS: bool, const STOPS: bool> {
    before: u64,
    may_stop: u64,
    retired: u64,
    run_instructions: u64,
    run_cycles: u64,
    transfers: u64,
    accesses: u64,
    syscall_enters: u64,
    syscall_exits: u64,
    traps: u64,
    trap_returns: u64,
    host_calls: u64,
}

impl<const R: bool, const RUNS: bool, const FILTERS: bool, const STOPS: bool> Observer
    for Probe<R, RUNS, FILTERS, STOPS>
{
    const RETIRED: bool = R;
    const RETIRED_RUNS: bool = RUNS;
    const FILTERS_BLOCKS: bool = FILTERS;
    fn may_stop_in(&mut self, _cpu: &Cpu, _start: u64, _end: u64) -> bool {
        self.may_stop += 1;
        STOPS
    }
    fn before_insn(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn) -> bool {
        self.before += 1;
        false
    }
    fn retired(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn, _cycles: u64) {
        self.retired += 1;
    }
    fn retired_run(&mut self, _cpu: &Cpu, instructions: u64, cycles: u64) {
        self.run_instructions += instructions;
        self.run_cycles += cycles;
    }
    fn transfer(&mut self, _cpu: &Cpu, _t: &Transfer) {
        self.transfers += 1;
    }
    fn mem_access(&mut self, _a: &MemAccess) -> bool {
        self.accesses += 1;
        false
    }
    fn syscall_enter(&mut self, _cpu: &Cpu, _mem: &Memory, _req: &SyscallRequest) {
        self.syscall_enters += 1;
    }
    fn syscall_exit(
        &mut self,
        _cpu: &Cpu,
        _mem: &Memory,
        _req: &SyscallRequest,
        _res: &SyscallResult,
        _cycles: u64,
    ) {
        self.syscall_exits += 1;
    }
    fn trap(&mut self, _cpu: &Cpu, _trap: &TrapEvent) {
        self.traps += 1;
    }
    fn trap_return(&mut self, _cpu: &Cpu, _pc: u64, _to: u64) {
        self.trap_returns += 1;
    }
    fn host_call(&mut self, _cpu: &Cpu, _call: &HostCall) {
        self.host_calls += 1;
    }
}

fn machine(arch: &str, name: &str) -> Machine {
    let elf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("guests/bin")
        .join(arch)
        .join(format!("{name}.elf"));
    let program = Arc::new(Program::parse(&std::fs::read(elf).unwrap()).unwrap());
    Machine::new(program, Config::default()).unwrap()
}

/// What every combination must see: the events that do not depend on the
/// flags, identical to what the reference (every event, per instruction)
/// sees; returns the probe and the machine's counters.
fn run<const R: bool, const RUNS: bool, const FILTERS: bool, const STOPS: bool>(
    arch: &str,
    name: &str,
) -> (Probe<R, RUNS, FILTERS, STOPS>, u64, u64) {
    let mut m = machine(arch, name);
    let mut p = Probe::<R, RUNS, FILTERS, STOPS>::default();
    let stop = m.run(&mut Env, &mut p, u64::MAX);
    assert!(
        matches!(stop, StopReason::Exited(_) | StopReason::Halted),
        "{stop:?}"
    );
    let mut r = machine(arch, name);
    let mut reference = Probe::<true, false, false, true>::default();
    r.run(&mut Env, &mut reference, u64::MAX);
    assert_eq!((m.cpu.instret, m.cpu.cycle), (r.cpu.instret, r.cpu.cycle));
    // Delivered whatever the flags say.
    assert_eq!(p.accesses, reference.accesses);
    assert_eq!(p.syscall_enters, reference.syscall_enters);
    assert_eq!(p.syscall_exits, reference.syscall_exits);
    assert_eq!(p.traps, reference.traps);
    assert_eq!(p.trap_returns, reference.trap_returns);
    assert_eq!(p.host_calls, reference.host_calls);
    (p, m.cpu.instret, m.cpu.cycle)
}

/// The guests and what they must exercise.
const GUESTS: [(&str, &str); 4] = [
    ("rv64", "hello"),
    ("rv32", "hello"),
    ("rv64", "kernel"),
    ("rv32", "kernel"),
];

#[test]
fn the_guests_exercise_every_event() {
    for (arch, name) in GUESTS {
        let (p, instret, _) = run::<true, false, false, true>(arch, name);
        assert_eq!(p.before, instret);
        assert!(p.transfers > 0 && p.accesses > 0, "{name}: {p:?}");
        if name == "hello" {
            assert!(
                p.syscall_enters > 0 && p.syscall_enters == p.syscall_exits,
                "{p:?}"
            );
        } else {
            assert!(p.traps > 0 && p.trap_returns == p.traps - 1, "{p:?}");
            assert!(p.host_calls > 0, "{p:?}");
        }
    }
}

#[test]
fn retired_per_instruction() {
    for (arch, name) in GUESTS {
        let (p, instret, _) = run::<true, false, false, true>(arch, name);
        assert_eq!((p.retired, p.run_instructions), (instret, 0));
        assert_eq!(p.may_stop, 0, "not asked without FILTERS_BLOCKS");
    }
}

#[test]
fn retired_in_runs() {
    for (arch, name) in GUESTS {
        let (p, instret, cycle) = run::<true, true, false, true>(arch, name);
        assert_eq!(p.retired, 0);
        assert_eq!((p.run_instructions, p.run_cycles), (instret, cycle));
        let (q, ..) = run::<true, false, false, true>(arch, name);
        assert_eq!(
            p.transfers, q.transfers,
            "transfers unchanged by RETIRED_RUNS"
        );
        assert_eq!(p.before, instret);
    }
}

#[test]
fn not_retired_means_no_retired_runs_or_transfers() {
    for (arch, name) in GUESTS {
        let (p, instret, _) = run::<false, false, false, true>(arch, name);
        assert_eq!((p.retired, p.run_instructions, p.transfers), (0, 0, 0));
        assert_eq!(p.before, instret);
        let (p, ..) = run::<false, true, false, true>(arch, name);
        assert_eq!((p.retired, p.transfers), (0, 0));
    }
}

#[test]
fn filtered_blocks_skip_before_insn() {
    for (arch, name) in GUESTS {
        // The filter says no stop anywhere: before_insn is never asked,
        // whatever else is delivered.
        let (p, ..) = run::<false, false, true, false>(arch, name);
        assert!(p.may_stop > 0);
        assert_eq!(p.before, 0);
        let (p, ..) = run::<true, false, true, false>(arch, name);
        assert_eq!(p.before, 0);
        // The filter says a stop may come everywhere: asked before every
        // instruction, as without a filter.
        let (p, instret, _) = run::<false, false, true, true>(arch, name);
        assert!(p.may_stop > 0);
        assert_eq!(p.before, instret);
        let (p, instret, _) = run::<true, true, true, true>(arch, name);
        assert_eq!(p.before, instret);
    }
}
