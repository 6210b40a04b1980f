//! Hart state: integer registers, pc, machine-mode CSRs and counters.
//!
//! Source: RISC-V Privileged Architecture, chapter "Machine-Level ISA"
//! (mstatus, mtvec, mscratch, mepc, mcause, mtval, mhartid, counters).

use crate::Xlen;

/// ABI names of x0..x31 (RISC-V psABI, "Integer Register Convention").
pub const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// CSR numbers this hart implements.
#[allow(missing_docs)]
pub mod csr {
    pub const MSTATUS: u16 = 0x300;
    pub const MISA: u16 = 0x301;
    pub const MIE: u16 = 0x304;
    pub const MTVEC: u16 = 0x305;
    pub const MCOUNTEREN: u16 = 0x306;
    pub const MSCRATCH: u16 = 0x340;
    pub const MEPC: u16 = 0x341;
    pub const MCAUSE: u16 = 0x342;
    pub const MTVAL: u16 = 0x343;
    pub const MIP: u16 = 0x344;
    pub const MCYCLE: u16 = 0xB00;
    pub const MINSTRET: u16 = 0xB02;
    pub const MCYCLEH: u16 = 0xB80;
    pub const MINSTRETH: u16 = 0xB82;
    pub const CYCLE: u16 = 0xC00;
    pub const TIME: u16 = 0xC01;
    pub const INSTRET: u16 = 0xC02;
    pub const CYCLEH: u16 = 0xC80;
    pub const TIMEH: u16 = 0xC81;
    pub const INSTRETH: u16 = 0xC82;
    pub const MVENDORID: u16 = 0xF11;
    pub const MARCHID: u16 = 0xF12;
    pub const MIMPID: u16 = 0xF13;
    pub const MHARTID: u16 = 0xF14;
}

/// mstatus.MIE (bit 3).
pub const MSTATUS_MIE: u64 = 1 << 3;
/// mstatus.MPIE (bit 7).
pub const MSTATUS_MPIE: u64 = 1 << 7;
/// mstatus.MPP (bits 12:11), hardwired to M (3): only machine mode exists.
pub const MSTATUS_MPP: u64 = 3 << 11;

/// Machine-mode trap CSRs. Counters live in [`Cpu`].
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csrs {
    pub mstatus: u64,
    pub mtvec: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub mie: u64,
    pub mcounteren: u64,
}

/// The state of the single hart (hart 0), always in machine mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Integer registers x0..x31; x0 is always 0. On RV32 values are kept
    /// zero-extended to 64 bits.
    pub x: [u64; 32],
    /// Program counter.
    pub pc: u64,
    /// XLEN.
    pub xlen: Xlen,
    /// Trap CSRs.
    pub csr: Csrs,
    /// Retired instructions (`instret`).
    pub instret: u64,
    /// Cycles (`cycle`): retired instructions plus modeled syscall cost.
    pub cycle: u64,
    /// LR/SC reservation address.
    pub reservation: Option<u64>,
}

impl Cpu {
    /// A hart at `pc` with every register zero.
    pub fn new(xlen: Xlen, pc: u64) -> Cpu {
        Cpu {
            x: [0; 32],
            pc,
            xlen,
            csr: Csrs {
                mstatus: MSTATUS_MPP,
                ..Csrs::default()
            },
            instret: 0,
            cycle: 0,
            reservation: None,
        }
    }

