//! The zkVMs' own executors on a guest, for scripts/peers.sh.
//!
//! `zkdbg-peers sp1 ELF [INPUT_FILE...]` runs SP1's `MinimalExecutor`
//! (sp1-core-executor 6.10.0) on the ELF, one input vector per file (as
//! `SP1Stdin::write_vec`), and prints one tab-separated line:
//! `exit_code instructions clk public_values_hex seconds`.
//! `instructions` is SP1's `global_clk` (retired instructions, the cycle
//! count its SDK reports); `clk` its timestamp (8 per instruction plus 256
//! per ecall).
//!
//! `zkdbg-peers sp1v5 ELF [INPUT_FILE...]` does the same with SP1 5.2.4's
//! `Executor` (`run_fast`) for RV32 (v3-v5) guests; `clk` is `-` (v5's
//! restarts every shard).
//!
//! `zkdbg-peers risc0 ELF [INPUT_FILE...]` runs RISC Zero's executor
//! (risc0-circuit-rv32im 4.0.5 `execute::Executor`) on the ELF combined
//! with the v1compat kernel (risc0-zkos-v1compat 2.2.3, as `risc0-binfmt`'s
//! `ProgramBinary` combines them), the input files concatenated as stdin,
//! segments of 2^20 cycles (risc0-zkvm 3.0.5's default; `$RISC0_SEGMENT_PO2`
//! sets another), and prints
//! `exit_code user paging reserved total segments journal_hex seconds`
//! (`panic - - - - - - seconds` when the guest panicked: the executor
//! stops with an error; `fault - - - - - - seconds` when the executor
//! stopped with any other error, which goes to stderr). The host side of the software syscalls is
//! written here after risc0-zkvm 3.0.5's (`host/server/exec/executor.rs`
//! `host_read`, `syscall/posix_io.rs` ...): a READ whose fd is a syscall's
//! name runs it, a READ of fd 0 returns its two result words.

use anyhow::{bail, Context, Result};
use std::sync::Arc;
use std::time::Instant;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sp1(elf: &str, inputs: &[String]) -> Result<()> {
    use sp1_core_executor::{MinimalExecutor, Program, SupervisorMode};
    let bytes = std::fs::read(elf).with_context(|| format!("read {elf}"))?;
    let program = Arc::new(Program::from(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut ex = MinimalExecutor::<SupervisorMode>::simple(program);
    for f in inputs {
        ex.with_input(&std::fs::read(f).with_context(|| format!("read {f}"))?);
    }
    let t = Instant::now();
    ex.run_till_end();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}\t{}\t{}\t{}\t{secs:.3}",
        ex.exit_code(),
        ex.global_clk(),
        ex.clk(),
        hex(ex.public_values_stream())
    );
    Ok(())
}

