//! OpenVM (openvm-org/openvm): RV32IM guests with OpenVM's custom-0
//! instructions for input, output and termination, and its extension
//! instructions.
//!
//! Facts from the guest crates at 2.0.2 (crates.io: `openvm-platform`,
//! `openvm-rv32im-guest`, `openvm-keccak256-guest`, `openvm-sha2-guest`)
//! and the executor at openvm-org/openvm @f6595e3a66 (what openvm-circuit
//! 2.0.2 runs):
//! - `crates/toolchain/platform/src/memory.rs`: `MEM_BITS` 29 (the guest's
//!   memory is 0..2^29, zero until written), `STACK_TOP` 0x0020_0400,
//!   `TEXT_START` 0x0020_0800;
//! - `extensions/rv32im/guest/src/lib.rs`: custom-0 (opcode 0x0B) by
//!   funct3: 0 TERMINATE (exit code in imm), 1 HINT (imm 0 HINT_STOREW:
//!   the next hint word to the address in rd; imm 1 HINT_BUFFER: rs1
//!   words to the address in rd, at most `MAX_HINT_BUFFER_WORDS` 1023),
//!   2 REVEAL (rs1 stored into the public values at rd + imm), 3 PHANTOM
//!   (imm 0 HintInput, 1 PrintStr, 2 HintRandom);
//! - `extensions/rv32im/circuit/src/extension/mod.rs` (the phantom
//!   sub-executors): HintInput replaces the hint stream with the next
//!   input (its length as a u32 LE, then its bytes padded with zeros to a
//!   word) and fails at the end of the inputs ("EndOfInputStream");
//!   PrintStr prints rs1 bytes at rd (UTF-8 required); HintRandom fills
//!   the hint stream with rd * 4 bytes of a `StdRng` seeded with 0
//!   (`crates/vm/src/arch/state.rs`, `DEFAULT_RNG_SEED`);
//! - `extensions/rv32im/circuit/src/hintstore/execution.rs`: HINT_STOREW
//!   and HINT_BUFFER fail when the hint stream holds too few bytes; a
//!   zero or too large HINT_BUFFER count fails
//!   (`crates/vm/src/arch/execution.rs`, `ExecutionError`);
//! - `crates/vm/src/arch/config.rs`: 32 bytes of public values
//!   (`DEFAULT_MAX_NUM_PUBLIC_VALUES`); a REVEAL outside them fails
//!   (`PublicValueIndexOutOfBounds`);
//! - `extensions/rv32im/transpiler/src/lib.rs`: `csrrw x0, csr, x0` is a
//!   no-op, every other SYSTEM instruction (ecall, ebreak, CSR accesses)
//!   becomes TERMINATE with exit code 2 (`unimp`); fence is a no-op;
//!   a word of an executable segment that no extension decodes is
//!   rejected when the ELF is transpiled;
//! - `extensions/keccak256/{guest,circuit}`: funct3 4, funct7 0 KECCAKF
//!   (Keccak-f\[1600\] on the 200 bytes at rd, 25 little-endian u64
//!   lanes), funct7 1 XORIN (rs2 bytes at rs1 xored into rd, by 4-byte
//!   words);
//! - `extensions/sha2/{guest,circuit}`: funct3 4, funct7 2 SHA256 (state
//!   of 8 little-endian u32 at rs1, a 64-byte block at rs2, the new state
//!   to rd), funct7 3 SHA512 (8 little-endian u64, a 128-byte block);
//! - the other extensions' guest crates: custom-0 funct3 5/6 `bigint`
//!   (Int256, BEQ256); custom-1 (0x2B) funct3 0 and 2 `algebra` (modular
//!   arithmetic, complex extension fields), 1 `ecc` (short Weierstrass),
//!   3 `pairing`, 7 `deferral`.
//!
//! Cycles: OpenVM counts executed instructions (`instret` of its
//! metered-cost interpreter), one per RISC-V instruction, custom ones
//! included. Not executed: the bigint, algebra, ecc, pairing and deferral
//! extensions (a fault naming the extension).

use std::collections::VecDeque;

use rand::{rngs::StdRng, Rng, SeedableRng};
use zkdbg_emulator::{Cpu, CustomKind, CustomResult, Insn, MemAccess, MemError, Memory};

