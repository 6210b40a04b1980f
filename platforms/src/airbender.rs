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
//! Cycles: one per instruction (the simulator's cycle is one
//! instruction). Not executed: the delegation CSRs (a clear fault).

use std::collections::VecDeque;
use zkdbg_emulator::{Cpu, MemError, Memory};

/// The non-determinism CSR.
pub const NON_DETERMINISM_CSR: u16 = 0x7c0;
/// The marker CSR (profiling marks; no effect on the run).
pub const MARKER_CSR: u16 = 0x7ff;
/// RAM the simulator gives the program, bytes.
pub const RAM_BYTES: u64 = 1 << 30;

/// Names of the delegation CSRs (`delegations/*.rs`).
fn delegation_name(csr: u16) -> &'static str {
    match csr {
        0x7c7 => "BLAKE2 round function with compression mode",
        0x7ca => "U256 ops with control",
        _ => "delegation",
    }
}

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
                "Airbender's {} CSR ({csr:#x}) is not executed by zkdbg yet",
                delegation_name(csr)
            ))),
            _ => None,
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
