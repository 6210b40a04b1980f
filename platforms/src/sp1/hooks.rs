//! SP1 v6's hooks: a WRITE to a hook fd hands a buffer to the host, whose
//! answer goes to the front of the input stream (one input vector per
//! item, in order), where the guest reads it back with HINT_LEN/HINT_READ
//! and checks it.
//!
//! Facts from succinctlabs/sp1 (6.x, `crates/core/executor/src/hook.rs`,
//! `minimal/write.rs`, `crates/primitives/src/consts.rs` `fd`,
//! `crates/curves/src/edwards/ed25519.rs` `ed25519_sqrt`); the arithmetic
//! is `k256`'s and `p256`'s field and scalar types (ecrecover) and
//! `num-bigint`'s integers (the rest). Where SP1's hook asserts or
//! panics, the result is an error naming the reason (a fault).

use num_bigint::BigUint;
use num_integer::Integer;

/// A hook: the items its answer pushes onto the input stream, first item
/// first. Errors: a buffer SP1's hook refuses.
pub type Hook = fn(&[u8]) -> Result<Vec<Vec<u8>>, String>;

/// The hook fds (`LOWEST_ALLOWED_FD` 10 plus 5..=11), their names and
/// hooks.
pub const HOOKS: [(u64, &str, Hook); 7] = [
    (15, "ecrecover", ecrecover),
    (16, "ed_decompress", ed_decompress),
    (17, "rsa_mul_mod", rsa_mul_mod),
    (18, "bls12_381_sqrt", bls12_381_sqrt),
    (19, "bls12_381_inverse", bls12_381_inverse),
    (20, "fp_sqrt", fp_sqrt),
    (21, "fp_inverse", fp_inverse),
];

/// The name and hook of `fd`, if it is a hook fd.
pub fn find(fd: u64) -> Option<(&'static str, Hook)> {
    HOOKS.iter().find(|h| h.0 == fd).map(|h| (h.1, h.2))
}

/// `val` as `len` big-endian bytes (SP1's `pad_to_be`: the low `len`
/// bytes).
fn pad_to_be(val: &BigUint, len: usize) -> Vec<u8> {
    let mut b = val.to_bytes_le();
    b.resize(len, 0);
    b.reverse();
    b
}

/// `x^(m-2) mod m`, as SP1's hooks invert (Fermat; `m` is taken as given).
fn fermat_inverse(x: &BigUint, m: &BigUint) -> BigUint {
    x.modpow(&(m - 2u32), m)
}

/// ecrecover (fd 15): byte 0 = curve id (1 secp256k1, 2 secp256r1) with
/// bit 7 = r's y parity, then r and alpha (32 bytes each, big-endian field
/// elements). If alpha is a square: `[1]`, its root y with the parity of
/// r's y, and r^-1 mod n; else `[0]` and the root of 3·alpha.
fn ecrecover(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if buf.len() != 65 {
        return Err(format!("ecrecover takes 65 bytes, not {}", buf.len()));
    }
    let odd = buf[0] & 0x80 != 0;
    let r: [u8; 32] = buf[1..33].try_into().expect("32 bytes");
    let alpha: [u8; 32] = buf[33..].try_into().expect("32 bytes");
    let mut nqr = [0u8; 32];
    nqr[31] = 3;
    macro_rules! recover {
        ($c:ident) => {{
            use $c::elliptic_curve::ff::PrimeField;
            let fe = |b: [u8; 32], what: &str| {
                Option::<$c::FieldElement>::from($c::FieldElement::from_bytes(&b.into()))
                    .ok_or(format!("{what} is not a field element below p"))
            };
            let r_fe = fe(r, "r")?;
            let alpha = fe(alpha, "alpha")?;
            if bool::from(alpha.is_zero()) {
                return Err("alpha is zero".into());
            }
            match Option::<$c::FieldElement>::from(alpha.sqrt()) {
                Some(y) => {
                    let y = normalize_parity(y, odd);
                    let r = Option::<$c::Scalar>::from($c::Scalar::from_repr(r_fe.to_bytes()))
                        .ok_or("r is not a scalar below n")?;
                    let r_inv = Option::<$c::Scalar>::from(r.invert()).ok_or("r is zero")?;
                    Ok(vec![
                        vec![1],
                        y.to_bytes().to_vec(),
                        r_inv.to_bytes().to_vec(),
                    ])
                }
                None => {
                    let qr = alpha * fe(nqr, "3")?;
                    let root = Option::<$c::FieldElement>::from(qr.sqrt())
                        .ok_or("3·alpha has no square root")?;
                    Ok(vec![vec![0], root.to_bytes().to_vec()])
                }
            }
        }};
    }
    match buf[0] & 0x7f {
        1 => {
            fn normalize_parity(y: k256::FieldElement, odd: bool) -> k256::FieldElement {
                let y = y.normalize();
                if odd != bool::from(y.is_odd()) {
                    y.negate(1).normalize()
                } else {
                    y
                }
            }
            recover!(k256)
        }
        2 => {
            fn normalize_parity(y: p256::FieldElement, odd: bool) -> p256::FieldElement {
                if odd != bool::from(y.is_odd()) {
                    -y
                } else {
                    y
                }
            }
            recover!(p256)
        }
        id => Err(format!(
            "curve id {id} (SP1 knows 1 secp256k1, 2 secp256r1)"
        )),
    }
}

