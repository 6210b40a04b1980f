//! Differential tests against QEMU user mode (Debian's qemu-riscv64 and
//! qemu-riscv32), the reference CPU: the same ELF must give the same stdout
//! and exit status, and the small guests the same registers before every
//! instruction (`-singlestep -d cpu,nochain`).

use std::io::Write;
use std::process::{Command, Stdio};
use zkdbg_tests::lockstep::lockstep;
use zkdbg_tests::*;

fn run_qemu(arch: &str, name: &str, stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(qemu(arch))
        .arg(guest(arch, name))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn run_ours(arch: &str, name: &str, stdin: &[u8]) -> std::process::Output {
    let dir = tempdir(&format!("diff-{arch}-{name}"));
    let input = dir.join("stdin");
    std::fs::write(&input, stdin).unwrap();
    zkdbg(&[
        "run",
        guest(arch, name).to_str().unwrap(),
        "--stdin",
        input.to_str().unwrap(),
    ])
}

fn same_as_qemu(arch: &str, name: &str, stdin: &[u8]) {
    let q = run_qemu(arch, name, stdin);
    let z = run_ours(arch, name, stdin);
    assert_eq!(
        String::from_utf8_lossy(&z.stdout),
        String::from_utf8_lossy(&q.stdout),
        "{arch} {name}: stdout differs"
    );
    assert_eq!(
        shell_status(&z),
        shell_status(&q),
        "{arch} {name}: exit status differs\n{}",
        String::from_utf8_lossy(&z.stderr)
    );
}

#[test]
fn small_guests_match_qemu_output_and_exit_status() {
    for arch in ARCHES {
        for name in [
            "hello",
            "fib",
            "prof",
            "secp256k1",
            "fault-null",
            "fault-illegal",
            "fault-misaligned",
        ] {
            same_as_qemu(arch, name, b"");
        }
        same_as_qemu(
            arch,
            "sha256",
            b"The quick brown fox jumps over the lazy dog",
        );
    }
}

#[test]
fn lua_matches_qemu() {
    for arch in ARCHES {
        same_as_qemu(arch, "lua", LUA_SCRIPT.as_bytes());
        // a script error: message on stderr, exit status 1 on both
        same_as_qemu(arch, "lua", b"error('boom')");
    }
}

#[test]
fn bench_matches_qemu() {
    for arch in ARCHES {
        same_as_qemu(arch, "bench", b"");
    }
}

#[test]
fn small_guests_match_qemu_instruction_by_instruction() {
    for arch in ARCHES {
        for (name, stdin) in [
            ("hello", &b""[..]),
            ("fib", b""),
            ("sha256", b"abc"),
            ("fault-null", b""),
            ("fault-illegal", b""),
            ("fault-misaligned", b""),
        ] {
            let n = lockstep(arch, &guest(arch, name), stdin);
            assert!(n > 1000, "{arch} {name}: only {n} instructions compared");
        }
    }
}
