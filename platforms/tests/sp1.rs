//! SP1's syscalls and precompiles served directly: known answers (FIPS
//! 180-4's "abc", Keccak-f\[1600\] of the zero state, a 256-bit product),
//! and the faults bad arguments give.

use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{Cpu, CustomKind, EcallResult, Memory, Xlen};
use zkdbg_platforms::sp1::{self, Sp1Device};

const BUF: u64 = 0x1000_0000;

fn setup(inputs: Vec<Vec<u8>>) -> (Sp1Device, Cpu, Memory) {
    let mut mem = Memory::new(Xlen::X64, 1 << 24);
    let d = Sp1Device::install(inputs, [(sp1::STACK_TOP, 0x1000)], None, &mut mem).unwrap();
    (d, Cpu::new(Xlen::X64, sp1::STACK_TOP), mem)
}

/// Makes the call `name` with a0..a2.
fn call(
    d: &mut Sp1Device,
    cpu: &mut Cpu,
    mem: &mut Memory,
    name: &str,
    a: [u64; 3],
) -> EcallResult {
    cpu.x[5] = sp1::syscall_by_name(name).unwrap().code as u64;
    cpu.x[10..13].copy_from_slice(&a);
    d.serve(cpu, mem, &mut |_fd, _bytes, _mem| Ok(()))
}

fn put(mem: &mut Memory, addr: u64, words: &[u64]) {
    let b: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    mem.write_bytes(addr, &b).unwrap();
}

fn get(mem: &Memory, addr: u64, n: usize) -> Vec<u64> {
    let b = mem.read_vec(addr, n * 8).unwrap();
    b.chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn done(r: &EcallResult, kind: CustomKind) {
    assert!(
        matches!(r, EcallResult::Done { kind: k, .. } if *k == kind),
        "{r:?}"
    );
}

fn fault(r: &EcallResult) -> String {
    match r {
        EcallResult::Fault { message, .. } => message.clone(),
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn sha_extend_and_compress_give_fips_abc() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    // "abc" padded to one block (FIPS 180-4 B.1).
    let mut w = [0u64; 64];
    w[0] = 0x6162_6380;
    w[15] = 0x18;
    let (wp, hp) = (BUF, BUF + 64 * 8);
    put(&mut mem, wp, &w);
    let h0 = [
        0x6a09e667u64,
        0xbb67ae85,
        0x3c6ef372,
        0xa54ff53a,
        0x510e527f,
        0x9b05688c,
        0x1f83d9ab,
        0x5be0cd19,
    ];
    put(&mut mem, hp, &h0);
    done(
        &call(&mut d, &mut cpu, &mut mem, "SHA_EXTEND", [wp, 0, 0]),
        CustomKind::Precompile,
    );
    // W[16] of "abc" (FIPS 180-4 example, message schedule).
    assert_eq!(get(&mem, wp + 16 * 8, 1)[0], 0x61626380);
    done(
        &call(&mut d, &mut cpu, &mut mem, "SHA_COMPRESS", [wp, hp, 0]),
        CustomKind::Precompile,
    );
    assert_eq!(
        get(&mem, hp, 8),
        [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61,
            0xf20015ad
        ]
    );
    // SP1 keeps 32-bit values in the low half of each word: high halves
    // of the inputs are ignored.
    put(&mut mem, hp, &h0.map(|h| h | 0xdead_0000_0000_0000));
    done(
        &call(&mut d, &mut cpu, &mut mem, "SHA_COMPRESS", [wp, hp, 0]),
        CustomKind::Precompile,
    );
    assert_eq!(get(&mem, hp, 1)[0], 0xba7816bf);
    assert_eq!(d.ecalls, 3);
}

#[test]
fn keccak_permute_of_the_zero_state() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    put(&mut mem, BUF, &[0; 25]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "KECCAK_PERMUTE", [BUF, 0, 0]),
        CustomKind::Precompile,
    );
    // Keccak-f[1600] of the all-zero state (the Keccak team's test vectors).
    assert_eq!(get(&mem, BUF, 2), [0xF1258F7940E1DDE7, 0x84D5CCF933C0478A]);
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "KECCAK_PERMUTE",
        [BUF, 1, 0],
    ));
    assert_eq!(m, "a1 must be 0, got 0x1");
}