/// The guest's memory, bytes (`MEM_SIZE` = 2^`MEM_BITS`).
pub const MEM_BYTES: u64 = 1 << 29;
/// `STACK_TOP`: the stack grows down from here.
pub const STACK_TOP: u64 = 0x0020_0400;
/// `TEXT_START`: where the program's text begins.
pub const TEXT_START: u64 = 0x0020_0800;
/// Bytes of public values (`DEFAULT_MAX_NUM_PUBLIC_VALUES`).
pub const NUM_PUBLIC_VALUES: usize = 32;
/// Most words one HINT_BUFFER moves (`MAX_HINT_BUFFER_WORDS`).
pub const MAX_HINT_BUFFER_WORDS: u64 = 1023;
/// The exit code of a SYSTEM instruction (OpenVM's `unimp`).
pub const UNIMP_EXIT_CODE: i32 = 2;

/// One of OpenVM's custom instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenVmInsn {
    /// TERMINATE: the run ends with this exit code.
    Terminate(u8),
    /// HINT_STOREW: the next 4 hint bytes to the address in rd.
    HintStoreW,
    /// HINT_BUFFER: rs1 words of hints to the address in rd.
    HintBuffer,
    /// REVEAL: rs1 into the public values at rd + imm.
    Reveal,
    /// PHANTOM HintInput: the next input becomes the hint stream.
    HintInput,
    /// PHANTOM PrintStr: print rs1 bytes at rd.
    PrintStr,
    /// PHANTOM HintRandom: rd words of random bytes become the hint stream.
    HintRandom,
    /// KECCAKF: Keccak-f\[1600\] in place at rd.
    Keccakf,
    /// XORIN: rs2 bytes at rs1 xored into rd.
    Xorin,
    /// SHA256: compress (state rs1, block rs2) into rd.
    Sha256,
    /// SHA512: compress (state rs1, block rs2) into rd.
    Sha512,
    /// An instruction of an extension zkdbg does not execute (its name).
    Extension(&'static str),
}

impl OpenVmInsn {
    /// OpenVM's name for it (its opcode or phantom discriminant).
    pub fn name(self) -> &'static str {
        match self {
            OpenVmInsn::Terminate(_) => "TERMINATE",
            OpenVmInsn::HintStoreW => "HINT_STOREW",
            OpenVmInsn::HintBuffer => "HINT_BUFFER",
            OpenVmInsn::Reveal => "REVEAL",
            OpenVmInsn::HintInput => "HintInput",
            OpenVmInsn::PrintStr => "PrintStr",
            OpenVmInsn::HintRandom => "HintRandom",
            OpenVmInsn::Keccakf => "KECCAKF",
            OpenVmInsn::Xorin => "XORIN",
            OpenVmInsn::Sha256 => "SHA256",
            OpenVmInsn::Sha512 => "SHA512",
            OpenVmInsn::Extension(e) => e,
        }
    }

    /// What it is in profiles and traces: the hash extensions'
    /// instructions are precompiles, the I/O ones platform calls.
    pub fn kind(self) -> CustomKind {
        match self {
            OpenVmInsn::Keccakf | OpenVmInsn::Xorin | OpenVmInsn::Sha256 | OpenVmInsn::Sha512 => {
                CustomKind::Precompile
            }
            _ => CustomKind::Syscall,
        }
    }
}

/// The names `catch precompile`/`catch syscall` accept.
pub fn call_names() -> Vec<&'static str> {
    vec![
        "TERMINATE",
        "HINT_STOREW",
        "HINT_BUFFER",
        "REVEAL",
        "HintInput",
        "PrintStr",
        "HintRandom",
        "KECCAKF",
        "XORIN",
        "SHA256",
        "SHA512",
    ]
}

