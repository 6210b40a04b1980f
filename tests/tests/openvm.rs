//! The `openvm` platform end to end on the OpenVM guest of
//! `guests/openvm` (`ov-hash`, built with openvm 2.0.2), through the
//! `zkdbg` binary as a user runs it: input streams in OpenVM's word
//! serialization, the Keccak and SHA-2 extension instructions, printing,
//! the public values, panics, and the instruction count checked against
//! the table OpenVM's own interpreter produced (`scripts/peers.sh` writes
//! `guests/bin/openvm/reference.tsv`).

use sha2::{Digest, Sha256};
use zkdbg_tests::*;

fn elf() -> String {
    repo()
        .join("guests/bin/openvm/ov-hash.elf")
        .to_str()
        .unwrap()
        .to_string()
}

fn run_report(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    zkdbg_tests::run_report("openvm", args)
}

/// Every case OpenVM's interpreter ran gives the same exit code,
/// instruction count and public values under zkdbg (a failing run ends
/// its interpreter with an error: no count then).
#[test]
fn runs_equal_openvms_own_interpreter() {
    let dir = repo().join("guests/bin/openvm");
    let table = std::fs::read_to_string(dir.join("reference.tsv")).unwrap();
    let mut rows = 0;
    for row in table.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        assert_eq!(f.len(), 5, "{row}");
        let mut args = vec![dir.join(format!("{}.elf", f[0]))];
        if f[1] != "-" {
            for name in f[1].split(',') {
                args.push("--input".into());
                args.push(dir.join("inputs").join(format!("{name}.bin")));
            }
        }
        let args: Vec<&str> = args.iter().map(|p| p.to_str().unwrap()).collect();
        let (o, j) = run_report(&args);
        let ctx = format!("{row}: {}", String::from_utf8_lossy(&o.stderr));
        match f[2] {
            // OpenVM fails the run (end of the input stream): zkdbg stops
            // at the instruction with a fault naming OpenVM's error.
            "error" => {
                assert_eq!(j["halt_reason"], "fault", "{ctx}");
                let fault = j["fault"].to_string();
                let why = f[4].rsplit(": ").next().unwrap();
                assert!(fault.contains(why), "{ctx}\n{fault}");
            }
            code => {
                assert_eq!(j["exit_code"].as_u64().unwrap().to_string(), code, "{ctx}");
                if f[3] != "-" {
                    assert_eq!(
                        j["instructions"].as_u64().unwrap().to_string(),
                        f[3],
                        "{ctx}"
                    );
                    assert_eq!(j["cycles"], j["instructions"], "{ctx}");
                    assert_eq!(j["output"], f[4], "{ctx}");
                }
            }
        }
        assert_eq!(j["platform"], "openvm", "{ctx}");
        rows += 1;
    }
    assert!(rows >= 5, "{table}");
}

