//! `zkdbg tui` driven as a person would, in tmux (`send-keys`,
//! `capture-pane`), on a private tmux server.

use std::process::Command;
use std::time::{Duration, Instant};
use zkdbg_tests::*;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(tag: &str, cmd: &str) -> Tmux {
        let socket = format!("zkdbg-test-{tag}-{}", std::process::id());
        let t = Tmux { socket };
        let ok = t
            .cmd(&["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", cmd])
            .status
            .success();
        assert!(
            ok,
            "tmux failed to start: install Debian's tmux (scripts/test.sh does)"
        );
        t
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux not found: install Debian's tmux (scripts/test.sh does)")
    }

    /// Types each of `keys`: `Enter` and `Escape` as keys, anything else
    /// as literal text.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            if matches!(*k, "Enter" | "Escape") {
                self.cmd(&["send-keys", "-t", "t", k]);
            } else {
                self.cmd(&["send-keys", "-t", "t", "-l", k]);
            }
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-t", "t", "-p"]).stdout).into_owned()
    }

    /// Waits (up to 20 s) until the screen contains `text`.
    fn wait_for(&self, text: &str) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "`{text}` never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

#[test]
fn a_session_in_tmux() {
    let bin = zkdbg_bin();
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/hello.elf; echo TUI-EXITED $?; if stty -a | grep -q -e -icanon -e ' -echo '; then echo TTY-RAW; else echo TTY-COOKED; fi; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("session", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break main", "Enter"]);
    t.wait_for("breakpoint at main");
    t.keys(&["c"]);
    let s = t.wait_for("in main");
    assert!(s.contains("stopped (breakpoint at"), "{s}");
    assert!(s.contains("guests/src/hello.c:"), "{s}");
    // A source step: the line and registers change.
    t.keys(&["s"]);
    let s2 = t.wait_for("stopped (step)");
    assert_ne!(s, s2);
    assert!(s2.contains('*'), "changed registers are marked: {s2}");
    // Catch the write syscall.
    t.keys(&[":", "catch syscall write", "Enter", "c"]);
    let s = t.wait_for("catchpoint: syscall 64 (write)");
    assert!(s.contains("ecall"), "{s}");
    // Reverse step goes back before the ecall.
    t.keys(&["r"]);
    let s = t.wait_for("stopped (step)");
    assert!(!s.contains("catchpoint: syscall 64"), "{s}");
    // Continue to the exit; the output pane shows the guest's stdout.
    t.keys(&[":", "delete", "Enter", "c"]);
    let s = t.wait_for("exited with code 0");
    assert!(s.contains("read back: 12 squared is 144"), "{s}");
    // Help, then quit: the terminal is back in cooked mode.
    t.keys(&["?"]);
    t.wait_for("keys (any key closes)");
    t.keys(&["x", "q"]);
    let s = t.wait_for("TUI-EXITED 0");
    let s = if s.contains("TTY-") {
        s
    } else {
        t.wait_for("TTY-")
    };
    assert!(s.contains("TTY-COOKED"), "terminal not restored: {s}");
}

#[test]
fn too_small_and_resize() {
    let bin = zkdbg_bin();
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv32/fib.elf; echo TUI-EXITED $?; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("resize", &cmd);
    t.wait_for("stopped (at entry)");
    t.cmd(&["resize-window", "-t", "t", "-x", "60", "-y", "20"]);
    t.wait_for("terminal too small: 60x20");
    t.cmd(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    t.wait_for("stopped (at entry)");
    t.keys(&["i"]);
    t.wait_for("pc 0x80000004");
    t.keys(&["q"]);
    t.wait_for("TUI-EXITED 0");
}

#[test]
fn reverse_step_without_dwarf_answers_at_once() {
    // Before: a reverse step on a guest without DWARF searched a million
    // instructions back for a source line, ignoring Esc and q.
    let dir = tempdir("tui-strip");
    let stripped = dir.join("fib-stripped.elf");
    let ok = Command::new("riscv64-unknown-elf-objcopy")
        .arg("--strip-debug")
        .arg(guest("rv64", "fib"))
        .arg(&stripped)
        .status()
        .expect("riscv64-unknown-elf-objcopy (Debian's binutils-riscv64-unknown-elf)");
    assert!(ok.success());
    let cmd = format!(
        "{} tui {}; echo TUI-EXITED $?; sleep 60",
        zkdbg_bin().display(),
        stripped.display()
    );
    let t = Tmux::start("strip", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&["c"]);
    t.wait_for("exited with code 0");
    t.keys(&["r"]);
    t.wait_for("stopped (step)");
    t.keys(&["q"]);
    t.wait_for("TUI-EXITED 0");
}

/// A Rust guest on the Jolt platform: break on a Rust function by its
/// path, see its source, the inlines in the syscalls pane, and a guest
/// panic at the end of a second session.
#[test]
fn rust_jolt_guest_session() {
    let bin = zkdbg_bin();
    let elf = "guests/bin/rust/jolt-hash.elf";
    let cmd = format!(
        "cd {} && {} tui {elf} --input-hex 0361626302; echo TUI-EXITED $?; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("rust-jolt", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break jolt_hash::sha256", "Enter"]);
    t.wait_for("breakpoint at jolt_hash::sha256");
    t.keys(&["c"]);
    let s = t.wait_for("stopped (breakpoint at");
    assert!(
        s.contains("guests/rust/jolt-hash/src/main.rs:") && s.contains("in jolt_hash::sha256"),
        "{s}"
    );
    assert!(s.contains("jolt_hash::hash_chain"), "call stack: {s}");
    t.keys(&[":", "delete", "Enter", "c"]);
    let s = t.wait_for("exited with code 0");
    assert!(
        s.contains("[inline] SHA256_INIT_INLINE") && s.contains("[inline] KECCAK256_INLINE"),
        "{s}"
    );
    assert!(s.contains("hash_chain: 3 bytes, 2 rounds"), "{s}");
    t.keys(&["q"]);
    t.wait_for("TUI-EXITED 0");

    // rounds = 0: the guest panics.
    let cmd = format!(
        "cd {} && {} tui {elf} --input-hex 0361626300; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("rust-jolt-panic", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&["c"]);
    let s = t.wait_for("guest panicked (exit code 101)");
    assert!(s.contains("panicked: rounds must be at least 1"), "{s}");
}

/// `catch inline NAME` stops before the platform's inline; a name it does
/// not know is refused with the list.
#[test]
fn catch_a_jolt_inline_by_name() {
    let bin = zkdbg_bin();
    let cmd = format!(
        "cd {} && {} tui guests/bin/rust/jolt-hash.elf --input-hex 0361626302; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("catch-inline", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "catch inline SHA256_COMPRESS", "Enter"]);
    t.wait_for("unknown jolt inline `SHA256_COMPRESS` (one of: SHA256_INLINE, SHA256_INIT_INLINE,");
    t.keys(&[":", "catch inline keccak256_inline", "Enter"]);
    t.wait_for("catchpoint: inline KECCAK256_INLINE");
    t.keys(&["c"]);
    let s = t.wait_for("stopped (catchpoint: inline KECCAK256_INLINE)");
    // The disassembly names it the way Jolt does; it has not run yet.
    assert!(s.contains("KECCAK256_INLINE"), "{s}");
    assert!(
        !s.contains("[inline] KECCAK256_INLINE"),
        "it ran already: {s}"
    );
    t.keys(&["i"]);
    let s = t.wait_for("[inline] KECCAK256_INLINE");
    assert!(s.contains("stopped (step)"), "{s}");
}

/// An SP1 guest in the TUI: break in a Rust function, catch a precompile
/// by its SP1 name, step over it and see it in the syscall log.
#[test]
fn sp1_guest_session_with_a_precompile_catchpoint() {
    let bin = zkdbg_bin();
    let cmd = format!(
        "cd {} && {} tui guests/bin/sp1/sp1-hash.elf --input guests/bin/sp1/inputs/abc-2.bin; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("sp1-session", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break sp1_hash::sha256", "Enter"]);
    t.keys(&["c"]);
    let s = t.wait_for("stopped (breakpoint");
    assert!(
        s.lines()
            .any(|l| l.contains("▶0x") && l.contains(" sp1_hash::sha256+")),
        "{s}"
    );
    t.keys(&[":", "catch precompile SHA_ROUND", "Enter"]);
    t.wait_for("unknown sp1 inline `SHA_ROUND` (one of: HALT, WRITE,");
    t.keys(&[":", "catch precompile sha_compress", "Enter"]);
    t.wait_for("catchpoint: inline SHA_COMPRESS");
    t.keys(&["c"]);
    let s = t.wait_for("stopped (catchpoint: inline SHA_COMPRESS)");
    assert!(
        !s.contains("[precompile] SHA_COMPRESS"),
        "it ran already: {s}"
    );
    assert!(s.contains("[precompile] SHA_EXTEND"), "{s}");
    t.keys(&["i"]);
    let s = t.wait_for("[precompile] SHA_COMPRESS");
    assert!(s.contains("stopped (step)"), "{s}");
}

/// A RISC Zero guest in the TUI: catch the SHA ecall by RISC Zero's name,
/// step over it and see it in the syscall log.
#[test]
fn risc0_guest_session_with_a_sha_catchpoint() {
    // (data = "abc", rounds = 2) in risc0's word serialization.
    let input = "0300000061000000620000006300000002000000";
    let bin = zkdbg_bin();
    let cmd = format!(
        "cd {} && {} tui guests/bin/risc0/r0-hash.elf --input-hex {input}; sleep 60",
        repo().display(),
        bin.display()
    );
    let t = Tmux::start("risc0-session", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "catch precompile SHA", "Enter"]);
    t.wait_for("catchpoint: inline SHA");
    t.keys(&["c"]);
    let s = t.wait_for("stopped (catchpoint: inline SHA)");
    assert!(!s.contains("[precompile] SHA("), "it ran already: {s}");
    assert!(s.contains("[platform] SYS_READ("), "{s}");
    t.keys(&["i"]);
    let s = t.wait_for("[precompile] SHA(");
    assert!(s.contains("stopped (step)"), "{s}");
}

/// `zkdbg run` suggests `tui --break-at-fault` after a fault: the session
/// starts stopped at the faulting load, and reverse steps walk back to
/// the line that set the pointer up.
#[test]
fn break_at_fault_then_reverse_to_the_cause() {
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/fault-null.elf --break-at-fault; sleep 60",
        repo().display(),
        zkdbg_bin().display()
    );
    let t = Tmux::start("break-at-fault", &cmd);
    // The output pane is drawn with the rest of the screen: wait for it
    // (a capture can catch the status line before the panes).
    let s = t.wait_for("about to dereference NULL");
    assert!(s.contains("load access fault"), "{s}");
    assert!(s.contains("fault-null.c"), "{s}");
    // Reverse steps from the fault: back into the program before it.
    t.keys(&["r"]);
    let s = t.wait_for("stopped (step)");
    assert!(!s.contains("load access fault"), "{s}");
    t.keys(&["q"]);
}

