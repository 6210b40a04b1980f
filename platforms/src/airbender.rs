//! ZKsync Airbender (matter-labs/zksync-airbender): flat RV32IM programs
//! at address 0 with a non-determinism CSR.
//!
//! Facts from matter-labs/zksync-airbender @97dbacf:
//! - `risc_v_simulator/src/runner/mod.rs`: the program (`app.bin`, a flat
//!   binary) is loaded into 1 GiB of RAM at the entry point and entered
//!   there (`CUSTOM_ENTRY_POINT` 0, what the examples link for); the run
//!   ends when pc stops moving (the program's final `j .`); the output is
//!   x10..x17 (`run_simple_with_entry_point`);
//! - `risc_v_simulator/src/cycle/state.rs`: `NON_DETERMINISM_CSR` 0x7c0 —
//!   a `csrrw` with rd != x0 reads the next oracle word, one with rd = x0
//!   writes rs1 to it; `MARKER_CSR` 0x7ff; the delegation CSRs follow
//!   0x7c0 (`delegations/`: BLAKE2 round function 0x7c7, U256 ops with
//!   control 0x7ca);
//! - `risc_v_simulator/src/abstractions/non_determinism.rs`
//!   (`QuasiUARTSource`): reads pop the oracle (0 once it is empty);
//!   writes of u32::MAX, a word count, a byte length and the words print
//!   a string ("UART");
//! - `tools/cli/src/prover_utils.rs` (`u32_from_hex_string`): the oracle
//!   is given as hex, 8 digits per word.
//!
//! - `risc_v_simulator/src/delegations/mod.rs` (`process_write`): a CSR
//!   instruction that writes 0x7c7 or 0x7ca runs a delegation (reads give
//!   0); `blake2_round_function_with_compression_mode.rs` and
//!   `u256_ops_with_control.rs` (with `blake2s_u32/src/lib.rs` for the
//!   constants and control bits): see [`AirbenderDevice::delegate`].
//!
//! Cycles: one per instruction (the simulator's cycle is one
//! instruction; a delegation is its CSR instruction's cycle).

use crate::access::{read, write, AccessError};
use std::collections::VecDeque;
use zkdbg_emulator::{
    CallArg, Cpu, CustomKind, CustomResult, Insn, MemAccess, MemError, Memory, Op,
};

/// The non-determinism CSR.
pub const NON_DETERMINISM_CSR: u16 = 0x7c0;
/// The marker CSR (profiling marks; no effect on the run).
pub const MARKER_CSR: u16 = 0x7ff;
/// RAM the simulator gives the program, bytes.
pub const RAM_BYTES: u64 = 1 << 30;

/// The BLAKE2s round delegation's CSR (`NON_DETERMINISM_CSR + 7`).
pub const BLAKE2_CSR: u16 = 0x7c7;
/// The 256-bit arithmetic delegation's CSR (`NON_DETERMINISM_CSR + 10`).
pub const U256_CSR: u16 = 0x7ca;

/// The name of a delegation CSR Airbender executes (Airbender's
/// `*_ACCESS_ID` constants, without the suffix).
pub fn delegation_name(csr: u16) -> Option<&'static str> {
    match csr {
        BLAKE2_CSR => Some("BLAKE2_ROUND_FUNCTION_WITH_EXTENDED_CONTROL"),
        U256_CSR => Some("U256_OPS_WITH_CONTROL"),
        _ => None,
    }
}

/// The names of the delegations (what `catch precompile` accepts).
pub fn delegation_names() -> Vec<&'static str> {
    [BLAKE2_CSR, U256_CSR]
        .into_iter()
        .filter_map(delegation_name)
        .collect()
}

/// BLAKE2s's IV (`blake2s_u32::IV`, RFC 7693 §2.6).
const IV: [u32; 8] = crate::blake::BLAKE2S_IV;

