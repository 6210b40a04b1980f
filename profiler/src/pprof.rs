//! pprof output: the `profile.proto` messages of github.com/google/pprof
//! (only the fields we fill), encoded with `prost` and gzip-compressed, as
//! `go tool pprof` reads them.

use crate::report::Profile;
use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Clone, PartialEq, prost::Message)]
struct PProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
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
struct Location {
    #[prost(uint64, tag = "1")]
    id: u64,
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

/// Encodes `p` as a gzip-compressed pprof profile.
pub(crate) fn encode(p: &Profile) -> io::Result<Vec<u8>> {
    let sym = p.symbolizer();
    let mut strings = Strings::default();
    strings.id("");
    let cycles = strings.id("cycles");
    let count = strings.id("count");
    // One function and one location per frame name that has cycles.
    let mut locs: BTreeMap<u32, u64> = BTreeMap::new();
    let mut samples = Vec::new();
    for (i, n) in p.nodes().iter().enumerate() {
        if i == 0 || n.self_cycles == 0 {
            continue;
        }
        let mut ids: Vec<u64> = p
            .path_ids(i as u32)
            .into_iter()
            .map(|name| {
                let next = locs.len() as u64 + 1;
                *locs.entry(name).or_insert(next)
            })
            .collect();
        ids.reverse(); // pprof wants the leaf first
        samples.push(Sample {
            location_id: ids,
            value: vec![n.self_cycles as i64],
        });
    }
    let mut by_id: Vec<(u64, u32)> = locs.iter().map(|(&n, &id)| (id, n)).collect();
    by_id.sort_unstable();
    let mut location = Vec::new();
    let mut function = Vec::new();
    for (id, name_id) in by_id {
        let name = sym.name(name_id);
        let site = sym.site(name_id);
        let (file, line) = match site.and_then(|s| s.location.as_deref()) {
            Some(l) => match l.rsplit_once(':') {
                Some((f, n)) => (f.to_string(), n.parse().unwrap_or(0)),
                None => (l.to_string(), 0),
            },
            None => (String::new(), 0),
        };
        let name_s = strings.id(name);
        function.push(Function {
            id,
            name: name_s,
            system_name: name_s,
            filename: strings.id(&file),
            start_line: line,
        });
        location.push(Location {
            id,
            address: site.map_or(0, |s| s.pc),
            line: vec![Line {
                function_id: id,
                line,
            }],
        });
    }
    let prof = PProfile {
        sample_type: vec![ValueType {
            r#type: cycles,
            unit: count,
        }],
        sample: samples,
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