/// Decodes an OpenVM custom instruction (opcode 0x0B or 0x2B) from its
/// encoding; `None` if OpenVM's transpiler decodes no such instruction.
pub fn decode(word: u32) -> Option<OpenVmInsn> {
    let funct3 = (word >> 12) & 7;
    let funct7 = word >> 25;
    let imm = word >> 20;
    match (word & 0x7f, funct3) {
        (0x0b, 0) => Some(OpenVmInsn::Terminate(u8::try_from(imm).ok()?)),
        (0x0b, 1) => match imm {
            0 => Some(OpenVmInsn::HintStoreW),
            1 => Some(OpenVmInsn::HintBuffer),
            _ => None,
        },
        (0x0b, 2) => Some(OpenVmInsn::Reveal),
        (0x0b, 3) => match imm {
            0 => Some(OpenVmInsn::HintInput),
            1 => Some(OpenVmInsn::PrintStr),
            2 => Some(OpenVmInsn::HintRandom),
            _ => None,
        },
        (0x0b, 4) => match funct7 {
            0 => Some(OpenVmInsn::Keccakf),
            1 => Some(OpenVmInsn::Xorin),
            2 => Some(OpenVmInsn::Sha256),
            3 => Some(OpenVmInsn::Sha512),
            _ => None,
        },
        (0x0b, 5) => Some(OpenVmInsn::Extension("bigint (Int256)")),
        (0x0b, 6) => Some(OpenVmInsn::Extension("bigint (BEQ256)")),
        (0x2b, 0) => Some(OpenVmInsn::Extension("algebra (modular arithmetic)")),
        (0x2b, 1) => Some(OpenVmInsn::Extension("ecc (short Weierstrass)")),
        (0x2b, 2) => Some(OpenVmInsn::Extension("algebra (complex extension field)")),
        (0x2b, 3) => Some(OpenVmInsn::Extension("pairing")),
        (0x2b, 7) => Some(OpenVmInsn::Extension("deferral")),
        _ => None,
    }
}

/// A custom instruction in OpenVM's words, for disassembly.
pub fn disassemble(insn: &Insn) -> Option<String> {
    let word = insn.imm as u32;
    let i = decode(word)?;
    let r = |n: u8| zkdbg_emulator::cpu::ABI_NAMES[(n & 31) as usize];
    let imm = ((word as i32) >> 20) as i64;
    Some(match i {
        OpenVmInsn::Terminate(code) => format!("terminate {code}"),
        OpenVmInsn::HintStoreW => format!("hint_storew {}", r(insn.rd)),
        OpenVmInsn::HintBuffer => format!("hint_buffer {}, {}", r(insn.rd), r(insn.rs1)),
        OpenVmInsn::Reveal => format!("reveal {}, {imm}({})", r(insn.rs1), r(insn.rd)),
        OpenVmInsn::HintInput => "phantom hint_input".to_string(),
        OpenVmInsn::PrintStr => format!("phantom print_str {}, {}", r(insn.rd), r(insn.rs1)),
        OpenVmInsn::HintRandom => format!("phantom hint_random {}", r(insn.rd)),
        OpenVmInsn::Keccakf => format!("keccakf {}", r(insn.rd)),
        OpenVmInsn::Xorin | OpenVmInsn::Sha256 | OpenVmInsn::Sha512 => format!(
            "{} {}, {}, {}",
            i.name().to_lowercase(),
            r(insn.rd),
            r(insn.rs1),
            r(insn.rs2)
        ),
        OpenVmInsn::Extension(e) => format!(".insn {word:#010x}  # OpenVM {e}"),
    })
}

/// Checks an executable segment as OpenVM's transpiler does: every 32-bit
/// word must be an RV32IM instruction or one of OpenVM's. `vaddr` is the
/// segment's address.
///
/// Errors: the address and word of the first one OpenVM rejects.
pub fn check_transpilable(vaddr: u64, code: &[u8]) -> Result<(), String> {
    for (i, w) in code.chunks(4).enumerate() {
        let mut b = [0u8; 4];
        b[..w.len()].copy_from_slice(w);
        let word = u32::from_le_bytes(b);
        // RV32IM and SYSTEM (ecall, CSRs: OpenVM makes them no-ops or
        // `unimp`); FENCE (a no-op), not FENCE.I; no A or C.
        let ok = match word & 0x7f {
            0x0b | 0x2b => decode(word).is_some(),
            0x03 | 0x13 | 0x17 | 0x23 | 0x33 | 0x37 | 0x63 | 0x67 | 0x6f | 0x73 => {
                zkdbg_emulator::decode(word, zkdbg_emulator::Xlen::X32).op
                    != zkdbg_emulator::Op::Illegal
            }
            0x0f => (word >> 12) & 7 == 0,
            _ => false,
        };
        if !ok {
            return Err(format!(
                "OpenVM's transpiler rejects the word {word:#010x} at {:#x}: not an RV32IM \
                 instruction or one of OpenVM's (link so that the executable segments hold only \
                 code, e.g. the ELF headers in no segment)",
                vaddr + 4 * i as u64
            ));
        }
    }
    Ok(())
}

