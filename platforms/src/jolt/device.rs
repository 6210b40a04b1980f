//! Jolt's device: the I/O region (inputs, advice, outputs, panic and
//! termination words), the advice tape, and the custom instructions.
//!
//! Sources (a16z/jolt @ff9f8c134): `common/src/jolt_device.rs`
//! (`JoltDevice::load`/`store`: inputs and advice are read-only, outputs
//! are the bytes up to the highest one written, any store to the panic
//! address sets the panic flag, stores to the termination word are
//! dropped), `tracer/src/emulator/mmu.rs` (which I/O addresses a load or a
//! store may touch), `tracer/src/emulator/cpu.rs` (the advice tape),
//! `tracer/src/instruction/{advice_l*,virtual_advice_len,virtual_rev8w,
//! virtual_assert_eq,virtual_host_io}.rs` and `jolt-inlines/*/src/exec.rs`
//! (each instruction's semantics).
//!
//! Differences, at page granularity: the input and advice pages are mapped
//! read-only and the output, panic and termination words' pages
//! read-write, so a store between regions that share a page is not
//! refused as Jolt refuses it; a store of any value to the panic word
//! counts as a panic (as in Jolt), detected by a write watch.

use super::ec::{field_op, glv, p256_fake_glv, FieldOp};
use super::insn::{b_imm, custom, Kind};
use super::MemoryLayout;
use std::collections::VecDeque;
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{Cpu, CustomKind, CustomResult, Insn, Memory};

/// `VirtualHostIO` call id (a0) that appends a1/a2 (pointer, length) to the
/// advice tape. Source: `jolt-platform/src/advice.rs`.
pub const JOLT_ADVICE_WRITE_CALL_ID: u32 = 0xAD_BABE;

/// The guest's inputs: bytes as Jolt's host places them (already
/// postcard-serialized by the host's `#[jolt::provable]` glue).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoltInputs {
    /// The public input region.
    pub input: Vec<u8>,
    /// The trusted advice region.
    pub trusted_advice: Vec<u8>,
    /// The untrusted advice region.
    pub untrusted_advice: Vec<u8>,
    /// The advice tape's initial contents (what a first, advice-computing
    /// run wrote); read by the `Advice*` instructions.
    pub advice_tape: Vec<u8>,
}

/// Why the I/O region could not be set up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IoError {
    /// More bytes than the region holds.
    #[error("{what} is {len} bytes, larger than its region ({max} bytes; raise it with {flag})")]
    TooLarge {
        /// `input`, `trusted advice`, `untrusted advice`.
        what: &'static str,
        /// Its size in bytes.
        len: usize,
        /// The region's size in bytes.
        max: u64,
        /// The option that sizes the region.
        flag: &'static str,
    },
    /// The region or RAM could not be mapped.
    #[error("cannot map {what} at {start:#x}..{end:#x}: {error}")]
    Map {
        /// Which range.
        what: &'static str,
        /// Its first byte.
        start: u64,
        /// One past its last byte.
        end: u64,
        /// Why.
        error: zkdbg_emulator::MemError,
    },
}

/// The device's state: the layout, the write watches it reads the outputs
/// and the panic flag from, and the advice tape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoltDevice {
    /// Where everything is.
    pub layout: MemoryLayout,
    output_watch: usize,
    panic_watch: usize,
    advice: VecDeque<u8>,
}

fn page_down(a: u64) -> u64 {
    a & !0xfff
}

fn page_up(a: u64) -> u64 {
    a.checked_next_multiple_of(0x1000).unwrap_or(!0xfff)
}

