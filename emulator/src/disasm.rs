//! Disassembly of decoded instructions in GNU objdump's style (ABI register
//! names, common pseudo-instructions such as `li`, `mv`, `ret`, `j`).

use crate::cpu::ABI_NAMES;
use crate::decode::{Insn, Op};
use crate::Xlen;

fn r(n: u8) -> &'static str {
    ABI_NAMES[(n & 31) as usize]
}

/// Mnemonic of an operation (the base instruction, without pseudo-ops).
pub fn mnemonic(op: Op) -> &'static str {
    use Op::*;
    match op {
        Lui => "lui",
        Auipc => "auipc",
        Jal => "jal",
        Jalr => "jalr",
        Beq => "beq",
        Bne => "bne",
        Blt => "blt",
        Bge => "bge",
        Bltu => "bltu",
        Bgeu => "bgeu",
        Lb => "lb",
        Lh => "lh",
        Lw => "lw",
        Ld => "ld",
        Lbu => "lbu",
        Lhu => "lhu",
        Lwu => "lwu",
        Sb => "sb",
        Sh => "sh",
        Sw => "sw",
        Sd => "sd",
        Addi => "addi",
        Slti => "slti",
        Sltiu => "sltiu",
        Xori => "xori",
        Ori => "ori",
        Andi => "andi",
        Slli => "slli",
        Srli => "srli",
        Srai => "srai",
        Add => "add",
        Sub => "sub",
        Sll => "sll",
        Slt => "slt",
        Sltu => "sltu",
        Xor => "xor",
        Srl => "srl",
        Sra => "sra",
        Or => "or",
        And => "and",
        Addiw => "addiw",
        Slliw => "slliw",
        Srliw => "srliw",
        Sraiw => "sraiw",
        Addw => "addw",
        Subw => "subw",
        Sllw => "sllw",
        Srlw => "srlw",
        Sraw => "sraw",
        Mul => "mul",
        Mulh => "mulh",
        Mulhsu => "mulhsu",
        Mulhu => "mulhu",
        Div => "div",
        Divu => "divu",
        Rem => "rem",
        Remu => "remu",
        Mulw => "mulw",
        Divw => "divw",
        Divuw => "divuw",
        Remw => "remw",
        Remuw => "remuw",
        LrW => "lr.w",
        ScW => "sc.w",
        AmoswapW => "amoswap.w",
        AmoaddW => "amoadd.w",
        AmoxorW => "amoxor.w",
        AmoandW => "amoand.w",
        AmoorW => "amoor.w",
        AmominW => "amomin.w",
        AmomaxW => "amomax.w",
        AmominuW => "amominu.w",
        AmomaxuW => "amomaxu.w",
        LrD => "lr.d",
        ScD => "sc.d",
        AmoswapD => "amoswap.d",
        AmoaddD => "amoadd.d",
        AmoxorD => "amoxor.d",
        AmoandD => "amoand.d",
        AmoorD => "amoor.d",
        AmominD => "amomin.d",
        AmomaxD => "amomax.d",
        AmominuD => "amominu.d",
        AmomaxuD => "amomaxu.d",
        Fence => "fence",
        FenceI => "fence.i",
        Ecall => "ecall",
        Ebreak => "ebreak",
        Mret => "mret",
        Wfi => "wfi",
        Csrrw => "csrrw",
        Csrrs => "csrrs",
        Csrrc => "csrrc",
        Csrrwi => "csrrwi",
        Csrrsi => "csrrsi",
        Csrrci => "csrrci",
        HostIo => "jolt.hostio",
        Custom => ".insn",
        Illegal => "illegal",
    }
}

/// Name of a CSR, or its number in hex.
pub fn csr_name(n: u16) -> String {
    use crate::cpu::csr::*;
    let s = match n {
        MSTATUS => "mstatus",
        MISA => "misa",
        MIE => "mie",
        MTVEC => "mtvec",
        MCOUNTEREN => "mcounteren",
        MSCRATCH => "mscratch",
        MEPC => "mepc",
        MCAUSE => "mcause",
        MTVAL => "mtval",
        MIP => "mip",
        MCYCLE => "mcycle",
        MINSTRET => "minstret",
        MCYCLEH => "mcycleh",
        MINSTRETH => "minstreth",
        CYCLE => "cycle",
        TIME => "time",
        INSTRET => "instret",
        CYCLEH => "cycleh",
        TIMEH => "timeh",
        INSTRETH => "instreth",
        MVENDORID => "mvendorid",
        MARCHID => "marchid",
        MIMPID => "mimpid",
        MHARTID => "mhartid",
        _ => return format!("{n:#x}"),
    };
    s.to_string()
}

