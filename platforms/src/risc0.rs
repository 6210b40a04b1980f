//! RISC Zero (risc0/risc0): RV32IM user programs and the user-mode
//! `ecall` ABI, served on the host.
//!
//! Facts from the crates of RISC Zero 3.0 (risc0-zkvm-platform 2.2.3,
//! risc0-zkos-v1compat 2.2.3, risc0-circuit-rv32im 4.0.5):
//! - `risc0-zkvm-platform` `src/memory.rs`: `TEXT_START 0x0020_0800`,
//!   `STACK_TOP 0x0020_0400`, guest memory `0x4000..0xC000_0000`;
//! - `src/syscall.rs`: t0 = the ecall kind ([`HALT`] 0, INPUT 1, SOFTWARE
//!   2, SHA 3, BIGINT 4, USER 5, BIGINT2 6, POSEIDON2 7); HALT: a0 = halt
//!   type (TERMINATE 0, PAUSE 1) | exit code << 8, a1 = the output
//!   digest; SOFTWARE: t6 = the syscall ([`Software`]), a0/a1 the
//!   from-host buffer and its length, a2 the syscall's name, a3.. its
//!   arguments, results in a0/a1; SHA: a0 out state, a1 in state, a2/a3
//!   the two halves of the first block, a4 the block count;
//! - `risc0-zkos-v1compat` `src/main.rs` (the kernel that serves these
//!   calls): READ fills the buffer and returns the byte count in a0,
//!   WRITE/LOG/PANIC take (fd,) pointer and length in a3.., RANDOM fills
//!   whole words, CYCLE_COUNT returns the count's high and low words;
//! - `risc0-circuit-rv32im` `src/execute/sha2.rs`: SHA state and blocks
//!   are big-endian words in memory (the digest's bytes in order).
//!
//! The file numbers are risc0-zkvm's `fileno`: 0 stdin, 1 stdout, 2
//! stderr, 3 the journal.
//!
//! Not modeled yet: the v1compat kernel route (RISC Zero's executor runs
//! the kernel in machine mode, and its user cycles count the kernel's
//! instructions and each host call's cycles), paging cycles and segments;
//! cycles here are retired user-mode instructions.

use std::collections::VecDeque;
use zkdbg_emulator::{CallArg, Cpu, CustomKind, EcallResult, MemError, Memory};

/// ecall kind HALT (t0).
pub const HALT: u64 = 0;
/// ecall kind INPUT.
pub const INPUT: u64 = 1;
/// ecall kind SOFTWARE (t6 selects the [`Software`] call).
pub const SOFTWARE: u64 = 2;
/// ecall kind SHA.
pub const SHA: u64 = 3;

/// The lowest guest address (`GUEST_MIN_MEM`).
pub const GUEST_MIN_MEM: u64 = 0x4000;
/// One past the highest user address (`GUEST_MAX_MEM`).
pub const GUEST_MAX_MEM: u64 = 0xC000_0000;

/// The ecall kinds other than SOFTWARE, by t0, with RISC Zero's names.
pub const ECALLS: [&str; 8] = [
    "HALT",
    "INPUT",
    "SOFTWARE",
    "SHA",
    "BIGINT",
    "USER",
    "BIGINT2",
    "POSEIDON2",
];

/// The SOFTWARE syscalls (t6), numbered as `risc0-zkvm-platform`'s
/// `Syscall` enum; names as its `nr::SYS_*`.
pub const SOFTWARE_CALLS: [(u64, &str); 17] = [
    (1, "SYS_ARGC"),
    (2, "SYS_ARGV"),
    (3, "SYS_CYCLE_COUNT"),
    (4, "SYS_EXIT"),
    (5, "SYS_FORK"),
    (6, "SYS_GETENV"),
    (7, "SYS_KECCAK"),
    (8, "SYS_LOG"),
    (9, "SYS_PANIC"),
    (10, "SYS_PIPE"),
    (11, "SYS_RANDOM"),
    (12, "SYS_READ"),
    (13, "SYS_USER"),
    (14, "SYS_VERIFY_INTEGRITY"),
    (15, "SYS_VERIFY_INTEGRITY2"),
    (16, "SYS_WRITE"),
    (17, "SYS_PROVE_ZKR"),
];

