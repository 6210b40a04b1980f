//! The elliptic-curve and field precompiles of SP1 and ZisK on
//! `crypto-bigint`'s modular arithmetic (Montgomery residues modulo each
//! curve's prime). ZisK's (`precompiles_helpers`, 0xPolygonHermez/zisk
//! @6182c8be9) are the same affine operations on the same curves and
//! Fp2 = Fp\[i\]/(i^2 + 1).
//!
//! Semantics from succinctlabs/sp1 @d83ed91f (release 6.10.0):
//! `crates/core/executor/src/minimal/precompiles/ec.rs` (ADD: p = p + q,
//! equal points are doubled; DOUBLE: p = 2p; points are x then y, each a
//! little-endian number of the field's size in 64-bit words),
//! `precompiles/fptower/{fp,fp2_addsub,fp2_mul}.rs` (x = x op y mod p, the
//! inputs reduced first; Fp2 elements are c0 then c1 with i^2 = -1), and
//! `crates/curves/src/weierstrass/*.rs` (the affine formulas and each
//! curve's prime). Affine addition has no point at infinity: P + (-P)
//! (equal x, different y) and doubling a point with y = 0 make SP1's
//! executor fail, and are faults here.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::Uint;

/// The primes and group orders of the curves the platforms' precompiles
/// work on, big-endian hex: SEC 2 §2.4.1 (secp256k1), §2.4.2 (secp256r1,
/// P-256), EIP-196 (BN254; grumpkin's base field is BN254's r, its scalar
/// field BN254's p) and the BLS12-381 specification.
pub mod hex {
    /// secp256k1's p = 2^256 - 2^32 - 977.
    pub const SECP256K1_P: &str =
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    /// secp256k1's group order n.
    pub const SECP256K1_N: &str =
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    /// secp256r1's p = 2^256 - 2^224 + 2^192 + 2^96 - 1.
    pub const SECP256R1_P: &str =
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
    /// secp256r1's group order n.
    pub const SECP256R1_N: &str =
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    /// BN254's base field prime p.
    pub const BN254_P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
    /// BN254's group order r.
    pub const BN254_R: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    /// BLS12-381's base field prime p (381 bits).
    pub const BLS12_381_P: &str = concat!(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf",
        "6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab"
    );
}

/// The number a big-endian hex constant of [`hex`] stands for.
pub fn big_hex(h: &str) -> num_bigint::BigUint {
    num_bigint::BigUint::parse_bytes(h.as_bytes(), 16).expect("a hex constant")
}

/// The number little-endian 64-bit words stand for.
pub fn big_le(words: &[u64]) -> num_bigint::BigUint {
    num_bigint::BigUint::from_slice(
        &words
            .iter()
            .flat_map(|w| [*w as u32, (*w >> 32) as u32])
            .collect::<Vec<u32>>(),
    )
}

/// A big-endian number (a SEC 1 coordinate) as little-endian 64-bit
/// words, `bytes.len() / 8` of them.
pub fn words_from_be(bytes: &[u8]) -> Vec<u64> {
    bytes
        .rchunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// A base field of one of SP1's curves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// secp256k1's p = 2^256 - 2^32 - 977 (SEC 2 §2.4.1); a = 0.
    Secp256k1,
    /// secp256r1 (P-256)'s p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (SEC 2
    /// §2.4.2); a = -3.
    Secp256r1,
    /// BN254 (alt_bn128)'s p (EIP-196); a = 0.
    Bn254,
    /// BLS12-381's p (381 bits, in 6 words); a = 0.
    Bls12381,
}

impl Field {
    /// The prime, big-endian hex.
    fn modulus_hex(self) -> &'static str {
        match self {
            Field::Secp256k1 => hex::SECP256K1_P,
            Field::Secp256r1 => hex::SECP256R1_P,
            Field::Bn254 => hex::BN254_P,
            Field::Bls12381 => hex::BLS12_381_P,
        }
    }

    /// 64-bit words per field element.
    pub fn words(self) -> usize {
        match self {
            Field::Bls12381 => 6,
            _ => 4,
        }
    }

    /// Whether the curve's a coefficient is -3 (else 0).
    fn a_is_minus_3(self) -> bool {
        self == Field::Secp256r1
    }
}

/// A field operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOp {
    /// x + y mod p.
    Add,
    /// x - y mod p.
    Sub,
    /// x * y mod p.
    Mul,
}

fn to_uint<const L: usize>(words: &[u64]) -> Uint<L> {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    Uint::from_le_slice(&bytes)
}

fn to_words<const L: usize>(u: &Uint<L>, out: &mut Vec<u64>) {
    let bytes: Vec<u8> = u.as_words().iter().flat_map(|w| w.to_le_bytes()).collect();
    out.extend(
        bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))),
    );
}

/// The residue-number system of `field`, with `L` limbs of 64 bits.
struct Ctx<const L: usize> {
    params: DynResidueParams<L>,
    a_minus_3: bool,
}

impl<const L: usize> Ctx<L> {
    fn new(field: Field) -> Ctx<L> {
        Ctx::from_hex(field.modulus_hex(), field.a_is_minus_3())
    }