#[test]
fn poseidon2_permutes_sixteen_koala_bear_elements_in_place() {
    // The 8 words hold the u32s 0..16 (low half first, as SP1 casts them).
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    let words: Vec<u64> = (0..8u64).map(|i| ((2 * i + 1) << 32) | (2 * i)).collect();
    put(&mut mem, BUF, &words);
    done(
        &call(&mut d, &mut cpu, &mut mem, "POSEIDON2", [BUF, 0, 0]),
        CustomKind::Precompile,
    );
    let out = get(&mem, BUF, 8);
    // SP1's permutation of [0, 1, ..., 15] (slop-koala-bear 6.10.0's
    // my_kb_16_perm, pinned: a change of constants shows here).
    assert_eq!(out[0], (1336023551 << 32) | 1028402160);
    assert_eq!(out[7], (121831630 << 32) | 1450886773);
    {
        use slop_algebra::{AbstractField, PrimeField32};
        use slop_symmetric::Permutation;
        let input: [slop_koala_bear::KoalaBear; 16] =
            std::array::from_fn(|i| slop_koala_bear::KoalaBear::from_canonical_u32(i as u32));
        let want = slop_koala_bear::my_kb_16_perm().permute(input);
        for i in 0..8 {
            assert_eq!(out[i] as u32, want[2 * i].as_canonical_u32());
            assert_eq!((out[i] >> 32) as u32, want[2 * i + 1].as_canonical_u32());
        }
    }
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "POSEIDON2",
        [BUF + 4, 0, 0],
    ));
    assert!(m.contains("8-byte aligned"), "{m}");
}

#[test]
fn uint256_mul_with_and_without_a_modulus() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    let (x, y) = (BUF, BUF + 0x100);
    // (2^128 + 5) * (2^128 + 7) mod 2^256 = 12 * 2^128 + 35.
    put(&mut mem, x, &[5, 0, 1, 0]);
    put(&mut mem, y, &[7, 0, 1, 0, 0, 0, 0, 0]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "UINT256_MUL", [x, y, 0]),
        CustomKind::Precompile,
    );
    assert_eq!(get(&mem, x, 4), [35, 0, 12, 0]);
    // 10 * 20 mod 7 = 4.
    put(&mut mem, x, &[10, 0, 0, 0]);
    put(&mut mem, y, &[20, 0, 0, 0, 7, 0, 0, 0]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "UINT256_MUL", [x, y, 0]),
        CustomKind::Precompile,
    );
    assert_eq!(get(&mem, x, 4), [4, 0, 0, 0]);
    // (2^256 - 1)^2 mod (2^255 - 19): checked against u128 arithmetic on
    // the identity 2^256 = 38 (mod p), so 2^256 - 1 = 37, 37^2 = 1369.
    put(&mut mem, x, &[u64::MAX; 4]);
    put(
        &mut mem,
        y,
        &[
            u64::MAX,
            u64::MAX,
            u64::MAX,
            u64::MAX,
            u64::MAX - 18,
            u64::MAX,
            u64::MAX,
            u64::MAX >> 1,
        ],
    );
    done(
        &call(&mut d, &mut cpu, &mut mem, "UINT256_MUL", [x, y, 0]),
        CustomKind::Precompile,
    );
    assert_eq!(get(&mem, x, 4), [1369, 0, 0, 0]);
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "UINT256_MUL",
        [x + 4, y, 0],
    ));
    assert!(m.contains("is not 8-byte aligned"), "{m}");
}

