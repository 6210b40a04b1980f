//! The compiled tier against the interpreter: every bundled guest (both
//! XLENs, every platform) run with `--engine interp` and `--engine jit`
//! gives the same stdout, stderr (but wall time and MIPS), exit status and
//! report; `trace` gives the same JSONL; a run stopped by `--max-cycles`
//! stops at the same instruction.

use zkdbg_tests::{repo, run_report, tempdir, zkdbg};

/// Block starts before a block compiles, in these tests: low, so that
/// short runs compile nearly all their code (the default waits for
/// thousands).
const JIT_THRESHOLD: &str = "2";

/// The bundled guests and the arguments they run with.
fn cases() -> Vec<Vec<String>> {
    let bin = repo().join("guests/bin");
    let p = |rel: &str| bin.join(rel).to_str().unwrap().to_string();
    let mut cases: Vec<Vec<String>> = Vec::new();
    for arch in ["rv32", "rv64"] {
        for name in [
            "bench",
            "debuggee",
            "fault-illegal",
            "fault-misaligned",
            "fault-null",
            "fib",
            "hello",
            "hostile",
            "kernel",
            "lua",
            "prof",
            "secp256k1",
            "sha256",
            "vars",
        ] {
            cases.push(vec![p(&format!("{arch}/{name}.elf"))]);
        }
    }
    for (elf, input) in [
        ("sp1/sp1-hash.elf", "sp1/inputs/abc-2.bin"),
        ("sp1/sp1-hash-v5.elf", "sp1/inputs/abc-2.bin"),
        ("sp1/sp1-hash.elf", "sp1/inputs/speed-20000.bin"),
        ("risc0/r0-hash.elf", "risc0/inputs/abc-2.bin"),
        ("risc0/r0-bigint.elf", "risc0/inputs/bigint-10.bin"),
        ("risc0/r0-poseidon2.elf", "risc0/inputs/poseidon2-4.bin"),
        ("openvm/ov-hash.elf", "openvm/inputs/abc-2.bin"),
        ("openvm/ov-hash.elf", "openvm/inputs/speed-5000.bin"),
    ] {
        cases.push(vec![p(elf), "--input".into(), p(input)]);
    }
    for elf in [
        "rust/jolt-ecc.elf",
        "rust/jolt-hash.elf",
        "rust/linux-hello.elf",
        "zisk/zisk-hash.elf",
        "zisk/zk-hash.elf",
        "zisk/vendor/go-hello-world.elf",
        "zisk/vendor/sha-hasher-v0.4.elf",
        "zisk/vendor/ziskfloat.elf",
    ] {
        cases.push(vec![p(elf)]);
    }
    for bin_name in ["fib", "deleg"] {
        cases.push(vec![
            p(&format!("airbender/{bin_name}.bin")),
            "--platform".into(),
            "airbender".into(),
        ]);
    }
    cases
}

