//! RISC Zero's BIGINT host call: the big-integer accelerator behind the
//! user's BIGINT2 ecall (`risc0-bigint2`'s `sys_bigint2_N`) and the v1
//! BIGINT ecall (`sys_bigint`, which the v1compat kernel serves with its
//! own modmul and multiply blobs).
//!
//! A call names a blob (a0: three words, the sizes in words of the
//! nondeterministic program, the verify program and the constants), the
//! nondeterministic program (t1), the verify program (t2) and the
//! constants (t3); t0 is the mode (0 user, 1 kernel) and the other machine
//! registers are the arenas the program loads from and stores to. The
//! executor evaluates the nondeterministic program ("bibc", a list of
//! big-integer operations) and writes the values it stores (the witness)
//! to memory; the circuit's verify program, whose length sets the cost,
//! checks them when proving. The call costs the verify program's length
//! plus one cycle beyond the `ecall` itself.
//!
//! Facts from risc0/risc0 v3.0.6 (commit 1cc70cf0, `risc0-circuit-rv32im`
//! 4.0.5): `src/execute/bigint.rs` (registers, the blob header, arena
//! addressing in 16-byte units, `USER_BIGINT_END_ADDR` for user mode, the
//! 16-byte-chunked witness, the 10 MB program limit, the cycles),
//! `src/execute/bibc.rs` (the program format: magic "bibc", version 1,
//! inputs, types, constants, ops; the op encoding and semantics: truncated
//! division and remainder of signed integers, stores of absolute values),
//! `src/execute/executor.rs` (`ecall_bigint`); `risc0-zkos-v1compat`
//! 2.2.3 `src/kernel.s` (`_ecall_bigint2`) and `src/main.rs`
//! (`ecall_bigint_v1compat`).
//!
//! Arithmetic is `num-bigint`'s. Unlike RISC Zero's executor, which
//! panics on them, a division by zero, an operand not yet computed or a
//! constant past the table are errors; values are limited to
//! [`MAX_VALUE_BITS`] bits and the program's values together to the
//! memory `--memory-limit` leaves.

use num_bigint::{BigInt, BigUint, Sign};
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{AccessKind, Cpu, MemAccess, Memory};

/// Largest nondeterministic program, bytes (`MAX_NONDET_PROGRAM_SIZE`).
pub const MAX_PROGRAM_BYTES: u64 = 10 << 20;
/// One past the highest address a user-mode (t0 = 0) program may load
/// from or store to (`USER_BIGINT_END_ADDR`).
pub const USER_BIGINT_END_ADDR: u64 = 0xbfff_0000;
/// Arena offsets count units of this many bytes (`BIGINT_WIDTH_BYTES`).
pub const UNIT_BYTES: u64 = 16;
/// Largest value a program may compute, bits (zkdbg's bound: RISC Zero's
/// own programs stay below 8 Kibit, the product of two 4096-bit numbers).
pub const MAX_VALUE_BITS: u64 = 1 << 16;

