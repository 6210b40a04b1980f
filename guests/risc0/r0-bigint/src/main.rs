//! A RISC Zero guest (risc0-zkvm 3.0.5, risc0-bigint2 1.4.13) of the
//! BIGINT accelerator: reads `(x, y, m, k, rounds)` from stdin (four
//! 256-bit numbers as eight little-endian u32 words each, and a u32) and
//! commits, in order:
//! - `x * y^rounds mod m` by the v1 BIGINT ecall (`sys_bigint`, which the
//!   v1compat kernel serves with its modmul blob),
//! - the low 128 bits of `x` times the low 128 bits of `y`, by the same
//!   ecall with a zero modulus (the kernel's plain-multiply blob),
//! - `x * y^rounds mod m` by BIGINT2 (`risc0_bigint2::field::modmul_256`),
//! - `x^-1 mod m` by BIGINT2 (`modinv_256`),
//! - `k * G` on secp256k1 by BIGINT2 (affine x and y; the curve's add and
//!   double blobs),
//! - `rounds`.
//! `m == 0` panics (the panic path).
#![no_main]
use risc0_bigint2::ec::{AffinePoint, Secp256k1Curve, EC_256_WIDTH_WORDS};
use risc0_zkvm::guest::env;

risc0_zkvm::guest::entry!(main);

type U256 = [u32; 8];

/// secp256k1's generator, little-endian words (SEC 2, 2.4.1).
const G: ([u32; 8], [u32; 8]) = (
    [
        0x16F81798, 0x59F2815B, 0x2DCE28D9, 0x029BFCDB, 0xCE870B07, 0x55A06295, 0xF9DCBBAC,
        0x79BE667E,
    ],
    [
        0xFB10D4B8, 0x9C47D08F, 0xA6855419, 0xFD17B448, 0x0E1108A8, 0x5DA4FBFC, 0x26A3C465,
        0x483ADA77,
    ],
);

fn v1_modmul(x: &U256, y: &U256, m: &U256) -> U256 {
    let mut out = [0u32; 8];
    unsafe { risc0_zkvm_platform::syscall::sys_bigint(&mut out, 0, x, y, m) };
    out
}

fn main() {
    let (x, y, m, k, rounds): (U256, U256, U256, U256, u32) = env::read();
    if m == [0; 8] {
        panic!("the modulus must not be zero");
    }
    println!("bigint: {rounds} rounds");
    let mut acc = x;
    for _ in 0..rounds {
        acc = v1_modmul(&acc, &y, &m);
    }
    env::commit(&acc);
    let mut lo_x = x;
    let mut lo_y = y;
    lo_x[4..].fill(0);
    lo_y[4..].fill(0);
    env::commit(&v1_modmul(&lo_x, &lo_y, &[0; 8]));

    let mut acc2 = x;
    for _ in 0..rounds {
        let mut out = [0u32; 8];
        risc0_bigint2::field::modmul_256(&acc2, &y, &m, &mut out);
        acc2 = out;
    }
    env::commit(&acc2);
    let mut inv = [0u32; 8];
    risc0_bigint2::field::modinv_256(&x, &m, &mut inv);
    env::commit(&inv);

    let g = AffinePoint::<EC_256_WIDTH_WORDS, Secp256k1Curve>::new_unchecked(G.0, G.1);
    let mut kg = AffinePoint::<EC_256_WIDTH_WORDS, Secp256k1Curve>::IDENTITY;
    g.mul(&k, &mut kg);
    let (kx, ky) = match kg.as_u32s() {
        Some(p) => (p[0], p[1]),
        None => ([0; 8], [0; 8]),
    };
    env::commit(&kx);
    env::commit(&ky);
    env::commit(&rounds);
}
