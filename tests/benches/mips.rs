//! Emulator speed on the `bench` guest (about 1.3 billion instructions),
//! on `lua` running a longer script (`LUA_SCRIPT` 20 times: branchy code,
//! short blocks) and on `secp256k1`: MIPS of the interpreter with no
//! observer, of the compiled tier, with a counting observer (the cost of
//! instrumentation: calls, returns, memory accesses, and retired
//! instructions taken per straight-line run), with an observer of every
//! retired instruction (the per-instruction hook), and QEMU user mode's
//! wall time on the same ELF and stdin.
//!
//! Run with `cargo bench -p zkdbg-tests --bench mips` (`-- rv64` for one
//! arch, `-- lua` for one guest; both filters combine). Each emulator configuration runs three times; the best counts. Figures, not assertions: speed goals are tracked here, not in
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
fn run<O: Observer>(program: &Arc<Program>, stdin: &[u8], make: impl Fn() -> O) -> (u64, f64, O) {
    run_on(program, stdin, make, Engine::Interp)
}

/// [`run`] on the given engine.
fn run_on<O: Observer>(
    program: &Arc<Program>,
    stdin: &[u8],
    make: impl Fn() -> O,
    engine: Engine,
) -> (u64, f64, O) {
    let mut best = f64::INFINITY;
    let mut n = 0;
    let mut obs = make();
    for _ in 0..RUNS {
        obs = make();
        let (instructions, secs) = zkdbg_tests::timed_run_on(program, stdin, &mut obs, engine);
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
    let wanted = |what: &[&str]| {
        let named: Vec<&String> = filter
            .iter()
            .filter(|f| what.contains(&f.as_str()))
            .collect();
        move |x: &str| named.is_empty() || named.iter().any(|f| *f == x)
    };
    let arch_wanted = wanted(&["rv64", "rv32"]);
    let guest_wanted = wanted(&["bench", "lua", "secp256k1"]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let lua_script = zkdbg_tests::LUA_SCRIPT.repeat(20);
    println!(
        "{:<6} {:<10} {:<22} {:>14} {:>9} {:>9}",
        "arch", "guest", "configuration", "instructions", "seconds", "MIPS"
    );
    for arch in ["rv64", "rv32"] {
        if !arch_wanted(arch) {
            continue;
        }
        for (name, stdin) in [
            ("bench", &b""[..]),
            ("lua", lua_script.as_bytes()),
            ("secp256k1", &b""[..]),
        ] {
            if !guest_wanted(name) {
                continue;
            }
            let path = root
                .join("guests/bin")
                .join(arch)
                .join(format!("{name}.elf"));
            let program = Arc::new(Program::parse(&std::fs::read(&path).unwrap()).unwrap());
            let mips = |label: &str, n: u64, secs: f64| {
                println!(
                    "{arch:<6} {name:<10} {label:<22} {n:>14} {secs:>9.3} {:>9.1}",
                    n as f64 / secs / 1e6
                )
            };
            let overhead = |label: &str, ratio: f64| {
                println!(
                    "{arch:<6} {name:<10} {label:<22} {:>14} {:>9} {ratio:>8.2}x",
                    "", ""
                )
            };
            let (n, plain, ()) = run(&program, stdin, || ());
            mips("no observer", n, plain);
            let (n, jit, ()) = run_on(&program, stdin, || (), Engine::Jit);
            mips("compiled", n, jit);
            let (n, counted, counting) = run(&program, stdin, CountingObserver::default);
            assert_eq!(counting.retired, n);
            mips("counting observer", n, counted);
            overhead("observer overhead", counted / plain);
            let (n, each, per) = run(&program, stdin, PerInstruction::default);
            assert_eq!(per.retired, n);
            mips("per-instruction hook", n, each);
            overhead("hook overhead", each / plain);
            let qemu = if arch == "rv64" {
                "qemu-riscv64"
            } else {
                "qemu-riscv32"
            };
            mips_qemu(qemu, &path, stdin, n, mips);
        }
    }
}

/// QEMU user mode's wall time on `path` with `stdin` (best of [`RUNS`]),
/// as MIPS of our instruction count `n`.
fn mips_qemu(
    qemu: &str,
    path: &std::path::Path,
    stdin: &[u8],
    n: u64,
    mips: impl Fn(&str, u64, f64),
) {
    use std::io::Write;
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let t = Instant::now();
        let child = std::process::Command::new(qemu)
            .arg(path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            println!("{qemu} not available");
            return;
        };
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(stdin);
        }
        match child.wait() {
            Ok(s) if s.success() => best = best.min(t.elapsed().as_secs_f64()),
            _ => {
                println!("{qemu} failed on {}", path.display());
                return;
            }
        }
    }
    mips(&format!("{qemu} (JIT)"), n, best);
}
