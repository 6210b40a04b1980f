//! Source-level symbolization from DWARF (via `addr2line`), falling back to
//! the ELF symbol table. The DWARF sections are read from the ELF bytes in
//! memory (uncompressed sections without a copy; `SHF_COMPRESSED` ones
//! inflated once).

use gimli::{EndianArcSlice, RunTimeEndian};
use object::{Object, ObjectSection};
use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;
use zkdbg_emulator::SymbolTable;

use crate::paths::SourcePaths;

pub(crate) type Reader = EndianArcSlice<RunTimeEndian>;

/// One frame at an address: a function and, if known, its source location.
/// Inline frames come innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Function name (demangled).
    pub function: Option<String>,
    /// Source file.
    pub file: Option<String>,
    /// Line number.
    pub line: Option<u32>,
}

impl Frame {
    /// `file:line`, if known.
    pub fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }
}

/// Maps addresses to functions and source lines. Cloning shares the parsed
/// DWARF.
#[derive(Clone)]
pub struct SourceMap {
    loader: Option<Rc<addr2line::Context<Reader>>>,
    /// How DWARF paths are named (the user's `--source-map` rules) and
    /// found on this machine.
    paths: SourcePaths,
}

impl SourceMap {
    /// Reads the DWARF of the ELF image `elf`. An image without DWARF (or
    /// not an ELF) gives a map that knows no lines, never an error.
    pub fn new(elf: Arc<[u8]>) -> SourceMap {
        SourceMap {
            loader: load(elf).map(Rc::new),
            paths: SourcePaths::default(),
        }
    }

    /// A map that knows nothing.
    pub fn empty() -> SourceMap {
        SourceMap {
            loader: None,
            paths: SourcePaths::default(),
        }
    }

    /// The same map naming files by `paths`' rules (`--source-map`):
    /// frames, locations and line rows carry the substituted paths.
    pub fn with_paths(mut self, paths: SourcePaths) -> SourceMap {
        self.paths = paths;
        self
    }

    /// The source path rules (to find files: [`SourcePaths::resolve`]).
    pub fn paths(&self) -> &SourcePaths {
        &self.paths
    }

    /// The `addr2line` context over the DWARF, if there is DWARF.
    pub(crate) fn context(&self) -> Option<&addr2line::Context<Reader>> {
        self.loader.as_deref()
    }

    /// A DWARF file name as shown: tidied, then the user's rules applied.
    fn name(&self, p: &str) -> String {
        self.paths.rewrite(&tidy_path(p))
    }

    /// Every source file the line tables name, as the DWARF names them
    /// (tidied, no `--source-map` rule applied), sorted.
    pub fn dwarf_files(&self) -> Vec<String> {
        let mut v = Vec::new();
        let Some(l) = &self.loader else { return v };
        if let Ok(it) = l.find_location_range(0, u64::MAX) {
            v.extend(it.filter_map(|(_, _, loc)| loc.file.map(tidy_path)));
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether the ELF has any line information (a DWARF line table row).
    pub fn has_lines(&self) -> bool {
        let Some(l) = &self.loader else { return false };
        l.find_location_range(0, u64::MAX)
            .is_ok_and(|mut it| it.any(|(_, _, loc)| loc.line.is_some()))
    }

    /// The frames at `addr`, innermost (inlined) first. Empty if unknown.
    pub fn frames(&self, addr: u64) -> Vec<Frame> {
        let mut out = Vec::new();
        let Some(l) = &self.loader else { return out };
        if let Ok(mut it) = l.find_frames(addr).skip_all_loads() {
            while let Ok(Some(f)) = it.next() {
                out.push(Frame {
                    function: f
                        .function
                        .as_ref()
                        .and_then(|n| n.demangle().ok())
                        .map(|n| n.into_owned()),
                    file: f
                        .location
                        .as_ref()
                        .and_then(|l| l.file)
                        .map(|p| self.name(p)),
                    line: f.location.as_ref().and_then(|l| l.line),
                });
            }
        }
        out
    }

    /// The line table over `lo..hi`: `(address, file, line)` for each row,
    /// by address (for mapping `FILE:LINE` to code).
    pub fn line_rows(&self, lo: u64, hi: u64) -> Vec<(u64, String, u32)> {
        let mut out = Vec::new();
        let Some(l) = &self.loader else { return out };
        if let Ok(it) = l.find_location_range(lo, hi) {
            for (addr, _len, loc) in it {
                if let (Some(f), Some(line)) = (loc.file, loc.line) {
                    out.push((addr, self.name(f), line));
                }
            }
        }
        out
    }

    /// The lowest address of the first line at or after `line` in a file
    /// whose path ends with `file`, within `lo..hi`.
    pub fn address_of_line(&self, file: &str, line: u32, lo: u64, hi: u64) -> Option<u64> {
        let rows = self.line_rows(lo, hi);
        let best = rows
            .iter()
            .filter(|(_, f, l)| (f == file || f.ends_with(&format!("/{file}"))) && *l >= line)
            .map(|(_, _, l)| *l)
            .min()?;
        rows.iter()
            .filter(|(_, f, l)| (f == file || f.ends_with(&format!("/{file}"))) && *l == best)
            .map(|(a, _, _)| *a)
            .min()
    }

    /// `file:line` of `addr`, if DWARF knows it.
    pub fn location(&self, addr: u64) -> Option<String> {
        let loc = self.loader.as_ref()?.find_location(addr).ok()??;
        match (loc.file, loc.line) {
            (Some(f), Some(l)) => Some(format!("{}:{l}", self.name(f))),
            _ => None,
        }
    }
}

/// The DWARF of `elf` as an `addr2line` context, or `None` if `elf` is not
/// an object file or its DWARF is malformed.
fn load(elf: Arc<[u8]>) -> Option<addr2line::Context<Reader>> {
    let file = object::File::parse(&*elf).ok()?;
    let endian = if file.is_little_endian() {
        RunTimeEndian::Little
    } else {
        RunTimeEndian::Big
    };
    let whole = Reader::new(elf.clone(), endian);
    let section = |id: gimli::SectionId| -> Result<Reader, gimli::Error> {
        let Some(s) = file.section_by_name(id.name()) else {
            return Ok(Reader::new(Arc::from(&[][..]), endian));
        };
        // Inflated (or read) once; bytes borrowed from the file as they
        // are become a range of the shared image, without a copy.
        let data = s.uncompressed_data().unwrap_or(Cow::Borrowed(&[]));
        if let (Cow::Borrowed(bytes), Some((off, size))) = (&data, s.file_range()) {
            let (off, size) = (off as usize, size as usize);
            if bytes.len() == size && off.checked_add(size).is_some_and(|e| e <= elf.len()) {
                return Ok(whole.range(off..off + size));
            }
        }
        Ok(Reader::new(Arc::from(&*data), endian))
    };
    let dwarf = gimli::Dwarf::load(section).ok()?;
    addr2line::Context::from_dwarf(dwarf).ok()
}

/// `name+0xOFF` for `addr` from the symbol table, or the address in hex.
pub fn describe_addr(symbols: &SymbolTable, addr: u64) -> String {
    symbols
        .describe(addr)
        .unwrap_or_else(|| format!("{addr:#x}"))
}

/// Drops the `./` that a compilation directory of `.` puts in front of
/// paths (the bundled guests are built that way, reproducibly).
fn tidy_path(p: &str) -> String {
    p.strip_prefix("./").unwrap_or(p).to_string()
}
