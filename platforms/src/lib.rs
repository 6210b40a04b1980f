//! zkVM platforms: each zkVM's machine as its guests see it, held as data
//! with the source of every fact (repository, file, commit).
//!
//! A [`Platform`] is one zkVM's memory map, I/O, custom instructions and
//! cost model. [`detect`] recognises a guest's platform from its ELF;
//! [`PlatformOs`] is the environment the emulator runs it with.
//!
//! - `linux`: what zkdbg ran first: Linux syscalls by `ecall`, served on
//!   the host by `zeroos`; one cycle per instruction.
//! - [`jolt`]: a16z/jolt (with ZeroOS): its MemoryLayout and I/O region,
//!   its virtual instructions and inlines, and its cycle count;
//! - [`sp1`]: succinctlabs/sp1 v6: the syscall id in t0, input vectors,
//!   public values, its precompiles;
//! - [`risc0`]: risc0/risc0: its v1compat kernel run in the guest, host
//!   calls, stdin and the journal, and its paging and segment accounting;
//! - [`airbender`]: matter-labs/zksync-airbender: flat binaries at 0, the
//!   non-determinism CSR, output in x10..x17;
//! - [`openvm`]: openvm-org/openvm: its custom-0 I/O instructions (hint
//!   streams, public values, TERMINATE) and its Keccak and SHA-2
//!   extensions;
//! - [`zisk`]: 0xPolygonHermez/zisk: its ROM's boot and exit, input and
//!   output regions, UART, precompile CSRs, and its step count;
//! - [`zeroos`]: the stack and heap a ZeroOS guest's linker symbols name.

mod access;
pub mod airbender;
pub mod blake;
pub mod field;
pub mod jolt;
pub mod openvm;
pub mod risc0;
pub mod sp1;
pub mod zeroos;
pub mod zisk;

use ::zeroos::ZeroOs;
use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{
    CostModel, Cpu, CustomResult, EcallResult, Environment, Insn, MemError, Memory, Op, Program,
    SyscallRequest, SyscallResult, Xlen,
};

/// A zkVM platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// Linux syscalls served by zeroos on the host; cycles = instructions.
    Linux,
    /// Jolt: its I/O region, custom instructions and cycle count.
    Jolt,
    /// SP1 v6: syscalls by t0, input vectors, public values, precompiles;
    /// cycles = retired instructions.
    Sp1,
    /// RISC Zero: its v1compat kernel in the guest, stdin, the journal;
    /// RISC Zero's user cycles (paging and segments from its model).
    Risc0,
    /// ZKsync Airbender: flat binaries at address 0, the oracle CSR, the
    /// output in x10..x17; cycles = instructions.
    Airbender,
    /// OpenVM: custom-0 I/O instructions, hint streams, public values,
    /// the Keccak and SHA-2 extensions; cycles = instructions.
    OpenVm,
    /// ZisK: its input and output regions, UART, precompile CSRs; cycles
    /// = ZisK steps.
    Zisk,
}