/// `blake2s_u32::CONFIGURED_IV`: the IV with the parameter block of a
/// 32-byte digest without key (`IV[0] ^ 0x01010000 ^ 32`).
const CONFIGURED_IV: [u32; 8] = {
    let mut iv = IV;
    iv[0] ^= 0x0101_0000 ^ 32;
    iv
};

/// The BLAKE2 delegation's control bits in x13
/// (`state_with_extended_control_flags`).
const LAST_ROUND: u32 = 1 << 0;
const INPUT_IS_RIGHT_NODE: u32 = 1 << 1;
const COMPRESSION_MODE: u32 = 1 << 2;

/// The U256 delegation's control bits in x12 (`u256_ops_with_control.rs`).
const U256_ADD: u32 = 1 << 0;
const U256_SUB: u32 = 1 << 1;
const U256_SUB_AND_NEGATE: u32 = 1 << 2;
const U256_MUL_LOW: u32 = 1 << 3;
const U256_MUL_HIGH: u32 = 1 << 4;
const U256_EQ: u32 = 1 << 5;
const U256_CARRY: u32 = 1 << 6;
const U256_MEMCOPY: u32 = 1 << 7;

/// Parses the oracle as Airbender's CLI reads it: hex digits, 8 per word
/// (whitespace and a `0x` prefix ignored).
///
/// Errors: a length that is not a multiple of 8, a non-hex digit.
pub fn parse_oracle(text: &str) -> Result<Vec<u32>, String> {
    let t: String = text.split_whitespace().collect();
    let t = t.strip_prefix("0x").unwrap_or(&t);
    if !t.len().is_multiple_of(8) {
        return Err(format!(
            "{} hex digits: Airbender's oracle is words of 8 hex digits",
            t.len()
        ));
    }
    t.as_bytes()
        .chunks(8)
        .map(|c| {
            let s = std::str::from_utf8(c).map_err(|e| e.to_string())?;
            u32::from_str_radix(s, 16).map_err(|_| format!("{s:?} is not a hex word"))
        })
        .collect()
}

/// The UART protocol's state (`QuasiUARTSourceState`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Uart {
    #[default]
    Ready,
    Buffering {
        words: Option<u32>,
        bytes: Option<u32>,
        buffer: Vec<u8>,
    },
}

/// Airbender's side of a run: the oracle and the UART.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AirbenderDevice {
    oracle: VecDeque<u32>,
    uart: Uart,
    /// Oracle words read.
    pub read: usize,
    /// Oracle words given.
    pub given: usize,
}

/// What a CSR access did (see [`AirbenderDevice::csr`]).
pub enum CsrAccess {
    /// The value read (to rd), and text the UART completed, if any.
    Done(u64, Option<Vec<u8>>),
    /// Refused: why.
    Fault(String),
}

impl AirbenderDevice {
    /// Reserves the simulator's RAM (0..1 GiB, read-write-execute, zero
    /// until written; the program is in it already) and queues the
    /// `oracle` words.
    ///
    /// Errors: the reservation failing.
    pub fn install(
        oracle: Vec<u32>,
        segments: impl IntoIterator<Item = (u64, u64)>,
        mem: &mut Memory,
    ) -> Result<AirbenderDevice, MemError> {
        mem.reserve(0, RAM_BYTES, zkdbg_emulator::memory::Perm::RWX)?;
        for (addr, len) in segments {
            mem.map_with(addr, len, zkdbg_emulator::memory::Perm::RWX)?;
        }
        Ok(AirbenderDevice {
            given: oracle.len(),
            oracle: oracle.into(),
            ..AirbenderDevice::default()
        })
    }

    /// The output: x10..x17 as little-endian 32-bit words.
    pub fn output(cpu: &Cpu) -> Vec<u8> {
        cpu.x[10..18]
            .iter()
            .flat_map(|v| (*v as u32).to_le_bytes())
            .collect()
    }

