//! SP1 (succinctlabs/sp1), version 6: RV64IM guests, the syscall id in
//! t0, input vectors, public values, and the instruction count SP1
//! reports as the guest's cycles.
//!
//! Facts from succinctlabs/sp1 @d83ed91f (release 6.10.0, the crates
//! `sp1-core-executor`, `sp1-zkvm` and `sp1-primitives` 6.10.0):
//! - `crates/primitives/src/consts.rs`: `STACK_TOP = 0x7800_0000` (the
//!   image starts there and the stack grows down from it), memory up to
//!   `MAXIMUM_MEMORY_SIZE = 2^48 - 1`, the file descriptors (`fd` module:
//!   `LOWEST_ALLOWED_FD = 10`, public values 13, hint 14, hooks 15..21);
//! - `crates/core/executor/src/syscall_code.rs`: the syscall ids
//!   ([`SYSCALLS`]);
//! - `crates/core/executor/src/minimal/ecall.rs`: dispatch on t0, the
//!   result written back to t0 (the id itself unless the call returns a
//!   value), HALT's exit code from a0;
//! - `crates/core/executor/src/minimal/{hint,write}.rs`: HINT_LEN (the next
//!   input vector's length, `u64::MAX` when none is left), HINT_READ (the
//!   whole vector into 8-aligned memory, length must match), WRITE (fd 1/2
//!   console, 13 public values, 14 pushes an input vector, 15..21 the
//!   hooks of `hook.rs`, whose answers go to the front of the input
//!   stream: [`hooks`]);
//! - `crates/core/executor/src/minimal/precompiles/`: each precompile's
//!   semantics (words are 64-bit; 32-bit values sit in the low half);
//!   POSEIDON2 runs SP1's own permutation (`sp1_primitives::poseidon2_init`
//!   is `slop_koala_bear::my_kb_16_perm`; the `slop-koala-bear` crate
//!   6.10.0 from crates.io holds SP1's round constants);
//! - `crates/core/executor/src/minimal/arch/portable/mod.rs`: memory is
//!   one zero-initialised space of 8-byte words, loads and stores must be
//!   naturally aligned, `global_clk` counts retired instructions (the
//!   cycles SP1's SDK reports) and `clk` advances 8 per instruction plus
//!   256 per `ecall`.
//!
//! SP1 v3–v5 (RV32IM, text at 0x200800) are not supported yet.

pub use crate::field;
pub mod hooks;

use field::{Field, FieldOp};
use std::collections::VecDeque;
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{CallArg, Cpu, CustomKind, EcallResult, MemError, Memory};

/// Where SP1 v6 loads the image; the stack grows down from here
/// (`sp1-primitives` `consts::STACK_TOP`).
pub const STACK_TOP: u64 = 0x7800_0000;

/// File descriptors of SP1 v6's WRITE (`sp1-primitives` `consts::fd`):
/// public values.
pub const FD_PUBLIC_VALUES: u64 = 13;
/// WRITE to this fd pushes the bytes onto the front of the input stream.
pub const FD_HINT: u64 = 14;
// The hook fds, 15..=21, are hooks::HOOKS.

/// What a syscall does, for the dispatcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// HALT: exit code in a0.
    Halt,
    /// WRITE: fd a0, buffer a1, length a2.
    Write,
    /// ENTER_UNCONSTRAINED / EXIT_UNCONSTRAINED.
    Unconstrained,
    /// COMMIT: public values digest word a1 at index a0.
    Commit,
    /// COMMIT_DEFERRED_PROOFS, VERIFY_SP1_PROOF: accepted, no effect on
    /// execution (SP1's executor does the same).
    Accepted,
    /// HINT_LEN: the next input vector's length in t0.
    HintLen,
    /// HINT_READ: the next input vector into a0 (a1 bytes).
    HintRead,
    /// A precompile zkdbg executes.
    Precompile(PrecompileOp),
    /// A precompile or syscall zkdbg does not execute yet.
    NotSupported,
    /// A syscall SP1 6.10.0's executor no longer executes (it panics:
    /// the Weierstrass DECOMPRESS calls, U256XU2048_MUL).
    Deprecated,
}

/// The precompiles zkdbg executes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecompileOp {
    /// SHA-256 message schedule: w\[16..64\] from w\[0..16\] (a0 = w).
    ShaExtend,
    /// SHA-256 compression: 64 rounds over w (a0) into the state h (a1).
    ShaCompress,
    /// Keccak-f\[1600\] on 25 lanes at a0.
    KeccakPermute,
    /// x (a0) = x * y mod m, y and m at a1 (m = 0: mod 2^256).
    Uint256Mul,
    /// (d, e) = a + b + c, or a * b + c (`mul`): a0 = a, a1 = b, a2 = c,
    /// a3 = d (the low 256 bits), a4 = e (the high 256 bits).
    Uint256Carry {
        /// Multiply (else add).
        mul: bool,
    },
    /// p (a0) = p + q (a1), affine points on the curve over the field.
    EcAdd(Field),
    /// p (a0) = 2p.
    EcDouble(Field),
    /// x (a0) = x op y (a1) in the field.
    Fp(Field, FieldOp),
    /// x (a0) = x op y (a1) in its quadratic extension.
    Fp2(Field, FieldOp),
    /// p (a0) = p + q (a1), Ed25519 points.
    EdAdd,
    /// The x (at a0) of the Ed25519 point whose y follows it (a0 + 32),
    /// sign a1.
    EdDecompress,
    /// SP1's Poseidon2 permutation (KoalaBear, width 16) on the 16 u32 at
    /// a0 (8-byte aligned), in place.
    Poseidon2,
}

