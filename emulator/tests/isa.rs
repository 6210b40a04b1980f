//! Instruction semantics, with the edge cases the RISC-V unprivileged spec
//! lists (M: division by zero and overflow; shifts; W-suffixed sign
//! extension; A: LR/SC reservation and AMO signedness; C: expansions run),
//! plus machine-mode traps, counters, faults and snapshots.

use std::sync::Arc;
use zkdbg_emulator::*;

const BASE: u64 = 0x8000_0000;

// --- a tiny assembler -----------------------------------------------------
fn r(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn i(imm: i32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn s(imm: i32, rs2: u32, rs1: u32, f3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23
}
fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}
fn lui(rd: u32, imm20: u32) -> u32 {
    imm20 << 12 | rd << 7 | 0x37
}
fn op(name: &str, rd: u32, rs1: u32, rs2: u32) -> u32 {
    let (f7, f3, opc) = match name {
        "add" => (0, 0, 0x33),
        "sub" => (0x20, 0, 0x33),
        "sll" => (0, 1, 0x33),
        "slt" => (0, 2, 0x33),
        "sltu" => (0, 3, 0x33),
        "srl" => (0, 5, 0x33),
        "sra" => (0x20, 5, 0x33),
        "mul" => (1, 0, 0x33),
        "mulh" => (1, 1, 0x33),
        "mulhsu" => (1, 2, 0x33),
        "mulhu" => (1, 3, 0x33),
        "div" => (1, 4, 0x33),
        "divu" => (1, 5, 0x33),
        "rem" => (1, 6, 0x33),
        "remu" => (1, 7, 0x33),
        "addw" => (0, 0, 0x3b),
        "subw" => (0x20, 0, 0x3b),
        "sllw" => (0, 1, 0x3b),
        "srlw" => (0, 5, 0x3b),
        "sraw" => (0x20, 5, 0x3b),
        "mulw" => (1, 0, 0x3b),
        "divw" => (1, 4, 0x3b),
        "divuw" => (1, 5, 0x3b),
        "remw" => (1, 6, 0x3b),
        "remuw" => (1, 7, 0x3b),
        _ => panic!("unknown op {name}"),
    };
    r(f7, rs2, rs1, f3, rd, opc)
}
fn amo(f5: u32, w: bool, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(f5 << 2, rs2, rs1, if w { 2 } else { 3 }, rd, 0x2f)
}
fn csrrw(rd: u32, csr: u32, rs1: u32) -> u32 {
    csr << 20 | rs1 << 15 | 1 << 12 | rd << 7 | 0x73
}
fn csrrs(rd: u32, csr: u32, rs1: u32) -> u32 {
    csr << 20 | rs1 << 15 | 2 << 12 | rd << 7 | 0x73
}
const ECALL: u32 = 0x73;
const EBREAK: u32 = 0x0010_0073;
const MRET: u32 = 0x3020_0073;
const HALT: u32 = 0x0000_006f; // j .

/// Runs `code` (32-bit words, then any 16-bit halfwords) until it halts.
fn run_words(xlen: Xlen, words: &[u32], setup: impl FnOnce(&mut Machine)) -> (Machine, StopReason) {
    let image: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    run_image(xlen, image, Config::default(), setup)
}

fn run_image(
    xlen: Xlen,
    image: Vec<u8>,
    config: Config,
    setup: impl FnOnce(&mut Machine),
) -> (Machine, StopReason) {
    let program = Arc::new(Program::flat(xlen, BASE, image, 0x4000));
    let mut m = Machine::new(program, config).unwrap();
    setup(&mut m);
    let stop = m.run(&mut NoSyscalls, &mut (), 10_000);
    (m, stop)
}

/// Sets registers, runs one R-type op, returns rd.
fn alu(xlen: Xlen, name: &str, a: u64, b: u64) -> u64 {
    let (m, stop) = run_words(xlen, &[op(name, 10, 11, 12), HALT], |m| {
        m.cpu.x[11] = a;
        m.cpu.x[12] = b;
    });
    assert_eq!(stop, StopReason::Halted);
    m.cpu.x[10]
}

#[test]
fn division_by_zero_and_overflow_rv64() {
    let x = Xlen::X64;
    assert_eq!(alu(x, "div", 7, 0), u64::MAX);
    assert_eq!(alu(x, "divu", 7, 0), u64::MAX);
    assert_eq!(alu(x, "rem", 7, 0), 7);
    assert_eq!(alu(x, "remu", 7, 0), 7);
    assert_eq!(
        alu(x, "div", i64::MIN as u64, -1i64 as u64),
        i64::MIN as u64
    );
    assert_eq!(alu(x, "rem", i64::MIN as u64, -1i64 as u64), 0);
    assert_eq!(alu(x, "div", -7i64 as u64, 2), -3i64 as u64);
    assert_eq!(alu(x, "rem", -7i64 as u64, 2), -1i64 as u64);
    assert_eq!(alu(x, "divw", 7, 0), u64::MAX);
    assert_eq!(alu(x, "divuw", 7, 0), u64::MAX);
    assert_eq!(alu(x, "remw", 0xffff_ffff_0000_0007, 0), 7);
    assert_eq!(alu(x, "remuw", 0x8000_0007, 0), 0xffff_ffff_8000_0007);
    assert_eq!(
        alu(x, "divw", i32::MIN as u32 as u64, -1i64 as u64),
        i32::MIN as i64 as u64
    );
    assert_eq!(alu(x, "remw", i32::MIN as u32 as u64, -1i64 as u64), 0);
}

#[test]
fn division_by_zero_and_overflow_rv32() {
    let x = Xlen::X32;
    assert_eq!(alu(x, "div", 7, 0), 0xffff_ffff);
    assert_eq!(alu(x, "divu", 7, 0), 0xffff_ffff);
    assert_eq!(alu(x, "rem", 7, 0), 7);
    assert_eq!(alu(x, "div", 0x8000_0000, 0xffff_ffff), 0x8000_0000);
    assert_eq!(alu(x, "rem", 0x8000_0000, 0xffff_ffff), 0);
    assert_eq!(
        alu(x, "div", (-7i32) as u32 as u64, 2),
        (-3i32) as u32 as u64
    );
}

#[test]
fn multiply_high_signedness() {
    let x = Xlen::X64;
    assert_eq!(alu(x, "mulh", -1i64 as u64, -1i64 as u64), 0);
    assert_eq!(alu(x, "mulhu", u64::MAX, u64::MAX), u64::MAX - 1);
    assert_eq!(alu(x, "mulhsu", -1i64 as u64, u64::MAX), u64::MAX);
    assert_eq!(alu(x, "mulw", 0x7fff_ffff, 2), 0xffff_ffff_ffff_fffe);
    let x = Xlen::X32;
    assert_eq!(alu(x, "mulh", 0xffff_ffff, 0xffff_ffff), 0);
    assert_eq!(alu(x, "mulhu", 0xffff_ffff, 0xffff_ffff), 0xffff_fffe);
    assert_eq!(alu(x, "mulhsu", 0xffff_ffff, 0xffff_ffff), 0xffff_ffff);
    assert_eq!(alu(x, "mul", 0x1_0000, 0x1_0000), 0);
}

#[test]
fn shifts_use_only_the_low_bits_of_the_amount() {
    let x = Xlen::X64;
    assert_eq!(alu(x, "sll", 1, 65), 2);
    assert_eq!(alu(x, "srl", 0x8000_0000_0000_0000, 63), 1);
    assert_eq!(alu(x, "sra", 0x8000_0000_0000_0000, 63), u64::MAX);
    assert_eq!(alu(x, "sllw", 1, 33), 2);
    assert_eq!(alu(x, "sllw", 1, 31), 0xffff_ffff_8000_0000);
    assert_eq!(alu(x, "srlw", 0xffff_ffff_8000_0000, 31), 1);
    assert_eq!(alu(x, "sraw", 0x8000_0000, 31), u64::MAX);
    let x = Xlen::X32;
    assert_eq!(alu(x, "sll", 1, 33), 2);
    assert_eq!(alu(x, "sra", 0x8000_0000, 31), 0xffff_ffff);
    assert_eq!(alu(x, "srl", 0x8000_0000, 31), 1);
}

#[test]
fn w_suffixed_results_are_sign_extended() {
    let x = Xlen::X64;
    assert_eq!(alu(x, "addw", 0x7fff_ffff, 1), 0xffff_ffff_8000_0000);
    assert_eq!(alu(x, "subw", 0, 1), u64::MAX);
    assert_eq!(alu(x, "addw", 0xffff_ffff_0000_0001, 0), 1);
    // addiw with 0 is sext.w
    let (m, _) = run_words(x, &[i(0, 11, 0, 10, 0x1b), HALT], |m| {
        m.cpu.x[11] = 0x1_8000_0000
    });
    assert_eq!(m.cpu.x[10], 0xffff_ffff_8000_0000);
}

#[test]
fn compares_and_x0() {
    let x = Xlen::X64;
    assert_eq!(alu(x, "slt", -1i64 as u64, 0), 1);
    assert_eq!(alu(x, "sltu", -1i64 as u64, 0), 0);
    assert_eq!(alu(Xlen::X32, "slt", 0xffff_ffff, 0), 1);
    let (m, _) = run_words(x, &[addi(0, 0, 5), op("add", 10, 0, 0), HALT], |_| {});
    assert_eq!((m.cpu.x[0], m.cpu.x[10]), (0, 0));
    // lui sign-extends on rv64
    let (m, _) = run_words(x, &[lui(10, 0x80000), HALT], |_| {});
    assert_eq!(m.cpu.x[10], 0xffff_ffff_8000_0000);
    let (m, _) = run_words(Xlen::X32, &[lui(10, 0x80000), HALT], |_| {});
    assert_eq!(m.cpu.x[10], 0x8000_0000);
}

#[test]
fn register_ops_writing_x0_leave_it_zero() {
    // Blocks run these with rd = x0 as no-ops, and their interpreter arms
    // do not restore x0 after writing rd: each must leave x0 = 0 (read back
    // by `add a0, x0, x0`).
    const R_OPS: [&str; 25] = [
        "add", "sub", "sll", "slt", "sltu", "srl", "sra", "mul", "mulh", "mulhsu", "mulhu", "div",
        "divu", "rem", "remu", "addw", "subw", "sllw", "srlw", "sraw", "mulw", "divw", "divuw",
        "remw", "remuw",
    ];
    let mut words: Vec<(u32, bool)> = R_OPS
        .iter()
        .map(|name| (op(name, 0, 11, 12), name.ends_with('w')))
        .collect();
    // addi slti sltiu xori ori andi, slli srli srai; addiw slliw srliw sraiw
    for f3 in [0, 2, 3, 4, 6, 7] {
        words.push((i(-3, 11, f3, 0, 0x13), false));
    }
    for (f3, hi) in [(1, 0), (5, 0), (5, 0x400)] {
        words.push((i(hi | 3, 11, f3, 0, 0x13), false));
        words.push((i(hi | 3, 11, f3, 0, 0x1b), true));
    }
    words.push((i(-3, 11, 0, 0, 0x1b), true));
    words.push((lui(0, 0x12345), false));
    words.push((0x12345 << 12 | 0x17, false)); // auipc x0
    for xlen in [Xlen::X64, Xlen::X32] {
        for &(w, rv64_only) in &words {
            if rv64_only && xlen == Xlen::X32 {
                continue;
            }
            let (m, stop) = run_words(xlen, &[w, op("add", 10, 0, 0), HALT], |m| {
                m.cpu.x[11] = 0x9abc_def1;
                m.cpu.x[12] = 3;
            });
            assert_eq!(stop, StopReason::Halted, "{xlen:?} {w:#010x}");
            assert_eq!((m.cpu.x[0], m.cpu.x[10]), (0, 0), "{xlen:?} {w:#010x}");
        }
    }
}

#[test]
fn loads_sign_and_zero_extend() {
    let data = BASE + 0x1000;
    let prog = [
        s(0, 11, 10, 3),    // sd a1, 0(a0)
        i(0, 10, 0, 12, 3), // lb a2, 0(a0)
        i(0, 10, 4, 13, 3), // lbu a3, 0(a0)
        i(0, 10, 1, 14, 3), // lh a4
        i(0, 10, 2, 15, 3), // lw a5
        i(0, 10, 6, 16, 3), // lwu a6
        HALT,
    ];
    let (m, stop) = run_words(Xlen::X64, &prog, |m| {
        m.cpu.x[10] = data;
        m.cpu.x[11] = 0x8877_6655_f3f2_f1f0;
    });
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(m.cpu.x[12], 0xffff_ffff_ffff_fff0);
    assert_eq!(m.cpu.x[13], 0xf0);
    assert_eq!(m.cpu.x[14], 0xffff_ffff_ffff_f1f0);
    assert_eq!(m.cpu.x[15], 0xffff_ffff_f3f2_f1f0);
    assert_eq!(m.cpu.x[16], 0xf3f2_f1f0);
}

#[test]
fn lr_sc_reservation() {
    let data = BASE + 0x1000;
    let prog = [
        amo(0x02, true, 12, 10, 0),  // lr.w a2, (a0)
        amo(0x03, true, 13, 10, 11), // sc.w a3, a1, (a0)   -> 0 (success)
        amo(0x03, true, 14, 10, 11), // sc.w a4, a1, (a0)   -> 1 (no reservation)
        i(0, 10, 2, 15, 3),          // lw a5, 0(a0)
        HALT,
    ];
    let (m, _) = run_words(Xlen::X64, &prog, |m| {
        m.cpu.x[10] = data;
        m.cpu.x[11] = 0x1234_5678;
    });
    assert_eq!((m.cpu.x[13], m.cpu.x[14], m.cpu.x[15]), (0, 1, 0x1234_5678));
}

#[test]
fn amo_min_max_signedness() {
    // For each AMO: memory holds -1 (w) and rs2 = 1.
    let cases: [(u32, u64); 4] = [
        (0x10, 0xffff_ffff),
        (0x14, 1),
        (0x18, 1),
        (0x1c, 0xffff_ffff),
    ]; // min, max, minu, maxu
    for (f5, expect_mem) in cases {
        let data = BASE + 0x1000;
        let prog = [
            s(0, 12, 10, 2),
            amo(f5, true, 13, 10, 11),
            i(0, 10, 6, 14, 3),
            HALT,
        ];
        let (m, stop) = run_words(Xlen::X64, &prog, |m| {
            m.cpu.x[10] = data;
            m.cpu.x[11] = 1;
            m.cpu.x[12] = 0xffff_ffff;
        });
        assert_eq!(stop, StopReason::Halted);
        assert_eq!(
            m.cpu.x[13],
            u64::MAX,
            "amo returns the old value sign-extended (f5 {f5:#x})"
        );
        assert_eq!(m.cpu.x[14], expect_mem, "memory after f5 {f5:#x}");
    }
    // 64-bit amomin.d / amomaxu.d
    let data = BASE + 0x1000;
    let prog = [
        s(0, 12, 10, 3),
        amo(0x10, false, 13, 10, 11),
        i(0, 10, 3, 14, 3),
        HALT,
    ];
    let (m, _) = run_words(Xlen::X64, &prog, |m| {
        m.cpu.x[10] = data;
        m.cpu.x[11] = 5;
        m.cpu.x[12] = -3i64 as u64;
    });
    assert_eq!(m.cpu.x[14], -3i64 as u64);
}

#[test]
fn misaligned_access_policy() {
    let data = BASE + 0x1001;
    let prog = [i(0, 10, 2, 11, 3), HALT]; // lw a1, 0(a0)
    let (m, stop) = run_words(Xlen::X64, &prog, |m| m.cpu.x[10] = data);
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(m.cpu.x[11], 0);
    let image: Vec<u8> = prog.iter().flat_map(|w| w.to_le_bytes()).collect();
    let strict = Config {
        strict_align: true,
        ..Config::default()
    };
    let (_, stop) = run_image(Xlen::X64, image, strict, |m| m.cpu.x[10] = data);
    match stop {
        StopReason::Fault(f) => assert_eq!(
            (f.kind, f.pc, f.addr),
            (FaultKind::LoadMisaligned, BASE, Some(data))
        ),
        other => panic!("expected a fault, got {other:?}"),
    }
    // AMOs fault on misalignment whatever the policy
    let (_, stop) = run_words(Xlen::X64, &[amo(0x00, true, 11, 10, 0), HALT], |m| {
        m.cpu.x[10] = data
    });
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::StoreMisaligned,
            ..
        })
    ));
}