impl JoltDevice {
    /// Maps the I/O region and RAM's stack and heap into `mem` and writes
    /// `inputs` into their regions.
    ///
    /// Errors: an input larger than its region; a range that cannot be
    /// mapped (over `--memory-limit`, overlapping the ELF's segments with
    /// other permissions is allowed: existing pages keep theirs plus these).
    pub fn install(
        layout: MemoryLayout,
        inputs: &JoltInputs,
        mem: &mut Memory,
    ) -> Result<JoltDevice, IoError> {
        let fits = |what, data: &[u8], (lo, hi): (u64, u64), flag| {
            if data.len() as u64 > hi - lo {
                Err(IoError::TooLarge {
                    what,
                    len: data.len(),
                    max: hi - lo,
                    flag,
                })
            } else {
                Ok(())
            }
        };
        fits("input", &inputs.input, layout.input, "--max-input-size")?;
        fits(
            "trusted advice",
            &inputs.trusted_advice,
            layout.trusted_advice,
            "--max-trusted-advice-size",
        )?;
        fits(
            "untrusted advice",
            &inputs.untrusted_advice,
            layout.untrusted_advice,
            "--max-untrusted-advice-size",
        )?;
        let mut map = |what, lo: u64, hi: u64, perm| {
            let (a, b) = (page_down(lo), page_up(hi));
            mem.map_with(a, b - a, perm).map_err(|error| IoError::Map {
                what,
                start: lo,
                end: hi,
                error,
            })
        };
        // Loads may read the zero padding below the region and the region;
        // stores may write the output, panic and termination words.
        let io_start = layout.io_start();
        map("the I/O region", io_start, layout.output.0, Perm::R)?;
        map(
            "the output region",
            layout.output.0,
            layout.io_end,
            Perm::RW,
        )?;
        // Stack and heap are demand-zero: pages are charged to the memory
        // limit when the guest first touches them.
        let (a, b) = (page_down(layout.stack_end), page_up(layout.heap_end));
        mem.reserve(a, b - a, Perm::RW)
            .map_err(|error| IoError::Map {
                what: "the stack and heap",
                start: layout.stack_end,
                end: layout.heap_end,
                error,
            })?;
        for (data, (lo, _)) in [
            (&inputs.input, layout.input),
            (&inputs.trusted_advice, layout.trusted_advice),
            (&inputs.untrusted_advice, layout.untrusted_advice),
        ] {
            mem.write_bytes(lo, data).map_err(|error| IoError::Map {
                what: "the inputs",
                start: lo,
                end: lo + data.len() as u64,
                error,
            })?;
        }
        let output_watch = mem.watch_writes(layout.output.0, layout.output.1);
        let panic_watch = mem.watch_writes(layout.panic, layout.panic + 1);
        Ok(JoltDevice {
            layout,
            output_watch,
            panic_watch,
            advice: inputs.advice_tape.iter().copied().collect(),
        })
    }

    /// The bytes the guest wrote to the output region: up to the highest
    /// byte written (unwritten bytes below it read 0), as Jolt's host
    /// receives them.
    pub fn output(&self, mem: &Memory) -> Vec<u8> {
        let Some(end) = mem.written_end(self.output_watch) else {
            return Vec::new();
        };
        let start = self.layout.output.0;
        mem.read_vec(start, (end - start) as usize)
            .unwrap_or_default()
    }

    /// Whether the guest stored to the panic word (Jolt's panic flag).
    pub fn panicked(&self, mem: &Memory) -> bool {
        mem.written_end(self.panic_watch).is_some()
    }

    /// Bytes left on the advice tape.
    pub fn advice_left(&self) -> usize {
        self.advice.len()
    }