/// Disassembles `insn` located at `pc`. Branch and jump targets are printed
/// as absolute addresses; `symbolize` may name them (`<name+off>`).
pub fn disassemble(
    insn: &Insn,
    pc: u64,
    xlen: Xlen,
    symbolize: &dyn Fn(u64) -> Option<String>,
) -> String {
    use Op::*;
    let m = mnemonic(insn.op);
    let (rd, rs1, rs2, imm) = (insn.rd, insn.rs1, insn.rs2, insn.imm);
    let target = |off: i32| {
        let t = xlen.truncate(pc.wrapping_add(off as i64 as u64));
        match symbolize(t) {
            Some(s) => format!("{t:x} <{s}>"),
            None => format!("{t:x}"),
        }
    };
    match insn.op {
        Lui | Auipc => format!("{m} {}, {:#x}", r(rd), (imm as u32) >> 12),
        Jal if rd == 0 => format!("j {}", target(imm)),
        Jal if rd == 1 => format!("jal {}", target(imm)),
        Jal => format!("jal {}, {}", r(rd), target(imm)),
        Jalr if rd == 0 && rs1 == 1 && imm == 0 => "ret".to_string(),
        Jalr if rd == 0 && imm == 0 => format!("jr {}", r(rs1)),
        Jalr if rd == 1 && imm == 0 => format!("jalr {}", r(rs1)),
        Jalr => format!("jalr {}, {}({})", r(rd), imm, r(rs1)),
        Beq | Bne if rs2 == 0 => format!("{m}z {}, {}", r(rs1), target(imm)),
        Beq | Bne | Blt | Bge | Bltu | Bgeu => {
            format!("{m} {}, {}, {}", r(rs1), r(rs2), target(imm))
        }
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => format!("{m} {}, {}({})", r(rd), imm, r(rs1)),
        Sb | Sh | Sw | Sd => format!("{m} {}, {}({})", r(rs2), imm, r(rs1)),
        Addi if rd == 0 && rs1 == 0 && imm == 0 => "nop".to_string(),
        Addi if rs1 == 0 => format!("li {}, {}", r(rd), imm),
        Addi if imm == 0 => format!("mv {}, {}", r(rd), r(rs1)),
        Addiw if imm == 0 => format!("sext.w {}, {}", r(rd), r(rs1)),
        Xori if imm == -1 => format!("not {}, {}", r(rd), r(rs1)),
        Sltiu if imm == 1 => format!("seqz {}, {}", r(rd), r(rs1)),
        Slli | Srli | Srai | Slliw | Srliw | Sraiw => {
            format!("{m} {}, {}, {:#x}", r(rd), r(rs1), imm)
        }
        Addi | Slti | Sltiu | Xori | Ori | Andi | Addiw => {
            format!("{m} {}, {}, {}", r(rd), r(rs1), imm)
        }
        Add if rs1 == 0 => format!("mv {}, {}", r(rd), r(rs2)),
        Sub if rs1 == 0 => format!("neg {}, {}", r(rd), r(rs2)),
        Sltu if rs1 == 0 => format!("snez {}, {}", r(rd), r(rs2)),
        LrW | LrD => format!("{m} {}, ({})", r(rd), r(rs1)),
        ScW | ScD | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW
        | AmominuW | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD
        | AmomaxD | AmominuD | AmomaxuD => {
            format!("{m} {}, {}, ({})", r(rd), r(rs2), r(rs1))
        }
        Fence | FenceI | Ecall | Ebreak | Mret | Wfi => m.to_string(),
        Csrrs if rs1 == 0 => format!("csrr {}, {}", r(rd), csr_name(imm as u16)),
        Csrrw if rd == 0 => format!("csrw {}, {}", csr_name(imm as u16), r(rs1)),
        Csrrw | Csrrs | Csrrc => format!("{m} {}, {}, {}", r(rd), csr_name(imm as u16), r(rs1)),
        Csrrwi | Csrrsi | Csrrci => format!("{m} {}, {}, {}", r(rd), csr_name(imm as u16), rs1),
        HostIo => m.to_string(),
        Custom => {
            let w = imm as u32;
            format!(
                ".insn r {:#04x}, {}, {:#x}, {}, {}, {}",
                w & 0x7f,
                (w >> 12) & 7,
                w >> 25,
                r(rd),
                r(rs1),
                r(rs2)
            )
        }
        Illegal => {
            if insn.len == 2 {
                format!(".half {:#06x}", insn.imm as u32 & 0xffff)
            } else {
                format!(".word {:#010x}", insn.imm as u32)
            }
        }
        _ => format!("{m} {}, {}, {}", r(rd), r(rs1), r(rs2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    fn dis(w: u32, pc: u64) -> String {
        disassemble(&decode(w, Xlen::X64), pc, Xlen::X64, &|_| None)
    }

    #[test]
    fn objdump_style() {
        assert_eq!(dis(0x8082, 0), "ret");
        assert_eq!(dis(0x557d, 0), "li a0, -1");
        assert_eq!(dis(0x852e, 0), "mv a0, a1");
        assert_eq!(dis(0xffdf_f0ef, 0x1000), "jal ffc");
        assert_eq!(dis(0x0011_3423, 0), "sd ra, 8(sp)");
        assert_eq!(dis(0x3420_2573, 0), "csrr a0, mcause");
        assert_eq!(dis(0x00b6_252f, 0), "amoadd.w a0, a1, (a2)");
        assert_eq!(dis(0xffff_ffff, 0), ".word 0xffffffff");
        assert_eq!(dis(0x0000_0013, 0), "nop");
    }
}
