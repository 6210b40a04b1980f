//! RISC Zero (risc0/risc0): RV32IM user programs under RISC Zero's
//! v1compat kernel, as its executor runs them.
//!
//! The kernel (`risc0-zkos-v1compat` 2.2.3's `elfs/v1compat.elf`, bundled
//! as `platforms/data/risc0-v1compat-2.2.3.elf`) runs in machine mode:
//! boot at its entry, then `mret` into the user program; a user `ecall`
//! saves pc at MEPC_ADDR and enters the kernel at the address stored at
//! ECALL_DISPATCH_ADDR; the kernel reads and writes the user's registers
//! through their memory-mapped file at USER_REGS_ADDR, makes host calls by
//! `ecall` with a7 = TERMINATE, READ, WRITE, POSEIDON2, SHA2 or BIGINT, and
//! returns by `mret` to the word at MEPC_ADDR plus 4.
//!
//! Facts from the crates of RISC Zero 3.0:
//! - `risc0-circuit-rv32im` 4.0.5 `src/execute/platform.rs` (addresses,
//!   host call numbers, `MAX_IO_BYTES`, `MAX_SHA_COUNT`), `r0vm.rs` (user
//!   and machine ecalls, `mret`, each host call's cycle states), `sha2.rs`
//!   (the SHA2 host call: big-endian state words, 4 + 68 per block + 2
//!   cycles);
//! - `risc0-binfmt` 3.0.5 `src/image.rs` (`with_kernel`: the user entry at
//!   USER_START_ADDR, the kernel entry as the suspend pc, machine mode);
//! - `risc0-zkos-v1compat` 2.2.3 `src/kernel.s` and `src/main.rs` (the
//!   software syscalls: a host READ whose fd is the syscall's name, then a
//!   READ of fd 0 for its two result words);
//! - `risc0-zkvm` 3.0.5 `src/host/server/exec/executor.rs` and `syscall/`
//!   (the host side: SYS_READ fills whole words and returns the count and
//!   a final partial word, SYS_WRITE to fd 1, 2 or 3 (the journal),
//!   SYS_LOG prints `R0VM[cycle] msg`, SYS_PANIC fails the run,
//!   SYS_CYCLE_COUNT, SYS_GETENV (u32::MAX: unset), SYS_RANDOM);
//! - `risc0-zkvm-platform` 2.2.3 `src/syscall.rs`: the user ABI (t0 = the
//!   ecall kind, [`HALT`] 0 ... POSEIDON2 7; SOFTWARE: t6 the syscall,
//!   a2 its name) and `src/memory.rs` (`TEXT_START 0x0020_0800`,
//!   `STACK_TOP 0x0020_0400`).
//!
//! Cycles are RISC Zero's user cycles (every instruction, the kernel's
//! too, plus each host call's cycle states); [`pager`] adds paging,
//! reserved cycles and segments; [`bigint`] is the BIGINT host call (the
//! user's BIGINT and BIGINT2 ecalls), [`poseidon2`] the POSEIDON2 host
//! call (the user's POSEIDON2 ecall).

pub mod bigint;
pub mod pager;
pub mod poseidon2;

use std::collections::VecDeque;
use zkdbg_emulator::{AccessKind, CallArg, Cpu, CustomKind, EcallResult, MemAccess, Memory};

/// ecall kind HALT (t0).
pub const HALT: u64 = 0;
/// ecall kind INPUT.
pub const INPUT: u64 = 1;
/// ecall kind SOFTWARE (t6 selects the [`Software`] call).
pub const SOFTWARE: u64 = 2;
/// ecall kind SHA.
pub const SHA: u64 = 3;