#[test]
fn input_vectors_public_values_and_halt() {
    let (mut d, mut cpu, mut mem) = setup(vec![b"hello".to_vec(), vec![1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(cpu.x[5], 5);
    // A length that does not match, then an unaligned buffer, then right.
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "HINT_READ", [BUF, 4, 0]));
    assert_eq!(m, "the guest reads 4 bytes, but input vector 1 is 5 bytes");
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "HINT_READ",
        [BUF + 4, 5, 0],
    ));
    assert!(m.contains("not 8-byte aligned"), "{m}");
    put(&mut mem, BUF, &[u64::MAX; 3]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_READ", [BUF, 5, 0]),
        CustomKind::Syscall,
    );
    // Whole words: the rest of the last word is zero.
    assert_eq!(
        get(&mem, BUF, 2),
        [u64::from_le_bytes(*b"hello\0\0\0"), u64::MAX]
    );
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_READ", [BUF, 9, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(d.inputs_read(), (2, 2));
    // Exhausted: HINT_LEN says u64::MAX, HINT_READ names the vector.
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(cpu.x[5], u64::MAX);
    assert_eq!(d.exhausted_at, Some(3));
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "HINT_READ", [BUF, 1, 0]));
    assert_eq!(
        m,
        "the guest asked for input vector 3, only 2 given (--input)"
    );
    // WRITE to fd 14 pushes a vector; fd 13 is the public values.
    mem.write_bytes(BUF, b"pv!").unwrap();
    done(
        &call(&mut d, &mut cpu, &mut mem, "WRITE", [14, BUF, 2]),
        CustomKind::Syscall,
    );
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(cpu.x[5], 2);
    done(
        &call(&mut d, &mut cpu, &mut mem, "WRITE", [13, BUF, 3]),
        CustomKind::Syscall,
    );
    assert_eq!(d.public_values(), b"pv!");
    // Console output reaches the callback and the event.
    let r = call(&mut d, &mut cpu, &mut mem, "WRITE", [1, BUF, 2]);
    assert!(
        matches!(&r, EcallResult::Done { output: Some((1, b)), .. } if b == b"pv"),
        "{r:?}"
    );
    // A hook's answer goes to the front of the input stream, one vector
    // per item: fp_inverse (fd 21) of 3 mod 7 is 5; fp_sqrt (fd 20) of 2
    // mod 7 is 4 (7 = 3 mod 4: 2^((7+1)/4) = 4), flagged 1 (a root).
    mem.write_bytes(BUF, &[0, 0, 0, 1, 3, 7]).unwrap();
    done(
        &call(&mut d, &mut cpu, &mut mem, "WRITE", [21, BUF, 6]),
        CustomKind::Syscall,
    );
    mem.write_bytes(BUF, &[0, 0, 0, 1, 2, 7, 3]).unwrap();
    done(
        &call(&mut d, &mut cpu, &mut mem, "WRITE", [20, BUF, 7]),
        CustomKind::Syscall,
    );
    for want in [vec![1u8], vec![4], vec![5]] {
        done(
            &call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]),
            CustomKind::Syscall,
        );
        assert_eq!(cpu.x[5], want.len() as u64);
        let at = BUF + 0x100;
        done(
            &call(&mut d, &mut cpu, &mut mem, "HINT_READ", [at, 1, 0]),
            CustomKind::Syscall,
        );
        assert_eq!(mem.read_vec(at, 1).unwrap(), want);
    }
    // A buffer SP1's hook refuses: a fault naming the hook.
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "WRITE", [15, BUF, 2]));
    assert!(
        m.contains("the ecrecover hook (fd 15): ecrecover takes 65 bytes"),
        "{m}"
    );
    // A huge length is refused before anything is read.
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "WRITE",
        [1, BUF, 1 << 40],
    ));
    assert!(m.contains("--memory-limit"), "{m}");
    // COMMIT: eight digest words.
    done(
        &call(&mut d, &mut cpu, &mut mem, "COMMIT", [7, 0xabcd, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(d.digest[7], 0xabcd);
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "COMMIT", [8, 0, 0]));
    assert!(m.contains("a0 = 8"), "{m}");
    assert_eq!(
        call(&mut d, &mut cpu, &mut mem, "HALT", [3, 0, 0]),
        EcallResult::halt("HALT", 3)
    );
}

#[test]
fn unknown_ids_unsupported_calls_and_bad_images_are_named() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    cpu.x[5] = 0x1234;
    let m = fault(&d.serve(&mut cpu, &mut mem, &mut |_, _, _| Ok(())));
    assert_eq!(m, "t0 = 0x1234 is not an SP1 syscall id");
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "MPROTECT", [BUF, 0, 0]));
    assert!(m.contains("not executed by zkdbg yet"), "{m}");
    // (0, 0) is no Ed25519 point: SP1's executor panics there too.
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "ED_ADD", [BUF, BUF, 0]));
    assert!(m.contains("not on the Ed25519 curve"), "{m}");
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "EXIT_UNCONSTRAINED",
        [0, 0, 0],
    ));
    assert!(m.contains("not in an unconstrained block"), "{m}");
    // Pointers outside memory fault with the address.
    let r = call(
        &mut d,
        &mut cpu,
        &mut mem,
        "SHA_EXTEND",
        [(1 << 47) - 8, 0, 0],
    );
    assert!(
        matches!(r, EcallResult::Fault { addr: Some(_), .. }),
        "{r:?}"
    );
    // SP1's loader refuses segments below STACK_TOP.
    let mut m2 = Memory::new(Xlen::X64, 1 << 20);
    let e = Sp1Device::install(vec![], [(0x20_0800, 0x1000)], None, &mut m2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "segment at 0x200800 lies below SP1's STACK_TOP 0x78000000: not an SP1 v6 ELF"
    );
    // Memory is demand-zero read-write everywhere else.
    assert_eq!(mem.perm(0x5000_0000), Some(Perm::RW));
    // The id table has no duplicates.
    let mut codes: Vec<u32> = sp1::SYSCALLS.iter().map(|s| s.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), sp1::SYSCALLS.len());
}

