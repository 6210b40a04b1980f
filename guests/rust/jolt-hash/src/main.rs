//! A Rust guest written to Jolt's conventions, as `#[jolt::provable]` and
//! jolt-sdk lay them out (a16z/jolt @ff9f8c134, `jolt-sdk/macros/src/lib.rs`):
//! the arguments are postcard-decoded from the input region, the result
//! postcard-encoded into the output region, then the termination word is
//! set and the guest jumps to itself; a panic sets the panic word first.
//! Hashing goes through Jolt's SHA-256 and Keccak-f inlines (`.insn`, as
//! `jolt-inlines/sha2` and `jolt-inlines/keccak256` emit them); messages go
//! out by `VirtualHostIO` (jolt-platform's print and cycle tracking).
//!
//! The provable function: `hash_chain(data: &[u8], rounds: u32) ->
//! ([u8; 32], [u8; 32])` = (SHA-256 applied `rounds` times to `data`,
//! Keccak-256 of that). `rounds == 0` panics. The first SHA-256 is also
//! computed in software by the `sha2` crate from crates.io (a span
//! "sha2 crate" in profiles: what the inline saves) and checked against
//! the inline's.
//!
//! Output goes through Linux's `write` by `ecall`, served in the guest by
//! its own trap handler (ZeroOS's std-mode route: `mtvec` installed at
//! boot, the handler prints through the host and returns with `mret`).
//!
//! Memory: Jolt's default MemoryConfig (4 KiB of input, output and each
//! advice region); the I/O addresses below are what `MemoryLayout::new`
//! computes for it. Stack and heap: the ZeroOS-style symbols of `jolt.ld`.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::fmt::Write;
use sha2::Digest;

/// Jolt's default I/O region (`common/src/jolt_device.rs`, default sizes).
const INPUT_START: usize = 0x7fff_a000;
const MAX_INPUT: usize = 4096;
const OUTPUT_START: usize = 0x7fff_b000;
const MAX_OUTPUT: usize = 4096;
const PANIC: usize = 0x7fff_c000;
const TERMINATION: usize = 0x7fff_c008;

/// VirtualHostIO call ids (`jolt-platform/src/print.rs`, `cycle_tracking.rs`).
const JOLT_PRINT: usize = 0x50_5249;
const JOLT_CYCLE_MARKER: usize = 0xC_7C1E;

global_asm!(
    ".section .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "la sp, __stack_top",
    "la t0, _trap_handler",
    "csrw mtvec, t0",
    "la t0, __bss_start",
    "la t1, __bss_end",
    "1: bgeu t0, t1, 2f",
    "sd zero, 0(t0)",
    "addi t0, t0, 8",
    "j 1b",
    "2: call main",
    "j .",
    // The kernel: ecall from machine mode (mcause 11) with a7 = 64 (write)
    // prints a1/a2 through the host and returns a2; other syscalls return
    // -ENOSYS; any other trap sets the panic word and halts.
    ".globl _trap_handler",
    ".p2align 2",
    "_trap_handler:",
    "addi sp, sp, -32",
    "sd a1, 0(sp)",
    "sd a2, 8(sp)",
    "sd a3, 16(sp)",
    "sd t0, 24(sp)",
    "csrr t0, mcause",
    "li a3, 11",
    "bne t0, a3, 9f",
    "li t0, 64",
    "bne a7, t0, 8f",
    "li a0, 0x505249",
    "li a3, 1",
    ".insn i 0x5B, 2, x0, x0, 0",
    "mv a0, a2",
    "j 7f",
    "8: li a0, -38",
    "7: csrr t0, mepc",
    "addi t0, t0, 4",
    "csrw mepc, t0",
    "ld a1, 0(sp)",
    "ld a2, 8(sp)",
    "ld a3, 16(sp)",
    "ld t0, 24(sp)",
    "addi sp, sp, 32",
    "mret",
    "9: call jolt_panic",
    "j .",
);

/// Linux's `write(2)` by `ecall` (a7 = 64), served by `_trap_handler`.
fn write(fd: usize, bytes: &[u8]) -> isize {
    let ret: isize;
    unsafe {
        asm!("ecall", in("a7") 64, inlateout("a0") fd as isize => ret, in("a1") bytes.as_ptr(), in("a2") bytes.len());
    }
    ret
}

/// `VirtualHostIO`: opcode 0x5B, funct3 2, arguments in a0..a3.
fn host_io(call: usize, ptr: *const u8, len: usize, mode: usize) {
    unsafe {
        asm!(".insn i 0x5B, 2, x0, x0, 0", in("a0") call, in("a1") ptr, in("a2") len, in("a3") mode);
    }
}

/// Prints a line on stdout (`write(1, ...)`: the in-guest kernel prints
/// it through the host).
fn println(s: &str) {
    write(1, s.as_bytes());
    write(1, b"\n");
}

/// Prints a line straight through the host (jolt-platform's
/// `jolt_println!`: `VirtualHostIO` with the print call id).
fn host_println(s: &str) {
    host_io(JOLT_PRINT, s.as_ptr(), s.len(), 2);
}

