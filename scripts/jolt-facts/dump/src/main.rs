use jolt_program::expand::{expand_instruction, ExpansionAllocator};
use jolt_riscv::{NormalizedOperands, SourceInstruction, SourceInstructionRow, RV64IMAC_JOLT};
use jolt_riscv::SourceInstructionKind as K;

fn len(name: &str, rd: u8, rs1: u8, rs2: u8, imm: i128) -> Option<usize> {
    let kind = K::from_name(name)?;
    let row = SourceInstructionRow {
        address: 0x8000_0000,
        operands: NormalizedOperands { rd: Some(rd), rs1: Some(rs1), rs2: Some(rs2), imm },
        inline: None,
        is_compressed: false,
    };
    let mut a = ExpansionAllocator::new();
    expand_instruction(&SourceInstruction::new(kind, row), &mut a, RV64IMAC_JOLT).ok().map(|v| v.len())
}

fn main() {
    inl::all();
    let names = "ADD ADDI ADDIW ADDW AND ANDI AUIPC BEQ BGE BGEU BLT BLTU BNE CSRRS CSRRW DIV DIVU DIVUW DIVW EBREAK ECALL FENCE JAL JALR LB LBU LD LH LHU LUI LW LWU MRET MUL MULH MULHSU MULHU MULW OR ORI REM REMU REMUW REMW SB SD SH SLL SLLI SLLIW SLLW SLT SLTI SLTIU SLTU SRA SRAI SRAIW SRAW SRL SRLI SRLIW SRLW SUB SUBW SW XOR XORI LRW LRD SCW SCD AMOADDW AMOADDD AMOANDW AMOANDD AMOORW AMOORD AMOXORW AMOXORD AMOSWAPW AMOSWAPD AMOMAXW AMOMAXD AMOMAXUW AMOMAXUD AMOMINW AMOMIND AMOMINUW AMOMINUD ANDN AdviceLB AdviceLD AdviceLH AdviceLW VirtualAdvice VirtualAdviceLen VirtualAdviceLoad VirtualAssertEQ VirtualHostIO VirtualRev8W";
    for n in names.split_whitespace() {
        let imm = if n.starts_with("CSR") { 0x305 } else { 8 };
        for (pat, rd, rs1, rs2) in [("generic", 5u8, 6u8, 7u8), ("rd0", 0, 6, 7), ("rd_eq_rs1", 5, 5, 7), ("rs1_0", 5, 0, 7)] {
            match len(n, rd, rs1, rs2, imm) {
                Some(l) => println!("{n}\t{pat}\t{l}"),
                None => println!("{n}\t{pat}\terror"),
            }
        }
    }
}

mod inl {
    use jolt_inlines_sdk::host::{InlineOp, InlineExpansionBuilder, InlineOperands};
    use jolt_program::expand::{expand_instruction_with_provider, ExpandedInstructionSequence, ExpansionAllocator, ExpansionError, InlineExpansionProvider};
    use jolt_riscv::{JoltInstructionProfile, NormalizedOperands, SourceInlineKey, SourceInstruction, SourceInstructionRow, SourceInstructionKind, RV64IMAC_JOLT_ALL_INLINES};

    struct P<T>(std::marker::PhantomData<T>);
    impl<T: InlineOp> InlineExpansionProvider for P<T> {
        fn expand_inline(&mut self, i: &SourceInstruction, _p: JoltInstructionProfile) -> Result<ExpandedInstructionSequence, ExpansionError> {
            let src = *i.row();
            let ops = InlineOperands::from_source_row(src)?;
            T::build_sequence(InlineExpansionBuilder::new(src), ops)
        }
    }
    pub fn len<T: InlineOp>(rd: u8, rs1: u8, rs2: u8) -> Result<usize, String> {
        let row = SourceInstructionRow {
            address: 0x8000_0000,
            operands: NormalizedOperands { rd: Some(rd), rs1: Some(rs1), rs2: Some(rs2), imm: 0 },
            inline: Some(SourceInlineKey { opcode: T::OPCODE as _, funct3: T::FUNCT3 as _, funct7: T::FUNCT7 as _ }),
            is_compressed: false,
        };
        let mut a = ExpansionAllocator::new();
        expand_instruction_with_provider(&SourceInstruction::new(SourceInstructionKind::Inline, row), &mut a, &mut P::<T>(Default::default()), RV64IMAC_JOLT_ALL_INLINES)
            .map(|v| v.len()).map_err(|e| format!("{e:?}"))
    }
    pub fn show<T: InlineOp>() {
        let mut v = Vec::new();
        for (rd, rs1, rs2) in [(0u8, 10u8, 11u8), (12, 10, 11), (10, 10, 11), (0, 10, 10)] {
            v.push(format!("{:?}", len::<T>(rd, rs1, rs2)));
        }
        let l = len::<T>(0, 10, 11).unwrap();
        for x in &v { assert_eq!(x, &format!("{:?}", Ok::<usize, String>(l)), "{} length depends on operands", T::NAME); }
        println!("INLINE\t{:#04x}\t{}\t{:#04x}\t{}\t{}", T::OPCODE, T::FUNCT3, T::FUNCT7, T::NAME, l);
    }
    pub fn all() {
        show::<jolt_inlines_sha2::sequence_builder::Sha256Compression>();
        show::<jolt_inlines_sha2::sequence_builder::Sha256CompressionInitial>();
        show::<jolt_inlines_keccak256::sequence_builder::Keccak256Permutation>();
        show::<jolt_inlines_blake2::sequence_builder::Blake2bCompression>();
        show::<jolt_inlines_blake3::sequence_builder::Blake3Compression>();
        show::<jolt_inlines_blake3::sequence_builder::Blake3Keyed64Compression>();
        show::<jolt_inlines_bigint::multiplication::sequence_builder::BigintMul256>();
    }
}