/// The lowest address of the image (`ZERO_PAGE_END_ADDR`); the user
/// program's entry is stored here (`USER_START_ADDR`).
pub const USER_START_ADDR: u64 = 0x1_0000;
/// One past the highest user address (`USER_END_ADDR`); kernel memory
/// follows, up to `KERNEL_END_ADDR` 0xff00_0000.
pub const USER_END_ADDR: u64 = 0xC000_0000;
/// The machine-mode register file (32 words).
pub const MACHINE_REGS_ADDR: u64 = 0xffff_0000;
/// The user-mode register file (32 words).
pub const USER_REGS_ADDR: u64 = 0xffff_0080;
/// Where a user `ecall` saves its pc.
pub const MEPC_ADDR: u64 = 0xffff_0200;
/// The output digest TERMINATE reports.
pub const GLOBAL_OUTPUT_ADDR: u64 = 0xffff_0240;
/// The word holding the kernel's ecall entry.
pub const ECALL_DISPATCH_ADDR: u64 = 0xffff_1000;
/// Host call (a7 of a machine-mode `ecall`) TERMINATE.
pub const HOST_TERMINATE: u64 = 0;
/// Host call READ.
pub const HOST_READ: u64 = 1;
/// Host call WRITE.
pub const HOST_WRITE: u64 = 2;
/// Host call POSEIDON2.
pub const HOST_POSEIDON2: u64 = 3;
/// Host call SHA2.
pub const HOST_SHA2: u64 = 4;
/// Host call BIGINT.
pub const HOST_BIGINT: u64 = 5;
/// Largest host READ or WRITE, bytes.
pub const MAX_IO_BYTES: u64 = 1024;
/// Most blocks one SHA2 host call compresses.
pub const MAX_SHA_COUNT: u64 = 10;
/// RISC Zero's v1compat kernel ELF (risc0-zkos-v1compat 2.2.3
/// `elfs/v1compat.elf`, sha256 7ffd942e...d921).
pub const V1COMPAT_KERNEL: &[u8] = include_bytes!("../data/risc0-v1compat-2.2.3.elf");
/// RISC Zero's user cycles: one per instruction, the kernel's too; host
/// calls add their cycle states (`EcallResult`'s `extra_cycles`).
pub const USER_CYCLES: zkdbg_emulator::CostModel = zkdbg_emulator::CostModel {
    name: "risc0-user-cycles",
    cost: |_| 1,
};
/// The prefix of the software syscalls' names (`declare_syscall!`).
const SYSCALL_PREFIX: &str = "risc0_zkvm_platform::syscall::nr::";

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
        // sys_bigint(result, op, x, y, modulus).
        "BIGINT" => vec![
            CallArg::Hex(a0),
            int(a1),
            CallArg::Hex(a2),
            CallArg::Hex(a3),
            CallArg::Hex(a4),
        ],
        // sys_bigint2_N(blob, a1, ..): the blob and the first arena (how
        // many follow, 1 to 6, only the blob's program knows).
        "BIGINT2" => vec![CallArg::Hex(a0), CallArg::Hex(a1)],
        // sys_poseidon2(state, in, out, bits_count): word addresses shown
        // as byte addresses, then the block count and the flags.
        "POSEIDON2" => vec![
            CallArg::Hex(a0 * 4),
            CallArg::Hex(a1 * 4),
            CallArg::Hex(a2 * 4),
            int(a3 & 0xffff),
            CallArg::Hex(a3 & !0xffff),
        ],
        _ => vec![],
    })
}

/// Splits a RISC Zero program binary (R0BF, what `cargo risczero build`
/// writes next to the ELF: `risc0-binfmt` 3.0.5 `src/elf.rs`
/// `ProgramBinary::decode`: "R0BF", format version 1, a length-prefixed
/// header, a length-prefixed user ELF, the kernel ELF) into its user and
/// kernel ELFs.
///
/// Errors: not R0BF, another format version, lengths past the end, an
/// empty ELF.
pub fn split_r0bf(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
        if b.len() < n {
            return Err("truncated R0BF file".into());
        }
        let (head, rest) = b.split_at(n);
        *b = rest;
        Ok(head)
    }
    fn word(b: &mut &[u8]) -> Result<usize, String> {
        let w = take(b, 4)?;
        Ok(u32::from_le_bytes(w.try_into().expect("4 bytes")) as usize)
    }
    let mut b = bytes;
    if take(&mut b, 4)? != b"R0BF" {
        return Err("not a RISC Zero program binary (no R0BF magic)".into());
    }
    let version = word(&mut b)?;
    if version != 1 {
        return Err(format!(
            "R0BF format version {version}: only version 1 is read"
        ));
    }
    let header = word(&mut b)?;
    take(&mut b, header)?;
    let user_len = word(&mut b)?;
    let user = take(&mut b, user_len)?;
    if user.is_empty() || b.is_empty() {
        return Err("R0BF file without a user or kernel ELF".into());
    }
    Ok((user, b))
}

