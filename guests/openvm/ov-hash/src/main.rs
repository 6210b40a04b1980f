//! An OpenVM guest (openvm 2.0.2): reads `(data: Vec<u8>, rounds: u32)`
//! from the input stream, hashes `data` `rounds` times with Keccak-256
//! (OpenVM's Keccak extension: KECCAKF/XORIN) and with SHA-256 (its SHA-2
//! extension), prints progress and reveals the first 16 bytes of each
//! digest as the 32 public-value bytes. `rounds == 0` panics (the panic path).
use openvm::io::{println, read, reveal_u32};
use openvm_keccak256::keccak256;
use openvm_sha2::Sha256;

openvm::entry!(main);

fn main() {
    let (data, rounds): (Vec<u8>, u32) = read();
    if rounds == 0 {
        panic!("rounds must be at least 1, got {rounds}");
    }
    println(&format!("hashing {} bytes {rounds} times", data.len()));
    let mut k = keccak256(&data);
    let mut s = Sha256::digest(&data);
    for _ in 1..rounds {
        k = keccak256(&k);
        s = Sha256::digest(&s);
    }
    // OpenVM's default 32 public-value bytes: the first 16 bytes of each.
    for i in 0..4 {
        reveal_u32(u32::from_le_bytes(k[4 * i..4 * i + 4].try_into().unwrap()), i);
        reveal_u32(u32::from_le_bytes(s[4 * i..4 * i + 4].try_into().unwrap()), 4 + i);
    }
}
