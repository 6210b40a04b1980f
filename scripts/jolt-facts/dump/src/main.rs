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
    if let Some(path) = std::env::args().nth(1) {
        ec::vectors(&path);
    }
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
        use jolt_inlines_secp256k1::sequence_builder as k1;
        show::<k1::Secp256k1MulQ>();
        show::<k1::Secp256k1SquareQ>();
        show::<k1::Secp256k1DivQ>();
        show::<k1::Secp256k1MulR>();
        show::<k1::Secp256k1SquareR>();
        show::<k1::Secp256k1DivR>();
        show::<k1::Secp256k1GlvrAdv>();
        use jolt_inlines_grumpkin::sequence_builder as gr;
        show::<gr::GrumpkinDivQAdv>();
        show::<gr::GrumpkinDivRAdv>();
        show::<gr::GrumpkinGlvrAdv>();
        use jolt_inlines_p256::sequence_builder as r1;
        show::<r1::P256MulQ>();
        show::<r1::P256SquareQ>();
        show::<r1::P256DivQ>();
        show::<r1::P256MulR>();
        show::<r1::P256SquareR>();
        show::<r1::P256DivR>();
        show::<r1::P256FakeGlvAdv>();
    }
}

/// Test vectors for the elliptic-curve inlines, from Jolt's own advice
/// builders: for each input, the words the inline leaves at rs3 (computed
/// from the advice exactly as the inline's sequence does), or `panic` /
/// `assert` where Jolt's host code panics or the sequence's check fails.
mod ec {
    use jolt_inlines_sdk::host::{FormatInline, InlineAdviceContext, InlineOp, NBigUint};
    use std::collections::HashMap;
    use std::io::Write;

    struct Ctx { regs: [u64; 32], mem: HashMap<u64, u64> }
    impl InlineAdviceContext for Ctx {
        fn register(&self, i: usize) -> u64 { self.regs[i] }
        fn load_doubleword(&mut self, a: u64) -> Option<u64> { self.mem.get(&a).copied() }
    }
    const A: u64 = 0x1000;
    const B: u64 = 0x2000;

    fn big(l: &[u64]) -> NBigUint { jolt_inlines_sdk::host::limbs_to_nbiguint(l) }
    fn limbs4(n: &NBigUint) -> Vec<u64> {
        let mut v = jolt_inlines_sdk::host::nbiguint_to_limbs(n);
        v.resize(4, 0);
        v
    }
    fn hex(l: &[u64]) -> String { l.iter().map(|w| format!("{w:016x}")).collect::<Vec<_>>().join(",") }

