//! Jolt's cycle count: how many trace rows (Jolt cycles) each retired
//! instruction becomes.
//!
//! Jolt proves a trace of its own RV64IMAC-based bytecode: instructions it
//! cannot prove directly (sub-doubleword loads and stores, divisions, some
//! shifts, AMOs, LR/SC, `ecall`, CSR accesses) expand into *virtual
//! sequences*, and each inline into a fixed sequence of instructions. The
//! trace length is the sum of these lengths over the run; the prover pads
//! it to the next power of two.
//!
//! Source: a16z/jolt @ff9f8c134, `crates/jolt-program/src/expand/` (the
//! expansion recipes, `expand_instruction` with profile `RV64IMAC_JOLT`;
//! an instruction whose rd is x0 and that has no side effect becomes one
//! no-op row) and `jolt-inlines/*/src/sequence_builder.rs` (the inline
//! sequences, with the register-reset rows the expansion appends). The
//! lengths below were computed by running that code on every instruction
//! (`scripts/jolt-facts/run.sh`, output in `platforms/facts/jolt-expansion.tsv`);
//! a test checks this table against that file.

use super::insn::{custom, JoltCustom};
use zkdbg_emulator::{CostModel, Insn, Op};

/// Jolt's cost model: [`cycles`] per instruction.
pub const JOLT_CYCLES: CostModel = CostModel {
    name: "jolt-cycles",
    cost: cycles,
};

/// Jolt cycles (trace rows) of one instruction.
pub fn cycles(insn: &Insn) -> u32 {
    use Op::*;
    let rd0 = insn.rd == 0;
    match insn.op {
        // No side effect: with rd = x0 one no-op row.
        Div | Rem if rd0 => 1,
        Divu | Divuw | Divw | Remu | Remuw | Remw | Mulh | Mulhsu if rd0 => 1,
        Sll | Srl | Sra | Sllw | Srlw | Sraw | Sraiw | Srliw if rd0 => 1,
        Div | Rem => 24,
        Divw | Remw => 21,
        Divuw => 11,
        Remuw => 9,
        Divu => 8,
        Remu | Mulh => 7,
        Mulhsu => 11,
        Sll | Srl | Sra | Sllw => 2,
        Srlw | Sraw => 5,
        Sraiw | Srliw => 3,
        // Loads and stores narrower than a doubleword go through the
        // containing doubleword.
        Lb | Lbu => 8,
        Lh | Lhu | Lwu => 9,
        Lw => 6,
        Sb => 13,
        Sh => 14,
        Sw => 15,
        LrW => 10,
        LrD => 5,
        ScW => 37,
        ScD => 16,
        AmoaddW | AmoandW | AmoorW | AmoxorW => 19,
        AmoswapW => 18,
        AmomaxW | AmomaxuW | AmominW | AmominuW => 24,
        AmoaddD | AmoandD | AmoorD | AmoxorD => 4,
        AmoswapD => 3,
        AmomaxD | AmomaxuD | AmominD | AmominuD => 7,
        Ecall => 7,
        // `csrr` (rs1 = x0) and writes whose old value is dropped are one
        // row; the old value into rd another; rd = rs1 needs a temporary.
        Csrrs | Csrrc if rd0 || insn.rs1 == 0 => 1,
        Csrrw if rd0 => 1,
        Csrrs | Csrrc | Csrrw if insn.rd == insn.rs1 => 3,
        Csrrs | Csrrc | Csrrw => 2,
        Csrrsi | Csrrci | Csrrwi if rd0 => 1,
        Csrrsi | Csrrci | Csrrwi => 2,
        Custom | HostIo => custom(insn).map_or(1, JoltCustom::cycles),
        _ => 1,
    }
}
