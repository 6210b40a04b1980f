//! RISC Zero's POSEIDON2 host call: the Poseidon2 sponge over BabyBear
//! that the user's `sys_poseidon2` (ecall kind POSEIDON2) reaches through
//! the v1compat kernel (`_ecall_poseidon2`: the user's a0..a3 to the
//! machine's a0..a3, `ecall` with a7 = 3).
//!
//! Facts from risc0/risc0 v3.0.6 (1cc70cf0, `risc0-circuit-rv32im` 4.0.5):
//! - `src/execute/poseidon2.rs` (`Poseidon2::ecall`, `Poseidon2State::rest`):
//!   a0 = the state's word address (0: no state), a1 = the input's word
//!   address, a2 = the output's word address, a3 = the block count (low 16
//!   bits) with the flags [`PFLAG_IS_ELEM`] (each block is 16 words, one
//!   field element each; otherwise 8 words, each split into two 16-bit
//!   elements) and [`PFLAG_CHECK_OUT`] (compare the digest with the words
//!   at the output instead of writing it: a mismatch fails the run). The
//!   24 cells start with the state's 8 words in cells 16..24 (zero without
//!   a state); each block overwrites cells 0..16 and mixes; the digest is
//!   cells 0..8, the state written back is cells 16..24.
//! - Cycles: one per cycle state (`on_poseidon2_cycle`): load state (with a
//!   state), per block a load (two for elements), 4 + 1 + 4 rounds; the
//!   output, store state (with a state) and the return: see [`cycles`].
//! - `src/execute/platform.rs`: `PFLAG_IS_ELEM`, `PFLAG_CHECK_OUT`.
//!
//! The permutation is `risc0-zkp` 3.0.5's `poseidon2_mix` (RISC Zero's
//! constants).

use crate::access;
use risc0_zkp::core::hash::poseidon2::{poseidon2_mix, CELLS};
use risc0_zkp::field::baby_bear::BabyBearElem;
use zkdbg_emulator::{AccessKind, Cpu, MemAccess, Memory};

/// Flag of a3: the blocks are 16 field elements, one per word.
pub const PFLAG_IS_ELEM: u64 = 0x8000_0000;
/// Flag of a3: check the digest against the output instead of writing it.
pub const PFLAG_CHECK_OUT: u64 = 0x4000_0000;
/// Words of the state and of the digest (`DIGEST_WORDS`).
const DIGEST_WORDS: usize = 8;

/// The decoded registers of one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// Byte address of the 8-word state, if any.
    pub state: Option<u64>,
    /// Byte address of the blocks.
    pub input: u64,
    /// Byte address of the 8-word digest.
    pub output: u64,
    /// Blocks to absorb.
    pub count: u64,
    /// Blocks of 16 elements (one per word) rather than 8 words of two
    /// 16-bit halves.
    pub is_elem: bool,
    /// Compare the digest instead of writing it.
    pub check_out: bool,
}

impl Call {
    /// Decodes a0..a3 (word addresses and the count with flags).
    ///
    /// Errors: a word address whose byte address is past 4 GiB, or below
    /// the image (`0x10000`) where it is read.
    pub fn decode(a0: u64, a1: u64, a2: u64, a3: u64) -> Result<Call, (String, Option<u64>)> {
        let byte = |w: u64, what: &str| {
            let b = w.checked_mul(4).filter(|b| *b < 1 << 32).ok_or_else(|| {
                (
                    format!("{what} word address {w:#x} is past 4 GiB"),
                    None::<u64>,
                )
            })?;
            if b < super::USER_START_ADDR {
                return Err((format!("{what} at {b:#x} is not a guest address"), Some(b)));
            }
            Ok(b)
        };
        let count = a3 & 0xffff;
        Ok(Call {
            state: if a0 == 0 {
                None
            } else {
                Some(byte(a0, "the state")?)
            },
            input: if count == 0 {
                a1.saturating_mul(4)
            } else {
                byte(a1, "the input")?
            },
            output: byte(a2, "the output")?,
            count,
            is_elem: a3 & PFLAG_IS_ELEM != 0,
            check_out: a3 & PFLAG_CHECK_OUT != 0,
        })
    }

