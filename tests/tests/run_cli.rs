//! `zkdbg run` as a user runs it: output, exit codes, reports, faults, bad
//! input, mounts and determinism.

use zkdbg_tests::*;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn hello_fib_secp256k1_and_kernel_run_on_both_arches() {
    for arch in ARCHES {
        let o = zkdbg(&["run", guest(arch, "hello").to_str().unwrap()]);
        assert_eq!(shell_status(&o), 0, "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!(
                "Hello from a zkVM guest ({arch})!\nmalloc works: 12 bytes at a heap address\nread back: 12 squared is 144\n"
            )
        );
        let summary = stderr(&o);
        assert!(
            summary.contains("zkdbg: exit 0 |")
                && summary.contains("instructions")
                && summary.contains("MIPS"),
            "{summary}"
        );

        let o = zkdbg(&["run", guest(arch, "fib").to_str().unwrap()]);
        assert_eq!(stdout(&o), "fib(20) = 6765\n");

        let o = zkdbg(&["run", guest(arch, "secp256k1").to_str().unwrap()]);
        assert_eq!(
            stdout(&o),
            "ECDSA signature valid: yes\ntampered message rejected: yes\n"
        );
        assert_eq!(shell_status(&o), 0);

        let dir = tempdir(&format!("kernel-{arch}"));
        let report = dir.join("r.json");
        let o = zkdbg(&[
            "run",
            guest(arch, "kernel").to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        assert_eq!(shell_status(&o), 0, "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!("kernel: hello through an in-guest trap handler\nkernel: printf works too ({arch})\nkernel: served 2 syscalls in-guest\n")
        );
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(r["halt_reason"], "jump-to-self");
        assert_eq!(r["syscalls"], 0, "the in-guest kernel serves every syscall");
        assert_eq!(
            r["instructions"], r["cycles"],
            "an in-guest kernel's cycles are its instructions"
        );
    }
}

#[test]
fn sha256_of_stdin_matches_sha256sum() {
    let dir = tempdir("sha");
    let input = dir.join("input.bin");
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&input, &data).unwrap();
    let expected = std::process::Command::new("sha256sum")
        .arg(&input)
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&expected.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    for arch in ARCHES {
        let o = zkdbg(&[
            "run",
            guest(arch, "sha256").to_str().unwrap(),
            "--stdin",
            input.to_str().unwrap(),
        ]);
        assert_eq!(stdout(&o), format!("{expected}  -\n"));
    }
    // no --stdin: empty input
    let o = zkdbg(&["run", guest("rv64", "sha256").to_str().unwrap()]);
    assert_eq!(
        stdout(&o),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n"
    );
}