mod curves {
    use super::*;
    use zkdbg_platforms::sp1::field::{self, Field, FieldOp};

    /// A number as little-endian 64-bit words, from big-endian hex.
    fn words(hex: &str, n: usize) -> Vec<u64> {
        let hex = format!("{hex:0>width$}", width = n * 16);
        (0..n)
            .rev()
            .map(|i| u64::from_str_radix(&hex[16 * i..16 * i + 16], 16).unwrap())
            .collect()
    }

    fn be_words(bytes: &[u8]) -> Vec<u64> {
        bytes
            .rchunks(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap()))
            .collect()
    }

    /// k·G on secp256k1 and P-256, from the `k256`/`p256` crates, as SP1
    /// lays points out (x then y, little-endian words).
    fn k256_mul(k: u64) -> Vec<u64> {
        use k256::elliptic_curve::sec1::ToEncodedPoint;
        let p = (k256::ProjectivePoint::GENERATOR * k256::Scalar::from(k)).to_affine();
        let e = p.to_encoded_point(false);
        [be_words(e.x().unwrap()), be_words(e.y().unwrap())].concat()
    }

    fn p256_mul(k: u64) -> Vec<u64> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let p = (p256::ProjectivePoint::GENERATOR * p256::Scalar::from(k)).to_affine();
        let e = p.to_encoded_point(false);
        [be_words(e.x().unwrap()), be_words(e.y().unwrap())].concat()
    }

    #[test]
    fn secp256k1_and_p256_agree_with_rustcrypto() {
        for (f, mul) in [
            (Field::Secp256k1, k256_mul as fn(u64) -> Vec<u64>),
            (Field::Secp256r1, p256_mul),
        ] {
            let (g, g2, g3, g5) = (mul(1), mul(2), mul(3), mul(5));
            assert_eq!(field::ec_double(f, &g).unwrap(), g2, "{f:?}");
            assert_eq!(field::ec_add(f, &g, &g2).unwrap(), g3, "{f:?}");
            assert_eq!(field::ec_add(f, &g3, &g2).unwrap(), g5, "{f:?}");
            // Equal points are doubled, as SP1's helper does.
            assert_eq!(field::ec_add(f, &g, &g).unwrap(), g2, "{f:?}");
            // P + (-P) has no affine result.
            let n = f.words();
            let neg = [
                g[..n].to_vec(),
                field::fp_op(f, FieldOp::Sub, &vec![0; n], &g[n..]),
            ]
            .concat();
            assert!(field::ec_add(f, &g, &neg).unwrap_err().contains("equal x"));
        }
    }

    /// On y^2 = x^3 + b.
    fn on_curve(f: Field, p: &[u64], b: u64) -> bool {
        let n = f.words();
        let (x, y) = (&p[..n], &p[n..]);
        let mut bw = vec![0; n];
        bw[0] = b;
        let y2 = field::fp_op(f, FieldOp::Mul, y, y);
        let x2 = field::fp_op(f, FieldOp::Mul, x, x);
        let x3 = field::fp_op(f, FieldOp::Mul, &x2, x);
        y2 == field::fp_op(f, FieldOp::Add, &x3, &bw)
    }

    #[test]
    fn bn254_and_bls12_381_groups_are_consistent() {
        // BN254 G1 generator (1, 2) and 2G (EIP-196 test vectors).
        let g = [words("1", 4), words("2", 4)].concat();
        let g2 = field::ec_double(Field::Bn254, &g).unwrap();
        assert_eq!(
            g2,
            [
                words(
                    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3",
                    4
                ),
                words(
                    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4",
                    4
                )
            ]
            .concat()
        );
        // BLS12-381 G1 generator (the IETF pairing-friendly-curves draft).
        let f = Field::Bls12381;
        let g = [
            words("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb", 6),
            words("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1", 6),
        ]
        .concat();
        assert!(on_curve(f, &g, 4));
        let g2 = field::ec_double(f, &g).unwrap();
        let g3 = field::ec_add(f, &g2, &g).unwrap();
        let g4 = field::ec_double(f, &g2).unwrap();
        assert!(on_curve(f, &g2, 4) && on_curve(f, &g3, 4) && on_curve(f, &g4, 4));
        assert_eq!(field::ec_add(f, &g3, &g).unwrap(), g4, "3G + G = 2(2G)");
        assert_ne!(g2, g3);
    }

    #[test]
    fn field_and_extension_arithmetic() {
        let p_minus_1 = words(
            "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46",
            4,
        );
        let one = words("1", 4);
        let two = words("2", 4);
        let zero = words("0", 4);
        let f = Field::Bn254;
        assert_eq!(field::fp_op(f, FieldOp::Add, &p_minus_1, &two), one);
        assert_eq!(field::fp_op(f, FieldOp::Sub, &zero, &one), p_minus_1);
        assert_eq!(field::fp_op(f, FieldOp::Mul, &p_minus_1, &p_minus_1), one);
        // Inputs above p are reduced first (as SP1 does): 2^256 - 1.
        let big = words(&"f".repeat(64), 4);
        let r = field::fp_op(f, FieldOp::Add, &big, &zero);
        assert_eq!(field::fp_op(f, FieldOp::Sub, &big, &r), zero);
        // (1 + i)(1 - i) = 2 and i * i = -1 in Fp2.
        let a = [one.clone(), one.clone()].concat();
        let b = [one.clone(), p_minus_1.clone()].concat();
        assert_eq!(
            field::fp2_op(f, FieldOp::Mul, &a, &b),
            [two.clone(), zero.clone()].concat()
        );
        let i = [zero.clone(), one.clone()].concat();
        assert_eq!(
            field::fp2_op(f, FieldOp::Mul, &i, &i),
            [p_minus_1.clone(), zero.clone()].concat()
        );
        assert_eq!(
            field::fp2_op(f, FieldOp::Sub, &a, &a),
            [zero.clone(), zero.clone()].concat()
        );
    }

    /// Ed25519's base point B (RFC 8032 §5.1), x then y.
    fn ed_base() -> Vec<u64> {
        let x = "216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a";
        let y = "6666666666666666666666666666666666666666666666666666666666666658";
        [words(x, 4), words(y, 4)].concat()
    }

    /// A point's compressed encoding (y with x's parity on top), as
    /// curve25519-dalek writes it.
    fn ed_compress(p: &[u64]) -> [u8; 32] {
        let mut b = [0u8; 32];
        for (i, w) in p[4..8].iter().enumerate() {
            b[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
        }
        b[31] |= ((p[0] & 1) as u8) << 7;
        b
    }

    #[test]
    fn ed25519_agrees_with_curve25519_dalek() {
        use curve25519_dalek::{constants::ED25519_BASEPOINT_POINT as B, Scalar};
        let base = ed_base();
        assert_eq!(ed_compress(&base), B.compress().to_bytes());
        // k·B by repeated ED_ADD (doubling included) against dalek's.
        let mut acc = base.clone();
        for k in 2u64..=12 {
            acc = field::ed_add(&acc, &base).unwrap();
            let want = (B * Scalar::from(k)).compress().to_bytes();
            assert_eq!(ed_compress(&acc), want, "{k}·B");
            // Decompression gives x back from y and the sign.
            let x = field::ed_decompress(&acc[4..8], acc[0] & 1 == 1).unwrap();
            assert_eq!(x, acc[..4].to_vec(), "{k}·B");
        }
        let doubled = field::ed_add(&base, &base).unwrap();
        assert_eq!(ed_compress(&doubled), (B + B).compress().to_bytes());
        // The neutral element (0, 1).
        let neutral = [0, 0, 0, 0, 1, 0, 0, 0];
        assert_eq!(field::ed_add(&base, &neutral).unwrap(), base);
        // Off the curve; a y with no point.
        let mut off = base.clone();
        off[0] ^= 2;
        assert!(field::ed_add(&off, &base)
            .unwrap_err()
            .contains("not on the Ed25519 curve"));
        assert!(field::ed_decompress(&[2, 0, 0, 0], false).is_err());
    }

    #[test]
    fn precompiles_through_the_device() {
        let (mut d, mut cpu, mut mem) = setup(vec![]);
        let (p, q) = (BUF, BUF + 0x100);
        put(&mut mem, p, &k256_mul(1));
        put(&mut mem, q, &k256_mul(2));
        done(
            &call(&mut d, &mut cpu, &mut mem, "SECP256K1_ADD", [p, q, 0]),
            CustomKind::Precompile,
        );
        assert_eq!(get(&mem, p, 8), k256_mul(3));
        done(
            &call(&mut d, &mut cpu, &mut mem, "SECP256K1_DOUBLE", [p, 0, 0]),
            CustomKind::Precompile,
        );
        assert_eq!(get(&mem, p, 8), k256_mul(6));
        let m = fault(&call(
            &mut d,
            &mut cpu,
            &mut mem,
            "SECP256K1_DECOMPRESS",
            [p, 1, 0],
        ));
        assert!(m.contains("no longer executes"), "{m}");
        put(&mut mem, p, &[7, 0, 0, 0]);
        put(&mut mem, q, &[6, 0, 0, 0]);
        done(
            &call(&mut d, &mut cpu, &mut mem, "BN254_FP_MUL", [p, q, 0]),
            CustomKind::Precompile,
        );
        assert_eq!(get(&mem, p, 4), [42, 0, 0, 0]);
        let m = fault(&call(
            &mut d,
            &mut cpu,
            &mut mem,
            "BLS12381_ADD",
            [p + 1, q, 0],
        ));
        assert!(m.contains("not 8-byte aligned"), "{m}");
        // ED_DECOMPRESS: y at a0 + 32, x written at a0; ED_ADD.
        let b = ed_base();
        put(&mut mem, p, &[0, 0, 0, 0]);
        put(&mut mem, p + 32, &b[4..8]);
        done(
            &call(&mut d, &mut cpu, &mut mem, "ED_DECOMPRESS", [p, 0, 0]),
            CustomKind::Precompile,
        );
        assert_eq!(get(&mem, p, 8), b);
        put(&mut mem, q, &b);
        done(
            &call(&mut d, &mut cpu, &mut mem, "ED_ADD", [p, q, 0]),
            CustomKind::Precompile,
        );
        assert_eq!(get(&mem, p, 8), field::ed_add(&b, &b).unwrap());
        let m = fault(&call(
            &mut d,
            &mut cpu,
            &mut mem,
            "ED_DECOMPRESS",
            [p, 2, 0],
        ));
        assert!(m.contains("sign bit 2"), "{m}");
    }
}

