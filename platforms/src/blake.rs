//! The BLAKE2b and BLAKE3 building blocks of the zkVMs' precompiles:
//! Jolt's `BLAKE2_INLINE`, `BLAKE3_INLINE` and `BLAKE3_KEYED64_INLINE`
//! (compressions) and ZisK's `BLAKE2B_ROUND` (one round).
//!
//! No well-kept crate exposes a bare compression (the `blake2` and `blake3`
//! crates hash messages; their block functions are private or
//! `#[doc(hidden)]`), so these functions are restated here from their
//! specifications and tested against those crates' hashes (a one- or
//! two-block message is one or two compressions).
//!
//! Sources: RFC 7693 §3.2 (BLAKE2b `F`: 12 rounds of `G` with rotations
//! 32/24/16/63 and the SIGMA schedule of §2.7); the BLAKE3 specification
//! §2.2 (7 rounds of `G` with rotations 16/12/8/7, the message permutation
//! `[2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]`).
//! Jolt's operand layout (a16z/jolt @ff9f8c134, `jolt-inlines/blake2/src/sequence_builder.rs`
//! and `exec.rs`, `jolt-inlines/blake3/src/sequence_builder.rs`): see
//! [`blake2b_compress`] and [`blake3_compress`]; ZisK's round
//! (0xPolygonHermez/zisk @6182c8be9, `precompiles/helpers/src/blake2/blake2b/round.rs`):
//! [`blake2b_round`].

/// BLAKE2b's (and SHA-512's) initialization vector (RFC 7693 §2.6).
const BLAKE2B_IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// BLAKE2's message schedule SIGMA (RFC 7693 §2.7); rounds 10 and 11 reuse
/// rows 0 and 1.
const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// The columns then the diagonals of the 4x4 working state, as `G` mixes
/// them (RFC 7693 §3.2; BLAKE3 §2.2 the same).
const MIX: [[usize; 4]; 8] = [
    [0, 4, 8, 12],
    [1, 5, 9, 13],
    [2, 6, 10, 14],
    [3, 7, 11, 15],
    [0, 5, 10, 15],
    [1, 6, 11, 12],
    [2, 7, 8, 13],
    [3, 4, 9, 14],
];

/// One round of `G` on the columns then the diagonals of the working
/// vector `$v`, message words `$m[$s[..]]`, with rotations `$r` (BLAKE2b:
/// 32/24/16/63, BLAKE2s and BLAKE3: 16/12/8/7).
macro_rules! g_round {
    ($v:expr, $m:expr, $s:expr, [$r1:expr, $r2:expr, $r3:expr, $r4:expr]) => {{
        let (v, m, s) = ($v, $m, $s);
        for (i, [a, b, c, d]) in MIX.into_iter().enumerate() {
            let (x, y) = (m[s[2 * i]], m[s[2 * i + 1]]);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
            v[d] = (v[d] ^ v[a]).rotate_right($r1);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right($r2);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
            v[d] = (v[d] ^ v[a]).rotate_right($r3);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right($r4);
        }
    }};
}

/// BLAKE2b's compression `F` as Jolt's `BLAKE2_INLINE` runs it: `state`
/// (8 words, at rs1) is updated in place from `message` (at rs2: 16 words
/// of the block, then the byte counter `t` — its low 64 bits only, the
/// high half taken as 0 — then the final-block flag, non-zero for the last
/// block).
pub fn blake2b_compress(state: &mut [u64; 8], message: &[u64; 18]) {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(state);
    v[8..].copy_from_slice(&BLAKE2B_IV);
    v[12] ^= message[16];
    if message[17] != 0 {
        v[14] = !v[14];
    }
    let m: &[u64; 16] = message[..16].try_into().expect("16 words");
    for round in 0..12 {
        blake2b_round(&mut v, m, round);
    }
    for i in 0..8 {
        state[i] ^= v[i] ^ v[i + 8];
    }
}

/// One round of BLAKE2b's `F` on the working vector `v` (16 words) with
/// the message block `m`: `G` on the columns then the diagonals, message
/// words chosen by SIGMA row `round % 10` (RFC 7693 §3.2). ZisK's
/// `BLAKE2B_ROUND` is this with v and m in memory.
pub fn blake2b_round(v: &mut [u64; 16], m: &[u64; 16], round: u32) {
    g_round!(v, m, &SIGMA[(round % 10) as usize], [32, 24, 16, 63]);
}

