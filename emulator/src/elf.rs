//! ELF loading with the `object` crate.
//!
//! Accepts little-endian RISC-V (`EM_RISCV`) executables of class ELF32
//! (RV32) or ELF64 (RV64). PT_LOAD segments are mapped page by page, their
//! file bytes copied and the rest (bss) zero-filled; executable segments are
//! predecoded. Source: System V gABI, "Program Header" and "Symbol Table".

use crate::memory::{MemError, Memory, Perm};
use crate::Xlen;
use object::{Object, ObjectSegment, ObjectSymbol, SegmentFlags, SymbolKind};

/// `p_flags` bit: executable segment.
const PF_X: u32 = 1;

/// Why an ELF file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    /// Not a parseable ELF file (the `object` crate's error).
    #[error("not a valid ELF file")]
    Parse(#[from] object::Error),
    /// A parseable object file of another format (COFF, Mach-O, ...).
    #[error("{0:?} file, not ELF")]
    NotElf(object::BinaryFormat),
    /// Not a RISC-V ELF.
    #[error("ELF is for {0}, not RISC-V (EM_RISCV)")]
    WrongMachine(String),
    /// Big-endian RISC-V is not supported.
    #[error("big-endian ELF is not supported")]
    BigEndian,
    /// Not an executable (a relocatable object or shared library).
    #[error("ELF is a {0}, not an executable")]
    NotExecutable(String),
    /// A segment's file bytes lie outside the file or exceed its memory size.
    #[error("segment {index} at {vaddr:#x} is truncated or malformed: {reason}")]
    BadSegment {
        /// Segment index among the PT_LOAD segments.
        index: usize,
        /// Its virtual address.
        vaddr: u64,
        /// What is wrong.
        reason: String,
    },
    /// Two segments overlap in memory.
    #[error("segments overlap: {a_start:#x}..{a_end:#x} and {b_start:#x}..{b_end:#x}")]
    Overlap {
        #[allow(missing_docs)]
        a_start: u64,
        #[allow(missing_docs)]
        a_end: u64,
        #[allow(missing_docs)]
        b_start: u64,
        #[allow(missing_docs)]
        b_end: u64,
    },
    /// No PT_LOAD segment.
    #[error("ELF has no loadable segment")]
    NoSegments,
    /// The entry point is not inside an executable segment.
    #[error("entry point {0:#x} is not in an executable segment")]
    BadEntry(u64),
    /// A segment cannot be mapped (guard region at 0, out of the address
    /// space, or over the memory limit).
    #[error("segment at {vaddr:#x} cannot be loaded: {error}")]
    Memory {
        /// Its virtual address.
        vaddr: u64,
        /// The memory error (in the message, not a separate cause).
        error: MemError,
    },
}

/// One PT_LOAD segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Virtual address of its first byte.
    pub vaddr: u64,
    /// Size in memory (bytes).
    pub mem_size: u64,
    /// File bytes (`p_filesz` of them); the rest is zero.
    pub data: Vec<u8>,
    /// Executable.
    pub exec: bool,
    /// Writable.
    pub write: bool,
}

impl Segment {
    /// Its page permissions: always readable, writable and executable as
    /// `p_flags` says (qemu-user maps segments the same way).
    pub fn perm(&self) -> Perm {
        let mut p = Perm::R;
        if self.write {
            p = p.union(Perm::W);
        }
        if self.exec {
            p = p.union(Perm::X);
        }
        p
    }
}

/// A symbol from `.symtab`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Name as the ELF has it (mangled, for Rust and C++).
    pub name: String,
    /// Name for people: a Rust symbol (v0 `_R...` or legacy `_ZN...E`)
    /// demangled without its hash, else `name`.
    pub demangled: String,
    /// Address.
    pub addr: u64,
    /// Size in bytes (0 if unknown).
    pub size: u64,
    /// Whether it is a function (`STT_FUNC`).
    pub is_function: bool,
}

/// Symbols sorted by address, for address-to-name lookups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SymbolTable {
    symbols: Vec<Symbol>,
}

impl SymbolTable {
    /// Builds a table from symbols in any order.
    pub fn new(mut symbols: Vec<Symbol>) -> SymbolTable {
        symbols.sort_by(|a, b| {
            a.addr
                .cmp(&b.addr)
                .then(b.is_function.cmp(&a.is_function))
                .then(a.name.cmp(&b.name))
        });
        SymbolTable { symbols }
    }

    /// All symbols, by address.
    pub fn iter(&self) -> impl Iterator<Item = &Symbol> {
        self.symbols.iter()
    }

