//! The `risc0` platform end to end on the RISC Zero guests of
//! `guests/risc0` (`r0-hash`, `r0-bigint` and `r0-poseidon2`, user
//! programs built with risc0-zkvm 3.0.5), through the `zkdbg` binary as a
//! user runs it: stdin in RISC Zero's word serialization, the SHA ecall,
//! the bigint accelerator (BIGINT and BIGINT2), POSEIDON2, the journal,
//! panics, and
//! RISC Zero's cycle accounting checked against the table its own
//! executor produced (`scripts/peers.sh` writes
//! `guests/bin/risc0/reference.tsv`).

use sha2::{Digest, Sha256};
use zkdbg_tests::*;

fn elf() -> String {
    repo()
        .join("guests/bin/risc0/r0-hash.elf")
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs `zkdbg run ARGS --report` (see [`zkdbg_tests::run_report`]).
fn run_report(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    zkdbg_tests::run_report("risc0", args)
}

/// Every case RISC Zero's executor ran gives the same exit code, user,
/// paging, reserved and total cycles, segment count and journal under
/// zkdbg (a panic or another error ends its executor: no figures then).
#[test]
fn runs_equal_risc_zeros_own_executor() {
    let dir = repo().join("guests/bin/risc0");
    let table = std::fs::read_to_string(dir.join("reference.tsv")).unwrap();
    let mut rows = 0;
    for row in table.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        assert_eq!(f.len(), 10, "{row}");
        let input = dir.join("inputs").join(format!("{}.bin", f[1]));
        let elf = dir.join(format!("{}.elf", f[0]));
        let (o, j) = run_report(&[
            elf.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--segment-po2",
            f[2],
        ]);
        let ctx = format!("{row}: {}", String::from_utf8_lossy(&o.stderr));
        if f[3] == "panic" {
            assert_eq!(j["halt_reason"], "panic", "{ctx}");
            assert_eq!(o.status.code(), Some(101), "{ctx}");
            rows += 1;
            continue;
        }
        // The executor stopped with an error of its own (a POSEIDON2
        // CHECK_OUT that failed): a fault here.
        if f[3] == "fault" {
            assert_eq!(j["halt_reason"], "fault", "{ctx}");
            assert!(!o.status.success(), "{ctx}");
            rows += 1;
            continue;
        }
        assert_eq!(j["exit_code"].as_u64().unwrap().to_string(), f[3], "{ctx}");
        let r = &j["risc0"];
        let figures = [
            r["user_cycles"].as_u64().unwrap(),
            r["paging_cycles"].as_u64().unwrap(),
            r["reserved_cycles"].as_u64().unwrap(),
            r["total_cycles"].as_u64().unwrap(),
            r["segments"].as_u64().unwrap(),
        ];
        let want: Vec<u64> = f[4..9].iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(figures.to_vec(), want, "{ctx}");
        assert_eq!(j["cycles"], r["user_cycles"], "{ctx}");
        assert_eq!(j["cycle_unit"], "risc0-user-cycles", "{ctx}");
        assert_eq!(j["output"], f[9], "{ctx}");
        rows += 1;
    }
    assert!(rows >= 6, "{table}");
    // Segments too small for an instruction's cycles: RISC Zero's
    // executor panics ("segment limit (8192) too small for instruction at
    // pc: 0xc00009bc" on kib-100 at po2 13); zkdbg says so in the report.
    let input = dir.join("inputs/kib-100.bin");
    let elf = dir.join("r0-hash.elf");
    let (o, j) = run_report(&[
        elf.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--segment-po2",
        "13",
    ]);
    let err = j["risc0"]["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("too small for the instruction at pc 0xc00009bc"),
        "{j}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("segment limit too small"));
    // The option is RISC Zero's alone.
    let g = guest("rv64", "hello");
    let o = zkdbg(&["run", g.to_str().unwrap(), "--segment-po2", "16"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("--segment-po2 sizes RISC Zero's segments"),
        "{e}"
    );
}

#[test]
fn the_journal_holds_the_hashes_computed_on_the_host() {
    for (data, rounds) in [(b"abc".to_vec(), 2u32), (vec![7u8; 200], 5)] {
        let input = hex(&word_serialized(&data, Some(rounds)));
        let (o, j) = run_report(&[&elf(), "--input-hex", &input]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut digest: [u8; 32] = Sha256::digest(&data).into();
        for _ in 1..rounds {
            digest = Sha256::digest(digest).into();
        }
        // env::commit(&digest.to_vec()) then env::commit(&rounds).
        let mut journal = word_serialized(&digest, None);
        journal.extend(rounds.to_le_bytes());
        assert_eq!(j["output"], hex(&journal));
        assert_eq!(j["platform"], "risc0");
        assert_eq!(j["xlen"], "rv32");
        assert_eq!(j["halt_reason"], "exit");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains(&format!("hashing {} bytes {rounds} times", data.len())),
            "{stdout}"
        );
    }
}

#[test]
fn panics_and_missing_input_are_reported() {
    let input = hex(&word_serialized(b"abc", Some(0)));
    let (o, j) = run_report(&[&elf(), "--input-hex", &input]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(101), "{err}");
    assert_eq!(j["halt_reason"], "panic");
    assert!(
        err.contains("panicked: rounds must be at least 1, got 0"),
        "{err}"
    );
    assert!(j.get("hint").is_none(), "{j}");
    let (o, j) = run_report(&[&elf()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(101), "{err}");
    assert!(err.contains("DeserializeUnexpectedEnd"), "{err}");
    assert_eq!(
        j["hint"],
        "the guest read past the end of its input (0 bytes given with --input)"
    );
    // RISC Zero is RV32: an RV64 guest cannot be forced onto it.
    let g = guest("rv64", "hello");
    let o = zkdbg(&["run", g.to_str().unwrap(), "--platform", "risc0"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the risc0 platform does not run RV64 guests"),
        "{err}"
    );
}

#[test]
fn profile_and_trace_show_the_sha_ecall_and_syscalls() {
    let input = hex(&word_serialized(b"abc", Some(2)));
    let dir = tempdir("risc0-profile");
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
    // "abc" then the 32-byte digest: one block each (plus sha2's own
    // digest of the journal and claim at exit).
    assert!(count("[precompile] SHA") >= 2, "{text}");
    assert!(count("[syscall] SYS_READ") >= 1, "{text}");
    assert_eq!(count("[syscall] HALT"), 1, "{text}");
    // User cycles plus paging, each page-in or page-out a `[paging]`
    // frame where it happened; the kernel one `[kernel]` frame under the
    // call that entered it.
    let total = folded_cycles(&text, None);
    let (_, j) = run_report(&[&elf(), "--input-hex", &input]);
    let paging = j["risc0"]["paging_cycles"].as_u64().unwrap();
    assert_eq!(total, j["cycles"].as_u64().unwrap() + paging);
    assert_eq!(count("[paging]"), paging, "{text}");
    assert!(text.contains("[syscall] SYS_READ;[kernel] "), "{text}");
    assert!(!text.contains("[kernel];[kernel]"), "{text}");
    // --show-kernel: the kernel's own functions instead, same total.
    let shown = dir.join("k.folded");
    let o = zkdbg(&[
        "profile",
        &elf(),
        "--input-hex",
        &input,
        "--show-kernel",
        "--folded",
        shown.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let k = std::fs::read_to_string(&shown).unwrap();
    assert!(
        k.contains("[syscall] SYS_READ;_ecall_software;ecall_software "),
        "{k}"
    );
    assert!(!k.contains("[kernel]") && !k.contains("[unknown"), "{k}");
    assert_eq!(folded_cycles(&k, None), total);
    let o = zkdbg(&["trace", &elf(), "--input-hex", &input, "--format", "strace"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("[precompile] SHA("), "{err}");
    assert!(err.contains("[platform] SYS_READ(0, 0x"), "{err}");
    // A call's cycles run from its ecall to the kernel's mret.
    let read = err
        .lines()
        .find(|l| l.contains("[platform] SYS_READ("))
        .unwrap();
    let cycles: u64 = read
        .rsplit('<')
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cycles > 20, "{read}");
    assert!(
        err.contains("[platform] SYS_WRITE(1, \"hashing 3 bytes 2 times\\n\", 24)"),
        "{err}"
    );
    assert!(err.contains("[platform] HALT("), "{err}");
}

/// The R0BF program binary `cargo risczero build` writes (header, user
/// ELF, kernel ELF) runs as the ELF does, with the kernel it carries.
#[test]
fn r0bf_program_binaries_run_like_the_elf() {
    let dir = tempdir("risc0-r0bf");
    let user = std::fs::read(elf()).unwrap();
    let kernel = std::fs::read(repo().join("platforms/data/risc0-v1compat-2.2.3.elf")).unwrap();
    let mut bin = b"R0BF".to_vec();
    bin.extend(1u32.to_le_bytes());
    bin.extend(0u32.to_le_bytes());
    bin.extend((user.len() as u32).to_le_bytes());
    bin.extend(&user);
    bin.extend(&kernel);
    let path = dir.join("r0-hash.bin");
    std::fs::write(&path, &bin).unwrap();
    let input = hex(&word_serialized(b"abc", Some(2)));
    let (o, j) = run_report(&[path.to_str().unwrap(), "--input-hex", &input]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, from_elf) = run_report(&[&elf(), "--input-hex", &input]);
    assert_eq!(j["risc0"], from_elf["risc0"]);
    assert_eq!(j["output"], from_elf["output"]);
    assert!(
        j["platform_reason"].as_str().unwrap().contains("R0BF"),
        "{j}"
    );
    // A truncated one is a clear error.
    std::fs::write(&path, &bin[..100]).unwrap();
    let o = zkdbg(&["run", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("truncated R0BF file"), "{err}");
}

/// r0-bigint: the v1 BIGINT ecall (through the v1compat kernel's modmul
/// and multiply blobs) and BIGINT2 (risc0-bigint2's modmul, modinv and
/// secp256k1 blobs) give what num-bigint and k256 compute on the host;
/// each call is a `[precompile]` frame in the profile and a traced call
/// with its pointers.
#[test]
fn bigint_accelerators_match_host_arithmetic() {
    use k256::elliptic_curve::{sec1::ToEncodedPoint, PrimeField};
    use num_bigint::BigUint;
    let elf = repo().join("guests/bin/risc0/r0-bigint.elf");
    let elf = elf.to_str().unwrap();
    let m = (BigUint::from(1u8) << 256) - (BigUint::from(1u8) << 224)
        + (BigUint::from(1u8) << 192)
        + (BigUint::from(1u8) << 96)
        - 1u8;
    let x = BigUint::from_bytes_be(b"an x for the BIGINT accelerator") % &m;
    let y = &m - BigUint::from(0x1234_5678u32);
    let k: [u8; 32] = Sha256::digest(b"scalar").into();
    let rounds = 7u32;
    let words = |v: &BigUint| {
        let mut b = v.to_bytes_le();
        b.resize(32, 0);
        b
    };
    let mut input = Vec::new();
    for v in [&x, &y, &m, &BigUint::from_bytes_be(&k)] {
        input.extend(words(v));
    }
    input.extend(rounds.to_le_bytes());
    let (o, j) = run_report(&[elf, "--input-hex", &hex(&input)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let modmul = (&x * y.modpow(&BigUint::from(rounds), &m)) % &m;
    let lo = |v: &BigUint| v % (BigUint::from(1u8) << 128);
    let inverse = x.modpow(&(&m - 2u8), &m);
    let scalar = k256::Scalar::from_repr(k.into()).unwrap();
    let point = (k256::ProjectivePoint::GENERATOR * scalar).to_affine();
    let enc = point.to_encoded_point(false);
    let le = |b: &[u8]| b.iter().rev().copied().collect::<Vec<u8>>();
    let mut journal = Vec::new();
    journal.extend(words(&modmul));
    journal.extend(words(&(lo(&x) * lo(&y))));
    journal.extend(words(&modmul));
    journal.extend(words(&inverse));
    journal.extend(le(enc.x().unwrap()));
    journal.extend(le(enc.y().unwrap()));
    journal.extend(rounds.to_le_bytes());
    assert_eq!(j["output"], hex(&journal));

    let dir = tempdir("risc0-bigint");
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        elf,
        "--input-hex",
        &hex(&input),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    // Each call a frame, the kernel serving it (the host call's cycles
    // included) under it.
    for call in ["BIGINT", "BIGINT2"] {
        let kernel = format!("[precompile] {call};[kernel]");
        assert!(folded_cycles(&text, Some(&kernel)) > 0, "{call}: {text}");
    }
    let o = zkdbg(&[
        "trace",
        elf,
        "--platform",
        "risc0",
        "--input-hex",
        &hex(&input),
    ]);
    let trace = String::from_utf8_lossy(&o.stderr);
    let v1 = trace.matches("[precompile] BIGINT(").count();
    assert_eq!(v1, rounds as usize + 1, "{trace}");
    assert!(
        trace
            .lines()
            .filter(|l| l.contains("[precompile] BIGINT2(0x"))
            .count()
            > 200,
        "{trace}"
    );
}

/// RISC Zero's sponge on the host (`risc0-zkp`'s permutation): 16 cells
/// per block overwritten, 8 capacity cells carried in `state`.
fn sponge(state: &mut [u32; 8], blocks: &[[u32; 16]]) -> [u32; 8] {
    use risc0_zkp::core::hash::poseidon2::poseidon2_mix;
    use risc0_zkp::field::baby_bear::BabyBearElem;
    let mut cells = [BabyBearElem::new(0); 24];
    for (c, s) in cells[16..].iter_mut().zip(state.iter()) {
        *c = BabyBearElem::new(*s);
    }
    for b in blocks {
        for (c, v) in cells.iter_mut().zip(b) {
            *c = BabyBearElem::new(*v);
        }
        poseidon2_mix(&mut cells);
    }
    for (s, c) in state.iter_mut().zip(&cells[16..]) {
        *s = c.as_u32();
    }
    std::array::from_fn(|i| cells[i].as_u32())
}

#[test]
fn poseidon2_calls_match_the_sponge_on_the_host_and_a_bad_check_faults() {
    let elf = repo().join("guests/bin/risc0/r0-poseidon2.elf");
    let elf = elf.to_str().unwrap();
    // (elems: Vec<u32>, rounds: u32, wrong: bool) in RISC Zero's word
    // serialization; some values past BabyBear's prime.
    let elems: Vec<u32> = (0..48u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
    let rounds = 3u32;
    let input = |wrong: u32| {
        let mut w = vec![elems.len() as u32];
        w.extend(&elems);
        w.extend([rounds, wrong]);
        hex(&w.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>())
    };
    let (o, j) = run_report(&[elf, "--input-hex", &input(0)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let as_elems: Vec<[u32; 16]> = elems.chunks(16).map(|c| c.try_into().unwrap()).collect();
    let mut state = [0u32; 8];
    let mut digest = [0; 8];
    for _ in 0..rounds {
        digest = sponge(&mut state, &as_elems);
    }
    let as_halves: Vec<[u32; 16]> = elems
        .chunks(8)
        .map(|c| std::array::from_fn(|i| (c[i / 2] >> (16 * (i % 2))) & 0xffff))
        .collect();
    let halves = sponge(&mut [0; 8], &as_halves);
    let journal: Vec<u8> = digest
        .iter()
        .chain(&halves)
        .flat_map(|w| w.to_le_bytes())
        .collect();
    assert_eq!(j["output"], hex(&journal));
    // A digest that differs from the CHECK_OUT buffer: RISC Zero's
    // "poseidon2 check failed", where it happened.
    let (o, j) = run_report(&[elf, "--input-hex", &input(1)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(j["halt_reason"], "fault", "{err}");
    assert!(err.contains("poseidon2 check failed"), "{err}");
    // Profiles and traces name the call; the trace decodes its arguments.
    let o = zkdbg(&[
        "trace",
        elf,
        "--platform",
        "risc0",
        "--input-hex",
        &input(0),
    ]);
    let trace = String::from_utf8_lossy(&o.stderr);
    let calls: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("[precompile] POSEIDON2("))
        .collect();
    assert_eq!(calls.len(), rounds as usize + 2, "{trace}");
    assert!(calls[0].contains(", 3, 0x80000000)"), "{}", calls[0]);
    assert!(
        calls[rounds as usize].contains("POSEIDON2(0x0, "),
        "{}",
        calls[rounds as usize]
    );
    assert!(
        calls[rounds as usize + 1].contains(", 6, 0x40000000)"),
        "{}",
        calls[rounds as usize + 1]
    );
    let dir = tempdir("risc0-poseidon2");
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        elf,
        "--input-hex",
        &input(0),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    assert!(
        folded_cycles(&text, Some("[precompile] POSEIDON2;[kernel]")) > 0,
        "{text}"
    );
}