    /// Serves one custom instruction (see [`zkdbg_emulator::Environment::custom`]).
    pub fn serve(&mut self, insn: &Insn, cpu: &mut Cpu, mem: &mut Memory) -> CustomResult {
        let Some(j) = custom(insn) else {
            return CustomResult::Unknown;
        };
        let name = j.name;
        let x = |r: u8| cpu.x[(r & 31) as usize];
        let fault = |message: String, addr: Option<u64>| CustomResult::Fault {
            name,
            message,
            addr,
        };
        let (rs1, rs2, rd) = (x(insn.rs1), x(insn.rs2), (insn.rd & 31) as usize);
        let result: Result<Option<u64>, CustomResult> = match j.kind {
            Kind::AdviceLoad { bytes } => {
                let n = bytes as usize;
                if self.advice.len() < n {
                    return fault(
                        format!(
                            "advice tape exhausted: {n} bytes needed, {} left",
                            self.advice.len()
                        ),
                        None,
                    );
                }
                let mut v = 0u64;
                for (i, b) in self.advice.drain(..n).enumerate() {
                    v |= (b as u64) << (8 * i);
                }
                let sh = 64 - 8 * n as u32;
                Ok(Some(if n == 8 {
                    v
                } else {
                    (((v << sh) as i64) >> sh) as u64
                }))
            }
            Kind::AdviceLen => Ok(Some(self.advice.len() as u64)),
            Kind::Rev8W => {
                let lo = (rs1 as u32).swap_bytes() as u64;
                let hi = ((rs1 >> 32) as u32).swap_bytes() as u64;
                Ok(Some(lo | hi << 32))
            }
            Kind::AssertEq => {
                if rs1 != rs2 && b_imm(insn) == 0 {
                    return fault(
                        format!(
                            "assertion failed: {} = {rs1:#x} != {} = {rs2:#x}",
                            reg_name(insn.rs1),
                            reg_name(insn.rs2)
                        ),
                        None,
                    );
                }
                Ok(None)
            }
            Kind::HostIo => {
                let (a0, a1, a2) = (cpu.x[10], cpu.x[11], cpu.x[12]);
                if a0 as u32 != JOLT_ADVICE_WRITE_CALL_ID {
                    return fault(format!("unknown host call id {a0:#x} in a0"), None);
                }
                let data = match read(mem, a1, a2) {
                    Ok(d) => d,
                    Err(r) => return fault_at(name, r),
                };
                if mem.charge(a2).is_err() {
                    return fault(
                        format!(
                            "advice tape of {} bytes exceeds --memory-limit",
                            self.advice.len() as u64 + a2
                        ),
                        None,
                    );
                }
                self.advice.extend(data);
                Ok(None)
            }
            _ => run_inline(j.kind, mem, rs1, rs2, cpu.x[rd])
                .map(|()| None)
                .map_err(|r| fault_at(name, r)),
        };
        let kind = if j.kind.is_inline() {
            CustomKind::Inline
        } else {
            CustomKind::Virtual
        };
        match result {
            Ok(Some(v)) => {
                if rd != 0 {
                    cpu.x[rd] = v;
                }
                CustomResult::done(name, kind)
            }
            Ok(None) => CustomResult::done(name, kind),
            Err(r) => r,
        }
    }
}

/// Runs an inline on its operands: rs1, rs2 and rd's value (the result's
/// address for `BIGINT256_MUL_INLINE`, the key's for
/// `BLAKE3_KEYED64_INLINE` and the elliptic-curve inlines').
fn run_inline(
    kind: Kind,
    mem: &mut Memory,
    rs1: u64,
    rs2: u64,
    rd: u64,
) -> Result<(), AccessError> {
    match kind {
        Kind::Sha256 | Kind::Sha256Init => {
            let block: [u8; 64] = read_aligned(mem, rs2, 64)?
                .try_into()
                .expect("64 bytes read");
            let mut state = match kind {
                Kind::Sha256Init => SHA256_IV,
                _ => words_le(&read_aligned(mem, rs1, 32)?, u32::from_le_bytes),
            };
            sha2::compress256(&mut state, &[block.into()]);
            write_aligned(mem, rs1, &state.map(u32::to_le_bytes).concat())
        }
        Kind::Keccak256 => {
            let mut lanes: [u64; 25] = words_le(&read_aligned(mem, rs1, 200)?, u64::from_le_bytes);
            keccak::f1600(&mut lanes);
            write_aligned(mem, rs1, &lanes.map(u64::to_le_bytes).concat())
        }
        Kind::BigInt256Mul => {
            use crypto_bigint::U256;
            let a = U256::from_words(words_le(&read_aligned(mem, rs1, 32)?, u64::from_le_bytes));
            let b = U256::from_words(words_le(&read_aligned(mem, rs2, 32)?, u64::from_le_bytes));
            let (lo, hi) = a.mul_wide(&b);
            let out = [lo.to_words(), hi.to_words()].concat();
            write_aligned(
                mem,
                rd,
                &out.iter()
                    .flat_map(|w| w.to_le_bytes())
                    .collect::<Vec<u8>>(),
            )
        }
        Kind::Blake2 => {
            let mut state: [u64; 8] = words_le(&read_aligned(mem, rs1, 64)?, u64::from_le_bytes);
            let message: [u64; 18] = words_le(&read_aligned(mem, rs2, 144)?, u64::from_le_bytes);
            crate::blake::blake2b_compress(&mut state, &message);
            write_aligned(mem, rs1, &state.map(u64::to_le_bytes).concat())
        }
        Kind::Blake3 => {
            let mut cv: [u32; 8] = words_le(&read_aligned(mem, rs1, 32)?, u32::from_le_bytes);
            let block: [u32; 20] = words_le(&read_aligned(mem, rs2, 80)?, u32::from_le_bytes);
            crate::blake::blake3_compress(&mut cv, &block);
            write_aligned(mem, rs1, &cv.map(u32::to_le_bytes).concat())
        }
        Kind::Blake3Keyed64 => {
            let mut key: [u32; 8] = words_le(&read_aligned(mem, rd, 32)?, u32::from_le_bytes);
            let left = words_le(&read_aligned(mem, rs1, 32)?, u32::from_le_bytes);
            let right = words_le(&read_aligned(mem, rs2, 32)?, u32::from_le_bytes);
            crate::blake::blake3_keyed64(&mut key, &left, &right);
            write_aligned(mem, rd, &key.map(u32::to_le_bytes).concat())
        }
        Kind::Field { op, modulus } => {
            let a = words_le(&read_aligned(mem, rs1, 32)?, u64::from_le_bytes);
            let b = match op {
                FieldOp::Square => a,
                _ => words_le(&read_aligned(mem, rs2, 32)?, u64::from_le_bytes),
            };
            let c = field_op(op, modulus, &a, &b).map_err(|e| (e, rs1))?;
            write_aligned(mem, rd, &c.map(u64::to_le_bytes).concat())
        }
        Kind::Glv(curve) => {
            let k = words_le(&read_aligned(mem, rs1, 32)?, u64::from_le_bytes);
            let out = glv(curve, &k).map_err(|e| (e, rs1))?;
            write_aligned(mem, rd, &out.map(u64::to_le_bytes).concat())
        }
        Kind::P256FakeGlv => {
            let s = words_le(&read_aligned(mem, rs1, 32)?, u64::from_le_bytes);
            let point = words_le(&read_aligned(mem, rs2, 64)?, u64::from_le_bytes);
            let out = p256_fake_glv(&s, &point).map_err(|e| (e, rs2))?;
            write_aligned(mem, rd, &out.map(u64::to_le_bytes).concat())
        }
        _ => unreachable!("{kind:?} is not an inline"),
    }
}