    /// The symbol named `name` (its ELF name or its demangled name).
    pub fn by_name(&self, name: &str) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.symbols.iter().find(|s| s.demangled == name))
    }

    /// The function containing `addr` and the offset of `addr` in it. A
    /// symbol of size 0 contains only its own address.
    pub fn function_at(&self, addr: u64) -> Option<(&Symbol, u64)> {
        let i = self.symbols.partition_point(|s| s.addr <= addr);
        self.symbols[..i]
            .iter()
            .rev()
            .filter(|s| s.is_function)
            .take(8)
            .find(|s| addr < s.addr + s.size.max(1))
            .map(|s| (s, addr - s.addr))
    }

    /// The nearest symbol of any kind at or below `addr` (at most 64 KiB
    /// below), and the offset of `addr` from it: a fallback name for code
    /// whose label is not typed as a function (hand-written assembly).
    pub fn nearest(&self, addr: u64) -> Option<(&Symbol, u64)> {
        let i = self.symbols.partition_point(|s| s.addr <= addr);
        let s = self.symbols[..i].last()?;
        (addr - s.addr < 1 << 16).then(|| (s, addr - s.addr))
    }

    /// Whether a function starts exactly at `addr`.
    pub fn is_function_entry(&self, addr: u64) -> bool {
        let i = self.symbols.partition_point(|s| s.addr < addr);
        self.symbols[i..]
            .iter()
            .take_while(|s| s.addr == addr)
            .any(|s| s.is_function)
    }

    /// `name+0xOFF` (or `name`) for `addr`, if a function contains it;
    /// the name demangled.
    pub fn describe(&self, addr: u64) -> Option<String> {
        self.function_at(addr).map(|(s, off)| {
            if off == 0 {
                s.demangled.clone()
            } else {
                format!("{}+{:#x}", s.demangled, off)
            }
        })
    }
}

/// A Rust symbol name (v0 or legacy mangling) demangled without its hash
/// (`rustc-demangle`'s alternate form); other names unchanged.
pub fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        Ok(d) => format!("{d:#}"),
        Err(_) => name.to_string(),
    }
}

/// A parsed guest program.
#[derive(Clone, Debug)]
pub struct Program {
    /// XLEN from the ELF class.
    pub xlen: Xlen,
    /// Entry point.
    pub entry: u64,
    /// PT_LOAD segments.
    pub segments: Vec<Segment>,
    /// Symbols.
    pub symbols: SymbolTable,
    /// Absolute symbols (`SHN_ABS`): values a linker script defines outside
    /// any section, such as ZeroOS's `__stack_top` and `__heap_start`. Kept
    /// apart from [`Program::symbols`], which name code and data.
    pub absolute_symbols: std::collections::BTreeMap<String, u64>,
}

