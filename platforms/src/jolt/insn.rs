//! Jolt's custom instructions: the virtual instructions of opcode 0x5B and
//! the inlines of opcode 0x0B, with their names and Jolt cycle counts.
//!
//! Sources (a16z/jolt @ff9f8c134):
//! - `tracer/src/instruction/mod.rs` (`Instruction::decode`, the
//!   `FUNCT3_VIRTUAL_*`/`FUNCT7_*` constants): opcode 0x5B with funct3 0
//!   (R-type: funct7 0..=3 `AdviceLB/LH/LW/LD`, 4 `VirtualAdviceLen`,
//!   5 `VirtualRev8W`), funct3 1 `VirtualAssertEQ` (B-type), funct3 2
//!   `VirtualHostIO` (I-type); opcodes 0x0B (Jolt's inlines) and 0x2B
//!   (external inlines) select an inline by funct3 and funct7.
//! - `jolt-inlines/*/src/lib.rs`: each inline's funct3, funct7 and name;
//!   `platforms/facts/jolt-expansion.tsv` (see [`super::cost`]) their
//!   lengths.
//!
//! **Version.** Jolt renumbers inlines between releases (the secp256k1
//! funct3 codes changed in February 2026). This table is that commit's; an
//! instruction it does not know stops the run with a fault naming it,
//! never a wrong result.

use super::ec::{FieldOp, Glv, Modulus};
use zkdbg_emulator::{Insn, Op};

/// The Jolt version this table follows.
pub const JOLT_VERSION: &str = "a16z/jolt@ff9f8c134";

/// What a custom instruction does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `AdviceLB/LH/LW/LD`: rd = the next 1/2/4/8 bytes of the advice tape
    /// (sign-extended except for LD).
    AdviceLoad {
        /// Bytes read.
        bytes: u8,
    },
    /// `VirtualAdviceLen`: rd = bytes left on the advice tape.
    AdviceLen,
    /// `VirtualRev8W`: rd = rs1 with the bytes of each 32-bit half reversed.
    Rev8W,
    /// `VirtualAssertEQ`: rs1 must equal rs2 (imm = 0: a failure is fatal;
    /// otherwise it only spoils the proof).
    AssertEq,
    /// `VirtualHostIO` with a call id other than print or cycle marker:
    /// 0xADBABE appends a1/a2 (pointer, length) to the advice tape.
    HostIo,
    /// SHA-256 compression: state (8 u32, little-endian) at rs1, message
    /// block (64 bytes) at rs2, result to rs1.
    Sha256,
    /// SHA-256 compression from the initial state: block at rs2, result
    /// (8 u32) to rs1.
    Sha256Init,
    /// Keccak-f\[1600\] on 25 u64 lanes (little-endian) at rs1.
    Keccak256,
    /// 256 x 256 -> 512-bit multiplication: 4 u64 limbs at rs1 and rs2,
    /// 8 limbs to the address in rd.
    BigInt256Mul,
    /// BLAKE2b compression: state (8 u64) at rs1, message (16 u64, the
    /// byte counter, the final-block flag) at rs2, result to rs1
    /// ([`crate::blake::blake2b_compress`]).
    Blake2,
    /// BLAKE3 compression: chaining value (8 u32) at rs1, block (16 u32,
    /// counter lo/hi, block length, flags) at rs2, result to rs1
    /// ([`crate::blake::blake3_compress`]).
    Blake3,
    /// BLAKE3 keyed hash of 64 bytes: left half at rs1, right half at rs2,
    /// key at rd, the hash to rd ([`crate::blake::blake3_keyed64`]).
    Blake3Keyed64,
    /// A field inline of secp256k1, P-256 or grumpkin: a at rs1, b at rs2,
    /// the result (4 u64) to rd ([`super::ec::field_op`]).
    Field {
        /// The operation.
        op: FieldOp,
        /// Its modulus.
        modulus: Modulus,
    },
    /// A GLV scalar decomposition: k at rs1, 6 u64 to rd ([`super::ec::glv`]).
    Glv(Glv),
    /// P-256's fake-GLV advice: s at rs1, a point at rs2, 14 u64 to rd
    /// ([`super::ec::p256_fake_glv`]).
    P256FakeGlv,
}