impl Platform {
    /// Every platform, in the order `--platform` lists them.
    pub const ALL: [Platform; 7] = [
        Platform::Linux,
        Platform::Jolt,
        Platform::Sp1,
        Platform::Risc0,
        Platform::Airbender,
        Platform::OpenVm,
        Platform::Zisk,
    ];

    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::Jolt => "jolt",
            Platform::Sp1 => "sp1",
            Platform::Risc0 => "risc0",
            Platform::Airbender => "airbender",
            Platform::OpenVm => "openvm",
            Platform::Zisk => "zisk",
        }
    }

    /// The platform named `name`.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }

    /// What its instructions cost.
    pub fn cost_model(self) -> CostModel {
        match self {
            // SP1's cycles are its retired instructions (`global_clk`).
            // OpenVM's are its executed instructions (`instret`).
            Platform::Linux | Platform::Sp1 | Platform::Airbender | Platform::OpenVm => {
                CostModel::INSTRUCTIONS
            }
            Platform::Risc0 => risc0::USER_CYCLES,
            Platform::Jolt => jolt::JOLT_CYCLES,
            Platform::Zisk => zisk::ZISK_STEPS,
        }
    }

    /// Code of the platform's own that runs in the guest, by address range
    /// and frame name (RISC Zero: its v1compat kernel, `[kernel]`): the
    /// frames profiles show for it.
    pub fn code_regions(self) -> &'static [(u64, u64, &'static str)] {
        match self {
            Platform::Risc0 => &[(risc0::USER_END_ADDR, 1 << 32, "[kernel]")],
            _ => &[],
        }
    }

    /// Bytes from address 0 never mapped (null pointers fault): none on
    /// Airbender, whose programs load at 0, and on OpenVM, whose memory
    /// starts at 0 (a null pointer reads zeros there too).
    pub fn guard(self) -> u64 {
        match self {
            Platform::Airbender | Platform::OpenVm => 0,
            _ => zkdbg_emulator::memory::GUARD_SIZE,
        }
    }

    /// Whether a guest of `xlen` can run on it.
    pub fn supports(self, xlen: Xlen) -> bool {
        match self {
            Platform::Linux => true,
            // crates/jolt-program/src/image/elf.rs: "jolt-program supports
            // RV64/ELF64 program images only".
            Platform::Jolt => xlen == Xlen::X64,
            // v6 is RV64IM, v3-v5 RV32IM.
            Platform::Sp1 => true,
            // risc0-zkvm-platform, Airbender, OpenVM: RV32IM.
            Platform::Risc0 | Platform::Airbender | Platform::OpenVm => xlen == Xlen::X32,
            // ZisK: RV64IMA (riscv64ima-zisk-zkvm-elf).
            Platform::Zisk => xlen == Xlen::X64,
        }
    }

    /// The platform's name for a custom instruction, if it has one.
    pub fn custom_name(self, insn: &Insn) -> Option<&'static str> {
        match self {
            Platform::Linux | Platform::Sp1 | Platform::Risc0 => None,
            Platform::Airbender => airbender_call(insn),
            Platform::Jolt => jolt::insn::custom(insn).map(|j| j.name),
            Platform::OpenVm => openvm::decode(insn.imm as u32).map(|i| i.name()),
            Platform::Zisk => zisk_call(insn),
        }
    }

    /// The platform's name for the call an `ecall` makes with registers
    /// `x` (SP1: the id in t0; RISC Zero: the kind in t0 and, for
    /// SOFTWARE, the call in t6); `None` on a platform without its own
    /// ecall ABI or for an unknown id.
    pub fn ecall_name(self, x: &[u64; 32]) -> Option<&'static str> {
        match self {
            Platform::Linux | Platform::Jolt | Platform::Airbender | Platform::OpenVm => None,
            Platform::Zisk => Some(if x[17] == zisk::EXIT_CALL {
                "exit"
            } else {
                "ecall"
            }),
            Platform::Sp1 => sp1::syscall(x[5]).map(|c| c.name),
            Platform::Risc0 => risc0::call_name(x[5], x[31]),
        }
    }

    /// The names of its inlines or precompiles (what `catch inline` and
    /// `catch precompile` accept).
    pub fn inline_names(self) -> Vec<&'static str> {
        match self {
            Platform::Linux => Vec::new(),
            Platform::Airbender => airbender::delegation_names(),
            Platform::Sp1 => sp1::call_names(),
            Platform::Risc0 => risc0::call_names(),
            Platform::OpenVm => openvm::call_names(),
            Platform::Zisk => zisk::call_names(),
            Platform::Jolt => jolt::insn::INLINES.iter().map(|e| e.2.name).collect(),
        }
    }

    /// A custom instruction in this platform's words, for disassembly
    /// (`None`: not one of its instructions).
    pub fn disassemble_custom(self, insn: &Insn) -> Option<String> {
        match self {
            Platform::Linux | Platform::Sp1 | Platform::Risc0 | Platform::Airbender => None,
            Platform::Jolt => jolt::insn::disassemble(insn),
            Platform::OpenVm => openvm::disassemble(insn),
            Platform::Zisk => zisk_call(insn).map(|name| {
                let reg = |n: u8| zkdbg_emulator::cpu::ABI_NAMES[(n & 31) as usize];
                let csr = insn.imm as u16;
                match insn.op {
                    Op::Csrrwi => format!("fcall {name}"),
                    _ if csr == 0xFFE => format!("csrr {}, FCALL_GET(0xffe)", reg(insn.rd)),
                    Op::Csrrsi => format!("csrsi {name}({csr:#x}), {}", insn.rs1),
                    _ if insn.rd != 0 => {
                        format!(
                            "csrrs {}, {name}({csr:#x}), {}",
                            reg(insn.rd),
                            reg(insn.rs1)
                        )
                    }
                    _ => format!("csrs {name}({csr:#x}), {}", reg(insn.rs1)),
                }
            }),
        }
    }
}

