//! The `jolt` platform end to end on the Rust guests of `guests/rust`:
//! `jolt-hash` and `jolt-ecc` (no_std, Jolt's conventions) and
//! `linux-hello` (the `linux` platform), through the `zkdbg` binary as a
//! user runs it.

use sha2::{Digest, Sha256};
use sha3::Keccak256;
use std::path::PathBuf;
use zkdbg_tests::*;

fn rust_guest(name: &str) -> PathBuf {
    repo().join("guests/bin/rust").join(format!("{name}.elf"))
}

/// postcard's varint (LEB128) of `v`.
fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// postcard's encoding of `(data: &[u8], rounds: u32)`: varint length,
/// bytes, varint rounds.
fn postcard_args(data: &[u8], rounds: u32) -> Vec<u8> {
    let mut out = postcard_bytes(data);
    varint(rounds as u64, &mut out);
    out
}

/// Runs `zkdbg run ARGS --report` (see [`zkdbg_tests::run_report`]).
fn run_report(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    zkdbg_tests::run_report("jolt", args)
}

#[test]
fn known_inputs_give_the_hashes_computed_on_the_host() {
    let g = rust_guest("jolt-hash");
    // One block, a two-block message (120 bytes: padding spills), longer chains.
    for (data, rounds) in [
        (b"abc".to_vec(), 1u32),
        (vec![7u8; 120], 3),
        (b"zkdbg".to_vec(), 10),
    ] {
        let input = hex(&postcard_args(&data, rounds));
        let (o, j) = run_report(&[g.to_str().unwrap(), "--input-hex", &input]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut digest: [u8; 32] = Sha256::digest(&data).into();
        for _ in 1..rounds {
            digest = Sha256::digest(digest).into();
        }
        let k: [u8; 32] = Keccak256::digest(digest).into();
        // postcard encodes ([u8; 32], [u8; 32]) as the 64 bytes.
        assert_eq!(j["output"], format!("{}{}", hex(&digest), hex(&k)));
        assert_eq!(j["platform"], "jolt");
        assert_eq!(j["cycle_unit"], "jolt-cycles");
        assert_eq!(j["halt_reason"], "jump-to-self");
        let cycles = j["cycles"].as_u64().unwrap();
        assert!(cycles > j["instructions"].as_u64().unwrap() + 2260 * rounds as u64);
        assert_eq!(
            j["padded_cycles"].as_u64(),
            Some(cycles.next_power_of_two())
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(&format!(
                "hash_chain: {} bytes, {rounds} rounds",
                data.len()
            )),
            "{out}"
        );
    }
}

#[test]
fn a_guest_panic_is_reported_as_one() {
    let g = rust_guest("jolt-hash");
    let input = hex(&postcard_args(b"abc", 0));
    let (o, j) = run_report(&[g.to_str().unwrap(), "--input-hex", &input]);
    assert_eq!(
        o.status.code(),
        Some(101),
        "{input}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        (j["halt_reason"].as_str(), j["exit_code"].as_i64()),
        (Some("panic"), Some(101))
    );
    assert_eq!(j["output"], "");
    assert!(String::from_utf8_lossy(&o.stdout).contains("panicked: rounds must be at least 1"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("zkdbg: panic |"));
}

/// `zkdbg profile --folded` of guest `g` on `input`: the folded text,
/// checked to sum to the run report's Jolt cycles, and a function that
/// sums the cycles of the `[inline] NAME` frames.
fn folded_profile(g: &std::path::Path, input: &str, tag: &str) -> (String, impl Fn(&str) -> u64) {
    let (_, j) = run_report(&[g.to_str().unwrap(), "--input-hex", input]);
    let dir = tempdir(tag);
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        g.to_str().unwrap(),
        "--input-hex",
        input,
        "--folded",
        folded.to_str().unwrap(),
        "--output",
        dir.join("p.svg").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    let count = |l: &str| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap();
    let sum: u64 = text.lines().map(count).sum();
    assert_eq!(sum, j["cycles"].as_u64().unwrap());
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let inline = move |name: &str| -> u64 {
        lines
            .iter()
            .filter(|l| l.contains(&format!("[inline] {name} ")))
            .map(|l| count(l))
            .sum()
    };
    (text, inline)
}

#[test]
fn profile_has_inline_frames_and_sums_to_the_jolt_cycles() {
    let g = rust_guest("jolt-hash");
    let input = hex(&postcard_args(b"abc", 4));
    let (text, inline) = folded_profile(&g, &input, "jolt-prof");
    // Four SHA-256 compressions from the initial state, one Keccak-f,
    // each charged its Jolt expansion length, under the Rust function that
    // issued it (demangled).
    assert_eq!(inline("SHA256_INIT_INLINE"), 4 * 2260);
    assert_eq!(inline("KECCAK256_INLINE"), 3260);
    assert!(
        text.lines()
            .any(|l| l.contains("jolt_hash::hash_chain;jolt_hash::sha256;")
                && l.contains(";[inline] SHA256_INIT_INLINE ")),
        "{text}"
    );
    // The in-guest kernel's frames sit under `[syscall] write`; the ecall
    // costs Jolt's 7 cycles.
    assert!(
        text.contains("jolt_hash::write;[syscall] write;_trap_handler;[host] print "),
        "{text}"
    );
}

#[test]
fn trace_lists_inlines_and_host_calls() {
    let g = rust_guest("jolt-hash");
    let input = hex(&postcard_args(b"abc", 2));
    let o = zkdbg(&[
        "trace",
        g.to_str().unwrap(),
        "--input-hex",
        &input,
        "--format",
        "strace",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The trace goes to stderr (as strace's does), before the summary.
    let out = String::from_utf8_lossy(&o.stderr);
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest))
        .map(|rest| rest.split('(').next().unwrap())
        .collect();
    // println goes through `write` by ecall, served by the guest's own
    // trap handler (ZeroOS's std-mode route), which prints via the host.
    assert_eq!(
        names,
        [
            "[kernel] write",
            "[host] print",
            "[kernel] write",
            "[host] print",
            "[host] cycle_marker_start",
            "[host] cycle_marker_end",
            "[host] cycle_marker_start",
            "[inline] SHA256_INIT_INLINE",
            "[inline] SHA256_INIT_INLINE",
            "[host] cycle_marker_end",
            "[inline] KECCAK256_INLINE"
        ],
        "{out}"
    );
    assert!(
        out.contains("[kernel] write(1, 0x") && out.contains(", 29) = 29 <"),
        "{out}"
    );
    assert!(out.contains("<2260 cycles>") && out.contains("<3260 cycles>"));
}

#[test]
fn bad_input_and_contradicting_flags_are_clear_errors() {
    let g = rust_guest("jolt-hash");
    let g = g.to_str().unwrap();
    let dir = tempdir("jolt-bad");
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![0u8; 5000]).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--input", big.to_str().unwrap()], "input is 5000 bytes, larger than its region (4096 bytes; raise it with --max-input-size)"),
        (&["--max-trusted-advice-size", "3000"], "trusted advice size 3000 bytes is not a power of two"),
        (&["--memory-limit", "40K"], "cannot map the I/O region at 0x7fff8000..0x7fffb000: memory limit of 40960 bytes reached"),
        (&["--heap-size", "99999999999999999999"], "not a size in bytes"),
        (&["--input-hex", "abc"], "is not hex bytes"),
        (&["--platform", "sp2"], "unknown platform `sp2` (auto, linux, jolt, sp1, risc0, airbender, openvm, zisk)"),
    ];
    for (args, want) in cases {
        let mut all = vec!["run", g];
        all.extend_from_slice(args);
        let o = zkdbg(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // The stack is demand-zero: a limit the first stack store exceeds is a
    // fault that says so.
    let o = zkdbg(&[
        "run",
        g,
        "--memory-limit",
        "56K",
        "--input-hex",
        "0361626302",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("memory limit of 57344 bytes reached when the guest first touched this page"),
        "{err}"
    );
    // A 32-bit guest cannot run on Jolt (RV64 only).
    let rv32 = guest("rv32", "hello");
    let o = zkdbg(&["run", rv32.to_str().unwrap(), "--platform", "jolt"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the jolt platform does not run RV32 guests"),
        "{err}"
    );
    // Forcing linux on a Jolt guest runs it there and says so; its first
    // read of Jolt's input region faults (nothing is mapped there).
    let (o, j) = run_report(&[g, "--platform", "linux"]);
    assert_eq!(o.status.code(), Some(128 + 11));
    assert!(j["platform_reason"]
        .as_str()
        .unwrap()
        .starts_with("--platform linux (the ELF looks like jolt"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("load access fault"));
}

#[test]
fn bundled_c_guests_stay_on_linux_and_a_rust_linux_guest_runs() {
    let (_, j) = run_report(&[guest("rv64", "prof").to_str().unwrap()]);
    assert_eq!(j["platform"], "linux");
    assert_eq!(j["cycle_unit"], "instructions");
    assert!(j.get("output").is_none() && j.get("padded_cycles").is_none());
    let dir = tempdir("linux-hello");
    let stdin = dir.join("in");
    std::fs::write(&stdin, b"hello").unwrap();
    let (o, j) = run_report(&[
        rust_guest("linux-hello").to_str().unwrap(),
        "--stdin",
        stdin.to_str().unwrap(),
    ]);
    let sum: u32 = b"hello".iter().map(|&b| b as u32).sum();
    assert_eq!(j["exit_status"].as_i64(), Some((sum & 0xff) as i64));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("hello from a no_std Rust guest\nstdin byte sum: {sum}\n")
    );
    assert_eq!(j["platform"], "linux");
}

#[test]
fn rust_symbols_demangle_in_both_manglings() {
    // jolt-hash is built with rustc's v0 mangling, linux-hello with legacy.
    for (guest, mangled_prefix, name) in [
        ("jolt-hash", "_RNv", "jolt_hash::hash_chain"),
        ("linux-hello", "_ZN", "linux_hello::checksum"),
    ] {
        let elf = std::fs::read(rust_guest(guest)).unwrap();
        let p = zkdbg_emulator::Program::parse(&elf).unwrap();
        let s = p
            .symbols
            .by_name(name)
            .unwrap_or_else(|| panic!("{name} not found"));
        assert!(s.name.starts_with(mangled_prefix), "{}", s.name);
        assert_eq!(p.symbols.describe(s.addr + 4), Some(format!("{name}+0x4")));
    }
}

/// postcard's encoding of a `&[u8]` argument: varint length, bytes.
fn postcard_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(data.len() as u64, &mut out);
    out.extend_from_slice(data);
    out
}

/// `n` postcard varints (u64) from `bytes`, and the rest.
fn varints(mut bytes: &[u8], n: usize) -> (Vec<u64>, &[u8]) {
    let mut out = Vec::new();
    for _ in 0..n {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = bytes[0];
            bytes = &bytes[1..];
            v |= ((b & 0x7f) as u64) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push(v);
    }
    (out, bytes)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn big(words: &[u64]) -> num_bigint::BigInt {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    num_bigint::BigInt::from_bytes_le(num_bigint::Sign::Plus, &bytes)
}

#[test]
fn blake_and_secp256k1_inlines_give_what_the_host_computes() {
    use blake2::Digest;
    use num_bigint::BigInt;
    let g = rust_guest("jolt-ecc");
    let p = BigInt::parse_bytes(
        b"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
        16,
    )
    .unwrap();
    let n = BigInt::parse_bytes(
        b"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    // libsecp256k1's endomorphism eigenvalue.
    let lambda = BigInt::parse_bytes(
        b"5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72",
        16,
    )
    .unwrap();
    for len in [3usize, 200, 1024] {
        let msg: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
        let input = hex(&postcard_bytes(&msg));
        let (o, j) = run_report(&[g.to_str().unwrap(), "--input-hex", &input]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = unhex(j["output"].as_str().unwrap());
        let b2 = blake2::Blake2b512::digest(&msg);
        assert_eq!(&out[..64], b2.as_slice(), "BLAKE2b-512 of {len} bytes");
        assert_eq!(&out[64..96], blake3::hash(&msg).as_bytes(), "BLAKE3");
        let (inv, rest) = varints(&out[96..], 4);
        let (k, rest) = varints(rest, 6);
        assert!(rest.is_empty());
        // x * x^-1 = 1 in secp256k1's base field, x the BLAKE3 digest.
        let x = BigInt::from_bytes_le(num_bigint::Sign::Plus, &out[64..96]);
        assert_eq!(x * big(&inv) % &p, BigInt::from(1));
        // k = k1 + k2 lambda (mod n), k the first half of the BLAKE2b digest.
        let half = |s: u64, lo: u64, hi: u64| {
            if s == 1 {
                -big(&[lo, hi])
            } else {
                big(&[lo, hi])
            }
        };
        let (k1, k2) = (half(k[0], k[1], k[2]), half(k[3], k[4], k[5]));
        let kk = BigInt::from_bytes_le(num_bigint::Sign::Plus, &b2[..32]);
        let r = (k1 + k2 * &lambda - kk) % &n;
        assert_eq!(r, BigInt::from(0), "GLV halves of {len} bytes' k");
    }
    // Longer than one BLAKE3 chunk: the guest panics, with its message.
    let input = hex(&postcard_bytes(&[0u8; 1025]));
    let (o, j) = run_report(&[g.to_str().unwrap(), "--input-hex", &input]);
    assert_eq!(j["halt_reason"], "panic");
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("panicked: message longer than one BLAKE3 chunk"));
}

#[test]
fn profile_and_trace_name_the_blake_and_secp256k1_inlines() {
    let g = rust_guest("jolt-ecc");
    // 200 bytes: two BLAKE2b blocks, four BLAKE3 blocks.
    let input = hex(&postcard_bytes(&[0x5a; 200]));
    let (text, inline) = folded_profile(&g, &input, "jolt-ecc-prof");
    // Each charged its length from Jolt's own sequence builders.
    assert_eq!(inline("BLAKE2_INLINE"), 2 * 1067);
    assert_eq!(inline("BLAKE3_INLINE"), 4 * 648);
    assert_eq!(inline("SECP256K1_DIVQ"), 194);
    assert_eq!(inline("SECP256K1_MULQ"), 186);
    assert_eq!(inline("SECP256K1_GLVR_ADV"), 13);
    assert!(
        text.lines().any(
            |l| l.contains("jolt_ecc::digest_and_invert;jolt_ecc::blake2b;")
                && l.contains(";[inline] BLAKE2_INLINE ")
        ),
        "{text}"
    );
    let o = zkdbg(&[
        "trace",
        g.to_str().unwrap(),
        "--input-hex",
        &input,
        "--format",
        "strace",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let names: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest))
        .map(|rest| rest.split('(').next().unwrap())
        .filter(|n| n.starts_with("[inline]"))
        .collect();
    assert_eq!(
        names,
        [
            "[inline] BLAKE2_INLINE",
            "[inline] BLAKE2_INLINE",
            "[inline] BLAKE3_INLINE",
            "[inline] BLAKE3_INLINE",
            "[inline] BLAKE3_INLINE",
            "[inline] BLAKE3_INLINE",
            "[inline] SECP256K1_DIVQ",
            "[inline] SECP256K1_MULQ",
            "[inline] SECP256K1_GLVR_ADV",
        ],
        "{err}"
    );
}