fn start_cycle_tracking(label: &str) {
    host_io(JOLT_CYCLE_MARKER, label.as_ptr(), label.len(), 1);
}

fn end_cycle_tracking(label: &str) {
    host_io(JOLT_CYCLE_MARKER, label.as_ptr(), label.len(), 2);
}

#[repr(C, align(8))]
struct Aligned<T>(T);

/// SHA-256 with Jolt's compression inlines (opcode 0x0B, funct7 0:
/// funct3 0 from the state at rs1, funct3 1 from the initial state).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = Aligned([0u32; 8]);
    let mut block = Aligned([0u8; 64]);
    let mut first = true;
    let mut compress = |block: &Aligned<[u8; 64]>, state: &mut Aligned<[u32; 8]>| unsafe {
        if first {
            asm!(".insn r 0x0B, 1, 0, x0, {s}, {b}", s = in(reg) state.0.as_mut_ptr(), b = in(reg) block.0.as_ptr(), options(nostack));
        } else {
            asm!(".insn r 0x0B, 0, 0, x0, {s}, {b}", s = in(reg) state.0.as_mut_ptr(), b = in(reg) block.0.as_ptr(), options(nostack));
        }
        first = false;
    };
    let mut chunks = data.chunks_exact(64);
    for c in &mut chunks {
        block.0.copy_from_slice(c);
        compress(&block, &mut state);
    }
    let rest = chunks.remainder();
    block.0 = [0; 64];
    block.0[..rest.len()].copy_from_slice(rest);
    block.0[rest.len()] = 0x80;
    if rest.len() >= 56 {
        compress(&block, &mut state);
        block.0 = [0; 64];
    }
    block.0[56..].copy_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    compress(&block, &mut state);
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state.0) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Keccak-256 with Jolt's Keccak-f\[1600\] inline (opcode 0x0B, funct7 1).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut state = Aligned([0u64; 25]);
    let absorb = |block: &[u8; RATE], state: &mut Aligned<[u64; 25]>| {
        for (lane, b) in state.0.iter_mut().zip(block.chunks_exact(8)) {
            *lane ^= u64::from_le_bytes(b.try_into().unwrap());
        }
        unsafe {
            asm!(".insn r 0x0B, 0, 1, x0, {s}, x0", s = in(reg) state.0.as_mut_ptr(), options(nostack));
        }
    };
    let mut chunks = data.chunks_exact(RATE);
    for c in &mut chunks {
        absorb(c.try_into().unwrap(), &mut state);
    }
    let rest = chunks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb(&last, &mut state);
    let mut out = [0u8; 32];
    for (o, lane) in out.chunks_exact_mut(8).zip(state.0) {
        o.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

/// The provable function.
#[inline(never)]
pub fn hash_chain(data: &[u8], rounds: u32) -> ([u8; 32], [u8; 32]) {
    if rounds == 0 {
        panic!("rounds must be at least 1");
    }
    start_cycle_tracking("sha2 crate");
    let software: [u8; 32] = sha2::Sha256::digest(data).into();
    end_cycle_tracking("sha2 crate");
    start_cycle_tracking("sha256 chain");
    let mut digest = sha256(data);
    assert_eq!(digest, software, "SHA-256 inline and the sha2 crate disagree");
    for _ in 1..rounds {
        digest = sha256(&digest);
    }
    end_cycle_tracking("sha256 chain");
    (digest, keccak256(&digest))
}

#[no_mangle]
pub extern "C" fn main() -> ! {
    let input = unsafe { core::slice::from_raw_parts(INPUT_START as *const u8, MAX_INPUT) };
    let (data, input) = postcard::take_from_bytes::<&[u8]>(input).unwrap();
    let (rounds, _) = postcard::take_from_bytes::<u32>(input).unwrap();
    let mut line = Line::new();
    let _ = write!(line, "hash_chain: {} bytes, {rounds} rounds", data.len());
    println(line.as_str());
    let result = hash_chain(data, rounds);
    let output = unsafe { core::slice::from_raw_parts_mut(OUTPUT_START as *mut u8, MAX_OUTPUT) };
    postcard::to_slice(&result, output).unwrap();
    unsafe {
        core::ptr::write_volatile(TERMINATION as *mut u8, 1);
        asm!("j .", options(noreturn));
    }
}

/// Sets the panic word (what `#[jolt::provable]` generates).
#[no_mangle]
#[inline(never)]
pub extern "C" fn jolt_panic() {
    unsafe { core::ptr::write_volatile(PANIC as *mut u8, 1) }
}

/// A line of text in a fixed buffer (no allocator).
struct Line {
    buf: [u8; 192],
    len: usize,
}

impl Line {
    fn new() -> Line {
        Line { buf: [0; 192], len: 0 }
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

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let mut line = Line::new();
    let _ = write!(line, "panicked: {}", info.message());
    host_println(line.as_str());
    jolt_panic();
    unsafe { asm!("j .", options(noreturn)) }
}
