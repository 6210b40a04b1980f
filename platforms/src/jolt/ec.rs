//! The arithmetic behind Jolt's elliptic-curve inlines (secp256k1, P-256
//! and grumpkin): what each leaves in memory for its operands.
//!
//! Source: a16z/jolt @ff9f8c134, `jolt-inlines/{secp256k1,p256,grumpkin}/src/`
//! (`lib.rs` for the codes, `sequence_builder.rs` for the operands and the
//! advice each sequence consumes, `glv.rs`/`fake_glv.rs` for the
//! decompositions) and `jolt-inlines/sdk/src/host.rs` (`mulq_quotient_advice`,
//! `mulq_division_advice`). Facts restated, not code:
//!
//! - **MULQ/SQUAREQ/MULR/SQUARER** (secp256k1, P-256): `a` (4 little-endian
//!   64-bit words at rs1) times `b` (at rs2; `a` for squares) as integers;
//!   the prover advises `w = ab / m` and the sequence stores `c = ab - wm`
//!   at rd. Any 256-bit `a`, `b` work while `w` fits in 256 bits (else
//!   Jolt's host panics: a fault here).
//! - **DIVQ/DIVR**: the advice is `c = (a mod m) / (b mod m)` and
//!   `w = bc / m`; the sequence checks `bc - wm == a` — true only for
//!   `a < m`, so an unreduced dividend fails the check (a fault here, as
//!   `VirtualAssertEQ` stops Jolt's tracer); a zero divisor makes Jolt's
//!   host panic (a fault).
//! - **GRUMPKIN_DIVQ_ADV/DIVR_ADV**: pure advice on arkworks' Montgomery
//!   representations (the guest SDK passes its field elements' internal
//!   words): `a`, `b` stand for `aR^-1`, `bR^-1` (`R = 2^256 mod m`), and
//!   the result is the representation of their quotient, `a b^-1 R mod m`;
//!   0 for a zero divisor.
//! - **GLVR_ADV** (secp256k1, grumpkin): `k = k1 + k2 λ (mod r)` with
//!   `|k1|, |k2| < 2^128`, written as 6 words `[k1 < 0, |k1| lo, hi, k2 < 0,
//!   |k2| lo, hi]`. The secp256k1 one reads `k mod r`, grumpkin's a
//!   Montgomery representation (`k R^-1 mod r`).
//! - **P256_FAKE_GLV_ADV**: for `s` (at rs1, taken mod n) and a point P
//!   (x then y at rs2, each mod p; it must be on the curve), 14 words:
//!   `s P` (x, y; zeros for the point at infinity), then `a` and `b` with
//!   `b s = a (mod n)` from the half-GCD of (n, s) stopped below `isqrt(n)`,
//!   each as `[|v| lo, |v| hi, v < 0]`.
//!
//! Integers are `num-bigint`'s; the curve multiplication is the `p256`
//! crate's.

use crate::field::{big_hex, big_le};
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;

/// A modulus of one of the curves' fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modulus {
    /// secp256k1's base field p (SEC 2 §2.4.1).
    Secp256k1Q,
    /// secp256k1's group order n.
    Secp256k1R,
    /// P-256's base field p (SEC 2 §2.4.2).
    P256Q,
    /// P-256's group order n.
    P256R,
    /// grumpkin's base field (BN254's scalar field).
    GrumpkinQ,
    /// grumpkin's scalar field (BN254's base field).
    GrumpkinR,
}

impl Modulus {
    /// The modulus as an integer.
    pub fn value(self) -> BigUint {
        use crate::field::hex::*;
        big_hex(match self {
            Modulus::Secp256k1Q => SECP256K1_P,
            Modulus::Secp256k1R => SECP256K1_N,
            Modulus::P256Q => SECP256R1_P,
            Modulus::P256R => SECP256R1_N,
            Modulus::GrumpkinQ => BN254_R,
            Modulus::GrumpkinR => BN254_P,
        })
    }
}

/// What a field inline computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOp {
    /// `ab mod m` (MULQ, MULR).
    Mul,
    /// `a^2 mod m` (SQUAREQ, SQUARER).
    Square,
    /// `a / b mod m`, checked (DIVQ, DIVR).
    Div,
    /// grumpkin's advice division on Montgomery representations.
    MontgomeryDiv,
}

