//! ZisK (0xPolygonHermez/zisk): RV64IMA guests, transpiled by ZisK into
//! its own ROM and run by `ziskemu`, which counts *steps* (ZisK
//! instructions).
//!
//! Facts from 0xPolygonHermez/zisk @6182c8be9 (version 0.18.0, "current")
//! and the tags `v0.4.0`, `v0.8.0`, `v0.15.0` (older layouts):
//! - `core/src/mem.rs`: ROM at `ROM_ADDR` 0x8000_0000, RAM at `RAM_ADDR`
//!   0xa000_0000 (512 MiB; 128 MiB before v0.8, mapped as 512 here), the output region at
//!   `OUTPUT_ADDR` 0xa001_0000, the UART at `UART_ADDR` 0xa000_0200 ("any
//!   data of exactly 1-byte length written to UART_ADDR will be sent to
//!   the standard output"), the input region at `INPUT_ADDR` 0x4000_0000
//!   (0x9000_0000 up to v0.15), read-only; `ARCH_ID_ZISK` 0x0FFF_EEEE, what
//!   `csrr marchid` reads (ZisK keeps its CSRs in memory: any CSR reads
//!   what was last written there, zero at first);
//! - `emulator/src/emu_context.rs`: the input region holds a zero u64 (the
//!   free-input word), then the input file (v0.16+: one entry per
//!   `ziskos::io::read`, a u64 length and the bytes padded to 8; v0.8 to
//!   v0.15: a u64 length and the bytes); v0.4: a u64 length, then the
//!   bytes;
//! - `core/src/riscv2zisk_context.rs` (`add_entry_exit_jmp`,
//!   `add_end_and_lib`, `add_zisk_init_data`): the ROM's boot runs one
//!   step to jump over the end instruction and the float handler, one step
//!   per 8 bytes (rounded up) of every initialised RAM section and of every
//!   run of adjacent read-only sections, of the float library and of the
//!   program, then 5 steps (marchid, mtvec, a0 = INPUT_ADDR, a1 =
//!   OUTPUT_ADDR, the call to the entry point); `ecall` jumps to the trap
//!   handler with ra = pc + 4 (ZisK's ecall writes ra), which returns for
//!   any a7 but 93 (2 steps) and for 93 writes the 32 u64 words of the
//!   output region as public outputs and ends (167 steps);
//! - `riscv2zisk_context.rs` (`convert`): each RISC-V instruction is one
//!   ZisK instruction except AMOs (3, or 4 when rd is one of the sources),
//!   `amoswap` (2 or 3), `sc` (2 with rd, 1 without), `jalr` with an
//!   offset not a multiple of 4 (2) and CSR instructions (1 to 4 by
//!   operands; see [`steps`]);
//! - `definitions/src/syscall.rs`, `riscv2zisk_context.rs` (`csrrs`): a
//!   precompile is `csrs ID, rs1` with rs1 pointing at its parameters:
//!   0x800 KECCAKF (the 25 u64 lanes at rs1, in place), 0x805 SHA256F (rs1
//!   points at two pointers: 8 u32 of state, 64 bytes of block;
//!   `ziskos/entrypoint/src/syscalls/sha256f.rs`), DMA 0x813 MEMCPY, 0x814
//!   MEMCMP, 0x816 MEMSET, each fused with the `add`/`addi` that follows it
//!   (`transpile_dma_*_pattern`; `core/src/operations/dma_*.rs`,
//!   `core/src/mem.rs` `memcmp`: the first byte difference, sign-extended);
//! - `verifier/src/verifier.rs`: `ZISK_PUBLICS` 64: the output is the 64
//!   u32 at OUTPUT_ADDR (`emulator/src/emu.rs`, `get_output_32`).
//!
//! - `precompiles/helpers/src` and `ziskos/entrypoint/src/syscalls/*.rs`
//!   (the parameter structs): ARITH256 (0x801: a·b + c = dh:dl),
//!   ARITH256_MOD (0x802) and ARITH384_MOD (0x80B: (a·b + c) mod m), ADD256
//!   (0x811: a + b + cin, the carry in rd), the secp256k1 (0x803/0x804),
//!   secp256r1 (0x817/0x818), BN254 (0x806/0x807) and BLS12-381
//!   (0x80C/0x80D) affine add and double, and the BN254 (0x808-0x80A) and
//!   BLS12-381 (0x80E-0x810) Fp2 add, sub and mul, on `crypto-bigint`
//!   ([`crate::field`], shared with SP1).
//!
//! - `core/src/zisk_ops.rs` (`opc_fcall_param`, `opc_fcall`,
//!   `opc_fcall_get`), `core/src/operations/dma_inputcpy.rs` and
//!   `ziskos/entrypoint/src/zisklib/fcalls_impl/*.rs`: the free-input
//!   calls (FCALL_PARAM 0x8F0-0x8FF, FCALL `csrwi 0x8C0 + id / 32, id %
//!   32`, FCALL_GET 0xFFE, DMA_INPUTCPY copying results to memory); the
//!   functions [`FCALLS`] lists.
//!
//! - `precompiles/helpers/src/blake2/blake2b/round.rs`: BLAKE2B_ROUND
//!   (0x819), one round of BLAKE2b's `F` ([`crate::blake::blake2b_round`]).
//!
//! Not executed: floating point (ZisK runs it in a float library in its
//! ROM; a fault saying so).

use crate::field::hex::{BLS12_381_P, BN254_P, SECP256K1_N, SECP256K1_P, SECP256R1_N};
use crate::field::{big_hex, big_le};
use zkdbg_emulator::{
    Cpu, CustomKind, CustomResult, Insn, MemAccess, MemError, Memory, Op, Program, Xlen,
};

/// Where the program image (ROM) starts.
pub const ROM_ADDR: u64 = 0x8000_0000;
/// Where RAM starts.
pub const RAM_ADDR: u64 = 0xa000_0000;
/// The public output region (64 u32).
pub const OUTPUT_ADDR: u64 = 0xa001_0000;
/// The UART's transmit byte.
pub const UART_ADDR: u64 = 0xa000_0200;
/// What `marchid` reads on ZisK.
pub const ARCH_ID_ZISK: u64 = 0x0FFF_EEEE;
/// The `marchid` CSR.
pub const MARCHID: u16 = 0xF12;
/// u32 public outputs (`ZISK_PUBLICS`).
pub const PUBLICS: usize = 64;
/// Steps of the ROM's entry sequence after the data copy (marchid, mtvec,
/// a0, a1, the call).
pub const ENTRY_STEPS: u64 = 5;
/// Steps after the exit `ecall`: the trap handler's test, the public
/// output loop (3 + 32 × 5 + 1), the jump to the end and the end.
pub const EXIT_STEPS: u64 = 1 + 3 + 32 * 5 + 1 + 1 + 1;
/// Steps after any other `ecall`: the handler's test and its return.
pub const ECALL_RETURN_STEPS: u64 = 2;
/// `a7` of the exit call.
pub const EXIT_CALL: u64 = 93;
/// Steps the float library's data copy takes at boot: its sections
/// (`lib-float/c/lib/ziskfloat.elf` @6182c8be9: `.data`/`.sdata`/`.bss`
/// and its read-only data), counted by [`init_steps`] over that ELF.
pub const FLOAT_LIB_INIT_STEPS: u64 = FLOAT_LIB_INIT;

// Counted once with `init_steps` over ziskfloat.elf (see
// platforms/tests/zisk.rs, which recounts it when the file is at hand).
const FLOAT_LIB_INIT: u64 = 126;

/// Precompile and DMA CSR numbers (`definitions/src/syscall.rs`).
pub const CALLS: [(u16, &str); 27] = [
    (0x800, "KECCAKF"),
    (0x801, "ARITH256"),
    (0x802, "ARITH256_MOD"),
    (0x803, "SECP256K1_ADD"),
    (0x804, "SECP256K1_DBL"),
    (0x805, "SHA256F"),
    (0x806, "BN254_CURVE_ADD"),
    (0x807, "BN254_CURVE_DBL"),
    (0x808, "BN254_COMPLEX_ADD"),
    (0x809, "BN254_COMPLEX_SUB"),
    (0x80A, "BN254_COMPLEX_MUL"),
    (0x80B, "ARITH384_MOD"),
    (0x80C, "BLS12_381_CURVE_ADD"),
    (0x80D, "BLS12_381_CURVE_DBL"),
    (0x80E, "BLS12_381_COMPLEX_ADD"),
    (0x80F, "BLS12_381_COMPLEX_SUB"),
    (0x810, "BLS12_381_COMPLEX_MUL"),
    (0x811, "ADD256"),
    (0x812, "POSEIDON2"),
    (0x813, "DMA_MEMCPY"),
    (0x814, "DMA_MEMCMP"),
    (0x815, "DMA_INPUTCPY"),
    (0x816, "DMA_MEMSET"),
    (0x817, "SECP256R1_ADD"),
    (0x818, "SECP256R1_DBL"),
    (0x819, "BLAKE2B_ROUND"),
    (0x81A, "PROFILE"),
];