/// One round of BLAKE2s on the working vector `v` (16 words) with the
/// message block `m`: `G` with rotations 16/12/8/7 on the columns then the
/// diagonals, message words chosen by SIGMA row `round` (0..10; RFC 7693
/// §3.2 with BLAKE2s's word size and rotations, §2.1). ZKsync Airbender's
/// BLAKE2 delegation runs this.
///
/// Panics if `round` is 10 or more (BLAKE2s has 10 rounds).
pub fn blake2s_round(v: &mut [u32; 16], m: &[u32; 16], round: usize) {
    g_round!(v, m, &SIGMA[round], [16, 12, 8, 7]);
}

/// BLAKE2s's initialization vector (RFC 7693 §2.6), which BLAKE3 uses
/// too (the same words as SHA-256's IV).
pub const BLAKE2S_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// BLAKE3's message permutation, applied between rounds.
const PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

/// BLAKE3 flag bits (BLAKE3 specification, table 3).
pub mod flags {
    /// First block of a chunk.
    pub const CHUNK_START: u32 = 1;
    /// Last block of a chunk.
    pub const CHUNK_END: u32 = 2;
    /// A parent node.
    pub const PARENT: u32 = 4;
    /// The root compression.
    pub const ROOT: u32 = 8;
    /// `keyed_hash` mode.
    pub const KEYED_HASH: u32 = 16;
}

/// BLAKE3's compression, truncated to the new chaining value (the first 8
/// output words), as Jolt's `BLAKE3_INLINE` runs it: `cv` (8 words, at rs1)
/// is replaced by the compression of `block` (at rs2: 16 words, then the
/// 64-bit block counter as two words, low first, then the block length in
/// bytes and the flags).
pub fn blake3_compress(cv: &mut [u32; 8], block: &[u32; 20]) {
    let mut v = [0u32; 16];
    v[..8].copy_from_slice(cv);
    v[8..12].copy_from_slice(&BLAKE2S_IV[..4]);
    v[12..].copy_from_slice(&block[16..]);
    let mut m: [u32; 16] = block[..16].try_into().expect("16 words");
    for round in 0..7 {
        if round > 0 {
            m = std::array::from_fn(|i| m[PERMUTATION[i]]);
        }
        // BLAKE3's G is BLAKE2s's; its schedule permutes m between
        // rounds instead of indexing it by SIGMA (row 0 is the identity).
        blake2s_round(&mut v, &m, 0);
    }
    for i in 0..8 {
        cv[i] = v[i] ^ v[i + 8];
    }
}

