//! OpenVM's custom instructions piece by piece, against what its executor
//! does (openvm-circuit 2.0.2) and reference implementations of the
//! hashes: the hint stream's layout, HINT_STOREW/HINT_BUFFER limits,
//! REVEAL bounds, KECCAKF/XORIN/SHA256/SHA512, extension faults, the
//! decode table and the transpiler check.

use sha2::Digest;
use zkdbg_emulator::{AccessKind, Cpu, CustomKind, CustomResult, Insn, Memory, Xlen};
use zkdbg_platforms::openvm::{check_transpilable, decode, OpenVmDevice, OpenVmInsn};

/// An R-type custom instruction: opcode, funct3, funct7, rd, rs1, rs2.
fn r(opcode: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    opcode | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25
}

/// An I-type custom instruction: opcode, funct3, imm, rd, rs1.
fn i(opcode: u32, f3: u32, imm: i32, rd: u32, rs1: u32) -> u32 {
    opcode | rd << 7 | f3 << 12 | rs1 << 15 | ((imm as u32) << 20)
}

fn insn(word: u32) -> Insn {
    let d = zkdbg_emulator::decode(word, Xlen::X32);
    assert_eq!(d.op, zkdbg_emulator::Op::Custom, "{word:#x}");
    d
}

struct Vm {
    d: OpenVmDevice,
    cpu: Cpu,
    mem: Memory,
}

impl Vm {
    fn new(inputs: Vec<Vec<u8>>) -> Vm {
        let mut mem = Memory::new(Xlen::X32, 64 << 20);
        mem.set_guard(0);
        let d = OpenVmDevice::install(inputs, [(0x20_0800, 0x100)], &mut mem).unwrap();
        Vm {
            d,
            cpu: Cpu::new(Xlen::X32, 0x20_0800),
            mem,
        }
    }

    fn run(&mut self, word: u32) -> CustomResult {
        self.d
            .serve(&insn(word), 0x20_0800, &mut self.cpu, &mut self.mem)
    }

    fn ok(&mut self, word: u32) -> (Vec<zkdbg_emulator::MemAccess>, Option<(u32, Vec<u8>)>) {
        match self.run(word) {
            CustomResult::Done {
                accesses, output, ..
            } => (accesses, output),
            other => panic!("{word:#x}: {other:?}"),
        }
    }

    fn fault(&mut self, word: u32) -> String {
        match self.run(word) {
            CustomResult::Fault { message, .. } => message,
            other => panic!("{word:#x} should fault: {other:?}"),
        }
    }
}

const HINT_INPUT: u32 = 0x0000_300b; // phantom, imm 0
const A0: u32 = 10;
const A1: u32 = 11;
const A2: u32 = 12;

#[test]
fn hint_input_length_prefixes_and_pads_and_hint_words_drain_it() {
    let mut vm = Vm::new(vec![vec![1, 2, 3, 4, 5], vec![]]);
    vm.ok(HINT_INPUT);
    // length (5, LE) then the bytes padded to a word: 12 bytes.
    assert_eq!(vm.d.hint_len(), 12);
    vm.cpu.x[A0 as usize] = 0x1000;
    let hint_storew = i(0x0b, 1, 0, A0, 0);
    let (acc, _) = vm.ok(hint_storew);
    assert_eq!(vm.mem.read_vec(0x1000, 4).unwrap(), 5u32.to_le_bytes());
    assert_eq!(acc.len(), 1);
    assert_eq!(
        (acc[0].addr, acc[0].kind, acc[0].value),
        (0x1000, AccessKind::Write, 5)
    );
    // HINT_BUFFER rs1 = 2 words to rd.
    vm.cpu.x[A0 as usize] = 0x2000;
    vm.cpu.x[A1 as usize] = 2;
    let hint_buffer = i(0x0b, 1, 1, A0, A1);
    vm.ok(hint_buffer);
    assert_eq!(
        vm.mem.read_vec(0x2000, 8).unwrap(),
        [1, 2, 3, 4, 5, 0, 0, 0]
    );
    assert_eq!(vm.d.hint_len(), 0);
    // Empty stream: OpenVM fails the hint store.
    assert!(vm.fault(hint_storew).contains("holds 0 bytes"));
    // Limits: zero words, more than MAX_HINT_BUFFER_WORDS.
    vm.cpu.x[A1 as usize] = 0;
    assert!(vm.fault(hint_buffer).contains("zero"));
    vm.cpu.x[A1 as usize] = 1024;
    assert!(vm.fault(hint_buffer).contains("MAX_HINT_BUFFER_WORDS 1023"));
    // The second input is empty: just its length word; then the end.
    vm.ok(HINT_INPUT);
    assert_eq!(vm.d.hint_len(), 4);
    let m = vm.fault(HINT_INPUT);
    assert!(
        m.contains("EndOfInputStream") && m.contains("input 3 of 2"),
        "{m}"
    );
}

