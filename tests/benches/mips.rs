//! Emulator speed on the `bench` guest (about 1.3 billion instructions):
//! MIPS with no observer, with a counting observer (the cost of
//! instrumentation: calls, returns, memory accesses, and retired
//! instructions taken per straight-line run), with an observer of every
//! retired instruction (the per-instruction hook), and QEMU user mode's
//! wall time on the same ELF.
//!
//! Run with `cargo bench -p zkdbg-tests --bench mips` (`-- rv64` for one
//! arch). Each emulator configuration runs three times; the best counts. Figures, not assertions: speed goals are tracked here, not in
//! timed tests.

use std::sync::Arc;
use std::time::Instant;
use zkdbg_emulator::{CountingObserver, Cpu, Engine, Insn, Observer, Program};

/// Counts each instruction as it retires, through the per-instruction hook
/// (what the profiler uses), instead of per straight-line run as
/// [`CountingObserver`] does.
#[derive(Default)]
struct PerInstruction {
    retired: u64,
    cycles: u64,
}

impl Observer for PerInstruction {
    #[inline(always)]
    fn retired(&mut self, _cpu: &Cpu, _pc: u64, _insn: &Insn, cycles: u64) {
        self.retired += 1;
        self.cycles += cycles;
    }
}

/// Runs per configuration; the fastest counts (the shared VM this project
/// runs on varies by 10-20% from run to run).
const RUNS: usize = 3;

/// Instructions and the best wall time of [`RUNS`] runs, with a fresh
/// observer from `make` each time (the last one is returned).
fn run<O: Observer>(program: &Arc<Program>, make: impl Fn() -> O) -> (u64, f64, O) {
    run_on(program, make, Engine::Interp)
}

/// [`run`] on the given engine.
fn run_on<O: Observer>(
    program: &Arc<Program>,
    make: impl Fn() -> O,
    engine: Engine,
) -> (u64, f64, O) {
    let mut best = f64::INFINITY;
    let mut n = 0;
    let mut obs = make();
    for _ in 0..RUNS {
        obs = make();
        let (instructions, secs) = zkdbg_tests::timed_run_on(program, b"", &mut obs, engine);
        n = instructions;
        best = best.min(secs);
    }
    (n, best, obs)
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    println!(
        "{:<6} {:<22} {:>14} {:>9} {:>9}",
        "arch", "configuration", "instructions", "seconds", "MIPS"
    );
    for arch in ["rv64", "rv32"] {
        if !filter.is_empty() && !filter.iter().any(|f| f == arch) {
            continue;
        }
        let path = root.join("guests/bin").join(arch).join("bench.elf");
        let program = Arc::new(Program::parse(&std::fs::read(&path).unwrap()).unwrap());
        let mips = |label: &str, n: u64, secs: f64| {
            println!(
                "{arch:<6} {label:<22} {n:>14} {secs:>9.3} {:>9.1}",
                n as f64 / secs / 1e6
            )
        };
        let overhead = |label: &str, ratio: f64| {
            println!("{arch:<6} {label:<22} {:>14} {:>9} {ratio:>8.2}x", "", "")
        };
        let (n, plain, ()) = run(&program, || ());
        mips("no observer", n, plain);
        let (n, jit, ()) = run_on(&program, || (), Engine::Jit);
        mips("compiled", n, jit);
        let (n, counted, counting) = run(&program, CountingObserver::default);
        assert_eq!(counting.retired, n);
        mips("counting observer", n, counted);
        overhead("observer overhead", counted / plain);
        let (n, each, per) = run(&program, PerInstruction::default);
        assert_eq!(per.retired, n);
        mips("per-instruction hook", n, each);
        overhead("hook overhead", each / plain);
        let qemu = if arch == "rv64" {
            "qemu-riscv64"
        } else {
            "qemu-riscv32"
        };
        let t = Instant::now();
        match std::process::Command::new(qemu)
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
        {
            Ok(s) if s.success() => {
                mips(&format!("{qemu} (JIT)"), n, t.elapsed().as_secs_f64());
            }
            _ => println!("{arch:<6} {qemu} not available"),
        }
    }
}