/// An operation of a program (`bibc.rs` `OpCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpCode {
    /// `b` 64-bit constants from index `a`, little-endian.
    Const,
    /// Load from arena `a >> 16` at unit offset `a & 0xffff`.
    Load,
    /// Store value `b` to arena `a >> 16` at unit offset `a & 0xffff`.
    Store,
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a % b`, the sign of `a` (truncated).
    Rem,
    /// `a / b`, rounded towards zero.
    Quo,
    /// The inverse of `|a| mod |b|` modulo `|b|`.
    Inv,
}

/// One decoded op: a 64-bit word, the code in bits 0..4, the result type
/// in 4..16, `a` in 16..40, `b` in 40..64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    /// What it does.
    pub code: OpCode,
    /// Index of its type (Load and Store take their width from it).
    pub result_type: usize,
    /// First operand.
    pub a: usize,
    /// Second operand.
    pub b: usize,
}

/// A decoded nondeterministic program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Each type's coefficient count (its width in bytes, as Load and
    /// Store use it).
    pub type_coeffs: Vec<u64>,
    /// The constant table, 64-bit words.
    pub constants: Vec<u64>,
    /// The ops, in order; op `i` computes value `i`.
    pub ops: Vec<Op>,
}

/// A little-endian cursor over the program's bytes.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        if self.0.len() < N {
            return Err("the bigint program ends early".into());
        }
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        Ok(head.try_into().expect("N bytes"))
    }
    fn u32(&mut self) -> Result<u32, String> {
        self.take::<4>().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, String> {
        self.take::<8>().map(u64::from_le_bytes)
    }
    /// A count of entries of `size` bytes each, no more than the bytes left.
    fn count(&mut self, size: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n > self.0.len() / size {
            return Err(format!(
                "the bigint program claims {n} entries of {size} bytes, more than it holds"
            ));
        }
        Ok(n)
    }
}

impl Program {
    /// Decodes a program (`bibc.rs` `Program::decode`): "bibc", version
    /// 1, the counts of inputs, types, constants and ops, then inputs (16
    /// bytes each, unused by the executor), types (32 bytes: coefficient
    /// count, then three bounds the executor does not use), constants and
    /// ops (8 bytes each).
    ///
    /// Errors: another magic or version, an unknown op code, a count past
    /// the end of the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Program, String> {
        let mut r = Reader(bytes);
        if &r.take::<4>()? != b"bibc" {
            return Err("not a bigint program (no \"bibc\" magic)".into());
        }
        let version = r.u32()?;
        if version != 1 {
            return Err(format!("bigint program version {version}: only 1 is read"));
        }
        let inputs = r.count(16)?;
        let types = r.count(32)?;
        let constants = r.count(8)?;
        let ops = r.count(8)?;
        for _ in 0..inputs {
            r.take::<16>()?;
        }
        let mut p = Program::default();
        for _ in 0..types {
            p.type_coeffs.push(r.u64()?);
            r.take::<24>()?;
        }
        for _ in 0..constants {
            p.constants.push(r.u64()?);
        }
        for i in 0..ops {
            let bits = r.u64()?;
            let code = match bits & 0xf {
                0x2 => OpCode::Const,
                0x3 => OpCode::Load,
                0x4 => OpCode::Store,
                0x8 => OpCode::Add,
                0x9 => OpCode::Sub,
                0xA => OpCode::Mul,
                0xB => OpCode::Rem,
                0xC => OpCode::Quo,
                0xE => OpCode::Inv,
                c => return Err(format!("bigint program op {i}: unknown op code {c:#x}")),
            };
            p.ops.push(Op {
                code,
                result_type: ((bits >> 4) & 0xfff) as usize,
                a: ((bits >> 16) & 0xff_ffff) as usize,
                b: ((bits >> 40) & 0xff_ffff) as usize,
            });
        }
        Ok(p)
    }

    /// Bytes a Load or Store of `op` moves: its type's coefficient count
    /// rounded up to whole 16-byte units.
    fn width(&self, i: usize, op: &Op) -> Result<u64, String> {
        let coeffs = self.type_coeffs.get(op.result_type).ok_or_else(|| {
            format!(
                "bigint op {i}: type {} is not in the program",
                op.result_type
            )
        })?;
        coeffs
            .checked_next_multiple_of(UNIT_BYTES)
            .filter(|w| *w <= MAX_VALUE_BITS / 8)
            .ok_or_else(|| format!("bigint op {i}: a {coeffs}-byte value is too wide"))
    }

    /// Runs the program (`bibc.rs` `Program::eval`): value `i` is op `i`'s
    /// result; loads and stores go through `io`. The values together may
    /// take at most `budget` bytes.
    ///
    /// Errors: an operand not computed before its op, a constant or type
    /// past its table, a division by zero or an inverse that does not
    /// exist, a value over [`MAX_VALUE_BITS`], the budget, and what `io`
    /// reports.
    pub fn eval(&self, io: &mut impl BigIntIo, budget: u64) -> Result<(), String> {
        let mut regs: Vec<BigInt> = Vec::with_capacity(self.ops.len());
        let mut used = 0u64;
        for (i, op) in self.ops.iter().enumerate() {
            let operand = |regs: &[BigInt], n: usize| -> Result<BigInt, String> {
                regs.get(n)
                    .cloned()
                    .ok_or_else(|| format!("bigint op {i} reads value {n}, not yet computed"))
            };
            let value = match op.code {
                OpCode::Const => {
                    let words =
                        op.a.checked_add(op.b)
                            .and_then(|end| self.constants.get(op.a..end))
                            .ok_or_else(|| {
                                format!(
                                    "bigint op {i}: constants {}..+{} past the table",
                                    op.a, op.b
                                )
                            })?;
                    if words.len() as u64 * 64 > MAX_VALUE_BITS {
                        return Err(format!(
                            "bigint op {i}: a {}-word constant is too wide",
                            op.b
                        ));
                    }
                    let digits: Vec<u32> = words
                        .iter()
                        .flat_map(|w| [*w as u32, (*w >> 32) as u32])
                        .collect();
                    BigInt::from(BigUint::new(digits))
                }
                OpCode::Load => {
                    let width = self.width(i, op)?;
                    BigInt::from(io.load((op.a >> 16) as u32, (op.a & 0xffff) as u32, width)?)
                }
                OpCode::Store => {
                    let width = self.width(i, op)?;
                    // The value stored may be one computed later (still 0),
                    // as in RISC Zero's executor, but not past the program.
                    let v = match regs.get(op.b) {
                        Some(v) => v.magnitude().clone(),
                        None if op.b < self.ops.len() => BigUint::default(),
                        None => {
                            return Err(format!(
                                "bigint op {i} stores value {}, past the program",
                                op.b
                            ))
                        }
                    };
                    io.store((op.a >> 16) as u32, (op.a & 0xffff) as u32, width, &v)?;
                    BigInt::default()
                }
                code => {
                    let (x, y) = (operand(&regs, op.a)?, operand(&regs, op.b)?);
                    let nonzero = |y: &BigInt| {
                        if y.sign() == Sign::NoSign {
                            Err(format!("bigint op {i}: division by zero"))
                        } else {
                            Ok(())
                        }
                    };
                    match code {
                        OpCode::Add => x + y,
                        OpCode::Sub => x - y,
                        OpCode::Mul => x * y,
                        OpCode::Rem => {
                            nonzero(&y)?;
                            x % y
                        }
                        OpCode::Quo => {
                            nonzero(&y)?;
                            x / y
                        }
                        _ => {
                            nonzero(&y)?;
                            let m = y.magnitude();
                            let inv = (x.magnitude() % m).modinv(m).ok_or_else(|| {
                                format!(
                                    "bigint op {i}: {} has no inverse modulo {m}",
                                    x.magnitude()
                                )
                            })?;
                            BigInt::from(inv)
                        }
                    }
                }
            };
            if value.bits() > MAX_VALUE_BITS {
                return Err(format!(
                    "bigint op {i}: a {}-bit value (at most {MAX_VALUE_BITS})",
                    value.bits()
                ));
            }
            used += value.bits().div_ceil(8) + std::mem::size_of::<BigInt>() as u64;
            if used > budget {
                return Err(format!(
                    "the bigint program's values exceed the {budget} bytes the memory limit leaves"
                ));
            }
            regs.push(value);
        }
        Ok(())
    }
}

/// Where a program's loads and stores go.
pub trait BigIntIo {
    /// The `bytes`-byte little-endian value at unit `offset` of `arena`.
    fn load(&mut self, arena: u32, offset: u32, bytes: u64) -> Result<BigUint, String>;
    /// Stores `value` in `bytes` bytes at unit `offset` of `arena`.
    fn store(&mut self, arena: u32, offset: u32, bytes: u64, value: &BigUint)
        -> Result<(), String>;
}

/// Memory as the host call sees it: arenas are machine registers, stores
/// collect in the witness, every word touched is an access.
struct HostIo<'a> {
    pc: u64,
    cpu: &'a Cpu,
    mem: &'a Memory,
    mode: u64,
    /// 16-byte chunks by address, written after the program ran.
    witness: std::collections::BTreeMap<u64, [u8; 16]>,
    accesses: Vec<MemAccess>,
}

impl HostIo<'_> {
    /// The address of unit `offset` of `arena`, checked as RISC Zero
    /// checks it (`check_bigint_addr`: above the zero page and, in user
    /// mode, below USER_BIGINT_END_ADDR).
    fn addr(&self, arena: u32, offset: u32) -> Result<u64, String> {
        let base = aligned_reg(self.cpu, arena as usize)?;
        let addr = base + u64::from(offset) * UNIT_BYTES;
        if addr < super::USER_START_ADDR || (self.mode == 0 && addr >= USER_BIGINT_END_ADDR) {
            return Err(format!(
                "invalid bigint address {addr:#x} (arena x{arena}, unit {offset})"
            ));
        }
        Ok(addr)
    }
}

impl BigIntIo for HostIo<'_> {
    fn load(&mut self, arena: u32, offset: u32, bytes: u64) -> Result<BigUint, String> {
        let addr = self.addr(arena, offset)?;
        let data = crate::access::read(self.mem, self.pc, addr, bytes, 4, &mut self.accesses)
            .map_err(|(m, _)| format!("bigint load: {m}"))?;
        Ok(BigUint::from_bytes_le(&data))
    }

    fn store(
        &mut self,
        arena: u32,
        offset: u32,
        bytes: u64,
        value: &BigUint,
    ) -> Result<(), String> {
        let addr = self.addr(arena, offset)?;
        let le = value.to_u32_digits();
        if (le.len() as u64) * 4 > bytes {
            return Err(format!(
                "bigint store: {bytes} bytes too small for a {}-byte value",
                le.len() * 4
            ));
        }
        let mut b: Vec<u8> = le.iter().flat_map(|w| w.to_le_bytes()).collect();
        b.resize(bytes as usize, 0);
        for (i, chunk) in b.chunks_exact(UNIT_BYTES as usize).enumerate() {
            let a = addr + i as u64 * UNIT_BYTES;
            if a + UNIT_BYTES > 1 << 32 {
                return Err(format!("bigint store past 4 GiB at {a:#x}"));
            }
            self.witness.insert(a, chunk.try_into().expect("16 bytes"));
        }
        Ok(())
    }
}

/// Machine register `r`, which must hold a word-aligned address.
fn aligned_reg(cpu: &Cpu, r: usize) -> Result<u64, String> {
    let v = cpu
        .x
        .get(r)
        .ok_or_else(|| format!("bigint arena x{r} is not a register"))?
        & 0xffff_ffff;
    if !v.is_multiple_of(4) {
        return Err(format!("x{r} = {v:#x} is an unaligned address"));
    }
    Ok(v)
}

/// The BIGINT host call on the machine registers in `cpu`: evaluates the
/// program, writes its witness. Returns the cycles beyond the `ecall`'s
/// own (the verify program's length in words, plus one) and the accesses.
///
/// Errors (message, address): a mode other than 0 or 1, unaligned
/// pointers, a program over 10 MB or malformed, an arena address out of
/// bounds, unreadable memory, and [`Program::eval`]'s errors.
pub(crate) fn host_call(
    pc: u64,
    cpu: &Cpu,
    mem: &mut Memory,
) -> Result<(u64, Vec<MemAccess>), (String, Option<u64>)> {
    let mode = cpu.x[5] & 0xffff_ffff;
    if mode > 1 {
        return Err((
            format!("invalid mode {mode} for the bigint call (t0)"),
            None,
        ));
    }
    let reg = |r| aligned_reg(cpu, r).map_err(|m| (m, None));
    let blob = reg(10)?;
    let nondet = reg(6)?;
    let verify = reg(7)?
        .checked_sub(4)
        .ok_or_else(|| ("the verify program pointer (t2) is 0".to_string(), None))?;
    let consts = reg(28)?;
    let mut accesses = Vec::new();
    let header = crate::access::read(mem, pc, blob, 12, 4, &mut accesses)
        .map_err(|(m, a)| (format!("the bigint blob header: {m}"), a))?;
    let word = |i: usize| {
        u64::from(u32::from_le_bytes(
            header[4 * i..4 * i + 4].try_into().expect("4 bytes"),
        ))
    };
    let (nondet_words, verify_words, consts_words) = (word(0), word(1), word(2));
    let program_bytes = nondet_words * 4;
    if program_bytes > MAX_PROGRAM_BYTES {
        return Err((
            format!("a {program_bytes}-byte bigint program (at most 10 MB)"),
            Some(nondet),
        ));
    }
    let bytes = mem.read_vec(nondet, program_bytes as usize).map_err(|e| {
        (
            format!("the bigint program at {nondet:#x}: {e}"),
            Some(nondet),
        )
    })?;
    accesses.extend(super::page_accesses(
        pc,
        nondet,
        program_bytes,
        AccessKind::Read,
    ));
    let program = Program::decode(&bytes).map_err(|m| (m, Some(nondet)))?;
    drop(bytes);
    let mut io = HostIo {
        pc,
        cpu,
        mem,
        mode,
        witness: Default::default(),
        accesses: Vec::new(),
    };
    let budget = mem.available_bytes();
    program.eval(&mut io, budget).map_err(|m| (m, None))?;
    let (witness, io_accesses) = (io.witness, io.accesses);
    accesses.extend(io_accesses);
    // The verify program and the constants are read (paged in).
    for (a, words) in [(verify, verify_words), (consts, consts_words)] {
        let len = words * 4;
        mem.check(a, len, Perm::NONE).map_err(|e| {
            let m = format!("the bigint verify program or constants at {a:#x}: {e}");
            (m, Some(a))
        })?;
        accesses.extend(super::page_accesses(pc, a, len, AccessKind::Read));
    }
    for (a, chunk) in witness {
        mem.write_user(a, &chunk)
            .map_err(|e| (format!("bigint store at {a:#x}: {e}"), Some(a)))?;
        accesses.extend(super::word_accesses(pc, a, UNIT_BYTES, AccessKind::Write));
    }
    Ok((verify_words + 1, accesses))
}