/// An Airbender delegation: a CSR instruction on a delegation CSR.
fn airbender_call(insn: &Insn) -> Option<&'static str> {
    use Op::*;
    matches!(insn.op, Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci)
        .then(|| airbender::delegation_name(insn.imm as u16))
        .flatten()
}

/// The ZisK call a CSR instruction makes, if it is one: a precompile or
/// free-input CSR's name, a free-input function's for FCALL's `csrwi`.
fn zisk_call(insn: &Insn) -> Option<&'static str> {
    let csr = insn.imm as u16;
    match insn.op {
        Op::Csrrwi if (0x8C0..=0x8DF).contains(&csr) => {
            let id = ((csr - 0x8C0) << 5) | u16::from(insn.rs1 & 31);
            zisk::FCALLS.iter().find(|(i, _)| *i == id).map(|f| f.1)
        }
        Op::Csrrs | Op::Csrrsi => zisk::call_name(csr),
        _ => None,
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A platform recognised from an ELF, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The platform.
    pub platform: Platform,
    /// Why it was chosen, for the summary and reports.
    pub reason: String,
}

/// Symbols only Jolt guests define: `jolt_panic` is generated by
/// `#[jolt::provable]`, `__platform_exit`/`__platform_abort` and
/// `jolt_syscall` by jolt-sdk's runtime (`jolt-sdk/src/runtime/`).
const JOLT_SYMBOLS: [&str; 4] = [
    "jolt_panic",
    "jolt_syscall",
    "__platform_exit",
    "__platform_abort",
];

/// Symbols only SP1 guests define (`sp1-zkvm`'s `src/lib.rs` and
/// `src/syscalls/`, 5.x and 6.x): `read_vec_raw` and one of its syscall
/// wrappers (which of them survive linking depends on the guest).
const SP1_SYMBOLS: (&str, [&str; 3]) = (
    "read_vec_raw",
    ["syscall_halt", "syscall_write", "syscall_hint_read"],
);

/// Symbols only RISC Zero guests define (`risc0-zkvm-platform`'s
/// `src/syscall.rs`): all of them must be present.
const RISC0_SYMBOLS: [&str; 3] = ["sys_halt", "sys_pause", "sys_sha_compress"];

/// Recognises a guest's platform: Jolt if it defines a symbol only Jolt
/// guests have, or contains a Jolt inline (opcode 0x0B or 0x2B, which no
/// Linux-platform guest uses); SP1 if it defines `sp1-zkvm`'s runtime
/// symbols, RISC Zero if `risc0-zkvm-platform`'s; Linux otherwise.
pub fn detect(program: &Program) -> Detection {
    if RISC0_SYMBOLS
        .iter()
        .all(|n| program.symbols.by_name(n).is_some())
    {
        return Detection {
            platform: Platform::Risc0,
            reason: "defines `sys_halt`, `sys_pause` and `sys_sha_compress` (risc0-zkvm-platform)"
                .to_string(),
        };
    }
    let has = |n: &str| program.symbols.by_name(n).is_some();
    if has(SP1_SYMBOLS.0) {
        if let Some(n) = SP1_SYMBOLS.1.iter().find(|n| has(n)) {
            return Detection {
                platform: Platform::Sp1,
                reason: format!("defines `read_vec_raw` and `{n}` (sp1-zkvm's runtime)"),
            };
        }
    }
    if let Some(why) = zisk_signs(program) {
        return Detection {
            platform: Platform::Zisk,
            reason: why,
        };
    }
    if let Some(pc) = openvm_terminate(program) {
        return Detection {
            platform: Platform::OpenVm,
            reason: format!(
                "an RV32 ELF with OpenVM's TERMINATE (custom-0, funct3 0) at {pc:#x} (openvm's \
                 runtime)"
            ),
        };
    }
    for name in JOLT_SYMBOLS {
        if program.symbols.by_name(name).is_some() {
            return Detection {
                platform: Platform::Jolt,
                reason: format!("defines `{name}` (Jolt's guest runtime)"),
            };
        }
    }
    if let Some((pc, opcode)) = first_inline(program) {
        return Detection {
            platform: Platform::Jolt,
            reason: format!("has a Jolt inline (opcode {opcode:#04x}) at {pc:#x}"),
        };
    }
    Detection {
        platform: Platform::Linux,
        reason: "no zkVM runtime symbols or custom instructions".to_string(),
    }
}