#[test]
fn report_json_has_the_documented_fields() {
    let dir = tempdir("report");
    let report = dir.join("r.json");
    let o = zkdbg(&[
        "run",
        guest("rv64", "fib").to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(shell_status(&o), 0);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["halt_reason"], "exit");
    assert!(r["fault"].is_null());
    let (insns, cycles, syscalls) = (
        r["instructions"].as_u64().unwrap(),
        r["cycles"].as_u64().unwrap(),
        r["syscalls"].as_u64().unwrap(),
    );
    assert!(
        insns > 300_000,
        "fib(20) runs hundreds of thousands of instructions, got {insns}"
    );
    assert_eq!(
        cycles,
        insns + 128 * syscalls,
        "cycles = instructions + 128 per syscall"
    );
    // the summary line agrees with the report
    assert!(
        stderr(&o).contains(&format!(
            "{insns} instructions | {cycles} cycles | {syscalls} syscalls"
        )),
        "{}",
        stderr(&o)
    );
    // a different syscall cost changes cycles, not instructions
    let o = zkdbg(&[
        "run",
        guest("rv64", "fib").to_str().unwrap(),
        "--syscall-cycles",
        "0",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(shell_status(&o), 0);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["cycles"].as_u64().unwrap(), insns);
}

#[test]
fn faults_name_kind_pc_instruction_symbol_and_line() {
    let cases = [
        (
            "fault-null",
            139,
            "load access fault",
            "lw ",
            "guests/src/fault-null.c:12",
            Some("address: 0x0"),
        ),
        (
            "fault-illegal",
            132,
            "illegal instruction",
            ".half 0x0000",
            "guests/src/fault-illegal.c:",
            None,
        ),
        (
            "fault-misaligned",
            135,
            "store/AMO address misaligned",
            "amoadd.w",
            "guests/src/fault-misaligned.c:",
            None,
        ),
    ];
    for arch in ARCHES {
        for (name, code, kind, insn, line, addr) in cases {
            let dir = tempdir(&format!("{name}-{arch}"));
            let report = dir.join("r.json");
            let o = zkdbg(&[
                "run",
                guest(arch, name).to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ]);
            let err = stderr(&o);
            assert_eq!(shell_status(&o), code, "{name} {arch}: {err}");
            assert!(
                err.contains(&format!("guest fault: {kind} at pc 0x8")),
                "{err}"
            );
            assert!(err.contains(" in main+0x"), "names the function: {err}");
            assert!(err.contains(line), "names the source line: {err}");
            assert!(
                err.contains(&format!("instruction: {insn}")),
                "disassembles: {err}"
            );
            if let Some(a) = addr {
                assert!(err.contains(a), "{err}");
            }
            assert!(!err.contains("panicked"), "{err}");
            let r: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
            assert_eq!(r["halt_reason"], "fault");
            assert_eq!(r["fault"]["description"], kind);
            // Addresses are hex strings, as in traces; counts pluralised.
            assert!(
                r["fault"]["pc"].as_str().unwrap().starts_with("0x8"),
                "{}",
                r["fault"]
            );
            assert!(err.contains("| 1 syscall |"), "{err}");
            assert!(r["fault"]["function"]
                .as_str()
                .unwrap()
                .starts_with("main+0x"));
            // The post-mortem: the call stack (main, called from the
            // runtime's start), the control transfers that led here (the
            // last one returns into main from puts), how to debug it.
            let bt: Vec<&str> = r["fault"]["backtrace"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert!(
                bt[0].starts_with("#0  0x8") && bt[0].contains(" in main at "),
                "{bt:?}"
            );
            assert!(bt[0].contains(line), "{bt:?}");
            assert!(
                bt.iter().any(|f| f.contains(" in __zk_start at ")),
                "{bt:?}"
            );
            assert!(err.contains("  backtrace:\n    #0  0x8"), "{err}");
            let last = r["fault"]["last_transfers"].as_array().unwrap();
            assert!(!last.is_empty() && last.len() <= 16, "{last:?}");
            let ret = last.last().unwrap().as_str().unwrap();
            assert!(
                ret.starts_with("ret at ") && ret.contains("-> main+0x"),
                "{ret}"
            );
            assert!(
                err.contains("last control transfers (oldest first):"),
                "{err}"
            );
            assert!(
                err.contains(&format!(
                    "debug it: zkdbg tui {} --break-at-fault",
                    guest(arch, name).display()
                )),
                "{err}"
            );
        }
    }
}

#[test]
fn report_path_is_checked_before_the_run() {
    let o = zkdbg(&[
        "run",
        guest("rv64", "hello").to_str().unwrap(),
        "--report",
        "/nonexistent-dir/r.json",
    ]);
    let err = stderr(&o);
    assert_eq!(shell_status(&o), 2, "{err}");
    assert!(
        err.contains("cannot write --report /nonexistent-dir/r.json"),
        "{err}"
    );
    // The guest did not run: nothing printed.
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn cycle_limit_stops_the_guest() {
    let o = zkdbg(&[
        "run",
        guest("rv64", "fib").to_str().unwrap(),
        "--max-cycles",
        "5000",
    ]);
    assert_eq!(shell_status(&o), 128 + 24, "{}", stderr(&o));
    assert!(stderr(&o).contains("cycle limit reached"), "{}", stderr(&o));
    assert!(stderr(&o).contains("| 5000 cycles |"), "{}", stderr(&o));
}

#[test]
fn two_runs_give_identical_reports_and_output() {
    let dir = tempdir("determinism");
    let script = dir.join("s.lua");
    std::fs::write(
        &script,
        LUA_SCRIPT.to_string() + "print(os.time(), os.clock(), math.random(1000000))\n",
    )
    .unwrap();
    for arch in ARCHES {
        let mut results = Vec::new();
        for i in 0..2 {
            let report = dir.join(format!("{arch}-{i}.json"));
            let o = zkdbg(&[
                "run",
                guest(arch, "lua").to_str().unwrap(),
                "--stdin",
                script.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ]);
            assert_eq!(shell_status(&o), 0, "{}", stderr(&o));
            results.push((o.stdout, std::fs::read(&report).unwrap()));
        }
        assert_eq!(results[0], results[1], "{arch}: two runs differ");
        // a different seed changes what the guest sees
        let o = zkdbg(&[
            "run",
            guest(arch, "lua").to_str().unwrap(),
            "--stdin",
            script.to_str().unwrap(),
            "--seed",
            "7",
        ]);
        assert_eq!(shell_status(&o), 0);
        let lines = |b: &[u8]| String::from_utf8_lossy(b).lines().count();
        assert_eq!(lines(&o.stdout), lines(&results[0].0));
    }
}

#[test]
fn lua_sees_host_files_only_through_mounts() {
    let dir = tempdir("mount");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("in.txt"), "from the host\n").unwrap();
    let script = dir.join("s.lua");
    std::fs::write(
        &script,
        r#"
local f = io.open("/data/in.txt") print("read:", f and f:read("l"))
local w, err = io.open("/data/out.txt", "w") print("write:", w ~= nil, err)
local g = io.open("/etc/hostname") print("host fs:", g ~= nil)
"#,
    )
    .unwrap();
    let mount = format!("{}:/data", data.display());
    let o = zkdbg(&[
        "run",
        guest("rv64", "lua").to_str().unwrap(),
        "--stdin",
        script.to_str().unwrap(),
        "--mount",
        &mount,
    ]);
    assert_eq!(shell_status(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("read:\tfrom the host"), "{out}");
    assert!(
        out.contains("write:\tfalse\t/data/out.txt: Read-only file system"),
        "{out}"
    );
    assert!(out.contains("host fs:\tfalse"), "{out}");

    // :rw lets the guest write, and the file reaches the host
    std::fs::write(&script, r#"local w = io.open("/data/out.txt", "w") w:write("guest wrote this") w:close() print("ok")"#).unwrap();
    let mount = format!("{}:/data:rw", data.display());
    let o = zkdbg(&[
        "run",
        guest("rv32", "lua").to_str().unwrap(),
        "--stdin",
        script.to_str().unwrap(),
        "--mount",
        &mount,
    ]);
    assert_eq!(stdout(&o), "ok\n", "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(data.join("out.txt")).unwrap(),
        "guest wrote this"
    );
}

#[test]
fn bad_input_gives_clear_errors_and_no_panic() {
    let dir = tempdir("bad");
    let hello = std::fs::read(guest("rv64", "hello")).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    // ELF64 program headers: e_phoff at 0x20, 56-byte entries; p_vaddr at +0x10, p_paddr +0x18.
    let phoff = u64::from_le_bytes(hello[0x20..0x28].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(hello[0x38..0x3a].try_into().unwrap()) as usize;
    let loads: Vec<usize> = (0..phnum)
        .map(|i| phoff + 56 * i)
        .filter(|&h| hello[h..h + 4] == 1u32.to_le_bytes())
        .collect();
    assert!(loads.len() >= 2, "hello has text and data PT_LOAD segments");
    let mut guard = hello.clone();
    guard[loads[1] + 0x10..loads[1] + 0x18].copy_from_slice(&0x1000u64.to_le_bytes());
    let mut overlap = hello.clone();
    let first = overlap[loads[0] + 0x10..loads[0] + 0x18].to_vec();
    overlap[loads[1] + 0x10..loads[1] + 0x18].copy_from_slice(&first);
    let mut machine = hello.clone();
    machine[0x12..0x14].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (dir.join("missing.elf"), "cannot read"),
        (
            write("text.elf", b"this is not an ELF file\n"),
            "not a valid ELF file",
        ),
        (write("truncated.elf", &hello[..200]), "cannot load"),
        (write("machine.elf", &machine), "not RISC-V"),
        (write("guard.elf", &guard), "cannot be loaded"),
        (write("overlap.elf", &overlap), "segments overlap"),
    ];
    for (path, msg) in cases {
        let o = zkdbg(&["run", path.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(shell_status(&o), 2, "{}: {err}", path.display());
        assert!(
            err.contains(msg),
            "{}: expected `{msg}` in: {err}",
            path.display()
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // a memory limit below the image size
    let o = zkdbg(&[
        "run",
        guest("rv64", "lua").to_str().unwrap(),
        "--memory-limit",
        "64K",
    ]);
    assert_eq!(shell_status(&o), 2);
    assert!(stderr(&o).contains("memory limit"), "{}", stderr(&o));
}

#[test]
fn source_map_renames_profile_locations_and_reaches_gdb() {
    let dir = tempdir("source-map-profile");
    let json = dir.join("p.json");
    let o = zkdbg(&[
        "profile",
        guest("rv64", "fib").to_str().unwrap(),
        "--source-map",
        "guests/src=/srcs",
        "--top",
        "3",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o) + &stderr(&o);
    assert!(out.contains("fib (/srcs/fib.c:"), "{out}");
    let j = std::fs::read_to_string(&json).unwrap();
    assert!(
        j.contains("/srcs/fib.c:") && !j.contains("guests/src/fib.c"),
        "{j}"
    );
    // A rule without `=` is refused.
    let o = zkdbg(&[
        "run",
        guest("rv64", "fib").to_str().unwrap(),
        "--source-map",
        "nothing",
    ]);
    assert_eq!(shell_status(&o), 2);
    assert!(
        stderr(&o).contains("a source map is FROM=TO"),
        "{}",
        stderr(&o)
    );
    // The GDB stub suggests the substitutions gdb needs.
    let mut child = std::process::Command::new(zkdbg_bin())
        .args(["gdb", guest("rv64", "fib").to_str().unwrap()])
        .args([
            "--listen",
            "127.0.0.1:0",
            "--source-map",
            "guests/src=/srcs",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let mut attach = String::new();
    while std::io::BufRead::read_line(&mut err, &mut line).unwrap() > 0 {
        if line.contains("attach with:") {
            attach = line.clone();
            break;
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        attach.contains("-ex 'set substitute-path guests/src /srcs'"),
        "{attach}"
    );
}

/// An RV32 guest's `brk` returns an address above 2 GiB: the trace shows
/// it unsigned (hex), not as a negative number.
#[test]
fn rv32_addresses_in_traces_are_unsigned() {
    let o = zkdbg(&[
        "trace",
        guest("rv32", "hello").to_str().unwrap(),
        "--format",
        "strace",
    ]);
    let err = stderr(&o);
    assert!(err.contains("brk(0x0) = 0x80"), "{err}");
    assert!(!err.contains("brk(0x0) = -"), "{err}");
}
