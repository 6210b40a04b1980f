//! Airbender's oracle CSR piece by piece: reads pop the oracle (0 once
//! empty), writes follow the UART protocol, unknown delegation CSRs are
//! refused, and the oracle parses as its CLI reads it; the BLAKE2s and
//! U256 delegations against the `blake2` crate and by hand.

use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{decode, Cpu, CustomResult, Memory, Xlen};
use zkdbg_platforms::airbender::{parse_oracle, AirbenderDevice, CsrAccess};

fn device(oracle: Vec<u32>) -> AirbenderDevice {
    let mut mem = Memory::new(Xlen::X32, 1 << 20);
    mem.set_guard(0);
    let d = AirbenderDevice::install(oracle, [(0, 0x100)], &mut mem).unwrap();
    assert_eq!(
        mem.perm(0),
        Some(Perm::RWX),
        "the program runs from address 0"
    );
    d
}

fn value(a: Option<CsrAccess>) -> (u64, Option<Vec<u8>>) {
    match a {
        Some(CsrAccess::Done(v, text)) => (v, text),
        Some(CsrAccess::Fault(m)) => panic!("fault: {m}"),
        None => panic!("not an Airbender CSR"),
    }
}

#[test]
fn reads_pop_the_oracle_and_writes_speak_uart() {
    let mut d = device(vec![7, 8]);
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 7, "rd != x0: a read");
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 8);
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 0, "empty: 0");
    // UART: u32::MAX, 1 + 2 words, 5 bytes, "hello" in two words.
    for w in [u32::MAX, 3, 5, u32::from_le_bytes(*b"hell")] {
        assert_eq!(value(d.csr(0x7c0, 0, w as u64, true)), (0, None));
    }
    let (_, text) = value(d.csr(0x7c0, 0, u32::from_le_bytes(*b"o\0\0\0") as u64, true));
    assert_eq!(text.as_deref(), Some(&b"hello"[..]));
    // The marker CSR does nothing; other CSRs are the hart's.
    assert_eq!(value(d.csr(0x7ff, 0, 1, true)), (0, None));
    assert!(d.csr(0x300, 10, 0, false).is_none());
    match d.csr(0x7c8, 0, 0, true) {
        Some(CsrAccess::Fault(m)) => assert!(m.contains("no delegation at CSR 0x7c8"), "{m}"),
        _ => panic!("an unknown delegation CSR is refused"),
    }
}

#[test]
fn the_oracle_parses_as_airbenders_cli_reads_it() {
    assert_eq!(parse_oracle("00000014 0000000a\n"), Ok(vec![20, 10]));
    assert_eq!(parse_oracle("0xdeadbeef"), Ok(vec![0xdeadbeef]));
    assert!(parse_oracle("0014").unwrap_err().contains("8 hex digits"));
    assert!(parse_oracle("0000001g")
        .unwrap_err()
        .contains("not a hex word"));
}

/// A device, its memory (1 MiB of RAM above the 2 MiB ROM boundary at
/// [`RAM`]) and a hart.
fn machine() -> (AirbenderDevice, Memory, Cpu) {
    let mut mem = Memory::new(Xlen::X32, 64 << 20);
    mem.set_guard(0);
    let d = AirbenderDevice::install(vec![], [(0, 0x100)], &mut mem).unwrap();
    (d, mem, Cpu::new(Xlen::X32, 0))
}

const RAM: u64 = 0x20_0000;

fn put(mem: &mut Memory, addr: u64, w: &[u32]) {
    let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    mem.write_user(addr, &b).unwrap();
}