/// One SP1 syscall: its id (t0), its name in SP1's `SyscallCode`, and
/// what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syscall {
    /// The id in t0.
    pub code: u32,
    /// SP1's name.
    pub name: &'static str,
    /// What it does.
    pub kind: Kind,
}

const fn sc(code: u32, name: &'static str, kind: Kind) -> Syscall {
    Syscall { code, name, kind }
}

use Kind::*;
use PrecompileOp::*;

/// Every SP1 v6 syscall (`crates/core/executor/src/syscall_code.rs`).
pub const SYSCALLS: &[Syscall] = &[
    sc(0x00000000, "HALT", Halt),
    sc(0x00000002, "WRITE", Write),
    sc(0x00000003, "ENTER_UNCONSTRAINED", Unconstrained),
    sc(0x00000004, "EXIT_UNCONSTRAINED", Unconstrained),
    sc(0x00300105, "SHA_EXTEND", Precompile(ShaExtend)),
    sc(0x00010106, "SHA_COMPRESS", Precompile(ShaCompress)),
    sc(0x00010107, "ED_ADD", Precompile(EdAdd)),
    sc(0x00000108, "ED_DECOMPRESS", Precompile(EdDecompress)),
    sc(0x00010109, "KECCAK_PERMUTE", Precompile(KeccakPermute)),
    sc(
        0x0001010A,
        "SECP256K1_ADD",
        Precompile(EcAdd(Field::Secp256k1)),
    ),
    sc(
        0x0000010B,
        "SECP256K1_DOUBLE",
        Precompile(EcDouble(Field::Secp256k1)),
    ),
    sc(0x0000010C, "SECP256K1_DECOMPRESS", Deprecated),
    sc(0x0001010E, "BN254_ADD", Precompile(EcAdd(Field::Bn254))),
    sc(
        0x0000010F,
        "BN254_DOUBLE",
        Precompile(EcDouble(Field::Bn254)),
    ),
    sc(0x00000010, "COMMIT", Commit),
    sc(0x0000001A, "COMMIT_DEFERRED_PROOFS", Accepted),
    sc(0x0000001B, "VERIFY_SP1_PROOF", Accepted),
    sc(0x0000011C, "BLS12381_DECOMPRESS", Deprecated),
    sc(0x000000F0, "HINT_LEN", HintLen),
    sc(0x000000F1, "HINT_READ", HintRead),
    sc(0x0001011D, "UINT256_MUL", Precompile(Uint256Mul)),
    sc(0x0001012F, "U256XU2048_MUL", Deprecated),
    sc(
        0x0001011E,
        "BLS12381_ADD",
        Precompile(EcAdd(Field::Bls12381)),
    ),
    sc(
        0x0000011F,
        "BLS12381_DOUBLE",
        Precompile(EcDouble(Field::Bls12381)),
    ),
    sc(
        0x00010120,
        "BLS12381_FP_ADD",
        Precompile(Fp(Field::Bls12381, FieldOp::Add)),
    ),
    sc(
        0x00010121,
        "BLS12381_FP_SUB",
        Precompile(Fp(Field::Bls12381, FieldOp::Sub)),
    ),
    sc(
        0x00010122,
        "BLS12381_FP_MUL",
        Precompile(Fp(Field::Bls12381, FieldOp::Mul)),
    ),
    sc(
        0x00010123,
        "BLS12381_FP2_ADD",
        Precompile(Fp2(Field::Bls12381, FieldOp::Add)),
    ),
    sc(
        0x00010124,
        "BLS12381_FP2_SUB",
        Precompile(Fp2(Field::Bls12381, FieldOp::Sub)),
    ),
    sc(
        0x00010125,
        "BLS12381_FP2_MUL",
        Precompile(Fp2(Field::Bls12381, FieldOp::Mul)),
    ),
    sc(
        0x00010126,
        "BN254_FP_ADD",
        Precompile(Fp(Field::Bn254, FieldOp::Add)),
    ),
    sc(
        0x00010127,
        "BN254_FP_SUB",
        Precompile(Fp(Field::Bn254, FieldOp::Sub)),
    ),
    sc(
        0x00010128,
        "BN254_FP_MUL",
        Precompile(Fp(Field::Bn254, FieldOp::Mul)),
    ),
    sc(
        0x00010129,
        "BN254_FP2_ADD",
        Precompile(Fp2(Field::Bn254, FieldOp::Add)),
    ),
    sc(
        0x0001012A,
        "BN254_FP2_SUB",
        Precompile(Fp2(Field::Bn254, FieldOp::Sub)),
    ),
    sc(
        0x0001012B,
        "BN254_FP2_MUL",
        Precompile(Fp2(Field::Bn254, FieldOp::Mul)),
    ),
    sc(
        0x0001012C,
        "SECP256R1_ADD",
        Precompile(EcAdd(Field::Secp256r1)),
    ),
    sc(
        0x0000012D,
        "SECP256R1_DOUBLE",
        Precompile(EcDouble(Field::Secp256r1)),
    ),
    sc(0x0000012E, "SECP256R1_DECOMPRESS", Deprecated),
    sc(
        0x00010130,
        "UINT256_ADD_CARRY",
        Precompile(Uint256Carry { mul: false }),
    ),
    sc(
        0x00010131,
        "UINT256_MUL_CARRY",
        Precompile(Uint256Carry { mul: true }),
    ),
    sc(0x00000132, "MPROTECT", NotSupported),
    sc(0x00000133, "POSEIDON2", Precompile(Poseidon2)),
    sc(0x00000134, "SIG_RETURN", NotSupported),
    sc(0x00000035, "HINT_MPROTECT_FLUSH", NotSupported),
    sc(0x00000040, "DUMP_ELF", NotSupported),
    sc(0x00000041, "INSERT_PROFILER_SYMBOLS", Accepted),
    sc(0x00000042, "DELETE_PROFILER_SYMBOLS", Accepted),
];