/// The name of a call CSR: a precompile, or a free-input call (`FCALL`
/// 0x8C0-0x8DF, `FCALL_PARAM` 0x8F0-0x8FF, `FCALL_GET` 0xFFE).
pub fn call_name(csr: u16) -> Option<&'static str> {
    if let Some((_, n)) = CALLS.iter().find(|(c, _)| *c == csr) {
        return Some(n);
    }
    match csr {
        0x8C0..=0x8DF => Some("FCALL"),
        0x8F0..=0x8FF => Some("FCALL_PARAM"),
        0xFFE => Some("FCALL_GET"),
        _ => None,
    }
}

/// The names `catch precompile`/`catch syscall` accept.
pub fn call_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = CALLS.iter().map(|(_, n)| *n).collect();
    v.extend(FCALLS.iter().map(|(_, n)| *n));
    v.extend(["exit", "ecall"]);
    v
}

/// Whether the instruction that starts with `bytes` (2 or 4 of them) is a
/// floating-point one (RISC-V F/D: LOAD-FP, STORE-FP, the fused
/// multiply-adds, OP-FP, and the compressed c.fld/c.fsd/c.fldsp/c.fsdsp),
/// which ZisK runs in the float library of its ROM (`lib-float`,
/// `riscv2zisk_context.rs` `float`), not supported here.
pub fn is_float_insn(bytes: &[u8]) -> bool {
    let Some(&[lo, hi]) = bytes.get(..2).map(|b| <&[u8; 2]>::try_from(b).unwrap()) else {
        return false;
    };
    let h = u16::from_le_bytes([lo, hi]);
    if h & 3 != 3 {
        let funct3 = h >> 13;
        return matches!((h & 3, funct3), (0, 1) | (0, 5) | (2, 1) | (2, 5));
    }
    matches!(h & 0x7f, 0x07 | 0x27 | 0x43 | 0x47 | 0x4b | 0x4f | 0x53)
}

/// A ZisK memory layout: where its input lives and in what format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// ziskos 1.4 (crates.io `ziskos` 1.4.0-alpha,
    /// `src/ziskos_definitions.rs`): input at 0x1000_0000 in the current
    /// format, a 4 MiB stack at the start of RAM and the system area
    /// after it (output at 0xa041_0000, UART at 0xa040_0200); main's
    /// return value in a0 is the exit code. Its ROM is assumed to boot and
    /// end as the current one (no ZisK source of 1.4 was at hand).
    V1_4,
    /// v0.16 and later: input at 0x4000_0000, a zero word, then one
    /// entry (u64 length, bytes padded to 8) per `--input`.
    Current,
    /// v0.8 to v0.15: input at 0x9000_0000, a zero word, a u64 length,
    /// the bytes.
    V0_8,
    /// v0.4 to v0.6: input at 0x9000_0000, a u64 length, the bytes; RAM
    /// 128 MiB.
    V0_4,
}