impl Program {
    /// Parses an ELF image.
    ///
    /// Errors: see [`ElfError`]; every malformed input gives an error, never
    /// a panic.
    pub fn parse(data: &[u8]) -> Result<Program, ElfError> {
        let file = object::File::parse(data)?;
        if !matches!(file, object::File::Elf32(_) | object::File::Elf64(_)) {
            return Err(ElfError::NotElf(file.format()));
        }
        let xlen = match file.architecture() {
            object::Architecture::Riscv64 => Xlen::X64,
            object::Architecture::Riscv32 => Xlen::X32,
            other => return Err(ElfError::WrongMachine(format!("{other:?}"))),
        };
        if !file.is_little_endian() {
            return Err(ElfError::BigEndian);
        }
        if file.kind() != object::ObjectKind::Executable {
            return Err(ElfError::NotExecutable(
                format!("{:?}", file.kind()).to_lowercase(),
            ));
        }
        let mut segments = Vec::new();
        for (index, seg) in file.segments().enumerate() {
            let vaddr = seg.address();
            let mem_size = seg.size();
            let (_, file_size) = seg.file_range();
            let bad = |reason: String| ElfError::BadSegment {
                index,
                vaddr,
                reason,
            };
            if file_size > mem_size {
                return Err(bad(format!(
                    "file size {file_size} exceeds memory size {mem_size}"
                )));
            }
            let bytes = seg.data().map_err(|e| bad(e.to_string()))?;
            if (bytes.len() as u64) != file_size {
                return Err(bad(format!(
                    "only {} of {file_size} file bytes present",
                    bytes.len()
                )));
            }
            if vaddr.checked_add(mem_size).is_none() {
                return Err(bad("address range overflows".into()));
            }
            let flags = match seg.flags() {
                SegmentFlags::Elf { p_flags } => p_flags,
                _ => 0,
            };
            if mem_size == 0 {
                continue;
            }
            segments.push(Segment {
                vaddr,
                mem_size,
                data: bytes.to_vec(),
                exec: flags & PF_X != 0,
                write: flags & 2 != 0,
            });
        }
        if segments.is_empty() {
            return Err(ElfError::NoSegments);
        }
        let mut sorted: Vec<&Segment> = segments.iter().collect();
        sorted.sort_by_key(|s| s.vaddr);
        for w in sorted.windows(2) {
            if w[0].vaddr + w[0].mem_size > w[1].vaddr {
                return Err(ElfError::Overlap {
                    a_start: w[0].vaddr,
                    a_end: w[0].vaddr + w[0].mem_size,
                    b_start: w[1].vaddr,
                    b_end: w[1].vaddr + w[1].mem_size,
                });
            }
        }
        let entry = file.entry();
        if !segments
            .iter()
            .any(|s| s.exec && entry >= s.vaddr && entry < s.vaddr + s.mem_size)
        {
            return Err(ElfError::BadEntry(entry));
        }
        let mut symbols = Vec::new();
        let mut absolute_symbols = std::collections::BTreeMap::new();
        for sym in file.symbols() {
            let Ok(name) = sym.name() else { continue };
            if !name.is_empty() && sym.section() == object::SymbolSection::Absolute {
                absolute_symbols.insert(name.to_string(), sym.address());
                continue;
            }
            if name.is_empty()
                || !matches!(
                    sym.kind(),
                    SymbolKind::Text | SymbolKind::Data | SymbolKind::Unknown
                )
            {
                continue;
            }
            if sym.is_undefined() || sym.section_index().is_none() {
                continue;
            }
            symbols.push(Symbol {
                demangled: demangle(name),
                name: name.to_string(),
                addr: sym.address(),
                size: sym.size(),
                is_function: sym.kind() == SymbolKind::Text,
            });
        }
        Ok(Program {
            xlen,
            entry,
            segments,
            symbols: SymbolTable::new(symbols),
            absolute_symbols,
        })
    }

    /// A program of one readable, writable and executable segment of
    /// `mem_size` bytes at `base` starting with `image`, entered at `base`,
    /// with no symbols (for tests, hand-assembled code, and flat binaries
    /// such as ZKsync Airbender's `app.bin`).
    pub fn flat(xlen: Xlen, base: u64, image: Vec<u8>, mem_size: u64) -> Program {
        let mem_size = mem_size.max(image.len() as u64);
        Program {
            xlen,
            entry: base,
            segments: vec![Segment {
                vaddr: base,
                mem_size,
                data: image,
                exec: true,
                write: true,
            }],
            symbols: SymbolTable::default(),
            absolute_symbols: Default::default(),
        }
    }

    /// The value of a symbol a linker script may define, absolute
    /// (`SHN_ABS`) or section-relative (ld makes `PROVIDE(x = expr)`
    /// relative to a nearby section when `expr` involves addresses).
    pub fn linker_symbol(&self, name: &str) -> Option<u64> {
        self.absolute_symbols
            .get(name)
            .copied()
            .or_else(|| self.symbols.by_name(name).map(|s| s.addr))
    }

    /// Maps and fills the segments in `mem` with their permissions (a page
    /// shared by two segments gets both) and sets the code range (from the
    /// lowest to the highest executable byte) for predecoding.
    ///
    /// Errors: [`ElfError::Memory`] if a segment touches the guard region at
    /// address 0, leaves the address space or exceeds the memory limit.
    pub fn load_into(&self, mem: &mut Memory) -> Result<(), ElfError> {
        for s in &self.segments {
            let err = |error| ElfError::Memory {
                vaddr: s.vaddr,
                error,
            };
            if s.vaddr < mem.guard() {
                return Err(err(MemError::BadRange {
                    start: s.vaddr,
                    end: s.vaddr + s.mem_size,
                }));
            }
            mem.map_with(s.vaddr, s.mem_size, s.perm()).map_err(err)?;
            mem.write_bytes(s.vaddr, &s.data).map_err(err)?;
        }
        let exec = self.segments.iter().filter(|s| s.exec);
        let lo = exec.clone().map(|s| s.vaddr).min();
        let hi = exec.map(|s| s.vaddr + s.mem_size).max();
        if let (Some(lo), Some(hi)) = (lo, hi) {
            mem.set_code_range(lo, hi - lo);
        }
        Ok(())
    }
}
