//! `zkdbg profile` and `zkdbg trace` on guests with known answers.

use std::path::Path;
use std::process::Command;
use zkdbg_tests::*;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Profiles `arch/name` and returns (folded lines, JSON summary).
fn profile(
    arch: &str,
    name: &str,
    stdin: Option<&Path>,
) -> (Vec<(String, u64)>, serde_json::Value) {
    let dir = tempdir(&format!("prof-{arch}-{name}"));
    let folded = dir.join("p.folded");
    let json = dir.join("p.json");
    let g = guest(arch, name);
    let mut args = vec![
        "profile",
        g.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    if let Some(s) = stdin {
        args.extend(["--stdin", s.to_str().unwrap()]);
    }
    let o = zkdbg(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = std::fs::read_to_string(&folded)
        .unwrap()
        .lines()
        .map(|l| {
            let (stack, n) = l.rsplit_once(' ').expect("folded line");
            (stack.to_string(), n.parse().expect("count"))
        })
        .collect();
    let j = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    (lines, j)
}

fn function<'a>(j: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    j["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no function {name} in the profile"))
}

fn syscall<'a>(j: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    j["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no syscall {name} in the profile"))
}

fn report_cycles(arch: &str, name: &str, stdin: Option<&Path>) -> u64 {
    let dir = tempdir(&format!("rep-{arch}-{name}"));
    let r = dir.join("r.json");
    let g = guest(arch, name);
    let mut args = vec!["run", g.to_str().unwrap(), "--report", r.to_str().unwrap()];
    if let Some(s) = stdin {
        args.extend(["--stdin", s.to_str().unwrap()]);
    }
    zkdbg(&args);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&r).unwrap()).unwrap();
    r["cycles"].as_u64().unwrap()
}

#[test]
fn known_instruction_counts_tail_calls_and_inline_frames() {
    for arch in ARCHES {
        let (folded, j) = profile(arch, "prof", None);
        // spin10 is 1 + 2*10 + 1 = 22 instructions; main calls it 7 times
        // (once after a longjmp) and tail_to_spin tail-calls it once.
        let spin = function(&j, "spin10");
        assert_eq!(spin["self_cycles"], 8 * 22, "{arch}");
        assert_eq!(spin["calls"], 8, "{arch}");
        assert_eq!(function(&j, "tail_to_spin")["self_cycles"], 2, "{arch}");
        // The tail call does not grow the stack: spin10 always sits right
        // under main.
        let spin_stacks: Vec<&String> = folded
            .iter()
            .filter(|(s, _)| s.ends_with(";spin10"))
            .map(|(s, _)| s)
            .collect();
        assert_eq!(spin_stacks, ["_start;__zk_start;main;spin10"], "{arch}");
        // longjmp out of six deep() frames: unwound by stack pointer, and
        // the call after it sits right under main again (checked above).
        assert!(folded
            .iter()
            .any(|(s, _)| s == "_start;__zk_start;main;deep;deep;deep;deep;deep;deep;longjmp"));
        assert_eq!(j["stack"]["unwinds"], 1, "{arch}");
        // The static inline checksum is its own frame under main, with its
        // source line.
        let ck = function(&j, "checksum");
        assert!(ck["self_cycles"].as_u64().unwrap() > 1000, "{arch}: {ck}");
        let loc = ck["location"].as_str().unwrap();
        let line: u32 = loc
            .strip_prefix("guests/src/prof.c:")
            .unwrap_or_else(|| panic!("{loc}"))
            .parse()
            .unwrap();
        assert!((29..=35).contains(&line), "{loc}");
        assert!(folded
            .iter()
            .any(|(s, _)| s == "_start;__zk_start;main;checksum"));
        // The SP1-style span covers the checksum and little else.
        let span = &j["spans"][0];
        assert_eq!(span["name"], "checksum");
        assert_eq!(span["count"], 1);
        let c = span["cycles"].as_u64().unwrap();
        let own = ck["self_cycles"].as_u64().unwrap();
        assert!(
            c >= own && c < own + 2500,
            "{arch}: span {c}, checksum {own}"
        );
        assert_eq!(j["stack"]["confusions"], 0);
    }
}