fn get(mem: &Memory, addr: u64, n: usize) -> Vec<u32> {
    mem.read_vec(addr, 4 * n)
        .unwrap()
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// `csrrw x0, CSR, x0`: how Airbender's guests call a delegation.
fn call(d: &mut AirbenderDevice, mem: &mut Memory, cpu: &mut Cpu, csr: u32) -> CustomResult {
    let insn = decode(0x73 | 1 << 12 | csr << 20, Xlen::X32);
    d.delegate(&insn, 0, cpu, mem)
}

const IV: [u32; 8] = [
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
];

fn hex(b: &[u32]) -> Vec<u8> {
    b.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn blake2_delegation_rounds_give_blake2s_256() {
    use blake2::Digest;
    // Plain mode: BLAKE2s-256("abc"). The state starts as the configured
    // IV; the caller writes words 12 and 14 of the working vector (t = 3,
    // the final-block flag); ten rounds, the last one with LAST_ROUND.
    let (mut d, mut mem, mut cpu) = machine();
    let (state, input) = (RAM, RAM + 0x100);
    let mut h = IV;
    h[0] ^= 0x0101_0020;
    let mut v = [0u32; 16];
    v[12] = IV[4] ^ 3;
    v[14] = !IV[6];
    put(&mut mem, state, &[h.as_slice(), &v].concat());
    let mut block = [0u32; 16];
    block[0] = 0x636261;
    put(&mut mem, input, &block);
    cpu.x[10] = state;
    cpu.x[11] = input;
    for round in 0..10 {
        cpu.x[12] = 1 << round;
        cpu.x[13] = u64::from(round == 9); // LAST_ROUND
        match call(&mut d, &mut mem, &mut cpu, 0x7c7) {
            CustomResult::Done { name, .. } => {
                assert_eq!(name, "BLAKE2_ROUND_FUNCTION_WITH_EXTENDED_CONTROL")
            }
            r => panic!("{r:?}"),
        }
    }
    assert_eq!(
        hex(&get(&mem, state, 8)),
        blake2::Blake2s256::digest(b"abc").to_vec()
    );
    // Compression mode: the hash of the 64-byte node left || right, the
    // state being the left half (the right one with bit 1 set).
    let left: Vec<u32> = (0..8).map(|i| i * 0x0101_0101).collect();
    let right: Vec<u32> = (0..8).map(|i| !(i * 3)).collect();
    for right_node in [false, true] {
        put(&mut mem, state, &[left.as_slice(), &[0u32; 16]].concat());
        put(&mut mem, input, &[right.as_slice(), &[0u32; 8]].concat());
        for round in 0..10 {
            cpu.x[12] = 1 << round;
            cpu.x[13] = 4 | u64::from(right_node) << 1 | u64::from(round == 9);
            assert!(matches!(
                call(&mut d, &mut mem, &mut cpu, 0x7c7),
                CustomResult::Done { .. }
            ));
        }
        let msg = if right_node {
            [hex(&right), hex(&left)].concat()
        } else {
            [hex(&left), hex(&right)].concat()
        };
        assert_eq!(
            hex(&get(&mem, state, 8)),
            blake2::Blake2s256::digest(&msg).to_vec(),
            "right node: {right_node}"
        );
    }
    // Airbender's asserts are faults: a misaligned state, a round mask
    // with two bits, a non-zero written value.
    cpu.x[10] = state + 4;
    assert!(matches!(call(&mut d, &mut mem, &mut cpu, 0x7c7),
        CustomResult::Fault { message, .. } if message.contains("128-byte")));
    cpu.x[10] = state;
    cpu.x[12] = 3;
    assert!(matches!(call(&mut d, &mut mem, &mut cpu, 0x7c7),
        CustomResult::Fault { message, .. } if message.contains("one bit set")));
    cpu.x[12] = 1;
    cpu.x[5] = 7;
    let insn = decode(0x73 | 1 << 12 | 5 << 15 | 0x7c7 << 20, Xlen::X32);
    assert!(matches!(d.delegate(&insn, 0, &mut cpu, &mut mem),
        CustomResult::Fault { message, .. } if message.contains("must be 0")));
}

#[test]
fn u256_delegation_adds_subtracts_multiplies_compares_and_copies() {
    let (mut d, mut mem, mut cpu) = machine();
    let (a, b) = (RAM, RAM + 0x40);
    cpu.x[10] = a;
    cpu.x[11] = b;
    let max = [u32::MAX; 8];
    let one = [1, 0, 0, 0, 0, 0, 0, 0];
    let mut run = |av: &[u32], bv: &[u32], control: u64| -> (Vec<u32>, u64) {
        put(&mut mem, a, av);
        put(&mut mem, b, bv);
        cpu.x[12] = control;
        assert!(matches!(
            call(&mut d, &mut mem, &mut cpu, 0x7ca),
            CustomResult::Done {
                name: "U256_OPS_WITH_CONTROL",
                ..
            }
        ));
        (get(&mem, a, 8), cpu.x[12])
    };
    // (2^256 - 1) + 1 = 0, carry out; + 0 + carry in 1, the same.
    assert_eq!(run(&max, &one, 1), (vec![0; 8], 1));
    assert_eq!(run(&max, &[0; 8], 1 | 1 << 6), (vec![0; 8], 1));
    // 0 - 1: all ones, borrow; b - a with a = 1, b = 3: 2.
    assert_eq!(run(&[0; 8], &one, 2), (max.to_vec(), 1));
    assert_eq!(
        run(&one, &[3, 0, 0, 0, 0, 0, 0, 0], 4),
        (vec![2, 0, 0, 0, 0, 0, 0, 0], 0)
    );
    // (2^256 - 1)^2 = 2^512 - 2^257 + 1: low half 1 (overflowed), high
    // half 2^256 - 2.
    assert_eq!(run(&max, &max, 8), (one.to_vec(), 1));
    let mut high = max.to_vec();
    high[0] = u32::MAX - 1;
    assert_eq!(run(&max, &max, 16), (high, 0));
    // Equality leaves a; the copy with carry adds 1.
    assert_eq!(run(&one, &one, 32), (one.to_vec(), 1));
    assert_eq!(run(&one, &[0; 8], 32), (one.to_vec(), 0));
    assert_eq!(
        run(&[0; 8], &one, 128 | 64),
        (vec![2, 0, 0, 0, 0, 0, 0, 0], 0)
    );
    // Two operation bits: Airbender asserts.
    cpu.x[12] = 3;
    assert!(matches!(call(&mut d, &mut mem, &mut cpu, 0x7ca),
        CustomResult::Fault { message, .. } if message.contains("exactly one operation bit")));
}
