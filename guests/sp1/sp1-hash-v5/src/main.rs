//! An SP1 v5 guest (sp1-zkvm 5.2.4, RV32IM), the same program as
//! `sp1-hash` with SP1 v5's 32-bit words: reads `(data: Vec<u8>, rounds: u32)`,
//! hashes `data` with SHA-256 `rounds` times through SP1's SHA_EXTEND and
//! SHA_COMPRESS precompiles, permutes a Keccak state seeded with the
//! digest through KECCAK_PERMUTE, multiplies two 256-bit numbers modulo a
//! prime through UINT256_MUL, doubles Ed25519's base point (decompressed
//! from its y by ED_DECOMPRESS, added to itself by ED_ADD), gets the
//! digest's byte sum as a hint computed in an unconstrained block, and
//! commits the digest, the first Keccak lane, the product, the doubled
//! point's x and the byte sum. `rounds == 0` panics (the panic path).
#![no_main]
sp1_zkvm::entrypoint!(main);

use sp1_zkvm::syscalls::{
    syscall_ed_add, syscall_ed_decompress, syscall_keccak_permute, syscall_sha256_compress,
    syscall_sha256_extend, syscall_uint256_mulmod,
};

const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 of `data`, one SHA_EXTEND and one SHA_COMPRESS per block.
fn sha256(data: &[u8]) -> [u8; 32] {
    let mut msg = data.to_vec();
    let bits = (data.len() as u64) * 8;
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    let mut state = [0u32; 8];
    for (s, h) in state.iter_mut().zip(H0) {
        *s = h;
    }
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes(word.try_into().unwrap());
        }
        syscall_sha256_extend(&mut w);
        syscall_sha256_compress(&mut w, &mut state);
    }
    let mut out = [0u8; 32];
    for (o, s) in out.chunks_mut(4).zip(state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

/// 2B on Ed25519: B from its y (RFC 8032, sign bit clear) by
/// ED_DECOMPRESS, then B + B by ED_ADD.
fn ed25519_double_base() -> [u32; 16] {
    /// SP1 v5 wants the point 4-byte aligned.
    #[repr(align(4))]
    struct Aligned([u8; 64]);
    let mut compressed = Aligned([0x66u8; 64]);
    compressed.0[32] = 0x58;
    syscall_ed_decompress(&mut compressed.0);
    let mut point = [0u32; 16];
    for (w, c) in point.iter_mut().zip(compressed.0.chunks(4)) {
        *w = u32::from_le_bytes(c.try_into().unwrap());
    }
    let base = point;
    syscall_ed_add(&mut point, &base);
    point
}

fn main() {
    let (data, rounds): (Vec<u8>, u32) = sp1_zkvm::io::read();
    if rounds == 0 {
        panic!("rounds must be at least 1, got {rounds}");
    }
    println!("hashing {} bytes {rounds} times", data.len());
    println!("cycle-tracker-start: sha256");
    let mut digest = sha256(&data);
    for _ in 1..rounds {
        digest = sha256(&digest);
    }
    println!("cycle-tracker-end: sha256");
    let mut keccak = [0u64; 25];
    for (lane, chunk) in keccak.iter_mut().zip(digest.chunks(8)) {
        *lane = u64::from_le_bytes(chunk.try_into().unwrap());
    }
    syscall_keccak_permute(&mut keccak);
    // (digest as a 256-bit number) * 3 mod 2^255 - 19.
    let mut x = [0u32; 8];
    for (l, chunk) in x.iter_mut().zip(digest.chunks(4)) {
        *l = u32::from_le_bytes(chunk.try_into().unwrap());
    }
    let mut y_and_modulus = [0u32; 16];
    y_and_modulus[0] = 3;
    y_and_modulus[8] = u32::MAX - 18;
    for m in &mut y_and_modulus[9..15] {
        *m = u32::MAX;
    }
    y_and_modulus[15] = u32::MAX >> 1;
    syscall_uint256_mulmod(&mut x, y_and_modulus.as_ptr() as *const [u32; 8]);
    let two_b = ed25519_double_base();
    // The byte sum, computed unconstrained (memory and registers roll
    // back; the hint stays) and checked constrained.
    sp1_zkvm::lib::unconstrained! {
        let sum: u32 = digest.iter().map(|&b| u32::from(b)).sum();
        sp1_zkvm::io::hint(&sum);
    }
    let sum: u32 = sp1_zkvm::io::read();
    assert_eq!(sum, digest.iter().map(|&b| u32::from(b)).sum::<u32>());
    sp1_zkvm::io::commit(&digest);
    sp1_zkvm::io::commit(&keccak[0]);
    sp1_zkvm::io::commit(&x);
    sp1_zkvm::io::commit(&<[u32; 8]>::try_from(&two_b[..8]).unwrap());
    sp1_zkvm::io::commit(&sum);
}