#[test]
fn fib_recursion_depth_and_exact_totals() {
    let script = tempdir("lua-script").join("s.lua");
    std::fs::write(&script, LUA_SCRIPT).unwrap();
    for arch in ARCHES {
        let (folded, j) = profile(arch, "fib", None);
        // fib(20) recurses down to fib(1): 20 nested frames.
        let depth = folded
            .iter()
            .map(|(s, _)| s.split(';').filter(|f| *f == "fib").count())
            .max()
            .unwrap();
        assert_eq!(depth, 20, "{arch}");
        assert!(function(&j, "fib")["calls"].as_u64().unwrap() > 1000);
        // Every cycle is attributed: folded counts sum to run's cycles.
        for (name, stdin) in [
            ("fib", None),
            ("hello", None),
            ("kernel", None),
            ("prof", None),
            ("lua", Some(script.as_path())),
        ] {
            let (folded, j) = profile(arch, name, stdin);
            let sum: u64 = folded.iter().map(|(_, n)| n).sum();
            let cycles = report_cycles(arch, name, stdin);
            assert_eq!(sum, cycles, "{arch} {name}");
            assert_eq!(j["cycles"], cycles, "{arch} {name}");
        }
    }
}

#[test]
fn syscalls_are_leaf_frames_and_kernel_frames_sit_under_them() {
    for arch in ARCHES {
        let (folded, j) = profile(arch, "hello", None);
        let writes: u64 = folded
            .iter()
            .filter(|(s, _)| s.ends_with(";[syscall] write"))
            .map(|(_, n)| n)
            .sum();
        // Four writes (three to stdout, one to the file), 1 + 128 cycles each.
        assert_eq!(writes, 4 * 129, "{arch}");
        let w = syscall(&j, "write");
        assert_eq!(w["count"], 4);
        assert_eq!(w["bytes"], 32 + 41 + 18 + 29);

        let (folded, j) = profile(arch, "kernel", None);
        let kernel: Vec<&String> = folded
            .iter()
            .filter(|(s, _)| s.contains("kernel_write"))
            .map(|(s, _)| s)
            .collect();
        assert!(!kernel.is_empty());
        for s in kernel {
            assert!(
                s.contains(";[syscall] write;trap_vector;kernel_trap;kernel_write"),
                "{s}"
            );
        }
        let w = syscall(&j, "write");
        assert_eq!(w["count"], 3, "{arch}: three writes served in-guest");
    }
}