/// Whose registers the hart holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The kernel (the machine-mode file; it boots here).
    #[default]
    Machine,
    /// The user program.
    User,
}

/// RISC Zero's side of a run: the kernel's mode, stdin, the journal, the
/// exit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Risc0Device {
    mode: Mode,
    stdin: VecDeque<u8>,
    journal: Vec<u8>,
    /// The panic message, once the guest called SYS_PANIC.
    pub panic_message: Option<String>,
    /// The output digest TERMINATE found at GLOBAL_OUTPUT_ADDR.
    pub output_digest: Option<[u8; 32]>,
    /// Bytes of stdin given.
    stdin_given: usize,
    /// Whether a SYS_READ of stdin came back short (end of input).
    pub read_past_end: bool,
    /// State of the deterministic randomness (SYS_RANDOM).
    rng: u64,
    /// The two result words of the last software syscall, which the
    /// kernel fetches with a host READ of fd 0.
    results: (u32, u32),
    /// The kernel's entry (where the hart starts).
    pub kernel_entry: u64,
    /// The kernel has entered the user program.
    booted: bool,
    /// log2 of the segment size in cycles (risc0-zkvm's
    /// `segment_limit_po2`, 20 by default), for [`pager::Pager`].
    pub segment_po2: u32,
}

/// What a software syscall's host side produced.
enum Soft {
    /// Bytes for the guest's buffer (as many as the kernel asked for) and
    /// the two result words.
    Data(Vec<u8>, (u32, u32)),
    /// Console output (fd 1 or 2) and the result words.
    Output(u32, Vec<u8>),
    /// SYS_PANIC: the run ends.
    Panic,
}

/// A word of guest memory (zero where unreadable: host reads of the
/// kernel's own state).
fn word(mem: &Memory, addr: u64) -> u64 {
    let mut b = [0u8; 4];
    match mem.read_bytes(addr, &mut b) {
        Ok(()) => u64::from(u32::from_le_bytes(b)),
        Err(_) => 0,
    }
}

fn access(pc: u64, addr: u64, kind: AccessKind) -> MemAccess {
    MemAccess {
        pc,
        addr,
        size: 4,
        kind,
        value: 0,
    }
}

/// One access per word of `addr..addr+len`.
fn word_accesses(
    pc: u64,
    addr: u64,
    len: u64,
    kind: AccessKind,
) -> impl Iterator<Item = MemAccess> {
    (addr & !3..addr.saturating_add(len))
        .step_by(4)
        .map(move |a| access(pc, a, kind))
}

/// One access per 1 KiB page (RISC Zero's page, what paging counts) that
/// `addr..addr+len` touches, at the first word touched in it.
fn page_accesses(
    pc: u64,
    addr: u64,
    len: u64,
    kind: AccessKind,
) -> impl Iterator<Item = MemAccess> {
    let end = addr.saturating_add(len);
    let page = u64::from(pager::PAGE_BYTES);
    (addr & !(page - 1)..end)
        .step_by(page as usize)
        .map(move |p| access(pc, p.max(addr & !3), kind))
}

