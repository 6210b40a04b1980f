//! Differential tests against QEMU user mode (Debian's qemu-riscv64 and
//! qemu-riscv32), the reference CPU: the same ELF must give the same stdout
//! and exit status, and the small guests the same registers before every
//! instruction (`-singlestep -d cpu,nochain`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use zeroos::{OsConfig, Output, ZeroOs};
use zkdbg_emulator::{Config, Machine, Program, StopReason};
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

/// One QEMU `-d cpu` record: pc and x0..x31.
#[derive(Debug, PartialEq)]
struct CpuState {
    pc: u64,
    x: [u64; 32],
}

/// Streams QEMU's per-instruction CPU log.
struct QemuLog {
    lines: std::io::Lines<BufReader<std::process::ChildStderr>>,
    pending: Option<u64>,
    child: std::process::Child,
}

impl QemuLog {
    fn start(arch: &str, name: &str, stdin: &[u8]) -> QemuLog {
        let mut child = Command::new(qemu(arch))
            .args(["-singlestep", "-d", "cpu,nochain"])
            .arg(guest(arch, name))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let lines = BufReader::with_capacity(1 << 20, child.stderr.take().unwrap()).lines();
        QemuLog {
            lines,
            pending: None,
            child,
        }
    }

    fn next_state(&mut self) -> Option<CpuState> {
        let mut pc = self.pending.take();
        let mut x = [0u64; 32];
        let mut seen = 0;
        for line in self.lines.by_ref() {
            let line = line.ok()?;
            let t: Vec<&str> = line.split_whitespace().collect();
            if t.first() == Some(&"pc") {
                let v = u64::from_str_radix(t[1], 16).ok()?;
                if pc.is_some() {
                    self.pending = Some(v);
                    break;
                }
                pc = Some(v);
                continue;
            }
            for pair in t.chunks(2) {
                if let [reg, val] = pair {
                    if let Some(n) = reg
                        .strip_prefix('x')
                        .and_then(|r| r.split('/').next())
                        .and_then(|r| r.parse::<usize>().ok())
                    {
                        x[n] = u64::from_str_radix(val, 16).unwrap_or(0);
                        seen += 1;
                    }
                }
            }
            if let (32, Some(pc)) = (seen, pc) {
                // a complete record; the next "pc" line starts the next one
                return Some(CpuState { pc, x });
            }
        }
        pc.filter(|_| seen == 32).map(|pc| CpuState { pc, x })
    }
}

impl Drop for QemuLog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ABI: [&str; 32] = zkdbg_emulator::cpu::ABI_NAMES;

/// Steps our emulator and QEMU side by side, comparing pc and every register
/// before each instruction. Returns the number of instructions compared.
fn lockstep(arch: &str, name: &str, stdin: &[u8]) -> u64 {
    let elf = std::fs::read(guest(arch, name)).unwrap();
    let program = Arc::new(Program::parse(&elf).unwrap());
    let mut m = Machine::new(program.clone(), Config::default()).unwrap();
    let mut os = ZeroOs::new(
        &program,
        OsConfig {
            stdin: stdin.to_vec(),
            output: Output::Capture,
            ..OsConfig::default()
        },
    );
    let mut q = QemuLog::start(arch, name, stdin);
    let mut compared = 0u64;
    loop {
        let Some(theirs) = q.next_state() else {
            panic!("{arch} {name}: QEMU's log ended after {compared} instructions while we are at pc {:#x}", m.cpu.pc);
        };
        assert_eq!(
            m.cpu.pc, theirs.pc,
            "{arch} {name}: pc differs before instruction {compared}"
        );
        for (r, abi) in ABI.iter().enumerate() {
            // QEMU's loader sets sp; ours leaves it 0 until the boot code sets it.
            if r == 2 && m.cpu.x[2] == 0 {
                continue;
            }
            assert_eq!(
                m.cpu.x[r], theirs.x[r],
                "{arch} {name}: first difference before instruction {compared} at pc {:#x}: x{r}/{abi} is {:#x} here, {:#x} in QEMU",
                theirs.pc, m.cpu.x[r], theirs.x[r]
            );
        }
        compared += 1;
        let stop = m.run(&mut os, &mut (), 1);
        match stop {
            StopReason::StepLimit => {}
            StopReason::Exited(_) | StopReason::Fault(_) => return compared,
            other => panic!("{arch} {name}: unexpected stop {other:?}"),
        }
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
            let n = lockstep(arch, name, stdin);
            assert!(n > 1000, "{arch} {name}: only {n} instructions compared");
        }
    }
}
