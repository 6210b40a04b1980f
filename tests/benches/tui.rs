//! TUI speed: redraw time at a stop inside `lua` (every pane: source,
//! disassembly, CFI backtrace, registers, memory, output, syscalls), and a
//! background `continue` inside the UI next to a plain run.
//!
//! Run with `cargo bench -p zkdbg-tests --bench tui`. Figures, not
//! assertions. Goals: a redraw under 16 ms; continue at 90% or more of
//! plain-run speed.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::Instant;
use zeroos::Output;
use zkdbg::core::Debugger;
use zkdbg::guest::{Guest, GuestOptions};
use zkdbg::tui::{render, App};

fn load(name: &str, stdin: Option<&std::path::Path>) -> Guest {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    std::env::set_current_dir(root).unwrap();
    let elf = root.join("guests/bin/rv64").join(format!("{name}.elf"));
    let mut args = GuestOptions::new(elf);
    args.stdin = stdin.map(|s| s.to_path_buf());
    Guest::load(&args, Output::Capture).unwrap()
}

fn main() {
    let script = std::env::temp_dir().join("zkdbg-bench-tui.lua");
    std::fs::write(&script, zkdbg_tests::LUA_SCRIPT.repeat(3)).unwrap();

    // Redraw at a breakpoint in the interpreter loop.
    let mut app = App::new(Debugger::new(load("lua", Some(&script)), 256 << 20));
    app.command("break luaH_getshortstr");
    app.key(crossterm_key('c'));
    while app.running() {
        app.run_chunk(false);
    }
    let mut term = Terminal::new(TestBackend::new(160, 50)).unwrap();
    term.draw(|f| render(f, &mut app)).unwrap(); // warm the file cache
    let n = 20;
    let t = Instant::now();
    for _ in 0..n {
        term.draw(|f| render(f, &mut app)).unwrap();
    }
    let redraw_ms = t.elapsed().as_secs_f64() * 1e3 / n as f64;

    // Continue: plain run vs. the UI's background continue to the end.
    let mut g = load("bench", None);
    let t = Instant::now();
    g.machine.run(&mut g.os, &mut (), u64::MAX);
    let instr = g.machine.cpu.instret;
    let plain = instr as f64 / t.elapsed().as_secs_f64() / 1e6;
    let mut app = App::new(Debugger::new(load("bench", None), 256 << 20));
    let t = Instant::now();
    app.key(crossterm_key('c'));
    while app.running() {
        app.run_chunk(false);
    }
    let ui = instr as f64 / t.elapsed().as_secs_f64() / 1e6;
    println!("redraw at a stop in lua (160x50): {redraw_ms:.2} ms");
    println!(
        "bench: plain run {plain:.1} MIPS, continue in the TUI {ui:.1} MIPS ({:.0}%)",
        100.0 * ui / plain
    );
}

fn crossterm_key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    )
}