/// `--source-map FROM=TO` shows the sources where they are on this
/// machine (here a marked copy of the guest's sources), and the bundled
/// Lua demo's sources are found in cargo's registry without any flag.
#[test]
fn source_map_and_registry_sources_are_shown() {
    let dir = tempdir("tui-source-map");
    let src = std::fs::read_to_string(repo().join("guests/src/fib.c")).unwrap();
    let marked = src.replacen("/* fib:", "/* COPY-MARK", 1);
    assert_ne!(marked, src);
    std::fs::write(dir.join("fib.c"), marked).unwrap();
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/fib.elf --source-map guests/src={}; sleep 60",
        repo().display(),
        zkdbg_bin().display(),
        dir.display()
    );
    let t = Tmux::start("source-map", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break fib", "Enter", "c"]);
    let s = t.wait_for("COPY-MARK");
    assert!(s.contains(&format!("{}/fib.c:", dir.display())), "{s}");
    t.keys(&["q"]);

    // Lua's C sources: the ELF names them under /cargo/registry/src (as
    // guests/build.sh builds it); cargo's registry has them once
    // guests/third_party is fetched.
    let o = std::process::Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(repo().join("guests/third_party/Cargo.toml"))
        .output()
        .expect("cargo");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/lua.elf --stdin guests/examples/hello.lua; sleep 60",
        repo().display(),
        zkdbg_bin().display()
    );
    let t = Tmux::start("source-registry", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break luaV_execute", "Enter", "c"]);
    // luaV_execute's source (lvm.c) in the source pane.
    let s = t.wait_for("vmcase(");
    assert!(s.contains("stopped (breakpoint at"), "{s}");
    assert!(s.contains("/cargo/registry/src/"), "{s}");
    assert!(!s.contains("cannot read"), "{s}");
    t.keys(&["q"]);
}

