//! A RISC Zero guest (risc0-zkvm 3.0.5) of the POSEIDON2 ecall
//! (`risc0_zkvm_platform::syscall::sys_poseidon2`): reads `(elems:
//! Vec<u32>, rounds: u32, wrong: bool)` from stdin (`elems` a multiple of
//! 16 values), then
//! - absorbs all of `elems` `rounds` times, one call per round through a
//!   state (blocks of 16 field elements: `PFLAG_IS_ELEM`);
//! - hashes the same words as 16-bit halves (8 words a block), no state;
//! - checks that digest with `PFLAG_CHECK_OUT` (with `wrong`, against a
//!   digest with one bit flipped: RISC Zero's executor fails the run);
//! and commits both digests to the journal.
#![no_main]
use risc0_zkvm::guest::env;
use risc0_zkvm_platform::syscall::{sys_poseidon2, DIGEST_WORDS};

risc0_zkvm::guest::entry!(main);

const PFLAG_IS_ELEM: u32 = 0x8000_0000;
const PFLAG_CHECK_OUT: u32 = 0x4000_0000;

fn main() {
    let (elems, rounds, wrong): (Vec<u32>, u32, bool) = env::read();
    assert!(elems.len() % 16 == 0, "{} values: not whole blocks", elems.len());
    println!("poseidon2: {} blocks, {rounds} rounds", elems.len() / 16);
    let mut state = [0u32; DIGEST_WORDS];
    let mut sponge = [0u32; DIGEST_WORDS];
    for _ in 0..rounds {
        unsafe {
            sys_poseidon2(
                &mut state,
                elems.as_ptr() as *const u8,
                &mut sponge,
                PFLAG_IS_ELEM | (elems.len() / 16) as u32,
            );
        }
    }
    let mut halves = [0u32; DIGEST_WORDS];
    unsafe {
        sys_poseidon2(
            core::ptr::null_mut(),
            elems.as_ptr() as *const u8,
            &mut halves,
            (elems.len() / 8) as u32,
        );
    }
    let mut expected = halves;
    if wrong {
        expected[0] ^= 1;
    }
    unsafe {
        sys_poseidon2(
            core::ptr::null_mut(),
            elems.as_ptr() as *const u8,
            &mut expected,
            PFLAG_CHECK_OUT | (elems.len() / 8) as u32,
        );
    }
    env::commit(&sponge);
    env::commit(&halves);
}
