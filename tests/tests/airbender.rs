//! The `airbender` platform end to end: ZKsync Airbender's flat binaries
//! loaded at address 0, the oracle (CSR 0x7c0) as input and UART, the
//! output in x10..x17, on the bundled `guests/airbender/fib.c` (written to
//! Airbender's conventions, after its examples/basic_fibonacci).

use zkdbg_tests::*;

fn bin() -> String {
    let p = repo().join("guests/bin/airbender/fib.bin");
    p.to_str().unwrap().to_string()
}

fn symbols() -> String {
    let p = repo().join("guests/bin/airbender/fib.elf");
    p.to_str().unwrap().to_string()
}

/// `n` iterations of the example's loop (a = b = 1; c = a + b ...): b.
fn fib_loop(n: u32) -> u32 {
    let (mut a, mut b) = (1u32, 1u32);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    b
}

fn words_hex(w: &[u32]) -> String {
    w.iter()
        .flat_map(|x| x.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn fibonacci_outputs_in_a0_a7_as_airbenders_simulator_reads_them() {
    // No oracle: the example's 10 rounds, a0 = 144.
    let (o, j) = run_report("airbender", &[&bin(), "--platform", "airbender"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(j["output"], words_hex(&[144, 10, 0, 0, 0, 0, 0, 0]));
    assert_eq!(j["platform"], "airbender");
    assert_eq!(j["halt_reason"], "jump-to-self");
    assert_eq!(j["cycles"], j["instructions"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("fib rounds: 10"));
    // The oracle as Airbender's CLI takes it: 8 hex digits per word.
    let dir = tempdir("airbender");
    let input = dir.join("input.txt");
    std::fs::write(&input, "00000014\n").unwrap();
    for args in [
        vec!["--input", input.to_str().unwrap()],
        vec!["--input-hex", "00000014"],
    ] {
        let mut a = vec![bin(), "--platform".into(), "airbender".into()];
        a.extend(args.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (o, j) = run_report("airbender", &a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            j["output"],
            words_hex(&[fib_loop(20), 20, 0, 0, 0, 0, 0, 0])
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("fib rounds: 20"));
    }
}

#[test]
fn symbols_name_the_flat_binarys_code_and_bad_inputs_are_clear() {
    // --symbols: profiles name main.
    let dir = tempdir("airbender-profile");
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        &bin(),
        "--platform",
        "airbender",
        "--symbols",
        &symbols(),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("_start;main ")),
        "{text}"
    );
    // A flat binary without --platform: a hint.
    let o = zkdbg(&["run", &bin()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--platform airbender"), "{err}");
    // An oracle that is not 8-digit words; --symbols on an ELF.
    let o = zkdbg(&[
        "run",
        &bin(),
        "--platform",
        "airbender",
        "--input-hex",
        "0014",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("words of 8 hex digits"), "{err}");
    let o = zkdbg(&["run", &symbols(), "--symbols", &symbols()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--symbols names a flat binary"), "{err}");
}

#[test]
fn delegations_are_precompile_records_with_their_registers() {
    // a0 = 0x200000, a1 = 0x201000, a2 = 1 (round 0), a3 = 1 (last round):
    // the BLAKE2 delegation; then a2 = 1 (add), a4 = 32: U256 a + b, its
    // carry flag into a2; `j .`.
    let lui = |rd: u32, imm: u32| imm << 12 | rd << 7 | 0x37;
    let addi = |rd: u32, rs1: u32, imm: u32| imm << 20 | rs1 << 15 | rd << 7 | 0x13;
    let csrw = |csr: u32| 0x73 | 1 << 12 | csr << 20;
    let words = [
        lui(10, 0x200),
        lui(11, 0x201),
        addi(12, 0, 1),
        addi(13, 0, 1),
        csrw(0x7c7),
        addi(12, 0, 1),
        csrw(0x7ca),
        0x6f,
    ];
    let dir = tempdir("airbender-deleg");
    let app = dir.join("app.bin");
    std::fs::write(
        &app,
        words
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let o = zkdbg(&[
        "trace",
        "--platform",
        "airbender",
        app.to_str().unwrap(),
        "--format",
        "strace",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "[precompile] BLAKE2_ROUND_FUNCTION_WITH_EXTENDED_CONTROL(0x200000, 0x201000, 0x1, 0x1) <1 cycles>"
        ),
        "{err}"
    );
    assert!(
        err.contains("[precompile] U256_OPS_WITH_CONTROL(0x200000, 0x201000, 0x1, 0x1)"),
        "{err}"
    );
    // A misaligned state pointer: a fault naming the delegation.
    // (a1 stays 0: addi a0, a0, 4 replaces its lui.)
    let mut bad = words;
    bad[1] = addi(10, 10, 4);
    std::fs::write(
        &app,
        bad.iter()
            .flat_map(|w| w.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let o = zkdbg(&["run", "--platform", "airbender", app.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("BLAKE2_ROUND_FUNCTION_WITH_EXTENDED_CONTROL") && err.contains("128-byte"),
        "{err}"
    );
    // Not whole words: Airbender's loader refuses it, and so does zkdbg.
    std::fs::write(&app, [0x6f, 0, 0, 0, 0x13]).unwrap();
    let o = zkdbg(&["run", "--platform", "airbender", app.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("whole 32-bit words"),
        "{err}"
    );
}

#[test]
fn outputs_and_cycles_equal_airbenders_own_simulator() {
    // platforms/facts/airbender-reference.tsv: Airbender's risc_v_simulator
    // on the bundled binaries (scripts/peers-airbender/run.sh). Its "Took
    // N cycles" is the index of the final `j .`, which zkdbg retires as
    // instruction N + 1.
    let facts =
        std::fs::read_to_string(repo().join("platforms/facts/airbender-reference.tsv")).unwrap();
    let mut rows = 0;
    for line in facts.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let bin = repo().join(format!("guests/bin/airbender/{}.bin", f[0]));
        let mut args = vec![bin.to_str().unwrap(), "--platform", "airbender"];
        if f[1] != "-" {
            args.extend(["--input-hex", f[1]]);
        }
        let (o, j) = run_report("airbender", &args);
        assert!(
            o.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let words: Vec<u32> = f[2]
            .split(' ')
            .map(|w| u32::from_str_radix(w, 16).unwrap())
            .collect();
        assert_eq!(j["output"], words_hex(&words), "{line}");
        let n: u64 = f[3].parse().unwrap();
        assert_eq!(j["instructions"].as_u64(), Some(n + 1), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 4);
}