/// Why an ELF is a ZisK guest, if it is: RV64, code in ZisK's ROM
/// (0x8000_0000..0x8800_0000) and data in its RAM (0xa000_0000..0xc000_0000);
/// the reason names the first `marchid` read (ziskos's `_start` and
/// `sys_write` compare it with ZisK's id) or ZisK precompile CSR, if any.
fn zisk_signs(program: &Program) -> Option<String> {
    if program.xlen != Xlen::X64 {
        return None;
    }
    let in_rom = |a: u64| (zisk::ROM_ADDR..0x8800_0000).contains(&a);
    let in_ram = |a: u64| (zisk::RAM_ADDR..0xc000_0000).contains(&a);
    if !program.segments.iter().any(|s| s.exec && in_rom(s.vaddr))
        || !program.segments.iter().any(|s| !s.exec && in_ram(s.vaddr))
    {
        return None;
    }
    for seg in program.segments.iter().filter(|s| s.exec) {
        let mut off = 0usize;
        while off + 4 <= seg.data.len() {
            let w = u32::from_le_bytes([
                seg.data[off],
                seg.data[off + 1],
                seg.data[off + 2],
                seg.data[off + 3],
            ]);
            if w & 3 != 3 {
                off += 2;
                continue;
            }
            let pc = seg.vaddr + off as u64;
            // csrrs rd, marchid, x0
            if w & 0xffff_f07f == 0xf120_2073 {
                return Some(format!(
                    "an RV64 ELF in ZisK's ROM and RAM that reads marchid at {pc:#x} (ziskos)"
                ));
            }
            // csrrs x0, CALL, rs1
            if w & 0x0000_7fff == 0x2073 {
                if let Some(name) = zisk::call_name((w >> 20) as u16) {
                    return Some(format!(
                        "an RV64 ELF in ZisK's ROM and RAM with ZisK's {name} at {pc:#x}"
                    ));
                }
            }
            off += 4;
        }
    }
    // ZisK-built programs that never read marchid (its Go examples) still
    // have ZisK's layout; no other platform puts data there.
    Some("an RV64 ELF with code in ZisK's ROM (0x80000000) and data in its RAM (0xa0000000)".into())
}

/// The first OpenVM TERMINATE (opcode 0x0B, funct3 0, rd = rs1 = x0) in an
/// executable segment of an RV32 ELF (Jolt, the other user of opcode
/// 0x0B, runs only RV64 guests), by a sweep of aligned words.
fn openvm_terminate(program: &Program) -> Option<u64> {
    if program.xlen != Xlen::X32 {
        return None;
    }
    for seg in program.segments.iter().filter(|s| s.exec) {
        for (i, w) in seg.data.chunks_exact(4).enumerate() {
            let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            if w & 0x000f_ffff == 0x0b && seg.vaddr % 4 == 0 {
                return Some(seg.vaddr + 4 * i as u64);
            }
        }
    }
    None
}