/// stderr without the run summary's wall time and MIPS.
fn timeless(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| {
            l.split(" | ")
                .filter(|f| !f.ends_with(" s") && !f.ends_with(" MIPS"))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn both(tag: &str, args: &[String]) {
    let run = |engine: &str| {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(["--engine", engine, "--jit-threshold", JIT_THRESHOLD]);
        run_report(tag, &a)
    };
    let (oi, ri) = run("interp");
    let (oj, rj) = run("jit");
    let what = args.join(" ");
    assert_eq!(oi.status.code(), oj.status.code(), "exit status of {what}");
    assert!(oi.stdout == oj.stdout, "stdout of {what}");
    assert_eq!(
        timeless(&oi.stderr),
        timeless(&oj.stderr),
        "stderr of {what}"
    );
    assert_eq!(ri, rj, "report of {what}");
}

#[test]
fn every_bundled_guest_runs_the_same_on_both_engines() {
    for args in cases() {
        both("engines", &args);
    }
}

#[test]
fn a_cycle_limit_stops_both_engines_at_the_same_instruction() {
    let g = repo().join("guests/bin/rv64/bench.elf");
    let g = g.to_str().unwrap().to_string();
    // Limits inside hot loops, at and around block boundaries.
    for limit in [1_000u64, 65_537, 1_000_003, 2_345_679] {
        both(
            "engines-limit",
            &[g.clone(), "--max-cycles".into(), limit.to_string()],
        );
    }
}

#[test]
fn traces_are_identical_on_both_engines() {
    let dir = tempdir("engines-trace");
    for (arch, name) in [("rv64", "hello"), ("rv32", "lua"), ("rv64", "kernel")] {
        let g = repo().join(format!("guests/bin/{arch}/{name}.elf"));
        let mut out = Vec::new();
        for engine in ["interp", "jit"] {
            let f = dir.join(format!("{arch}-{name}-{engine}.jsonl"));
            let o = zkdbg(&[
                "trace",
                g.to_str().unwrap(),
                "--engine",
                engine,
                "--jit-threshold",
                JIT_THRESHOLD,
                "-o",
                f.to_str().unwrap(),
            ]);
            assert!(o.status.success() || o.status.code().is_some(), "{o:?}");
            out.push(std::fs::read(&f).unwrap_or_default());
        }
        assert!(!out[0].is_empty(), "{arch} {name}: empty trace");
        assert!(out[0] == out[1], "{arch} {name}: traces differ");
    }
}

/// The debugger's `continue` runs compiled between breakpoints (blocks
/// holding one run interpreted): ten breakpoints on functions spread over
/// the program stop both engines at the same places, with the same
/// counters and registers.
#[test]
fn continue_stops_at_the_same_breakpoints_on_both_engines() {
    use zkdbg::core::{Debugger, Event, Resume};
    let bin = repo().join("guests/bin");
    for (rel, input) in [
        ("rv64/bench.elf", None),
        ("rv32/lua.elf", None),
        ("rv64/secp256k1.elf", None),
        ("sp1/sp1-hash.elf", Some("sp1/inputs/abc-2.bin")),
    ] {
        let session = |engine| {
            let mut args = zkdbg::guest::GuestOptions::new(bin.join(rel));
            args.engine = engine;
            args.jit_threshold = 2;
            if let Some(i) = input {
                args.zkvm.inputs = vec![zkdbg::guest::Bytes::File(bin.join(i))];
            }
            let guest = zkdbg::guest::Guest::load(&args, zeroos::Output::Capture).unwrap();
            let funcs: Vec<u64> = guest
                .machine
                .program
                .symbols
                .iter()
                .filter(|s| s.is_function && s.size > 0)
                .map(|s| s.addr)
                .collect();
            let mut dbg = Debugger::new(guest, 16 << 20);
            for i in 0..10 {
                dbg.set_breakpoint(funcs[i * funcs.len() / 10]);
            }
            let mut stops = Vec::new();
            let mut first = false;
            for _ in 0..400 {
                let ev = dbg.resume(Resume::Continue, first, || false);
                first = true;
                let m = &dbg.guest().machine;
                stops.push((ev.clone(), m.cpu.pc, m.cpu.instret, m.cpu.cycle, m.cpu.x));
                if !matches!(ev, Event::Breakpoint(_)) {
                    break;
                }
            }
            (stops, dbg.guest().machine.compiled_blocks())
        };
        let (interp, none) = session(zkdbg_emulator::Engine::Interp);
        let (jit, compiled) = session(zkdbg_emulator::Engine::Jit);
        assert_eq!(none, 0, "{rel}: the interpreter compiled");
        assert!(compiled > 0, "{rel}: nothing ran compiled");
        assert!(interp.len() > 1, "{rel}: no breakpoint hit");
        assert_eq!(interp, jit, "{rel}: stops differ");
    }
}

/// `profile` runs compiled (each compiled block reports its instructions'
/// pcs and cycles): folded stacks, JSON summary, pprof (per-pc
/// locations), the Firefox timeline and `--by line` are byte-identical to
/// the interpreter's.
#[test]
fn profiles_are_identical_on_both_engines() {
    let dir = tempdir("engines-profile");
    let bin = repo().join("guests/bin");
    for (rel, input) in [
        ("rv64/hello.elf", None),
        ("rv32/lua.elf", None),
        ("rv64/kernel.elf", None),
        ("rv64/prof.elf", None),
        ("rv32/secp256k1.elf", None),
        ("sp1/sp1-hash.elf", Some("sp1/inputs/abc-2.bin")),
        ("rust/jolt-hash.elf", None),
        ("zisk/zk-hash.elf", None),
    ] {
        let mut outs = Vec::new();
        for engine in ["interp", "jit"] {
            let base = dir.join(format!("{}-{engine}", rel.replace('/', "-")));
            let f = |ext: &str| base.with_extension(ext).to_str().unwrap().to_string();
            let g = bin.join(rel);
            let mut args = vec![
                "profile".to_string(),
                g.to_str().unwrap().to_string(),
                "--engine".into(),
                engine.into(),
                "--jit-threshold".into(),
                JIT_THRESHOLD.into(),
                "--folded".into(),
                f("folded"),
                "--json".into(),
                f("json"),
                "--pprof".into(),
                f("pb.gz"),
                "--gecko".into(),
                f("gecko.json"),
                "--sample-every".into(),
                "997".into(),
                "--by".into(),
                "line".into(),
                "--top".into(),
                "40".into(),
            ];
            if let Some(i) = input {
                args.extend(["--input".into(), bin.join(i).to_str().unwrap().to_string()]);
            }
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = zkdbg(&a);
            assert!(o.status.code().is_some(), "{rel}: {o:?}");
            let read = |ext: &str| std::fs::read(f(ext)).unwrap_or_default();
            outs.push((
                o.stdout,
                read("folded"),
                read("json"),
                read("pb.gz"),
                read("gecko.json"),
            ));
        }
        assert!(!outs[0].1.is_empty(), "{rel}: no folded stacks");
        assert!(outs[0].0 == outs[1].0, "{rel}: top lines differ");
        assert!(outs[0].1 == outs[1].1, "{rel}: folded stacks differ");
        assert!(outs[0].2 == outs[1].2, "{rel}: JSON summaries differ");
        assert!(outs[0].3 == outs[1].3, "{rel}: pprof files differ");
        assert!(outs[0].4 == outs[1].4, "{rel}: timelines differ");
    }
}