#[test]
fn compressed_instructions_execute() {
    // c.li a0, 5 ; c.addi a0, -1 ; c.mv a1, a0 ; c.add a1, a0 ; c.slli a1, 2 ; c.j .
    let halves: [u16; 6] = [0x4515, 0x157d, 0x85aa, 0x95aa, 0x058a, 0xa001];
    let image: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
    for xlen in [Xlen::X32, Xlen::X64] {
        let (m, stop) = run_image(xlen, image.clone(), Config::default(), |_| {});
        assert_eq!(stop, StopReason::Halted);
        assert_eq!((m.cpu.x[10], m.cpu.x[11]), (4, 32));
        assert_eq!(m.cpu.pc, BASE + 10);
        assert_eq!(m.cpu.instret, 6);
    }
}

#[test]
fn ecall_traps_to_mtvec_and_mret_returns() {
    let handler_off = 0x40u64;
    let mut words = vec![0x13u32; 32];
    words[0] = csrrw(0, 0x305, 10); // csrw mtvec, a0
    words[1] = addi(17, 0, 64); // li a7, 64
    words[2] = ECALL;
    words[3] = HALT;
    let h = (handler_off / 4) as usize;
    words[h] = csrrs(11, 0x341, 0); // csrr a1, mepc
    words[h + 1] = csrrs(12, 0x342, 0); // csrr a2, mcause
    words[h + 2] = addi(11, 11, 4);
    words[h + 3] = csrrw(0, 0x341, 11); // csrw mepc, a1
    words[h + 4] = MRET;
    let (m, stop) = run_words(Xlen::X64, &words, |m| m.cpu.x[10] = BASE + handler_off);
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(m.cpu.x[12], 11, "mcause of an M-mode ecall");
    assert_eq!(m.cpu.x[11], BASE + 12, "mepc + 4");
    assert_eq!(m.cpu.pc, BASE + 12);
}