/// Curve25519's base field prime 2^255 - 19.
fn ed25519_p() -> BigUint {
    (BigUint::from(1u8) << 255u32) - 19u32
}

/// A square root in Curve25519's base field as SP1's `ed25519_sqrt` picks
/// it: `a^((p+3)/8)`, times sqrt(-1) when that squares to -a, the even one
/// of the two roots; `None` for a non-square.
fn ed25519_sqrt(a: &BigUint) -> Option<BigUint> {
    let p = ed25519_p();
    let mut beta = a.modpow(&((&p + 3u32) >> 3u32), &p);
    // sqrt(-1) = 2^((p-1)/4).
    let sqrt_m1 = BigUint::from(2u8).modpow(&((&p - 1u32) >> 2u32), &p);
    let beta2 = &beta * &beta % &p;
    let neg_a = (&p - a % &p) % &p;
    if beta2 == neg_a {
        beta = &beta * &sqrt_m1 % &p;
    }
    if beta2 != *a && beta2 != neg_a {
        return None;
    }
    if beta.is_odd() {
        beta = (&p - &beta) % &p;
    }
    Some(beta)
}

/// ed_decompress (fd 16): y (32 bytes little-endian, the sign bit cleared)
/// then v. `[0]` when y ≥ p; `[1]` when (y² - 1)/v is a square; else
/// `[0]`, v^-1 and the root of 2·(y² - 1)/v (32 bytes little-endian each).
fn ed_decompress(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if buf.len() < 33 {
        return Err(format!(
            "ed_decompress takes y and v, {} bytes given",
            buf.len()
        ));
    }
    let p = ed25519_p();
    let mut yb: [u8; 32] = buf[..32].try_into().expect("32 bytes");
    yb[31] &= 0x7f;
    let y = BigUint::from_bytes_le(&yb);
    if y >= p {
        return Ok(vec![vec![0]]);
    }
    let v = BigUint::from_bytes_le(&buf[32..]);
    if v >= p {
        return Err("v is not a field element below p".into());
    }
    let v_inv = fermat_inverse(&v, &p);
    let u = (&y * &y + &p - 1u32) % &p;
    let u_div_v = &u * &v_inv % &p;
    if ed25519_sqrt(&u_div_v).is_some() {
        return Ok(vec![vec![1]]);
    }
    let root = ed25519_sqrt(&(u_div_v * 2u32 % &p)).ok_or("2·u/v has no square root")?;
    let le32 = |x: &BigUint| {
        let mut b = x.to_bytes_le();
        b.resize(32, 0);
        b
    };
    Ok(vec![vec![0], le32(&v_inv), le32(&root)])
}

/// rsa_mul_mod (fd 17): a product (2·len bytes) and a modulus (len bytes),
/// all little-endian, len 256, 384 or 512: the remainder and the quotient
/// (len bytes each, the quotient's low bytes).
fn rsa_mul_mod(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if ![256, 384, 512].contains(&(buf.len() / 3)) || !buf.len().is_multiple_of(3) {
        return Err(format!(
            "rsa_mul_mod takes 3 × 256, 384 or 512 bytes, not {}",
            buf.len()
        ));
    }
    let len = buf.len() / 3;
    let prod = BigUint::from_bytes_le(&buf[..2 * len]);
    let m = BigUint::from_bytes_le(&buf[2 * len..]);
    if m == BigUint::default() {
        return Err("the modulus is zero".into());
    }
    let (q, rem) = prod.div_rem(&m);
    let (mut rem, mut q) = (rem.to_bytes_le(), q.to_bytes_le());
    rem.resize(len, 0);
    q.resize(len, 0);
    Ok(vec![rem, q])
}