impl Layout {
    /// The names `--zisk-layout` takes.
    pub const NAMES: [&'static str; 4] = ["1.4", "current", "0.8", "0.4"];

    /// The layout named `name` (one of [`Layout::NAMES`]).
    pub fn from_name(name: &str) -> Option<Layout> {
        match name {
            "1.4" => Some(Layout::V1_4),
            "current" => Some(Layout::Current),
            "0.8" => Some(Layout::V0_8),
            "0.4" => Some(Layout::V0_4),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Layout::V1_4 => "1.4",
            Layout::Current => "current",
            Layout::V0_8 => "0.8",
            Layout::V0_4 => "0.4",
        }
    }

    /// `INPUT_ADDR`.
    pub fn input_addr(self) -> u64 {
        match self {
            Layout::V1_4 => 0x1000_0000,
            Layout::Current => 0x4000_0000,
            Layout::V0_8 | Layout::V0_4 => 0x9000_0000,
        }
    }

    /// `OUTPUT_ADDR`: the public output words.
    pub fn output_addr(self) -> u64 {
        match self {
            Layout::V1_4 => 0xa041_0000,
            _ => OUTPUT_ADDR,
        }
    }

    /// `UART_ADDR`.
    pub fn uart_addr(self) -> u64 {
        match self {
            Layout::V1_4 => 0xa040_0200,
            _ => UART_ADDR,
        }
    }

    /// RAM bytes zkdbg maps: 512 MiB (`RAM_SIZE` since v0.8) on every
    /// layout. v0.4-v0.6 had 128 MiB; mapping more only lets an older
    /// guest that is misrecognised (ZisK-built ELFs without a `lui` of the
    /// input address, like its Go example, put their stack near the top
    /// of 512 MiB) run where ZisK would run it.
    pub fn ram_size(self) -> u64 {
        0x2000_0000
    }

    /// The input region's bytes for `inputs`, as ziskemu lays them out.
    ///
    /// Errors: more than one input on a layout that takes one file.
    pub fn input_region(self, inputs: &[Vec<u8>]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        match self {
            Layout::V1_4 | Layout::Current => {
                out.extend(0u64.to_le_bytes());
                for i in inputs {
                    out.extend((i.len() as u64).to_le_bytes());
                    out.extend(i);
                    out.resize(out.len().next_multiple_of(8), 0);
                }
            }
            Layout::V0_8 | Layout::V0_4 => {
                if inputs.len() > 1 {
                    return Err(format!(
                        "ZisK {} guests read one input file; got {} inputs",
                        self.name(),
                        inputs.len()
                    ));
                }
                let data = inputs.first().map(Vec::as_slice).unwrap_or_default();
                if self == Layout::V0_8 {
                    out.extend(0u64.to_le_bytes());
                }
                out.extend((data.len() as u64).to_le_bytes());
                out.extend(data);
            }
        }
        Ok(out)
    }

    /// The layout an ELF was built for: `Current` when its code builds
    /// the current INPUT_ADDR (`lui rd, 0x40000`), else `0.4` (the older
    /// guests' input address 0x9000_0000 does not fit one `lui` on RV64;
    /// `--zisk-layout 0.8` picks v0.8-v0.15's format), with the reason.
    pub fn detect(program: &Program) -> (Layout, String) {
        // ziskos 1.4's `_start` passes main's exit code to QEMU's test
        // device as `(code << 16) | 0x3333` when not on ZisK: an `addi rd,
        // rs, 0x333` near the entry point.
        for seg in program.segments.iter().filter(|s| s.exec) {
            let Some(off) = program.entry.checked_sub(seg.vaddr) else {
                continue;
            };
            let Some(code) = seg
                .data
                .get(off as usize..(off as usize + 128).min(seg.data.len()))
            else {
                continue;
            };
            for (i, w) in code.windows(4).enumerate().step_by(2) {
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                if w & 0xfff0_707f == 0x3330_0013 {
                    return (
                        Layout::V1_4,
                        format!(
                            "ziskos 1.4's `_start` (its exit-code encoding at {:#x})",
                            program.entry + i as u64
                        ),
                    );
                }
            }
        }
        for seg in program.segments.iter().filter(|s| s.exec) {
            for (i, w) in seg.data.chunks_exact(4).enumerate() {
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                if w & 0xffff_f07f == 0x4000_0037 {
                    return (
                        Layout::Current,
                        format!(
                            "`lui` of INPUT_ADDR 0x40000000 at {:#x}",
                            seg.vaddr + 4 * i as u64
                        ),
                    );
                }
            }
        }
        (
            Layout::V0_4,
            "no `lui` of the current INPUT_ADDR: an older guest".to_string(),
        )
    }
}

/// ZisK steps of one RISC-V instruction (see the module docs).
pub fn steps(insn: &Insn) -> u32 {
    let (rd, rs1, rs2) = (insn.rd, insn.rs1, insn.rs2);
    let aliased = rd == rs1 || rd == rs2;
    match insn.op {
        Op::AmoswapW | Op::AmoswapD => 2 + u32::from(aliased),
        Op::AmoaddW
        | Op::AmoaddD
        | Op::AmoxorW
        | Op::AmoxorD
        | Op::AmoandW
        | Op::AmoandD
        | Op::AmoorW
        | Op::AmoorD
        | Op::AmominW
        | Op::AmominD
        | Op::AmomaxW
        | Op::AmomaxD
        | Op::AmominuW
        | Op::AmominuD
        | Op::AmomaxuW
        | Op::AmomaxuD => 3 + u32::from(aliased),
        Op::ScW | Op::ScD => 1 + u32::from(rd != 0),
        Op::Jalr => 1 + u32::from(insn.imm % 4 != 0),
        Op::Csrrw => match (rd == rs1, rd == 0) {
            (true, true) => 1,
            (true, false) => 3,
            (false, true) => 1,
            (false, false) => 2,
        },
        Op::Csrrs => {
            let csr = insn.imm as u16;
            if rd == rs1 {
                if rd == 0 {
                    1
                } else {
                    3
                }
            } else if rd == 0 || rs1 == 0 || csr == 0x811 {
                1
            } else {
                2
            }
        }
        Op::Csrrc => match (rd == rs1, rd == 0, rs1 == 0) {
            (true, true, _) => 1,
            (true, false, _) => 4,
            (false, true, _) => 2,
            (false, false, true) => 1,
            (false, false, false) => 3,
        },
        Op::Csrrwi => 1 + u32::from(rd != 0),
        Op::Csrrsi => 1 + u32::from(rd != 0 && rs1 != 0),
        Op::Csrrci => {
            if rd == 0 || rs1 == 0 {
                1
            } else {
                3
            }
        }
        _ => 1,
    }
}

/// ZisK's cost model: steps.
pub const ZISK_STEPS: zkdbg_emulator::CostModel = zkdbg_emulator::CostModel {
    name: "zisk-steps",
    cost: steps,
};

/// Steps the ROM spends copying one section of `len` bytes at boot
/// (`add_zisk_init_data`: 8 bytes a step, the rest in one more).
fn section_steps(len: u64) -> u64 {
    // Sections are cut to a multiple of 4 bytes (`elf_extraction.rs`).
    (len & !3).div_ceil(8)
}

/// Steps of the ROM's data copy for one ELF: every allocated,
/// initialised or zero-filled section outside code in RAM, and every run
/// of adjacent read-only sections (`elf_extraction.rs`,
/// `merge_adjacent_ro_sections`).
///
/// Errors: bytes that are not an ELF object.
pub fn init_steps(elf: &[u8]) -> Result<u64, object::Error> {
    use object::elf::{SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS};
    use object::read::elf::{ElfFile64, SectionHeader};
    use object::LittleEndian as LE;
    let file = ElfFile64::<LE>::parse(elf)?;
    let mut steps = 0u64;
    let mut ro: Vec<(u64, u64)> = Vec::new();
    for sh in file.elf_section_table().iter() {
        let (flags, addr, size) = (sh.sh_flags(LE), sh.sh_addr(LE), sh.sh_size(LE));
        if flags & u64::from(SHF_ALLOC) == 0 || addr == 0 || flags & u64::from(SHF_EXECINSTR) != 0 {
            continue;
        }
        let len = match sh.sh_type(LE) {
            SHT_PROGBITS => size & !3,
            SHT_NOBITS => size.saturating_add(3) & !3,
            _ => continue,
        };
        if flags & u64::from(SHF_WRITE) != 0 {
            steps = steps.saturating_add(section_steps(len));
        } else {
            ro.push((addr, len));
        }
    }
    ro.sort();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (a, l) in ro {
        match merged.last_mut() {
            Some((ma, ml)) if ma.checked_add(*ml) == Some(a) => *ml += l,
            _ => merged.push((a, l)),
        }
    }
    for (_, l) in merged {
        steps = steps.saturating_add(section_steps(l));
    }
    Ok(steps)
}

/// What a ZisK guest sees: its input, CSRs and output.
#[derive(Clone, Debug)]
pub struct ZiskDevice {
    /// The memory layout.
    pub layout: Layout,
    /// Steps the ROM's boot took before the entry point (charged with the
    /// exit, see [`ZiskDevice::exit_steps`]).
    pub boot_steps: u64,
    /// CSRs written (ZisK keeps them in memory).
    csrs: std::collections::BTreeMap<u16, u64>,
    /// The memory watch on the output region.
    output_watch: usize,
    /// The input region: start and end address.
    input: (u64, u64),
    /// Parameters queued by FCALL_PARAM for the next FCALL.
    fcall_params: Vec<u64>,
    /// The last FCALL's results and how many FCALL_GET has read.
    fcall_results: Vec<u64>,
    fcall_got: usize,
}

impl ZiskDevice {
    /// Maps ZisK's RAM (read-write, zero until written; the ELF's RAM
    /// segments are loaded already) and its input region (read-only,
    /// `inputs` laid out as [`Layout::input_region`]), and sets up the
    /// UART. `elf` is the program's file (for the boot's step count).
    ///
    /// Errors: input for the layout refused, memory that cannot be mapped.
    pub fn install(
        layout: Layout,
        inputs: &[Vec<u8>],
        elf: &[u8],
        segments: impl IntoIterator<Item = (u64, u64)>,
        mem: &mut Memory,
    ) -> Result<ZiskDevice, String> {
        let region = layout.input_region(inputs)?;
        let boot = 1
            + FLOAT_LIB_INIT_STEPS
            + init_steps(elf).map_err(|e| format!("cannot read the ELF's sections: {e}"))?
            + ENTRY_STEPS;
        let map_err = |e: MemError| e.to_string();
        crate::flat_memory(mem, RAM_ADDR, RAM_ADDR + layout.ram_size(), segments)
            .map_err(map_err)?;
        let addr = layout.input_addr();
        let len = (region.len() as u64).next_multiple_of(8);
        mem.map_with(addr, len, zkdbg_emulator::memory::Perm::RW)
            .map_err(map_err)?;
        mem.write_user(addr, &region).map_err(map_err)?;
        mem.protect(addr, len, zkdbg_emulator::memory::Perm::R)
            .map_err(map_err)?;
        mem.capture_byte_stores(layout.uart_addr());
        let out = layout.output_addr();
        let output_watch = mem.watch_writes(out, out + 4 * PUBLICS as u64);
        Ok(ZiskDevice {
            layout,
            boot_steps: boot,
            csrs: Default::default(),
            output_watch,
            input: (addr, addr + region.len() as u64),
            fcall_params: Vec::new(),
            fcall_results: Vec::new(),
            fcall_got: 0,
        })
    }

    /// Steps charged to the exit call: the boot's and the exit sequence's.
    pub fn exit_steps(&self) -> u64 {
        self.boot_steps + EXIT_STEPS
    }

    /// The public output: the u32 words at OUTPUT_ADDR up to the last one
    /// the guest wrote (`set_output`), as bytes; ziskemu's `-c` prints all
    /// 64, the rest zeros.
    pub fn output(&self, mem: &Memory) -> Vec<u8> {
        let out = self.layout.output_addr();
        let end = mem.written_end(self.output_watch).unwrap_or(out);
        let len = (end - out).next_multiple_of(4);
        mem.read_vec(out, len as usize).unwrap_or_default()
    }

    /// The exit code of the exit call with `a0`: ziskos 1.4 passes main's
    /// return value in a0; older ROMs end without one (0).
    pub fn exit_code(&self, a0: u64) -> i32 {
        match self.layout {
            Layout::V1_4 => a0 as i32,
            _ => 0,
        }
    }

    /// A CSR access (not a call): ZisK's CSRs are memory words; `marchid`
    /// reads ZisK's id.
    pub fn csr(&mut self, op: Op, csr: u16, value: u64, writes: bool) -> u64 {
        let old = if csr == MARCHID {
            ARCH_ID_ZISK
        } else {
            self.csrs.get(&csr).copied().unwrap_or(0)
        };
        if writes {
            let new = match op {
                Op::Csrrw | Op::Csrrwi => value,
                Op::Csrrs | Op::Csrrsi => old | value,
                _ => old & !value,
            };
            self.csrs.insert(csr, new);
        }
        old
    }