#[test]
fn counters_and_identity_csrs() {
    let prog = [
        addi(0, 0, 0),
        csrrs(10, 0xc00, 0),
        csrrs(11, 0xc02, 0),
        csrrs(12, 0x301, 0),
        csrrs(13, 0xf14, 0),
        HALT,
    ];
    let (m, _) = run_words(Xlen::X64, &prog, |_| {});
    assert_eq!(
        (m.cpu.x[10], m.cpu.x[11]),
        (1, 2),
        "rdcycle/rdinstret count retired instructions before them"
    );
    assert_eq!(m.cpu.x[12] >> 62, 2, "misa.MXL = 64");
    assert_eq!(
        m.cpu.x[12] & (1 << 12 | 1 << 8 | 1 << 2 | 1),
        1 << 12 | 1 << 8 | 1 << 2 | 1,
        "IMAC"
    );
    assert_eq!(m.cpu.x[13], 0, "mhartid");
    // writing a read-only CSR is illegal
    let (_, stop) = run_words(Xlen::X64, &[csrrw(0, 0xc00, 10), HALT], |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::IllegalInstruction,
            ..
        })
    ));
    // an unknown CSR is illegal
    let (_, stop) = run_words(Xlen::X64, &[csrrs(10, 0x7c0, 0), HALT], |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::IllegalInstruction,
            ..
        })
    ));
}

