//! Per-pc inline stacks, computed once per pc and interned.
//!
//! Each pc maps to a *chain*: the function names that are live at that pc
//! inside one physical frame, outermost first (the function the code
//! belongs to, then the functions inlined into it, down to the innermost).
//! Names come from DWARF (`addr2line`, demangled); code without DWARF falls
//! back to the ELF symbol table, and code without a symbol to
//! `[unknown 0xPAGE]` (its 4 KiB page), so that no cycle is dropped.

use crate::source::SourceMap;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Arc;
use zkdbg_emulator::Program;

/// An interned frame name.
pub type NameId = u32;
/// An interned inline chain.
pub type ChainId = u32;

const NOT_YET: ChainId = ChainId::MAX;

/// Where a function's code starts: the lowest pc seen in it and that pc's
/// source location.
#[derive(Clone, Debug, Default)]
pub struct FunctionSite {
    /// Lowest pc attributed to the function as its innermost frame.
    pub pc: u64,
    /// `file:line` of that pc, if DWARF knows it.
    pub location: Option<String>,
}

/// Interns names and inline chains and caches the chain of every pc.
pub struct Symbolizer {
    program: Arc<Program>,
    source: SourceMap,
    names: Vec<String>,
    name_ids: FxHashMap<String, NameId>,
    sites: Vec<Option<FunctionSite>>,
    chains: Vec<Box<[NameId]>>,
    chain_ids: FxHashMap<Box<[NameId]>, ChainId>,
    /// Chain per halfword of the executable range (dense: no hashing on
    /// the hot path).
    code_base: u64,
    code_chains: Vec<ChainId>,
    other_chains: FxHashMap<u64, ChainId>,
    /// Named address ranges for pcs without symbols (a zkVM's kernel).
    regions: Vec<(u64, u64, String)>,
}

impl Symbolizer {
    /// A symbolizer for `program`, whose DWARF `source` has read.
    pub fn new(program: Arc<Program>, source: SourceMap) -> Symbolizer {
        let exec = program.segments.iter().filter(|s| s.exec);
        let lo = exec.clone().map(|s| s.vaddr).min().unwrap_or(0) & !1;
        let hi = exec.map(|s| s.vaddr + s.mem_size).max().unwrap_or(0);
        let slots = ((hi.saturating_sub(lo)) / 2) as usize;
        Symbolizer {
            program,
            source,
            names: Vec::new(),
            name_ids: FxHashMap::default(),
            sites: Vec::new(),
            chains: Vec::new(),
            chain_ids: FxHashMap::default(),
            code_base: lo,
            code_chains: vec![NOT_YET; slots.min(1 << 28)],
            other_chains: FxHashMap::default(),
            regions: Vec::new(),
        }
    }

    /// Names the pcs of `start..end` that no symbol covers `name` (one
    /// frame, e.g. `[kernel]` for RISC Zero's v1compat kernel), instead
    /// of `[unknown 0xPAGE]`. Call before the first [`Symbolizer::chain_of`].
    pub fn name_region(&mut self, start: u64, end: u64, name: &str) {
        self.regions.push((start, end, name.to_string()));
    }

    /// Whether `id` names a region (see [`Symbolizer::name_region`]):
    /// profiles fold a region's frames called from the same region into
    /// one.
    pub fn is_region(&self, id: NameId) -> bool {
        let name = self.name(id);
        self.regions.iter().any(|r| r.2 == name)
    }

    /// The program being symbolized.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The DWARF source map.
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// Interns `name`.
    pub fn intern(&mut self, name: &str) -> NameId {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as NameId;
        self.names.push(name.to_string());
        self.sites.push(None);
        self.name_ids.insert(name.to_string(), id);
        id
    }

    /// The name of `id`.
    pub fn name(&self, id: NameId) -> &str {
        &self.names[id as usize]
    }

    /// All interned names, by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Where function `id` starts, if it ever ran as an innermost frame.
    pub fn site(&self, id: NameId) -> Option<&FunctionSite> {
        self.sites.get(id as usize).and_then(|s| s.as_ref())
    }

    /// The names of chain `id`, outermost first.
    pub fn chain(&self, id: ChainId) -> &[NameId] {
        &self.chains[id as usize]
    }

    /// The chain of `pc` (computed on first use, then cached).
    #[inline(always)]
    pub fn chain_of(&mut self, pc: u64) -> ChainId {
        let slot = (pc.wrapping_sub(self.code_base) >> 1) as usize;
        if let Some(&c) = self.code_chains.get(slot) {
            if c != NOT_YET {
                return c;
            }
            let c = self.compute(pc);
            self.code_chains[slot] = c;
            return c;
        }
        self.chain_of_slow(pc)
    }

    /// The chain of `pc` if [`Symbolizer::chain_of`] computed it already.
    pub fn cached_chain(&self, pc: u64) -> Option<ChainId> {
        let slot = (pc.wrapping_sub(self.code_base) >> 1) as usize;
        match self.code_chains.get(slot) {
            Some(&c) if c != NOT_YET => Some(c),
            Some(_) => None,
            None => self.other_chains.get(&pc).copied(),
        }
    }

    #[cold]
    fn chain_of_slow(&mut self, pc: u64) -> ChainId {
        if let Some(&c) = self.other_chains.get(&pc) {
            return c;
        }
        let c = self.compute(pc);
        self.other_chains.insert(pc, c);
        c
    }

    /// The name of the function (by the symbol table) containing `addr`,
    /// demangled; failing that, the nearest label below it in the same
    /// executable segment (assembly without `.type @function`).
    pub fn symbol_name(&self, addr: u64) -> Option<String> {
        let syms = &self.program.symbols;
        if let Some((s, _)) = syms.function_at(addr) {
            return Some(demangle(&s.name));
        }
        let (s, _) = syms.nearest(addr)?;
        let same_segment = self.program.segments.iter().any(|g| {
            g.exec && (g.vaddr..g.vaddr + g.mem_size).contains(&addr) && s.addr >= g.vaddr
        });
        same_segment.then(|| demangle(&s.name))
    }

    fn compute(&mut self, pc: u64) -> ChainId {
        let frames = self.source.frames(pc);
        let mut names: Vec<String> = Vec::with_capacity(frames.len().max(1));
        // DWARF frames come innermost first.
        for f in frames.iter().rev() {
            match &f.function {
                Some(n) => names.push(n.clone()),
                None => {
                    if let Some(n) = self.symbol_name(pc) {
                        names.push(n)
                    }
                }
            }
        }
        if names.is_empty() {
            let region = self.regions.iter().find(|r| (r.0..r.1).contains(&pc));
            let name = match region {
                Some(r) => r.2.clone(),
                None => self
                    .symbol_name(pc)
                    .unwrap_or_else(|| format!("[unknown {:#x}]", pc & !0xfff)),
            };
            names.push(name);
        }
        let ids: Box<[NameId]> = names.iter().map(|n| self.intern(n)).collect();
        let leaf = *ids.last().expect("chain is never empty");
        let location = frames.first().and_then(|f| f.location());
        let site = &mut self.sites[leaf as usize];
        if !matches!(site, Some(s) if s.pc <= pc) {
            *site = Some(FunctionSite { pc, location });
        }
        if let Some(&id) = self.chain_ids.get(&ids) {
            return id;
        }
        let id = self.chains.len() as ChainId;
        self.chains.push(ids.clone());
        self.chain_ids.insert(ids, id);
        id
    }
}

/// Demangles a Rust or C++ symbol name; other names come back unchanged.
pub fn demangle(name: &str) -> String {
    addr2line::demangle_auto(Cow::Borrowed(name), None).into_owned()
}