    /// The `misa` value: MXL for XLEN, extensions I, M, A, C.
    pub fn misa(&self) -> u64 {
        let ext = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12); // A, C, I, M
        match self.xlen {
            Xlen::X32 => (1 << 30) | ext,
            Xlen::X64 => (2 << 62) | ext,
        }
    }

    /// Reads CSR `n`, or `None` if it does not exist.
    ///
    /// `time` counts cycles (the modeled clock is 1 GHz: one tick per cycle,
    /// one nanosecond per cycle), so it is deterministic.
    pub fn read_csr(&self, n: u16) -> Option<u64> {
        use csr::*;
        let hi = |v: u64| {
            if self.xlen == Xlen::X32 {
                Some(v >> 32)
            } else {
                None
            }
        };
        let v = match n {
            MSTATUS => self.csr.mstatus,
            MISA => self.misa(),
            MIE => self.csr.mie,
            MTVEC => self.csr.mtvec,
            MCOUNTEREN => self.csr.mcounteren,
            MSCRATCH => self.csr.mscratch,
            MEPC => self.csr.mepc,
            MCAUSE => self.csr.mcause,
            MTVAL => self.csr.mtval,
            MIP => 0,
            MCYCLE | CYCLE | TIME => self.cycle,
            MINSTRET | INSTRET => self.instret,
            MCYCLEH | CYCLEH | TIMEH => hi(self.cycle)?,
            MINSTRETH | INSTRETH => hi(self.instret)?,
            MVENDORID | MARCHID | MIMPID | MHARTID => 0,
            // PMP configuration (0x3A0-0x3AF) and address (0x3B0-0x3EF)
            // registers: present, no PMP.
            0x3A0..=0x3EF => 0,
            _ => return None,
        };
        Some(self.xlen.truncate(v))
    }

    /// Writes CSR `n`. Returns `false` if it does not exist or is read-only
    /// (then the instruction is illegal). WARL fields keep their legal
    /// values; writes to the machine counters and PMP registers are ignored.
    #[must_use]
    pub fn write_csr(&mut self, n: u16, v: u64) -> bool {
        use csr::*;
        if n >> 10 == 3 {
            return false; // read-only by the CSR address convention
        }
        let v = self.xlen.truncate(v);
        match n {
            MSTATUS => self.csr.mstatus = (v & (MSTATUS_MIE | MSTATUS_MPIE)) | MSTATUS_MPP,
            MISA => {}
            MIE => self.csr.mie = v & 0x888,
            MTVEC => self.csr.mtvec = v & !2,
            MCOUNTEREN => self.csr.mcounteren = v & 7,
            MSCRATCH => self.csr.mscratch = v,
            MEPC => self.csr.mepc = v & !1,
            MCAUSE => self.csr.mcause = v,
            MTVAL => self.csr.mtval = v,
            MIP => {}
            MCYCLE | MINSTRET => {}
            MCYCLEH | MINSTRETH if self.xlen == Xlen::X32 => {}
            0x3A0..=0x3EF => {} // PMP configuration and address registers
            _ => return false,
        }
        true
    }

    /// Register `r` as a signed XLEN value, sign-extended to 64 bits.
    pub fn reg_signed(&self, r: usize) -> i64 {
        match self.xlen {
            Xlen::X32 => self.x[r] as u32 as i32 as i64,
            Xlen::X64 => self.x[r] as i64,
        }
    }
}

/// What went wrong when a run ends in a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Fetch from an unmapped address (mcause 1).
    InstructionAccess,
    /// Not an RV32IMAC/RV64IMAC + Zicsr instruction, or a CSR that does not
    /// exist or is read-only (mcause 2).
    IllegalInstruction,
    /// `ebreak` with no debugger attached (mcause 3).
    Breakpoint,
    /// Misaligned load (strict alignment) or `lr` (mcause 4).
    LoadMisaligned,
    /// Load from an unmapped address (mcause 5).
    LoadAccess,
    /// Misaligned store (strict alignment), `sc` or AMO (mcause 6).
    StoreMisaligned,
    /// Store or AMO to an unmapped address (mcause 7).
    StoreAccess,
    /// The cycle limit was reached before this instruction.
    CycleLimit,
    /// The platform refused a custom instruction (a failed assertion, an
    /// instruction of another zkVM version); [`Fault::message`] says why.
    Platform,
}

impl FaultKind {
    /// The `mcause` exception code, if the fault is a RISC-V exception.
    pub fn mcause(self) -> Option<u64> {
        Some(match self {
            FaultKind::InstructionAccess => 1,
            FaultKind::IllegalInstruction => 2,
            FaultKind::Breakpoint => 3,
            FaultKind::LoadMisaligned => 4,
            FaultKind::LoadAccess => 5,
            FaultKind::StoreMisaligned => 6,
            FaultKind::StoreAccess => 7,
            FaultKind::CycleLimit | FaultKind::Platform => return None,
        })
    }

    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            FaultKind::InstructionAccess => "instruction access fault",
            FaultKind::IllegalInstruction => "illegal instruction",
            FaultKind::Breakpoint => "breakpoint (ebreak)",
            FaultKind::LoadMisaligned => "load address misaligned",
            FaultKind::LoadAccess => "load access fault",
            FaultKind::StoreMisaligned => "store/AMO address misaligned",
            FaultKind::StoreAccess => "store/AMO access fault",
            FaultKind::CycleLimit => "cycle limit reached",
            FaultKind::Platform => "platform fault",
        }
    }
}

/// A fault that ended a run. The faulting instruction did not retire; the
/// hart's pc still points at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// What happened.
    pub kind: FaultKind,
    /// pc of the faulting instruction.
    pub pc: u64,
    /// The faulting data or fetch address, if any.
    pub addr: Option<u64>,
    /// The faulting instruction, if it could be fetched.
    pub insn: Option<crate::Insn>,
    /// For [`FaultKind::Platform`]: the instruction's name and why it was
    /// refused.
    pub message: Option<std::sync::Arc<str>>,
}
