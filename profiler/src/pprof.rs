//! pprof output: the `profile.proto` messages of github.com/google/pprof
//! (only the fields we fill), encoded with `prost` and gzip-compressed, as
//! `go tool pprof` reads them.

use crate::profile::NO_PC;
use crate::report::Profile;
use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message;
use std::collections::BTreeMap;
use std::io::{self, Write};
use zkdbg_symbols::symbolize::NameId;

#[derive(Clone, PartialEq, prost::Message)]
struct PProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(message, repeated, tag = "3")]
    mapping: Vec<Mapping>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
    #[prost(message, optional, tag = "11")]
    period_type: Option<ValueType>,
    #[prost(int64, tag = "12")]
    period: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Sample {
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Mapping {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(uint64, tag = "2")]
    memory_start: u64,
    #[prost(uint64, tag = "3")]
    memory_limit: u64,
    #[prost(uint64, tag = "4")]
    file_offset: u64,
    #[prost(int64, tag = "5")]
    filename: i64,
    #[prost(bool, tag = "7")]
    has_functions: bool,
    #[prost(bool, tag = "8")]
    has_filenames: bool,
    #[prost(bool, tag = "9")]
    has_line_numbers: bool,
    #[prost(bool, tag = "10")]
    has_inline_frames: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Location {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(uint64, tag = "2")]
    mapping_id: u64,
    #[prost(uint64, tag = "3")]
    address: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<Line>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Line {
    #[prost(uint64, tag = "1")]
    function_id: u64,
    #[prost(int64, tag = "2")]
    line: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Function {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "3")]
    system_name: i64,
    #[prost(int64, tag = "4")]
    filename: i64,
    #[prost(int64, tag = "5")]
    start_line: i64,
}

#[derive(Default)]
struct Strings {
    table: Vec<String>,
    ids: BTreeMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.table.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
}

/// The functions and locations of a profile being encoded.
struct Tables<'a> {
    p: &'a Profile,
    strings: Strings,
    /// Function id by frame name.
    functions: BTreeMap<NameId, u64>,
    function: Vec<Function>,
    /// Location id of a frame name (callers, frames without a pc).
    by_name: BTreeMap<NameId, u64>,
    /// Location id of a pc.
    by_pc: BTreeMap<u64, u64>,
    location: Vec<Location>,
    /// Whether the profile names the ELF (a mapping).
    binary: bool,
}

impl Tables<'_> {
    /// The function of frame name `name` (its file and first line from
    /// where it started, else from `file`).
    fn function(&mut self, name: NameId, file: Option<&str>) -> u64 {
        if let Some(&id) = self.functions.get(&name) {
            return id;
        }
        let p = self.p;
        let sym = p.symbolizer();
        let (f, line) = match sym.site(name).and_then(|s| s.location.as_deref()) {
            Some(l) => match l.rsplit_once(':') {
                Some((f, n)) => (f.to_string(), n.parse().unwrap_or(0)),
                None => (l.to_string(), 0),
            },
            None => (file.unwrap_or("").to_string(), 0),
        };
        let id = self.function.len() as u64 + 1;
        let name_s = self.strings.id(sym.name(name));
        self.function.push(Function {
            id,
            name: name_s,
            system_name: name_s,
            filename: self.strings.id(&f),
            start_line: line,
        });
        self.functions.insert(name, id);
        id
    }

    fn push(&mut self, address: u64, line: Vec<Line>) -> u64 {
        let id = self.location.len() as u64 + 1;
        // Addresses belong to the program's mapping; frames without one
        // (callers named only) to none.
        let mapping_id = u64::from(address != 0 && self.binary);
        self.location.push(Location {
            id,
            mapping_id,
            address,
            line,
        });
        id
    }

    /// The location of frame `name`: its function, at its first line.
    fn name_loc(&mut self, name: NameId) -> u64 {
        if let Some(&id) = self.by_name.get(&name) {
            return id;
        }
        let p = self.p;
        let sym = p.symbolizer();
        let site = sym.site(name);
        let line = site
            .and_then(|s| s.location.as_deref())
            .and_then(|l| l.rsplit_once(':'))
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0);
        let address = site.map_or(0, |s| s.pc);
        let f = self.function(name, None);
        let id = self.push(
            address,
            vec![Line {
                function_id: f,
                line,
            }],
        );
        self.by_name.insert(name, id);
        id
    }

    /// The location of `pc`: its line in each frame of `chain` (outermost
    /// first, as the call tree names them), innermost first.
    fn pc_loc(&mut self, pc: u64, chain: &[NameId]) -> u64 {
        if let Some(&id) = self.by_pc.get(&pc) {
            return id;
        }
        let frames = self.p.symbolizer().source().frames(pc);
        let mut lines = Vec::new();
        for (i, &name) in chain.iter().rev().enumerate() {
            // Lines where DWARF's frames match the chain one to one.
            let fr = (frames.len() == chain.len()).then(|| &frames[i]);
            let f = self.function(name, fr.and_then(|f| f.file.as_deref()));
            let line = fr.and_then(|f| f.line).map_or(0, i64::from);
            lines.push(Line {
                function_id: f,
                line,
            });
        }
        let id = self.push(pc, lines);
        self.by_pc.insert(pc, id);
        id
    }
}