#[test]
fn uint256_add_and_mul_with_carry() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    let (a, b, c, lo, hi) = (BUF, BUF + 0x40, BUF + 0x80, BUF + 0xc0, BUF + 0x100);
    let max = [u64::MAX; 4];
    put(&mut mem, a, &max);
    put(&mut mem, b, &max);
    put(&mut mem, c, &max);
    let call5 = |d: &mut Sp1Device, cpu: &mut Cpu, mem: &mut Memory, name: &str| {
        cpu.x[13] = lo;
        cpu.x[14] = hi;
        call(d, cpu, mem, name, [a, b, c])
    };
    // (2^256-1) * 3 = 2^257 + 2^256 - 3: low 2^256 - 3, high 2.
    done(
        &call5(&mut d, &mut cpu, &mut mem, "UINT256_ADD_CARRY"),
        CustomKind::Precompile,
    );
    assert_eq!(
        get(&mem, lo, 4),
        [u64::MAX - 2, u64::MAX, u64::MAX, u64::MAX]
    );
    assert_eq!(get(&mem, hi, 4), [2, 0, 0, 0]);
    // (2^256-1)^2 + (2^256-1) = 2^512 - 2^256: low 0, high 2^256 - 1.
    done(
        &call5(&mut d, &mut cpu, &mut mem, "UINT256_MUL_CARRY"),
        CustomKind::Precompile,
    );
    assert_eq!(get(&mem, lo, 4), [0, 0, 0, 0]);
    assert_eq!(get(&mem, hi, 4), max);
    let m = fault(&call(
        &mut d,
        &mut cpu,
        &mut mem,
        "U256XU2048_MUL",
        [a, b, 0],
    ));
    assert!(m.contains("no longer executes"), "{m}");
}

