//! A RISC Zero guest (risc0-zkvm 3.0.5): reads `(data: Vec<u8>, rounds:
//! u32)` from stdin, hashes `data` with SHA-256 `rounds` times through
//! RISC Zero's SHA ecall (`risc0_zkvm::guest::sha`), prints progress and
//! commits the digest to the journal. `rounds == 0` panics (the panic
//! path).
#![no_main]
use risc0_zkvm::guest::env;
use risc0_zkvm::sha::{Impl, Sha256};

risc0_zkvm::guest::entry!(main);

fn main() {
    let (data, rounds): (Vec<u8>, u32) = env::read();
    if rounds == 0 {
        panic!("rounds must be at least 1, got {rounds}");
    }
    println!("hashing {} bytes {rounds} times", data.len());
    let mut digest = *Impl::hash_bytes(&data);
    for _ in 1..rounds {
        digest = *Impl::hash_bytes(digest.as_bytes());
    }
    env::commit(&digest.as_bytes().to_vec());
    env::commit(&rounds);
}