/// The first instruction of opcode 0x0B or 0x2B in an executable segment,
/// by a linear sweep.
fn first_inline(program: &Program) -> Option<(u64, u32)> {
    for seg in program.segments.iter().filter(|s| s.exec) {
        let mut off = 0usize;
        while off + 2 <= seg.data.len() {
            let lo = u16::from_le_bytes([seg.data[off], seg.data[off + 1]]) as u32;
            if lo & 3 != 3 {
                off += 2;
                continue;
            }
            if off + 4 > seg.data.len() {
                break;
            }
            let w = lo | (u16::from_le_bytes([seg.data[off + 2], seg.data[off + 3]]) as u32) << 16;
            let insn = zkdbg_emulator::decode(w, program.xlen);
            if insn.op == Op::Custom && matches!(w & 0x7f, 0x0b | 0x2b) {
                return Some((seg.vaddr + off as u64, w & 0x7f));
            }
            off += 4;
        }
    }
    None
}

/// The platform's device: what serves its custom instructions.
#[derive(Clone, Debug)]
pub enum Device {
    /// No device (the Linux platform).
    None,
    /// Jolt's I/O region and custom instructions.
    Jolt(jolt::JoltDevice),
    /// SP1's input stream, public values and syscalls.
    Sp1(sp1::Sp1Device),
    /// RISC Zero's stdin, journal and ecalls.
    Risc0(risc0::Risc0Device),
    /// Airbender's oracle and UART.
    Airbender(airbender::AirbenderDevice),
    /// OpenVM's input and hint streams and public values.
    OpenVm(openvm::OpenVmDevice),
    /// ZisK's CSRs and layout.
    Zisk(zisk::ZiskDevice),
}

/// The environment a guest runs with: zeroos (Linux syscalls, console
/// output) and the platform's device. Derefs to the [`ZeroOs`].
#[derive(Clone)]
pub struct PlatformOs {
    /// The OS layer: syscalls (Linux platform) and captured output.
    pub zeroos: ZeroOs,
    /// The platform's device.
    pub device: Device,
}

impl PlatformOs {
    /// The platform this environment serves.
    pub fn platform(&self) -> Platform {
        match self.device {
            Device::None => Platform::Linux,
            Device::Jolt(_) => Platform::Jolt,
            Device::Sp1(_) => Platform::Sp1,
            Device::Risc0(_) => Platform::Risc0,
            Device::Airbender(_) => Platform::Airbender,
            Device::OpenVm(_) => Platform::OpenVm,
            Device::Zisk(_) => Platform::Zisk,
        }
    }
}

impl std::ops::Deref for PlatformOs {
    type Target = ZeroOs;
    fn deref(&self) -> &ZeroOs {
        &self.zeroos
    }
}

impl std::ops::DerefMut for PlatformOs {
    fn deref_mut(&mut self) -> &mut ZeroOs {
        &mut self.zeroos
    }
}

/// Writes a platform call's console output: fd (1 stdout, 2 stderr), the
/// bytes, and the memory they are charged to.
pub type Console<'a> = dyn FnMut(u32, &[u8], &mut Memory) -> Result<(), MemError> + 'a;

/// The memory of a zkVM without page permissions (SP1, RISC Zero):
/// `start..end` read-write and zero until written (a demand-zero
/// reservation), and the ELF's `segments` (address, length) writable too.
///
/// Errors: the range or a segment cannot be mapped.
pub(crate) fn flat_memory(
    mem: &mut Memory,
    start: u64,
    end: u64,
    segments: impl IntoIterator<Item = (u64, u64)>,
) -> Result<(), MemError> {
    mem.reserve(start, end - start, Perm::RW)?;
    for (addr, len) in segments {
        mem.map_with(addr, len, Perm::RW)?;
    }
    Ok(())
}

/// Keccak-f\[1600\] (`keccak::f1600`) on a state of 200 bytes, 25
/// little-endian u64 lanes (OpenVM's KECCAKF, ZisK's KECCAKF); the new
/// state in the same layout.
pub(crate) fn keccakf_le(state: &[u8]) -> Vec<u8> {
    let mut lanes = [0u64; 25];
    for (l, c) in lanes.iter_mut().zip(state.chunks_exact(8)) {
        *l = u64::from_le_bytes(c.try_into().expect("8 bytes"));
    }
    keccak::f1600(&mut lanes);
    lanes.iter().flat_map(|l| l.to_le_bytes()).collect()
}