/// Every call's name (what `catch precompile` accepts).
pub fn call_names() -> Vec<&'static str> {
    ECALLS
        .iter()
        .copied()
        .chain(SOFTWARE_CALLS.iter().map(|c| c.1))
        .collect()
}

/// The SOFTWARE syscall numbered `nr`.
pub fn software_name(nr: u64) -> Option<&'static str> {
    SOFTWARE_CALLS.iter().find(|c| c.0 == nr).map(|c| c.1)
}

/// The name of the call the ecall at hand makes (t0, and t6 for SOFTWARE).
pub fn call_name(t0: u64, t6: u64) -> Option<&'static str> {
    if t0 == SOFTWARE {
        software_name(t6)
    } else {
        ECALLS.get(t0 as usize).copied()
    }
}

/// The arguments of the RISC Zero call the `ecall` at hand makes, decoded
/// for traces (SOFTWARE calls take theirs from a3..).
pub fn describe(cpu: &Cpu, mem: &Memory) -> Option<Vec<CallArg>> {
    let x = |r: usize| cpu.x[r] & 0xffff_ffff;
    let name = call_name(x(5), x(31))?;
    let (a0, a1, a2, a3, a4, a5) = (x(10), x(11), x(12), x(13), x(14), x(15));
    let int = |v: u64| CallArg::Int(v as i64);
    Some(match name {
        "SYS_READ" => vec![int(a3), CallArg::Hex(a0), int(a4)],
        "SYS_WRITE" => vec![int(a3), crate::buffer_arg(mem, a4, a5), int(a5)],
        "SYS_LOG" | "SYS_PANIC" => vec![crate::buffer_arg(mem, a3, a4)],
        "SYS_RANDOM" => vec![CallArg::Hex(a0), int(a1)],
        "SHA" => vec![
            CallArg::Hex(a0),
            CallArg::Hex(a1),
            CallArg::Hex(a2),
            CallArg::Hex(a3),
            int(a4),
        ],
        _ => vec![],
    })
}

/// RISC Zero's side of a run: stdin, the journal, the exit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Risc0Device {
    stdin: VecDeque<u8>,
    journal: Vec<u8>,
    /// The panic message, once the guest called SYS_PANIC.
    pub panic_message: Option<String>,
    /// The output digest the guest passed to HALT.
    pub output_digest: Option<[u8; 32]>,
    /// Bytes of stdin given.
    stdin_given: usize,
    /// Whether a SYS_READ of stdin came back short (end of input).
    pub read_past_end: bool,
    /// State of the deterministic randomness (SYS_RANDOM).
    rng: u64,
}

impl Risc0Device {
    /// Reserves RISC Zero's user memory (`GUEST_MIN_MEM..GUEST_MAX_MEM`,
    /// read-write, zero until written), makes the ELF's `segments`
    /// (start, length) writable too (RISC Zero's memory has no page
    /// permissions: the stack below 0x200400 shares a page with the text),
    /// and queues `stdin` (what `ExecutorEnv::write` wrote: risc0's word
    /// serialization) for fd 0; `seed` seeds SYS_RANDOM.
    ///
    /// Errors: the reservation failing.
    pub fn install(
        stdin: Vec<u8>,
        seed: u64,
        segments: impl IntoIterator<Item = (u64, u64)>,
        mem: &mut Memory,
    ) -> Result<Risc0Device, MemError> {
        let start = GUEST_MIN_MEM.max(zkdbg_emulator::memory::GUARD_SIZE);
        crate::flat_memory(mem, start, GUEST_MAX_MEM, segments)?;
        Ok(Risc0Device {
            stdin_given: stdin.len(),
            stdin: stdin.into(),
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            ..Risc0Device::default()
        })
    }