#[test]
fn reveal_fills_the_32_public_value_bytes_and_refuses_beyond() {
    let mut vm = Vm::new(vec![]);
    vm.cpu.x[A1 as usize] = 0xdead_beef;
    vm.cpu.x[A0 as usize] = 8;
    // reveal a1 -> public values at a0 + 4.
    vm.ok(i(0x0b, 2, 4, A0, A1));
    assert_eq!(&vm.d.public_values[12..16], &0xdead_beefu32.to_le_bytes());
    assert!(vm.d.public_values[..12].iter().all(|b| *b == 0));
    vm.cpu.x[A0 as usize] = 28;
    assert!(vm
        .fault(i(0x0b, 2, 4, A0, A1))
        .contains("num_public_values = 32"));
    // A negative immediate wraps below zero: refused too.
    vm.cpu.x[A0 as usize] = 0;
    assert!(vm
        .fault(i(0x0b, 2, -4, A0, A1))
        .contains("num_public_values"));
}

#[test]
fn print_str_prints_utf8_and_hint_random_is_seeded() {
    let mut vm = Vm::new(vec![]);
    vm.mem.write_bytes(0x3000, b"hi \xff").unwrap();
    vm.cpu.x[A0 as usize] = 0x3000;
    vm.cpu.x[A1 as usize] = 3;
    let print_str = i(0x0b, 3, 1, A0, A1);
    assert_eq!(vm.ok(print_str).1, Some((1, b"hi ".to_vec())));
    vm.cpu.x[A1 as usize] = 4;
    assert!(vm.fault(print_str).contains("UTF-8"));
    // HintRandom: rd words; the same seed (0) gives the same bytes.
    vm.cpu.x[A0 as usize] = 2;
    vm.ok(i(0x0b, 3, 2, A0, 0));
    assert_eq!(vm.d.hint_len(), 8);
    let mut other = Vm::new(vec![]);
    other.cpu.x[A0 as usize] = 2;
    other.ok(i(0x0b, 3, 2, A0, 0));
    vm.cpu.x[A2 as usize] = 0x4000;
    other.cpu.x[A2 as usize] = 0x4000;
    for v in [&mut vm, &mut other] {
        v.cpu.x[A1 as usize] = 2;
        v.ok(i(0x0b, 1, 1, A2, A1));
    }
    let a = vm.mem.read_vec(0x4000, 8).unwrap();
    assert_eq!(a, other.mem.read_vec(0x4000, 8).unwrap());
    assert_ne!(a, [0; 8], "random bytes, not zeros");
}

#[test]
fn hash_extensions_match_reference_implementations() {
    let mut vm = Vm::new(vec![]);
    // SHA256: state at a1, block at a2, result to a0.
    let iv: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let state: Vec<u8> = iv.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    vm.mem.write_bytes(0x5000, &state).unwrap();
    vm.mem.write_bytes(0x5100, &block).unwrap();
    vm.cpu.x[A0 as usize] = 0x5200;
    vm.cpu.x[A1 as usize] = 0x5000;
    vm.cpu.x[A2 as usize] = 0x5100;
    let (acc, _) = vm.ok(r(0x0b, 4, 2, A0, A1, A2));
    let out: Vec<u8> = vm
        .mem
        .read_vec(0x5200, 32)
        .unwrap()
        .chunks(4)
        .flat_map(|w| u32::from_le_bytes(w.try_into().unwrap()).to_be_bytes())
        .collect();
    assert_eq!(out, sha2::Sha256::digest(b"abc").as_slice());
    assert_eq!(
        acc.iter().filter(|a| a.kind == AccessKind::Write).count(),
        8
    );
    assert_eq!(
        acc.iter().filter(|a| a.kind == AccessKind::Read).count(),
        24
    );

    // SHA512 on "abc".
    let iv512: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let state: Vec<u8> = iv512.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut block = [0u8; 128];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[127] = 24;
    vm.mem.write_bytes(0x6000, &state).unwrap();
    vm.mem.write_bytes(0x6100, &block).unwrap();
    vm.cpu.x[A0 as usize] = 0x6200;
    vm.cpu.x[A1 as usize] = 0x6000;
    vm.cpu.x[A2 as usize] = 0x6100;
    vm.ok(r(0x0b, 4, 3, A0, A1, A2));
    let out: Vec<u8> = vm
        .mem
        .read_vec(0x6200, 64)
        .unwrap()
        .chunks(8)
        .flat_map(|w| u64::from_le_bytes(w.try_into().unwrap()).to_be_bytes())
        .collect();
    assert_eq!(out, sha2::Sha512::digest(b"abc").as_slice());

    // Keccak-256("abc") by XORIN of the padded block and KECCAKF.
    let mut padded = [0u8; 136];
    padded[..3].copy_from_slice(b"abc");
    padded[3] = 0x01;
    padded[135] |= 0x80;
    vm.mem.write_bytes(0x7000, &[0; 200]).unwrap();
    vm.mem.write_bytes(0x7100, &padded).unwrap();
    vm.cpu.x[A0 as usize] = 0x7000;
    vm.cpu.x[A1 as usize] = 0x7100;
    vm.cpu.x[A2 as usize] = 136;
    vm.ok(r(0x0b, 4, 1, A0, A1, A2));
    vm.ok(r(0x0b, 4, 0, A0, 0, 0));
    let digest = vm.mem.read_vec(0x7000, 32).unwrap();
    let mut k = tiny_keccak_reference(b"abc");
    k.truncate(32);
    assert_eq!(digest, k);
}

