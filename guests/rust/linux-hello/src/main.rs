//! A no_std Rust guest for the `linux` platform: Linux syscalls by `ecall`
//! (number in a7, arguments in a0.., result in a0; syscall(2), riscv).
//! It reads stdin, writes a greeting and the bytes' sum, and exits with
//! the sum's low byte as status.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};

/// asm-generic syscall numbers (include/uapi/asm-generic/unistd.h).
const SYS_READ: usize = 63;
const SYS_WRITE: usize = 64;
const SYS_EXIT_GROUP: usize = 94;

global_asm!(
    ".section .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "la sp, __stack_top",
    "call main",
    "j .",
);

unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2, options(nostack));
    ret
}

fn write(fd: usize, bytes: &[u8]) {
    unsafe { syscall3(SYS_WRITE, fd, bytes.as_ptr() as usize, bytes.len()) };
}

fn exit(status: i32) -> ! {
    unsafe { syscall3(SYS_EXIT_GROUP, status as usize, 0, 0) };
    loop {}
}

/// Sums the bytes of stdin.
#[inline(never)]
pub fn checksum(buf: &mut [u8]) -> u32 {
    let mut sum = 0u32;
    loop {
        let n = unsafe { syscall3(SYS_READ, 0, buf.as_mut_ptr() as usize, buf.len()) };
        if n <= 0 {
            return sum;
        }
        sum = buf[..n as usize].iter().fold(sum, |s, &b| s.wrapping_add(b as u32));
    }
}

#[no_mangle]
pub extern "C" fn main() -> ! {
    write(1, b"hello from a no_std Rust guest\n");
    let mut buf = [0u8; 256];
    let sum = checksum(&mut buf);
    let mut digits = [0u8; 11];
    let mut i = digits.len() - 1;
    digits[i] = b'\n';
    let mut v = sum;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    write(1, b"stdin byte sum: ");
    write(1, &digits[i..]);
    exit((sum & 0xff) as i32)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    write(2, b"panic\n");
    exit(101)
}