/// Encodes `p` as a gzip-compressed pprof profile; `binary` (the ELF's
/// path and its code segment's file offset) becomes the mapping of the
/// program's code, for a pprof that can disassemble RISC-V (`-disasm`).
pub(crate) fn encode(p: &Profile, binary: Option<(&str, u64)>) -> io::Result<Vec<u8>> {
    let mut strings = Strings::default();
    strings.id("");
    let cycles = strings.id("cycles");
    let count = strings.id("count");
    let mut t = Tables {
        p,
        strings,
        functions: BTreeMap::new(),
        function: Vec::new(),
        by_name: BTreeMap::new(),
        by_pc: BTreeMap::new(),
        location: Vec::new(),
        binary: binary.is_some(),
    };
    let sym = p.symbolizer();
    let mut samples = Vec::new();
    let mut sample = |t: &mut Tables, leaf: Vec<u64>, callers: &[NameId], c: u64| {
        // pprof wants the leaf first.
        let mut ids = leaf;
        ids.extend(callers.iter().rev().map(|&n| t.name_loc(n)));
        samples.push(Sample {
            location_id: ids,
            value: vec![c as i64],
        });
    };
    match p.node_pcs() {
        None => {
            for (i, n) in p.nodes().iter().enumerate() {
                if i == 0 || n.self_cycles == 0 {
                    continue;
                }
                sample(&mut t, Vec::new(), &p.path_ids(i as u32), n.self_cycles);
            }
        }
        Some(m) => {
            let mut pairs: Vec<(&(u32, u64), &u64)> = m.iter().collect();
            pairs.sort_unstable();
            for (&(node, pc), &c) in pairs {
                let path = p.path_ids(node);
                let chain = (pc != NO_PC)
                    .then(|| sym.cached_chain(pc))
                    .flatten()
                    .map(|c| sym.chain(c));
                match chain {
                    // The node is the pc's chain under its callers.
                    Some(ch) if path.ends_with(ch) => {
                        let leaf = vec![t.pc_loc(pc, ch)];
                        sample(&mut t, leaf, &path[..path.len() - ch.len()], c);
                    }
                    // A frame of the platform's ([syscall] write) under it.
                    Some(ch) if !path.is_empty() && path[..path.len() - 1].ends_with(ch) => {
                        let top = path[path.len() - 1];
                        let leaf = vec![t.name_loc(top), t.pc_loc(pc, ch)];
                        sample(&mut t, leaf, &path[..path.len() - 1 - ch.len()], c);
                    }
                    _ => sample(&mut t, Vec::new(), &path, c),
                }
            }
        }
    }
    let mapping = match binary {
        Some((b, off)) => {
            let exec = sym.program().segments.iter().filter(|s| s.exec);
            let lo = exec.clone().map(|s| s.vaddr).min().unwrap_or(0);
            let hi = exec
                .map(|s| s.vaddr.saturating_add(s.mem_size))
                .max()
                .unwrap_or(0);
            vec![Mapping {
                id: 1,
                memory_start: lo,
                memory_limit: hi,
                file_offset: off,
                filename: t.strings.id(b),
                has_functions: true,
                has_filenames: true,
                has_line_numbers: true,
                has_inline_frames: true,
            }]
        }
        None => Vec::new(),
    };
    let Tables {
        strings,
        location,
        function,
        ..
    } = t;
    let prof = PProfile {
        sample_type: vec![ValueType {
            r#type: cycles,
            unit: count,
        }],
        sample: samples,
        mapping,
        location,
        function,
        string_table: strings.table,
        period_type: Some(ValueType {
            r#type: cycles,
            unit: count,
        }),
        period: 1,
    };
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&prof.encode_to_vec())?;
    gz.finish()
}