/// `bytes` (exactly `N` little-endian words of `W` bytes) as words.
fn words_le<const W: usize, const N: usize, T>(bytes: &[u8], f: fn([u8; W]) -> T) -> [T; N] {
    std::array::from_fn(|i| f(bytes[W * i..W * i + W].try_into().expect("a whole word")))
}

/// SHA-256's initial hash value (FIPS 180-4, section 5.3.3); Jolt's
/// `SHA256_INIT_INLINE` starts from it (`jolt-inlines/sha2`, `BLOCK`).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

fn reg_name(r: u8) -> &'static str {
    zkdbg_emulator::cpu::ABI_NAMES[(r & 31) as usize]
}

/// Why an operand could not be accessed: message and address.
type AccessError = (String, u64);

fn fault_at(name: &'static str, (message, addr): AccessError) -> CustomResult {
    CustomResult::Fault {
        name,
        message,
        addr: Some(addr),
    }
}

fn read(mem: &Memory, addr: u64, len: u64) -> Result<Vec<u8>, AccessError> {
    mem.check(addr, len, Perm::R)
        .and_then(|()| mem.read_vec(addr, len as usize))
        .map_err(|e| (format!("cannot read {len} bytes at {addr:#x}: {e}"), addr))
}

/// Reads `len` bytes at an 8-byte-aligned `addr` (Jolt's inlines access
/// memory by doublewords).
fn read_aligned(mem: &Memory, addr: u64, len: u64) -> Result<Vec<u8>, AccessError> {
    if !addr.is_multiple_of(8) {
        return Err((
            format!("operand address {addr:#x} is not 8-byte aligned"),
            addr,
        ));
    }
    read(mem, addr, len)
}

fn write_aligned(mem: &mut Memory, addr: u64, data: &[u8]) -> Result<(), AccessError> {
    if !addr.is_multiple_of(8) {
        return Err((
            format!("result address {addr:#x} is not 8-byte aligned"),
            addr,
        ));
    }
    mem.write_user(addr, data).map_err(|e| {
        (
            format!("cannot write {} bytes at {addr:#x}: {e}", data.len()),
            addr,
        )
    })
}