/// BLS12-381's base field prime.
fn bls12_381_p() -> BigUint {
    crate::field::big_hex(crate::field::hex::BLS12_381_P)
}

/// bls12_381_sqrt (fd 18): a field element (48 bytes big-endian). `[1]`
/// and `x^((p+1)/4)` when that is a root; else `[0]` and the root of 2x.
fn bls12_381_sqrt(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if buf.len() < 48 {
        return Err(format!(
            "bls12_381_sqrt takes 48 bytes, {} given",
            buf.len()
        ));
    }
    let x = BigUint::from_bytes_be(&buf[..48]);
    if x == BigUint::default() {
        return Ok(vec![vec![1], vec![0; 48]]);
    }
    let p = bls12_381_p();
    let exp = (&p + 1u32) >> 2u32;
    let root = x.modpow(&exp, &p);
    if &root * &root % &p == x {
        return Ok(vec![vec![1], pad_to_be(&root, 48)]);
    }
    let qr = x * 2u32 % &p;
    let root = qr.modpow(&exp, &p);
    if &root * &root % &p != qr {
        return Err("the element is not below p (2x has no root either)".into());
    }
    Ok(vec![vec![0], pad_to_be(&root, 48)])
}

/// bls12_381_inverse (fd 19): a non-zero field element (48 bytes
/// big-endian); its inverse.
fn bls12_381_inverse(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if buf.len() < 48 {
        return Err(format!(
            "bls12_381_inverse takes 48 bytes, {} given",
            buf.len()
        ));
    }
    let x = BigUint::from_bytes_be(&buf[..48]);
    if x == BigUint::default() {
        return Err("the inverse of zero".into());
    }
    Ok(vec![pad_to_be(&fermat_inverse(&x, &bls12_381_p()), 48)])
}

/// The largest numbers fp_sqrt/fp_inverse take here, bytes: bounds the
/// host's work (Tonelli–Shanks is quadratic in the bits of p).
const FP_MAX_BYTES: usize = 128;

/// The length prefix of fp_sqrt/fp_inverse and the `n` numbers after it
/// (each `len` bytes big-endian).
fn fp_args(buf: &[u8], n: usize, what: &str) -> Result<(usize, Vec<BigUint>), String> {
    let len = buf
        .get(..4)
        .map(|b| u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize)
        .ok_or(format!("{what}: no length"))?;
    if len > FP_MAX_BYTES {
        return Err(format!(
            "{what}: {len}-byte numbers (zkdbg takes at most {FP_MAX_BYTES}: SP1's fields are at most 48)"
        ));
    }
    if Some(buf.len()) != len.checked_mul(n).and_then(|l| l.checked_add(4)) {
        return Err(format!(
            "{what}: {} bytes for {n} numbers of {len} bytes",
            buf.len()
        ));
    }
    Ok((
        len,
        buf[4..]
            .chunks(len.max(1))
            .map(BigUint::from_bytes_be)
            .collect(),
    ))
}

/// fp_inverse (fd 21): length, element, modulus: `x^(m-2) mod m`.
fn fp_inverse(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let (len, v) = fp_args(buf, 2, "fp_inverse")?;
    let (x, m) = (&v[0], &v[1]);
    if *x == BigUint::default() || *m < BigUint::from(2u8) {
        return Err("fp_inverse of zero (or a modulus below 2)".into());
    }
    Ok(vec![pad_to_be(&fermat_inverse(x, m), len)])
}

