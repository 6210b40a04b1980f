//! Instruction decoding for RV32IMAC / RV64IMAC with Zicsr.
//!
//! One decoder serves both the executor and the disassembler: every encoding
//! (including the 16-bit compressed forms of the C extension, which are
//! expanded to their 32-bit equivalents) becomes an [`Insn`].
//!
//! Source: *The RISC-V Instruction Set Manual, Volume I: Unprivileged ISA*
//! (chapters "RV32I Base Integer Instruction Set", "RV64I", "M", "A", "C" and
//! "Zicsr") and *Volume II: Privileged Architecture* for `mret` and `wfi`.

use crate::Xlen;

/// The operation of a decoded instruction.
///
/// Compressed instructions decode to the operation they expand to (for
/// example `c.addi` is [`Op::Addi`]); [`Insn::len`] tells them apart.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
    Sb,
    Sh,
    Sw,
    Sd,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Addiw,
    Slliw,
    Srliw,
    Sraiw,
    Addw,
    Subw,
    Sllw,
    Srlw,
    Sraw,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Mulw,
    Divw,
    Divuw,
    Remw,
    Remuw,
    LrW,
    ScW,
    AmoswapW,
    AmoaddW,
    AmoxorW,
    AmoandW,
    AmoorW,
    AmominW,
    AmomaxW,
    AmominuW,
    AmomaxuW,
    LrD,
    ScD,
    AmoswapD,
    AmoaddD,
    AmoxorD,
    AmoandD,
    AmoorD,
    AmominD,
    AmomaxD,
    AmominuD,
    AmomaxuD,
    Fence,
    FenceI,
    Ecall,
    Ebreak,
    Mret,
    Wfi,
    /// `csrrw rd, csr, rs1`; the CSR number is in [`Insn::imm`].
    Csrrw,
    Csrrs,
    Csrrc,
    /// `csrrwi rd, csr, uimm`; the 5-bit immediate is in [`Insn::rs1`].
    Csrrwi,
    Csrrsi,
    Csrrci,
    /// Jolt's `VirtualHostIO` custom instruction (opcode 0x5B, funct3 = 2):
    /// a host call whose arguments are in a0..a3.
    HostIo,
    /// Any other instruction in the custom-0 (0x0B), custom-1 (0x2B) or
    /// custom-2 (0x5B) opcode space (RISC-V Unprivileged ISA, "Opcode Map"),
    /// served by the platform (see `Environment::custom`). `rd`, `rs1`,
    /// `rs2` are the R-type fields; [`Insn::imm`] holds the raw encoding
    /// (funct3 in bits 14:12, funct7 in bits 31:25).
    Custom,
    /// Not an instruction of RV32IMAC/RV64IMAC + Zicsr.
    Illegal,
}

/// A decoded instruction.
///
/// Fields that an operation does not use are zero. Immediates are already
/// sign-extended and scaled (branch and jump offsets in bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Insn {
    /// The operation.
    pub op: Op,
    /// Destination register number (0..=31).
    pub rd: u8,
    /// First source register number, or the 5-bit immediate of `csrr*i`.
    pub rs1: u8,
    /// Second source register number.
    pub rs2: u8,
    /// Encoding length in bytes: 2 (compressed) or 4.
    pub len: u8,
    /// Immediate; for CSR instructions the CSR number; for
    /// [`Op::Illegal`] the raw encoding (low 16 bits only if compressed).
    pub imm: i32,
}

impl Insn {
    /// The illegal instruction with the given raw encoding and length.
    pub const fn illegal(raw: u32, len: u8) -> Insn {
        Insn {
            op: Op::Illegal,
            rd: 0,
            rs1: 0,
            rs2: 0,
            len,
            imm: raw as i32,
        }
    }

    const fn new(op: Op, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u8) -> Insn {
        Insn {
            op,
            rd: rd as u8,
            rs1: rs1 as u8,
            rs2: rs2 as u8,
            len,
            imm,
        }
    }

    /// Whether this is a compressed (16-bit) instruction.
    pub fn is_compressed(&self) -> bool {
        self.len == 2
    }
}

/// Length in bytes of the instruction whose low 16 bits are `low`:
/// 4 when the two lowest bits are `11`, otherwise 2.
#[inline(always)]
pub fn insn_len(low: u16) -> u8 {
    if low & 3 == 3 {
        4
    } else {
        2
    }
}

