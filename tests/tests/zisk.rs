//! The `zisk` platform end to end through the `zkdbg` binary: the bundled
//! guest written to ziskos's conventions (`guests/zisk/zk-hash.c`: the
//! KECCAKF and SHA256F precompiles, DMA memcpy/memcmp/memset, UART output,
//! public outputs) and an ELF ZisK's own toolchain built (its v0.4
//! `sha_hasher` example, `guests/bin/zisk/vendor`).

use sha2::{Digest, Sha256};
use sha3::Keccak256;
use zkdbg_tests::*;

fn elf(name: &str) -> String {
    repo()
        .join("guests/bin/zisk")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn run_report(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    zkdbg_tests::run_report("zisk", args)
}

/// The public outputs as the guest commits them: the SHA-256 then the
/// Keccak-256 digest, big-endian u32 words, each stored little-endian.
fn outputs(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for digest in [
        Sha256::digest(msg).to_vec(),
        Keccak256::digest(msg).to_vec(),
    ] {
        for w in digest.chunks(4) {
            out.extend(w.iter().rev());
        }
    }
    out
}

#[test]
fn precompiles_dma_uart_and_outputs_give_the_hosts_hashes() {
    // One block, and several blocks of each hash (136-byte Keccak rate,
    // 64-byte SHA-256 blocks, padding spilling into a new block).
    for msg in [
        b"abc".to_vec(),
        (0..1000u32).map(|i| (i * 7) as u8).collect(),
    ] {
        let (o, j) = run_report(&[&elf("zk-hash.elf"), "--input-hex", &hex(&msg)]);
        let ctx = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(j["platform"], "zisk", "{ctx}");
        assert_eq!(j["exit_code"], 0, "{ctx}");
        assert_eq!(j["cycle_unit"], "zisk-steps", "{ctx}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            stdout,
            format!(
                "keccak256 {}\nsha256 {}\n",
                hex(&Keccak256::digest(&msg)),
                hex(&Sha256::digest(&msg))
            ),
            "{ctx}"
        );
        assert_eq!(j["output"], hex(&outputs(&msg)), "{ctx}");
        // The ROM's boot and exit cost steps no instruction retires.
        let (steps, insns) = (
            j["cycles"].as_u64().unwrap(),
            j["instructions"].as_u64().unwrap(),
        );
        let boot_and_exit = 1
            + zkdbg_platforms::zisk::FLOAT_LIB_INIT_STEPS
            + zkdbg_platforms::zisk::init_steps(&std::fs::read(elf("zk-hash.elf")).unwrap())
                .unwrap()
            + zkdbg_platforms::zisk::ENTRY_STEPS
            + zkdbg_platforms::zisk::EXIT_STEPS;
        // memcpy and memcmp are the `add` form: one step more each (2
        // calls of each per run, plus one memcpy per hashed block tail).
        assert!(
            steps > insns + boot_and_exit,
            "{steps} {insns} {boot_and_exit}"
        );
        assert!(
            steps < insns + boot_and_exit + 64,
            "{steps} {insns} {boot_and_exit}"
        );
    }
}

#[test]
fn profile_and_trace_name_the_precompiles_and_dma_calls() {
    let dir = tempdir("zisk-profile");
    let folded = dir.join("p.folded");
    let o = zkdbg(&[
        "profile",
        &elf("zk-hash.elf"),
        "--input-hex",
        &hex(b"abc"),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&folded).unwrap();
    let count = |frame: &str| folded_cycles(&text, Some(frame));
    // "abc": one Keccak block, one SHA-256 block.
    assert_eq!(count("[precompile] KECCAKF"), 1, "{text}");
    assert_eq!(count("[precompile] SHA256F"), 1, "{text}");
    // memcpy's `add` form costs 2 steps: the parameter and the copy.
    assert!(count("[precompile] DMA_MEMCPY") >= 2 * 3, "{text}");
    assert!(count("[precompile] DMA_MEMSET") >= 3, "{text}");
    assert!(text.contains("main;"), "{text}");
    let (_, j) = run_report(&[&elf("zk-hash.elf"), "--input-hex", &hex(b"abc")]);
    assert_eq!(folded_cycles(&text, None), j["cycles"].as_u64().unwrap());
    let o = zkdbg(&[
        "trace",
        &elf("zk-hash.elf"),
        "--input-hex",
        &hex(b"abc"),
        "--format",
        "strace",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("[precompile] KECCAKF("), "{err}");
    assert!(err.contains("[precompile] DMA_MEMCMP("), "{err}");
    assert!(err.contains("exit("), "{err}");
}

/// SHA-256 applied `n` times to 32 zero bytes (ZisK's sha_hasher example).
fn iterated_sha256(n: u64) -> [u8; 32] {
    let mut h = [0u8; 32];
    for _ in 0..n {
        h = Sha256::digest(h).into();
    }
    h
}

#[test]
fn an_elf_zisks_toolchain_built_runs_unmodified() {
    // v0.4's layout: the input is one u64 (n), recognised from the ELF.
    let (o, j) = run_report(&[
        &elf("vendor/sha-hasher-v0.4.elf"),
        "--input-hex",
        &hex(&20u64.to_le_bytes()),
    ]);
    let ctx = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(j["platform"], "zisk", "{ctx}");
    assert!(
        j["platform_reason"].as_str().unwrap().contains("marchid"),
        "{ctx}"
    );
    assert_eq!(j["exit_code"], 0, "{ctx}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("{:?}\n", iterated_sha256(20)),
        "{ctx}"
    );
    // ZisK's book (v0.4.0, book/getting_started/writing_programs.md)
    // shows this example's first output word for n = 20.
    assert_eq!(&iterated_sha256(20)[..4], &[0x98, 0x21, 0x18, 0x82]);
    // Its RAM and ROM are those of ZisK; it reads no public-output words.
    assert_eq!(j["output"], "", "{ctx}");
    // The same ELF told it is a current-layout guest reads a zero length
    // and fails its own check (a panic: Rust's exit through ZisK's abort).
    let (o, j) = run_report(&[
        &elf("vendor/sha-hasher-v0.4.elf"),
        "--zisk-layout",
        "current",
        "--input-hex",
        &hex(&20u64.to_le_bytes()),
    ]);
    assert_ne!(
        String::from_utf8_lossy(&o.stdout),
        format!("{:?}\n", iterated_sha256(20)),
        "{j}"
    );
}

#[test]
fn bad_inputs_and_unsupported_calls_are_clear_errors() {
    // An older layout takes one input file.
    let o = zkdbg(&[
        "run",
        &elf("vendor/sha-hasher-v0.4.elf"),
        "--input-hex",
        "01",
        "--input-hex",
        "02",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("read one input file; got 2 inputs"), "{err}");
    // A ZisK ELF on another platform is refused or faults, never hangs.
    let o = zkdbg(&["run", &elf("zk-hash.elf"), "--platform", "openvm"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not run RV64"));
}

#[test]
fn a_current_zisk_reth_guest_runs_until_it_reads_its_input() {
    // ZisK's own reth example ELF (current layout): its boot, allocator,
    // precompile setup and the FCALL_INPUT_READY before `io::read` run;
    // without input that call stops it, naming the option.
    let reth = elf("vendor/zec-reth.elf");
    let (o, j) = run_report(&[&reth]);
    let ctx = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(j["platform"], "zisk", "{ctx}");
    assert_eq!(j["halt_reason"], "fault", "{ctx}");
    assert!(ctx.contains("FCALL_INPUT_READY"), "{ctx}");
    assert!(ctx.contains("none was given (--input"), "{ctx}");
    // Eight bytes that are no block: bincode refuses them and the guest
    // panics with its message on the UART.
    let (o, _) = run_report(&[&reth, "--input-hex", "0102030405060708"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Deserialization failed"), "{out}");
}

/// bincode 2's standard encoding (ziskos::io::read's) of a byte vector
/// (varint length, then the bytes) and of a u32 (varint).
fn bincode_bytes(b: &[u8]) -> Vec<u8> {
    assert!(b.len() < 251);
    [vec![b.len() as u8], b.to_vec()].concat()
}

#[test]
fn a_rust_guest_on_ziskos_1_4_from_crates_io() {
    let g = elf("zisk-hash.elf");
    let rounds = |n: u8| hex(&[n]);
    let (o, j) = run_report(&[
        &g,
        "--input-hex",
        &hex(&bincode_bytes(b"abc")),
        "--input-hex",
        &rounds(2),
    ]);
    let ctx = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(j["exit_code"], 0, "{ctx}");
    assert!(
        j["platform_reason"].as_str().unwrap().contains("marchid"),
        "{ctx}"
    );
    // keccak(keccak("abc")), sha(sha("abc")) and the round count,
    // committed as bytes (io::commit_slice).
    let k = Keccak256::digest(Keccak256::digest(b"abc"));
    let s = Sha256::digest(Sha256::digest(b"abc"));
    let want = [k.to_vec(), s.to_vec(), 2u32.to_le_bytes().to_vec()].concat();
    assert_eq!(j["output"], hex(&want), "{ctx}");
    // Zero rounds: the guest's assertion panics; ziskos 1.4 passes the
    // exit code (101) to its exit call in a0.
    let (_, j) = run_report(&[
        &g,
        "--input-hex",
        &hex(&bincode_bytes(b"abc")),
        "--input-hex",
        &rounds(0),
    ]);
    assert_eq!(j["exit_code"], 101);
    // Its layout is recognised from `_start`, and the flag overrides it.
    let o = zkdbg(&["run", &g, "--zisk-layout", "current", "--input-hex", "00"]);
    assert!(!o.status.success());
}

#[test]
fn profile_markers_become_spans() {
    // zk-hash.c wraps each hash in ziskos's profile_start!/profile_end!.
    let dir = tempdir("zisk-span");
    let folded = dir.join("k.folded");
    let o = zkdbg(&[
        "profile",
        &elf("zk-hash.elf"),
        "--input-hex",
        &hex(b"abc"),
        "--span",
        "keccak",
        "--folded",
        folded.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("span keccak:"))
        .expect(&err);
    let cycles: u64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(err.contains("span sha:"), "{err}");
    let text = std::fs::read_to_string(&folded).unwrap();
    // The span's flamegraph holds exactly its cycles, KECCAKF among them
    // and no SHA256F.
    assert_eq!(folded_cycles(&text, None), cycles, "{text}");
    assert_eq!(
        folded_cycles(&text, Some("[precompile] KECCAKF")),
        1,
        "{text}"
    );
    assert!(!text.contains("SHA256F"), "{text}");
}

#[test]
fn zisks_go_regression_elf_prints_hello_world() {
    // From ZisK's ELF regression set: the Go runtime boots, prints through
    // the UART and exits; recognised by its ROM/RAM layout alone (it never
    // reads marchid).
    let (o, j) = run_report(&[&elf("vendor/go-hello-world.elf")]);
    let ctx = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(j["platform"], "zisk", "{ctx}");
    assert_eq!(j["exit_code"], 0, "{ctx}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Hello World\n", "{ctx}");
    assert!(j["instructions"].as_u64().unwrap() > 1_000_000, "{j}");
}