impl Risc0Device {
    /// Loads RISC Zero's kernel (`kernel`: [`V1COMPAT_KERNEL`], or the one
    /// an R0BF file carries) beside the user program (whose
    /// entry is `user_entry` and PT_LOAD `segments` (start, length) are in
    /// memory already) as `risc0-binfmt`'s `MemoryImage::with_kernel`
    /// does: kernel segments first, the user's over them, the user entry
    /// at USER_START_ADDR. All of 0x10000..4 GiB is read-write memory, zero
    /// until written (RISC Zero's memory has no page permissions). Queues
    /// `stdin` (what `ExecutorEnv::write` wrote: risc0's word
    /// serialization) for fd 0; `seed` seeds SYS_RANDOM. The hart starts
    /// at [`Risc0Device::kernel_entry`] with zero registers.
    ///
    /// Errors: the kernel ELF unreadable, the reservation failing.
    pub fn install(
        kernel: &[u8],
        stdin: Vec<u8>,
        seed: u64,
        user_entry: u64,
        segments: impl IntoIterator<Item = (u64, u64)>,
        mem: &mut Memory,
    ) -> Result<Risc0Device, String> {
        use object::{Object, ObjectSegment};
        let kernel = object::File::parse(kernel).map_err(|e| format!("the kernel ELF: {e}"))?;
        if kernel.is_64() || kernel.architecture() != object::Architecture::Riscv32 {
            return Err("the kernel ELF is not RV32".into());
        }
        let user: Vec<(u64, u64)> = segments.into_iter().collect();
        let mut loads = Vec::new();
        for seg in kernel.segments() {
            let data = seg.data().map_err(|e| e.to_string())?;
            loads.push((seg.address(), seg.size(), data));
        }
        // The kernel's pages are executable too (its code runs from them).
        for (addr, size, _) in &loads {
            mem.map_with(*addr, (*size).max(1), zkdbg_emulator::memory::Perm::RWX)
                .map_err(|e| e.to_string())?;
        }
        crate::flat_memory(mem, USER_START_ADDR, 1 << 32, user.iter().copied())
            .map_err(|e| e.to_string())?;
        let in_user = |a: u64| user.iter().any(|&(s, l)| a >= s && a - s < l);
        for (addr, _, data) in &loads {
            for (i, b) in data.iter().enumerate() {
                let a = addr + i as u64;
                if !in_user(a) {
                    mem.write_bytes(a, &[*b]).map_err(|e| e.to_string())?;
                }
            }
        }
        mem.write_bytes(USER_START_ADDR, &(user_entry as u32).to_le_bytes())
            .map_err(|e| e.to_string())?;
        Ok(Risc0Device {
            stdin_given: stdin.len(),
            stdin: stdin.into(),
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            kernel_entry: kernel.entry(),
            segment_po2: pager::SEGMENT_PO2,
            ..Risc0Device::default()
        })
    }

