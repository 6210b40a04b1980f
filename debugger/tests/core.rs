//! The debugger core on the bundled `debuggee` guest: CFI backtraces,
//! source-level stepping, finish, reverse steps.

use std::path::Path;
use zeroos::Output;
use zkdbg::core::{Debugger, Event, Resume};
use zkdbg::guest::{Guest, GuestArgs};

fn debugger(arch: &str) -> Debugger {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        guest: GuestArgs,
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = root.join("guests/bin").join(arch).join("debuggee.elf");
    let args = <Cli as clap::Parser>::parse_from(["x", elf.to_str().unwrap()]).guest;
    Debugger::new(Guest::load(&args, Output::Capture).unwrap(), 64 << 20)
}

fn function_of(d: &Debugger) -> String {
    d.source.frames(d.pc())[0].function.clone().unwrap()
}

#[test]
fn backtrace_by_cfi_shows_every_caller() {
    for arch in ["rv64", "rv32"] {
        let mut d = debugger(arch);
        let square = d.guest.machine.symbols().by_name("square").unwrap().addr;
        d.breakpoints.insert(square);
        assert_eq!(
            d.resume(Resume::Continue, true, || false),
            Event::Breakpoint(square)
        );
        let names: Vec<String> = d
            .backtrace()
            .iter()
            .map(|f| f.inline[0].0.clone())
            .collect();
        assert_eq!(
            names[..4],
            ["square", "sum_squares", "main", "__zk_start"],
            "{arch}"
        );
    }
}

#[test]
fn step_next_finish_and_reverse_line() {
    let mut d = debugger("rv64");
    let main = d.guest.machine.symbols().by_name("main").unwrap().addr;
    d.breakpoints.insert(main);
    d.resume(Resume::Continue, true, || false);
    d.breakpoints.clear();
    // `next` twice stays in main; `step` enters sum_squares.
    assert_eq!(d.step_line(true, 1_000_000), Event::DoneStep);
    assert_eq!(function_of(&d), "main");
    let (_, line) = d.line_of(d.pc()).unwrap();
    assert_eq!(line, 29);
    assert_eq!(d.step_line(false, 1_000_000), Event::DoneStep);
    assert_eq!(function_of(&d), "sum_squares");
    // `finish` returns to main, after the call.
    assert_eq!(d.finish(1_000_000), Event::DoneStep);
    assert_eq!(function_of(&d), "main");
    assert_eq!(d.guest.machine.cpu.x[10], 55, "sum_squares returned 55");
    // Reverse back into sum_squares' last line.
    assert_eq!(d.reverse_line(1_000_000), Event::DoneStep);
    assert_eq!(function_of(&d), "sum_squares");
}

#[test]
fn backtrace_inside_a_leaf_function() {
    let mut d = debugger("rv64");
    let square = d.guest.machine.symbols().by_name("square").unwrap().addr;
    d.breakpoints.insert(square + 4);
    assert_eq!(
        d.resume(Resume::Continue, true, || false),
        Event::Breakpoint(square + 4)
    );
    let names: Vec<String> = d
        .backtrace()
        .iter()
        .map(|f| f.inline[0].0.clone())
        .collect();
    assert_eq!(names[..4], ["square", "sum_squares", "main", "__zk_start"]);
}