/// Which curve's GLV decomposition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glv {
    /// secp256k1 (the basis of libsecp256k1, as Jolt's `glv.rs` lists it).
    Secp256k1,
    /// grumpkin (arkworks' basis for it, as Jolt's `glv.rs` lists it).
    Grumpkin,
}

/// The low 4 words of `n`; `None` when it does not fit.
fn to_words4(n: &BigUint) -> Option<[u64; 4]> {
    let d = n.to_u64_digits();
    (d.len() <= 4).then(|| std::array::from_fn(|i| d.get(i).copied().unwrap_or(0)))
}

/// `R = 2^256 mod m`, arkworks' Montgomery radix for these 4-word fields.
fn radix(m: &BigUint) -> BigUint {
    (BigUint::from(1u8) << 256u32) % m
}

/// A field inline on `a` (rs1) and `b` (rs2): the 4 words it stores at rd.
///
/// Errors: where Jolt's host panics or its sequence's check fails (see the
/// module docs), with the reason.
pub fn field_op(op: FieldOp, m: Modulus, a: &[u64; 4], b: &[u64; 4]) -> Result<[u64; 4], String> {
    let q = m.value();
    let (a, b) = (big_le(a), big_le(b));
    let wide = |x: &BigUint, y: &BigUint| -> Result<[u64; 4], String> {
        let p = x * y;
        let w = &p / &q;
        if to_words4(&w).is_none() {
            return Err(
                "the quotient advice does not fit in 256 bits (unreduced operands; Jolt's host panics)"
                    .into(),
            );
        }
        Ok(to_words4(&(p - w * &q)).expect("a remainder fits"))
    };
    match op {
        FieldOp::Mul => wide(&a, &b),
        FieldOp::Square => wide(&a, &a),
        FieldOp::Div => {
            let inv = (&b % &q)
                .modinv(&q)
                .ok_or("division by zero (Jolt's host panics: no inverse of 0)")?;
            let c = (&a % &q) * inv % &q;
            let w = (&b * &c) / &q;
            if to_words4(&w).is_none() {
                return Err(
                    "the quotient advice does not fit in 256 bits (unreduced divisor; Jolt's host panics)"
                        .into(),
                );
            }
            if &b * &c - w * &q != a {
                return Err(format!(
                    "VirtualAssertEQ failed: the dividend is not reduced modulo {:#x}",
                    q
                ));
            }
            Ok(to_words4(&c).expect("c < m"))
        }
        FieldOp::MontgomeryDiv => {
            let r = radix(&q);
            let c = match (&b % &q).modinv(&q) {
                Some(inv) => a * inv % &q * r % &q,
                None => BigUint::default(),
            };
            Ok(to_words4(&c).expect("c < m"))
        }
    }
}

/// `sign, |v| lo, |v| hi` of a decomposition half; `None` when `|v|` needs
/// more than 128 bits.
fn signed128(v: &BigInt) -> Option<(bool, u64, u64)> {
    let d = v.magnitude().to_u64_digits();
    (d.len() <= 2).then(|| {
        (
            v.sign() == Sign::Minus,
            d.first().copied().unwrap_or(0),
            d.get(1).copied().unwrap_or(0),
        )
    })
}

/// `round(k c / r)`, halves rounded down (Jolt's `rounded_div`).
fn rounded_div(k: &BigInt, c: &BigInt, r: &BigInt) -> BigInt {
    let (d, rem) = (k * c).div_rem(r);
    if &rem + &rem > *r {
        d + 1
    } else {
        d
    }
}

fn hex_int(s: &str) -> BigInt {
    BigInt::parse_bytes(s.as_bytes(), 16).expect("a hex constant")
}