    /// A CSR instruction on `csr` that Airbender serves (`None`: not one,
    /// the hart's own CSRs serve it). `rd` is the destination register
    /// number, `value` what the instruction writes (rs1 or its immediate),
    /// `writes` whether it writes at all.
    pub fn csr(&mut self, csr: u16, rd: usize, value: u64, writes: bool) -> Option<CsrAccess> {
        match csr {
            NON_DETERMINISM_CSR => {
                // A read when rd is a register, else a write (the
                // simulator ignores writes that come with a read).
                if rd != 0 {
                    self.read += 1;
                    let v = self.oracle.pop_front().unwrap_or(0);
                    Some(CsrAccess::Done(u64::from(v), None))
                } else if writes {
                    Some(CsrAccess::Done(0, self.uart_write(value as u32)))
                } else {
                    Some(CsrAccess::Done(0, None))
                }
            }
            MARKER_CSR => Some(CsrAccess::Done(0, None)),
            0x7c1..=0x7fe => Some(CsrAccess::Fault(format!(
                "Airbender's simulator has no delegation at CSR {csr:#x} (only {BLAKE2_CSR:#x} \
                 and {U256_CSR:#x})"
            ))),
            _ => None,
        }
    }

    /// A `csrrw` on a delegation CSR ([`BLAKE2_CSR`], [`U256_CSR`]) runs
    /// the delegation on x10..x13 and memory; rd gets 0; other CSR
    /// instructions on them are faults (the machine with delegations has
    /// only `csrrw`).
    ///
    /// - BLAKE2 (`blake2_round_function_with_compression_mode.rs`): x10
    ///   points at 24 words (the 8-word state, then the 16-word working
    ///   vector; 128-byte aligned), x11 at a 16-word input (4-byte aligned),
    ///   x12 is a one-bit mask whose bit index is the round (0..10), x13
    ///   the control bits. Round 0 sets up the working vector (plain mode:
    ///   the state and the IV, keeping words 12 and 14, the counter and
    ///   flag words the caller wrote; compression mode: the configured IV,
    ///   a 64-byte counter, the last-block flag). Compression mode hashes
    ///   the state and the input's first 8 words as a 64-byte block (the
    ///   input on the left unless the right-node bit is set). The last
    ///   round writes `state ^= v[0..8] ^ v[8..16]` (from the configured IV
    ///   in compression mode).
    /// - U256 (`u256_ops_with_control.rs`): a = 8 words at x10, b at x11
    ///   (both 32-byte aligned), x12 exactly one operation bit (add, sub,
    ///   b - a, low or high half of a·b, equality, copy of b), optionally
    ///   with the carry bit (carry in / borrow in / + 1 for the copy); the
    ///   result to x10 and the carry, borrow, high-half-nonzero or
    ///   equality flag to x12.
    ///
    /// Both need rs1 = 0, both pointers at or above 2 MiB (the ROM) and
    /// distinct. Where Airbender's simulator asserts, a fault naming the
    /// delegation and the reason.
    pub fn delegate(
        &mut self,
        insn: &Insn,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
    ) -> CustomResult {
        let csr = insn.imm as u16;
        let Some(name) = delegation_name(csr) else {
            return CustomResult::Unknown;
        };
        let rs1 = cpu.x[(insn.rs1 & 31) as usize] as u32;
        // The machine configuration with delegations
        // (`IMIsaConfigWithAllDelegations`) has only `csrrw`
        // (`SUPPORT_ONLY_CSRRW`): it reads 0 and writes rs1's value.
        if insn.op != Op::Csrrw {
            return CustomResult::Fault {
                name,
                message: format!(
                    "Airbender's machine with delegations takes only csrrw, not {}",
                    zkdbg_emulator::disasm::mnemonic(insn.op)
                ),
                addr: None,
            };
        }
        let mut acc = Vec::new();
        let r = |n: usize| cpu.x[n] as u32;
        // x10..x13 as they were (x12 is the U256 result's flag after).
        let args: Vec<CallArg> = (10..14).map(|n| CallArg::Hex(u64::from(r(n)))).collect();
        let result = if rs1 != 0 {
            Err((
                format!("the written value must be 0 (\"aligned memory access is unused\"), not {rs1:#x}"),
                None,
            ))
        } else if csr == BLAKE2_CSR {
            blake2(pc, [r(10), r(11), r(12), r(13)], mem, &mut acc).map(|()| None)
        } else {
            u256(pc, [r(10), r(11), r(12)], mem, &mut acc).map(Some)
        };
        match result {
            Ok(x12) => {
                if let Some(v) = x12 {
                    cpu.x[12] = v;
                }
                let rd = (insn.rd & 31) as usize;
                if rd != 0 {
                    cpu.x[rd] = 0;
                }
                CustomResult::Done {
                    name,
                    kind: CustomKind::Precompile,
                    accesses: acc,
                    output: None,
                    args: Some(args),
                }
            }
            Err((message, addr)) => CustomResult::Fault {
                name,
                message,
                addr,
            },
        }
    }

