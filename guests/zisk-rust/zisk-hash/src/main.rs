//! A ZisK guest on ziskos 1.4.0-alpha (crates.io): reads a byte vector and
//! a round count (`ziskos::io::read`, bincode), hashes the bytes `rounds`
//! times with ziskos's Keccak-256 and SHA-256 (the KECCAKF and SHA256F
//! precompiles), and commits both digests and the round count as public
//! output. Zero rounds panic (exit code 101).
#![no_std]
#![no_main]
extern crate alloc;
use alloc::vec::Vec;

ziskos::entrypoint!(main);

fn main() {
    let data: Vec<u8> = ziskos::io::read();
    let rounds: u32 = ziskos::io::read();
    assert!(rounds > 0, "rounds must be positive");
    let mut k = ziskos::zisklib::keccak256(&data);
    let mut s = ziskos::zisklib::sha256(&data);
    for _ in 1..rounds {
        k = ziskos::zisklib::keccak256(&k);
        s = ziskos::zisklib::sha256(&s);
    }
    ziskos::io::commit_slice(&k);
    ziskos::io::commit_slice(&s);
    ziskos::io::commit_slice(&rounds.to_le_bytes());
}

/// Ends the run with Rust's panic exit code (ziskos 1.4 passes a0 to its
/// exit call).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { core::arch::asm!("li a0, 101", "li a7, 93", "ecall", options(noreturn)) }
}
