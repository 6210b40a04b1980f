//! Variables: the locals and arguments of a frame from DWARF, `print` and
//! frame selection, on the bundled `vars` guest (C, -Og) and the Rust
//! `jolt-hash` guest.

mod common;
use common::debugger;

use std::path::Path;
use zeroos::Output;
use zkdbg::commands::{execute, FrontEnds};
use zkdbg::core::{Debugger, Event, Resume};
use zkdbg::guest::{Guest, GuestOptions};

fn run(d: &mut Debugger, line: &str) -> String {
    execute(d, line, FrontEnds::Tui, ":").lines.join("\n")
}

/// Stops at the first line of `function` (after its prologue).
fn stop_in(d: &mut Debugger, function: &str) {
    let r = run(d, &format!("break {function}"));
    assert!(r.contains("breakpoint"), "{r}");
    let ev = d.resume(Resume::Continue, true, || false);
    assert!(matches!(ev, Event::Breakpoint(_)), "{ev:?}");
}

fn locals(d: &Debugger) -> String {
    d.locals()
        .iter()
        .map(|v| {
            let kind = if v.argument { "arg" } else { "local" };
            format!("{kind} {}: {} = {}\n", v.name, v.type_name, v.value)
        })
        .collect()
}

#[test]
fn c_locals_in_every_frame() {
    for arch in ["rv64", "rv32"] {
        let mut d = debugger(arch, "vars");
        stop_in(&mut d, "area");
        let mut s = format!("frame 0:\n{}", locals(&d));
        s += &format!("{}\nframe 1:\n", run(&mut d, "up"));
        s += &locals(&d);
        insta::assert_snapshot!(format!("c_locals_{arch}"), s);
    }
}

/// The Rust `jolt-hash` guest running hash_chain(b"abc", 2).
fn rust_debugger() -> Debugger {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut o = GuestOptions::new(root.join("guests/bin/rust/jolt-hash.elf"));
    o.zkvm.inputs = vec![zkdbg::guest::Bytes::Literal(vec![3, b'a', b'b', b'c', 2])];
    Debugger::new(Guest::load(&o, Output::Capture).unwrap(), 64 << 20)
}

/// gdb's `print`: field paths, indexing through pointers and arrays,
/// addresses, registers, typed memory; names out of scope are refused as
/// gdb refuses them.
#[test]
fn print_expressions() {
    for arch in ["rv64", "rv32"] {
        let mut d = debugger(arch, "vars");
        stop_in(&mut d, "area");
        let p = |d: &mut Debugger, e: &str| run(d, &format!("print {e}"));
        let s = d.guest().machine.cpu.x[10];
        assert_eq!(
            p(&mut d, "s"),
            format!("s = (struct shape *) {s:#x}"),
            "{arch}"
        );
        assert_eq!(
            p(&mut d, "s->corners[2]"),
            "s->corners[2] = {x = 5, y = -6}"
        );
        assert_eq!(p(&mut d, "(*s).corners[1].y"), "(*s).corners[1].y = 4");
        assert_eq!(p(&mut d, "s->color"), "s->color = BLUE");
        assert_eq!(p(&mut d, "s->name[1]"), "s->name[1] = 114 'r'");
        assert!(p(&mut d, "s->name").ends_with(" \"triangle\""), "{arch}");
        assert_eq!(p(&mut d, "scale"), "scale = 2");
        // A global array of structs, a field of an element.
        assert_eq!(
            p(&mut d, "shapes[0].name"),
            "shapes[0].name = (const char *) 0x0"
        );
        let shapes = d.guest().machine.symbols().by_name("shapes").unwrap().addr;
        assert_eq!(
            p(&mut d, "&shapes[1]"),
            // sizeof(struct shape) is 48 on both: long long is 8-aligned.
            format!("&shapes[1] = (struct shape *) {:#x}", shapes + 48)
        );
        assert_eq!(
            p(
                &mut d,
                &format!(
                    "{{struct point}} {:#x}",
                    s + if arch == "rv64" { 12 } else { 8 }
                )
            ),
            format!(
                "{{struct point}} {:#x} = {{x = 1, y = 2}}",
                s + if arch == "rv64" { 12 } else { 8 }
            )
        );
        assert_eq!(
            p(&mut d, "*(int *) $a0"),
            format!(
                "*(int *) $a0 = {}",
                d.guest()
                    .machine
                    .mem
                    .read_vec(s, 4)
                    .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
                    .unwrap()
            )
        );
        assert_eq!(p(&mut d, "$a1"), "$a1 = 0x2 (2)");
        // Indexing from an address: (&a[0])[1] is a[1].
        assert_eq!(
            p(&mut d, "(&shapes[0])[1].corners[2].y"),
            "(&shapes[0])[1].corners[2].y = -6"
        );
        // Out of scope, unknown, malformed.
        assert_eq!(p(&mut d, "tri"), "no symbol \"tri\" in current context");
        assert_eq!(p(&mut d, "$q9"), "no symbol \"$q9\" in current context");
        assert_eq!(p(&mut d, "scale.x"), "not a struct: no field x");
        assert_eq!(p(&mut d, "s.x"), "a pointer has no field x: use ->");
        assert_eq!(
            p(&mut d, "{struct nothing} 0"),
            "no type named \"struct nothing\" in this compilation unit"
        );
        assert_eq!(p(&mut d, "s +"), "unexpected '+' in the expression");
        // In the caller after `up`: its locals, their addresses.
        assert!(run(&mut d, "up").starts_with("#1 "), "{arch}");
        assert_eq!(p(&mut d, "&tri"), format!("&tri = (struct shape *) {s:#x}"));
        assert_eq!(p(&mut d, "tri.corners[2].y"), "tri.corners[2].y = -6");
        assert_eq!(p(&mut d, "letter"), "letter = 90 'Z'");
        assert_eq!(p(&mut d, "scale"), "no symbol \"scale\" in current context");
    }
}