/// SP1 v5 (RV32): 32-bit words in the SHA schedule and state, 4-byte
/// aligned pointers, `u32::MAX` from an exhausted HINT_LEN.
#[test]
fn sp1_v5_uses_32_bit_words() {
    let mut mem = Memory::new(Xlen::X32, 1 << 24);
    let mut d = Sp1Device::install(vec![], [(0x20_0800, 0x1000)], None, &mut mem).unwrap();
    let mut cpu = Cpu::new(Xlen::X32, 0x20_0800);
    assert_eq!(d.version(), 5);
    let (wp, hp) = (BUF + 4, BUF + 4 + 64 * 4);
    let mut w = [0u32; 64];
    w[0] = 0x6162_6380;
    w[15] = 0x18;
    let wb: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    mem.write_bytes(wp, &wb).unwrap();
    let h0: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let hb: Vec<u8> = h0.iter().flat_map(|x| x.to_le_bytes()).collect();
    mem.write_bytes(hp, &hb).unwrap();
    done(
        &call(&mut d, &mut cpu, &mut mem, "SHA_EXTEND", [wp, 0, 0]),
        CustomKind::Precompile,
    );
    done(
        &call(&mut d, &mut cpu, &mut mem, "SHA_COMPRESS", [wp, hp, 0]),
        CustomKind::Precompile,
    );
    let out: Vec<u32> = mem
        .read_vec(hp, 32)
        .unwrap()
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        out,
        [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61,
            0xf20015ad
        ]
    );
    done(
        &call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(cpu.x[5], u32::MAX as u64);
    assert_eq!(d.clk(100), None, "v5's clk is per shard");
}