#[test]
fn outputs_are_byte_identical_and_pprof_reads_back() {
    let dir = tempdir("prof-ident");
    let g = guest("rv64", "sha256");
    let run = |tag: &str| -> Vec<Vec<u8>> {
        let files: Vec<String> = ["svg", "folded", "json", "pb.gz"]
            .iter()
            .map(|e| dir.join(format!("{tag}.{e}")).to_str().unwrap().to_string())
            .collect();
        let o = zkdbg(&[
            "profile",
            g.to_str().unwrap(),
            "-o",
            &files[0],
            "--folded",
            &files[1],
            "--json",
            &files[2],
            "--pprof",
            &files[3],
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    };
    let a = run("a");
    let b = run("b");
    assert_eq!(a, b);
    let svg = String::from_utf8(a[0].clone()).unwrap();
    assert!(
        svg.starts_with("<?xml") && svg.contains("sha256.elf"),
        "svg"
    );
    assert!(svg.contains("cycles"));

    // go tool pprof reads the pprof file and sees the same total.
    let cycles: u64 = serde_json::from_slice::<serde_json::Value>(&a[2]).unwrap()["cycles"]
        .as_u64()
        .unwrap();
    let o = Command::new("go")
        .args(["tool", "pprof", "-top"])
        .arg(dir.join("a.pb.gz"))
        .env("HOME", &dir)
        .output()
        .expect("go not found: install Debian's golang-go (scripts/test.sh does)");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.contains(&format!("of {cycles} total")), "{out}");
    assert!(
        out.contains("sha256_block") || out.contains("sha256"),
        "{out}"
    );
}

#[test]
fn top_table_and_diff() {
    let dir = tempdir("prof-diff");
    let (a, b) = (dir.join("fib.folded"), dir.join("prof.folded"));
    let o = zkdbg(&[
        "profile",
        guest("rv64", "fib").to_str().unwrap(),
        "--folded",
        a.to_str().unwrap(),
        "--top",
        "3",
    ]);
    let table = String::from_utf8_lossy(&o.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows[0], "fib(20) = 6765", "{table}"); // the guest's stdout
    assert_eq!(
        rows[1], "",
        "a blank line after the guest's output: {table}"
    );
    assert!(
        rows[2].contains("self") && rows[2].contains("function"),
        "{table}"
    );
    assert!(rows[3].contains("fib (guests/src/fib.c:"), "{table}");
    assert_eq!(rows.len(), 1 + 1 + 1 + 3, "{table}"); // stdout, blank, header, 3
    zkdbg(&[
        "profile",
        guest("rv64", "prof").to_str().unwrap(),
        "--folded",
        b.to_str().unwrap(),
    ]);
    let svg = dir.join("diff.svg");
    let o = zkdbg(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(
        s.contains("Differential") && s.contains("spin10"),
        "diff svg"
    );
}

/// The syscall names of `qemu-riscv64 -strace`, in order.
fn qemu_strace(arch: &str, name: &str) -> Vec<String> {
    let o = Command::new(qemu(arch))
        .arg("-strace")
        .arg(guest(arch, name))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stderr);
    let mut names = Vec::new();
    for line in text.lines() {
        // "PID name(args) = ret"; guest output may share a line.
        let mut parts = line.splitn(2, ' ');
        let (Some(pid), Some(rest)) = (parts.next(), parts.next()) else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(i) = rest.find('(') {
            names.push(rest[..i].to_string());
        }
    }
    names
}

#[test]
fn trace_matches_qemu_strace_and_jsonl_schema() {
    for arch in ARCHES {
        let dir = tempdir(&format!("trace-{arch}"));
        let out = dir.join("t.jsonl");
        let g = guest(arch, "hello");
        let o = zkdbg(&[
            "trace",
            g.to_str().unwrap(),
            "--format",
            "jsonl",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let recs: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ours: Vec<String> = recs
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        let mut theirs = qemu_strace(arch, "hello");
        // QEMU names rv32's llseek `_llseek`; both say brk, openat, ...
        for n in &mut theirs {
            if n == "_llseek" {
                *n = "llseek".into();
            }
        }
        assert_eq!(ours, theirs, "{arch}");
        for r in &recs {
            for key in [
                "cycle", "pc", "function", "location", "nr", "name", "args", "ret", "errno",
                "cycles",
            ] {
                assert!(r.get(key).is_some(), "{key} missing in {r}");
            }
        }
        let w = &recs[0];
        assert_eq!(w["name"], "write");
        assert_eq!(w["nr"], 64);
        assert_eq!(w["args"][0], 1);
        assert_eq!(w["args"][1], format!("Hello from a zkVM guest ({arch})!\n"));
        assert_eq!(w["ret"], 32);
        assert!(w["pc"].as_str().unwrap().starts_with("0x"));
        let open = recs.iter().find(|r| r["name"] == "openat").unwrap();
        assert_eq!(open["args"][0], "AT_FDCWD");
        assert_eq!(open["args"][1], "/tmp/zkdbg-hello.txt");
        assert_eq!(open["args"][2], "O_WRONLY|O_CREAT|O_TRUNC");

        // strace text, to stderr by default.
        let o = zkdbg(&["trace", g.to_str().unwrap()]);
        let text = stderr(&o);
        assert!(
            text.contains(&format!(
                "write(1, \"Hello from a zkVM guest ({arch})!\\n\", 32) = 32 <129 cycles>"
            )),
            "{text}"
        );
        assert!(text.contains("exit_group(0) = ?"), "{text}");
    }
}

/// The first interpreter on PATH that has `jsonschema` (pyenv's or
/// Debian's python3-jsonschema, which scripts/test.sh installs).
fn python_with_jsonschema() -> &'static str {
    for py in ["python3", "/usr/bin/python3"] {
        let ok = Command::new(py)
            .args(["-c", "import jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return py;
        }
    }
    panic!(
        "no python3 with jsonschema: install Debian's python3-jsonschema (scripts/test.sh does)"
    );
}

/// `--gecko` and `--speedscope`: a timeline of the run sampled every N
/// cycles, in cycle order (Lua's start-up before its interpreter loop);
/// speedscope's file passes speedscope's own schema (speedscope 1.25.0's
/// file-format-schema.json, vendored in tests/data), the Firefox Profiler
/// file has the same samples; both are byte-identical across runs.
#[test]
fn gecko_and_speedscope_timelines() {
    let dir = tempdir("prof-timeline");
    let run = |tag: &str| -> (Vec<u8>, Vec<u8>) {
        let (g, s) = (
            dir.join(format!("{tag}.gecko.json")),
            dir.join(format!("{tag}.ss.json")),
        );
        let o = zkdbg(&[
            "profile",
            guest("rv64", "lua").to_str().unwrap(),
            "--stdin",
            repo().join("guests/examples/hello.lua").to_str().unwrap(),
            "--gecko",
            g.to_str().unwrap(),
            "--speedscope",
            s.to_str().unwrap(),
            "--sample-every",
            "100000",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        (std::fs::read(&g).unwrap(), std::fs::read(&s).unwrap())
    };
    let (g1, s1) = run("a");
    let (g2, s2) = run("b");
    assert_eq!(g1, g2);
    assert_eq!(s1, s2);
    let ss = dir.join("a.ss.json");
    let o = Command::new(python_with_jsonschema())
        .args([
            "-c",
            "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')",
        ])
        .arg(&ss)
        .arg(repo().join("tests/data/speedscope-file-format-schema.json"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let s: serde_json::Value = serde_json::from_slice(&s1).unwrap();
    let p = &s["profiles"][0];
    let samples = p["samples"].as_array().unwrap();
    let frames = s["shared"]["frames"].as_array().unwrap();
    let name = |i: &serde_json::Value| {
        frames[i.as_u64().unwrap() as usize]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // 64 M cycles / 100 000: 640 samples, each weighing the interval.
    assert_eq!(samples.len(), 640);
    assert!(p["weights"].as_array().unwrap().iter().all(|w| w == 100000));
    assert_eq!(p["endValue"], 64_000_000);
    let in_vm = |st: &serde_json::Value| {
        st.as_array()
            .unwrap()
            .iter()
            .any(|f| name(f) == "luaV_execute")
    };
    assert!(!in_vm(&samples[0]), "the first sample is start-up code");
    let first_vm = samples
        .iter()
        .position(in_vm)
        .expect("the interpreter loop runs");
    assert!(first_vm > 0 && samples[first_vm..].iter().filter(|s| in_vm(s)).count() > 500);
    assert!(frames
        .iter()
        .any(|f| f["name"] == "luaV_execute" && f["file"].as_str().unwrap().ends_with("lvm.c")));
    // The Firefox Profiler's processed format: one thread, the same samples.
    let g: serde_json::Value = serde_json::from_slice(&g1).unwrap();
    assert!(
        g["meta"]["version"].as_u64().unwrap() >= 24,
        "{}",
        g["meta"]
    );
    let t = &g["threads"][0];
    assert_eq!(t["samples"]["length"], 640, "{}", t["samples"]);
    let cats: Vec<&str> = g["meta"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for c in ["Function", "Syscall", "Precompile", "Platform"] {
        assert!(cats.contains(&c), "{cats:?}");
    }
    let text = String::from_utf8(g1).unwrap();
    assert!(text.contains("\"luaV_execute\""), "strings");
}

/// `zkdbg diff --top N`: a text diff of two folded files, functions by
/// change of total cycles (recursion counted once), with self cycles, and
/// a clear error for a malformed line.
#[test]
fn diff_top_prints_the_biggest_changes() {
    let dir = tempdir("prof-diff-top");
    let (b, a) = (dir.join("b.folded"), dir.join("a.folded"));
    std::fs::write(&b, "main;f 100\nmain;g 50\nmain;f;f 10\n").unwrap();
    std::fs::write(&a, "main;f 20\nmain;g 50\nmain;h 300\nmain 5\n").unwrap();
    let o = zkdbg(&[
        "diff",
        b.to_str().unwrap(),
        a.to_str().unwrap(),
        "-o",
        dir.join("d.svg").to_str().unwrap(),
        "--top",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "total: 160 -> 375 cycles (+215, +134.38%)",
        "{out}"
    );
    assert!(lines[1].contains("total delta") && lines[1].ends_with("function"));
    // main +215; h +300 (new); f 110 -> 20 (recursion counted once).
    let row = |name: &str| -> Vec<String> {
        let l = lines
            .iter()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("no {name}: {out}"));
        l.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(row("h")[..6], ["+300", "+187.50%", "0", "300", "0", "300"]);
    assert_eq!(
        row("main")[..6],
        ["+215", "+134.38%", "160", "375", "0", "5"]
    );
    assert_eq!(row("f")[..6], ["-90", "-56.25%", "110", "20", "110", "20"]);
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[2].ends_with("  h"),
        "sorted by the size of the change: {out}"
    );
    // The SVG: frames coloured by their function's total change (h, new,
    // the largest: saturated red; main +215: red too; f -90: blue; g
    // unchanged: grey), tooltips with the totals.
    let svg = std::fs::read_to_string(dir.join("d.svg")).unwrap();
    for (class, title) in [
        (
            "zk-more4",
            "h: 0 -> 300 cycles in total (+300, +187.50% of the run before)",
        ),
        (
            "zk-more3",
            "main: 160 -> 375 cycles in total (+215, +134.38% of the run before)",
        ),
        (
            "zk-less1",
            "f: 110 -> 20 cycles in total (-90, -56.25% of the run before)",
        ),
        (
            "zk-same",
            "g: 50 -> 50 cycles in total (+0, +0.00% of the run before)",
        ),
    ] {
        assert!(
            svg.contains(&format!(
                "<g class=\"{class}\"><title>{}</title>",
                title.replace('>', "&gt;")
            )),
            "{class} {title}: {svg}"
        );
        assert!(svg.contains(&format!("g.{class} rect {{ fill:")), "{class}");
    }
    std::fs::write(&a, "main;f twenty\n").unwrap();
    let o = zkdbg(&[
        "diff",
        b.to_str().unwrap(),
        a.to_str().unwrap(),
        "--top",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("AFTER: line 1: not `frame;frame;... COUNT`"),
        "{}",
        stderr(&o)
    );
}

/// `--top N --by line`: cycles per source line (each instruction's
/// innermost inline frame); a function's lines sum exactly to its self
/// cycles in the folded profile.
#[test]
fn top_by_line_sums_to_the_functions_self_cycles() {
    let dir = tempdir("prof-lines");
    let folded = dir.join("f.folded");
    let o = zkdbg(&[
        "profile",
        guest("rv64", "fib").to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
        "--top",
        "1000",
        "--by",
        "line",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let rows: Vec<(u64, String)> = out
        .lines()
        .skip_while(|l| !l.contains("line (function)"))
        .skip(1)
        .map(|l| {
            let mut it = l.split_whitespace();
            let n = it.next().unwrap().parse().unwrap();
            (n, l.to_string())
        })
        .collect();
    let fib_lines: Vec<&(u64, String)> = rows.iter().filter(|r| r.1.ends_with(" (fib)")).collect();
    assert!(fib_lines.len() >= 3, "{out}");
    assert!(
        fib_lines.iter().all(|r| r.1.contains("guests/src/fib.c:")),
        "{out}"
    );
    // Sorted by cycles.
    assert!(rows.windows(2).all(|w| w[0].0 >= w[1].0), "{out}");
    let text = std::fs::read_to_string(&folded).unwrap();
    let fib_self = folded_cycles(&text, Some(";fib"));
    assert_eq!(
        fib_lines.iter().map(|r| r.0).sum::<u64>(),
        fib_self,
        "{out}"
    );
    // All lines together: every instruction's cycles.
    assert_eq!(
        rows.iter().map(|r| r.0).sum::<u64>(),
        folded_cycles(&text, None)
    );
    // --by needs --top.
    let o = zkdbg(&[
        "profile",
        guest("rv64", "fib").to_str().unwrap(),
        "--by",
        "line",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Flamegraph frames are coloured by kind: syscall, precompile and
/// platform frames carry a class the SVG's style sheet colours, and the
/// subtitle is the legend.
#[test]
fn flamegraph_colours_frames_by_kind() {
    let dir = tempdir("prof-colours");
    let svg = dir.join("h.svg");
    let o = zkdbg(&[
        "profile",
        guest("rv64", "hello").to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("<g class=\"zk-syscall\"><title>[syscall] write ("),
        "syscall class"
    );
    assert!(text.contains("g.zk-syscall rect { fill:"), "style sheet");
    assert!(
        text.contains("[syscall] orange, [precompile]/[inline] red"),
        "legend"
    );
    assert!(
        !text.contains("class=\"zk-syscall\"><title>main "),
        "functions keep inferno's colours"
    );
    // A syscall narrower than a pixel (sha256's write of its digest after
    // hashing 40 KB) is drawn one pixel wide;
    // its tooltip gives its exact cycles; the folded output is exact.
    let (svg, folded, input) = (dir.join("s.svg"), dir.join("s.folded"), dir.join("in"));
    std::fs::write(&input, vec![b'a'; 40_000]).unwrap();
    let o = zkdbg(&[
        "profile",
        guest("rv64", "sha256").to_str().unwrap(),
        "--stdin",
        input.to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folded = std::fs::read_to_string(&folded).unwrap();
    let total: u64 = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    let write: u64 = folded
        .lines()
        .filter(|l| l.contains(";[syscall] write "))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    assert!(write > 0 && write < total / 1180, "{write} of {total}");
    let text = std::fs::read_to_string(&svg).unwrap();
    let title = format!("[syscall] write ({write} cycles in all; drawn at least 1 pixel wide)");
    let at = text.find(&title).unwrap_or_else(|| panic!("{title}"));
    // The frame's rect: at least one pixel wide.
    let rect = &text[at..];
    let width: f64 = rect
        .split("width=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|w| w.trim_end_matches('%').parse().ok())
        .unwrap_or_else(|| panic!("{rect:.300}"));
    // Inferno's widths are percentages of 1200 pixels.
    assert!(width >= 100.0 / 1200.0, "{width}% ({rect:.300})");
    let svg = dir.join("o.svg");
    let input = repo().join("guests/bin/openvm/inputs/abc-2.bin");
    let o = zkdbg(&[
        "profile",
        repo()
            .join("guests/bin/openvm/ov-hash.elf")
            .to_str()
            .unwrap(),
        "--input",
        input.to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("<g class=\"zk-precompile\"><title>[precompile] KECCAKF ("),
        "precompile class"
    );
}

/// `--span NAME`: the profile of one cycle-tracking span (here SP1's
/// `cycle-tracker-start: sha256` ... `-end`): its folded stacks sum to the
/// span's cycles, with full call paths; an unknown span is an error naming
/// the spans the guest ran.
#[test]
fn span_profiles_cover_the_span_alone() {
    let dir = tempdir("prof-span");
    let elf = repo().join("guests/bin/sp1/sp1-hash.elf");
    let input = repo().join("guests/bin/sp1/inputs/abc-2.bin");
    let folded = dir.join("s.folded");
    let o = zkdbg(&[
        "profile",
        elf.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
        "--span",
        "sha256",
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let span: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("zkdbg: span sha256: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no span line: {err}"));
    let text = std::fs::read_to_string(&folded).unwrap();
    assert_eq!(folded_cycles(&text, None), span, "{text}");
    assert!(
        text.lines().all(|l| l.starts_with("_start;")),
        "full paths: {text}"
    );
    assert!(text.contains("sp1_hash::sha256"), "{text}");
    assert!(
        err.contains(&format!("profile of span sha256 only: {span} cycles")),
        "{err}"
    );
    let o = zkdbg(&[
        "profile",
        elf.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
        "--span",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("--span nope: the guest never started that span (spans it ran: sha256)"),
        "{}",
        stderr(&o)
    );
}

/// pprof has one location per pc (address, line, inline chain): `go tool
/// pprof -list` shows cycles per source line that sum to the function's
/// self cycles, inlined lines under their own function, and `-lines`
/// names lines.
#[test]
fn pprof_lists_cycles_per_line() {
    let dir = tempdir("prof-list");
    let (pb, json) = (dir.join("p.pb.gz"), dir.join("p.json"));
    let o = zkdbg(&[
        "profile",
        guest("rv64", "prof").to_str().unwrap(),
        "--pprof",
        pb.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let self_of = |f: &str| {
        summary["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == f)
            .unwrap()["self_cycles"]
            .as_u64()
            .unwrap()
    };
    let pprof = |args: &[&str]| {
        let o = Command::new("go")
            .args(["tool", "pprof"])
            .args(args)
            .arg(&pb)
            .env("HOME", &dir)
            .output()
            .expect("go not found: install Debian's golang-go (scripts/test.sh does)");
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // -list: "FLAT CUM LINE: source"; the flat column sums to the self
    // cycles; prof.c's loops have known counts.
    let src = std::fs::read_to_string(repo().join("guests/src/prof.c")).unwrap();
    let line_of = |text: &str| 1 + src.lines().position(|l| l.contains(text)).unwrap();
    for (func, lines) in [
        (
            "main",
            vec![
                ("for (unsigned i = 0; i < sizeof data; i++)", 4000),
                ("data[i] = (unsigned char)(i * 7);", 1000),
            ],
        ),
        (
            "checksum",
            vec![
                ("h = h * 33 + p[i];", 4000),
                ("for (unsigned i = 0; i < n; i++)", 2000),
            ],
        ),
    ] {
        let out = pprof(&[
            "-list",
            &format!("^{func}$"),
            "-source_path",
            repo().to_str().unwrap(),
        ]);
        let mut flat = std::collections::BTreeMap::new();
        for l in out.lines() {
            let w: Vec<&str> = l.split_whitespace().collect();
            let line = w
                .get(2)
                .and_then(|x| x.split_once(':'))
                .and_then(|(n, _)| n.parse::<usize>().ok());
            if let Some(n) = line {
                *flat.entry(n).or_insert(0) += w[0].parse::<u64>().unwrap_or(0);
            }
        }
        assert_eq!(flat.values().sum::<u64>(), self_of(func), "{func}: {out}");
        for (text, cycles) in lines {
            // checksum's loop is inlined into main: its lines are its own.
            let n = line_of(text);
            assert_eq!(flat.get(&n), Some(&cycles), "{func} line {n}: {out}");
        }
    }
    let out = pprof(&["-lines", "-top"]);
    assert!(
        out.contains(&format!(
            "checksum guests/src/prof.c:{} (inline)",
            line_of("h = h * 33 + p[i];")
        )),
        "{out}"
    );
}
