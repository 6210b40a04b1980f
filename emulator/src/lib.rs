//! An instrumented RISC-V emulator for zkVM guests.
//!
//! One hart, machine mode only, RV32IMAC or RV64IMAC (chosen by the ELF
//! class) with Zicsr and the machine-mode trap CSRs. The interpreter is
//! generic over an [`Observer`] (instrumentation) and an [`Environment`]
//! (which serves `ecall`s as Linux syscalls when the guest has no trap
//! vector of its own).
//!
//! ```no_run
//! use std::sync::Arc;
//! use zkdbg_emulator::{Config, Machine, NoSyscalls, Program};
//! let elf = std::fs::read("guest.elf").unwrap();
//! let program = Arc::new(Program::parse(&elf).unwrap());
//! let mut m = Machine::new(program, Config::default()).unwrap();
//! let stop = m.run(&mut NoSyscalls, &mut (), u64::MAX);
//! println!("{stop:?} after {} cycles", m.cpu.cycle);
//! ```

#![warn(missing_docs)]

mod block;
pub mod cpu;
pub mod decode;
pub mod disasm;
pub mod elf;
pub mod env;
#[cfg(feature = "jit")]
pub mod jit;
pub mod machine;
pub mod memory;
pub mod observer;

pub use cpu::{Cpu, Fault, FaultKind};
pub use decode::{decode, Insn, Op};
pub use elf::{ElfError, Program, Symbol, SymbolTable};
pub use env::{
    CallArg, CustomKind, CustomResult, EcallResult, Environment, HostCall, NoSyscalls,
    SyscallRequest, SyscallResult,
};
pub use machine::{Config, CostModel, Engine, Machine, Snapshot, StopReason};
pub use memory::{MemError, Memory};
pub use observer::{
    AccessKind, CompiledRun, CountingObserver, CustomEvent, MemAccess, Observer, Transfer,
    TransferKind, TrapEvent,
};

/// The width of the integer registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Xlen {
    /// RV32: 32-bit registers and addresses.
    #[serde(rename = "rv32")]
    X32,
    /// RV64: 64-bit registers and addresses.
    #[serde(rename = "rv64")]
    X64,
}

impl Xlen {
    /// Register width in bits (32 or 64).
    pub fn bits(self) -> u32 {
        match self {
            Xlen::X32 => 32,
            Xlen::X64 => 64,
        }
    }

    /// Register width in bytes (4 or 8).
    pub fn bytes(self) -> usize {
        self.bits() as usize / 8
    }

    /// `v` truncated to XLEN bits (zero-extended).
    #[inline(always)]
    pub fn truncate(self, v: u64) -> u64 {
        match self {
            Xlen::X32 => v as u32 as u64,
            Xlen::X64 => v,
        }
    }

    /// `v` read as a signed XLEN-bit value.
    pub fn signed(self, v: u64) -> i64 {
        match self {
            Xlen::X32 => v as u32 as i32 as i64,
            Xlen::X64 => v as i64,
        }
    }

    /// "rv32" or "rv64".
    pub fn name(self) -> &'static str {
        match self {
            Xlen::X32 => "rv32",
            Xlen::X64 => "rv64",
        }
    }
}
