//! A Rust guest written to Jolt's conventions that uses Jolt's BLAKE2,
//! BLAKE3 and secp256k1 inlines (`.insn`, with the operands the
//! `jolt-inlines/{blake2,blake3,secp256k1}` SDKs pass; a16z/jolt @ff9f8c134).
//!
//! The provable function: `digest_and_invert(msg: &[u8]) -> (...)`:
//! BLAKE2b-512 of `msg` (`BLAKE2_INLINE`, one call per 128-byte block),
//! BLAKE3 of `msg` (`BLAKE3_INLINE`, one chunk: at most 1024 bytes), the
//! inverse of x = the BLAKE3 digest as a little-endian number in
//! secp256k1's base field (`SECP256K1_DIVQ` of 1 by x, checked with
//! `SECP256K1_MULQ`), and the GLV decomposition of k = the first half of
//! the BLAKE2b digest (`SECP256K1_GLVR_ADV`). An empty message, or one
//! longer than a BLAKE3 chunk, panics.
//!
//! Boot and I/O as in `jolt-hash` (postcard input and output regions of
//! Jolt's default MemoryConfig, the panic and termination words), without
//! a trap handler: messages go out by `VirtualHostIO` print.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::fmt::Write;

const INPUT_START: usize = 0x7fff_a000;
const MAX_INPUT: usize = 4096;
const OUTPUT_START: usize = 0x7fff_b000;
const MAX_OUTPUT: usize = 4096;
const PANIC: usize = 0x7fff_c000;
const TERMINATION: usize = 0x7fff_c008;
const JOLT_PRINT: usize = 0x50_5249;

global_asm!(
    ".section .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "la sp, __stack_top",
    "la t0, __bss_start",
    "la t1, __bss_end",
    "1: bgeu t0, t1, 2f",
    "sd zero, 0(t0)",
    "addi t0, t0, 8",
    "j 1b",
    "2: call main",
    "j .",
);

/// Prints a line through the host (`VirtualHostIO`, jolt-platform's print).
fn host_println(s: &str) {
    unsafe {
        asm!(".insn i 0x5B, 2, x0, x0, 0", in("a0") JOLT_PRINT, in("a1") s.as_ptr(), in("a2") s.len(), in("a3") 2);
    }
}

#[repr(C, align(8))]
struct Aligned<T>(T);