impl Kind {
    /// Whether it is an inline (opcode 0x0B): a named frame in profiles
    /// and a record in traces.
    pub fn is_inline(self) -> bool {
        !matches!(
            self,
            Kind::AdviceLoad { .. } | Kind::AdviceLen | Kind::Rev8W | Kind::AssertEq | Kind::HostIo
        )
    }
}

/// A custom instruction of Jolt's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JoltCustom {
    /// Jolt's name for it.
    pub name: &'static str,
    /// What it does.
    pub kind: Kind,
    /// Its length in Jolt cycles.
    pub cycles: u32,
}

impl JoltCustom {
    /// Its length in Jolt cycles.
    pub fn cycles(self) -> u32 {
        self.cycles
    }
}

const fn c(name: &'static str, kind: Kind, cycles: u32) -> JoltCustom {
    JoltCustom { name, kind, cycles }
}

/// Inlines of opcode 0x0B: (funct3, funct7, instruction). Lengths from
/// `platforms/facts/jolt-expansion.tsv` (a test checks them).
pub const INLINES: &[(u8, u8, JoltCustom)] = {
    use FieldOp::{Div, Mul, Square};
    use Modulus::*;
    const fn f(op: FieldOp, modulus: Modulus) -> Kind {
        Kind::Field { op, modulus }
    }
    &[
        (0, 0x00, c("SHA256_INLINE", Kind::Sha256, 2300)),
        (1, 0x00, c("SHA256_INIT_INLINE", Kind::Sha256Init, 2260)),
        (0, 0x01, c("KECCAK256_INLINE", Kind::Keccak256, 3260)),
        (0, 0x02, c("BLAKE2_INLINE", Kind::Blake2, 1067)),
        (0, 0x03, c("BLAKE3_INLINE", Kind::Blake3, 648)),
        (
            1,
            0x03,
            c("BLAKE3_KEYED64_INLINE", Kind::Blake3Keyed64, 646),
        ),
        (0, 0x04, c("BIGINT256_MUL_INLINE", Kind::BigInt256Mul, 141)),
        (0, 0x05, c("SECP256K1_MULQ", f(Mul, Secp256k1Q), 186)),
        (1, 0x05, c("SECP256K1_SQUAREQ", f(Square, Secp256k1Q), 167)),
        (2, 0x05, c("SECP256K1_DIVQ", f(Div, Secp256k1Q), 194)),
        (4, 0x05, c("SECP256K1_MULR", f(Mul, Secp256k1R), 232)),
        (5, 0x05, c("SECP256K1_SQUARER", f(Square, Secp256k1R), 213)),
        (6, 0x05, c("SECP256K1_DIVR", f(Div, Secp256k1R), 240)),
        (
            7,
            0x05,
            c("SECP256K1_GLVR_ADV", Kind::Glv(Glv::Secp256k1), 13),
        ),
        (
            0,
            0x06,
            c("GRUMPKIN_DIVQ_ADV", f(FieldOp::MontgomeryDiv, GrumpkinQ), 9),
        ),
        (
            1,
            0x06,
            c("GRUMPKIN_DIVR_ADV", f(FieldOp::MontgomeryDiv, GrumpkinR), 9),
        ),
        (
            2,
            0x06,
            c("GRUMPKIN_GLVR_ADV", Kind::Glv(Glv::Grumpkin), 13),
        ),
        (0, 0x07, c("P256_MULQ", f(Mul, P256Q), 264)),
        (1, 0x07, c("P256_SQUAREQ", f(Square, P256Q), 245)),
        (2, 0x07, c("P256_DIVQ", f(Div, P256Q), 272)),
        (4, 0x07, c("P256_MULR", f(Mul, P256R), 252)),
        (5, 0x07, c("P256_SQUARER", f(Square, P256R), 233)),
        (6, 0x07, c("P256_DIVR", f(Div, P256R), 260)),
        (7, 0x07, c("P256_FAKE_GLV_ADV", Kind::P256FakeGlv, 29)),
    ]
};

/// The virtual instructions of opcode 0x5B, funct3 0, by funct7.
pub const VIRTUAL_R: &[(u8, JoltCustom)] = &[
    (0x00, c("AdviceLB", Kind::AdviceLoad { bytes: 1 }, 3)),
    (0x01, c("AdviceLH", Kind::AdviceLoad { bytes: 2 }, 3)),
    (0x02, c("AdviceLW", Kind::AdviceLoad { bytes: 4 }, 3)),
    (0x03, c("AdviceLD", Kind::AdviceLoad { bytes: 8 }, 1)),
    (0x04, c("VirtualAdviceLen", Kind::AdviceLen, 1)),
    (0x05, c("VirtualRev8W", Kind::Rev8W, 1)),
];