/// Keccak-256 by the `keccak` crate's permutation over a sponge written
/// here (independent of the XORIN path under test).
fn tiny_keccak_reference(msg: &[u8]) -> Vec<u8> {
    let mut lanes = [0u64; 25];
    let mut block = [0u8; 136];
    block[..msg.len()].copy_from_slice(msg);
    block[msg.len()] = 0x01;
    block[135] |= 0x80;
    for (l, c) in lanes.iter_mut().zip(block.chunks(8)) {
        *l ^= u64::from_le_bytes(c.try_into().unwrap());
    }
    keccak::f1600(&mut lanes);
    lanes.iter().flat_map(|l| l.to_le_bytes()).collect()
}

#[test]
fn keccak256_of_abc_is_the_published_digest() {
    // Keccak-256("abc"), as Ethereum tools print it.
    let d = tiny_keccak_reference(b"abc");
    let hex: String = d[..32].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
}

#[test]
fn other_extensions_and_bad_operands_fault_by_name() {
    let mut vm = Vm::new(vec![]);
    for (word, ext) in [
        (r(0x0b, 5, 0, A0, A1, A2), "bigint"),
        (r(0x2b, 0, 0, A0, A1, A2), "algebra"),
        (r(0x2b, 1, 0, A0, A1, A2), "ecc"),
        (r(0x2b, 3, 0, A0, A1, A2), "pairing"),
    ] {
        let m = vm.fault(word);
        assert!(m.contains(ext) && m.contains("not supported"), "{m}");
    }
    // KECCAKF on a state reaching past 2^29 bytes.
    vm.cpu.x[A0 as usize] = (1 << 29) - 100;
    assert!(vm.fault(r(0x0b, 4, 0, A0, 0, 0)).contains("2^29"));
    // TERMINATE halts with its immediate.
    assert_eq!(
        vm.run(i(0x0b, 0, 7, 0, 0)),
        CustomResult::Halt {
            name: "TERMINATE",
            code: 7
        }
    );
    // Not an OpenVM instruction (funct3 7 of custom-0).
    assert_eq!(vm.run(r(0x0b, 7, 0, 0, 0, 0)), CustomResult::Unknown);
}

#[test]
fn decode_names_and_kinds() {
    assert_eq!(decode(0x0000_300b), Some(OpenVmInsn::HintInput));
    assert_eq!(decode(i(0x0b, 0, 1, 0, 0)), Some(OpenVmInsn::Terminate(1)));
    assert_eq!(decode(i(0x0b, 0, 300, 0, 0)), None, "exit codes are bytes");
    assert_eq!(decode(i(0x0b, 3, 3, 0, 0)), None, "no phantom 3");
    assert_eq!(OpenVmInsn::Keccakf.kind(), CustomKind::Precompile);
    assert_eq!(OpenVmInsn::HintBuffer.kind(), CustomKind::Syscall);
    assert_eq!(
        zkdbg_platforms::openvm::disassemble(&insn(r(0x0b, 4, 2, A0, A1, A2))).as_deref(),
        Some("sha256 a0, a1, a2")
    );
}

#[test]
fn the_transpiler_check_rejects_what_openvm_rejects() {
    let words = |w: &[u32]| -> Vec<u8> { w.iter().flat_map(|x| x.to_le_bytes()).collect() };
    // addi, mul, ecall, csrrw x0, 0x300, x0, fence, terminate: all accepted.
    let ok = [
        0x0010_0513,
        0x02b5_0533,
        0x0000_0073,
        0x3000_1073,
        0x0ff0_000f,
        0x0000_000b,
    ];
    assert_eq!(check_transpilable(0x20_0800, &words(&ok)), Ok(()));
    // The ELF magic (a header inside the segment), an AMO, FENCE.I.
    for bad in [0x464c_457f, 0x0000_a02f, 0x0000_100f] {
        let e = check_transpilable(0x20_0800, &words(&[0x0010_0513, bad])).unwrap_err();
        assert!(
            e.contains("0x200804") && e.contains(&format!("{bad:#010x}")),
            "{e}"
        );
    }
}