    /// Serves a call CSR instruction (`csrs ID, rs1`, or a free-input
    /// call's `csrs`/`csrwi`/`csrr`) at `pc`.
    pub fn serve(&mut self, insn: &Insn, pc: u64, cpu: &mut Cpu, mem: &mut Memory) -> CustomResult {
        let csr = insn.imm as u16;
        let Some(name) = call_name(csr) else {
            return CustomResult::Unknown;
        };
        if matches!(csr, 0x8C0..=0x8FF | 0xFFE) {
            return self.fcall(csr, insn, pc, cpu, mem);
        }
        let fault = |message: String, addr: Option<u64>| CustomResult::Fault {
            name,
            message,
            addr,
        };
        // ADD256 returns its carry in rd (`ziskos_syscall_ret_u64!`).
        if (insn.rd != 0 && csr != 0x811) || !matches!(insn.op, Op::Csrrs | Op::Csrrsi) {
            return fault(
                format!(
                    "ZisK's transpiler takes {name} only as `csrs {csr:#x}, rs1` (rd = x0); this is \
                     not that form"
                ),
                None,
            );
        }
        let mut acc = Vec::new();
        let rs1 = cpu.x[(insn.rs1 & 31) as usize];
        // ziskos 1.4 passes two-operand precompiles' addresses directly:
        // `csrs ID, a` fused with the `add x0, b, x0` after it
        // (`ziskos_syscall!(ID, a: .., b: ..)`, `src/syscalls/mod.rs`).
        let two =
            matches!(csr, 0x803 | 0x805 | 0x806 | 0x808..=0x80A | 0x80C | 0x80E..=0x810 | 0x817);
        let (pair, skip) = if self.layout == Layout::V1_4 && two {
            match next_insn(mem, pc.wrapping_add(4)) {
                Some(n) if matches!(n.op, Op::Add | Op::Addi) && n.rd == 0 => {
                    (Some((rs1, cpu.x[(n.rs1 & 31) as usize])), 4)
                }
                _ => {
                    return fault(
                        format!(
                            "ziskos 1.4's {name} is `csrs {csr:#x}, a` followed by `add x0, b, \
                             x0`; the next instruction is not that"
                        ),
                        None,
                    )
                }
            }
        } else {
            (None, 0)
        };
        let result: Result<CustomResult, (String, Option<u64>)> = (|| match csr {
            0x800 => {
                let at = rs1;
                let b = read(mem, pc, at, 200, &mut acc)?;
                write(mem, pc, at, &crate::keccakf_le(&b), &mut acc)?;
                Ok(done(name, CustomKind::Precompile, acc.clone(), 0))
            }
            0x805 => {
                let (state_at, block_at) = match pair {
                    Some((a, b)) => (a, b),
                    None => {
                        let p = read(mem, pc, rs1, 16, &mut acc)?;
                        (
                            u64::from_le_bytes(p[..8].try_into().unwrap()),
                            u64::from_le_bytes(p[8..].try_into().unwrap()),
                        )
                    }
                };
                let s = read(mem, pc, state_at, 32, &mut acc)?;
                let block = read(mem, pc, block_at, 64, &mut acc)?;
                let out = crate::sha256_compress_le(&s, &block);
                write(mem, pc, state_at, &out, &mut acc)?;
                Ok(done(name, CustomKind::Precompile, acc.clone(), skip))
            }
            // POSEIDON2: Poseidon2 over Goldilocks, width 16, on the 16
            // u64 at rs1 (8-byte aligned), in place (`core/src/zisk_ops.rs`
            // `opc_poseidon2`: `poseidon2_hash::<Goldilocks, Poseidon16,
            // 16>` of pil2-proofman's `fields` v0.18.0, whose constants and
            // permutation `proofman-fields` 1.4.0-alpha on crates.io
            // carries unchanged as `Poseidon2_16`).
            0x812 => {
                use proofman_fields::{poseidon2_hash, Goldilocks, Poseidon2_16, PrimeField64};
                if !rs1.is_multiple_of(8) {
                    return Err((
                        format!("state address {rs1:#x} is not 8-byte aligned"),
                        Some(rs1),
                    ));
                }
                let w = words(mem, pc, rs1, 16, &mut acc)?;
                let state: [Goldilocks; 16] = std::array::from_fn(|i| Goldilocks::new(w[i]));
                let out = poseidon2_hash::<Goldilocks, Poseidon2_16, 16>(&state);
                put_words(mem, pc, rs1, &out.map(|x| x.as_canonical_u64()), &mut acc)?;
                Ok(done(name, CustomKind::Precompile, acc.clone(), 0))
            }
            // BLAKE2B_ROUND: rs1 points at `SyscallBlake2bRoundParams`
            // (`ziskos/entrypoint/src/syscalls/blake2br.rs`: the round
            // index, then pointers to the 16-word working vector, updated
            // in place, and the 16-word message block).
            0x819 => {
                let p = words(mem, pc, rs1, 3, &mut acc)?;
                let (round, state_at, input_at) = (p[0], p[1], p[2]);
                let sixteen = |w: Vec<u64>| -> [u64; 16] { w.try_into().expect("16 words") };
                let mut v = sixteen(words(mem, pc, state_at, 16, &mut acc)?);
                let m = sixteen(words(mem, pc, input_at, 16, &mut acc)?);
                crate::blake::blake2b_round(&mut v, &m, round as u32);
                put_words(mem, pc, state_at, &v, &mut acc)?;
                Ok(done(name, CustomKind::Precompile, acc.clone(), 0))
            }
            0x813 | 0x814 | 0x816 => dma(csr, name, insn, pc, cpu, mem, &mut acc),
            0x815 => self.inputcpy(name, insn, pc, cpu, mem, &mut acc),
            // PROFILE: a profiling marker (`csrs 0x81A, name` + `addi x0,
            // x0, cmd`, `transpile_profile_pattern`; ziskos's
            // `profile_call!`: rs1 points at the span name, a `&str`; cmd
            // `definitions/src/profile.rs`: odd ids start a span, even ids
            // end it): one step, a span marker for profiles.
            0x81A => match next_insn(mem, pc.wrapping_add(4)) {
                Some(n) if n.op == Op::Addi && n.rd == 0 && n.rs1 == 0 => {
                    let label = read(mem, pc, rs1, 16, &mut acc)
                        .ok()
                        .and_then(|p| {
                            let ptr = u64::from_le_bytes(p[..8].try_into().unwrap());
                            let len = u64::from_le_bytes(p[8..].try_into().unwrap());
                            (len <= 256).then(|| mem.read_vec(ptr, len as usize).ok())?
                        })
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_else(|| format!("profile {rs1:#x}"));
                    Ok(CustomResult::Marker {
                        label,
                        start: n.imm % 2 == 1,
                        skip: 4,
                    })
                }
                _ => Err((
                    "ZisK's PROFILE is `csrs 0x81A, tag` followed by `addi x0, x0, cmd`".into(),
                    None,
                )),
            },
            0x801 | 0x802 | 0x80B | 0x811 => arith(csr, name, insn, rs1, pc, cpu, mem, &mut acc),
            0x803..=0x804 | 0x806..=0x810 | 0x817 | 0x818 => {
                curve(csr, name, rs1, pair, pc, mem, &mut acc).map(|r| match r {
                    CustomResult::Done {
                        name,
                        kind,
                        accesses,
                        ..
                    } if skip > 0 => done(name, kind, accesses, skip),
                    r => r,
                })
            }
            _ => Err((
                format!("ZisK's {name} (CSR {csr:#x}) is not supported by zkdbg yet"),
                None,
            )),
        })();
        match result {
            Ok(r) => r,
            Err((m, a)) => fault(m, a),
        }
    }
}

/// Most u64 parameters of one free-input call (`FCALL_PARAMS_MAX_SIZE`,
/// `core/src/fcall.rs`).
pub const FCALL_PARAMS_MAX: usize = 386;

/// Words each FCALL_PARAM port (0x8F0 + i) passes: 1 is the register's
/// value, more are read from the address in it
/// (`CSR_FCALL_PARAM_OFFSET_TO_WORDS`, `riscv2zisk_context.rs`).
const FCALL_PARAM_WORDS: [usize; 16] =
    [1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64, 80, 96, 128, 256];

/// The free-input functions by id (`ziskos/entrypoint/src/zisklib/fcalls/mod.rs`).
pub const FCALLS: [(u16, &str); 23] = [
    (1, "FCALL_SECP256K1_FP_INV"),
    (2, "FCALL_SECP256K1_FN_INV"),
    (3, "FCALL_SECP256K1_FP_SQRT"),
    (4, "FCALL_SECP256K1_ECDSA_VERIFY"),
    (5, "FCALL_SECP256R1_ECDSA_VERIFY"),
    (6, "FCALL_BN254_FP_INV"),
    (7, "FCALL_BN254_FP2_INV"),
    (8, "FCALL_BN254_TWIST_ADD_LINE_COEFFS"),
    (9, "FCALL_BN254_TWIST_DBL_LINE_COEFFS"),
    (10, "FCALL_BLS12_381_FP_INV"),
    (11, "FCALL_BLS12_381_FP_SQRT"),
    (12, "FCALL_BLS12_381_FP2_INV"),
    (13, "FCALL_BLS12_381_FP2_SQRT"),
    (14, "FCALL_BLS12_381_TWIST_ADD_LINE_COEFFS"),
    (15, "FCALL_BLS12_381_TWIST_DBL_LINE_COEFFS"),
    (16, "FCALL_BIN_DECOMP"),
    (17, "FCALL_MSB_POS_256"),
    (18, "FCALL_MSB_POS_384"),
    (19, "FCALL_UINT256_DIV"),
    (20, "FCALL_UINT256_INV"),
    (21, "FCALL_UINT256_INV_MOD"),
    (22, "FCALL_BIGINT_DIV"),
    (23, "FCALL_INPUT_READY"),
];

/// The ECDSA_VERIFY free-input function on `p` (pk x, y, z, r, s; 4 limbs
/// each) for curve crate `$c` (`k256` or `p256`) of order `$n`: the point
/// `u1·G + u2·pk`, on the crate's group law. A public key that is not on
/// the curve is refused (ZisK's affine formulas would compute something
/// for it; zkdbg does not follow them off the curve).
macro_rules! ecdsa_hint {
    ($c:ident, $n:expr, $p:expr) => {{
        use $c::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
        use $c::elliptic_curve::PrimeField;
        let p = $p;
        let n = big_hex($n);
        let s_inv = (big_le(&p[16..20]) % &n)
            .modinv(&n)
            .ok_or_else(|| "s has no inverse mod n (ZisK panics)".to_string())?;
        let scalar = |x: num_bigint::BigUint| -> $c::Scalar {
            let mut be = (x % &n).to_bytes_be();
            while be.len() < 32 {
                be.insert(0, 0);
            }
            Option::<$c::Scalar>::from($c::Scalar::from_repr(*$c::FieldBytes::from_slice(&be)))
                .expect("reduced mod n")
        };
        let u1 = scalar(big_le(&p[8..12]) * &s_inv);
        let u2 = scalar(big_le(&p[12..16]) * &s_inv);
        let be32 =
            |w: &[u64]| -> Vec<u8> { w.iter().rev().flat_map(|x| x.to_be_bytes()).collect() };
        let pk = if p[..8].iter().all(|w| *w == 0) {
            $c::ProjectivePoint::IDENTITY
        } else {
            let enc = $c::EncodedPoint::from_affine_coordinates(
                $c::FieldBytes::from_slice(&be32(&p[..4])),
                $c::FieldBytes::from_slice(&be32(&p[4..8])),
                false,
            );
            let a = Option::<$c::AffinePoint>::from($c::AffinePoint::from_encoded_point(&enc))
                .ok_or_else(|| "the public key is not a point of the curve".to_string())?;
            $c::ProjectivePoint::from(a)
        };
        let r = ($c::ProjectivePoint::GENERATOR * u1 + pk * u2).to_affine();
        let enc = r.to_encoded_point(false);
        Ok(match (enc.x(), enc.y()) {
            (Some(x), Some(y)) => [
                crate::field::words_from_be(x),
                crate::field::words_from_be(y),
            ]
            .concat(),
            _ => vec![0u64; 8],
        })
    }};
}

/// `a^e` in BLS12-381's Fp2 (square and multiply).
fn bls12_381_fp2_pow(a: &[u64], e: &num_bigint::BigUint) -> Vec<u64> {
    use crate::field::{fp2_op, Field, FieldOp};
    let mut result = vec![0u64; 12];
    result[0] = 1;
    for i in (0..e.bits()).rev() {
        result = fp2_op(Field::Bls12381, FieldOp::Mul, &result, &result);
        if e.bit(i) {
            result = fp2_op(Field::Bls12381, FieldOp::Mul, &result, a);
        }
    }
    result
}

/// A square root of `a` in BLS12-381's Fp2, the one ZisK's algorithm 9
/// (Adj–Rodríguez-Henríquez, p = 3 mod 4) gives: a1 = a^((p-3)/4),
/// x0 = a1·a, α = a1·x0; none when conj(α)·α = -1; else i·x0 when α = -1,
/// otherwise (1 + α)^((p-1)/2)·x0.
fn bls12_381_fp2_sqrt(a: &[u64]) -> Option<Vec<u64>> {
    use crate::field::{fp2_op, Field, FieldOp};
    let f = Field::Bls12381;
    let p = big_hex(BLS12_381_P);
    let mut minus_one = {
        let mut v = (&p - 1u32).to_u64_digits();
        v.resize(6, 0);
        v
    };
    minus_one.extend([0u64; 6]);
    let a1 = bls12_381_fp2_pow(a, &((&p - 3u32) >> 2u32));
    let x0 = fp2_op(f, FieldOp::Mul, &a1, a);
    let alpha = fp2_op(f, FieldOp::Mul, &a1, &x0);
    let conj = fp2_op(f, FieldOp::Sub, &[0u64; 12], &alpha);
    let conj = [alpha[..6].to_vec(), conj[6..].to_vec()].concat();
    if fp2_op(f, FieldOp::Mul, &conj, &alpha) == minus_one {
        return None;
    }
    Some(if alpha == minus_one {
        let i = [vec![0u64; 6], vec![1, 0, 0, 0, 0, 0]].concat();
        fp2_op(f, FieldOp::Mul, &i, &x0)
    } else {
        let mut one = vec![0u64; 12];
        one[0] = 1;
        let b = bls12_381_fp2_pow(
            &fp2_op(f, FieldOp::Add, &one, &alpha),
            &((&p - 1u32) >> 1u32),
        );
        fp2_op(f, FieldOp::Mul, &b, &x0)
    })
}

/// `a`⁻¹ mod `m` (little-endian u64 limbs, at most 8; the inverse as 8
/// limbs), `None` when there is none.
fn modinv(a: &[u64], m: &[u64]) -> Option<Vec<u64>> {
    use crypto_bigint::{NonZero, U512};
    let wide = |w: &[u64]| {
        let mut x = [0u64; 8];
        x[..w.len()].copy_from_slice(w);
        U512::from_words(x)
    };
    let m = NonZero::new(wide(m)).into_option()?;
    let a = wide(a).rem(&m);
    let (inv, ok) = a.inv_mod(&m);
    if !bool::from(ok) {
        return None;
    }
    // Below the modulus: the words past `m.len()` are zero (callers cut).
    Some(inv.to_words().to_vec())
}

fn hex_limbs(hex: &str, n: usize) -> Vec<u64> {
    let padded = format!("{hex:0>width$}", width = 16 * n);
    (0..n)
        .rev()
        .map(|i| u64::from_str_radix(&padded[16 * i..16 * i + 16], 16).unwrap())
        .collect()
}

impl ZiskDevice {
    /// A free-input call: FCALL_PARAM queues parameters, FCALL runs a
    /// function on the host (`fcalls_impl/proxy.rs`), FCALL_GET reads its
    /// results one by one (`core/src/zisk_ops.rs`: `opc_fcall_param`,
    /// `opc_fcall`, `opc_fcall_get`).
    fn fcall(
        &mut self,
        csr: u16,
        insn: &Insn,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
    ) -> CustomResult {
        let r = |n: u8| cpu.x[(n & 31) as usize];
        let fault = |name: &'static str, message: String| CustomResult::Fault {
            name,
            message,
            addr: None,
        };
        match csr {
            0x8F0..=0x8FF => {
                let name = "FCALL_PARAM";
                if insn.op != Op::Csrrs || insn.rd != 0 {
                    return fault(name, "FCALL_PARAM is `csrs 0x8Fn, rs1`".into());
                }
                let n = FCALL_PARAM_WORDS[(csr - 0x8F0) as usize];
                if self.fcall_params.len() + n > FCALL_PARAMS_MAX {
                    return fault(
                        name,
                        format!("more than ZisK's {FCALL_PARAMS_MAX} free-input call parameters"),
                    );
                }
                let mut acc = Vec::new();
                if n == 1 {
                    self.fcall_params.push(r(insn.rs1));
                } else {
                    match words(mem, pc, r(insn.rs1), n, &mut acc) {
                        Ok(w) => self.fcall_params.extend(w),
                        Err((m, a)) => {
                            return CustomResult::Fault {
                                name,
                                message: m,
                                addr: a,
                            }
                        }
                    }
                }
                done(name, CustomKind::Virtual, acc, 0)
            }
            0xFFE => {
                let name = "FCALL_GET";
                let Some(v) = self.fcall_results.get(self.fcall_got).copied() else {
                    return fault(
                        name,
                        format!(
                            "FCALL_GET past the {} results of the last free-input call",
                            self.fcall_results.len()
                        ),
                    );
                };
                self.fcall_got += 1;
                if insn.rd != 0 {
                    cpu.x[(insn.rd & 31) as usize] = v;
                }
                done(name, CustomKind::Virtual, Vec::new(), 0)
            }
            _ => {
                // csrwi 0x8C0 + (id >> 5), id & 31
                if insn.op != Op::Csrrwi {
                    return fault("FCALL", "FCALL is `csrwi 0x8Cn, imm`".into());
                }
                let id = ((csr - 0x8C0) << 5) | u16::from(insn.rs1 & 31);
                let Some(&(_, name)) = FCALLS.iter().find(|(i, _)| *i == id) else {
                    return fault("FCALL", format!("no ZisK free-input function has id {id}"));
                };
                let params = std::mem::take(&mut self.fcall_params);
                match self.fcall_run(id, &params) {
                    Ok(res) => {
                        self.fcall_results = res;
                        self.fcall_got = 0;
                        done(name, CustomKind::Syscall, Vec::new(), 0)
                    }
                    Err(m) => fault(name, m),
                }
            }
        }
    }

