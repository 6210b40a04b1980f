//! The command table both front ends share, and the syscall log the core
//! keeps, on bundled guests.

mod common;
use common::debugger;

use zeroos::Output;
use zkdbg::commands::{execute, help, Effect, FrontEnds, COMMANDS};
use zkdbg::core::{Debugger, Event, Resume};
use zkdbg::guest::{Guest, GuestOptions};
use zkdbg_profiler::Tracer;

fn log_lines(d: &Debugger) -> Vec<String> {
    d.syscall_log().map(|r| r.strace_line()).collect()
}

#[test]
fn both_front_ends_run_the_same_table() {
    let mut d = debugger("rv64", "debuggee");
    for fe in [FrontEnds::Tui, FrontEnds::Both] {
        let r = execute(&mut d, "catch syscall write 93", fe, ":");
        assert_eq!(
            r.lines,
            [
                "catchpoint: syscall 64 (write)",
                "catchpoint: syscall 93 (exit)"
            ]
        );
        assert_eq!(r.effect, Effect::CatchChanged);
        let r = execute(&mut d, "catch", fe, ":");
        assert_eq!(
            r.lines,
            ["catching syscall 64 (write)", "catching syscall 93 (exit)"]
        );
        // The longest name wins: `catch clear` is not `catch` with an argument.
        assert_eq!(
            execute(&mut d, "catch clear", fe, ":").lines,
            ["catchpoints cleared"]
        );
        assert!(d.catch().is_empty());
        assert_eq!(
            execute(&mut d, "catch syscall nosuchcall", fe, ":").lines,
            ["unknown syscall `nosuchcall`"]
        );
        assert_eq!(
            execute(&mut d, "cycles", fe, ":").lines,
            ["0 instructions, 0 cycles"]
        );
        assert_eq!(
            execute(&mut d, "syscalls", fe, ":").lines,
            ["no syscalls yet"]
        );
        assert_eq!(
            execute(&mut d, "syscalls x y", fe, "monitor ").lines,
            ["usage: monitor syscalls [N]"]
        );
        // An N that is not a number gets the same usage line, prefixed.
        assert_eq!(
            execute(&mut d, "syscalls lots", fe, "monitor ").lines,
            ["usage: monitor syscalls [N]"]
        );
        assert_eq!(execute(&mut d, "help", fe, ":").effect, Effect::Help);
        // An empty line does nothing (the stub maps a bare `monitor` to help).
        let r = execute(&mut d, "  ", fe, ":");
        assert_eq!((r.lines.len(), r.effect), (0, Effect::None));
    }
    // TUI-only commands: the TUI runs them, `monitor` points at GDB's own.
    let r = execute(&mut d, "b square", FrontEnds::Tui, ":");
    let square = d.guest().machine.symbols().by_name("square").unwrap().addr;
    assert!(r.lines[0].starts_with("breakpoint at square (0x"), "{r:?}");
    assert_eq!(d.breakpoints().len(), 1);
    let at = *d.breakpoints().iter().next().unwrap();
    assert!(at > square && at < square + 32, "after the prologue");
    let r = execute(&mut d, "break main", FrontEnds::Both, "monitor ");
    assert_eq!(r.lines, ["`break` is a TUI command; use GDB's own"]);
    assert_eq!(d.breakpoints().len(), 1);
    let r = execute(&mut d, "x squares", FrontEnds::Tui, ":");
    let squares = d.guest().machine.symbols().by_name("squares").unwrap().addr;
    assert_eq!(r.effect, Effect::ShowMemory(squares));
    assert_eq!(
        execute(&mut d, "frobnicate now", FrontEnds::Both, "monitor ").lines,
        ["unknown command `frobnicate now`; `monitor help` lists them"]
    );
}

#[test]
fn help_lists_every_command_of_each_front_end() {
    let tui = help(FrontEnds::Tui, ":");
    let gdb = help(FrontEnds::Both, "monitor ");
    for c in COMMANDS {
        assert!(
            tui.contains(&format!(":{} {}", c.name, c.args).trim_end().to_string()),
            "{tui}"
        );
        let in_gdb = gdb.contains(&format!("monitor {} ", c.name));
        assert_eq!(in_gdb, c.front_ends == FrontEnds::Both, "{}: {gdb}", c.name);
    }
    // Fits the TUI's overlay (84 columns with its border).
    assert!(tui.lines().all(|l| l.chars().count() <= 82), "{tui}");
}

