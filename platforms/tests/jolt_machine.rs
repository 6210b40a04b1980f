//! Jolt's platform on hand-assembled programs: cycles counted by hand from
//! Jolt's expansion lengths, the virtual instructions' semantics, the
//! inlines against published vectors, and the faults a bad instruction
//! gives.

use std::sync::Arc;
use zeroos::{OsConfig, Output, ZeroOs};
use zkdbg_emulator::{Config, FaultKind, Machine, Program, StopReason, Xlen};
use zkdbg_platforms::jolt::{JoltDevice, JoltInputs, MemoryConfig, MemoryLayout};
use zkdbg_platforms::{Device, Platform, PlatformOs};

const BASE: u64 = 0x8000_0000;

/// A Jolt machine running `words` at [`BASE`] (an 8 KiB read-write-execute
/// segment), with Jolt's default I/O region.
fn jolt(words: &[u32], inputs: &JoltInputs) -> (Machine, PlatformOs) {
    let image: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let program = Arc::new(Program::flat(Xlen::X64, BASE, image, 0x2000));
    let config = Config {
        cost: Platform::Jolt.cost_model(),
        ..Config::default()
    };
    let mut m = Machine::new(program.clone(), config).unwrap();
    let mut c = MemoryConfig::with_program_size(0x2000);
    c.heap_size = 0x1000;
    let layout = MemoryLayout::new(&c).unwrap();
    let device = JoltDevice::install(layout, inputs, &mut m.mem).unwrap();
    let zeroos = ZeroOs::new(
        &program,
        OsConfig {
            output: Output::Capture,
            ..OsConfig::default()
        },
    );
    (
        m,
        PlatformOs {
            zeroos,
            device: Device::Jolt(device),
        },
    )
}

/// `auipc sp, 0; addi sp, sp, 256`: sp = BASE + 256 (a data area).
const SP_DATA: [u32; 2] = [0x0000_0117, 0x1001_0113];
/// `j .`
const HALT: u32 = 0x0000_006f;

#[test]
fn cycles_are_jolt_expansion_lengths_summed_by_hand() {
    let words = [
        SP_DATA[0],  // auipc             1
        SP_DATA[1],  // addi              1
        0x0001_0503, // lb a0, 0(sp)      8
        0x00a1_2423, // sw a0, 8(sp)     15
        0x02a5_45b3, // div a1, a0, a0   24
        0x02a5_4033, // div zero, a0, a0  1 (rd = x0: one no-op row)
        0x3050_2673, // csrr a2, mtvec    1
        0x0401_0693, // addi a3, sp, 64   1
        0x00d1_100b, // SHA256_INIT_INLINE sp, a3   2260
        HALT,        // j .               1
    ];
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    let stop = m.run(&mut os, &mut (), 1000);
    assert_eq!(stop, StopReason::Halted);
    assert_eq!(m.cpu.instret, 10);
    assert_eq!(m.cpu.cycle, 1 + 1 + 8 + 15 + 24 + 1 + 1 + 1 + 2260 + 1);
    // The block above, cut by the cycle limit: it stops before the first
    // instruction that would start at or after the limit (div starts at
    // cycle 25 < 26, the next one at 49).
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    m.config.max_cycles = Some(26);
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 1000) else {
        panic!("no cycle-limit fault")
    };
    assert_eq!(
        (f.kind, f.pc, m.cpu.instret, m.cpu.cycle),
        (FaultKind::CycleLimit, BASE + 20, 5, 49)
    );
}