    /// Whose registers the hart holds now.
    pub fn mode(&self) -> Mode {
        self.mode
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

    /// Moves the hart's registers to the register file at `save` and
    /// loads those at `load` (x0 stays 0).
    fn swap_banks(cpu: &mut Cpu, mem: &mut Memory, save: u64, load: u64) -> Result<(), String> {
        let saved: Vec<u8> = cpu
            .x
            .iter()
            .flat_map(|v| (*v as u32).to_le_bytes())
            .collect();
        mem.write_bytes(save, &saved).map_err(|e| e.to_string())?;
        for i in 1..32 {
            cpu.x[i] = word(mem, load + 4 * i as u64);
        }
        cpu.x[0] = 0;
        Ok(())
    }

    /// Serves one `ecall` (see [`zkdbg_emulator::Environment::ecall`]): a
    /// user call enters the kernel, a kernel call is a host call.
    pub fn serve(
        &mut self,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> EcallResult {
        match self.mode {
            Mode::User => self.enter(pc, cpu, mem),
            Mode::Machine => self.host_call(pc, cpu, mem, console),
        }
    }

    /// A user `ecall`: pc to MEPC_ADDR, the user's registers to their file,
    /// on to the kernel's dispatch (`r0vm.rs` `user_ecall`).
    fn enter(&mut self, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> EcallResult {
        let x = |r: usize| cpu.x[r] & 0xffff_ffff;
        let (name, kind) = match call_name(x(5), x(31)) {
            Some(name @ ("SHA" | "BIGINT" | "BIGINT2" | "POSEIDON2")) => {
                (name, CustomKind::Precompile)
            }
            Some(name) => (name, CustomKind::Syscall),
            None => ("ecall", CustomKind::Syscall),
        };
        let args = describe(cpu, mem);
        let to = word(mem, ECALL_DISPATCH_ADDR);
        if !to.is_multiple_of(4) || !(USER_END_ADDR..0xff00_0000).contains(&to) {
            let message = format!(
                "the kernel's ecall entry ({to:#x}, the word at {ECALL_DISPATCH_ADDR:#x}) is not \
                 an aligned address in kernel memory"
            );
            return EcallResult::fault(name, message, Some(ECALL_DISPATCH_ADDR));
        }
        let entered = mem
            .write_bytes(MEPC_ADDR, &(pc as u32).to_le_bytes())
            .map_err(|e| e.to_string())
            .and_then(|()| Self::swap_banks(cpu, mem, USER_REGS_ADDR, MACHINE_REGS_ADDR));
        if let Err(e) = entered {
            return EcallResult::fault(name, format!("entering the kernel: {e}"), None);
        }
        self.mode = Mode::Machine;
        EcallResult::Enter {
            name,
            kind,
            to,
            args,
            accesses: vec![
                access(pc, ECALL_DISPATCH_ADDR, AccessKind::Read),
                access(pc, MEPC_ADDR, AccessKind::Write),
            ],
        }
    }

    /// Serves the kernel's `mret` (see
    /// [`zkdbg_emulator::Environment::mret`]): back to the word at
    /// MEPC_ADDR plus 4 with the user's registers (`r0vm.rs` `mret`); the
    /// flag says it returns from a user `ecall` (not the boot's jump into
    /// the program).
    pub fn mret(&mut self, cpu: &mut Cpu, mem: &mut Memory) -> Result<(u64, bool), String> {
        if self.mode != Mode::Machine {
            return Err("mret in user mode".into());
        }
        let epc = word(mem, MEPC_ADDR);
        if epc < USER_START_ADDR {
            return Err(format!("MEPC {epc:#x} is not a guest address"));
        }
        Self::swap_banks(cpu, mem, MACHINE_REGS_ADDR, USER_REGS_ADDR)?;
        self.mode = Mode::User;
        let returns = self.booted;
        self.booted = true;
        Ok((epc + 4, returns))
    }

    /// A host call (the kernel's `ecall`, a7 = the call): `r0vm.rs`
    /// `machine_ecall`. Cycles are the call's cycle states.
    fn host_call(
        &mut self,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> EcallResult {
        let x = |r: usize| cpu.x[r] & 0xffff_ffff;
        let (a0, a1, a2, a3, a4, a7) = (x(10), x(11), x(12), x(13), x(14), x(17));
        let done = |name, extra_cycles, accesses, output| EcallResult::Done {
            name,
            kind: CustomKind::Virtual,
            output,
            args: None,
            extra_cycles,
            accesses,
        };
        match a7 {
            HOST_TERMINATE => {
                if let Ok(d) = mem.read_vec(GLOBAL_OUTPUT_ADDR, 32) {
                    self.output_digest = Some(d.try_into().expect("32 bytes"));
                }
                // a0 = user exit << 16 | halt type (0 halted, 1 paused):
                // both end the session.
                EcallResult::Halt {
                    name: "TERMINATE",
                    code: ((a0 >> 16) & 0xff) as i32,
                    extra_cycles: 1,
                }
            }
            HOST_READ => match self.host_read(pc, cpu, mem, console) {
                Ok(r) => r,
                Err((m, addr)) => EcallResult::fault("READ", m, addr),
            },
            HOST_WRITE => {
                if a2 > MAX_IO_BYTES {
                    return EcallResult::fault("WRITE", format!("{a2} bytes: at most 1024"), None);
                }
                let bytes = match mem.read_vec(a1, a2 as usize) {
                    Ok(b) => b,
                    Err(e) => {
                        return EcallResult::fault("WRITE", format!("the buffer: {e}"), Some(a1))
                    }
                };
                // The kernel's own messages (its panic handler).
                if let Err(e) = console(2, &bytes, mem) {
                    return EcallResult::fault("WRITE", format!("console output: {e}"), None);
                }
                cpu.x[10] = a2;
                done("WRITE", 1, Vec::new(), Some((2, bytes)))
            }
            HOST_SHA2 => match sha2_host(pc, mem, a0, a1, a2, a3 & 0xffff, a4) {
                Ok((extra, accesses)) => done("SHA2", extra, accesses, None),
                Err((m, addr)) => EcallResult::fault("SHA2", m, addr),
            },
            HOST_BIGINT => match bigint::host_call(pc, cpu, mem) {
                Ok((extra, accesses)) => done("BIGINT", extra, accesses, None),
                Err((m, addr)) => EcallResult::fault("BIGINT", m, addr),
            },
            HOST_POSEIDON2 => match poseidon2::host_call(pc, cpu, mem) {
                Ok((extra, accesses)) => done("POSEIDON2", extra, accesses, None),
                Err((m, addr)) => EcallResult::fault("POSEIDON2", m, addr),
            },
            _ => EcallResult::fault(
                "ecall",
                format!("a7 = {a7} is not a RISC Zero host call"),
                None,
            ),
        }
    }

    /// The READ host call (a0 = fd, a1 = ptr, a2 = len): fd 0 gives the
    /// last software syscall's result words; any other fd is the address
    /// of a software syscall's name, run now, its bytes written to
    /// `ptr..ptr+len` (`r0vm.rs` `ecall_read`, risc0-zkvm's `host_read`).
    fn host_read(
        &mut self,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> Result<EcallResult, (String, Option<u64>)> {
        let x = |r: usize| cpu.x[r] & 0xffff_ffff;
        let (fd, ptr, len) = (x(10), x(11), x(12));
        if len > MAX_IO_BYTES || ptr + len > 1 << 32 {
            return Err((format!("invalid length {len} in host read"), None));
        }
        if len > 0 && ptr < USER_START_ADDR {
            return Err((format!("{ptr:#x} is not a guest address"), Some(ptr)));
        }
        let mut output = None;
        let (name, bytes) = if fd == 0 {
            if len != 8 {
                return Err((format!("the result words take 8 bytes, not {len}"), None));
            }
            let (r0, r1) = self.results;
            let mut b = r0.to_le_bytes().to_vec();
            b.extend_from_slice(&r1.to_le_bytes());
            ("READ", b)
        } else {
            let raw = mem
                .read_cstr(fd, 256)
                .ok()
                .flatten()
                .ok_or_else(|| (format!("no syscall name at {fd:#x}"), Some(fd)))?;
            let full = String::from_utf8_lossy(&raw).into_owned();
            let short = full.strip_prefix(SYSCALL_PREFIX).unwrap_or(&full);
            let name = software_name_static(short)
                .ok_or_else(|| (format!("unknown syscall {full:?}"), None))?;
            let cycle = cpu.cycle + 1;
            match self.software(name, len as usize, cycle, mem, console)? {
                Soft::Data(b, r) => {
                    self.results = r;
                    (name, b)
                }
                Soft::Output(fd, b) => {
                    self.results = (0, 0);
                    output = Some((fd, b));
                    (name, vec![0; len as usize])
                }
                Soft::Panic => {
                    return Ok(EcallResult::Halt {
                        name,
                        code: 101,
                        extra_cycles: 1,
                    })
                }
            }
        };
        let rlen = bytes.len() as u64;
        mem.write_user(ptr, &bytes)
            .map_err(|e| (format!("cannot write the buffer: {e}"), Some(ptr)))?;
        cpu.x[10] = rlen;
        let accesses = word_accesses(pc, ptr, rlen, AccessKind::Write).collect();
        Ok(EcallResult::Done {
            name,
            kind: CustomKind::Virtual,
            output,
            args: None,
            extra_cycles: read_cycles(ptr, rlen) - 1,
            accesses,
        })
    }

    /// A software syscall's host side, the kernel asking for `len` bytes.
    fn software(
        &mut self,
        name: &'static str,
        len: usize,
        cycle: u64,
        mem: &mut Memory,
        console: &mut crate::Console<'_>,
    ) -> Result<Soft, (String, Option<u64>)> {
        let ureg = |i: u64| word(mem, USER_REGS_ADDR + 4 * i);
        let (a3, a4, a5) = (ureg(13), ureg(14), ureg(15));
        let no_data = |len: usize| {
            if len == 0 {
                Ok(())
            } else {
                Err((format!("invalid {name} call: {len} bytes asked for"), None))
            }
        };
        let bounded = |mem: &Memory, p, n| crate::read_bounded(mem, p, n).map_err(|m| (m, Some(p)));
        match name {
            "SYS_READ" => {
                // a3 = fd, a4 = bytes wanted in all; the kernel asks for
                // the whole words first.
                if a3 != 0 {
                    return Err((format!("read from fd {a3}: only stdin (0) is served"), None));
                }
                if (a4 as usize) < len {
                    return Err(("word-aligned read buffer must be fully filled".into(), None));
                }
                let main = len.min(self.stdin.len());
                let mut bytes: Vec<u8> = self.stdin.drain(..main).collect();
                bytes.resize(len, 0);
                let left = a4 as usize - main;
                let end = if left <= 4 { left } else { 0 };
                let tail = end.min(self.stdin.len());
                let mut last = [0u8; 4];
                for (i, b) in self.stdin.drain(..tail).enumerate() {
                    last[i] = b;
                }
                let total = main + tail;
                if total < a4 as usize {
                    self.read_past_end = true;
                }
                Ok(Soft::Data(bytes, (total as u32, u32::from_le_bytes(last))))
            }
            "SYS_WRITE" => {
                no_data(len)?;
                let bytes = bounded(mem, a4, a5)?;
                match a3 {
                    1 | 2 => {
                        console(a3 as u32, &bytes, mem)
                            .map_err(|e| (format!("console output: {e}"), None))?;
                        Ok(Soft::Output(a3 as u32, bytes))
                    }
                    3 => {
                        // risc0-zkvm limits the journal to 100 MB.
                        if self.journal.len() + bytes.len() > 100 << 20 {
                            return Err(("the journal exceeds 100 MB".into(), None));
                        }
                        mem.charge(bytes.len() as u64)
                            .map_err(|e| (format!("journal: {e}"), None))?;
                        self.journal.extend_from_slice(&bytes);
                        Ok(Soft::Data(Vec::new(), (0, 0)))
                    }
                    fd => Err((format!("write to fd {fd}: not served"), None)),
                }
            }
            "SYS_LOG" => {
                no_data(len)?;
                let mut line = format!("R0VM[{cycle}] ").into_bytes();
                line.extend(bounded(mem, a3, a4)?);
                line.push(b'\n');
                console(1, &line, mem).map_err(|e| (format!("console output: {e}"), None))?;
                Ok(Soft::Output(1, line))
            }
            "SYS_PANIC" => {
                no_data(len)?;
                let msg = bounded(mem, a3, a4.min(1 << 20))?;
                let msg = String::from_utf8_lossy(&msg).into_owned();
                let line = format!("panicked: {msg}\n");
                console(2, line.as_bytes(), mem)
                    .map_err(|e| (format!("console output: {e}"), None))?;
                self.panic_message = Some(msg);
                Ok(Soft::Panic)
            }
            "SYS_RANDOM" => {
                let bytes: Vec<u8> = (0..len).map(|_| self.next_random()).collect();
                Ok(Soft::Data(bytes, (len as u32, 0)))
            }
            "SYS_CYCLE_COUNT" => {
                no_data(len)?;
                Ok(Soft::Data(Vec::new(), ((cycle >> 32) as u32, cycle as u32)))
            }
            // No variable is set: u32::MAX.
            "SYS_GETENV" => Ok(Soft::Data(vec![0; len], (u32::MAX, 0))),
            "SYS_ARGC" => {
                no_data(len)?;
                Ok(Soft::Data(Vec::new(), (0, 0)))
            }
            _ => Err((
                format!("the software syscall {name} is not executed by zkdbg yet"),
                None,
            )),
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

/// The `'static` name of the software syscall called `short`.
fn software_name_static(short: &str) -> Option<&'static str> {
    SOFTWARE_CALLS.iter().map(|c| c.1).find(|n| *n == short)
}

/// Cycles of a host READ of `rlen` bytes to `ptr` (`r0vm.rs`
/// `ecall_read`): setup, one state, then one per unaligned leading byte,
/// per run of up to four words, and per trailing byte.
pub fn read_cycles(ptr: u64, rlen: u64) -> u64 {
    let mut cycles = 2;
    let (mut ptr, mut rlen) = (ptr, rlen);
    while rlen > 0 && !ptr.is_multiple_of(4) {
        ptr += 1;
        rlen -= 1;
        cycles += 1;
    }
    while rlen >= 4 {
        rlen -= 4 * (rlen / 4).min(4);
        cycles += 1;
    }
    cycles + rlen
}

/// The SHA2 host call: `count` SHA-256 compressions of the contiguous
/// 64-byte blocks at `data`, from the state at `in_state` into
/// `out_state` (big-endian words); `k` is the kernel's round-constant
/// table, which the circuit reads. Returns the extra cycles (beyond one)
/// and the accesses (`sha2.rs`).
fn sha2_host(
    pc: u64,
    mem: &mut Memory,
    in_state: u64,
    out_state: u64,
    data: u64,
    count: u64,
    k: u64,
) -> Result<(u64, Vec<MemAccess>), (String, Option<u64>)> {
    for a in [in_state, out_state, data, k] {
        if a < USER_START_ADDR {
            return Err((format!("{a:#x} is not a guest address"), Some(a)));
        }
    }
    if count > MAX_SHA_COUNT {
        return Err((format!("{count} blocks: at most 10 per call"), None));
    }
    let (in_state, out_state, data) = (in_state & !3, out_state & !3, data & !3);
    let read = |mem: &Memory, addr: u64, len: usize| {
        mem.read_vec(addr, len).map_err(|e| {
            (
                format!("cannot read {len} bytes at {addr:#x}: {e}"),
                Some(addr),
            )
        })
    };
    let s = read(mem, in_state, 32)?;
    let mut state: [u32; 8] =
        std::array::from_fn(|i| u32::from_be_bytes(s[4 * i..4 * i + 4].try_into().expect("4")));
    let blocks = read(mem, data, 64 * count as usize)?;
    for block in blocks.chunks_exact(64) {
        let block: [u8; 64] = block.try_into().expect("64 bytes");
        sha2::compress256(&mut state, &[block.into()]);
    }
    let out: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
    mem.write_user(out_state, &out).map_err(|e| {
        (
            format!("cannot write the state at {out_state:#x}: {e}"),
            Some(out_state),
        )
    })?;
    let mut accesses: Vec<MemAccess> = word_accesses(pc, in_state, 32, AccessKind::Read).collect();
    accesses.extend(word_accesses(pc, k, 256, AccessKind::Read));
    accesses.extend(word_accesses(pc, data, 64 * count, AccessKind::Read));
    accesses.extend(word_accesses(pc, out_state, 32, AccessKind::Write));
    Ok((4 + 68 * count + 1, accesses))
}