    /// DMA_INPUTCPY: `csrs 0x815, _` fused with `add rd, dst, count_reg`
    /// or `addi rd, dst, count`: copies `count` bytes (a multiple of 8)
    /// of the last free-input call's unread results to dst; rd = dst
    /// (`core/src/operations/dma_inputcpy.rs`).
    fn inputcpy(
        &mut self,
        name: &'static str,
        insn: &Insn,
        pc: u64,
        cpu: &mut Cpu,
        mem: &mut Memory,
        acc: &mut Vec<MemAccess>,
    ) -> Result<CustomResult, (String, Option<u64>)> {
        let fused = next_insn(mem, pc.wrapping_add(4))
            .filter(|_| insn.op == Op::Csrrs)
            .and_then(|n| fused_operands(&n, cpu));
        let (dst, count, rd) = match fused {
            Some((dst, count, rd, _)) => (dst, count, rd),
            None => {
                return Err((
                    format!(
                        "ZisK's {name} must be followed by the `add`/`addi` its transpiler fuses \
                         with it"
                    ),
                    None,
                ))
            }
        };
        if count % 8 != 0 {
            return Err((
                format!("{name} of {count} bytes: not a multiple of 8"),
                None,
            ));
        }
        let words = (count / 8) as usize;
        let left = self.fcall_results.len() - self.fcall_got.min(self.fcall_results.len());
        if words > left {
            return Err((
                format!("{name} of {words} words, but the last free-input call has {left} unread"),
                None,
            ));
        }
        let w = self.fcall_results[self.fcall_got..self.fcall_got + words].to_vec();
        put_words(mem, pc, dst, &w, acc)?;
        self.fcall_got += words;
        if rd != 0 {
            cpu.x[(rd & 31) as usize] = dst;
        }
        Ok(done(name, CustomKind::Precompile, acc.clone(), 4))
    }

