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

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((zkvm, rest)) if zkvm == "sp1" && !rest.is_empty() => sp1(&rest[0], &rest[1..]),
        Some((zkvm, rest)) if zkvm == "sp1v5" && !rest.is_empty() => sp1v5(&rest[0], &rest[1..]),
        _ => bail!("usage: zkdbg-peers sp1|sp1v5 ELF [INPUT_FILE...]"),
    }
}