#[inline(always)]
fn bits(x: u32, hi: u32, lo: u32) -> u32 {
    (x >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

#[inline(always)]
fn sext(x: u32, width: u32) -> i32 {
    let s = 32 - width;
    ((x << s) as i32) >> s
}

/// Decodes the instruction whose first bytes, little-endian, are `word`.
///
/// If the low two bits are not `11` only the low 16 bits are used (a
/// compressed instruction). Never fails: unknown encodings decode to
/// [`Op::Illegal`].
pub fn decode(word: u32, xlen: Xlen) -> Insn {
    if word & 3 == 3 {
        decode32(word, xlen)
    } else {
        decode16((word & 0xffff) as u16, xlen)
    }
}

fn decode32(w: u32, xlen: Xlen) -> Insn {
    let rv64 = xlen == Xlen::X64;
    let opcode = w & 0x7f;
    let rd = bits(w, 11, 7);
    let rs1 = bits(w, 19, 15);
    let rs2 = bits(w, 24, 20);
    let f3 = bits(w, 14, 12);
    let f7 = bits(w, 31, 25);
    let i_imm = (w as i32) >> 20;
    let s_imm = (((w as i32) >> 25) << 5) | bits(w, 11, 7) as i32;
    let b_imm = sext(
        (bits(w, 31, 31) << 12)
            | (bits(w, 7, 7) << 11)
            | (bits(w, 30, 25) << 5)
            | (bits(w, 11, 8) << 1),
        13,
    );
    let u_imm = (w & 0xffff_f000) as i32;
    let j_imm = sext(
        (bits(w, 31, 31) << 20)
            | (bits(w, 19, 12) << 12)
            | (bits(w, 20, 20) << 11)
            | (bits(w, 30, 21) << 1),
        21,
    );
    let ill = Insn::illegal(w, 4);
    let mk = |op: Op, rd: u32, rs1: u32, rs2: u32, imm: i32| Insn::new(op, rd, rs1, rs2, imm, 4);
    match opcode {
        0x37 => mk(Op::Lui, rd, 0, 0, u_imm),
        0x17 => mk(Op::Auipc, rd, 0, 0, u_imm),
        0x6f => mk(Op::Jal, rd, 0, 0, j_imm),
        0x67 if f3 == 0 => mk(Op::Jalr, rd, rs1, 0, i_imm),
        0x63 => {
            let op = match f3 {
                0 => Op::Beq,
                1 => Op::Bne,
                4 => Op::Blt,
                5 => Op::Bge,
                6 => Op::Bltu,
                7 => Op::Bgeu,
                _ => return ill,
            };
            mk(op, 0, rs1, rs2, b_imm)
        }
        0x03 => {
            let op = match f3 {
                0 => Op::Lb,
                1 => Op::Lh,
                2 => Op::Lw,
                3 if rv64 => Op::Ld,
                4 => Op::Lbu,
                5 => Op::Lhu,
                6 if rv64 => Op::Lwu,
                _ => return ill,
            };
            mk(op, rd, rs1, 0, i_imm)
        }
        0x23 => {
            let op = match f3 {
                0 => Op::Sb,
                1 => Op::Sh,
                2 => Op::Sw,
                3 if rv64 => Op::Sd,
                _ => return ill,
            };
            mk(op, 0, rs1, rs2, s_imm)
        }
        0x13 => {
            let shamt_max = if rv64 { 63 } else { 31 };
            let shamt = bits(w, 25, 20);
            let f6 = bits(w, 31, 26);
            match f3 {
                0 => mk(Op::Addi, rd, rs1, 0, i_imm),
                2 => mk(Op::Slti, rd, rs1, 0, i_imm),
                3 => mk(Op::Sltiu, rd, rs1, 0, i_imm),
                4 => mk(Op::Xori, rd, rs1, 0, i_imm),
                6 => mk(Op::Ori, rd, rs1, 0, i_imm),
                7 => mk(Op::Andi, rd, rs1, 0, i_imm),
                1 if f6 == 0 && shamt <= shamt_max => mk(Op::Slli, rd, rs1, 0, shamt as i32),
                5 if f6 == 0 && shamt <= shamt_max => mk(Op::Srli, rd, rs1, 0, shamt as i32),
                5 if f6 == 0x10 && shamt <= shamt_max => mk(Op::Srai, rd, rs1, 0, shamt as i32),
                _ => ill,
            }
        }
        0x1b if rv64 => match (f3, f7) {
            (0, _) => mk(Op::Addiw, rd, rs1, 0, i_imm),
            (1, 0) => mk(Op::Slliw, rd, rs1, 0, rs2 as i32),
            (5, 0) => mk(Op::Srliw, rd, rs1, 0, rs2 as i32),
            (5, 0x20) => mk(Op::Sraiw, rd, rs1, 0, rs2 as i32),
            _ => ill,
        },
        0x33 => {
            let op = match (f7, f3) {
                (0, 0) => Op::Add,
                (0x20, 0) => Op::Sub,
                (0, 1) => Op::Sll,
                (0, 2) => Op::Slt,
                (0, 3) => Op::Sltu,
                (0, 4) => Op::Xor,
                (0, 5) => Op::Srl,
                (0x20, 5) => Op::Sra,
                (0, 6) => Op::Or,
                (0, 7) => Op::And,
                (1, 0) => Op::Mul,
                (1, 1) => Op::Mulh,
                (1, 2) => Op::Mulhsu,
                (1, 3) => Op::Mulhu,
                (1, 4) => Op::Div,
                (1, 5) => Op::Divu,
                (1, 6) => Op::Rem,
                (1, 7) => Op::Remu,
                _ => return ill,
            };
            mk(op, rd, rs1, rs2, 0)
        }
        0x3b if rv64 => {
            let op = match (f7, f3) {
                (0, 0) => Op::Addw,
                (0x20, 0) => Op::Subw,
                (0, 1) => Op::Sllw,
                (0, 5) => Op::Srlw,
                (0x20, 5) => Op::Sraw,
                (1, 0) => Op::Mulw,
                (1, 4) => Op::Divw,
                (1, 5) => Op::Divuw,
                (1, 6) => Op::Remw,
                (1, 7) => Op::Remuw,
                _ => return ill,
            };
            mk(op, rd, rs1, rs2, 0)
        }
        0x2f => {
            let f5 = bits(w, 31, 27);
            let (w_op, d_op) = match f5 {
                0x02 if rs2 == 0 => (Op::LrW, Op::LrD),
                0x03 => (Op::ScW, Op::ScD),
                0x01 => (Op::AmoswapW, Op::AmoswapD),
                0x00 => (Op::AmoaddW, Op::AmoaddD),
                0x04 => (Op::AmoxorW, Op::AmoxorD),
                0x0c => (Op::AmoandW, Op::AmoandD),
                0x08 => (Op::AmoorW, Op::AmoorD),
                0x10 => (Op::AmominW, Op::AmominD),
                0x14 => (Op::AmomaxW, Op::AmomaxD),
                0x18 => (Op::AmominuW, Op::AmominuD),
                0x1c => (Op::AmomaxuW, Op::AmomaxuD),
                _ => return ill,
            };
            match f3 {
                2 => mk(w_op, rd, rs1, rs2, 0),
                3 if rv64 => mk(d_op, rd, rs1, rs2, 0),
                _ => ill,
            }
        }
        0x0f => match f3 {
            0 => mk(Op::Fence, rd, rs1, 0, i_imm),
            1 => mk(Op::FenceI, rd, rs1, 0, i_imm),
            _ => ill,
        },
        0x73 => {
            let csr = bits(w, 31, 20) as i32;
            match f3 {
                0 if rd == 0 && rs1 == 0 => match bits(w, 31, 20) {
                    0x000 => mk(Op::Ecall, 0, 0, 0, 0),
                    0x001 => mk(Op::Ebreak, 0, 0, 0, 0),
                    0x302 => mk(Op::Mret, 0, 0, 0, 0),
                    0x105 => mk(Op::Wfi, 0, 0, 0, 0),
                    _ => ill,
                },
                1 => mk(Op::Csrrw, rd, rs1, 0, csr),
                2 => mk(Op::Csrrs, rd, rs1, 0, csr),
                3 => mk(Op::Csrrc, rd, rs1, 0, csr),
                5 => mk(Op::Csrrwi, rd, rs1, 0, csr),
                6 => mk(Op::Csrrsi, rd, rs1, 0, csr),
                7 => mk(Op::Csrrci, rd, rs1, 0, csr),
                _ => ill,
            }
        }
        0x5b if f3 == 2 => mk(Op::HostIo, rd, rs1, rs2, 0),
        0x0b | 0x2b | 0x5b => mk(Op::Custom, rd, rs1, rs2, w as i32),
        _ => ill,
    }
}

fn decode16(h: u16, xlen: Xlen) -> Insn {
    let w = h as u32;
    let rv64 = xlen == Xlen::X64;
    let ill = Insn::illegal(w, 2);
    let mk = |op: Op, rd: u32, rs1: u32, rs2: u32, imm: i32| Insn::new(op, rd, rs1, rs2, imm, 2);
    let f3 = bits(w, 15, 13);
    // Register fields: full 5-bit and the 3-bit "prime" forms (x8..x15).
    let rd_full = bits(w, 11, 7);
    let rs2_full = bits(w, 6, 2);
    let rd_p = bits(w, 4, 2) + 8;
    let rs1_p = bits(w, 9, 7) + 8;
    // CI-format 6-bit signed immediate.
    let ci_imm = sext((bits(w, 12, 12) << 5) | bits(w, 6, 2), 6);
    let ci_shamt = (bits(w, 12, 12) << 5) | bits(w, 6, 2);
    let cj_imm = sext(
        (bits(w, 12, 12) << 11)
            | (bits(w, 11, 11) << 4)
            | (bits(w, 10, 9) << 8)
            | (bits(w, 8, 8) << 10)
            | (bits(w, 7, 7) << 6)
            | (bits(w, 6, 6) << 7)
            | (bits(w, 5, 3) << 1)
            | (bits(w, 2, 2) << 5),
        12,
    );
    let cb_imm = sext(
        (bits(w, 12, 12) << 8)
            | (bits(w, 11, 10) << 3)
            | (bits(w, 6, 5) << 6)
            | (bits(w, 4, 3) << 1)
            | (bits(w, 2, 2) << 5),
        9,
    );
    let cl_w_imm = ((bits(w, 12, 10) << 3) | (bits(w, 6, 6) << 2) | (bits(w, 5, 5) << 6)) as i32;
    let cl_d_imm = ((bits(w, 12, 10) << 3) | (bits(w, 6, 5) << 6)) as i32;
    match w & 3 {
        0 => match f3 {
            0 => {
                let nzuimm = (bits(w, 12, 11) << 4)
                    | (bits(w, 10, 7) << 6)
                    | (bits(w, 6, 6) << 2)
                    | (bits(w, 5, 5) << 3);
                if nzuimm == 0 {
                    ill
                } else {
                    mk(Op::Addi, rd_p, 2, 0, nzuimm as i32)
                }
            }
            2 => mk(Op::Lw, rd_p, rs1_p, 0, cl_w_imm),
            3 if rv64 => mk(Op::Ld, rd_p, rs1_p, 0, cl_d_imm),
            6 => mk(Op::Sw, 0, rs1_p, rd_p, cl_w_imm),
            7 if rv64 => mk(Op::Sd, 0, rs1_p, rd_p, cl_d_imm),
            _ => ill,
        },
        1 => match f3 {
            0 => mk(Op::Addi, rd_full, rd_full, 0, ci_imm),
            1 if !rv64 => mk(Op::Jal, 1, 0, 0, cj_imm),
            1 if rd_full != 0 => mk(Op::Addiw, rd_full, rd_full, 0, ci_imm),
            2 => mk(Op::Addi, rd_full, 0, 0, ci_imm),
            3 if rd_full == 2 => {
                let imm = sext(
                    (bits(w, 12, 12) << 9)
                        | (bits(w, 6, 6) << 4)
                        | (bits(w, 5, 5) << 6)
                        | (bits(w, 4, 3) << 7)
                        | (bits(w, 2, 2) << 5),
                    10,
                );
                if imm == 0 {
                    ill
                } else {
                    mk(Op::Addi, 2, 2, 0, imm)
                }
            }
            3 => {
                let imm = sext((bits(w, 12, 12) << 17) | (bits(w, 6, 2) << 12), 18);
                if imm == 0 {
                    ill
                } else {
                    mk(Op::Lui, rd_full, 0, 0, imm)
                }
            }
            4 => {
                let rd = rs1_p;
                match bits(w, 11, 10) {
                    0 if rv64 || ci_shamt < 32 => mk(Op::Srli, rd, rd, 0, ci_shamt as i32),
                    1 if rv64 || ci_shamt < 32 => mk(Op::Srai, rd, rd, 0, ci_shamt as i32),
                    2 => mk(Op::Andi, rd, rd, 0, ci_imm),
                    3 => {
                        let op = match (bits(w, 12, 12), bits(w, 6, 5)) {
                            (0, 0) => Op::Sub,
                            (0, 1) => Op::Xor,
                            (0, 2) => Op::Or,
                            (0, 3) => Op::And,
                            (1, 0) if rv64 => Op::Subw,
                            (1, 1) if rv64 => Op::Addw,
                            _ => return ill,
                        };
                        mk(op, rd, rd, rd_p, 0)
                    }
                    _ => ill,
                }
            }
            5 => mk(Op::Jal, 0, 0, 0, cj_imm),
            6 => mk(Op::Beq, 0, rs1_p, 0, cb_imm),
            7 => mk(Op::Bne, 0, rs1_p, 0, cb_imm),
            _ => ill,
        },
        2 => match f3 {
            0 if rv64 || ci_shamt < 32 => mk(Op::Slli, rd_full, rd_full, 0, ci_shamt as i32),
            2 if rd_full != 0 => {
                let imm = (bits(w, 12, 12) << 5) | (bits(w, 6, 4) << 2) | (bits(w, 3, 2) << 6);
                mk(Op::Lw, rd_full, 2, 0, imm as i32)
            }
            3 if rv64 && rd_full != 0 => {
                let imm = (bits(w, 12, 12) << 5) | (bits(w, 6, 5) << 3) | (bits(w, 4, 2) << 6);
                mk(Op::Ld, rd_full, 2, 0, imm as i32)
            }
            4 => match (bits(w, 12, 12), rd_full, rs2_full) {
                (0, 0, 0) => ill,
                (0, rs1, 0) => mk(Op::Jalr, 0, rs1, 0, 0),
                (0, rd, rs2) => mk(Op::Add, rd, 0, rs2, 0),
                (1, 0, 0) => mk(Op::Ebreak, 0, 0, 0, 0),
                (1, rs1, 0) => mk(Op::Jalr, 1, rs1, 0, 0),
                (_, rd, rs2) => mk(Op::Add, rd, rd, rs2, 0),
            },
            6 => {
                let imm = (bits(w, 12, 9) << 2) | (bits(w, 8, 7) << 6);
                mk(Op::Sw, 0, 2, rs2_full, imm as i32)
            }
            7 if rv64 => {
                let imm = (bits(w, 12, 10) << 3) | (bits(w, 9, 7) << 6);
                mk(Op::Sd, 0, 2, rs2_full, imm as i32)
            }
            _ => ill,
        },
        _ => unreachable!("decode16 is only called for compressed encodings"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d64(w: u32) -> Insn {
        decode(w, Xlen::X64)
    }
    fn d32(w: u32) -> Insn {
        decode(w, Xlen::X32)
    }

    #[test]
    fn base_encodings() {
        // addi a0, a0, -1
        let i = d64(0xfff5_0513);
        assert_eq!((i.op, i.rd, i.rs1, i.imm, i.len), (Op::Addi, 10, 10, -1, 4));
        // lui a0, 0x80000 -> imm sign-extended
        let i = d64(0x8000_0537);
        assert_eq!((i.op, i.rd, i.imm), (Op::Lui, 10, i32::MIN));
        // jal ra, -4
        let i = d64(0xffdf_f0ef);
        assert_eq!((i.op, i.rd, i.imm), (Op::Jal, 1, -4));
        // beq a0, a1, -8
        let i = d64(0xfeb5_0ce3);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Beq, 10, 11, -8));
        // sd ra, 8(sp)
        let i = d64(0x0011_3423);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sd, 2, 1, 8));
        // sw with negative offset: sw a0, -4(s0)
        let i = d64(0xfea4_2e23);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sw, 8, 10, -4));
        // csrr a0, mcause
        let i = d64(0x3420_2573);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Csrrs, 10, 0, 0x342));
        assert_eq!(d64(0x0000_0073).op, Op::Ecall);
        assert_eq!(d64(0x0010_0073).op, Op::Ebreak);
        assert_eq!(d64(0x3020_0073).op, Op::Mret);
        assert_eq!(d64(0x1050_0073).op, Op::Wfi);
        assert_eq!(d64(0x0000_100f).op, Op::FenceI);
        assert_eq!(d64(0x0ff0_000f).op, Op::Fence);
    }

    #[test]
    fn rv64_only_encodings_are_illegal_on_rv32() {
        // ld a0, 0(a0); sd; addiw; addw; lr.d; slli with shamt 32
        for w in [
            0x0005_3503u32,
            0x00a5_3023,
            0x0015_051b,
            0x00b5_053b,
            0x1005_352f,
            0x0205_1513,
        ] {
            assert_ne!(d64(w).op, Op::Illegal, "{w:#x} legal on rv64");
            assert_eq!(d32(w).op, Op::Illegal, "{w:#x} illegal on rv32");
        }
    }

    #[test]
    fn amo_and_lr_sc() {
        // amoadd.w a0, a1, (a2)
        let i = d64(0x00b6_252f);
        assert_eq!((i.op, i.rd, i.rs1, i.rs2), (Op::AmoaddW, 10, 12, 11));
        // amomaxu.d
        assert_eq!(d64(0xe0b6_352f).op, Op::AmomaxuD);
        // lr.w with rs2 != 0 is reserved
        assert_eq!(d64(0x1016_252f).op, Op::Illegal);
        assert_eq!(d64(0x1006_252f).op, Op::LrW);
        assert_eq!(d64(0x18b6_252f).op, Op::ScW);
    }

    #[test]
    fn compressed_expansions() {
        // c.addi4spn a0, sp, 8 -> addi a0, sp, 8   (0x0028)
        let i = d64(0x0028);
        assert_eq!((i.op, i.rd, i.rs1, i.imm, i.len), (Op::Addi, 10, 2, 8, 2));
        // all-zero is illegal
        assert_eq!(d64(0x0000).op, Op::Illegal);
        // c.lw a0, 4(a1) = 0x41c8
        let i = d64(0x41c8);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Lw, 10, 11, 4));
        // c.ld a0, 8(a1) = 0x6588
        let i = d64(0x6588);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Ld, 10, 11, 8));
        assert_eq!(d32(0x6588).op, Op::Illegal); // c.flw on rv32: no F
                                                 // c.sw a0, 4(a1) = 0xc1c8
        let i = d64(0xc1c8);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sw, 11, 10, 4));
        // c.sd a0, 8(a1) = 0xe588
        let i = d64(0xe588);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sd, 11, 10, 8));
        // c.nop
        assert_eq!(d64(0x0001).op, Op::Addi);
        // c.addi a0, -1 = 0x157d
        let i = d64(0x157d);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Addi, 10, 10, -1));
        // c.addiw a0, 1 = 0x2505 on rv64, c.jal on rv32
        let i = d64(0x2505);
        assert_eq!((i.op, i.rd, i.imm), (Op::Addiw, 10, 1));
        let i = d32(0x2505);
        assert_eq!((i.op, i.rd), (Op::Jal, 1));
        // c.li a0, -1 = 0x557d
        let i = d64(0x557d);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Addi, 10, 0, -1));
        // c.addi16sp sp, -64 = 0x7139
        let i = d64(0x7139);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Addi, 2, 2, -64));
        // c.lui a0, 0x1 = 0x6505
        let i = d64(0x6505);
        assert_eq!((i.op, i.rd, i.imm), (Op::Lui, 10, 0x1000));
        // c.lui a0, 0xfffff (-1) = 0x757d
        let i = d64(0x757d);
        assert_eq!((i.op, i.rd, i.imm), (Op::Lui, 10, -4096));
        // c.srli a0, 1 = 0x8105 ; c.srai a0, 1 = 0x8505 ; c.andi a0, -1 = 0x997d
        assert_eq!((d64(0x8105).op, d64(0x8105).imm), (Op::Srli, 1));
        assert_eq!((d64(0x8505).op, d64(0x8505).imm), (Op::Srai, 1));
        assert_eq!((d64(0x997d).op, d64(0x997d).imm), (Op::Andi, -1));
        // c.srli a0, 32 (shamt[5]=1) = 0x9101 : legal on rv64 only
        assert_eq!(d64(0x9101).op, Op::Srli);
        assert_eq!(d32(0x9101).op, Op::Illegal);
        // c.sub a0, a1 = 0x8d0d; c.xor = 0x8d2d; c.or = 0x8d4d; c.and = 0x8d6d
        for (w, op) in [
            (0x8d0d, Op::Sub),
            (0x8d2d, Op::Xor),
            (0x8d4d, Op::Or),
            (0x8d6d, Op::And),
        ] {
            let i = d64(w);
            assert_eq!((i.op, i.rd, i.rs1, i.rs2), (op, 10, 10, 11));
        }
        // c.subw a0,a1 = 0x9d0d; c.addw = 0x9d2d
        assert_eq!(d64(0x9d0d).op, Op::Subw);
        assert_eq!(d64(0x9d2d).op, Op::Addw);
        assert_eq!(d32(0x9d2d).op, Op::Illegal);
        // c.j -2 = 0xbffd
        let i = d64(0xbffd);
        assert_eq!((i.op, i.rd, i.imm), (Op::Jal, 0, -2));
        // c.j . = 0xa001
        let i = d64(0xa001);
        assert_eq!((i.op, i.rd, i.imm), (Op::Jal, 0, 0));
        // c.beqz a0, 8 = 0xc501 ; c.bnez a0, -2 = 0xfd7d
        let i = d64(0xc501);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Beq, 10, 0, 8));
        let i = d64(0xfd7d);
        assert_eq!((i.op, i.rs1, i.imm), (Op::Bne, 10, -2));
        // c.slli a0, 3 = 0x050e
        let i = d64(0x050e);
        assert_eq!((i.op, i.rd, i.imm), (Op::Slli, 10, 3));
        // c.lwsp a0, 12(sp) = 0x4532 ; c.ldsp ra, 8(sp) = 0x60a2
        let i = d64(0x4532);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Lw, 10, 2, 12));
        let i = d64(0x60a2);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Ld, 1, 2, 8));
        // c.jr ra (ret) = 0x8082 ; c.mv a0, a1 = 0x852e ; c.ebreak = 0x9002 ; c.jalr a0 = 0x9502 ; c.add a0, a1 = 0x952e
        let i = d64(0x8082);
        assert_eq!((i.op, i.rd, i.rs1), (Op::Jalr, 0, 1));
        let i = d64(0x852e);
        assert_eq!((i.op, i.rd, i.rs1, i.rs2), (Op::Add, 10, 0, 11));
        assert_eq!(d64(0x9002).op, Op::Ebreak);
        let i = d64(0x9502);
        assert_eq!((i.op, i.rd, i.rs1), (Op::Jalr, 1, 10));
        let i = d64(0x952e);
        assert_eq!((i.op, i.rd, i.rs1, i.rs2), (Op::Add, 10, 10, 11));
        // c.swsp a0, 12(sp) = 0xc62a ; c.sdsp ra, 8(sp) = 0xe406
        let i = d64(0xc62a);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sw, 2, 10, 12));
        let i = d64(0xe406);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sd, 2, 1, 8));
        // c.jr x0 is reserved
        assert_eq!(d64(0x8002).op, Op::Illegal);
        // c.fld / c.fsd / c.fldsp are illegal (no D)
        assert_eq!(d64(0x2588).op, Op::Illegal);
        assert_eq!(d64(0xa588).op, Op::Illegal);
        assert_eq!(d64(0x2522).op, Op::Illegal);
    }

    #[test]
    fn host_io_and_custom_instructions() {
        // opcode 0x5B, funct3 = 2
        let i = d64(0x0000_205b);
        assert_eq!(i.op, Op::HostIo);
        // the rest of custom-0/1/2 keeps its R-type fields and raw word
        let w = 0x02b5_850b; // .insn r 0x0b, 0, 1, a0, a1, a1
        let i = d64(w);
        assert_eq!(
            (i.op, i.rd, i.rs1, i.rs2, i.imm as u32),
            (Op::Custom, 10, 11, 11, w)
        );
        assert_eq!(d64(0x0000_105b).op, Op::Custom);
        assert_eq!(d64(0x0000_002b).op, Op::Custom);
        // custom-3 (0x7B) is not a custom opcode any platform uses
        assert_eq!(d64(0x0000_007b).op, Op::Illegal);
    }
}