    /// Runs free-input function `id` on `params`.
    fn fcall_run(&self, id: u16, p: &[u64]) -> Result<Vec<u64>, String> {
        let need = |n: usize| -> Result<(), String> {
            if p.len() < n {
                return Err(format!("{} parameters where it takes {n}", p.len()));
            }
            Ok(())
        };
        let inv = |n: usize, m: &str| -> Result<Vec<u64>, String> {
            need(n)?;
            let mut v = modinv(&p[..n], &hex_limbs(m, n))
                .ok_or_else(|| "the inverse does not exist".to_string())?;
            v.resize(n, 0);
            Ok(v)
        };
        match id {
            23 => {
                // INPUT_READY: the byte at params[0] must be inside the
                // input (ZisK fails the run otherwise).
                need(1)?;
                let (start, end) = self.input;
                if end <= start.saturating_add(8) {
                    return Err(
                        "the guest reads its input, and none was given (--input FILE or \
                         --input-hex, one per ziskos::io::read)"
                            .into(),
                    );
                }
                if p[0] < start.saturating_add(8) || p[0] >= end {
                    return Err(format!(
                        "input byte {:#x} required, but the input holds {:#x}..{end:#x}",
                        p[0],
                        start + 8
                    ));
                }
                Ok(Vec::new())
            }
            17 | 18 => {
                // MSB_POS: n numbers of 4 (6) limbs; the highest limb any
                // of them uses and its top bit.
                let limbs = if id == 17 { 4 } else { 6 };
                need(1)?;
                let n = usize::try_from(p[0]).unwrap_or(usize::MAX);
                let total = n
                    .checked_mul(limbs)
                    .and_then(|w| w.checked_add(1))
                    .ok_or_else(|| format!("{n} values: more than its parameters hold"))?;
                need(total)?;
                for limb in (0..limbs).rev() {
                    let max = (0..n).map(|i| p[1 + i * limbs + limb]).max().unwrap_or(0);
                    if max != 0 {
                        return Ok(vec![limb as u64, u64::from(63 - max.leading_zeros())]);
                    }
                }
                Err("every value is zero".into())
            }
            19 => {
                use crypto_bigint::{NonZero, U256};
                need(8)?;
                let a = U256::from_words(p[..4].try_into().unwrap());
                let b = NonZero::new(U256::from_words(p[4..8].try_into().unwrap()))
                    .into_option()
                    .ok_or_else(|| "division by zero".to_string())?;
                let (q, rem) = a.div_rem(&b);
                Ok([q.to_words(), rem.to_words()].concat())
            }
            20 | 21 => {
                // UINT256_INV (mod 2^256) and UINT256_INV_MOD: a flag (1:
                // found) and the inverse, or 0 and zeros.
                let found = if id == 20 {
                    need(4)?;
                    let a = crypto_bigint::U256::from_words(p[..4].try_into().unwrap());
                    (p[0] & 1 == 1).then(|| a.inv_mod2k(256).to_words().to_vec())
                } else {
                    need(8)?;
                    modinv(&p[..4], &p[4..8]).map(|mut v| {
                        v.resize(4, 0);
                        v
                    })
                };
                Ok(match found {
                    Some(v) => [vec![1], v].concat(),
                    None => vec![0; 5],
                })
            }
            3 | 11 => {
                // FP_SQRT (secp256k1: a, then the wanted parity of the
                // root; BLS12-381: a): [1, root] with root = a^((p+1)/4)
                // (secp256k1: of the wanted parity) when that squares to
                // a, else [0, the root of nqr·a] (nqr 3, resp. 2)
                // (`fcalls_impl/{secp256k1,bls12_381}/fp_sqrt.rs`).
                use num_bigint::BigUint;
                let (n, hex, nqr) = if id == 3 {
                    (4, SECP256K1_P, 3u32)
                } else {
                    (6, BLS12_381_P, 2u32)
                };
                need(if id == 3 { 5 } else { 6 })?;
                let limbs = |x: &BigUint| {
                    let mut v = x.to_u64_digits();
                    v.resize(n, 0);
                    v
                };
                let pr = big_hex(hex);
                let exp = (&pr + 1u32) >> 2u32;
                let a = big_le(&p[..n]);
                let mut root = a.modpow(&exp, &pr);
                if &root * &root % &pr != a {
                    let other = (a * nqr % &pr).modpow(&exp, &pr);
                    return Ok([vec![0], limbs(&other)].concat());
                }
                if id == 3 && u64::from(root.bit(0)) != p[4] {
                    root = (&pr - &root) % &pr;
                }
                Ok([vec![1], limbs(&root)].concat())
            }
            16 => {
                // BIN_DECOMP: [len, x (len limbs)] -> the bits of x from
                // its top set bit down ([0] for zero), after their count
                // (`fcalls_impl/bin_decomp.rs`).
                need(1)?;
                let len = usize::try_from(p[0]).unwrap_or(usize::MAX);
                need(len.saturating_add(1))?;
                let x = &p[1..1 + len];
                let mut bits: Vec<u64> = x
                    .iter()
                    .rev()
                    .flat_map(|w| (0..64).rev().map(move |b| (w >> b) & 1))
                    .skip_while(|b| *b == 0)
                    .collect();
                if bits.is_empty() {
                    bits.push(0);
                }
                Ok([vec![bits.len() as u64], bits].concat())
            }
            22 => {
                // BIGINT_DIV: [len_a, a, len_b, b] -> [len_q, q, len_r, r],
                // q and r padded to a multiple of 4 limbs (at least 4)
                // (`fcalls_impl/bigint_div.rs`).
                use num_bigint::BigUint;
                need(1)?;
                let la = usize::try_from(p[0]).unwrap_or(usize::MAX);
                need(la.saturating_add(2))?;
                let lb = usize::try_from(p[1 + la]).unwrap_or(usize::MAX);
                need(la.saturating_add(lb).saturating_add(2))?;
                let (a, b) = (big_le(&p[1..1 + la]), big_le(&p[2 + la..2 + la + lb]));
                if b == BigUint::default() {
                    return Err("division by zero".into());
                }
                let (q, r) = num_integer::Integer::div_rem(&a, &b);
                let padded = |x: &BigUint| {
                    let mut v = x.to_u64_digits();
                    let n = v.len().div_ceil(4).max(1) * 4;
                    v.resize(n, 0);
                    v
                };
                let (q, r) = (padded(&q), padded(&r));
                Ok([vec![q.len() as u64], q, vec![r.len() as u64], r].concat())
            }
            7 | 12 => {
                // BN254_FP2_INV, BLS12_381_FP2_INV: c0 then c1 in, the
                // inverse out (`fcalls_impl/{bn254/fp2,bls12_381/fp2_inv}.rs`).
                let (field, n) = if id == 7 {
                    (crate::field::Field::Bn254, 8)
                } else {
                    (crate::field::Field::Bls12381, 12)
                };
                need(n)?;
                crate::field::fp2_inverse(field, &p[..n])
                    .ok_or_else(|| "the inverse of zero (ZisK panics)".to_string())
            }
            4 | 5 => {
                // ECDSA_VERIFY hints: pk (x, y), z, r, s -> u1·G + u2·pk
                // with u1 = z/s, u2 = r/s mod n, affine, (0, 0) for the
                // point at infinity (`fcalls_impl/secp256{k,r}1/ecdsa.rs`).
                need(20)?;
                if id == 4 {
                    ecdsa_hint!(k256, SECP256K1_N, p)
                } else {
                    ecdsa_hint!(p256, SECP256R1_N, p)
                }
            }
            8 | 9 | 14 | 15 => {
                // TWIST_ADD/DBL_LINE_COEFFS (BN254 8/9, BLS12-381 14/15):
                // the line through (x1, y1), (x2, y2) — slope λ = (y2 -
                // y1)/(x2 - x1) — or tangent at (x, y) — λ = 3x²/(2y) —
                // and μ = y1 - λ·x1, in Fp2 (`fcalls_impl/*/twist.rs`).
                use crate::field::{fp2_inverse, fp2_op, Field, FieldOp};
                let (field, e) = if id < 10 {
                    (Field::Bn254, 8)
                } else {
                    (Field::Bls12381, 12)
                };
                let add = id == 8 || id == 14;
                need(if add { 4 * e } else { 2 * e })?;
                let el = |i: usize| &p[i * e..(i + 1) * e];
                let (x1, y1) = (el(0), el(1));
                let (num, den) = if add {
                    let (x2, y2) = (el(2), el(3));
                    (
                        fp2_op(field, FieldOp::Sub, y2, y1),
                        fp2_op(field, FieldOp::Sub, x2, x1),
                    )
                } else {
                    let x_sq = fp2_op(field, FieldOp::Mul, x1, x1);
                    let mut three = vec![0u64; e];
                    three[0] = 3;
                    (
                        fp2_op(field, FieldOp::Mul, &x_sq, &three),
                        fp2_op(field, FieldOp::Add, y1, y1),
                    )
                };
                let inv = fp2_inverse(field, &den)
                    .ok_or_else(|| "the slope's denominator is zero (ZisK panics)".to_string())?;
                let lambda = fp2_op(field, FieldOp::Mul, &inv, &num);
                let mu = fp2_op(
                    field,
                    FieldOp::Sub,
                    y1,
                    &fp2_op(field, FieldOp::Mul, &lambda, x1),
                );
                Ok([lambda, mu].concat())
            }
            13 => {
                // BLS12_381_FP2_SQRT: [1, root] or [0, root of (1 + i)·a]
                // (`fcalls_impl/bls12_381/fp2_sqrt.rs`: algorithm 9 of Adj
                // and Rodríguez-Henríquez, "Square root computation over
                // even extension fields", for p = 3 mod 4).
                need(12)?;
                let nqr = [vec![1, 0, 0, 0, 0, 0], vec![1, 0, 0, 0, 0, 0]].concat();
                Ok(match bls12_381_fp2_sqrt(&p[..12]) {
                    Some(root) => [vec![1], root].concat(),
                    None => {
                        let b = crate::field::fp2_op(
                            crate::field::Field::Bls12381,
                            crate::field::FieldOp::Mul,
                            &p[..12],
                            &nqr,
                        );
                        let root = bls12_381_fp2_sqrt(&b)
                            .ok_or_else(|| "(1 + i)·a has no square root either".to_string())?;
                        [vec![0], root].concat()
                    }
                })
            }
            1 => inv(4, SECP256K1_P),
            2 => inv(4, SECP256K1_N),
            6 => inv(4, BN254_P),
            10 => inv(6, BLS12_381_P),
            _ => Err(format!(
                "ZisK's {} is not supported by zkdbg yet",
                FCALLS
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map_or("FCALL", |f| f.1)
            )),
        }
    }
}