/// The GLV decomposition inline on the scalar's 4 words: the 6 words it
/// stores at rd.
///
/// Errors: a half that needs more than 128 bits (Jolt's grumpkin host
/// asserts; it cannot happen for a reduced scalar).
pub fn glv(curve: Glv, k: &[u64; 4]) -> Result<[u64; 6], String> {
    let (k1, k2) = match curve {
        Glv::Secp256k1 => {
            let r = Modulus::Secp256k1R.value();
            let k = BigInt::from(big_le(k) % &r);
            let r = BigInt::from(r);
            // libsecp256k1's lattice basis (a1, b1, a2), from Jolt's
            // `jolt-inlines/secp256k1/src/glv.rs` (little-endian bytes there).
            let a1 = hex_int("3086d221a7d46bcde86c90e49284eb15");
            let b1 = hex_int("e4437ed6010e88286f547fa90abfe4c3");
            let a2 = hex_int("114ca50f7a8e2f3f657c1108d9d44cfd8");
            let beta1 = rounded_div(&k, &a1, &r);
            let beta2 = rounded_div(&k, &b1, &r);
            (
                &k - &beta1 * &a1 - &beta2 * &a2,
                &beta1 * &b1 - &beta2 * &a1,
            )
        }
        Glv::Grumpkin => {
            let m = Modulus::GrumpkinR.value();
            let r_inv = radix(&m).modinv(&m).expect("R is invertible");
            let k = BigInt::from(big_le(k) * r_inv % &m);
            let r = BigInt::from(m);
            // arkworks' basis for grumpkin, from Jolt's
            // `jolt-inlines/grumpkin/src/glv.rs`: n11, n12 = -n21, n22.
            let n11 = hex_int("6f4d8248eeb859fc8211bbeb7d4f1129");
            let n21 = hex_int("89d3256894d213e2");
            let n12 = -n21.clone();
            let n22 = hex_int("6f4d8248eeb859fd0be4e1541221250b");
            let beta1 = rounded_div(&k, &n22, &r);
            let beta2 = rounded_div(&k, &n21, &r);
            (
                &k - &beta1 * &n11 - &beta2 * &n21,
                -(&beta1 * &n12 + &beta2 * &n22),
            )
        }
    };
    let half = |v: &BigInt| {
        signed128(v).ok_or_else(|| {
            "GLV decomposition produced a half wider than 128 bits (Jolt's host asserts)"
                .to_string()
        })
    };
    let ((s1, l1, h1), (s2, l2, h2)) = (half(&k1)?, half(&k2)?);
    Ok([s1 as u64, l1, h1, s2 as u64, l2, h2])
}