    /// The advice words, or None when Jolt's host code panics.
    fn advice<T: InlineOp>(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
        let mut mem = HashMap::new();
        for (i, w) in a.iter().enumerate() { mem.insert(A + 8 * i as u64, *w); }
        for (i, w) in b.iter().enumerate() { mem.insert(B + 8 * i as u64, *w); }
        let mut regs = [0u64; 32];
        regs[10] = A;
        regs[11] = B;
        let ops = FormatInline { rs1: 10, rs2: 11, rs3: 12 };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let mut ctx = Ctx { regs, mem };
            T::build_runtime_advice(ops, &mut ctx)
        }));
        match r {
            Ok(Ok(Some(q))) => Some(q.into_iter().collect()),
            Ok(Ok(None)) => Some(vec![]),
            Ok(Err(e)) => panic!("{e:?}"),
            Err(_) => None,
        }
    }

    #[derive(Clone, Copy)]
    enum Op { Mul, Square, Div, Adv }

    fn out<T: InlineOp>(op: Op, m: &NBigUint, a: &[u64], b: &[u64]) -> String {
        let Some(adv) = advice::<T>(a, b) else { return "panic".into() };
        match op {
            Op::Adv => hex(&adv),
            Op::Mul | Op::Square => {
                let bb = if matches!(op, Op::Square) { a } else { b };
                let w = big(&adv);
                let ab = big(a) * big(bb);
                let wq = &w * m;
                if wq > ab { return "assert".into() }
                let c = ab - wq;
                if c.bits() > 256 { return "assert".into() }
                hex(&limbs4(&c))
            }
            Op::Div => {
                let res: Vec<u64> = (0..4).map(|i| adv[2 * i]).collect();
                let w: Vec<u64> = (0..4).map(|i| adv[2 * i + 1]).collect();
                let lhs = big(b) * big(&res);
                let wq = big(&w) * m;
                if lhs < wq || lhs - wq != big(a) { return "assert".into() }
                hex(&res)
            }
        }
    }

    fn m(x: impl Into<NBigUint>) -> NBigUint { x.into() }

    pub fn vectors(path: &str) {
        use ark_ff::PrimeField;
        // Jolt's host code panics on some inputs (recorded as `panic`).
        std::panic::set_hook(Box::new(|_| {}));
        let mut f = std::fs::File::create(path).unwrap();
        let k1q = m(ark_secp256k1::Fq::MODULUS);
        let k1r = m(ark_secp256k1::Fr::MODULUS);
        let r1q = m(ark_secp256r1::Fq::MODULUS);
        let r1r = m(ark_secp256r1::Fr::MODULUS);
        let grq = m(ark_grumpkin::Fq::MODULUS);
        let grr = m(ark_grumpkin::Fr::MODULUS);
        let one = NBigUint::from(1u8);
        let two = NBigUint::from(2u8);
        let max = vec![u64::MAX; 4];
        let pat1 = vec![0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0x0f1e_2d3c_4b5a_6978, 0x1234_5678_9abc_def0];
        let pat2 = vec![0xdead_beef_cafe_babe, 0x0bad_f00d_1337_c0de, 0x5555_aaaa_5555_aaaa, 0x7fff_ffff_0000_0001];
        let small = |x: u64| vec![x, 0, 0, 0];
        let field_inputs = |q: &NBigUint| -> Vec<(Vec<u64>, Vec<u64>)> {
            vec![
                (small(2), small(3)),
                (pat1.clone(), pat2.clone()),
                (limbs4(&(q - &one)), limbs4(&(q - &two))),
                (max.clone(), small(2)),
                (max.clone(), max.clone()),
                (small(5), small(0)),
                (small(0), small(0)),
            ]
        };
        macro_rules! emit {
            ($t:ty, $op:expr, $m:expr, $inputs:expr) => {
                for (a, b) in $inputs {
                    writeln!(f, "{}\t{}\t{}\t{}", <$t as InlineOp>::NAME, hex(&a), hex(&b), out::<$t>($op, $m, &a, &b)).unwrap();
                }
            };
        }
        use jolt_inlines_secp256k1::sequence_builder as k1;
        use jolt_inlines_p256::sequence_builder as r1;
        use jolt_inlines_grumpkin::sequence_builder as gr;
        emit!(k1::Secp256k1MulQ, Op::Mul, &k1q, field_inputs(&k1q));
        emit!(k1::Secp256k1SquareQ, Op::Square, &k1q, field_inputs(&k1q));
        emit!(k1::Secp256k1DivQ, Op::Div, &k1q, field_inputs(&k1q));
        emit!(k1::Secp256k1MulR, Op::Mul, &k1r, field_inputs(&k1r));
        emit!(k1::Secp256k1SquareR, Op::Square, &k1r, field_inputs(&k1r));
        emit!(k1::Secp256k1DivR, Op::Div, &k1r, field_inputs(&k1r));
        emit!(r1::P256MulQ, Op::Mul, &r1q, field_inputs(&r1q));
        emit!(r1::P256SquareQ, Op::Square, &r1q, field_inputs(&r1q));
        emit!(r1::P256DivQ, Op::Div, &r1q, field_inputs(&r1q));
        emit!(r1::P256MulR, Op::Mul, &r1r, field_inputs(&r1r));
        emit!(r1::P256SquareR, Op::Square, &r1r, field_inputs(&r1r));
        emit!(r1::P256DivR, Op::Div, &r1r, field_inputs(&r1r));
        emit!(gr::GrumpkinDivQAdv, Op::Adv, &grq, field_inputs(&grq));
        emit!(gr::GrumpkinDivRAdv, Op::Adv, &grr, field_inputs(&grr));
        let scalars = |r: &NBigUint| -> Vec<(Vec<u64>, Vec<u64>)> {
            [small(0), small(1), limbs4(&(r - &one)), pat1.clone(), pat2.clone(), max.clone()]
                .into_iter().map(|k| (k, vec![])).collect()
        };
        emit!(k1::Secp256k1GlvrAdv, Op::Adv, &k1r, scalars(&k1r));
        emit!(gr::GrumpkinGlvrAdv, Op::Adv, &grr, scalars(&grr));
        // P-256's generator (SEC 2 §2.4.2), little-endian limbs x then y.
        let gx: Vec<u64> = vec![0xf4a13945d898c296, 0x77037d812deb33a0, 0xf8bce6e563a440f2, 0x6b17d1f2e12c4247];
        let gy: Vec<u64> = vec![0xcbb6406837bf51f5, 0x2bce33576b315ece, 0x8ee7eb4a7c0f9e16, 0x4fe342e2fe1a7f9b];
        let g: Vec<u64> = gx.iter().chain(gy.iter()).copied().collect();
        let mut off = g.clone();
        off[0] ^= 1;
        let glv_inputs = vec![
            (small(1), g.clone()),
            (small(2), g.clone()),
            (pat1.clone(), g.clone()),
            (limbs4(&(&r1r - &one)), g.clone()),
            (small(0), g.clone()),
            (pat2.clone(), off),
        ];
        emit!(r1::P256FakeGlvAdv, Op::Adv, &r1r, glv_inputs);
    }
}