#[test]
fn faults_are_reported_not_panics() {
    let (_, stop) = run_words(Xlen::X64, &[EBREAK], |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::Breakpoint,
            pc: BASE,
            ..
        })
    ));
    let (_, stop) = run_words(Xlen::X64, &[0xffff_ffff], |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::IllegalInstruction,
            pc: BASE,
            ..
        })
    ));
    // jump into unmapped memory: instruction access fault
    let (_, stop) = run_words(Xlen::X64, &[i(0, 10, 0, 0, 0x67)], |m| {
        m.cpu.x[10] = 0x1234_0000
    });
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::InstructionAccess,
            pc: 0x1234_0000,
            ..
        })
    ));
    // null store: store access fault in the guard page
    let (_, stop) = run_words(Xlen::X64, &[s(8, 10, 0, 3), HALT], |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::StoreAccess,
            addr: Some(8),
            ..
        })
    ));
    // cycle limit
    let image: Vec<u8> = [addi(10, 10, 1), 0xffdf_f06f]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect(); // loop: addi; j -4
    let cfg = Config {
        max_cycles: Some(1000),
        ..Config::default()
    };
    let (m, stop) = run_image(Xlen::X64, image, cfg, |_| {});
    assert!(matches!(
        stop,
        StopReason::Fault(Fault {
            kind: FaultKind::CycleLimit,
            ..
        })
    ));
    assert_eq!(m.cpu.cycle, 1000);
}

