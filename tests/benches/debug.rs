//! Debugger speed, on each engine: `continue` with ten breakpoints set
//! (none of them hit), then with a watchpoint too, next to a plain run;
//! and the latency of a reverse step after 100 million instructions.
//!
//! Run with `cargo bench -p zkdbg-tests --bench debug`. Figures, not
//! assertions. Goals: continue at 90% or more of plain-run speed; a reverse
//! step in under 100 ms. A watchpoint keeps the interpreter (it needs
//! every access), on either engine.

use std::time::Instant;
use zeroos::Output;
use zkdbg::core::{Debugger, Event, Resume, WatchKind, Watchpoint};
use zkdbg::guest::{Guest, GuestOptions};
use zkdbg_emulator::Engine;

fn load(arch: &str, engine: Engine) -> Guest {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let elf = root.join("guests/bin").join(arch).join("bench.elf");
    let mut o = GuestOptions::new(elf);
    o.engine = engine;
    Guest::load(&o, Output::Capture).unwrap()
}

/// A debugger on `bench` with ten breakpoints that never hit (and a
/// watchpoint, if `watch`).
fn armed(arch: &str, engine: Engine, watch: bool) -> Debugger {
    let g = load(arch, engine);
    let syms: Vec<u64> = g
        .machine
        .symbols()
        .iter()
        .filter(|s| s.is_function && s.name.starts_with("__riscv_restore"))
        .map(|s| s.addr)
        .take(10)
        .collect();
    let mut d = Debugger::new(g, 256 << 20);
    for a in &syms {
        d.set_breakpoint(a + 1_000_000);
    }
    while d.breakpoints().len() < 10 {
        d.set_breakpoint(0x1000 + d.breakpoints().len() as u64 * 4);
    }
    if watch {
        d.add_watchpoint(Watchpoint {
            addr: 0x10,
            len: 8,
            kind: WatchKind::Write,
        });
    }
    d
}

fn main() {
    println!(
        "{:<6} {:<7} {:>11} {:>15} {:>7} {:>16} {:>7} {:>20}",
        "arch",
        "engine",
        "plain MIPS",
        "continue MIPS",
        "ratio",
        "+watch MIPS",
        "ratio",
        "reverse-stepi (ms)"
    );
    for arch in ["rv64", "rv32"] {
        for (ename, engine) in [("interp", Engine::Interp), ("jit", Engine::Jit)] {
            let mut g = load(arch, engine);
            let t = Instant::now();
            g.machine.run(&mut g.os, &mut (), u64::MAX);
            let n = g.machine.cpu.instret;
            let plain = n as f64 / t.elapsed().as_secs_f64() / 1e6;

            let mut mips = Vec::new();
            for watch in [false, true] {
                let mut d = armed(arch, engine, watch);
                let t = Instant::now();
                let ev = d.resume(Resume::Continue, true, || false);
                assert_eq!(ev, Event::Exited(0));
                mips.push(n as f64 / t.elapsed().as_secs_f64() / 1e6);
            }

            // Reverse step after 100 M instructions.
            let mut d = Debugger::new(load(arch, engine), 256 << 20);
            let mut polls = 0;
            d.resume(Resume::Continue, true, || {
                polls += 1;
                polls >= 100
            });
            let at = d.instret();
            let t = Instant::now();
            assert_eq!(d.reverse_step(), Event::DoneStep);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(d.instret(), at - 1);
            println!(
                "{arch:<6} {ename:<7} {plain:>11.1} {:>15.1} {:>6.0}% {:>16.1} {:>6.0}% {ms:>13.1} (at {at})",
                mips[0],
                100.0 * mips[0] / plain,
                mips[1],
                100.0 * mips[1] / plain,
            );
        }
    }
}