/// The core's log is what `zkdbg trace` records, in-guest kernel calls and
/// host calls included, whether the run went by `continue` or by steps.
#[test]
fn the_syscall_log_is_the_trace() {
    for arch in ["rv64", "rv32"] {
        let mut d = debugger(arch, "kernel");
        assert!(matches!(
            d.resume(Resume::Continue, true, || false),
            Event::Halted
        ));
        let g = Guest::load(&GuestOptions::new(&d.guest().path), Output::Capture).unwrap();
        let mut t = Tracer::new(g.machine.program.clone(), g.symbols.source().clone(), None);
        let mut g = g;
        g.machine.run(&mut g.os, &mut t, u64::MAX);
        let traced: Vec<String> = t.records().map(|r| r.strace_line()).collect();
        assert!(
            traced.iter().any(|l| l.contains("[kernel] write(1")),
            "{traced:?}"
        );
        assert!(
            traced.iter().any(|l| l.contains("[host] print(")),
            "{traced:?}"
        );
        assert_eq!(log_lines(&d), traced, "{arch}");
        let r = execute(&mut d, "syscalls 2", FrontEnds::Both, "monitor ");
        assert_eq!(r.lines, traced[traced.len() - 2..]);

        // Stepping one instruction at a time logs the same.
        let mut s = debugger(arch, "kernel");
        while s.ended().is_none() {
            s.resume(Resume::Step, true, || false);
        }
        assert_eq!(log_lines(&s), traced, "{arch} by steps");
    }
}

/// Going back in time forgets later calls and reopens a kernel call whose
/// `mret` is undone; going forward again gives the same log.
#[test]
fn the_syscall_log_rewinds_with_the_guest() {
    let mut d = debugger("rv64", "kernel");
    execute(&mut d, "catch ecall", FrontEnds::Tui, ":");
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Catch(_)
    ));
    let at_first = log_lines(&d);
    assert!(at_first.is_empty());
    // Into the kernel and out: the first write's record is complete.
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Catch(_)
    ));
    let at_second = log_lines(&d);
    let first = d.syscall_log().next().unwrap().clone();
    assert!(first.ret.is_some() && first.cycles > 0, "{first:?}");
    // A few instructions back: before the handler's mret.
    d.reverse_step();
    let before = d.instret();
    let mut back = 0;
    loop {
        d.reverse_step();
        back += 1;
        let r = d.syscall_log().next().unwrap();
        let now = d.guest().machine.cpu.cycle;
        if now < first.cycle + first.cycles - 1 {
            assert!(r.ret.is_none() && r.cycles == 0, "in flight again: {r:?}");
            break;
        }
        assert!(back < 10_000, "never got back into the kernel");
    }
    assert!(d.instret() < before);
    // Back to before the first ecall: nothing logged.
    assert!(matches!(
        d.reverse_continue(),
        Event::Catch(_) | Event::StartOfHistory
    ));
    assert_eq!(log_lines(&d), at_first);
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Catch(_)
    ));
    assert_eq!(log_lines(&d), at_second);
}

/// RISC Zero under the debugger: `cycles` gives RISC Zero's accounting of
/// the run so far (a replay under its paging model); at the end, the
/// figures RISC Zero's own executor reported for the same ELF and input
/// (`guests/bin/risc0/reference.tsv`, r0-hash abc-2 at po2 20); a
/// flamegraph of the run has `[paging]` frames; reverse execution keeps
/// the figures consistent with the position.
#[test]
fn risc0_cycles_and_profiles_include_paging() {
    use zkdbg::guest::Bytes;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let dir = root.join("guests/bin/risc0");
    let mut opts = GuestOptions::new(dir.join("r0-hash.elf"));
    opts.zkvm.inputs = vec![Bytes::File(dir.join("inputs/abc-2.bin"))];
    let mut d = Debugger::new(Guest::load(&opts, Output::Capture).unwrap(), 64 << 20);
    let tmp = std::env::temp_dir().join(format!("zkdbg-r0-cycles-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    d.set_output_dir(tmp.clone());
    let cmd = |d: &mut Debugger, c: &str| execute(d, c, FrontEnds::Tui, ":").lines;
    let r = cmd(&mut d, "break main");
    assert!(r[0].contains("reakpoint"), "{r:?}");
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Breakpoint(_)
    ));
    let at_main = cmd(&mut d, "cycles");
    assert_eq!(at_main.len(), 2, "{at_main:?}");
    assert!(at_main[1].starts_with("RISC Zero: "), "{at_main:?}");
    let user_at_main: u64 = at_main[1]["RISC Zero: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(user_at_main > 0 && user_at_main < 9922, "{at_main:?}");
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Exited(0)
    ));
    let end = cmd(&mut d, "cycles");
    assert_eq!(
        end[1],
        "RISC Zero: 9922 user cycles, 24021 paging, 31593 reserved, 65536 total in 1 segment \
         (the open segment rounded up to a power of two)"
    );
    // The flamegraph: user plus paging cycles, paging as `[paging]` frames.
    let r = cmd(&mut d, "profile r0.svg");
    assert!(r[0].starts_with("flamegraph of 33943 cycles"), "{r:?}");
    let svg = std::fs::read_to_string(tmp.join("r0.svg")).unwrap();
    assert!(svg.contains("[paging]"), "no [paging] frame");
    std::fs::remove_dir_all(&tmp).ok();
    // Back at main, the figures are main's again.
    assert!(matches!(d.reverse_continue(), Event::Breakpoint(_)));
    assert_eq!(cmd(&mut d, "cycles"), at_main);
}