#[test]
fn self_modifying_code_is_seen() {
    // sw a1, 8(a0) overwrites the instruction at BASE+8 (a nop) with `addi a2, x0, 42`
    let prog = [
        s(8, 11, 10, 2),
        0x0000_100f, /* fence.i */
        addi(0, 0, 0),
        HALT,
    ];
    let (m, stop) = run_words(Xlen::X64, &prog, |m| {
        m.cpu.x[10] = BASE;
        m.cpu.x[11] = addi(12, 0, 42) as u64;
    });
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(m.cpu.x[12], 42);
}

#[test]
fn blocks_see_code_writes_and_stop_on_budget() {
    // No fence.i: the store rewrites the very next instruction of the same
    // straight-line block (a nop becomes `addi a2, x0, 42`), as the
    // interpreter has always honoured code writes at once.
    let prog = [s(4, 11, 10, 2), addi(0, 0, 0), addi(13, 0, 7), HALT];
    let (m, stop) = run_words(Xlen::X64, &prog, |m| {
        m.cpu.x[10] = BASE;
        m.cpu.x[11] = addi(12, 0, 42) as u64;
    });
    assert_eq!(stop, StopReason::Halted);
    assert_eq!((m.cpu.x[12], m.cpu.x[13]), (42, 7));

    // A step budget ends a run inside a block, with exact pc and counters,
    // and the next run goes on from there.
    let prog = [addi(10, 0, 1), addi(11, 0, 2), addi(12, 0, 3), HALT];
    let image: Vec<u8> = prog.iter().flat_map(|w| w.to_le_bytes()).collect();
    let program = Arc::new(Program::flat(Xlen::X64, BASE, image, 0x4000));
    let mut m = Machine::new(program, Config::default()).unwrap();
    assert_eq!(m.run(&mut NoSyscalls, &mut (), 2), StopReason::StepLimit);
    assert_eq!((m.cpu.pc, m.cpu.instret, m.cpu.cycle), (BASE + 8, 2, 2));
    assert_eq!((m.cpu.x[11], m.cpu.x[12]), (2, 0));
    // a debugger rewrites code between runs: `addi a2, x0, 3` becomes 9
    m.mem
        .write_bytes(BASE + 8, &addi(12, 0, 9).to_le_bytes())
        .unwrap();
    assert_eq!(m.run(&mut NoSyscalls, &mut (), 100), StopReason::Halted);
    assert_eq!((m.cpu.x[12], m.cpu.instret), (9, 4));
}