    /// One word written to the oracle CSR: the UART protocol; returns the
    /// string once complete.
    fn uart_write(&mut self, value: u32) -> Option<Vec<u8>> {
        match &mut self.uart {
            Uart::Ready => {
                if value == u32::MAX {
                    self.uart = Uart::Buffering {
                        words: None,
                        bytes: None,
                        buffer: Vec::new(),
                    };
                }
                None
            }
            Uart::Buffering {
                words,
                bytes,
                buffer,
            } => {
                let Some(w) = words else {
                    *words = Some(value);
                    return None;
                };
                let Some(b) = bytes else {
                    *w = w.saturating_sub(1);
                    *bytes = Some(value);
                    return None;
                };
                if *w > 0 {
                    *w -= 1;
                    let take = (*b).min(4) as usize;
                    // At most what was announced, and never past 64 KiB.
                    if buffer.len() < 1 << 16 {
                        buffer.extend_from_slice(&value.to_le_bytes()[..take]);
                    }
                    *b -= take as u32;
                }
                if *w == 0 {
                    let text = std::mem::take(buffer);
                    self.uart = Uart::Ready;
                    return Some(text);
                }
                None
            }
        }
    }
}

/// Airbender's checks on a delegation's two pointers: `a` aligned to
/// `align_a` bytes, `b` to `align_b`, both above the ROM, distinct.
fn check_pointers(a: u32, b: u32, align_a: u32, align_b: u32) -> Result<(), AccessError> {
    if !a.is_multiple_of(align_a) || !b.is_multiple_of(align_b) {
        return Err((
            format!("x10 = {a:#x} must be {align_a}-byte and x11 = {b:#x} {align_b}-byte aligned"),
            Some(u64::from(a)),
        ));
    }
    if a < 1 << 21 || b < 1 << 21 {
        return Err((
            format!("x10 = {a:#x} and x11 = {b:#x} must not point into the ROM (below 0x200000)"),
            None,
        ));
    }
    if a == b {
        return Err((format!("x10 and x11 must differ (both {a:#x})"), None));
    }
    Ok(())
}

fn words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    std::array::from_fn(|i| {
        u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().expect("4 bytes"))
    })
}

