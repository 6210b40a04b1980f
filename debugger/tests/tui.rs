//! Snapshot tests of the rendered TUI (ratatui's `TestBackend`, `insta`)
//! in each state: stopped at main, after a step into a function, at a
//! syscall catchpoint, after exit, after a fault; plus help and a terminal
//! too small.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use zeroos::Output;
use zkdbg::core::Debugger;
use zkdbg::guest::{Guest, GuestOptions};
use zkdbg::tui::{render, App};

fn app(arch: &str, name: &str) -> App {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    app_at(
        &root
            .join("guests/bin")
            .join(arch)
            .join(format!("{name}.elf")),
    )
}

fn app_at(elf: &Path) -> App {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // Source paths in the guests' DWARF are relative to the repository.
    std::env::set_current_dir(root).unwrap();
    let args = GuestOptions::new(elf);
    App::new(Debugger::new(
        Guest::load(&args, Output::Capture).unwrap(),
        64 << 20,
    ))
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(f, app)).unwrap();
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        s += line.trim_end();
        s.push('\n');
    }
    s
}

fn key(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn cont(app: &mut App) {
    key(app, 'c');
    while app.running() {
        app.run_chunk(false);
    }
}

#[test]
fn stopped_at_main_then_step_into_a_function() {
    let mut a = app("rv64", "debuggee");
    a.command("break main");
    cont(&mut a);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("guests/src/debuggee.c:29 in main"), "{s}");
    insta::assert_snapshot!("stopped_at_main", s);
    key(&mut a, 's');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("guests/src/debuggee.c:19 in sum_squares"), "{s}");
    assert!(s.contains("#1  main at guests/src/debuggee.c:29"), "{s}");
    insta::assert_snapshot!("stepped_into_sum_squares", s);
}

#[test]
fn at_a_syscall_catchpoint_then_exit() {
    let mut a = app("rv64", "hello");
    a.command("catch syscall write");
    cont(&mut a);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("catchpoint: syscall 64 (write)"), "{s}");
    insta::assert_snapshot!("at_write_catchpoint", s);
    a.command("delete");
    cont(&mut a);
    let s = screen(&mut a, 120, 40);
    assert!(
        s.contains("exited with code 0") && s.contains("read back: 12 squared is 144"),
        "{s}"
    );
    insta::assert_snapshot!("after_exit", s);
}

#[test]
fn after_a_fault_without_dwarf_lines_and_rv32() {
    let mut a = app("rv32", "fault-null");
    cont(&mut a);
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("faulted: load access fault (SIGSEGV)"), "{s}");
    insta::assert_snapshot!("after_fault_rv32", s);
}

#[test]
fn without_dwarf_the_disassembly_carries_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = std::env::temp_dir().join(format!("zkdbg-tui-nodwarf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stripped = dir.join("fib.elf");
    let ok = std::process::Command::new("riscv64-unknown-elf-strip")
        .arg("-g")
        .arg(root.join("guests/bin/rv64/fib.elf"))
        .arg("-o")
        .arg(&stripped)
        .status()
        .expect("riscv64-unknown-elf-strip (Debian's binutils-riscv64-unknown-elf) not found")
        .success();
    assert!(ok);
    let mut a = app_at(&stripped);
    a.command("break fib");
    cont(&mut a);
    key(&mut a, 'i');
    let s = screen(&mut a, 120, 40);
    assert!(
        s.contains("no source line for this pc (no DWARF here)"),
        "{s}"
    );
    assert!(s.contains("▶0x"), "{s}");
    assert!(s.contains("#0  fib+0x2"), "{s}");
    insta::assert_snapshot!("no_dwarf", s);
}

#[test]
fn help_and_too_small() {
    let mut a = app("rv64", "fib");
    key(&mut a, '?');
    insta::assert_snapshot!("help", screen(&mut a, 100, 30));
    insta::assert_snapshot!("too_small", screen(&mut a, 60, 20));
}