#[test]
fn snapshot_and_restore() {
    let image: Vec<u8> = [addi(10, 10, 1), s(0, 10, 11, 3), 0xff9f_f06f]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let program = Arc::new(Program::flat(Xlen::X64, BASE, image, 0x4000));
    let mut m = Machine::new(program, Config::default()).unwrap();
    m.cpu.x[11] = BASE + 0x1000;
    m.run(&mut NoSyscalls, &mut (), 30);
    let snap = m.snapshot();
    let (regs, mem) = (m.cpu.clone(), m.mem.load(BASE + 0x1000, 8));
    m.run(&mut NoSyscalls, &mut (), 300);
    assert_ne!(m.cpu, regs);
    m.restore(&snap);
    assert_eq!(m.cpu, regs);
    assert_eq!(m.mem.load(BASE + 0x1000, 8), mem);
    // the same steps from the snapshot give the same state (deterministic replay)
    m.run(&mut NoSyscalls, &mut (), 300);
    let a = m.cpu.clone();
    m.restore(&snap);
    m.run(&mut NoSyscalls, &mut (), 300);
    assert_eq!(m.cpu, a);
}

#[test]
fn observer_sees_calls_returns_and_memory() {
    // jal ra, +8 ; j . ; (callee) sd a0,0(a1) ; ret
    let prog = [0x0080_00ef, HALT, s(0, 10, 11, 3), 0x0000_8067];
    let image: Vec<u8> = prog.iter().flat_map(|w| w.to_le_bytes()).collect();
    let program = Arc::new(Program::flat(Xlen::X64, BASE, image, 0x4000));
    let mut m = Machine::new(program, Config::default()).unwrap();
    m.cpu.x[11] = BASE + 0x1000;
    let mut obs = CountingObserver::default();
    let stop = m.run(&mut NoSyscalls, &mut obs, 100);
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(
        (obs.retired, obs.calls, obs.returns, obs.writes, obs.reads),
        (4, 1, 1, 1, 0)
    );
    assert_eq!(obs.cycles, m.cpu.cycle);
}

