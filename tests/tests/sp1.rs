//! The `sp1` platform end to end on the SP1 guests of `guests/sp1`
//! (`sp1-hash`, built with sp1-zkvm 6.10.0, and `sp1-hash-v5`, the same
//! program for SP1 v5 with sp1-zkvm 5.2.4), through the `zkdbg` binary as
//! a user runs it, checked against the reference table SP1's own executor
//! produced (`scripts/peers.sh` writes `guests/bin/sp1/reference.tsv`).

use sha2::{Digest, Sha256};
use std::path::PathBuf;
use zkdbg_tests::*;

fn sp1_dir() -> PathBuf {
    repo().join("guests/bin/sp1")
}

fn elf() -> String {
    sp1_dir().join("sp1-hash.elf").to_str().unwrap().to_string()
}

fn input(name: &str) -> String {
    sp1_dir()
        .join("inputs")
        .join(format!("{name}.bin"))
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs `zkdbg run ARGS --report` (see [`zkdbg_tests::run_report`]).
fn run_report(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    zkdbg_tests::run_report("sp1", args)
}

/// Every case SP1's executor ran gives the same exit code, instruction
/// count (SP1's cycles), clk and public values under zkdbg.
#[test]
fn runs_equal_sp1s_own_executor() {
    let table = std::fs::read_to_string(sp1_dir().join("reference.tsv")).unwrap();
    let mut rows = 0;
    for row in table.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        assert_eq!(f.len(), 6, "{row}");
        let (guest, inputs, code, insns, clk, pv) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        let elf = sp1_dir().join(format!("{guest}.elf"));
        let mut args = vec![elf.to_str().unwrap().to_string()];
        if inputs != "-" {
            for i in inputs.split(',') {
                args.extend(["--input".to_string(), input(i)]);
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (o, j) = run_report(&args);
        let ctx = format!("{row}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(j["platform"], "sp1", "{ctx}");
        assert_eq!(j["exit_code"].as_u64().unwrap().to_string(), code, "{ctx}");
        // SP1 5.2.4's run_fast returns its HaltWithNonZeroExitCode error
        // before counting the halting ecall (executor.rs: `?` before
        // `global_clk += 1`); zkdbg counts the ecall it executed.
        let uncounted = u64::from(guest.ends_with("-v5") && code != "0");
        let ours = j["cycles"].as_u64().unwrap();
        assert_eq!((ours - uncounted).to_string(), insns, "{ctx}");
        // Unconstrained blocks run but count in neither.
        let unconstrained = j["unconstrained_cycles"].as_u64().unwrap_or(0);
        assert_eq!(
            j["instructions"].as_u64().unwrap(),
            ours + unconstrained,
            "{ctx}"
        );
        if clk == "-" {
            assert!(j.get("sp1_clk").is_none(), "{ctx}");
        } else {
            assert_eq!(j["sp1_clk"].as_u64().unwrap().to_string(), clk, "{ctx}");
        }
        assert_eq!(j["output"], pv, "{ctx}");
        assert_eq!(o.status.code(), Some(code.parse().unwrap()), "{ctx}");
        rows += 1;
    }
    assert!(rows >= 10, "{table}");
}

/// The committed digest is SHA-256 iterated on the host (the precompiles
/// are SP1's SHA-256 steps); 2B's x is Ed25519's (RFC 8032 base point
/// doubled); the unconstrained block's hint is the digest's byte sum.
#[test]
fn outputs_hold_the_hashes_computed_on_the_host() {
    for (data, rounds) in [(b"abc".to_vec(), 2u32), (b"zkdbg sp1".repeat(20), 5)] {
        let mut bytes = (data.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(&data);
        bytes.extend_from_slice(&rounds.to_le_bytes());
        let (o, j) = run_report(&[&elf(), "--input-hex", &hex(&bytes)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut digest: [u8; 32] = Sha256::digest(&data).into();
        for _ in 1..rounds {
            digest = Sha256::digest(digest).into();
        }
        let out = j["output"].as_str().unwrap();
        assert!(out.starts_with(&hex(&digest)), "{out}");
        assert_eq!(out.len(), 2 * (32 + 8 + 32 + 32 + 4), "{out}");
        let two_b_x = "0ece43284ea1c5835fa4d715458e0d08ace733187d3b043d6c045a9f4c38ab36";
        assert_eq!(&out[2 * 72..2 * 104], two_b_x, "{out}");
        let sum: u32 = digest.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(&out[2 * 104..], hex(&sum.to_le_bytes()), "{out}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains(&format!("hashing {} bytes {rounds} times", data.len())),
            "{stdout}"
        );
    }
}

#[test]
fn a_panic_and_missing_input_are_reported_as_sp1_ends_them() {
    // rounds = 0 panics: sp1-zkvm's panic handler prints and halts with 1.
    let (o, j) = run_report(&[&elf(), "--input", &input("abc-0")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(j["halt_reason"], "panic");
    assert!(err.contains("rounds must be at least 1, got 0"), "{err}");
    assert!(err.contains("zkdbg: panic (exit 1)"), "{err}");
    // No input: the guest's read finds the stream empty (exit code 3).
    let (o, j) = run_report(&[&elf()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert_eq!(
        j["hint"],
        "the guest asked for input vector 1, only 0 given (--input)"
    );
    assert!(err.contains("only 0 given (--input)"), "{err}");
    // A Jolt-only option stays a clear error; a linux guest refuses --input.
    let hello = guest("rv64", "hello");
    let o = zkdbg(&["run", hello.to_str().unwrap(), "--input-hex", "00"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("a linux-platform guest reads --stdin"),
        "{err}"
    );
    // A Linux guest forced onto SP1: its first Linux syscall is a named
    // platform fault (t0 holds no SP1 id).
    let (o, j) = run_report(&[hello.to_str().unwrap(), "--platform", "sp1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not an SP1 syscall id"), "{err}");
    let reason = j["platform_reason"].as_str().unwrap();
    assert!(
        reason.starts_with("--platform sp1 (the ELF looks like linux"),
        "{reason}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// The profile sums to SP1's cycles, with each precompile and syscall a
/// named frame and the guest's cycle-tracker span.
#[test]
fn profile_has_precompile_frames_and_sums_to_sp1s_cycles() {
    let dir = tempdir("sp1-profile");
    let folded = dir.join("p.folded");
    let json = dir.join("p.json");
    let o = zkdbg(&[
        "profile",
        &elf(),
        "--input",
        &input("abc-2"),
        "--folded",
        folded.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    let count = |frame: &str| folded_cycles(&text, Some(frame));
    let total = folded_cycles(&text, None);
    // SP1's cycles (the reference table's count) plus the unconstrained
    // block's instructions, which ran (and are profiled) but SP1 does not
    // count.
    let (_, j) = run_report(&[&elf(), "--input", &input("abc-2")]);
    assert_eq!(
        j["cycles"], 23887,
        "the reference table's instruction count"
    );
    let unconstrained = j["unconstrained_cycles"].as_u64().unwrap();
    assert!(unconstrained > 10, "{j}");
    assert_eq!(total, 23887 + unconstrained);
    assert_eq!(count("[syscall] ENTER_UNCONSTRAINED"), 1);
    assert_eq!(count("[syscall] EXIT_UNCONSTRAINED"), 1);
    assert_eq!(count("[precompile] ED_ADD"), 1);
    assert_eq!(count("[precompile] ED_DECOMPRESS"), 1);
    // "abc" then a 32-byte digest: one block each.
    assert_eq!(count("[precompile] SHA_COMPRESS"), 2);
    assert_eq!(count("[precompile] SHA_EXTEND"), 2);
    assert_eq!(count("[precompile] KECCAK_PERMUTE"), 1);
    assert_eq!(count("[precompile] UINT256_MUL"), 1);
    // The input, then the unconstrained block's hint.
    assert_eq!(count("[syscall] HINT_READ"), 2);
    assert!(text.contains("sp1_hash::sha256;syscall_sha256_compress;[precompile] SHA_COMPRESS"));
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let span = &j["spans"][0];
    assert_eq!(span["name"], "sha256");
    assert_eq!(span["count"], 1);
    assert!(span["cycles"].as_u64().unwrap() > 1000, "{span}");
}

#[test]
fn trace_lists_precompiles_and_syscalls() {
    let o = zkdbg(&[
        "trace",
        &elf(),
        "--input",
        &input("abc-2"),
        "--format",
        "strace",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    let names: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split("] [").nth(1))
        .filter_map(|l| l.split('(').next())
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| **n == "precompile] SHA_COMPRESS")
            .count(),
        2,
        "{err}"
    );
    assert!(names.contains(&"platform] HINT_LEN"), "{err}");
    assert!(names.contains(&"platform] HALT"), "{err}");
    // Arguments decoded as SP1 defines them: fd, the bytes, the length.
    assert!(
        err.contains("[platform] WRITE(1, \"hashing 3 bytes 2 times\\n\", 24)"),
        "{err}"
    );
    assert!(err.contains("[platform] HINT_READ(0x"), "{err}");
}

/// `--sp1-stdin` reads a bincode `SP1Stdin` (buffer, ptr, proofs) as SP1's
/// SDK writes it: the same run as `--input` with its vectors.
#[test]
fn sp1_stdin_files_are_read_as_sp1_writes_them() {
    let dir = tempdir("sp1-stdin");
    let vector = std::fs::read(input("abc-2")).unwrap();
    let stdin = |proofs: u64, extra: &[u8]| {
        let mut b = 1u64.to_le_bytes().to_vec();
        b.extend((vector.len() as u64).to_le_bytes());
        b.extend(&vector);
        b.extend(0u64.to_le_bytes()); // ptr
        b.extend(proofs.to_le_bytes());
        b.extend(extra);
        b
    };
    let good = dir.join("stdin.bin");
    std::fs::write(&good, stdin(0, b"")).unwrap();
    let (o, j) = run_report(&[&elf(), "--sp1-stdin", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, k) = run_report(&[&elf(), "--input", &input("abc-2")]);
    assert_eq!(j["output"], k["output"]);
    assert_eq!(j["instructions"], k["instructions"]);
    for (bytes, want) in [
        (stdin(1, b""), "holds 1 deferred proof(s)"),
        (stdin(0, b"xy"), "2 bytes after the SP1Stdin"),
        (
            stdin(0, b"")[..20].to_vec(),
            "not a bincode-serialized SP1Stdin",
        ),
        (
            u64::MAX.to_le_bytes().to_vec(),
            "not a bincode-serialized SP1Stdin",
        ),
    ] {
        let bad = dir.join("bad.bin");
        std::fs::write(&bad, &bytes).unwrap();
        let o = zkdbg(&["run", &elf(), "--sp1-stdin", bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{want}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let hello = guest("rv64", "hello");
    let o = zkdbg(&[
        "run",
        hello.to_str().unwrap(),
        "--sp1-stdin",
        good.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--sp1-stdin is an SP1 guest's input; this guest runs on the linux platform"),
        "{err}"
    );
}