fn sp1v5(elf: &str, inputs: &[String]) -> Result<()> {
    use sp1_core_executor_v5::{ExecutionError, Executor, Program};
    let bytes = std::fs::read(elf).with_context(|| format!("read {elf}"))?;
    let program = Program::from(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut ex = Executor::new(program, sp1_stark_v5::SP1CoreOpts::default());
    for f in inputs {
        ex.state
            .input_stream
            .push_back(std::fs::read(f).with_context(|| format!("read {f}"))?);
    }
    let t = Instant::now();
    let code = match ex.run_fast() {
        Ok(()) => 0,
        Err(ExecutionError::HaltWithNonZeroExitCode(c)) => c,
        Err(e) => bail!("SP1 5.2.4 failed: {e}"),
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{code}\t{}\t-\t{}\t{secs:.3}",
        ex.state.global_clk,
        hex(&ex.state.public_values_stream)
    );
    Ok(())
}

mod risc0 {
    use anyhow::{bail, Result};
    use risc0_binfmt::ByteAddr;
    use risc0_circuit_rv32im::execute::{
        CycleLimit, Executor, Syscall, SyscallContext, DEFAULT_SEGMENT_LIMIT_PO2,
    };
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::time::Instant;

    const PREFIX: &str = "risc0_zkvm_platform::syscall::nr::";

    #[derive(Default)]
    struct Host {
        stdin: RefCell<VecDeque<u8>>,
        journal: RefCell<Vec<u8>>,
        results: Cell<(u32, u32)>,
    }

    impl Syscall for Host {
        fn host_read(
            &self,
            ctx: &mut impl SyscallContext,
            fd: u32,
            buf: &mut [u8],
        ) -> Result<u32> {
            if fd == 0 {
                let (a, b) = self.results.get();
                buf[..4].copy_from_slice(&a.to_le_bytes());
                buf[4..8].copy_from_slice(&b.to_le_bytes());
                return Ok(8);
            }
            let mut name = Vec::new();
            let mut at = fd;
            loop {
                let b = ctx.peek_u8(ByteAddr(at))?;
                if b == 0 {
                    break;
                }
                name.push(b);
                at += 1;
            }
            let name = String::from_utf8(name)?;
            let short = name.strip_prefix(PREFIX).unwrap_or(&name);
            let (a3, a4, a5) = (
                ctx.peek_register(13)?,
                ctx.peek_register(14)?,
                ctx.peek_register(15)?,
            );
            let mut to_guest = vec![0u8; buf.len().div_ceil(4) * 4];
            let results = match short {
                "SYS_READ" => {
                    if a3 != 0 {
                        bail!("read from fd {a3}");
                    }
                    let mut stdin = self.stdin.borrow_mut();
                    let main = to_guest.len().min(stdin.len());
                    for (d, s) in to_guest.iter_mut().zip(stdin.drain(..main)) {
                        *d = s;
                    }
                    let left = a4 as usize - main;
                    let end = if left <= 4 { left } else { 0 };
                    let mut last = [0u8; 4];
                    let tail = end.min(stdin.len());
                    for (d, s) in last.iter_mut().zip(stdin.drain(..tail)) {
                        *d = s;
                    }
                    ((main + tail) as u32, u32::from_le_bytes(last))
                }
                "SYS_WRITE" => {
                    let bytes = ctx.peek_region(ByteAddr(a4), a5 as usize)?;
                    match a3 {
                        1 | 2 => eprint!("{}", String::from_utf8_lossy(&bytes)),
                        3 => self.journal.borrow_mut().extend_from_slice(&bytes),
                        fd => bail!("write to fd {fd}"),
                    }
                    (0, 0)
                }
                "SYS_LOG" => {
                    let bytes = ctx.peek_region(ByteAddr(a3), a4 as usize)?;
                    eprintln!("R0VM[{}] {}", ctx.get_cycle(), String::from_utf8_lossy(&bytes));
                    (0, 0)
                }
                "SYS_PANIC" => {
                    let bytes = ctx.peek_region(ByteAddr(a3), a4 as usize)?;
                    bail!("Guest panicked: {}", String::from_utf8_lossy(&bytes));
                }
                "SYS_CYCLE_COUNT" => {
                    let c = ctx.get_cycle();
                    ((c >> 32) as u32, c as u32)
                }
                "SYS_GETENV" => (u32::MAX, 0),
                // risc0-zkvm fills these with the host's randomness; zeros
                // here (only their count matters to cycles).
                "SYS_RANDOM" => ((to_guest.len()) as u32, 0),
                "SYS_ARGC" => (0, 0),
                _ => bail!("syscall {name} not served by this peer"),
            };
            self.results.set(results);
            buf.copy_from_slice(&to_guest[..buf.len()]);
            Ok(buf.len() as u32)
        }

        fn host_write(
            &self,
            _ctx: &mut impl SyscallContext,
            _fd: u32,
            buf: &[u8],
        ) -> Result<u32> {
            Ok(buf.len() as u32)
        }
    }

    pub fn run(elf: &str, inputs: &[String]) -> Result<()> {
        let user = std::fs::read(elf)?;
        let binary =
            risc0_binfmt::ProgramBinary::new(&user, risc0_zkos_v1compat::V1COMPAT_ELF);
        let image = binary.to_image()?;
        let host = Host::default();
        for f in inputs {
            host.stdin.borrow_mut().extend(std::fs::read(f)?);
        }
        let mut exec = Executor::new(image, &host, None, vec![], None);
        // $RISC0_SEGMENT_PO2 (default 20); risc0-zkvm 3.0.5 closes segments
        // MAX_INSN_CYCLES early for po2 >= 15, MAX_INSN_CYCLES_LOWER_PO2 below.
        let po2: usize = match std::env::var("RISC0_SEGMENT_PO2") {
            Ok(v) => v.parse()?,
            Err(_) => DEFAULT_SEGMENT_LIMIT_PO2,
        };
        let max_insn = if po2 >= 15 {
            risc0_circuit_rv32im::MAX_INSN_CYCLES
        } else {
            risc0_circuit_rv32im::MAX_INSN_CYCLES_LOWER_PO2
        };
        let t = Instant::now();
        let result = exec.run(po2, max_insn, CycleLimit::None, |_| Ok(()));
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok(r) => {
                let code = r
                    .claim
                    .terminate_state
                    .map(|t| (u32::from(t.a0) >> 16) & 0xff)
                    .unwrap_or(0);
                println!(
                    "{code}\t{}\t{}\t{}\t{}\t{}\t{}\t{secs:.3}",
                    r.user_cycles,
                    r.paging_cycles,
                    r.reserved_cycles,
                    r.total_cycles,
                    r.segments,
                    super::hex(&host.journal.borrow()),
                );
            }
            Err(e) if format!("{e:#}").contains("Guest panicked") => {
                println!("panic\t-\t-\t-\t-\t-\t\t{secs:.3}");
            }
            Err(e) => {
                eprintln!("RISC Zero's executor: {e:#}");
                println!("fault\t-\t-\t-\t-\t-\t\t{secs:.3}");
            }
        }
        Ok(())
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((zkvm, rest)) if zkvm == "sp1" && !rest.is_empty() => sp1(&rest[0], &rest[1..]),
        Some((zkvm, rest)) if zkvm == "sp1v5" && !rest.is_empty() => sp1v5(&rest[0], &rest[1..]),
        Some((zkvm, rest)) if zkvm == "risc0" && !rest.is_empty() => risc0::run(&rest[0], &rest[1..]),
        _ => bail!("usage: zkdbg-peers sp1|sp1v5|risc0 ELF [INPUT_FILE...]"),
    }
}