/// Records what Jolt host calls print and the syscalls it is asked to serve.
#[derive(Default)]
struct Recorder {
    printed: Vec<u8>,
    syscalls: Vec<u64>,
}

impl Environment for Recorder {
    fn syscall(&mut self, req: &SyscallRequest, _mem: &mut Memory) -> SyscallResult {
        self.syscalls.push(req.nr);
        if req.nr == 93 {
            SyscallResult::Exit(req.args[0] as i32)
        } else {
            SyscallResult::Return(0)
        }
    }
    fn host_print(&mut self, text: &[u8], newline: bool) {
        self.printed.extend_from_slice(text);
        if newline {
            self.printed.push(b'\n');
        }
    }
}

#[derive(Default)]
struct Markers(Vec<(String, bool, u64)>);

impl Observer for Markers {
    fn host_call(&mut self, _cpu: &Cpu, call: &HostCall) {
        if let HostCall::CycleMarker {
            label,
            start,
            cycle,
        } = call
        {
            self.0.push((label.clone(), *start, *cycle));
        }
    }
}

#[test]
fn jolt_host_io_prints_and_marks_spans() {
    let text = BASE + 0x800;
    let host_io = 0x0000_205b; // .insn i 0x5B, 2, x0, x0, 0
    let words = [
        lui(10, 0x505),      // a0 = 0x505000
        addi(10, 10, 0x249), // a0 = 0x505249 (print)
        addi(13, 0, 2),      // a3 = 2 (line)
        host_io,
        lui(10, 0xc8),        // a0 = 0xc8000
        addi(10, 10, -0x3e2), // a0 = 0xc7c1e (cycle marker)
        addi(13, 0, 1),       // start
        host_io,
        addi(13, 0, 2), // end, by ecall with a7 = 0
        addi(17, 0, 0),
        ECALL,
        addi(10, 0, 3), // exit(3)
        addi(17, 0, 93),
        ECALL,
    ];
    let mut image: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    image.resize(0x800, 0);
    image.extend_from_slice(b"span");
    let program = Arc::new(Program::flat(Xlen::X64, BASE, image, 0x4000));
    let mut m = Machine::new(program, Config::default()).unwrap();
    m.cpu.x[11] = text;
    m.cpu.x[12] = 4;
    let mut env = Recorder::default();
    let mut obs = Markers::default();
    let stop = m.run(&mut env, &mut obs, 100);
    assert_eq!(stop, StopReason::Exited(3));
    assert_eq!(env.printed, b"span\n");
    assert_eq!(
        env.syscalls,
        vec![93],
        "host calls by ecall a7=0 are not syscalls"
    );
    assert_eq!(
        obs.0,
        vec![
            ("span".to_string(), true, 7),
            ("span".to_string(), false, 10)
        ]
    );
    assert_eq!(
        m.cpu.cycle,
        m.cpu.instret + Config::default().syscall_cycles,
        "only the exit syscall is charged"
    );
}