/// A watchpoint stop shows the old and the new value, as gdb does.
#[test]
fn watchpoint_stops_show_old_and_new_values() {
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/debuggee.elf; sleep 60",
        repo().display(),
        zkdbg_bin().display()
    );
    let t = Tmux::start("watch-values", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "watch counter", "Enter"]);
    t.keys(&["c"]);
    let s = t.wait_for("old value 0x0 (0) -> new value 0x1 (1)");
    assert!(s.contains("watchpoint"), "{s}");
    // The memory pane shows the watched address.
    let at = s
        .split("watchpoint (Write) at ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_else(|| panic!("{s}"))
        .trim_start_matches("0x")
        .to_string();
    assert!(
        s.contains(&format!("0x{at}  01 00 00 00")),
        "memory pane at {at}: {s}"
    );
    t.keys(&["c"]);
    t.wait_for("old value 0x1 (1) -> new value 0x2 (2)");
    t.keys(&["q"]);
}

/// After `:profile`, the source and disassembly panes show the cycles
/// each line and instruction took (from the entry to now).
#[test]
fn profile_annotates_source_and_disassembly_with_cycles() {
    let dir = tempdir("tui-annotate");
    let cmd = format!(
        "cd {} && {} tui {} --source-map guests={}; sleep 60",
        dir.display(),
        zkdbg_bin().display(),
        repo().join("guests/bin/rv64/fib.elf").display(),
        repo().join("guests").display()
    );
    let t = Tmux::start("annotate", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break fib", "Enter", "c"]);
    t.wait_for("stopped (breakpoint at");
    t.keys(&[":", "profile p.svg", "Enter"]);
    let s = t.wait_for("(cycles to instruction");
    assert!(dir.join("p.svg").exists(), "{s}");
    // main's printf line (its call to fib) carries a cycle count; so does
    // an instruction of the disassembly.
    let counted = s.lines().any(|l| {
        let mut w = l.trim_start_matches('│').split_whitespace();
        let (Some(a), Some(b)) = (w.next(), w.next()) else {
            return false;
        };
        let a = a.trim_start_matches(['●', '▶']);
        a.parse::<u32>().is_ok() && b.parse::<u64>().is_ok_and(|c| c > 0) && l.contains("printf(")
    });
    assert!(counted, "{s}");
    assert!(
        s.lines().any(|l| l.contains(" fib+0x")
            && l.split_whitespace()
                .nth(2)
                .is_some_and(|c| c.parse::<u64>().is_ok())),
        "{s}"
    );
    t.keys(&["q"]);
}

/// The locals pane, `:print` and frame selection: `u` moves to the caller
/// (the source pane shows the call, the locals pane the caller's), `:print`
/// evaluates there, `d` comes back; the memory pane grows with `+`.
#[test]
fn locals_print_and_frame_selection() {
    let cmd = format!(
        "cd {} && {} tui guests/bin/rv64/vars.elf; sleep 60",
        repo().display(),
        zkdbg_bin().display()
    );
    let t = Tmux::start("locals", &cmd);
    t.wait_for("stopped (at entry)");
    t.keys(&[":", "break area", "Enter", "c"]);
    let s = t.wait_for("locals of #0 area");
    assert!(s.contains("scale: int = 2"), "{s}");
    assert!(s.contains("s: struct shape * = 0x"), "{s}");
    t.keys(&[":", "print s->corners[2]", "Enter"]);
    t.wait_for("s->corners[2] = {x = 5, y = -6}");
    t.keys(&["u"]);
    let s = t.wait_for("locals of #1 main");
    assert!(s.contains("frame #1: guests/src/vars.c:46 in main"), "{s}");
    assert!(s.contains("letter: char = 90 'Z'"), "{s}");
    assert!(s.contains("tri: struct shape = {name = 0x"), "{s}");
    // The call stack highlights frame 1; the source pane shows the call.
    assert!(
        s.lines()
            .any(|l| l.contains("long long total = area(&tri, 2);")),
        "{s}"
    );
    t.keys(&[":", "print tri.name", "Enter"]);
    t.wait_for("\"triangle\"");
    t.keys(&["d"]);
    t.wait_for("locals of #0 area");
    // The memory pane: Tab to it, then grow it by two rows.
    let rows = |s: &str| {
        s.lines()
            .filter(|l| l.contains("  ") && l.contains("│0x"))
            .count()
    };
    let before = rows(&t.screen());
    t.keys(&["\t", "\t", "\t", "+", "+"]);
    let t0 = Instant::now();
    while rows(&t.screen()) < before + 2 {
        assert!(t0.elapsed() < Duration::from_secs(20), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    t.keys(&["q"]);
}

/// `zkdbg run` on a terminal: its progress line (after half a second)
/// steps aside for the guest's output, so every line the guest prints
/// stays whole, and it is gone at the end. (`env -u CI`: the line is only
/// drawn outside CI.)
#[test]
fn run_progress_line_steps_aside_for_guest_output() {
    let dir = tempdir("progress");
    let script = dir.join("p.lua");
    std::fs::write(
        &script,
        "for j=1,3 do local s=0 for i=1,1500000 do s=s+i%7 end print(\"line \"..j..\" \"..s) end\n",
    )
    .unwrap();
    let cmd = format!(
        "cd {} && env -u CI {} run guests/bin/rv64/lua.elf --stdin {}; sleep 60",
        repo().display(),
        zkdbg_bin().display(),
        script.display()
    );
    let t = Tmux::start("progress", &cmd);
    // The spinner shows while the guest runs...
    let s = t.wait_for(" MIPS");
    assert!(s.contains("instructions,"), "{s}");
    // ...and the guest's lines stay whole beside it.
    let s = t.wait_for("zkdbg: exit 0");
    for j in 1..=3 {
        assert!(
            s.lines().any(|l| l == format!("line {j} 4500000")),
            "line {j}: {s}"
        );
    }
    assert!(!s.contains("instructions, "), "the spinner is cleared: {s}");
}