/// `VirtualAssertEQ` (opcode 0x5B, funct3 1).
pub const ASSERT_EQ: JoltCustom = c("VirtualAssertEQ", Kind::AssertEq, 1);
/// `VirtualHostIO` (opcode 0x5B, funct3 2).
pub const HOST_IO: JoltCustom = c("VirtualHostIO", Kind::HostIo, 1);

/// The encoding's funct3 and funct7 (the raw word is in [`Insn::imm`]).
fn functs(insn: &Insn) -> (u32, u8, u8) {
    let w = insn.imm as u32;
    (w & 0x7f, ((w >> 12) & 7) as u8, (w >> 25) as u8)
}

/// Jolt's instruction for a custom encoding, if this version has one.
pub fn custom(insn: &Insn) -> Option<JoltCustom> {
    match insn.op {
        Op::HostIo => Some(HOST_IO),
        Op::Custom => {
            let (opcode, f3, f7) = functs(insn);
            match (opcode, f3) {
                (0x5b, 0) => VIRTUAL_R.iter().find(|e| e.0 == f7).map(|e| e.1),
                (0x5b, 1) => Some(ASSERT_EQ),
                (0x0b, _) => INLINES.iter().find(|e| e.0 == f3 && e.1 == f7).map(|e| e.2),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The CSRs Jolt proves accesses to: mstatus, mtvec, mscratch, mepc,
/// mcause, mtval. Source: `tracer/src/utils/virtual_registers.rs`
/// (`is_supported_csr`).
pub const SUPPORTED_CSRS: [u16; 6] = [0x300, 0x305, 0x340, 0x341, 0x342, 0x343];

/// Why Jolt refuses a CSR instruction, if it does: only `csrrw` and
/// `csrrs` (and their aliases `csrw`, `csrr`, `csrs`) on
/// [`SUPPORTED_CSRS`] exist in its ISA (`tracer/src/instruction/mod.rs`,
/// `Instruction::decode`, which rejects the rest when it loads the ELF;
/// zkdbg stops when one runs).
pub fn csr_refused(op: Op, csr: u16) -> Option<String> {
    let name = zkdbg_emulator::disasm::csr_name(csr);
    if !matches!(op, Op::Csrrw | Op::Csrrs) {
        return Some(format!(
            "Jolt has no {} (only csrrw and csrrs, on mstatus, mtvec, mscratch, mepc, mcause, mtval); CSR {name}",
            zkdbg_emulator::disasm::mnemonic(op)
        ));
    }
    (!SUPPORTED_CSRS.contains(&csr)).then(|| {
        format!(
            "Jolt does not support CSR {name} (only mstatus, mtvec, mscratch, mepc, mcause, mtval)"
        )
    })
}

/// The B-type immediate of a `VirtualAssertEQ` encoding.
pub fn b_imm(insn: &Insn) -> i64 {
    let w = insn.imm as u32;
    let imm = ((w >> 31) & 1) << 12
        | ((w >> 7) & 1) << 11
        | ((w >> 25) & 0x3f) << 5
        | ((w >> 8) & 0xf) << 1;
    ((imm << 19) as i32 >> 19) as i64
}

/// How a disassembler shows a custom instruction: Jolt's name and its
/// operands, or `None` for an encoding this version does not know.
pub fn disassemble(insn: &Insn) -> Option<String> {
    let j = custom(insn)?;
    let r = |n: u8| zkdbg_emulator::cpu::ABI_NAMES[(n & 31) as usize];
    Some(match j.kind {
        Kind::HostIo => j.name.to_string(),
        Kind::AdviceLoad { .. } | Kind::AdviceLen => format!("{} {}", j.name, r(insn.rd)),
        Kind::Rev8W => format!("{} {}, {}", j.name, r(insn.rd), r(insn.rs1)),
        Kind::AssertEq => format!("{} {}, {}", j.name, r(insn.rs1), r(insn.rs2)),
        _ => format!(
            "{} {}, {}, {}",
            j.name,
            r(insn.rs1),
            r(insn.rs2),
            r(insn.rd)
        ),
    })
}