#[test]
fn sha256_init_inline_gives_the_fips_180_4_digest_of_abc() {
    // The padded one-block message "abc" (FIPS 180-4, example B.1) at
    // sp + 64, written by the test; the state comes out at sp.
    let words = [SP_DATA[0], SP_DATA[1], 0x0401_0693, 0x00d1_100b, HALT];
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    m.mem.write_bytes(BASE + 256 + 64, &block).unwrap();
    assert_eq!(m.run(&mut os, &mut (), 100), StopReason::Halted);
    let state = m.mem.read_vec(BASE + 256, 32).unwrap();
    let digest: Vec<u8> = state
        .chunks(4)
        .flat_map(|w| [w[3], w[2], w[1], w[0]])
        .collect();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn keccak_f_inline_matches_the_keccak_team_zero_state_vector() {
    // Keccak-f[1600] of the all-zero state: first lane 0xF1258F7940E1DDE7
    // (Keccak team's KeccakF-1600-IntermediateValues.txt).
    let words = [SP_DATA[0], SP_DATA[1], 0x0201_000b, HALT];
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    assert_eq!(m.run(&mut os, &mut (), 100), StopReason::Halted);
    assert_eq!(m.mem.load(BASE + 256, 8), Some(0xF125_8F79_40E1_DDE7));
    assert_eq!(m.mem.load(BASE + 256 + 8, 8), Some(0x84D5_CCF9_33C0_478A));
    assert_eq!(m.cpu.cycle, 1 + 1 + 3260 + 1);
}

#[test]
fn bigint_mul_inline_multiplies_256_bit_numbers() {
    // a = 2^256 - 1 at sp, b = 2^256 - 1 at sp + 32, product to a2 = sp + 64:
    // (2^256 - 1)^2 = 2^512 - 2^257 + 1.
    let words = [
        SP_DATA[0],
        SP_DATA[1],
        0x0201_0593, // addi a1, sp, 32
        0x0401_0613, // addi a2, sp, 64
        0x08b1_060b, // BIGINT256_MUL_INLINE rs1=sp, rs2=a1, rd=a2
        HALT,
    ];
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    m.mem.write_bytes(BASE + 256, &[0xff; 64]).unwrap();
    assert_eq!(m.run(&mut os, &mut (), 100), StopReason::Halted);
    let limbs: Vec<u64> = (0..8)
        .map(|i| m.mem.load(BASE + 256 + 64 + 8 * i, 8).unwrap())
        .collect();
    assert_eq!(
        limbs,
        [1, 0, 0, 0, u64::MAX - 1, u64::MAX, u64::MAX, u64::MAX]
    );
}

#[test]
fn advice_tape_rev8w_and_assert() {
    let words = [
        SP_DATA[0],
        SP_DATA[1],
        0x0000_1537, // lui a0, 0x1
        0x2345_051b, // addiw a0, a0, 0x234   (a0 = 0x1234)
        0x00a1_3023, // sd a0, 0(sp)
        0x00ad_c537, // lui a0, 0xadc
        0xabe5_051b, // addiw a0, a0, -1346   (a0 = 0xADBABE)
        0x0001_0593, // mv a1, sp
        0x0080_0613, // li a2, 8
        0x0000_205b, // VirtualHostIO: advice write of 8 bytes at sp
        0x0800_08db, // VirtualAdviceLen a7       -> 8
        0x0600_085b, // AdviceLD a6               -> 0x1234
        0x0a08_0e5b, // VirtualRev8W t3, a6       -> 0x34120000
        0x0110_105b, // VirtualAssertEQ zero, a7? (rs1 = zero, rs2 = a7): fails
        HALT,
    ];
    let (mut m, mut os) = jolt(&words, &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!("the assertion did not fail")
    };
    assert_eq!(m.cpu.x[16], 0x1234, "AdviceLD");
    assert_eq!(m.cpu.x[28], 0x3412_0000, "VirtualRev8W");
    assert_eq!(f.kind, FaultKind::Platform);
    let msg = f.message.unwrap();
    assert!(
        msg.contains("VirtualAssertEQ") && msg.contains("0x0 != a7 = 0x8"),
        "{msg}"
    );
    // The advice tape is now empty: another AdviceLD faults, naming it.
    let (mut m, mut os) = jolt(&[0x0600_085b, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!("an empty advice tape was read")
    };
    assert!(f
        .message
        .unwrap()
        .contains("AdviceLD: advice tape exhausted"));
    // A tape given up front is read in order.
    let inputs = JoltInputs {
        advice_tape: vec![0xfe, 1, 2],
        ..JoltInputs::default()
    };
    let (mut m, mut os) = jolt(&[0x0000_085b, 0x0200_08db, HALT], &inputs);
    assert_eq!(m.run(&mut os, &mut (), 100), StopReason::Halted);
    assert_eq!(
        (m.cpu.x[16] as i64, m.cpu.x[17]),
        (-2, 0x0201),
        "AdviceLB sign-extends"
    );
}

#[test]
fn unknown_and_unsupported_custom_instructions_fault_by_name() {
    // An external inline (0x2B) Jolt's own crates do not define.
    let (mut m, mut os) = jolt(&[0x00f7_002b, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert_eq!(f.kind, FaultKind::IllegalInstruction);
    // A Jolt inline zkdbg does not execute (secp256k1 MULQ: funct7 5).
    let (mut m, mut os) = jolt(&[0x0a00_000b, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert_eq!(f.kind, FaultKind::Platform);
    assert!(f.message.unwrap().starts_with("SECP256K1_MULQ: "));
    // A misaligned operand of an inline.
    // addi sp, sp, 257; KECCAK256_INLINE sp
    let (mut m, mut os) = jolt(
        &[SP_DATA[0], 0x1011_0113, 0x0201_000b, HALT],
        &JoltInputs::default(),
    );
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert!(f.message.unwrap().contains("not 8-byte aligned"));
    // Host syscalls do not exist on Jolt: an ecall without a trap handler.
    let (mut m, mut os) = jolt(&[0x0000_0073, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert_eq!(f.kind, FaultKind::Platform);
    assert!(f.message.unwrap().contains("mtvec = 0"));
}

#[test]
fn inputs_are_placed_and_checked_against_their_regions() {
    let inputs = JoltInputs {
        input: b"in".to_vec(),
        untrusted_advice: b"ua".to_vec(),
        ..JoltInputs::default()
    };
    let (m, os) = jolt(&[HALT], &inputs);
    let Device::Jolt(d) = &os.device else {
        panic!()
    };
    assert_eq!(m.mem.read_vec(d.layout.input.0, 2).unwrap(), b"in");
    assert_eq!(
        m.mem.read_vec(d.layout.untrusted_advice.0, 2).unwrap(),
        b"ua"
    );
    // read-only for the guest
    assert!(m
        .mem
        .check(d.layout.input.0, 1, zkdbg_emulator::memory::Perm::W)
        .is_err());
    let mut mem = zkdbg_emulator::Memory::new(Xlen::X64, 1 << 26);
    let layout = MemoryLayout::new(&MemoryConfig::with_program_size(0)).unwrap();
    let big = JoltInputs {
        input: vec![0; 4097],
        ..JoltInputs::default()
    };
    let err = JoltDevice::install(layout, &big, &mut mem).unwrap_err();
    assert!(err
        .to_string()
        .contains("input is 4097 bytes, larger than its region (4096 bytes"));
    // 32 MiB of heap is demand-zero: it installs under a 16 MiB limit and
    // holds only the I/O pages until the guest touches the heap.
    let mut small = zkdbg_emulator::Memory::new(Xlen::X64, 16 << 20);
    JoltDevice::install(layout, &JoltInputs::default(), &mut small).unwrap();
    assert!(small.mapped_bytes() <= 8 * 4096, "{}", small.mapped_bytes());
    assert!(small.is_demand_zero(layout.heap_end - 8));
    // An I/O region larger than the limit is an error, not a panic.
    let mut tiny = zkdbg_emulator::Memory::new(Xlen::X64, 8192);
    let err = JoltDevice::install(layout, &JoltInputs::default(), &mut tiny).unwrap_err();
    assert!(err.to_string().contains("memory limit"), "{err}");
}

#[test]
fn csrs_jolt_does_not_prove_are_refused_by_name() {
    // rdcycle a0 (csrrs a0, cycle, zero): not a CSR Jolt has.
    let (mut m, mut os) = jolt(&[0xc000_2573, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert_eq!(f.kind, FaultKind::Platform);
    assert!(f
        .message
        .unwrap()
        .contains("Jolt does not support CSR cycle"));
    // csrrc on mstatus: not an instruction Jolt has.
    let (mut m, mut os) = jolt(&[0x3000_3073, HALT], &JoltInputs::default());
    let StopReason::Fault(f) = m.run(&mut os, &mut (), 100) else {
        panic!()
    };
    assert!(f.message.unwrap().contains("Jolt has no csrrc"));
    // csrw mtvec / csrr mepc run.
    let (mut m, mut os) = jolt(&[0x3050_9073, 0x3410_2573, HALT], &JoltInputs::default());
    assert_eq!(m.run(&mut os, &mut (), 100), StopReason::Halted);
}