/// The syscall with id `code`.
pub fn syscall(code: u64) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.code as u64 == code)
}

/// The syscall named `name` (SP1's spelling).
pub fn syscall_by_name(name: &str) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.name == name)
}

/// The names of the syscalls and precompiles (what `catch precompile`
/// accepts).
pub fn call_names() -> Vec<&'static str> {
    SYSCALLS.iter().map(|s| s.name).collect()
}

/// The arguments of the SP1 call the `ecall` at hand makes, decoded for
/// traces (`None`: an unknown id or a call without a decoding).
pub fn describe(cpu: &Cpu, mem: &Memory) -> Option<Vec<CallArg>> {
    let x = |r: usize| cpu.x[r];
    let call = syscall(x(5))?;
    let (a0, a1, a2) = (x(10), x(11), x(12));
    Some(match call.kind {
        Write => vec![
            CallArg::Int(a0 as i64),
            crate::buffer_arg(mem, a1, a2),
            CallArg::Int(a2 as i64),
        ],
        HintLen | Accepted => vec![],
        HintRead => vec![CallArg::Hex(a0), CallArg::Int(a1 as i64)],
        Commit => vec![CallArg::Int(a0 as i64), CallArg::Hex(a1)],
        Precompile(Uint256Carry { .. }) => [a0, a1, a2, x(13), x(14)].map(CallArg::Hex).to_vec(),
        Precompile(_) => vec![CallArg::Hex(a0), CallArg::Hex(a1)],
        _ => return None,
    })
}

/// Why an `SP1Stdin` file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Sp1StdinError {
    /// Not bincode of an `SP1Stdin`.
    #[error("not a bincode-serialized SP1Stdin: {0}")]
    Format(#[from] bincode::Error),
    /// It holds deferred proofs (for `verify_sp1_proof`), which zkdbg does
    /// not read.
    #[error("the SP1Stdin holds {0} deferred proof(s), which zkdbg does not read yet")]
    Proofs(u64),
    /// Bytes after the proofs' count.
    #[error("{0} bytes after the SP1Stdin")]
    Trailing(usize),
}

/// The input vectors of a bincode-serialized `SP1Stdin` (as SP1's SDK
/// writes it and SP1's eval programs ship it: `buffer: Vec<Vec<u8>>`,
/// `ptr: usize`, `proofs: Vec<...>`; sp1-core-machine 6.10.0
/// `src/io.rs`), read with bincode 1's default (little-endian, fixed-size
/// integers) and a size limit of the file's own length.
///
/// Errors: malformed bytes; deferred proofs; trailing bytes.
pub fn parse_sp1_stdin(bytes: &[u8]) -> Result<Vec<Vec<u8>>, Sp1StdinError> {
    use bincode::Options;
    let opts = bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(bytes.len() as u64);
    let mut r = bytes;
    let buffer: Vec<Vec<u8>> = opts.deserialize_from(&mut r)?;
    let _ptr: u64 = opts.deserialize_from(&mut r)?;
    let proofs: u64 = opts.deserialize_from(&mut r)?;
    if proofs != 0 {
        return Err(Sp1StdinError::Proofs(proofs));
    }
    if !r.is_empty() {
        return Err(Sp1StdinError::Trailing(r.len()));
    }
    Ok(buffer)
}

/// Why SP1 v6's memory could not be set up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Sp1Error {
    /// A segment lies below `STACK_TOP` (SP1's loader refuses these:
    /// `crates/core/executor/src/disassembler/elf.rs`).
    #[error("segment at {vaddr:#x} lies below SP1's STACK_TOP {STACK_TOP:#x}: not an SP1 v6 ELF")]
    BelowStackTop {
        /// The segment's address.
        vaddr: u64,
    },
    /// The address space could not be reserved.
    #[error("cannot reserve SP1's memory: {0}")]
    Map(MemError),
}

/// The hart and memory at ENTER_UNCONSTRAINED, restored at
/// EXIT_UNCONSTRAINED.
#[derive(Clone, Debug)]
struct Fork {
    /// pc of the ENTER_UNCONSTRAINED `ecall`.
    pc: u64,
    x: [u64; 32],
    mem: Memory,
    /// Instructions retired and `ecall`s served once ENTER retired.
    instret: u64,
    ecalls: u64,
    /// Bytes hinted (fd 14) in the block: they stay, charged again to
    /// the restored memory.
    hinted: u64,
}

