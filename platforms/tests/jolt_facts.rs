//! zkdbg's Jolt cost model against the lengths Jolt's own expansion code
//! computed (`platforms/facts/jolt-expansion.tsv`, made by
//! `scripts/jolt-facts/run.sh` from a16z/jolt).

use zkdbg_emulator::{Insn, Op};
use zkdbg_platforms::jolt::cost::cycles;
use zkdbg_platforms::jolt::insn::custom;

const FACTS: &str = include_str!("../facts/jolt-expansion.tsv");

/// Every operation that has a Jolt source instruction of the same name.
const OPS: &[Op] = {
    use Op::*;
    &[
        Lui, Auipc, Jal, Jalr, Beq, Bne, Blt, Bge, Bltu, Bgeu, Lb, Lh, Lw, Ld, Lbu, Lhu, Lwu, Sb,
        Sh, Sw, Sd, Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai, Add, Sub, Sll, Slt, Sltu,
        Xor, Srl, Sra, Or, And, Addiw, Slliw, Srliw, Sraiw, Addw, Subw, Sllw, Srlw, Sraw, Mul,
        Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu, Mulw, Divw, Divuw, Remw, Remuw, LrW, ScW,
        AmoswapW, AmoaddW, AmoxorW, AmoandW, AmoorW, AmominW, AmomaxW, AmominuW, AmomaxuW, LrD,
        ScD, AmoswapD, AmoaddD, AmoxorD, AmoandD, AmoorD, AmominD, AmomaxD, AmominuD, AmomaxuD,
        Fence, Ecall, Ebreak, Mret, Csrrw, Csrrs,
    ]
};

/// The instruction the TSV row describes, with its operand pattern.
fn insn_for(name: &str, pattern: &str) -> Option<Insn> {
    let (mut rd, mut rs1, rs2) = (5u8, 6u8, 7u8);
    match pattern {
        "generic" => {}
        "rd0" => rd = 0,
        "rd_eq_rs1" => rs1 = 5,
        "rs1_0" => rs1 = 0,
        p => panic!("unknown operand pattern {p}"),
    }
    let custom_r = |f3: u32, f7: u32| (0x5b | f3 << 12 | f7 << 25) as i32;
    let (op, imm) = match name {
        "AdviceLB" => (Op::Custom, custom_r(0, 0)),
        "AdviceLH" => (Op::Custom, custom_r(0, 1)),
        "AdviceLW" => (Op::Custom, custom_r(0, 2)),
        "AdviceLD" => (Op::Custom, custom_r(0, 3)),
        "VirtualAdviceLen" => (Op::Custom, custom_r(0, 4)),
        "VirtualRev8W" => (Op::Custom, custom_r(0, 5)),
        "VirtualAssertEQ" => (Op::Custom, custom_r(1, 0)),
        "VirtualHostIO" => (Op::HostIo, 0),
        n if n.starts_with("CSR") => (
            *OPS.iter().find(|o| format!("{o:?}").to_uppercase() == n)?,
            0x305,
        ),
        n => (
            *OPS.iter().find(|o| format!("{o:?}").to_uppercase() == n)?,
            8,
        ),
    };
    Some(Insn {
        op,
        rd,
        rs1,
        rs2,
        len: 4,
        imm,
    })
}

#[test]
fn every_instruction_costs_what_jolt_expands_it_to() {
    let mut checked = 0;
    let mut skipped = Vec::new();
    for line in FACTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("INLINE"))
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, pattern, rows) = (f[0], f[1], f[2]);
        let Some(insn) = insn_for(name, pattern) else {
            skipped.push(name);
            continue;
        };
        let rows: u32 = rows
            .parse()
            .unwrap_or_else(|_| panic!("bad row count in {line:?}"));
        assert_eq!(cycles(&insn), rows, "{name} ({pattern}): {insn:?}");
        checked += 1;
    }
    // Without an encoding a guest can use: ANDN (Zbb, which RV64IMAC
    // compilers do not emit) and the two virtual instructions that only
    // appear inside Jolt's own expansions.
    skipped.dedup();
    assert_eq!(skipped, ["ANDN", "VirtualAdvice", "VirtualAdviceLoad"]);
    assert!(checked > 350, "{checked} rows checked");
}

#[test]
fn every_inline_jolt_builds_is_named_with_its_length() {
    let mut n = 0;
    for line in FACTS.lines().filter(|l| l.starts_with("INLINE")) {
        let f: Vec<&str> = line.split('\t').collect();
        let opcode = u32::from_str_radix(f[1].trim_start_matches("0x"), 16).unwrap();
        let f3: u32 = f[2].parse().unwrap();
        let f7 = u32::from_str_radix(f[3].trim_start_matches("0x"), 16).unwrap();
        let rows: u32 = f[5].parse().unwrap();
        let insn = Insn {
            op: Op::Custom,
            rd: 0,
            rs1: 10,
            rs2: 11,
            len: 4,
            imm: (opcode | f3 << 12 | 10 << 15 | 11 << 20 | f7 << 25) as i32,
        };
        let j = custom(&insn).unwrap_or_else(|| panic!("{} unknown", f[4]));
        assert_eq!((j.name, cycles(&insn)), (f[4], rows));
        n += 1;
    }
    // Every inline of the table, each with its length from the file.
    assert_eq!(n, zkdbg_platforms::jolt::insn::INLINES.len());
    assert_eq!(n, 24);
}