    /// Why the run may have failed for want of input: the guest panicked
    /// after a read came back short.
    pub fn input_hint(&self) -> Option<String> {
        (self.read_past_end && self.panic_message.is_some()).then(|| {
            format!(
                "the guest read past the end of its input ({} bytes given with --input)",
                self.stdin_given
            )
        })
    }

    /// The journal: what the guest committed (wrote to fd 3).
    pub fn journal(&self) -> &[u8] {
        &self.journal
    }

    /// Serves one `ecall` (see [`zkdbg_emulator::Environment::ecall`]).
    pub fn serve(
        &mut self,
        cpu: &mut Cpu,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> EcallResult {
        let x = |r: usize| cpu.x[r] & 0xffff_ffff;
        let (t0, t6) = (x(5), x(31));
        let Some(name) = call_name(t0, t6) else {
            let message = format!("t0 = {t0:#x}, t6 = {t6:#x} is not a RISC Zero ecall");
            return EcallResult::fault("ecall", message, None);
        };
        let fault = |message, addr| EcallResult::fault(name, message, addr);
        let done = |kind| EcallResult::done(name, kind);
        let (a0, a1, a2, a3, a4, a5) = (x(10), x(11), x(12), x(13), x(14), x(15));
        match (t0, name) {
            (HALT, _) => {
                if let Ok(d) = mem.read_vec(a1, 32) {
                    self.output_digest = Some(d.try_into().expect("32 bytes"));
                }
                // TERMINATE and PAUSE both end the run here.
                EcallResult::Halt {
                    name,
                    code: ((a0 >> 8) & 0xff) as i32,
                }
            }
            (INPUT, _) => {
                cpu.x[10] = 0;
                done(CustomKind::Syscall)
            }
            (SHA, _) => match sha(mem, a0, a1, a2, a3, a4) {
                Ok(()) => done(CustomKind::Precompile),
                Err((m, addr)) => fault(m, addr),
            },
            (SOFTWARE, "SYS_READ") => {
                // a3 = fd, a4 = bytes wanted, a0 = the buffer.
                if a3 != 0 {
                    return fault(format!("read from fd {a3}: only stdin (0) is served"), None);
                }
                let n = (a4 as usize).min(self.stdin.len());
                if n < a4 as usize {
                    self.read_past_end = true;
                }
                let bytes: Vec<u8> = self.stdin.iter().take(n).copied().collect();
                if let Err(e) = mem.write_user(a0, &bytes) {
                    return fault(format!("cannot write the buffer: {e}"), Some(a0));
                }
                self.stdin.drain(..n);
                cpu.x[10] = n as u64;
                done(CustomKind::Syscall)
            }
            (SOFTWARE, "SYS_WRITE") => {
                // a3 = fd, a4 = buffer, a5 = length.
                let bytes = match crate::read_bounded(mem, a4, a5) {
                    Ok(b) => b,
                    Err(m) => return fault(m, Some(a4)),
                };
                match a3 {
                    1 | 2 => {
                        if let Err(e) = console(a3 as u32, &bytes, mem) {
                            return fault(format!("console output: {e}"), None);
                        }
                        return EcallResult::Done {
                            name,
                            kind: CustomKind::Syscall,
                            output: Some((a3 as u32, bytes)),
                            args: None,
                        };
                    }
                    3 => {
                        if let Err(e) = mem.charge(bytes.len() as u64) {
                            return fault(format!("journal: {e}"), None);
                        }
                        self.journal.extend_from_slice(&bytes);
                    }
                    fd => return fault(format!("write to fd {fd}: not served"), None),
                }
                cpu.x[10] = 0;
                done(CustomKind::Syscall)
            }
            (SOFTWARE, "SYS_LOG") | (SOFTWARE, "SYS_PANIC") => {
                let mut bytes = match crate::read_bounded(mem, a3, a4) {
                    Ok(b) => b,
                    Err(m) => return fault(m, Some(a3)),
                };
                let panic = name == "SYS_PANIC";
                if panic {
                    self.panic_message = Some(String::from_utf8_lossy(&bytes).into_owned());
                    let mut line = b"panicked: ".to_vec();
                    line.append(&mut bytes);
                    bytes = line;
                }
                bytes.push(b'\n');
                if let Err(e) = console(2, &bytes, mem) {
                    return fault(format!("console output: {e}"), None);
                }
                if panic {
                    // The guest would store to address 1 next (a fault
                    // the kernel turns into the end of the run).
                    return EcallResult::Halt { name, code: 101 };
                }
                EcallResult::Done {
                    name,
                    kind: CustomKind::Syscall,
                    output: Some((2, bytes)),
                    args: None,
                }
            }
            (SOFTWARE, "SYS_RANDOM") => {
                // a0 = buffer, a1 = words.
                let n = (a1 as usize).saturating_mul(4);
                if n as u64 > mem.available_bytes() {
                    return fault(
                        format!("{a1} words of randomness exceed --memory-limit"),
                        None,
                    );
                }
                let bytes: Vec<u8> = (0..n).map(|_| self.next_random()).collect();
                if let Err(e) = mem.write_user(a0, &bytes) {
                    return fault(format!("cannot write the buffer: {e}"), Some(a0));
                }
                done(CustomKind::Syscall)
            }
            (SOFTWARE, "SYS_CYCLE_COUNT") => {
                cpu.x[10] = cpu.cycle >> 32;
                cpu.x[11] = cpu.cycle & 0xffff_ffff;
                done(CustomKind::Syscall)
            }
            (SOFTWARE, "SYS_GETENV") => {
                // No variable is set: u32::MAX.
                cpu.x[10] = 0xffff_ffff;
                done(CustomKind::Syscall)
            }
            (SOFTWARE, "SYS_ARGC") => {
                cpu.x[10] = 0;
                done(CustomKind::Syscall)
            }
            _ => fault(
                "this RISC Zero call is not executed by zkdbg yet (risc0-zkvm 3.0)".to_string(),
                None,
            ),
        }
    }

    /// The next byte of SYS_RANDOM's deterministic stream (splitmix64).
    fn next_random(&mut self) -> u8 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as u8
    }
}

