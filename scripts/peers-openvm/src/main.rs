//! Runs a guest ELF on OpenVM's own executor (openvm-circuit 2.0.2's
//! interpreter, with the RV32IM, IO, Keccak-256 and SHA-2 extensions) and
//! prints to stderr (stdout is the guest's) one tab-separated line: exit code, instructions executed,
//! public values (hex), seconds its interpreter ran (its own timer: not
//! process start, ELF loading or transpiling). A run that fails has "-"
//! for the instructions (OpenVM's error does not carry them).
//!
//! Usage: zkdbg-peers-openvm GUEST.elf [INPUT...] — each INPUT file is one
//! input-stream entry (its bytes), as `StdIn::write_bytes` queues them.
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use openvm_circuit::{
    arch::{
        execution_mode::MeteredCostCtx, instructions::exe::VmExe, ExecutionError,
        InitFileGenerator, SystemConfig, VmExecutor,
    },
    derive::VmConfig,
    system::{memory::merkle::public_values::extract_public_values, SystemExecutor},
};
use openvm_keccak256_circuit::{Keccak256, Keccak256Executor};
use openvm_keccak256_transpiler::Keccak256TranspilerExtension;
use openvm_rv32im_circuit::{Rv32I, Rv32IExecutor, Rv32Io, Rv32IoExecutor, Rv32M, Rv32MExecutor};
use openvm_rv32im_transpiler::{
    Rv32ITranspilerExtension, Rv32IoTranspilerExtension, Rv32MTranspilerExtension,
};
use openvm_sha2_circuit::{Sha2, Sha2Executor};
use openvm_sha2_transpiler::Sha2TranspilerExtension;
use openvm_stark_backend::p3_field::PrimeCharacteristicRing;
use openvm_stark_sdk::p3_baby_bear::BabyBear;
use openvm_transpiler::{elf::Elf, transpiler::Transpiler, FromElf};
use serde::{Deserialize, Serialize};

/// RV32IM with OpenVM's IO instructions, Keccak-256 and SHA-2: the
/// extensions the bundled OpenVM guests use.
#[derive(Clone, Debug, VmConfig, Serialize, Deserialize)]
pub struct PeerConfig {
    #[config(executor = "SystemExecutor<F>")]
    pub system: SystemConfig,
    #[extension]
    pub rv32i: Rv32I,
    #[extension]
    pub rv32m: Rv32M,
    #[extension]
    pub io: Rv32Io,
    #[extension]
    pub keccak: Keccak256,
    #[extension]
    pub sha2: Sha2,
}

impl InitFileGenerator for PeerConfig {}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((elf_path, inputs)) = args.split_first() else {
        return Err(anyhow!("usage: zkdbg-peers-openvm GUEST.elf [INPUT...]"));
    };
    let bytes = std::fs::read(elf_path).with_context(|| format!("cannot read {elf_path}"))?;
    let elf = Elf::decode(&bytes, 1 << 29).map_err(|e| anyhow!("{e}"))?;
    let transpiler = Transpiler::<BabyBear>::default()
        .with_extension(Rv32ITranspilerExtension)
        .with_extension(Rv32MTranspilerExtension)
        .with_extension(Rv32IoTranspilerExtension)
        .with_extension(Keccak256TranspilerExtension)
        .with_extension(Sha2TranspilerExtension);
    let exe = Arc::new(VmExe::from_elf(elf, transpiler).map_err(|e| anyhow!("{e:?}"))?);
    let config = PeerConfig {
        system: SystemConfig::default(),
        rv32i: Rv32I,
        rv32m: Rv32M::default(),
        io: Rv32Io,
        keccak: Keccak256,
        sha2: Sha2,
    };
    let num_public_values = config.system.num_public_values;
    let executor = VmExecutor::<BabyBear, _>::new(config).map_err(|e| anyhow!("{e:?}"))?;
    let mut streams: Vec<Vec<BabyBear>> = Vec::new();
    for p in inputs {
        let b = std::fs::read(p).with_context(|| format!("cannot read {p}"))?;
        streams.push(b.iter().map(|x| BabyBear::from_u8(*x)).collect());
    }
    // Instructions are counted by the metered-cost interpreter (what
    // `Sdk::execute_metered_cost` reports as instret); the widths are zero
    // so that its trace-cell cost never stops the run.
    const SLOTS: usize = 4096;
    let idx: Vec<usize> = (0..SLOTS).collect();
    let instance = executor
        .metered_cost_instance(&exe, &idx)
        .map_err(|e| anyhow!("{e:?}"))?;
    let ctx = MeteredCostCtx::new(vec![0; SLOTS]);
    let t = std::time::Instant::now();
    let result = instance.execute_metered_cost(streams, ctx);
    let secs = t.elapsed().as_secs_f64();
    match result {
        Ok((ctx, state)) => {
            let pv = extract_public_values(num_public_values, &state.memory.memory);
            let hex: String = pv.iter().map(|b| format!("{b:02x}")).collect();
            eprintln!("0\t{}\t{hex}\t{secs:.6}", ctx.instret);
        }
        Err(ExecutionError::FailedWithExitCode(code)) => eprintln!("{code}\t-\t-\t{secs:.6}"),
        Err(e) => eprintln!("error\t-\t{e}\t{secs:.6}"),
    }
    Ok(())
}
