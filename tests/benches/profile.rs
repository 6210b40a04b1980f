//! Profiling speed: plain-run MIPS next to profile-run MIPS (shadow stack,
//! inline-aware attribution) for the `bench` and `lua` guests, on each
//! engine.
//!
//! Run with `cargo bench -p zkdbg-tests --bench profile`. Figures, not
//! assertions; the goal is a profile run within 2x of a plain run.

use std::sync::Arc;
use zkdbg_emulator::{Engine, Observer, Program};
use zkdbg_profiler::Profiler;
use zkdbg_symbols::{Symbolizer, Symbols};

fn run<O: Observer>(program: &Arc<Program>, stdin: &[u8], obs: &mut O, e: Engine) -> (u64, f64) {
    zkdbg_tests::timed_run_on(program, stdin, obs, e)
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let lua_script = zkdbg_tests::LUA_SCRIPT.repeat(3);
    println!(
        "{:<6} {:<10} {:<7} {:>14} {:>10} {:>12} {:>8}",
        "arch", "guest", "engine", "instructions", "plain MIPS", "profile MIPS", "ratio"
    );
    for arch in ["rv64", "rv32"] {
        for (name, stdin) in [("bench", &b""[..]), ("lua", lua_script.as_bytes())] {
            let path = root
                .join("guests/bin")
                .join(arch)
                .join(format!("{name}.elf"));
            let bytes: Arc<[u8]> = Arc::from(std::fs::read(&path).unwrap());
            let program = Arc::new(Program::parse(&bytes).unwrap());
            let source = Symbols::new(bytes).source().clone();
            for (ename, e) in [("interp", Engine::Interp), ("jit", Engine::Jit)] {
                let (n, plain) = run(&program, stdin, &mut (), e);
                let mut prof = Profiler::new(Symbolizer::new(program.clone(), source.clone()));
                // Symbolization (DWARF) is included: it is part of a profile run.
                let (_, profiled) = run(&program, stdin, &mut prof, e);
                let p = prof.finish();
                assert_eq!(p.instructions(), n);
                let (a, b) = (n as f64 / plain / 1e6, n as f64 / profiled / 1e6);
                println!(
                    "{arch:<6} {name:<10} {ename:<7} {n:>14} {a:>10.1} {b:>12.1} {:>7.2}x",
                    a / b
                );
            }
        }
    }
}