/// RISC Zero's SHA ecall: `count` SHA-256 compressions of the 64-byte
/// blocks starting with `block1`/`block2` (each following block right
/// after the previous one), from the state at `in_state` into
/// `out_state`; states are big-endian words.
fn sha(
    mem: &mut Memory,
    out_state: u64,
    in_state: u64,
    block1: u64,
    block2: u64,
    count: u64,
) -> Result<(), (String, Option<u64>)> {
    let read = |mem: &Memory, addr: u64, len: usize| {
        mem.read_vec(addr, len).map_err(|e| {
            (
                format!("cannot read {len} bytes at {addr:#x}: {e}"),
                Some(addr),
            )
        })
    };
    // The kernel compresses at most MAX_SHA_COMPRESS_BLOCKS (1000) per call.
    if count > 1000 {
        return Err((format!("{count} blocks: at most 1000 per call"), None));
    }
    let s = read(mem, in_state, 32)?;
    let mut state: [u32; 8] =
        std::array::from_fn(|i| u32::from_be_bytes(s[4 * i..4 * i + 4].try_into().expect("4")));
    for k in 0..count {
        let mut block = [0u8; 64];
        if k == 0 {
            block[..32].copy_from_slice(&read(mem, block1, 32)?);
            block[32..].copy_from_slice(&read(mem, block2, 32)?);
        } else {
            block.copy_from_slice(&read(mem, block1 + 64 * k, 64)?);
        }
        sha2::compress256(&mut state, &[block.into()]);
    }
    let out: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
    mem.write_user(out_state, &out).map_err(|e| {
        (
            format!("cannot write the state at {out_state:#x}: {e}"),
            Some(out_state),
        )
    })
}