/// A served call, skipping `skip` bytes of code after it.
fn done(name: &'static str, kind: CustomKind, accesses: Vec<MemAccess>, skip: u64) -> CustomResult {
    if skip == 0 {
        return CustomResult::Done {
            name,
            kind,
            accesses,
            output: None,
            args: None,
        };
    }
    CustomResult::Skip {
        name,
        kind,
        accesses,
        skip,
        extra_cycles: 0,
    }
}

/// `n` u64 words at `addr`.
fn words(
    mem: &Memory,
    pc: u64,
    addr: u64,
    n: usize,
    acc: &mut Vec<MemAccess>,
) -> Result<Vec<u64>, (String, Option<u64>)> {
    let b = read(mem, pc, addr, 8 * n as u64, acc)?;
    Ok(b.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect())
}

/// Writes u64 words at `addr`.
fn put_words(
    mem: &mut Memory,
    pc: u64,
    addr: u64,
    w: &[u64],
    acc: &mut Vec<MemAccess>,
) -> Result<(), (String, Option<u64>)> {
    let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    write(mem, pc, addr, &b, acc)
}

/// The big-integer precompiles (`precompiles/helpers/src/arith_eq*`,
/// `big_int/add256.rs`): rs1 points at pointers to little-endian u64
/// limbs. ARITH256: a·b + c = dh:dl (256-bit halves); ARITH256_MOD and
/// ARITH384_MOD: d = (a·b + c) mod m (a zero modulus is refused, where
/// ZisK's helper would divide by zero); ADD256: c = a + b + cin, the
/// carry out in rd.
#[allow(clippy::too_many_arguments)]
fn arith(
    csr: u16,
    name: &'static str,
    insn: &Insn,
    params: u64,
    pc: u64,
    cpu: &mut Cpu,
    mem: &mut Memory,
    acc: &mut Vec<MemAccess>,
) -> Result<CustomResult, (String, Option<u64>)> {
    use crypto_bigint::{NonZero, U1024};
    let limbs = if csr == 0x80B { 6 } else { 4 };
    let p = words(mem, pc, params, if csr == 0x811 { 4 } else { 5 }, acc)?;
    let a = words(mem, pc, p[0], limbs, acc)?;
    let b = words(mem, pc, p[1], limbs, acc)?;
    let wide = |w: &[u64]| {
        let mut x = [0u64; 16];
        x[..w.len()].copy_from_slice(w);
        U1024::from_words(x)
    };
    if csr == 0x811 {
        // p[2] is cin itself, p[3] points at c.
        let sum = wide(&a)
            .wrapping_add(&wide(&b))
            .wrapping_add(&U1024::from_u64(p[2] & 1));
        let w = sum.to_words();
        put_words(mem, pc, p[3], &w[..4], acc)?;
        if insn.rd != 0 {
            cpu.x[(insn.rd & 31) as usize] = w[4];
        }
        return Ok(done(name, CustomKind::Precompile, acc.clone(), 0));
    }
    let c = words(mem, pc, p[2], limbs, acc)?;
    let r = wide(&a).wrapping_mul(&wide(&b)).wrapping_add(&wide(&c));
    if csr == 0x801 {
        let w = r.to_words();
        put_words(mem, pc, p[3], &w[..4], acc)?;
        put_words(mem, pc, p[4], &w[4..8], acc)?;
    } else {
        let m = words(mem, pc, p[3], limbs, acc)?;
        let m = NonZero::new(wide(&m))
            .into_option()
            .ok_or_else(|| (format!("{name} with a zero modulus"), None))?;
        let d = r.rem(&m).to_words();
        put_words(mem, pc, p[4], &d[..limbs], acc)?;
    }
    Ok(done(name, CustomKind::Precompile, acc.clone(), 0))
}