/// An unconstrained block: ENTER returns 1 in t0 and saves the hart and
/// memory; inside, only WRITE and EXIT are allowed; EXIT restores both,
/// returns 0, goes on after ENTER; the block's hints stay.
#[test]
fn unconstrained_blocks_roll_back_all_but_hints() {
    let (mut d, mut cpu, mut mem) = setup(vec![]);
    cpu.pc = 0x7800_1000;
    cpu.x[8] = 77;
    cpu.instret = 100;
    put(&mut mem, BUF, &[1, 2, 3]);
    done(
        &call(&mut d, &mut cpu, &mut mem, "ENTER_UNCONSTRAINED", [0, 0, 0]),
        CustomKind::Syscall,
    );
    assert_eq!(cpu.x[5], 1);
    // The block scribbles over memory and registers, and hints.
    cpu.pc = 0x7800_2000;
    cpu.instret = 150;
    cpu.x[8] = 5;
    put(&mut mem, BUF, &[9, 9, 9]);
    mem.write_bytes(BUF + 0x100, b"hint").unwrap();
    let r = call(&mut d, &mut cpu, &mut mem, "WRITE", [14, BUF + 0x100, 4]);
    assert!(matches!(r, EcallResult::Done { .. }), "{r:?}");
    let m = fault(&call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]));
    assert!(
        m.contains("not allow this syscall in an unconstrained block"),
        "{m}"
    );
    let r = call(&mut d, &mut cpu, &mut mem, "EXIT_UNCONSTRAINED", [0, 0, 0]);
    assert_eq!(
        r,
        EcallResult::Jump {
            name: "EXIT_UNCONSTRAINED",
            to: 0x7800_1004
        }
    );
    assert_eq!((cpu.x[5], cpu.x[8]), (0, 77));
    assert_eq!(get(&mem, BUF, 3), [1, 2, 3], "memory rolled back");
    // The hint stays: HINT_LEN sees it.
    call(&mut d, &mut cpu, &mut mem, "HINT_LEN", [0, 0, 0]);
    assert_eq!(cpu.x[5], 4);
    // clk: as if ENTER alone ran (the block and EXIT are not counted):
    // 100 instructions, ENTER, HINT_LEN; the block's 50 instructions
    // still count as instructions (SP1 6.10.0's global_clk).
    assert_eq!(d.clk(152).unwrap(), 1 + 8 * 102 + 256 * 2);
}
