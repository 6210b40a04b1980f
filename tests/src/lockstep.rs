//! Instruction-by-instruction differential runs against QEMU user mode
//! (`-singlestep -d cpu,nochain`).

use crate::qemu;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use zeroos::{OsConfig, Output, ZeroOs};
use zkdbg_emulator::{Config, Machine, Program, StopReason};

/// One QEMU `-d cpu` record: pc and x0..x31.
#[derive(Debug, PartialEq)]
pub struct CpuState {
    /// pc.
    pub pc: u64,
    /// x0..x31.
    pub x: [u64; 32],
}

/// Streams QEMU's per-instruction CPU log.
pub struct QemuLog {
    lines: std::io::Lines<BufReader<std::process::ChildStderr>>,
    pending: Option<u64>,
    child: std::process::Child,
}

impl QemuLog {
    /// Starts QEMU on the ELF at `elf`, logging the state before every
    /// instruction.
    pub fn start(arch: &str, elf: &Path, stdin: &[u8]) -> QemuLog {
        let mut child = Command::new(qemu(arch))
            .args(["-singlestep", "-d", "cpu,nochain"])
            .arg(elf)
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

    /// The next record, `None` when the log ends.
    pub fn next_state(&mut self) -> Option<CpuState> {
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

/// Steps our emulator and QEMU side by side on the ELF at `path`, comparing
/// pc and every register before each instruction; panics at the first
/// difference. Returns the number of instructions compared.
pub fn lockstep(arch: &str, path: &Path, stdin: &[u8]) -> u64 {
    let name = path.display();
    let elf = std::fs::read(path).unwrap();
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
    let mut q = QemuLog::start(arch, path, stdin);
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