/// The curve and Fp2 precompiles (`precompiles_helpers`): ADD and the
/// complex operations take rs1 → (p1, p2) and write p1 op p2 to p1; DBL
/// takes rs1 → p and doubles it in place. Points are x then y, Fp2
/// elements real then imaginary, each little-endian u64 limbs (4, or 6 on
/// BLS12-381).
fn curve(
    csr: u16,
    name: &'static str,
    rs1: u64,
    pair: Option<(u64, u64)>,
    pc: u64,
    mem: &mut Memory,
    acc: &mut Vec<MemAccess>,
) -> Result<CustomResult, (String, Option<u64>)> {
    use crate::field::{self, Field, FieldOp};
    let f = match csr {
        0x803 | 0x804 => Field::Secp256k1,
        0x817 | 0x818 => Field::Secp256r1,
        0x806..=0x80A => Field::Bn254,
        _ => Field::Bls12381,
    };
    let n = 2 * f.words();
    let dbl = matches!(csr, 0x804 | 0x807 | 0x80D | 0x818);
    let why = |e: String| (format!("{name}: {e}"), None);
    if dbl {
        let p = words(mem, pc, rs1, n, acc)?;
        let r = field::ec_double(f, &p).map_err(why)?;
        put_words(mem, pc, rs1, &r, acc)?;
    } else {
        let ptrs = match pair {
            Some((a, b)) => vec![a, b],
            None => words(mem, pc, rs1, 2, acc)?,
        };
        let p = words(mem, pc, ptrs[0], n, acc)?;
        let q = words(mem, pc, ptrs[1], n, acc)?;
        let r = match csr {
            0x803 | 0x806 | 0x80C | 0x817 => field::ec_add(f, &p, &q).map_err(why)?,
            0x808 | 0x80E => field::fp2_op(f, FieldOp::Add, &p, &q),
            0x809 | 0x80F => field::fp2_op(f, FieldOp::Sub, &p, &q),
            _ => field::fp2_op(f, FieldOp::Mul, &p, &q),
        };
        put_words(mem, pc, ptrs[0], &r, acc)?;
    }
    Ok(done(name, CustomKind::Precompile, acc.clone(), 0))
}

/// The operands of the `add rd, dst, count_reg` or `addi rd, dst, count`
/// a DMA call is fused with (`transpile_dma_*_pattern`): dst, count, rd,
/// and whether it is the `add` form.
fn fused_operands(n: &Insn, cpu: &Cpu) -> Option<(u64, u64, u8, bool)> {
    let r = |i: u8| cpu.x[(i & 31) as usize];
    match n.op {
        Op::Add => Some((r(n.rs1), r(n.rs2), n.rd, true)),
        Op::Addi => Some((r(n.rs1), n.imm as u64, n.rd, false)),
        _ => None,
    }
}

/// The instruction at `addr` (a 4-byte one), if any.
fn next_insn(mem: &Memory, addr: u64) -> Option<Insn> {
    let w = mem.read_vec(addr, 4).ok()?;
    let w = u32::from_le_bytes(w.try_into().ok()?);
    (w & 3 == 3).then(|| zkdbg_emulator::decode(w, Xlen::X64))
}

/// A DMA call fused with the instruction(s) after it (see the module
/// docs): MEMCPY/MEMCMP `csrs ID, src` + `add rd, dst, count_reg` or
/// `addi rd, dst, count`; MEMSET `csrs 0x816, dst` + `addi x0, count_reg,
/// fill`, or `csrsi 0x816, 2` + `addi x0, dst, count` + `addi x0, dst,
/// fill`.
fn dma(
    csr: u16,
    name: &'static str,
    insn: &Insn,
    pc: u64,
    cpu: &mut Cpu,
    mem: &mut Memory,
    acc: &mut Vec<MemAccess>,
) -> Result<CustomResult, (String, Option<u64>)> {
    let bad = || {
        (
            format!(
                "ZisK's {name} must be followed by the `add`/`addi` its transpiler fuses with it \
                 (riscv2zisk_context.rs, transpile_dma_*_pattern)"
            ),
            None,
        )
    };
    let r = |cpu: &Cpu, n: u8| cpu.x[(n & 31) as usize];
    let n1 = next_insn(mem, pc.wrapping_add(4)).ok_or_else(bad)?;
    let limit = |count: u64| -> Result<(), (String, Option<u64>)> {
        if count > mem.available_bytes() {
            return Err((
                format!(
                    "{name} of {count} bytes is more than the {} bytes left under --memory-limit",
                    mem.available_bytes()
                ),
                None,
            ));
        }
        Ok(())
    };
    if csr == 0x816 {
        let (dst, count, fill, skip) = if insn.op == Op::Csrrsi && insn.rs1 == 2 {
            let n2 = next_insn(mem, pc.wrapping_add(8)).ok_or_else(bad)?;
            if n1.op != Op::Addi || n2.op != Op::Addi {
                return Err(bad());
            }
            (r(cpu, n1.rs1), n1.imm as u64, n2.imm as u64, 8)
        } else if insn.op == Op::Csrrs && n1.op == Op::Addi && n1.rd == 0 {
            (r(cpu, insn.rs1), r(cpu, n1.rs1), n1.imm as u64, 4)
        } else {
            return Err(bad());
        };
        limit(count)?;
        write(mem, pc, dst, &vec![fill as u8; count as usize], acc)?;
        return Ok(done(name, CustomKind::Precompile, acc.clone(), skip));
    }
    if insn.op != Op::Csrrs {
        return Err(bad());
    }
    let src = r(cpu, insn.rs1);
    let Some((dst, count, rd, add_form)) = fused_operands(&n1, cpu) else {
        return Err(bad());
    };
    // The `add` form costs a step more: the count parameter, then the copy.
    let extra = u64::from(add_form);
    limit(count)?;
    let result = if csr == 0x813 {
        let bytes = read(mem, pc, src, count, acc)?;
        write(mem, pc, dst, &bytes, acc)?;
        dst
    } else {
        let a = read(mem, pc, dst, count, acc)?;
        let b = read(mem, pc, src, count, acc)?;
        a.iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map_or(0, |(x, y)| (i64::from(*x) - i64::from(*y)) as u64)
    };
    if rd != 0 {
        cpu.x[(rd & 31) as usize] = result;
    }
    Ok(CustomResult::Skip {
        name,
        kind: CustomKind::Precompile,
        accesses: acc.clone(),
        skip: 4,
        extra_cycles: extra,
    })
}

/// Reads `len` guest bytes at `addr`, noting doubleword accesses.
fn read(
    mem: &Memory,
    pc: u64,
    addr: u64,
    len: u64,
    acc: &mut Vec<MemAccess>,
) -> Result<Vec<u8>, (String, Option<u64>)> {
    crate::access::read(mem, pc, addr, len, 8, acc)
}

/// Writes `bytes` at `addr` as the guest would, noting the accesses.
fn write(
    mem: &mut Memory,
    pc: u64,
    addr: u64,
    bytes: &[u8],
    acc: &mut Vec<MemAccess>,
) -> Result<(), (String, Option<u64>)> {
    crate::access::write(mem, pc, addr, bytes, 8, acc)
}