/// fp_sqrt (fd 20): length, element, modulus, a non-residue. `[1]` and a
/// root of the element, or `[0]` and a root of nqr·element: `x^((p+1)/4)`
/// for p = 3 mod 4, else Tonelli–Shanks from the caller's non-residue.
fn fp_sqrt(buf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let (len, v) = fp_args(buf, 3, "fp_sqrt")?;
    let (x, p, nqr) = (&v[0], &v[1], &v[2]);
    if x >= p || nqr >= p {
        return Err("fp_sqrt takes canonical numbers (below the modulus)".into());
    }
    if *x == BigUint::default() {
        return Ok(vec![vec![1], vec![0; len]]);
    }
    if *p < BigUint::from(3u8) {
        return Err("fp_sqrt: a modulus below 3".into());
    }
    if let Some(root) = sqrt_fp(x, p, nqr) {
        return Ok(vec![vec![1], pad_to_be(&root, len)]);
    }
    let qr = nqr * x % p;
    let root = sqrt_fp(&qr, p, nqr).ok_or("fp_sqrt: neither x nor nqr·x is a square")?;
    Ok(vec![vec![0], pad_to_be(&root, len)])
}

fn sqrt_fp(x: &BigUint, p: &BigUint, nqr: &BigUint) -> Option<BigUint> {
    if p % 4u32 == BigUint::from(3u8) {
        let r = x.modpow(&((p + 1u32) >> 2u32), p);
        return (&r * &r % p == *x).then_some(r);
    }
    tonelli_shanks(x, p, nqr)
}