/// The public values are the first 16 bytes of Keccak-256 and of SHA-256
/// iterated on the host; the guest's PrintStr reaches stdout.
#[test]
fn public_values_hold_the_hashes_computed_on_the_host() {
    let data = b"zkdbg on OpenVM";
    let (o, j) = run_report(&[&elf(), "--input-hex", &hex(&word_serialized(data, Some(3)))]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut s: Vec<u8> = Sha256::digest(data).to_vec();
    let mut k = keccak256(data);
    for _ in 1..3 {
        s = Sha256::digest(&s).to_vec();
        k = keccak256(&k);
    }
    let want = [&k[..16], &s[..16]].concat();
    assert_eq!(j["output"], hex(&want));
    assert_eq!(j["exit_code"], 0);
    assert!(j["platform_reason"]
        .as_str()
        .unwrap()
        .contains("OpenVM's TERMINATE"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("hashing 15 bytes 3 times"));
}

/// Keccak-256 (the `keccak` crate's permutation, pad10*1 with 0x01).
fn keccak256(msg: &[u8]) -> Vec<u8> {
    let mut lanes = [0u64; 25];
    let mut blocks = msg.to_vec();
    blocks.push(0x01);
    while !blocks.len().is_multiple_of(136) {
        blocks.push(0);
    }
    *blocks.last_mut().unwrap() |= 0x80;
    for block in blocks.chunks(136) {
        for (l, c) in lanes.iter_mut().zip(block.chunks(8)) {
            *l ^= u64::from_le_bytes(c.try_into().unwrap());
        }
        keccak::f1600(&mut lanes);
    }
    lanes
        .iter()
        .flat_map(|l| l.to_le_bytes())
        .take(32)
        .collect()
}

#[test]
fn profile_and_trace_show_the_extension_instructions_and_hints() {
    let input = hex(&word_serialized(b"abc", Some(2)));
    let dir = tempdir("openvm-profile");
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        &elf(),
        "--input-hex",
        &input,
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    let count = |frame: &str| folded_cycles(&text, Some(frame));
    // Two Keccak-256 and two SHA-256 of one block each: one KECCAKF and
    // one SHA256 per block, one cycle each.
    assert_eq!(count("[precompile] KECCAKF"), 2, "{text}");
    assert_eq!(count("[precompile] SHA256"), 2, "{text}");
    assert!(count("[precompile] XORIN") >= 2, "{text}");
    assert_eq!(count("[syscall] HintInput"), 1, "{text}");
    assert!(text.contains("ov_hash::main;"), "{text}");
    let (_, j) = run_report(&[&elf(), "--input-hex", &input]);
    assert_eq!(folded_cycles(&text, None), j["cycles"].as_u64().unwrap());
    let o = zkdbg(&["trace", &elf(), "--input-hex", &input, "--format", "strace"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("[precompile] KECCAKF("), "{err}");
    assert!(err.contains("[platform] HintInput("), "{err}");
    assert!(err.contains("[platform] PrintStr("), "{err}");
    assert!(err.contains("[platform] TERMINATE("), "{err}");
}

#[test]
fn panics_missing_input_and_foreign_elves_are_reported() {
    // rounds = 0: the guest panics; OpenVM's runtime prints the message
    // and terminates with exit code 1.
    let (o, j) = run_report(&[
        &elf(),
        "--input-hex",
        &hex(&word_serialized(b"abc", Some(0))),
    ]);
    assert_eq!(j["exit_code"], 1);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rounds must be at least 1, got 0"));
    // No input: OpenVM's EndOfInputStream, at the phantom instruction.
    let o = zkdbg(&["run", &elf()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("HintInput: EndOfInputStream"), "{err}");
    assert!(err.contains("phantom hint_input"), "{err}");
    // An RV64 guest is not OpenVM's.
    let o = zkdbg(&[
        "run",
        guest("rv64", "hello").to_str().unwrap(),
        "--platform",
        "openvm",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the openvm platform does not run RV64 guests"),
        "{err}"
    );
    // An RV32 C guest (the ELF header in its text segment, ecalls): OpenVM's
    // transpiler rejects it, and so does zkdbg, saying where.
    let o = zkdbg(&[
        "run",
        guest("rv32", "hello").to_str().unwrap(),
        "--platform",
        "openvm",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("OpenVM's transpiler rejects the word"),
        "{err}"
    );
}

/// `--input FILE.json` in `cargo openvm run --input`'s format: each
/// `0x01…` string is one input-stream entry (the bytes after the 01);
/// field elements (02) and malformed files are clear errors.
#[test]
fn cargo_openvm_input_json_files_are_read() {
    let dir = tempdir("openvm-json");
    let json = dir.join("input.json");
    let entry = format!("0x01{}", hex(&word_serialized(b"abc", Some(2))));
    std::fs::write(&json, format!("{{\"input\": [\"{entry}\"]}}")).unwrap();
    let (o, j) = run_report(&[&elf(), "--input", json.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same run as the raw bytes give (the abc-2 row of the reference).
    let raw = repo().join("guests/bin/openvm/inputs/abc-2.bin");
    let (_, r) = run_report(&[&elf(), "--input", raw.to_str().unwrap()]);
    assert_eq!(j["output"], r["output"]);
    assert_eq!(j["instructions"], r["instructions"]);
    for (text, why) in [
        (
            "{\"input\": [\"0x0201000000\"]}",
            "field-element input (02) is not supported",
        ),
        (
            "{\"input\": [\"0x05\"]}",
            "must start with 01 (bytes) or 02",
        ),
        ("{\"inputs\": []}", "an array under \"input\""),
        ("{\"input\": [\"0x1\"]}", "not an even-length hex string"),
    ] {
        std::fs::write(&json, text).unwrap();
        let o = zkdbg(&["run", &elf(), "--input", json.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(why), "{text}: {err}");
    }
}
