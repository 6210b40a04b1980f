//! RISC Zero's user-mode ecalls served directly: the SHA ecall on FIPS
//! 180-4's "abc", stdin reads, the journal, and the faults bad calls give.

use zkdbg_emulator::{Cpu, CustomKind, EcallResult, Memory, Xlen};
use zkdbg_platforms::risc0::{self, Risc0Device};

const BUF: u64 = 0x10_0000;

fn setup(stdin: &[u8]) -> (Risc0Device, Cpu, Memory) {
    let mut mem = Memory::new(Xlen::X32, 1 << 22);
    let d = Risc0Device::install(stdin.to_vec(), 0, [], &mut mem).unwrap();
    (d, Cpu::new(Xlen::X32, 0x20_0800), mem)
}

fn call(
    d: &mut Risc0Device,
    cpu: &mut Cpu,
    mem: &mut Memory,
    t0: u64,
    t6: u64,
    a: &[u64],
) -> EcallResult {
    cpu.x[5] = t0;
    cpu.x[31] = t6;
    for (i, v) in a.iter().enumerate() {
        cpu.x[10 + i] = *v;
    }
    d.serve(cpu, mem, &mut |_, _, _| Ok(()))
}

#[test]
fn sha_ecall_gives_fips_abc_in_big_endian_words() {
    let (mut d, mut cpu, mut mem) = setup(b"");
    let h0: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let state: Vec<u8> = h0.iter().flat_map(|w| w.to_be_bytes()).collect();
    mem.write_bytes(BUF, &state).unwrap();
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    mem.write_bytes(BUF + 0x100, &block).unwrap();
    // out = BUF + 0x40, in = BUF, block halves, one block.
    let r = call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SHA,
        0,
        &[BUF + 0x40, BUF, BUF + 0x100, BUF + 0x120, 1],
    );
    assert!(
        matches!(
            r,
            EcallResult::Done {
                kind: CustomKind::Precompile,
                ..
            }
        ),
        "{r:?}"
    );
    let out = mem.read_vec(BUF + 0x40, 32).unwrap();
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn stdin_journal_halt_and_bad_calls() {
    let (mut d, mut cpu, mut mem) = setup(b"hello");
    // SYS_READ(fd 0, 3 bytes) into BUF: a0 = bytes read.
    let r = call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SOFTWARE,
        12,
        &[BUF, 3, 0, 0, 3],
    );
    assert!(matches!(r, EcallResult::Done { .. }), "{r:?}");
    assert_eq!(cpu.x[10], 3);
    assert_eq!(mem.read_vec(BUF, 3).unwrap(), b"hel");
    call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SOFTWARE,
        12,
        &[BUF, 8, 0, 0, 8],
    );
    assert_eq!(cpu.x[10], 2, "a short read at the end of stdin");
    assert!(d.read_past_end);
    // SYS_WRITE(fd 3) appends to the journal.
    mem.write_bytes(BUF, b"jrnl").unwrap();
    call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SOFTWARE,
        16,
        &[0, 0, 0, 3, BUF, 4],
    );
    assert_eq!(d.journal(), b"jrnl");
    let r = call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SOFTWARE,
        16,
        &[0, 0, 0, 9, BUF, 4],
    );
    assert!(
        matches!(&r, EcallResult::Fault { message, .. } if message.contains("fd 9")),
        "{r:?}"
    );
    // HALT: exit code in bits 8..16 of a0.
    let r = call(&mut d, &mut cpu, &mut mem, risc0::HALT, 0, &[3 << 8, BUF]);
    assert_eq!(
        r,
        EcallResult::Halt {
            name: "HALT",
            code: 3
        }
    );
    let r = call(&mut d, &mut cpu, &mut mem, 4, 0, &[]);
    assert!(
        matches!(&r, EcallResult::Fault { name: "BIGINT", message, .. } if message.contains("not executed")),
        "{r:?}"
    );
    let r = call(&mut d, &mut cpu, &mut mem, 99, 0, &[]);
    assert!(
        matches!(&r, EcallResult::Fault { message, .. } if message.contains("not a RISC Zero ecall")),
        "{r:?}"
    );
    // A write longer than the memory left is refused before it is read.
    let r = call(
        &mut d,
        &mut cpu,
        &mut mem,
        risc0::SOFTWARE,
        16,
        &[0, 0, 0, 1, BUF, 0xffff_0000],
    );
    assert!(
        matches!(&r, EcallResult::Fault { message, .. } if message.contains("--memory-limit")),
        "{r:?}"
    );
}