    /// The residues modulo the prime `hex` (big-endian).
    fn from_hex(hex: &str, a_minus_3: bool) -> Ctx<L> {
        let mut be = vec![0u8; hex.len() / 2];
        for (i, b) in be.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex modulus");
        }
        be.reverse();
        let mut le = be;
        le.resize(L * 8, 0);
        let m = Uint::<L>::from_le_slice(&le);
        Ctx {
            params: DynResidueParams::new(&m),
            a_minus_3,
        }
    }

    /// The residue of the big-endian hex number `hex`.
    fn constant(&self, hex: &str) -> DynResidue<L> {
        let mut le: Vec<u8> = (0..hex.len() / 2)
            .rev()
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex constant"))
            .collect();
        le.resize(L * 8, 0);
        DynResidue::new(&Uint::from_le_slice(&le), self.params)
    }

    fn elem(&self, words: &[u64]) -> DynResidue<L> {
        DynResidue::new(&to_uint::<L>(words), self.params)
    }

    fn op(&self, op: FieldOp, x: DynResidue<L>, y: DynResidue<L>) -> DynResidue<L> {
        match op {
            FieldOp::Add => x + y,
            FieldOp::Sub => x - y,
            FieldOp::Mul => x * y,
        }
    }

    fn inv(&self, x: DynResidue<L>) -> Option<DynResidue<L>> {
        let (v, ok) = x.invert();
        bool::from(ok).then_some(v)
    }

    /// x3, y3 from the slope through (x1, y1) and x2.
    fn slope_point(
        &self,
        s: DynResidue<L>,
        x1: DynResidue<L>,
        y1: DynResidue<L>,
        x2: DynResidue<L>,
    ) -> Vec<u64> {
        let x3 = s.square() - x1 - x2;
        let y3 = s * (x1 - x3) - y1;
        let mut out = Vec::with_capacity(2 * L);
        to_words(&x3.retrieve(), &mut out);
        to_words(&y3.retrieve(), &mut out);
        out
    }

    fn double(&self, p: &[u64]) -> Result<Vec<u64>, String> {
        let (x, y) = (self.elem(&p[..L]), self.elem(&p[L..]));
        let three = DynResidue::new(&Uint::from_u64(3), self.params);
        let mut num = three * x.square();
        if self.a_minus_3 {
            num -= three;
        }
        let den = self
            .inv(y + y)
            .ok_or("doubling a point with y = 0 (the result is the point at infinity)")?;
        Ok(self.slope_point(num * den, x, y, x))
    }

    fn add(&self, p: &[u64], q: &[u64]) -> Result<Vec<u64>, String> {
        let (x1, y1) = (self.elem(&p[..L]), self.elem(&p[L..]));
        let (x2, y2) = (self.elem(&q[..L]), self.elem(&q[L..]));
        if x1 == x2 && y1 == y2 {
            return self.double(p);
        }
        let den = self
            .inv(x2 - x1)
            .ok_or("adding points with equal x (P + (-P) is the point at infinity)")?;
        Ok(self.slope_point((y2 - y1) * den, x1, y1, x2))
    }
}

/// Runs `f` with the context of `field` at its size.
macro_rules! sized {
    ($field:expr, |$c:ident| $body:expr) => {
        match $field.words() {
            4 => {
                let $c = Ctx::<4>::new($field);
                $body
            }
            _ => {
                let $c = Ctx::<6>::new($field);
                $body
            }
        }
    };
}

/// `x op y mod p` of `field` (each `field.words()` words); the result has
/// as many words.
pub fn fp_op(field: Field, op: FieldOp, x: &[u64], y: &[u64]) -> Vec<u64> {
    sized!(field, |c| {
        let mut out = Vec::new();
        to_words(&c.op(op, c.elem(x), c.elem(y)).retrieve(), &mut out);
        out
    })
}

/// `x op y` in Fp2 = Fp\[i\]/(i^2 + 1) of `field`: elements are c0 then c1.
pub fn fp2_op(field: Field, op: FieldOp, x: &[u64], y: &[u64]) -> Vec<u64> {
    let n = field.words();
    sized!(field, |c| {
        let (a0, a1) = (c.elem(&x[..n]), c.elem(&x[n..]));
        let (b0, b1) = (c.elem(&y[..n]), c.elem(&y[n..]));
        let (r0, r1) = match op {
            FieldOp::Add | FieldOp::Sub => (c.op(op, a0, b0), c.op(op, a1, b1)),
            FieldOp::Mul => (a0 * b0 - a1 * b1, a0 * b1 + a1 * b0),
        };
        let mut out = Vec::new();
        to_words(&r0.retrieve(), &mut out);
        to_words(&r1.retrieve(), &mut out);
        out
    })
}