/// `P256_FAKE_GLV_ADV` on the scalar's 4 words and the point's 8 (x then
/// y): the 14 words it stores at rd.
///
/// Errors: a point not on P-256 (Jolt's host asserts).
pub fn p256_fake_glv(s: &[u64; 4], point: &[u64; 8]) -> Result<[u64; 14], String> {
    use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
    use p256::elliptic_curve::PrimeField;
    let n = Modulus::P256R.value();
    let p = Modulus::P256Q.value();
    let s = big_le(s) % &n;
    let be32 = |v: &BigUint| -> [u8; 32] {
        let b = v.to_bytes_be();
        let mut out = [0u8; 32];
        out[32 - b.len()..].copy_from_slice(&b);
        out
    };
    let x = big_le(&point[..4]) % &p;
    let y = big_le(&point[4..]) % &p;
    let encoded =
        p256::EncodedPoint::from_affine_coordinates(&be32(&x).into(), &be32(&y).into(), false);
    let affine = Option::<p256::AffinePoint>::from(p256::AffinePoint::from_encoded_point(&encoded))
        .ok_or_else(|| format!("({x:#x}, {y:#x}) is not a point of P-256 (Jolt's host asserts)"))?;
    let scalar =
        Option::<p256::Scalar>::from(p256::Scalar::from_repr(be32(&s).into())).expect("s < n");
    let r = (p256::ProjectivePoint::from(affine) * scalar).to_affine();
    let mut out = [0u64; 14];
    let enc = r.to_encoded_point(false);
    if let (Some(rx), Some(ry)) = (enc.x(), enc.y()) {
        out[..4].copy_from_slice(&crate::field::words_from_be(rx));
        out[4..8].copy_from_slice(&crate::field::words_from_be(ry));
    }
    // The half-GCD of (n, s): extended Euclid on remainders u with
    // cofactors v (v s = u mod n), stopped at the first |u| < isqrt(n).
    let n = BigInt::from(n);
    let sqrt_n = n.sqrt();
    let (mut old_u, mut u) = (n, BigInt::from(s));
    let (mut old_v, mut v) = (BigInt::from(0), BigInt::from(1));
    while u.magnitude() >= sqrt_n.magnitude() {
        let q = &old_u / &u;
        let next_u = &old_u - &q * &u;
        let next_v = &old_v - &q * &v;
        old_u = std::mem::replace(&mut u, next_u);
        old_v = std::mem::replace(&mut v, next_v);
    }
    for (i, val) in [u, v].iter().enumerate() {
        // Both are at most isqrt(n) < 2^128 (|v_i| |u_(i-1)| <= n).
        let (neg, lo, hi) = signed128(val).ok_or("half-GCD produced a half wider than 128 bits")?;
        out[8 + 3 * i..11 + 3 * i].copy_from_slice(&[lo, hi, neg as u64]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic 256-bit test scalars.
    fn scalars() -> Vec<[u64; 4]> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..64)
            .map(|_| {
                std::array::from_fn(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x
                })
            })
            .collect()
    }

    fn signed(neg: u64, lo: u64, hi: u64) -> BigInt {
        let v = BigInt::from(big_le(&[lo, hi]));
        if neg == 1 {
            -v
        } else {
            v
        }
    }

    /// `k1 + k2 λ = k (mod r)` with both halves below 2^128, for the
    /// curves' endomorphism eigenvalues: secp256k1's λ (libsecp256k1,
    /// `secp256k1_const_lambda`) and grumpkin's (BN254's cube root of
    /// unity β modulo grumpkin's r).
    #[test]
    fn glv_halves_recombine_to_the_scalar() {
        let cases = [
            (
                Glv::Secp256k1,
                Modulus::Secp256k1R,
                "5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72",
            ),
            (
                Glv::Grumpkin,
                Modulus::GrumpkinR,
                "30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48",
            ),
        ];
        for (curve, m, lambda) in cases {
            let r = BigInt::from(m.value());
            let lambda = hex_int(lambda);
            assert_eq!(lambda.modpow(&BigInt::from(3), &r), BigInt::from(1));
            for k in scalars() {
                let w = glv(curve, &k).unwrap();
                let (k1, k2) = (signed(w[0], w[1], w[2]), signed(w[3], w[4], w[5]));
                let mut k = BigInt::from(big_le(&k));
                if curve == Glv::Grumpkin {
                    // The operand is a Montgomery representation.
                    let m = m.value();
                    let r_inv = radix(&m).modinv(&m).unwrap();
                    k = BigInt::from(big_le(&k.to_u64_digits().1) * r_inv);
                }
                assert_eq!((k1 + k2 * &lambda - k).mod_floor(&r), BigInt::from(0));
            }
        }
    }

    #[test]
    fn division_times_divisor_is_the_dividend() {
        for m in [
            Modulus::Secp256k1Q,
            Modulus::Secp256k1R,
            Modulus::P256Q,
            Modulus::P256R,
        ] {
            let q = m.value();
            for pair in scalars().chunks(2) {
                let a = to_words4(&(big_le(&pair[0]) % &q)).unwrap();
                let c = field_op(FieldOp::Div, m, &a, &pair[1]).unwrap();
                let back = field_op(FieldOp::Mul, m, &c, &pair[1]).unwrap();
                assert_eq!(back, a, "{m:?}");
            }
        }
    }

    /// 2G of P-256 (NIST's point multiplication vectors, k = 2), and the
    /// half-GCD's `b s = a (mod n)` with both below 2^128.
    #[test]
    fn p256_fake_glv_multiplies_and_decomposes() {
        let g = [
            0xf4a13945d898c296,
            0x77037d812deb33a0,
            0xf8bce6e563a440f2,
            0x6b17d1f2e12c4247,
            0xcbb6406837bf51f5,
            0x2bce33576b315ece,
            0x8ee7eb4a7c0f9e16,
            0x4fe342e2fe1a7f9b,
        ];
        let out = p256_fake_glv(&[2, 0, 0, 0], &g).unwrap();
        assert_eq!(
            format!("{:x}", big_le(&out[..4])),
            "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978"
        );
        assert_eq!(
            format!("{:x}", big_le(&out[4..8])),
            "7775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1"
        );
        let n = BigInt::from(Modulus::P256R.value());
        for s in scalars() {
            let out = p256_fake_glv(&s, &g).unwrap();
            let a = signed(out[10], out[8], out[9]);
            let b = signed(out[13], out[11], out[12]);
            let s = BigInt::from(big_le(&s));
            assert_eq!((b * s - a).mod_floor(&n), BigInt::from(0));
        }
        let mut off = g;
        off[0] ^= 1;
        assert!(p256_fake_glv(&[2, 0, 0, 0], &off)
            .unwrap_err()
            .contains("not a point of P-256"));
    }
}