    /// Bytes of input the call reads.
    pub fn input_bytes(&self) -> u64 {
        self.count * if self.is_elem { 64 } else { 32 }
    }
}

/// RISC Zero's cycles for `call` beyond the `ecall`'s own one: load state
/// (with a state), per block one load (two for elements) and 9 rounds,
/// then output, store state (with a state) and the return to decode.
pub fn cycles(call: &Call) -> u64 {
    let state = if call.state.is_some() { 2 } else { 0 };
    let per_block = 10 + u64::from(call.is_elem);
    state + call.count * per_block + 2
}

/// The sponge: absorbs `blocks` (each 16 cell values) into `cells`.
pub fn absorb(cells: &mut [u32; CELLS], blocks: impl Iterator<Item = [u32; 16]>) {
    let mut elems: [BabyBearElem; CELLS] = std::array::from_fn(|i| BabyBearElem::new(cells[i]));
    for block in blocks {
        for (e, v) in elems.iter_mut().zip(block) {
            *e = BabyBearElem::new(v);
        }
        poseidon2_mix(&mut elems);
    }
    for (c, e) in cells.iter_mut().zip(elems) {
        *c = e.as_u32();
    }
}

/// The POSEIDON2 host call on the machine registers a0..a3 in `cpu`.
/// Returns the cycles beyond the `ecall`'s own ([`cycles`]) and the
/// accesses.
///
/// Errors (message, address): [`Call::decode`]'s, unreadable or
/// unwritable memory, more input than the memory limit leaves, a checked
/// digest that differs (RISC Zero's "poseidon2 check failed").
pub(crate) fn host_call(
    pc: u64,
    cpu: &Cpu,
    mem: &mut Memory,
) -> Result<(u64, Vec<MemAccess>), (String, Option<u64>)> {
    let x = |r: usize| cpu.x[r] & 0xffff_ffff;
    let call = Call::decode(x(10), x(11), x(12), x(13))?;
    let words = |b: &[u8]| -> Vec<u32> {
        b.chunks_exact(4)
            .map(|w| u32::from_le_bytes(w.try_into().expect("4 bytes")))
            .collect()
    };
    let mut acc = Vec::new();
    let mut cells = [0u32; CELLS];
    if let Some(s) = call.state {
        let state = words(&access::read(mem, pc, s, 32, 4, &mut acc)?);
        cells[2 * DIGEST_WORDS..].copy_from_slice(&state);
    }
    // Watchpoints see each word of up to 16 KiB of input; past that (up to
    // 4 MiB), paging still sees every page.
    let len = call.input_bytes();
    let input = if len <= 16 << 10 {
        access::read(mem, pc, call.input, len, 4, &mut acc)?
    } else {
        let b = access::read(mem, pc, call.input, len, 4, &mut Vec::new())?;
        acc.extend(super::page_accesses(pc, call.input, len, AccessKind::Read));
        b
    };
    let input = words(&input);
    let blocks = if call.is_elem {
        input
            .chunks_exact(16)
            .map(|b| b.try_into().expect("16 words"))
            .collect::<Vec<[u32; 16]>>()
    } else {
        input
            .chunks_exact(8)
            .map(|b| std::array::from_fn(|i| (b[i / 2] >> (16 * (i % 2))) & 0xffff))
            .collect()
    };
    absorb(&mut cells, blocks.into_iter());
    let bytes = |w: &[u32]| -> Vec<u8> { w.iter().flat_map(|w| w.to_le_bytes()).collect() };
    let digest = &cells[..DIGEST_WORDS];
    if call.check_out {
        let have = words(&access::read(mem, pc, call.output, 32, 4, &mut acc)?);
        if let Some(i) = (0..DIGEST_WORDS).find(|&i| have[i] != digest[i]) {
            return Err((
                format!(
                    "poseidon2 check failed: {:#010x} != {:#010x} (word {i} of the digest)",
                    have[i], digest[i]
                ),
                Some(call.output + 4 * i as u64),
            ));
        }
    } else {
        access::write(mem, pc, call.output, &bytes(digest), 4, &mut acc)?;
    }
    if let Some(s) = call.state {
        let state = bytes(&cells[2 * DIGEST_WORDS..]);
        access::write(mem, pc, s, &state, 4, &mut acc)?;
    }
    Ok((cycles(&call), acc))
}