impl PartialEq for Fork {
    fn eq(&self, o: &Fork) -> bool {
        (self.pc, self.x, self.instret, self.ecalls, self.hinted)
            == (o.pc, o.x, o.instret, o.ecalls, o.hinted)
    }
}

impl Eq for Fork {}

/// SP1's side of a run: the input stream, the public values, the
/// committed digest words and the counts SP1 reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sp1Device {
    inputs: VecDeque<Vec<u8>>,
    /// Input vectors given (`--input`).
    given: usize,
    /// Input vectors the guest has read (HINT_READ).
    read: usize,
    /// Set when HINT_LEN found the stream empty: the vector the guest
    /// asked for (1-based).
    pub exhausted_at: Option<usize>,
    public_values: Vec<u8>,
    /// The public values digest words the guest committed (COMMIT).
    pub digest: [u32; 8],
    /// `ecall`s served, for SP1's `clk`.
    pub ecalls: u64,
    /// The address range of the runtime's panic handler (`sys_panic`).
    panic_handler: Option<(u64, u64)>,
    /// Whether the guest wrote to stderr from its panic handler: its
    /// HALT then ends a panic (sp1-zkvm's `sys_panic` writes the message
    /// to fd 2 and halts with exit code 1).
    pub panicked: bool,
    /// The guest's word in bytes: 8 on SP1 v6 (RV64), 4 on v3-v5 (RV32).
    word: u64,
    /// Inside an unconstrained block: the state to return to.
    fork: Option<Box<Fork>>,
    /// SP1 v6 `clk` that unconstrained blocks did not advance.
    clk_skipped: u64,
    /// Instructions run in unconstrained blocks (with each block's EXIT):
    /// SP1 does not count them (`global_clk`).
    pub unconstrained_instructions: u64,
}

impl Sp1Device {
    /// Reserves SP1's memory in `mem` (every address from the guard
    /// region's end up to the end of the address space, zero until
    /// written) and queues `inputs`, one vector each (as
    /// `SP1Stdin::write_vec`). `segments` are the ELF's PT_LOAD segments
    /// (address, length), made writable as well: SP1's memory has no page
    /// permissions (and v5's stack below 0x200400 shares a page with the
    /// text);
    /// `panic_handler` the address range of `sys_panic`, if the ELF has one.
    /// The version follows `mem`'s XLEN: RV64 is SP1 v6, RV32 SP1 v3-v5
    /// (sp1-core-executor 5.2.4: 4-byte words, `HINT_LEN` = `u32::MAX`
    /// when exhausted, the image above `STACK_TOP = 0x200400`).
    ///
    /// Errors: a v6 segment below `STACK_TOP`; the reservation failing.
    pub fn install(
        inputs: Vec<Vec<u8>>,
        segments: impl IntoIterator<Item = (u64, u64)>,
        panic_handler: Option<(u64, u64)>,
        mem: &mut Memory,
    ) -> Result<Sp1Device, Sp1Error> {
        let segments: Vec<(u64, u64)> = segments.into_iter().collect();
        let word = match mem.xlen() {
            zkdbg_emulator::Xlen::X64 => 8,
            zkdbg_emulator::Xlen::X32 => 4,
        };
        if word == 8 {
            if let Some(&(vaddr, _)) = segments.iter().find(|s| s.0 < STACK_TOP) {
                return Err(Sp1Error::BelowStackTop { vaddr });
            }
        }
        let start = zkdbg_emulator::memory::GUARD_SIZE;
        let end = mem.address_space_end();
        crate::flat_memory(mem, start, end, segments).map_err(Sp1Error::Map)?;
        Ok(Sp1Device {
            given: inputs.len(),
            inputs: inputs.into(),
            panic_handler,
            word,
            ..Sp1Device::default()
        })
    }

    /// The public values the guest wrote (fd 13), as SP1's
    /// `public_values_stream`.
    pub fn public_values(&self) -> &[u8] {
        &self.public_values
    }

    /// SP1 v6's `clk` after `instructions` retired instructions: 1, plus 8
    /// per instruction, plus 256 per `ecall` (`None` on v3-v5, whose clk
    /// restarts every shard).
    pub fn clk(&self, instructions: u64) -> Option<u64> {
        (self.word == 8).then(|| {
            1u64.saturating_add(instructions.saturating_mul(8))
                .saturating_add(self.ecalls.saturating_mul(256))
                .saturating_sub(self.clk_skipped)
        })
    }

    /// The SP1 generation: 6, or 5 for the RV32 generations (v3-v5).
    pub fn version(&self) -> u32 {
        if self.word == 8 {
            6
        } else {
            5
        }
    }

    /// Why the run may have failed for want of input: "the guest asked for
    /// input vector N, only M given (--input)", if HINT_LEN found the
    /// stream empty.
    pub fn input_hint(&self) -> Option<String> {
        self.exhausted_at.map(|n| missing_input(n, self.given))
    }

    /// Input vectors given and read so far.
    pub fn inputs_read(&self) -> (usize, usize) {
        (self.read, self.given)
    }