/// The inverse in Fp2 = Fp\[i\]/(i^2 + 1) of `field` of `x` (c0 then c1):
/// `(c0 - c1 i) / (c0^2 + c1^2)`, as ZisK's `fcalls_impl/*/fp2*.rs`
/// computes it; `None` for zero (ZisK panics there).
pub fn fp2_inverse(field: Field, x: &[u64]) -> Option<Vec<u64>> {
    let n = field.words();
    sized!(field, |c| {
        let (a0, a1) = (c.elem(&x[..n]), c.elem(&x[n..]));
        let (inv, ok) = (a0 * a0 + a1 * a1).invert();
        if !bool::from(ok) {
            return None;
        }
        let mut out = Vec::new();
        to_words(&(a0 * inv).retrieve(), &mut out);
        to_words(&(-(a1 * inv)).retrieve(), &mut out);
        Some(out)
    })
}

/// The affine sum of points `p` and `q` on the curve over `field` (each x
/// then y).
///
/// Errors: the sum is the point at infinity.
pub fn ec_add(field: Field, p: &[u64], q: &[u64]) -> Result<Vec<u64>, String> {
    sized!(field, |c| c.add(p, q))
}

/// The affine double of `p` on the curve over `field`.
///
/// Errors: y = 0.
pub fn ec_double(field: Field, p: &[u64]) -> Result<Vec<u64>, String> {
    sized!(field, |c| c.double(p))
}

/// Ed25519's base field prime 2^255 - 19 (RFC 8032 §5.1).
const ED25519_P: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed";
/// Ed25519's d = -121665/121666 (RFC 8032 §5.1).
const ED25519_D: &str = "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3";
/// A square root of -1 modulo the prime (RFC 8032 §5.1.3).
const ED25519_SQRT_M1: &str = "2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0";
/// (p + 3) / 8, the exponent of the candidate square root (RFC 8032 §5.1.3).
const ED25519_SQRT_EXP: &str = "0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe";

fn ed_ctx() -> Ctx<4> {
    Ctx::from_hex(ED25519_P, false)
}

fn ed_point(x: DynResidue<4>, y: DynResidue<4>) -> Vec<u64> {
    let mut out = Vec::with_capacity(8);
    to_words(&x.retrieve(), &mut out);
    to_words(&y.retrieve(), &mut out);
    out
}

/// Whether (x, y) is on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2.
fn ed_on_curve(c: &Ctx<4>, x: DynResidue<4>, y: DynResidue<4>) -> bool {
    let one = c.constant("01");
    let (xx, yy) = (x.square(), y.square());
    yy - xx == one + c.constant(ED25519_D) * xx * yy
}

/// ED_ADD: the sum of Ed25519 points `p` and `q` (x then y, 4 words each),
/// by the complete twisted Edwards addition law (RFC 8032 §5.1.4, affine,
/// a = -1); doubling is the same law. SP1 6.10.0 (`sp1-curves`
/// `src/edwards/mod.rs` `ed_add`) computes it on curve25519-dalek points.
///
/// Errors: a point not on the curve (SP1's executor panics).
pub fn ed_add(p: &[u64], q: &[u64]) -> Result<Vec<u64>, String> {
    let c = ed_ctx();
    let (x1, y1) = (c.elem(&p[..4]), c.elem(&p[4..8]));
    let (x2, y2) = (c.elem(&q[..4]), c.elem(&q[4..8]));
    if !ed_on_curve(&c, x1, y1) || !ed_on_curve(&c, x2, y2) {
        return Err("a point is not on the Ed25519 curve".into());
    }
    let one = c.constant("01");
    let t = c.constant(ED25519_D) * x1 * x2 * y1 * y2;
    let inv = |v| c.inv(v).ok_or("the addition law's denominator is zero");
    let x3 = (x1 * y2 + y1 * x2) * inv(one + t)?;
    let y3 = (y1 * y2 + x1 * x2) * inv(one - t)?;
    Ok(ed_point(x3, y3))
}

/// ED_DECOMPRESS: the x of the Ed25519 point with this `y` (4 words) and
/// sign: the even square root of (y^2 - 1)/(d y^2 + 1), negated when
/// `sign` (RFC 8032 §5.1.3; SP1 6.10.0 `sp1-curves`
/// `src/edwards/ed25519.rs` `decompress` and `ed25519_sqrt`). Returns x
/// (4 words).
///
/// Errors: no such point (SP1's executor panics "curve25519 Decompression
/// failed").
pub fn ed_decompress(y: &[u64], sign: bool) -> Result<Vec<u64>, String> {
    let c = ed_ctx();
    let y = c.elem(&y[..4]);
    let one = c.constant("01");
    let u = y.square() - one;
    let v = c.constant(ED25519_D) * y.square() + one;
    let a = u * c.inv(v).ok_or("d y^2 + 1 is zero")?;
    let exp = c.constant(ED25519_SQRT_EXP).retrieve();
    let mut beta = a.pow(&exp);
    let zero = c.constant("00");
    if beta.square() == zero - a {
        beta *= c.constant(ED25519_SQRT_M1);
    }
    if beta.square() != a {
        return Err("y is not the y of an Ed25519 point (no square root)".into());
    }
    if beta.retrieve().as_words()[0] & 1 == 1 {
        beta = zero - beta;
    }
    if sign {
        beta = zero - beta;
    }
    let mut out = Vec::with_capacity(4);
    to_words(&beta.retrieve(), &mut out);
    Ok(out)
}