/// The input streams of a `cargo openvm run --input FILE.json` file
/// (`crates/cli/src/input.rs`): `{"input": ["0x01…", …]}`, each string
/// one entry, hex with a leading `01` byte for bytes (what
/// `StdIn::write_bytes` queues). `None` if `file` is not such a JSON
/// object (then it is the entry's raw bytes).
///
/// Errors: a malformed entry, or field elements (a leading `02`), which
/// zkdbg does not take.
pub fn parse_cli_input(file: &[u8]) -> Result<Option<Vec<Vec<u8>>>, String> {
    let text = match std::str::from_utf8(file) {
        Ok(t) if t.trim_start().starts_with('{') => t,
        _ => return Ok(None),
    };
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not cargo-openvm's input JSON: {e}"))?;
    let Some(list) = json.get("input").and_then(|v| v.as_array()) else {
        return Err("cargo-openvm's input JSON holds an array under \"input\"".into());
    };
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let s = v
                .as_str()
                .ok_or_else(|| format!("input[{i}] is not a hex string"))?;
            let h = s.strip_prefix("0x").unwrap_or(s);
            if !h.len().is_multiple_of(2) || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("input[{i}]: not an even-length hex string"));
            }
            let bytes: Vec<u8> = (0..h.len())
                .step_by(2)
                .map(|j| u8::from_str_radix(&h[j..j + 2], 16).unwrap_or(0))
                .collect();
            match bytes.first() {
                Some(0x01) => Ok(bytes[1..].to_vec()),
                Some(0x02) => Err(format!(
                    "input[{i}]: field-element input (02) is not supported by zkdbg; write bytes (01)"
                )),
                _ => Err(format!("input[{i}]: must start with 01 (bytes) or 02 (field elements)")),
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

/// OpenVM's side of a run: the input stream, the hint stream, the public
/// values and the HintRandom generator.
#[derive(Clone, Debug)]
pub struct OpenVmDevice {
    inputs: VecDeque<Vec<u8>>,
    hint: VecDeque<u8>,
    /// The public values (REVEAL's target), zero until revealed.
    pub public_values: [u8; NUM_PUBLIC_VALUES],
    rng: Box<StdRng>,
    /// Inputs given.
    pub given: usize,
    /// Inputs taken by HintInput.
    pub taken: usize,
}

/// The first word of `x`, as OpenVM's 32-bit registers hold it.
fn reg(cpu: &Cpu, n: u8) -> u64 {
    cpu.x[(n & 31) as usize] & 0xffff_ffff
}

impl OpenVmDevice {
    /// Maps OpenVM's memory (0..2^29, read-write, zero until written, the
    /// ELF's `segments` (address, length) writable too: OpenVM's memory
    /// has no page permissions) and queues `inputs` (each one
    /// input-stream entry, as `StdIn::write_bytes` queues it).
    ///
    /// Errors: the reservation failing.
    pub fn install(
        inputs: Vec<Vec<u8>>,
        segments: impl IntoIterator<Item = (u64, u64)>,
        mem: &mut Memory,
    ) -> Result<OpenVmDevice, MemError> {
        crate::flat_memory(mem, 0, MEM_BYTES, segments)?;
        Ok(OpenVmDevice {
            given: inputs.len(),
            inputs: inputs.into(),
            hint: VecDeque::new(),
            public_values: [0; NUM_PUBLIC_VALUES],
            rng: Box::new(StdRng::seed_from_u64(0)),
            taken: 0,
        })
    }

    /// Bytes left in the hint stream.
    pub fn hint_len(&self) -> usize {
        self.hint.len()
    }

    /// Runs an OpenVM custom instruction (see the module docs).
    pub fn serve(&mut self, insn: &Insn, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> CustomResult {
        let word = insn.imm as u32;
        let Some(op) = decode(word) else {
            return CustomResult::Unknown;
        };
        let name = op.name();
        let fault = |message: String, addr: Option<u64>| CustomResult::Fault {
            name,
            message,
            addr,
        };
        if let OpenVmInsn::Terminate(code) = op {
            return CustomResult::Halt {
                name,
                code: i32::from(code),
            };
        }
        let mut acc = Vec::new();
        let mut output = None;
        let result: Result<(), (String, Option<u64>)> = (|| {
            match op {
                OpenVmInsn::Terminate(_) => {}
                OpenVmInsn::HintStoreW => {
                    let dst = reg(cpu, insn.rd);
                    let bytes = self.pop_hint(4)?;
                    write(mem, pc, dst, &bytes, &mut acc)?;
                }
                OpenVmInsn::HintBuffer => {
                    let words = reg(cpu, insn.rs1);
                    let dst = reg(cpu, insn.rd);
                    if words == 0 {
                        return Err(("hint buffer num_words is zero".into(), None));
                    }
                    if words > MAX_HINT_BUFFER_WORDS {
                        return Err((
                            format!(
                                "hint buffer num_words {words} exceeds MAX_HINT_BUFFER_WORDS \
                                 {MAX_HINT_BUFFER_WORDS}"
                            ),
                            None,
                        ));
                    }
                    let bytes = self.pop_hint(4 * words as usize)?;
                    write(mem, pc, dst, &bytes, &mut acc)?;
                }
                OpenVmInsn::Reveal => {
                    let imm = ((word as i32) >> 20) as i64 as u64;
                    let at = reg(cpu, insn.rd).wrapping_add(imm) & 0xffff_ffff & !3;
                    let value = reg(cpu, insn.rs1) as u32;
                    let Some(slot) = usize::try_from(at)
                        .ok()
                        .filter(|a| a + 4 <= NUM_PUBLIC_VALUES)
                    else {
                        return Err((
                            format!(
                                "tried to publish into byte {at} when num_public_values = \
                                 {NUM_PUBLIC_VALUES}"
                            ),
                            None,
                        ));
                    };
                    self.public_values[slot..slot + 4].copy_from_slice(&value.to_le_bytes());
                }
                OpenVmInsn::HintInput => {
                    let Some(next) = self.inputs.pop_front() else {
                        return Err((
                            format!(
                                "EndOfInputStream: the guest reads input {} of {} given \
                                 (--input)",
                                self.taken + 1,
                                self.given
                            ),
                            None,
                        ));
                    };
                    self.taken += 1;
                    let len = u32::try_from(next.len())
                        .map_err(|_| ("an input longer than 4 GiB".to_string(), None))?;
                    self.hint.clear();
                    self.hint.extend(len.to_le_bytes());
                    let padded = next.len().div_ceil(4) * 4;
                    self.hint.extend(next);
                    self.hint.resize(4 + padded, 0);
                }
                OpenVmInsn::PrintStr => {
                    let ptr = reg(cpu, insn.rd);
                    let len = reg(cpu, insn.rs1);
                    let bytes = crate::read_bounded(mem, ptr, len).map_err(|e| (e, Some(ptr)))?;
                    if std::str::from_utf8(&bytes).is_err() {
                        return Err(("PrintStr of bytes that are not UTF-8".into(), Some(ptr)));
                    }
                    output = Some((1, bytes));
                }
                OpenVmInsn::HintRandom => {
                    let words = reg(cpu, insn.rd);
                    let n = words.checked_mul(4).filter(|n| *n <= mem.available_bytes());
                    let Some(n) = n else {
                        return Err((
                            format!("HintRandom of {words} words: more than --memory-limit leaves"),
                            None,
                        ));
                    };
                    self.hint.clear();
                    let rng = &mut *self.rng;
                    self.hint.extend((0..n).map(|_| rng.random::<u8>()));
                }
                OpenVmInsn::Keccakf => {
                    let at = reg(cpu, insn.rd);
                    let state = read(mem, pc, at, 200, &mut acc)?;
                    write(mem, pc, at, &crate::keccakf_le(&state), &mut acc)?;
                }
                OpenVmInsn::Xorin => {
                    let (buf, input) = (reg(cpu, insn.rd), reg(cpu, insn.rs1));
                    let len = reg(cpu, insn.rs2);
                    // By 4-byte words (`xorin/execution.rs`); OpenVM's guest
                    // library never asks for more than the rate, 136 bytes.
                    let n = len.div_ceil(4) * 4;
                    if n > mem.available_bytes() {
                        return Err((format!("XORIN of {len} bytes"), None));
                    }
                    let a = read(mem, pc, buf, n, &mut acc)?;
                    let b = read(mem, pc, input, n, &mut acc)?;
                    let out: Vec<u8> = a.iter().zip(&b).map(|(x, y)| x ^ y).collect();
                    write(mem, pc, buf, &out, &mut acc)?;
                }
                OpenVmInsn::Sha256 => {
                    let (dst, st, blk) =
                        (reg(cpu, insn.rd), reg(cpu, insn.rs1), reg(cpu, insn.rs2));
                    let s = read(mem, pc, st, 32, &mut acc)?;
                    let block = read(mem, pc, blk, 64, &mut acc)?;
                    write(
                        mem,
                        pc,
                        dst,
                        &crate::sha256_compress_le(&s, &block),
                        &mut acc,
                    )?;
                }
                OpenVmInsn::Sha512 => {
                    let (dst, st, blk) =
                        (reg(cpu, insn.rd), reg(cpu, insn.rs1), reg(cpu, insn.rs2));
                    let s = read(mem, pc, st, 64, &mut acc)?;
                    let block = read(mem, pc, blk, 128, &mut acc)?;
                    let mut state = [0u64; 8];
                    for (v, c) in state.iter_mut().zip(s.chunks_exact(8)) {
                        *v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                    }
                    let block: [u8; 128] = block.try_into().expect("128 bytes");
                    sha2::compress512(&mut state, &[block.into()]);
                    let out: Vec<u8> = state.iter().flat_map(|v| v.to_le_bytes()).collect();
                    write(mem, pc, dst, &out, &mut acc)?;
                }
                OpenVmInsn::Extension(e) => {
                    return Err((
                        format!("OpenVM's {e} extension is not supported by zkdbg yet"),
                        None,
                    ));
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => CustomResult::Done {
                name,
                kind: op.kind(),
                accesses: acc,
                output,
                args: None,
            },
            Err((message, addr)) => fault(message, addr),
        }
    }

    /// The next `n` bytes of the hint stream.
    fn pop_hint(&mut self, n: usize) -> Result<Vec<u8>, (String, Option<u64>)> {
        if self.hint.len() < n {
            return Err((
                format!(
                    "the hint stream holds {} bytes, {n} wanted (read past the end of an input?)",
                    self.hint.len()
                ),
                None,
            ));
        }
        Ok(self.hint.drain(..n).collect())
    }
}

/// Reads `len` bytes at `addr` for an instruction at `pc`, noting the
/// accesses. Errors: memory outside OpenVM's 2^29 bytes or unreadable.
fn read(
    mem: &Memory,
    pc: u64,
    addr: u64,
    len: u64,
    acc: &mut Vec<MemAccess>,
) -> Result<Vec<u8>, (String, Option<u64>)> {
    in_memory(addr, len)?;
    crate::access::read(mem, pc, addr, len, 4, acc)
}

/// Writes `bytes` at `addr` as the guest would, noting the accesses.
/// Errors: memory outside OpenVM's 2^29 bytes or not writable.
fn write(
    mem: &mut Memory,
    pc: u64,
    addr: u64,
    bytes: &[u8],
    acc: &mut Vec<MemAccess>,
) -> Result<(), (String, Option<u64>)> {
    in_memory(addr, bytes.len() as u64)?;
    crate::access::write(mem, pc, addr, bytes, 4, acc)
}

/// `addr..addr+len` must lie in OpenVM's memory.
fn in_memory(addr: u64, len: u64) -> Result<(), (String, Option<u64>)> {
    match addr.checked_add(len) {
        Some(end) if end <= MEM_BYTES => Ok(()),
        _ => Err((
            format!(
                "{len} bytes at {addr:#x} reach past OpenVM's memory (2^29 bytes, \
                 openvm-platform MEM_BITS)"
            ),
            Some(addr),
        )),
    }
}