/// One SHA-256 compression (`sha2::compress256`, FIPS 180-4 §6.2.2) of a
/// 64-byte block into a state of 8 little-endian u32 words (32 bytes);
/// the new state in the same layout (OpenVM's SHA256, ZisK's SHA256F).
pub(crate) fn sha256_compress_le(state: &[u8], block: &[u8]) -> Vec<u8> {
    let mut s = [0u32; 8];
    for (v, c) in s.iter_mut().zip(state.chunks_exact(4)) {
        *v = u32::from_le_bytes(c.try_into().expect("4 bytes"));
    }
    let block: [u8; 64] = block.try_into().expect("64 bytes");
    sha2::compress256(&mut s, &[block.into()]);
    s.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// `len` bytes of guest memory at `ptr` that a platform call hands to the
/// host, refused when they exceed what `--memory-limit` leaves.
pub(crate) fn read_bounded(mem: &Memory, ptr: u64, len: u64) -> Result<Vec<u8>, String> {
    if len > mem.available_bytes() {
        return Err(format!(
            "{len} bytes are more than the {} bytes left under --memory-limit",
            mem.available_bytes()
        ));
    }
    mem.read_vec(ptr, len as usize)
        .map_err(|e| format!("cannot read the buffer: {e}"))
}

/// The first bytes of a buffer, for traces: at most 64, cut flagged.
pub(crate) fn buffer_arg(mem: &Memory, ptr: u64, len: u64) -> zkdbg_emulator::CallArg {
    let n = len.min(64);
    match mem.read_vec(ptr, n as usize) {
        Ok(b) => zkdbg_emulator::CallArg::Bytes(b, len > n),
        Err(_) => zkdbg_emulator::CallArg::Hex(ptr),
    }
}

/// `r` with the call's decoded arguments (taken before it ran).
fn with_args(mut r: EcallResult, decoded: Option<Vec<zkdbg_emulator::CallArg>>) -> EcallResult {
    if let EcallResult::Done { args, .. } = &mut r {
        if args.is_none() {
            *args = decoded;
        }
    }
    r
}

impl Environment for PlatformOs {
    fn syscall(&mut self, req: &SyscallRequest, mem: &mut Memory) -> SyscallResult {
        self.zeroos.syscall(req, mem)
    }

    fn host_print(&mut self, text: &[u8], newline: bool) {
        self.zeroos.host_print(text, newline)
    }

    fn ecall(&mut self, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> EcallResult {
        match &mut self.device {
            Device::Sp1(d) => {
                let args = sp1::describe(cpu, mem);
                let zeroos = &mut self.zeroos;
                let mut console =
                    |fd, bytes: &[u8], mem: &mut Memory| zeroos.console_output(fd, bytes, mem);
                with_args(d.serve(cpu, mem, &mut console), args)
            }
            Device::Risc0(d) => {
                let zeroos = &mut self.zeroos;
                let mut console =
                    |fd, bytes: &[u8], mem: &mut Memory| zeroos.console_output(fd, bytes, mem);
                d.serve(pc, cpu, mem, &mut console)
            }
            // ZisK's ecall writes ra and jumps to the ROM's trap handler:
            // a7 = 93 ends the run, anything else returns.
            Device::Zisk(d) => {
                cpu.x[1] = pc.wrapping_add(4);
                if cpu.x[17] == zisk::EXIT_CALL {
                    EcallResult::Halt {
                        name: "exit",
                        code: d.exit_code(cpu.x[10]),
                        extra_cycles: d.exit_steps(),
                    }
                } else {
                    EcallResult::Done {
                        name: "ecall",
                        kind: zkdbg_emulator::CustomKind::Syscall,
                        output: None,
                        args: None,
                        extra_cycles: zisk::ECALL_RETURN_STEPS,
                        accesses: Vec::new(),
                    }
                }
            }
            _ => EcallResult::Linux,
        }
    }

    fn mret(
        &mut self,
        _pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
    ) -> Option<Result<(u64, bool), String>> {
        match &mut self.device {
            Device::Risc0(d) => Some(d.mret(cpu, mem)),
            _ => None,
        }
    }

    fn csr(
        &mut self,
        op: Op,
        csr: u16,
        rd: usize,
        value: u64,
        writes: bool,
    ) -> Option<Result<u64, String>> {
        match &mut self.device {
            Device::None | Device::Sp1(_) | Device::Risc0(_) => None,
            Device::Zisk(d) => Some(Ok(d.csr(op, csr, value, writes))),
            Device::Jolt(_) => jolt::insn::csr_refused(op, csr).map(Err),
            // `csrrw x0, csr, x0` is a no-op; OpenVM's transpiler turns
            // every other CSR instruction into `unimp` (TERMINATE 2).
            Device::OpenVm(_) => Some(if op == Op::Csrrw && rd == 0 && value == 0 && writes {
                Ok(0)
            } else {
                Err(format!(
                    "csr: OpenVM has no CSRs: its transpiler makes this instruction `unimp` \
                     (TERMINATE with exit code {})",
                    openvm::UNIMP_EXIT_CODE
                ))
            }),
            Device::Airbender(d) => match d.csr(csr, rd, value, writes)? {
                airbender::CsrAccess::Done(v, text) => {
                    if let Some(mut text) = text {
                        text.push(b'\n');
                        self.zeroos.host_print(&text, false);
                    }
                    Some(Ok(v))
                }
                airbender::CsrAccess::Fault(why) => Some(Err(format!("csr: {why}"))),
            },
        }
    }

    fn csr_is_call(&self, csr: u16) -> bool {
        match self.device {
            Device::Zisk(_) => zisk::call_name(csr).is_some(),
            Device::Airbender(_) => airbender::delegation_name(csr).is_some(),
            _ => false,
        }
    }

    fn device_output(&mut self, bytes: &[u8], mem: &mut Memory) {
        if let Err(e) = self.zeroos.console_output(1, bytes, mem) {
            log::warn!("UART output dropped: {e}");
        }
    }

    fn host_syscalls(&self) -> Option<&'static str> {
        match self.device {
            Device::None | Device::Sp1(_) | Device::Risc0(_) | Device::Zisk(_) => None,
            Device::Airbender(_) => Some(
                "ecall: ZKsync Airbender serves no calls on the host (programs talk to its oracle \
                 through CSR 0x7c0)",
            ),
            Device::OpenVm(_) => Some(
                "ecall: OpenVM serves no ecalls: its transpiler makes them `unimp` (TERMINATE \
                 with exit code 2); guests use its custom-0 instructions",
            ),
            // Jolt's `ecall` jumps to the trap handler the guest installed
            // (crates/jolt-program/src/expand/control_flow/ecall.rs); there
            // are no host syscalls.
            Device::Jolt(_) => Some(
                "ecall with no trap handler installed (mtvec = 0): Jolt serves no syscalls on the \
                 host; a ZeroOS guest installs its handler at boot",
            ),
        }
    }

    fn custom(&mut self, insn: &Insn, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> CustomResult {
        match &mut self.device {
            Device::None | Device::Sp1(_) | Device::Risc0(_) => CustomResult::Unknown,
            Device::Airbender(d) => d.delegate(insn, pc, cpu, mem),
            Device::Jolt(d) => d.serve(insn, cpu, mem),
            Device::Zisk(d) => d.serve(insn, pc, cpu, mem),
            Device::OpenVm(d) => {
                let r = d.serve(insn, pc, cpu, mem);
                if let CustomResult::Done {
                    name,
                    output: Some((fd, bytes)),
                    ..
                } = &r
                {
                    if let Err(e) = self.zeroos.console_output(*fd, bytes, mem) {
                        return CustomResult::Fault {
                            name,
                            message: format!("cannot print: {e}"),
                            addr: None,
                        };
                    }
                }
                r
            }
        }
    }
}