/// Tonelli–Shanks (Cohen, *A Course in Computational Algebraic Number
/// Theory*, algorithm 1.5.1) with `z` the caller's non-residue.
fn tonelli_shanks(x: &BigUint, p: &BigUint, z: &BigUint) -> Option<BigUint> {
    let one = BigUint::from(1u8);
    if *x == BigUint::default() || x.modpow(&((p - 1u32) >> 1u32), p) != one {
        return None;
    }
    let mut q = p - 1u32;
    let mut s = 0u64;
    while q.is_even() {
        q >>= 1u32;
        s += 1;
    }
    let mut c = z.modpow(&q, p);
    let mut r = x.modpow(&((&q + 1u32) >> 1u32), p);
    let mut t = x.modpow(&q, p);
    let mut m = s;
    while t != one {
        let mut i = 0u64;
        let mut tt = t.clone();
        while tt != one {
            tt = &tt * &tt % p;
            i += 1;
            if i == m {
                return None;
            }
        }
        let b = c.modpow(&(BigUint::from(1u8) << (m - i - 1)), p);
        r = r * &b % p;
        c = &b * &b % p;
        t = t * &c % p;
        m = i;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> BigUint {
        BigUint::parse_bytes(s.as_bytes(), 10).unwrap()
    }

    #[test]
    fn tonelli_shanks_finds_roots_and_refuses_non_squares() {
        // A prime = 1 mod 4 (so Tonelli–Shanks runs): 2^255 - 19, whose
        // non-residue is 2.
        let p = ed25519_p();
        let two = BigUint::from(2u8);
        for x in [4u32, 9, 10, 12345] {
            let x = BigUint::from(x);
            match tonelli_shanks(&x, &p, &two) {
                Some(r) => assert_eq!(&r * &r % &p, x),
                None => assert_ne!(x.modpow(&((&p - 1u32) >> 1u32), &p), BigUint::from(1u8)),
            }
        }
        assert_eq!(tonelli_shanks(&two, &p, &two), None);
    }

    #[test]
    fn fp_hooks_answer_as_sp1s() {
        // secp256k1's p = 3 mod 4: 2 is a square there, 3 is not (SP1's
        // own fixtures in hook.rs).
        let p =
            big("115792089237316195423570985008687907853269984665640564039457584007908834671663");
        let args = |xs: &[&BigUint]| -> Vec<u8> {
            let mut b = 32u32.to_be_bytes().to_vec();
            for x in xs {
                b.extend(pad_to_be(x, 32));
            }
            b
        };
        let three = BigUint::from(3u8);
        let r = fp_sqrt(&args(&[&BigUint::from(2u8), &p, &three])).unwrap();
        assert_eq!(r[0], [1]);
        let root = BigUint::from_bytes_be(&r[1]);
        assert_eq!(&root * &root % &p, BigUint::from(2u8));
        let r = fp_sqrt(&args(&[&three, &p, &three])).unwrap();
        assert_eq!(r[0], [0]);
        let root = BigUint::from_bytes_be(&r[1]);
        assert_eq!(&root * &root % &p, BigUint::from(9u8));
        let inv = fp_inverse(&args(&[&three, &p])).unwrap();
        assert_eq!(
            BigUint::from_bytes_be(&inv[0]) * 3u32 % &p,
            BigUint::from(1u8)
        );
        assert!(fp_inverse(&args(&[&BigUint::default(), &p])).is_err());
        assert!(fp_sqrt(&args(&[&p, &p, &three])).is_err());
        assert!(fp_sqrt(&[0, 0, 0, 32, 1]).is_err());
    }

    #[test]
    fn ecrecover_gives_the_y_of_the_generator_and_r_inverse() {
        use k256::elliptic_curve::sec1::ToEncodedPoint;
        use k256::elliptic_curve::PrimeField;
        // alpha = x^3 + 7 for x = G's x: its root is G's y (even, so parity
        // bit 0), and r^-1 for r = x.
        let g = k256::AffinePoint::GENERATOR.to_encoded_point(false);
        let (x, y) = (g.x().unwrap(), g.y().unwrap());
        let p =
            big("115792089237316195423570985008687907853269984665640564039457584007908834671663");
        let xb = BigUint::from_bytes_be(x);
        let alpha = (&xb * &xb * &xb + 7u32) % &p;
        let mut buf = vec![1u8];
        buf.extend_from_slice(x);
        buf.extend(pad_to_be(&alpha, 32));
        let out = ecrecover(&buf).unwrap();
        assert_eq!(out[0], [1]);
        let y_even = if y[31] & 1 == 0 {
            y.to_vec()
        } else {
            pad_to_be(&(&p - BigUint::from_bytes_be(y)), 32)
        };
        assert_eq!(out[1], y_even);
        let r = k256::Scalar::from_repr(*k256::FieldBytes::from_slice(x)).unwrap();
        assert_eq!(out[2], r.invert().unwrap().to_bytes().to_vec());
        // The odd root with bit 7 set.
        buf[0] |= 0x80;
        let odd = ecrecover(&buf).unwrap();
        assert_eq!(
            (BigUint::from_bytes_be(&odd[1]) + BigUint::from_bytes_be(&out[1])) % &p,
            BigUint::default()
        );
        assert!(ecrecover(&[3; 65]).unwrap_err().contains("curve id 3"));
    }

    #[test]
    fn ed_decompress_and_bls_and_rsa_hooks() {
        // y = 4/5 is the Ed25519 base point's y (RFC 8032 §5.1): u/v is a
        // square, so the answer is [1].
        let p = ed25519_p();
        let y = BigUint::from(4u8) * fermat_inverse(&BigUint::from(5u8), &p) % &p;
        // v = d·y² + 1 with d = -121665/121666.
        let d =
            (&p - BigUint::from(121665u32)) * fermat_inverse(&BigUint::from(121666u32), &p) % &p;
        let v = (&d * &y * &y + 1u32) % &p;
        let le = |x: &BigUint| {
            let mut b = x.to_bytes_le();
            b.resize(32, 0);
            b
        };
        assert_eq!(
            ed_decompress(&[le(&y), le(&v)].concat()).unwrap(),
            [vec![1]]
        );
        // A y of p or more: [0].
        assert_eq!(
            ed_decompress(&[le(&(&p + 1u32)), le(&v)].concat()).unwrap(),
            [vec![0]]
        );
        // BLS12-381: 4 has root 2 (or -2); 1/2 is (p+1)/2.
        let p = bls12_381_p();
        let r = bls12_381_sqrt(&pad_to_be(&BigUint::from(4u8), 48)).unwrap();
        let root = BigUint::from_bytes_be(&r[1]);
        assert_eq!(
            (r[0].clone(), &root * &root % &p),
            (vec![1], BigUint::from(4u8))
        );
        let inv = bls12_381_inverse(&pad_to_be(&BigUint::from(2u8), 48)).unwrap();
        assert_eq!(BigUint::from_bytes_be(&inv[0]), (&p + 1u32) >> 1u32);
        // RSA: 7·9 = 63 = 6·10 + 3 with a 256-byte modulus 10.
        let mut buf = vec![0u8; 768];
        buf[0] = 63;
        buf[512] = 10;
        let out = rsa_mul_mod(&buf).unwrap();
        assert_eq!((out[0][0], out[1][0], out[0].len()), (3, 6, 256));
        assert!(rsa_mul_mod(&[0; 10]).is_err());
    }
}