/// BLAKE2b-512 with `BLAKE2_INLINE` (funct7 2): state (8 u64) at rs1,
/// message (16 u64, byte counter, final flag) at rs2.
pub fn blake2b(msg: &[u8]) -> [u8; 64] {
    const IV: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let mut h = Aligned(IV);
    h.0[0] ^= 0x0101_0040;
    let blocks = msg.len().div_ceil(128).max(1);
    for i in 0..blocks {
        let chunk = &msg[128 * i..msg.len().min(128 * (i + 1))];
        let mut m = Aligned([0u64; 18]);
        for (j, b) in chunk.iter().enumerate() {
            m.0[j / 8] |= (*b as u64) << (8 * (j % 8));
        }
        m.0[16] = (128 * i + chunk.len()) as u64;
        m.0[17] = (i + 1 == blocks) as u64;
        unsafe {
            asm!(".insn r 0x0B, 0, 2, x0, {s}, {m}", s = in(reg) h.0.as_mut_ptr(), m = in(reg) m.0.as_ptr(), options(nostack));
        }
    }
    let mut out = [0u8; 64];
    for (o, w) in out.chunks_exact_mut(8).zip(h.0) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// BLAKE3 of one chunk with `BLAKE3_INLINE` (funct7 3, funct3 0):
/// chaining value at rs1, block (16 u32, counter, length, flags) at rs2.
pub fn blake3(msg: &[u8]) -> [u8; 32] {
    assert!(msg.len() <= 1024, "message longer than one BLAKE3 chunk");
    let mut cv = Aligned([
        0x6a09e667u32,
        0xbb67ae85,
        0x3c6ef372,
        0xa54ff53a,
        0x510e527f,
        0x9b05688c,
        0x1f83d9ab,
        0x5be0cd19,
    ]);
    let blocks = msg.len().div_ceil(64).max(1);
    for i in 0..blocks {
        let chunk = &msg[64 * i..msg.len().min(64 * (i + 1))];
        let mut b = Aligned([0u32; 20]);
        for (j, x) in chunk.iter().enumerate() {
            b.0[j / 4] |= (*x as u32) << (8 * (j % 4));
        }
        b.0[18] = chunk.len() as u32;
        b.0[19] = if i == 0 { 1 } else { 0 } | if i + 1 == blocks { 2 | 8 } else { 0 };
        unsafe {
            asm!(".insn r 0x0B, 0, 3, x0, {s}, {m}", s = in(reg) cv.0.as_mut_ptr(), m = in(reg) b.0.as_ptr(), options(nostack));
        }
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(cv.0) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    out
}

type Limbs = Aligned<[u64; 4]>;

/// `SECP256K1_MULQ` (funct7 5, funct3 0): a * b mod p to rd.
fn mulq(a: &Limbs, b: &Limbs) -> [u64; 4] {
    let mut c = Aligned([0u64; 4]);
    unsafe {
        asm!(".insn r 0x0B, 0, 5, {c}, {a}, {b}", c = in(reg) c.0.as_mut_ptr(), a = in(reg) a.0.as_ptr(), b = in(reg) b.0.as_ptr(), options(nostack));
    }
    c.0
}

/// `SECP256K1_DIVQ` (funct7 5, funct3 2): a / b mod p to rd.
fn divq(a: &Limbs, b: &Limbs) -> [u64; 4] {
    let mut c = Aligned([0u64; 4]);
    unsafe {
        asm!(".insn r 0x0B, 2, 5, {c}, {a}, {b}", c = in(reg) c.0.as_mut_ptr(), a = in(reg) a.0.as_ptr(), b = in(reg) b.0.as_ptr(), options(nostack));
    }
    c.0
}

/// `SECP256K1_GLVR_ADV` (funct7 5, funct3 7): k's GLV halves to rd.
fn glv(k: &Limbs) -> [u64; 6] {
    let mut out = Aligned([0u64; 6]);
    unsafe {
        asm!(".insn r 0x0B, 7, 5, {o}, {k}, x0", o = in(reg) out.0.as_mut_ptr(), k = in(reg) k.0.as_ptr(), options(nostack));
    }
    out.0
}

fn limbs(bytes: &[u8]) -> Limbs {
    Aligned(core::array::from_fn(|i| {
        u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap())
    }))
}

/// The provable function.
#[inline(never)]
#[allow(clippy::type_complexity)]
pub fn digest_and_invert(msg: &[u8]) -> ([u8; 32], [u8; 32], [u8; 32], [u64; 4], [u64; 6]) {
    if msg.is_empty() {
        panic!("empty message");
    }
    let b2 = blake2b(msg);
    let b3 = blake3(msg);
    let x = limbs(&b3);
    let one = Aligned([1u64, 0, 0, 0]);
    let inv = Aligned(divq(&one, &x));
    assert_eq!(mulq(&x, &inv), one.0, "x * x^-1 != 1");
    let k = glv(&limbs(&b2[..32]));
    (
        b2[..32].try_into().unwrap(),
        b2[32..].try_into().unwrap(),
        b3,
        inv.0,
        k,
    )
}

#[no_mangle]
pub extern "C" fn main() -> ! {
    let input = unsafe { core::slice::from_raw_parts(INPUT_START as *const u8, MAX_INPUT) };
    let (msg, _) = postcard::take_from_bytes::<&[u8]>(input).unwrap();
    let mut line = Line::new();
    let _ = write!(line, "digest_and_invert: {} bytes", msg.len());
    host_println(line.as_str());
    let result = digest_and_invert(msg);
    let output = unsafe { core::slice::from_raw_parts_mut(OUTPUT_START as *mut u8, MAX_OUTPUT) };
    postcard::to_slice(&result, output).unwrap();
    unsafe {
        core::ptr::write_volatile(TERMINATION as *mut u8, 1);
        asm!("j .", options(noreturn));
    }
}

/// A line of text in a fixed buffer (no allocator).
struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Line {
    fn new() -> Line {
        Line { buf: [0; 160], len: 0 }
    }
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Sets the panic word after printing the message (what
/// `#[jolt::provable]` and jolt-platform do).
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let mut line = Line::new();
    let _ = write!(line, "panicked: {}", info.message());
    host_println(line.as_str());
    unsafe {
        core::ptr::write_volatile(PANIC as *mut u8, 1);
        asm!("j .", options(noreturn))
    }
}
