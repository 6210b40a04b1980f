//! The RISC-V architecture as the stub describes it to GDB: registers
//! x0-x31 and pc (feature `org.gnu.gdb.riscv.cpu`), the machine-mode CSRs
//! and the cycle/instret counters (`org.gnu.gdb.riscv.csr`, counters
//! read-only) and the privilege level (`org.gnu.gdb.riscv.virtual`), with
//! an `<architecture>` element so GDB knows `riscv:rv64` / `riscv:rv32`
//! even before `file` (GDB Remote Serial Protocol, "Target Descriptions").

use gdbstub::arch::{Arch, RegId, Registers};
use std::marker::PhantomData;
use std::num::NonZeroUsize;

/// ABI names of x0..x31, as GDB's own RISC-V features name them.
pub const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// The CSRs after pc, in register-number order (33, 34, ...), with their
/// CSR numbers; the counters and `misa`/`mhartid` are read-only.
pub const CSRS: [(&str, u16, bool); 11] = [
    ("mstatus", 0x300, true),
    ("misa", 0x301, false),
    ("mie", 0x304, true),
    ("mtvec", 0x305, true),
    ("mscratch", 0x340, true),
    ("mepc", 0x341, true),
    ("mcause", 0x342, true),
    ("mtval", 0x343, true),
    ("mhartid", 0xf14, false),
    ("cycle", 0xc00, false),
    ("instret", 0xc02, false),
];

/// Register number of `priv` (after the CSRs).
pub const PRIV_REGNUM: usize = 33 + CSRS.len();

/// An XLEN-sized register value.
pub trait Word:
    gdbstub::internal::BeBytes
    + gdbstub::internal::LeBytes
    + num_traits::PrimInt
    + num_traits::Unsigned
    + num_traits::FromPrimitive
    + std::fmt::Debug
    + Default
    + 'static
{
    /// XLEN in bits.
    const BITS: usize;
    /// Widens to u64.
    fn to_xlen(self) -> u64;
    /// Truncates from u64.
    fn from_xlen(v: u64) -> Self;
}

impl Word for u32 {
    const BITS: usize = 32;
    fn to_xlen(self) -> u64 {
        self as u64
    }
    fn from_xlen(v: u64) -> Self {
        v as u32
    }
}

impl Word for u64 {
    const BITS: usize = 64;
    fn to_xlen(self) -> u64 {
        self
    }
    fn from_xlen(v: u64) -> Self {
        v
    }
}

/// Register file as GDB's `g` packet carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Regs<U> {
    /// x0..x31.
    pub x: [u64; 32],
    /// pc.
    pub pc: u64,
    /// [`CSRS`] in order.
    pub csr: [u64; CSRS.len()],
    /// Privilege level (3 = machine).
    pub privilege: u64,
    _w: PhantomData<U>,
}

impl<U: Word> Registers for Regs<U> {
    type ProgramCounter = U;

    fn pc(&self) -> U {
        U::from_xlen(self.pc)
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        let n = U::BITS / 8;
        let all = self
            .x
            .iter()
            .chain(std::iter::once(&self.pc))
            .chain(self.csr.iter())
            .chain(std::iter::once(&self.privilege));
        for v in all {
            for b in &v.to_le_bytes()[..n] {
                write_byte(Some(*b));
            }
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let n = U::BITS / 8;
        let mut words = bytes.chunks_exact(n).map(|c| {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(c);
            u64::from_le_bytes(b)
        });
        for r in self.x.iter_mut() {
            *r = words.next().ok_or(())?;
        }
        self.pc = words.next().ok_or(())?;
        // CSRs and priv are optional in a G packet.
        for c in self.csr.iter_mut() {
            match words.next() {
                Some(v) => *c = v,
                None => return Ok(()),
            }
        }
        if let Some(p) = words.next() {
            self.privilege = p;
        }
        Ok(())
    }
}

/// A register number from GDB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RvRegId {
    /// x0..x31.
    X(u8),
    /// pc.
    Pc,
    /// Index into [`CSRS`].
    Csr(usize),
    /// priv.
    Priv,
}

/// Register ids sized for XLEN `U`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegIdOf<U>(pub RvRegId, PhantomData<U>);

impl<U: Word> RegId for RegIdOf<U> {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        let r = match id {
            0..=31 => RvRegId::X(id as u8),
            32 => RvRegId::Pc,
            i if i < PRIV_REGNUM => RvRegId::Csr(i - 33),
            PRIV_REGNUM => RvRegId::Priv,
            _ => return None,
        };
        Some((RegIdOf(r, PhantomData), NonZeroUsize::new(U::BITS / 8)))
    }
}

/// The target description XML for XLEN `bits`.
pub fn target_xml(bits: usize) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n<architecture>riscv:rv{bits}</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n"
    );
    for (i, n) in ABI_NAMES.iter().enumerate() {
        let ty = match i {
            1 => "code_ptr",
            2 | 3 | 4 | 8 => "data_ptr",
            _ => "int",
        };
        // `altname`/`generic` are LLDB's: it finds sp, fp, ra by them.
        let generic = match i {
            1 => " generic=\"ra\"".to_string(),
            2 => " generic=\"sp\"".to_string(),
            8 => " generic=\"fp\"".to_string(),
            10..=17 => format!(" generic=\"arg{}\"", i - 9),
            _ => String::new(),
        };
        // `dwarf_regnum`/`ehframe_regnum` are LLDB's too: DWARF location
        // expressions and CFI name x0..x31 as 0..31 (RISC-V ELF psABI,
        // "DWARF Register Numbers"); without them LLDB reads no
        // variables and unwinds no further than frame 0.
        s += &format!(
            "  <reg name=\"{n}\" altname=\"x{i}\" bitsize=\"{bits}\" type=\"{ty}\" regnum=\"{i}\" dwarf_regnum=\"{i}\" ehframe_regnum=\"{i}\"{generic}/>\n"
        );
    }
    s += &format!("  <reg name=\"pc\" bitsize=\"{bits}\" type=\"code_ptr\" regnum=\"32\" generic=\"pc\"/>\n</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    for (i, (n, _, _)) in CSRS.iter().enumerate() {
        s += &format!(
            "  <reg name=\"{n}\" bitsize=\"{bits}\" type=\"int\" regnum=\"{}\" group=\"system\"/>\n",
            33 + i
        );
    }
    s += &format!("</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n  <reg name=\"priv\" bitsize=\"{bits}\" type=\"int\" regnum=\"{PRIV_REGNUM}\" group=\"system\"/>\n</feature>\n</target>\n");
    s
}

/// RV32 or RV64 (by `U`).
pub enum Riscv<U> {
    #[doc(hidden)]
    _Never(std::convert::Infallible, PhantomData<U>),
}

impl<U: Word> Arch for Riscv<U> {
    type Usize = U;
    type Registers = Regs<U>;
    type BreakpointKind = usize;
    type RegId = RegIdOf<U>;

    fn target_description_xml() -> Option<&'static str> {
        // Served through TargetDescriptionXmlOverride (built per XLEN).
        None
    }
}