/// Frames are numbered as `bt` numbers them; up, down and frame select
/// them, refuse to leave the stack, and any execution selects frame 0.
#[test]
fn frame_selection() {
    let mut d = debugger("rv64", "vars");
    stop_in(&mut d, "area");
    assert_eq!(
        run(&mut d, "down"),
        "bottom (innermost) frame selected; you cannot go down"
    );
    let n = d.frame_count();
    assert!(n >= 3, "{n}");
    let r = run(&mut d, &format!("frame {}", n - 1));
    assert!(r.starts_with(&format!("#{:<2}", n - 1)), "{r}");
    assert_eq!(
        run(&mut d, "up"),
        "initial frame selected; you cannot go up"
    );
    assert_eq!(
        run(&mut d, &format!("frame {n}")),
        format!("no frame {n}: the stack has {n} (0..{})", n - 1)
    );
    assert!(run(&mut d, "frame 1").contains(" in main at guests/src/vars.c:46"));
    assert_eq!(d.frame_number(), 1);
    assert!(run(&mut d, "down").starts_with("#0 "));
    run(&mut d, "up 1");
    assert!(run(&mut d, "info locals").contains("letter = 90 'Z'"));
    d.resume(Resume::Step, true, || false);
    assert_eq!(d.frame_number(), 0);
    assert!(run(&mut d, "info locals").contains("scale = 2"));
}

/// A Rust guest: arguments and locals of inline frames and of the
/// function they were inlined into, slices, tuple structs, and `print` of
/// slice elements.
#[test]
fn rust_locals_of_inline_frames() {
    let mut d = rust_debugger();
    stop_in(&mut d, "jolt_hash::sha256");
    for _ in 0..2 {
        d.step_line(true, 1_000_000);
    }
    let mut s = String::new();
    for _ in 0..3 {
        let f = d.selected_frame().unwrap();
        s += &format!("#{} {}\n", f.number, f.frame.inline[f.depth].function);
        s += &locals(&d);
        run(&mut d, "up");
    }
    insta::assert_snapshot!("rust_locals", s);
    assert_eq!(run(&mut d, "frame 2"), run(&mut d, "frame"));
    assert_eq!(run(&mut d, "print data[2]"), "data[2] = 99");
    assert_eq!(run(&mut d, "print data"), "data = [97, 98, 99]");
    assert_eq!(
        run(&mut d, "print data[3]"),
        "index 3 is out of bounds of a slice of 3"
    );
    // The inlined callee's names are not the caller's.
    assert_eq!(
        run(&mut d, "print chunk_size"),
        "no symbol \"chunk_size\" in current context"
    );
    // At the end of the run, main's locals: a tuple, a struct.
    assert!(matches!(
        d.resume(Resume::Continue, true, || false),
        Event::Halted
    ));
    let s = locals(&d);
    assert!(
        s.contains("local result: ([u8; 32], [u8; 32]) = ([79, 139, "),
        "{s}"
    );
    assert!(
        s.contains("local line: Line = Line { buf: [104, 97, "),
        "{s}"
    );
    assert!(s.contains("len: 29 }"), "{s}");
}