    /// Serves one `ecall` (see [`zkdbg_emulator::Environment::ecall`]);
    /// console output goes through `console` (fd, bytes), which fails
    /// when the memory limit is reached.
    pub fn serve(
        &mut self,
        cpu: &mut Cpu,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> EcallResult {
        let t0 = cpu.x[5];
        let (a0, a1, a2) = (cpu.x[10], cpu.x[11], cpu.x[12]);
        let Some(call) = syscall(t0) else {
            return EcallResult::fault(
                "ecall",
                format!("t0 = {t0:#x} is not an SP1 syscall id"),
                None,
            );
        };
        self.ecalls += 1;
        let name = call.name;
        let fault = |message, addr| EcallResult::fault(name, message, addr);
        let done = |kind| EcallResult::done(name, kind);
        // sp1-core-executor 6.10.0 `minimal/ecall.rs`: "Unconstrained mode
        // is not allowed for this syscall" but WRITE and EXIT_UNCONSTRAINED.
        if self.fork.is_some() && !matches!(call.kind, Write | Unconstrained) {
            return fault(
                "SP1 does not allow this syscall in an unconstrained block (its executor panics)"
                    .to_string(),
                None,
            );
        }
        match call.kind {
            Halt => EcallResult::halt(name, a0 as u32 as i32),
            Write => {
                // `sys_panic` calls `sys_write(2, ...)`, a tail call to
                // `syscall_write`: ra still points into `sys_panic`.
                let ra = cpu.x[1];
                if a0 == 2
                    && self
                        .panic_handler
                        .is_some_and(|(lo, hi)| (lo..hi).contains(&ra))
                {
                    self.panicked = true;
                }
                self.write(name, a0, a1, a2, mem, console)
            }
            Commit => {
                let Some(w) = self.digest.get_mut(a0 as usize) else {
                    return fault(format!("digest word index a0 = {a0} is not 0..8"), None);
                };
                *w = a1 as u32;
                done(CustomKind::Syscall)
            }
            Accepted => done(CustomKind::Syscall),
            HintLen => {
                cpu.x[5] = match self.inputs.front() {
                    Some(v) => v.len() as u64,
                    None => {
                        // u64::MAX on v6, u32::MAX on v5.
                        self.exhausted_at.get_or_insert(self.read + 1);
                        mem.xlen().truncate(u64::MAX)
                    }
                };
                done(CustomKind::Syscall)
            }
            HintRead => self.hint_read(name, a0, a1, mem),
            Precompile(p) => {
                match run_precompile(p, mem, [a0, a1, a2, cpu.x[13], cpu.x[14]], self.word) {
                    Ok(()) => done(CustomKind::Precompile),
                    Err((message, addr)) => fault(message, addr),
                }
            }
            Unconstrained if name == "ENTER_UNCONSTRAINED" => self.enter_unconstrained(cpu, mem),
            Unconstrained => self.exit_unconstrained(cpu, mem),
            NotSupported => fault(
                "this SP1 syscall is not executed by zkdbg yet (SP1 6.10.0)".to_string(),
                None,
            ),
            Deprecated => fault(
                "SP1 6.10.0 no longer executes this syscall (its executor panics: \"This method \
                 should be deprecated\")"
                    .to_string(),
                None,
            ),
        }
    }

    /// ENTER_UNCONSTRAINED (SP1 6.10.0: sp1-jit `context.rs`
    /// `enter_unconstrained`; 5.2.4: `syscalls/unconstrained.rs`, the same
    /// rules): saves pc, the registers and memory, returns 1 in t0; the
    /// block runs on a copy.
    fn enter_unconstrained(&mut self, cpu: &mut Cpu, mem: &mut Memory) -> EcallResult {
        let name = "ENTER_UNCONSTRAINED";
        // The copy counts against --memory-limit while the block runs.
        let used = mem.used_bytes();
        if used > mem.available_bytes() {
            let message = format!(
                "the unconstrained block needs a copy of the guest's {used} bytes of memory: more \
                 than --memory-limit leaves"
            );
            return EcallResult::fault(name, message, None);
        }
        self.fork = Some(Box::new(Fork {
            pc: cpu.pc,
            x: cpu.x,
            mem: mem.clone(),
            instret: cpu.instret.saturating_add(1),
            ecalls: self.ecalls,
            hinted: 0,
        }));
        if mem.charge(used).is_err() {
            self.fork = None;
            return EcallResult::fault(name, "cannot copy memory".to_string(), None);
        }
        cpu.x[5] = 1;
        EcallResult::done(name, CustomKind::Syscall)
    }

    /// EXIT_UNCONSTRAINED (sp1-jit `exit_unconstrained`, `minimal/ecall.rs`):
    /// memory, registers and pc back to ENTER's, t0 = 0, on after ENTER.
    /// SP1 6.10.0 counts neither the block's instructions and EXIT
    /// (`global_clk`) nor their `clk`.
    fn exit_unconstrained(&mut self, cpu: &mut Cpu, mem: &mut Memory) -> EcallResult {
        let name = "EXIT_UNCONSTRAINED";
        let Some(fork) = self.fork.take() else {
            let message = "not in an unconstrained block (SP1's executor panics)";
            return EcallResult::fault(name, message.to_string(), None);
        };
        let instret = cpu.instret.saturating_add(1);
        self.unconstrained_instructions = self
            .unconstrained_instructions
            .saturating_add(instret.saturating_sub(fork.instret));
        self.clk_skipped = self
            .clk_skipped
            .saturating_add(instret.saturating_sub(fork.instret).saturating_mul(8))
            .saturating_add(self.ecalls.saturating_sub(fork.ecalls).saturating_mul(256));
        let Fork {
            pc,
            x,
            mem: saved,
            hinted,
            ..
        } = *fork;
        *mem = saved;
        cpu.x = x;
        cpu.x[5] = 0;
        if let Err(e) = mem.charge(hinted) {
            return EcallResult::fault(name, format!("the block's hints: {e}"), None);
        }
        EcallResult::Jump { name, to: pc + 4 }
    }

    fn write(
        &mut self,
        name: &'static str,
        fd: u64,
        ptr: u64,
        len: u64,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> EcallResult {
        let fault = |message, addr| EcallResult::fault(name, message, addr);
        let bytes = match crate::read_bounded(mem, ptr, len) {
            Ok(b) => b,
            Err(m) => return fault(m, Some(ptr)),
        };
        let mut output = None;
        match fd {
            1 | 2 => {
                if let Err(e) = console(fd as u32, &bytes, mem) {
                    return fault(format!("console output: {e}"), None);
                }
                output = Some((fd as u32, bytes));
            }
            FD_PUBLIC_VALUES => {
                if let Err(e) = mem.charge(len) {
                    return fault(format!("public values: {e}"), None);
                }
                self.public_values.extend_from_slice(&bytes);
            }
            FD_HINT => {
                if let Err(e) = self.push_inputs(vec![bytes], mem) {
                    return fault(format!("input stream: {e}"), None);
                }
            }
            _ => match hooks::find(fd) {
                Some((hook, answer)) => {
                    let items = match answer(&bytes) {
                        Ok(items) => items,
                        Err(m) => {
                            return fault(format!("the {hook} hook (fd {fd}): {m}"), Some(ptr))
                        }
                    };
                    if let Err(e) = self.push_inputs(items, mem) {
                        return fault(format!("the {hook} hook's answer: {e}"), None);
                    }
                }
                // SP1 warns "Unsupported file descriptor" and goes on.
                None => log::warn!("SP1 WRITE to unsupported fd {fd} ignored"),
            },
        }
        EcallResult::Done {
            name,
            kind: CustomKind::Syscall,
            output,
            args: None,
            extra_cycles: 0,
            accesses: Vec::new(),
        }
    }

    /// Pushes `items` onto the front of the input stream, first item
    /// first (a WRITE to FD_HINT, a hook's answer): charged to
    /// `--memory-limit`, and kept as hinted bytes by an unconstrained
    /// block's rollback.
    fn push_inputs(&mut self, items: Vec<Vec<u8>>, mem: &mut Memory) -> Result<(), MemError> {
        let total: u64 = items.iter().map(|i| i.len() as u64).sum();
        mem.charge(total)?;
        if let Some(f) = &mut self.fork {
            f.hinted = f.hinted.saturating_add(total);
        }
        for item in items.into_iter().rev() {
            self.inputs.push_front(item);
            self.given += 1;
        }
        Ok(())
    }

    fn hint_read(
        &mut self,
        name: &'static str,
        ptr: u64,
        len: u64,
        mem: &mut Memory,
    ) -> EcallResult {
        let fault = |message, addr| EcallResult::fault(name, message, addr);
        let Some(v) = self.inputs.front() else {
            return fault(missing_input(self.read + 1, self.given), None);
        };
        if v.len() as u64 != len {
            return fault(
                format!(
                    "the guest reads {len} bytes, but input vector {} is {} bytes",
                    self.read + 1,
                    v.len()
                ),
                None,
            );
        }
        let w = self.word;
        if !ptr.is_multiple_of(w) {
            return fault(
                format!("buffer {ptr:#x} is not {w}-byte aligned"),
                Some(ptr),
            );
        }
        // Whole words, the last one zero-padded: v6 writes one word past
        // the data when it ends on a word boundary, v5 does not.
        let mut bytes = v.clone();
        let w = w as usize;
        let len = if w == 8 {
            (v.len() / 8 + 1) * 8
        } else {
            v.len().div_ceil(4) * 4
        };
        bytes.resize(len, 0);
        if let Err(e) = mem.write_bytes(ptr, &bytes) {
            return fault(format!("cannot write the buffer: {e}"), Some(ptr));
        }
        self.inputs.pop_front();
        self.read += 1;
        EcallResult::done(name, CustomKind::Syscall)
    }
}

/// The guest asked for input vector `asked` (1-based), `given` were given.
fn missing_input(asked: usize, given: usize) -> String {
    format!("the guest asked for input vector {asked}, only {given} given (--input)")
}

/// A precompile's failure: the message and the address at fault.
type PrecompileError = (String, Option<u64>);

/// Reads `n` 64-bit little-endian words at `ptr`, which must be
/// `align`-byte aligned (SP1
/// v5's pointers are word (4-byte) aligned, v6's 8-byte).
fn read_words_aligned(
    mem: &Memory,
    ptr: u64,
    n: usize,
    align: u64,
) -> Result<Vec<u64>, PrecompileError> {
    if !ptr.is_multiple_of(align) {
        return Err((
            format!("pointer {ptr:#x} is not {align}-byte aligned"),
            Some(ptr),
        ));
    }
    let mut buf = vec![0u8; n * 8];
    mem.check(ptr, buf.len() as u64, Perm::R)
        .and_then(|_| mem.read_bytes(ptr, &mut buf))
        .map_err(|e| {
            (
                format!("cannot read {} bytes at {ptr:#x}: {e}", n * 8),
                Some(ptr),
            )
        })?;
    Ok(buf
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// Writes 64-bit little-endian words at `ptr` (aligned, checked by the
/// read before).
fn write_words(mem: &mut Memory, ptr: u64, words: &[u64]) -> Result<(), PrecompileError> {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    mem.write_user(ptr, &bytes).map_err(|e| {
        (
            format!("cannot write {} bytes at {ptr:#x}: {e}", bytes.len()),
            Some(ptr),
        )
    })
}

/// Reads `n` entries of `word` bytes (4 or 8) at `word`-aligned `ptr`,
/// each as its little-endian value.
fn read_entries(mem: &Memory, ptr: u64, n: usize, word: u64) -> Result<Vec<u64>, PrecompileError> {
    if !ptr.is_multiple_of(word) {
        return Err((
            format!("pointer {ptr:#x} is not {word}-byte aligned"),
            Some(ptr),
        ));
    }
    let w = word as usize;
    let mut buf = vec![0u8; n * w];
    mem.check(ptr, buf.len() as u64, Perm::R)
        .and_then(|_| mem.read_bytes(ptr, &mut buf))
        .map_err(|e| {
            (
                format!("cannot read {} bytes at {ptr:#x}: {e}", n * w),
                Some(ptr),
            )
        })?;
    Ok(buf
        .chunks_exact(w)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..w].copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .collect())
}

/// Writes entries of `word` bytes (4 or 8) at `ptr`.
fn write_entries(mem: &mut Memory, ptr: u64, v: &[u64], word: u64) -> Result<(), PrecompileError> {
    let bytes: Vec<u8> = v
        .iter()
        .flat_map(|x| x.to_le_bytes()[..word as usize].to_vec())
        .collect();
    mem.write_user(ptr, &bytes).map_err(|e| {
        (
            format!("cannot write {} bytes at {ptr:#x}: {e}", bytes.len()),
            Some(ptr),
        )
    })
}

/// The SHA-256 round constants (FIPS 180-4 §4.2.2).
const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Runs precompile `p` with arguments a0..a4 in `args`.
///
/// SHA_EXTEND and SHA_COMPRESS work on a schedule the guest may have
/// changed between the two calls, so they are SP1's step functions
/// (FIPS 180-4 §6.2.2 steps 1 and 3–4 over the words in memory), not a
/// whole-block compression; Keccak-f uses the `keccak` crate, UINT256_MUL
/// and the curve and field operations `crypto-bigint` ([`field`]).
///
/// `word` is the guest's word in bytes: 8 on SP1 v6 (32-bit values sit in
/// the low half of 64-bit words), 4 on v5; pointers must be aligned to it.
pub fn run_precompile(
    p: PrecompileOp,
    mem: &mut Memory,
    args: [u64; 5],
    word: u64,
) -> Result<(), PrecompileError> {
    let [a, b, ..] = args;
    let read_words = |mem: &Memory, ptr: u64, n: usize| read_words_aligned(mem, ptr, n, word);
    match p {
        ShaExtend => {
            if b != 0 {
                return Err((format!("a1 must be 0, got {b:#x}"), None));
            }
            let mut w = read_entries(mem, a, 64, word)?;
            for i in 16..64 {
                let (w15, w2) = (w[i - 15] as u32, w[i - 2] as u32);
                let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
                let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
                w[i] = s1
                    .wrapping_add(w[i - 16] as u32)
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7] as u32) as u64;
            }
            write_entries(mem, a + 16 * word, &w[16..], word)
        }
        ShaCompress => {
            let w = read_entries(mem, a, 64, word)?;
            let h = read_entries(mem, b, 8, word)?;
            let hx: Vec<u32> = h.iter().map(|&v| v as u32).collect();
            let mut s: [u32; 8] = hx.clone().try_into().expect("8 words");
            for (i, &wi) in w.iter().enumerate() {
                let [a_, b_, c, d, e, f, g, hh] = s;
                let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
                let ch = (e & f) ^ (!e & g);
                let t1 = hh
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(SHA256_K[i])
                    .wrapping_add(wi as u32);
                let s0 = a_.rotate_right(2) ^ a_.rotate_right(13) ^ a_.rotate_right(22);
                let maj = (a_ & b_) ^ (a_ & c) ^ (b_ & c);
                let t2 = s0.wrapping_add(maj);
                s = [t1.wrapping_add(t2), a_, b_, c, d.wrapping_add(t1), e, f, g];
            }
            let out: Vec<u64> = s
                .iter()
                .zip(&hx)
                .map(|(&v, &h0)| v.wrapping_add(h0) as u64)
                .collect();
            write_entries(mem, b, &out, word)
        }
        Poseidon2 => {
            // `minimal/precompiles/poseidon2.rs`: 8 words read as 16 u32
            // (low half first), permuted by `sp1_primitives::poseidon2_init`
            // = `slop_koala_bear::my_kb_16_perm` (SP1's constants), written
            // back. `from_wrapped_u32` is what `from_canonical_u32` does in
            // a release build (a value of p or more is taken mod p).
            use slop_algebra::{AbstractField, PrimeField32};
            use slop_symmetric::Permutation;
            let words = read_words_aligned(mem, a, 8, 8)?;
            let state: [slop_koala_bear::KoalaBear; 16] = std::array::from_fn(|i| {
                slop_koala_bear::KoalaBear::from_wrapped_u32(
                    (words[i / 2] >> (32 * (i % 2))) as u32,
                )
            });
            // Built once: the permutation's round constants are vectors.
            static PERM: std::sync::OnceLock<slop_koala_bear::KoalaPerm> =
                std::sync::OnceLock::new();
            let out = PERM
                .get_or_init(slop_koala_bear::my_kb_16_perm)
                .permute(state);
            let out: Vec<u64> = (0..8)
                .map(|i| {
                    u64::from(out[2 * i].as_canonical_u32())
                        | u64::from(out[2 * i + 1].as_canonical_u32()) << 32
                })
                .collect();
            write_words(mem, a, &out)
        }
        KeccakPermute => {
            if b != 0 {
                return Err((format!("a1 must be 0, got {b:#x}"), None));
            }
            let mut lanes: [u64; 25] = read_words(mem, a, 25)?.try_into().expect("25 words");
            keccak::f1600(&mut lanes);
            write_words(mem, a, &lanes)
        }
        Uint256Mul => {
            use crypto_bigint::{NonZero, U256, U512};
            let x = read_words(mem, a, 4)?;
            let ym = read_words(mem, b, 8)?;
            let x = U256::from_words(x.try_into().expect("4 words"));
            let y = U256::from_words(ym[..4].try_into().expect("4 words"));
            let m = U256::from_words(ym[4..].try_into().expect("4 words"));
            let (lo, hi) = x.mul_wide(&y);
            let result = if m == U256::ZERO {
                lo
            } else {
                let wide = U512::from((lo, hi));
                let m_wide = U512::from((m, U256::ZERO));
                let r = wide.rem(&NonZero::new(m_wide).expect("non-zero modulus"));
                let (_hi, r_lo) = r.split();
                r_lo
            };
            write_words(mem, a, &result.to_words())
        }
        Uint256Carry { mul } => {
            use crypto_bigint::U256;
            let [_, _, c, d, e] = args;
            let word4 = |ptr| -> Result<U256, PrecompileError> {
                Ok(U256::from_words(
                    read_words(mem, ptr, 4)?.try_into().expect("4 words"),
                ))
            };
            let (x, y, z) = (word4(a)?, word4(b)?, word4(c)?);
            // Both outputs must be writable before either is written.
            read_words(mem, d, 4)?;
            read_words(mem, e, 4)?;
            let (lo, hi) = if mul {
                let (lo, hi) = x.mul_wide(&y);
                let (lo, carry) = lo.adc(&z, crypto_bigint::Limb::ZERO);
                (lo, hi.wrapping_add(&U256::from_word(carry.0)))
            } else {
                let (s, c1) = x.adc(&y, crypto_bigint::Limb::ZERO);
                let (s, c2) = s.adc(&z, crypto_bigint::Limb::ZERO);
                (s, U256::from_word(c1.0 + c2.0))
            };
            write_words(mem, d, &lo.to_words())?;
            write_words(mem, e, &hi.to_words())
        }
        EcAdd(f) => {
            let n = 2 * f.words();
            let q = read_words(mem, b, n)?;
            let p = read_words(mem, a, n)?;
            let r = field::ec_add(f, &p, &q).map_err(|m| (m, None))?;
            write_words(mem, a, &r)
        }
        EcDouble(f) => {
            let p = read_words(mem, a, 2 * f.words())?;
            let r = field::ec_double(f, &p).map_err(|m| (m, None))?;
            write_words(mem, a, &r)
        }
        Fp(f, op) => {
            let y = read_words(mem, b, f.words())?;
            let x = read_words(mem, a, f.words())?;
            write_words(mem, a, &field::fp_op(f, op, &x, &y))
        }
        Fp2(f, op) => {
            let y = read_words(mem, b, 2 * f.words())?;
            let x = read_words(mem, a, 2 * f.words())?;
            write_words(mem, a, &field::fp2_op(f, op, &x, &y))
        }
        EdAdd => {
            let q = read_words(mem, b, 8)?;
            let p = read_words(mem, a, 8)?;
            let r = field::ed_add(&p, &q).map_err(|m| (m, None))?;
            write_words(mem, a, &r)
        }
        EdDecompress => {
            // SP1 asserts word alignment (6.10.0: 8 bytes; 5.2.4: 4).
            if !a.is_multiple_of(word) {
                return Err((
                    format!("pointer {a:#x} is not {word}-byte aligned"),
                    Some(a),
                ));
            }
            if b > 1 {
                return Err((format!("sign bit {b}: must be 0 or 1"), None));
            }
            let y = read_words(mem, a + 32, 4)?;
            let x = field::ed_decompress(&y, b == 1).map_err(|m| (m, None))?;
            write_words(mem, a, &x)
        }
    }
}
