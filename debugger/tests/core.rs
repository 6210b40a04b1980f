//! The debugger core on the bundled `debuggee` guest: CFI backtraces,
//! source-level stepping, finish, reverse steps.

use std::path::Path;
use zeroos::Output;
use zkdbg::core::{Debugger, Event, Resume};
use zkdbg::guest::{Guest, GuestOptions};

fn debugger(arch: &str) -> Debugger {
    debugger_for(arch, "debuggee")
}

fn debugger_for(arch: &str, name: &str) -> Debugger {
    debugger_with(arch, name, None)
}

fn debugger_with(arch: &str, name: &str, stdin: Option<&Path>) -> Debugger {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = root
        .join("guests/bin")
        .join(arch)
        .join(format!("{name}.elf"));
    debugger_of(&elf, stdin)
}

/// A debugger on the ELF at `elf`, with `stdin` as its input.
fn debugger_of(elf: &Path, stdin: Option<&Path>) -> Debugger {
    let mut args = GuestOptions::new(elf);
    args.stdin = stdin.map(Path::to_path_buf);
    Debugger::new(Guest::load(&args, Output::Capture).unwrap(), 64 << 20)
}

fn function_of(d: &Debugger) -> String {
    d.source().frames(d.pc())[0].function.clone().unwrap()
}

#[test]
fn backtrace_by_cfi_shows_every_caller() {
    for arch in ["rv64", "rv32"] {
        let mut d = debugger(arch);
        let square = d.guest().machine.symbols().by_name("square").unwrap().addr;
        d.set_breakpoint(square);
        assert_eq!(
            d.resume(Resume::Continue, true, || false),
            Event::Breakpoint(square)
        );
        let names: Vec<String> = d
            .backtrace()
            .iter()
            .map(|f| f.inline[0].function.clone())
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
    let main = d.guest().machine.symbols().by_name("main").unwrap().addr;
    d.set_breakpoint(main);
    d.resume(Resume::Continue, true, || false);
    d.clear_breakpoints();
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
    assert_eq!(d.guest().machine.cpu.x[10], 55, "sum_squares returned 55");
    // Reverse back into sum_squares' last line.
    assert_eq!(d.reverse_line(1_000_000), Event::DoneStep);
    assert_eq!(function_of(&d), "sum_squares");
}

#[test]
fn backtrace_inside_a_leaf_function() {
    let mut d = debugger("rv64");
    let square = d.guest().machine.symbols().by_name("square").unwrap().addr;
    d.set_breakpoint(square + 4);
    assert_eq!(
        d.resume(Resume::Continue, true, || false),
        Event::Breakpoint(square + 4)
    );
    let names: Vec<String> = d
        .backtrace()
        .iter()
        .map(|f| f.inline[0].function.clone())
        .collect();
    assert_eq!(names[..4], ["square", "sum_squares", "main", "__zk_start"]);
}

#[test]
fn long_operations_ask_the_interrupt_check() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    // hostile's `many-syscalls`: 11 million instructions, several snapshots.
    let input = std::env::temp_dir().join(format!("zkdbg-core-many-{}", std::process::id()));
    std::fs::write(&input, "many-syscalls\n").unwrap();
    let mut d = debugger_with("rv64", "hostile", Some(&input));
    // Run to the exit, then reverse-continue with a check that says stop:
    // it stops after the first snapshot segment it searched.
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Exited(0)
    ));
    let end = d.instret();
    let asked = Arc::new(AtomicU64::new(0));
    let a = asked.clone();
    d.set_interrupt_check(Box::new(move |progress| {
        assert!(progress.starts_with("reverse-continue"), "{progress}");
        a.fetch_add(1, Ordering::SeqCst);
        true
    }));
    assert_eq!(d.reverse_continue(), Event::Interrupted);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert!(d.instret() < end && d.instret() > 0);
}

#[test]
fn reverse_step_without_dwarf_goes_back_one_instruction() {
    // The debuggee without its DWARF: no line is known anywhere.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = std::env::temp_dir().join(format!("zkdbg-core-strip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stripped = dir.join("debuggee-stripped.elf");
    let ok = std::process::Command::new("riscv64-unknown-elf-objcopy")
        .arg("--strip-debug")
        .arg(root.join("guests/bin/rv64/debuggee.elf"))
        .arg(&stripped)
        .status()
        .expect("riscv64-unknown-elf-objcopy (Debian's binutils-riscv64-unknown-elf)");
    assert!(ok.success());
    let mut d = debugger_of(&stripped, None);
    d.resume(Resume::Continue, true, || false);
    let end = d.instret();
    // Before: a million snapshot replays looking for a line (the TUI froze).
    assert_eq!(d.reverse_line(1_000_000), Event::DoneStep);
    assert_eq!(d.instret(), end - 1);
}

#[test]
fn breakpoint_changes_between_resumes_take_effect() {
    let mut d = debugger("rv64");
    let syms = d.guest().machine.symbols().clone();
    let square = syms.by_name("square").unwrap().addr;
    let sum = syms.by_name("sum_squares").unwrap().addr;
    d.set_breakpoint(square);
    assert_eq!(
        d.resume(Resume::Continue, true, || false),
        Event::Breakpoint(square)
    );
    // Removed: the next stop is the new one, not square again.
    assert!(d.remove_breakpoint(square));
    d.reset();
    d.set_breakpoint(sum);
    assert_eq!(
        d.resume(Resume::Continue, true, || false),
        Event::Breakpoint(sum)
    );
    d.clear_breakpoints();
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Exited(_)
    ));
}

/// On a platform with its own ecall ABI (SP1), catching a precompile by
/// name does not hide `catch ecall`: the first ecall stops as a syscall
/// catchpoint, and with only the name left the run stops at that call.
#[test]
fn a_precompile_catchpoint_leaves_catch_ecall_working() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut args = GuestOptions::new(root.join("guests/bin/sp1/sp1-hash.elf"));
    args.zkvm.inputs = vec![zkdbg::guest::Bytes::File(
        root.join("guests/bin/sp1/inputs/abc-2.bin"),
    )];
    let mut d = Debugger::new(Guest::load(&args, Output::Capture).unwrap(), 64 << 20);
    let mut catch = zkdbg::core::Catch {
        ecall: true,
        ..Default::default()
    };
    catch.inlines.insert("SHA_COMPRESS");
    d.set_catch(catch.clone());
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Catch(_)
    ));
    assert_eq!(function_of(&d), "syscall_hint_len");
    catch.ecall = false;
    d.set_catch(catch);
    assert_eq!(
        d.resume(Resume::Continue, true, || false),
        Event::CatchInline("SHA_COMPRESS")
    );
    assert_eq!(function_of(&d), "syscall_sha256_compress");
}