fn bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The BLAKE2 round delegation on `[x10, x11, x12, x13]`.
fn blake2(
    pc: u64,
    [x10, x11, x12, x13]: [u32; 4],
    mem: &mut Memory,
    acc: &mut Vec<MemAccess>,
) -> Result<(), AccessError> {
    check_pointers(x10, x11, 128, 4)?;
    if !x12.is_power_of_two() || x12.trailing_zeros() >= 10 {
        return Err((
            format!("x12 = {x12:#b} must have one bit set, the round (0..10)"),
            None,
        ));
    }
    let round = x12.trailing_zeros() as usize;
    let all: [u32; 24] = words(&read(mem, pc, u64::from(x10), 96, 4, acc)?);
    let input: [u32; 16] = words(&read(mem, pc, u64::from(x11), 64, 4, acc)?);
    let mut state: [u32; 8] = all[..8].try_into().expect("8 words");
    let mut v: [u32; 16] = all[8..].try_into().expect("16 words");
    if x13 & COMPRESSION_MODE != 0 {
        if round == 0 {
            v[..8].copy_from_slice(&CONFIGURED_IV);
            v[8..].copy_from_slice(&IV);
            v[12] ^= 64;
            v[14] ^= 0xffff_ffff;
        }
        let mut block = [0u32; 16];
        if x13 & INPUT_IS_RIGHT_NODE != 0 {
            block[..8].copy_from_slice(&input[..8]);
            block[8..].copy_from_slice(&state);
        } else {
            block[..8].copy_from_slice(&state);
            block[8..].copy_from_slice(&input[..8]);
        }
        crate::blake::blake2s_round(&mut v, &block, round);
    } else {
        if round == 0 {
            v[..8].copy_from_slice(&state);
            v[8..12].copy_from_slice(&IV[..4]);
            v[13] = IV[5];
            v[15] = IV[7];
        }
        crate::blake::blake2s_round(&mut v, &input, round);
    }
    if x13 & LAST_ROUND != 0 {
        if x13 & COMPRESSION_MODE != 0 {
            state = CONFIGURED_IV;
        }
        for i in 0..8 {
            state[i] ^= v[i] ^ v[i + 8];
        }
    }
    let out = [bytes(&state), bytes(&v)].concat();
    write(mem, pc, u64::from(x10), &out, 4, acc)
}

/// The U256 delegation on `[x10, x11, x12]`; returns x12's new value.
fn u256(
    pc: u64,
    [x10, x11, x12]: [u32; 3],
    mem: &mut Memory,
    acc: &mut Vec<MemAccess>,
) -> Result<u64, AccessError> {
    use crypto_bigint::{Limb, U256};
    check_pointers(x10, x11, 32, 32)?;
    if x12 >= 1 << 8 || (x12 & !U256_CARRY).count_ones() != 1 {
        return Err((
            format!(
                "x12 = {x12:#010b} must set exactly one operation bit (and maybe the carry bit 6)"
            ),
            None,
        ));
    }
    let num = |b: &[u8]| U256::from_le_slice(b);
    let a = num(&read(mem, pc, u64::from(x10), 32, 4, acc)?);
    let b = num(&read(mem, pc, u64::from(x11), 32, 4, acc)?);
    let carry = Limb::from(u64::from(x12 & U256_CARRY != 0));
    let flag = |l: Limb| l.0 != 0;
    let (result, of) = match x12 & !U256_CARRY {
        U256_ADD => {
            let (t, c) = a.adc(&b, carry);
            (t, flag(c))
        }
        U256_SUB => {
            let (t, c) = a.sbb(&b, Limb::ZERO);
            let (t, c2) = t.sbb(&U256::from(carry.0), Limb::ZERO);
            (t, flag(c) || flag(c2))
        }
        U256_SUB_AND_NEGATE => {
            let (t, c) = b.sbb(&a, Limb::ZERO);
            let (t, c2) = t.sbb(&U256::from(carry.0), Limb::ZERO);
            (t, flag(c) || flag(c2))
        }
        U256_MUL_LOW => {
            let (lo, hi) = a.mul_wide(&b);
            (lo, hi != U256::ZERO)
        }
        U256_MUL_HIGH => (a.mul_wide(&b).1, false),
        U256_EQ => (a, a == b),
        U256_MEMCOPY => {
            let (t, c) = b.adc(&U256::ZERO, carry);
            (t, flag(c))
        }
        _ => unreachable!("one bit of 0..=7 but 6 is set"),
    };
    write(
        mem,
        pc,
        u64::from(x10),
        &result
            .to_words()
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect::<Vec<u8>>(),
        4,
        acc,
    )?;
    Ok(u64::from(of))
}