/// Jolt's `BLAKE3_KEYED64_INLINE`: `blake3::keyed_hash(key, left || right)`
/// for a 64-byte message — one compression with counter 0, block length
/// 64 and flags `CHUNK_START | CHUNK_END | ROOT | KEYED_HASH`. `key` (at
/// rd) receives the hash.
pub fn blake3_keyed64(key: &mut [u32; 8], left: &[u32; 8], right: &[u32; 8]) {
    let mut block = [0u32; 20];
    block[..8].copy_from_slice(left);
    block[8..16].copy_from_slice(right);
    block[18] = 64;
    block[19] = flags::CHUNK_START | flags::CHUNK_END | flags::ROOT | flags::KEYED_HASH;
    blake3_compress(key, &block);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words64(b: &[u8]) -> Vec<u64> {
        b.chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
    fn words32(b: &[u8]) -> Vec<u32> {
        b.chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    /// BLAKE2b-512 of a message of up to two blocks, by compressions:
    /// h0 = IV ^ 0x01010040 (digest length 64, no key), as RFC 7693 §3.3.
    fn blake2b_512(msg: &[u8]) -> Vec<u8> {
        let mut h = BLAKE2B_IV;
        h[0] ^= 0x0101_0040;
        let blocks: Vec<&[u8]> = if msg.is_empty() {
            vec![&[]]
        } else {
            msg.chunks(128).collect()
        };
        let mut t = 0u64;
        for (i, b) in blocks.iter().enumerate() {
            let mut block = [0u8; 128];
            block[..b.len()].copy_from_slice(b);
            t += b.len() as u64;
            let mut m = [0u64; 18];
            m[..16].copy_from_slice(&words64(&block));
            m[16] = t;
            m[17] = (i + 1 == blocks.len()) as u64;
            blake2b_compress(&mut h, &m);
        }
        h.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn blake2b_compression_gives_rfc_7693_abc_and_the_blake2_crate() {
        use blake2::Digest;
        // RFC 7693 appendix A: BLAKE2b-512("abc").
        let abc: String = blake2b_512(b"abc")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            abc,
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
             7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        );
        for len in [0usize, 1, 64, 127, 128, 129, 200, 256] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(
                blake2b_512(&msg),
                blake2::Blake2b512::digest(&msg).to_vec(),
                "{len} bytes"
            );
        }
    }

    /// BLAKE3 of a message of up to one chunk (1024 bytes), by compressions.
    fn blake3_hash(msg: &[u8], key: Option<&[u8; 32]>) -> Vec<u8> {
        let mut cv: [u32; 8] = match key {
            Some(k) => words32(k).try_into().unwrap(),
            None => BLAKE2S_IV,
        };
        let mode = if key.is_some() { flags::KEYED_HASH } else { 0 };
        let blocks: Vec<&[u8]> = if msg.is_empty() {
            vec![&[]]
        } else {
            msg.chunks(64).collect()
        };
        for (i, b) in blocks.iter().enumerate() {
            let mut bytes = [0u8; 64];
            bytes[..b.len()].copy_from_slice(b);
            let mut block = [0u32; 20];
            block[..16].copy_from_slice(&words32(&bytes));
            block[18] = b.len() as u32;
            let mut f = mode;
            if i == 0 {
                f |= flags::CHUNK_START;
            }
            if i + 1 == blocks.len() {
                f |= flags::CHUNK_END | flags::ROOT;
            }
            block[19] = f;
            blake3_compress(&mut cv, &block);
        }
        cv.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn blake3_compression_gives_the_blake3_crates_hashes() {
        for len in [0usize, 1, 63, 64, 65, 200, 1024] {
            let msg: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            assert_eq!(
                blake3_hash(&msg, None),
                blake3::hash(&msg).as_bytes().to_vec(),
                "{len} bytes"
            );
            let key = [0x42u8; 32];
            assert_eq!(
                blake3_hash(&msg, Some(&key)),
                blake3::keyed_hash(&key, &msg).as_bytes().to_vec(),
                "keyed, {len} bytes"
            );
        }
    }

    #[test]
    fn ten_blake2s_rounds_give_the_blake2_crates_blake2s_256() {
        use blake2::Digest;
        for len in [0usize, 3, 64] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 5 + 1) as u8).collect();
            // One block (RFC 7693 §3.2 F for BLAKE2s): h0 = IV ^ 0x01010020.
            let iv = BLAKE2S_IV;
            let mut h = iv;
            h[0] ^= 0x0101_0020;
            let mut v = [0u32; 16];
            v[..8].copy_from_slice(&h);
            v[8..].copy_from_slice(&iv);
            v[12] ^= len as u32;
            v[14] = !v[14];
            let mut block = [0u8; 64];
            block[..len].copy_from_slice(&msg);
            let m: [u32; 16] = words32(&block).try_into().unwrap();
            for round in 0..10 {
                blake2s_round(&mut v, &m, round);
            }
            let out: Vec<u8> = (0..8)
                .flat_map(|i| (h[i] ^ v[i] ^ v[i + 8]).to_le_bytes())
                .collect();
            assert_eq!(
                out,
                blake2::Blake2s256::digest(&msg).to_vec(),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn keyed64_is_blake3_keyed_hash_of_64_bytes() {
        let key_bytes: Vec<u8> = (0..32).map(|i| i as u8 * 3).collect();
        let msg: Vec<u8> = (0..64).map(|i| 200 - i as u8).collect();
        let mut key: [u32; 8] = words32(&key_bytes).try_into().unwrap();
        let left: [u32; 8] = words32(&msg[..32]).try_into().unwrap();
        let right: [u32; 8] = words32(&msg[32..]).try_into().unwrap();
        blake3_keyed64(&mut key, &left, &right);
        let out: Vec<u8> = key.iter().flat_map(|w| w.to_le_bytes()).collect();
        let expected = blake3::keyed_hash(&key_bytes.clone().try_into().unwrap(), &msg);
        assert_eq!(out, expected.as_bytes().to_vec());
    }
}
