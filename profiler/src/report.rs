//! A finished profile and its outputs: folded stacks, SVG flamegraph,
//! JSON summary, pprof and a terminal table.

use crate::profile::{Node, SpanStat, StackStats, SyscallStat, ROOT};
use std::collections::BTreeMap;
use std::io::{self, Write};
use zkdbg_symbols::symbolize::{NameId, Symbolizer};

/// A finished cycle profile: the call tree with self cycles per node.
pub struct Profile {
    pub(crate) nodes: Vec<Node>,
    pub(crate) instructions: u64,
    pub(crate) cycles: u64,
    pub(crate) stack: StackStats,
    pub(crate) syscalls: Vec<SyscallStat>,
    pub(crate) spans: Vec<SpanStat>,
    pub(crate) calls: BTreeMap<NameId, u64>,
    pub(crate) sym: Symbolizer,
    pub(crate) timeline: crate::profile::Timeline,
    pub(crate) pcs: Option<crate::profile::PcCycles>,
    /// Cycles per (node, pc), when counted.
    pub(crate) node_pcs: Option<rustc_hash::FxHashMap<(u32, u64), u64>>,
}

/// One function's totals in the JSON summary.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct FunctionStat {
    /// Demangled name (inline functions included), or `[syscall] NAME`,
    /// `[unknown 0xPAGE]`.
    pub name: String,
    /// Cycles spent in the function's own instructions.
    pub self_cycles: u64,
    /// Cycles spent in the function and everything it called (recursion
    /// counted once).
    pub total_cycles: u64,
    /// Calls and tail calls to the function's entry (0 for inline
    /// functions).
    pub calls: u64,
    /// `file:line` of the function's lowest address, if DWARF knows it.
    pub location: Option<String>,
}

/// The JSON summary written by `zkdbg profile --json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Summary {
    /// Guest name (file name of the ELF).
    pub guest: String,
    /// Retired instructions.
    pub instructions: u64,
    /// Total cycles (the sum of all folded counts).
    pub cycles: u64,
    /// Functions, by total cycles (descending), then name.
    pub functions: Vec<FunctionStat>,
    /// Syscalls, by number.
    pub syscalls: Vec<SyscallStat>,
    /// Cycle-tracking spans, by name.
    pub spans: Vec<SpanStat>,
    /// Shadow-stack health.
    pub stack: StackStats,
}

impl Profile {
    /// Retired instructions.
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// Total cycles.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Syscall totals, by number.
    pub fn syscalls(&self) -> &[SyscallStat] {
        &self.syscalls
    }

    /// Span totals, by name.
    pub fn spans(&self) -> &[SpanStat] {
        &self.spans
    }

    /// Shadow-stack health.
    pub fn stack_stats(&self) -> &StackStats {
        &self.stack
    }

    fn path(&self, node: u32) -> Vec<NameId> {
        crate::profile::path_of(&self.nodes, node)
    }

    fn frame_name(&self, id: NameId) -> String {
        // `;` separates frames in the folded format.
        self.sym.name(id).replace(';', ":")
    }

    /// Folded stacks (`flamegraph.pl`, inferno, speedscope): one line per
    /// distinct stack, `outer;...;inner CYCLES`, sorted by stack. The counts
    /// sum to [`Profile::cycles`].
    pub fn folded(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| *i as u32 != ROOT && n.self_cycles > 0)
            .map(|(i, n)| {
                let names: Vec<String> = self
                    .path(i as u32)
                    .into_iter()
                    .map(|id| self.frame_name(id))
                    .collect();
                format!("{} {}", names.join(";"), n.self_cycles)
            })
            .collect();
        lines.sort();
        lines
    }

    /// Writes [`Profile::folded`], a line each.
    pub fn write_folded(&self, mut w: impl Write) -> io::Result<()> {
        for l in self.folded() {
            writeln!(w, "{l}")?;
        }
        Ok(())
    }

    /// Per-function totals, by total cycles (descending) then name.
    pub fn functions(&self) -> Vec<FunctionStat> {
        let n = self.sym.names().len();
        let mut selfc = vec![0u64; n];
        let mut total = vec![0u64; n];
        let mut seen: Vec<NameId> = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if i as u32 == ROOT || node.self_cycles == 0 {
                continue;
            }
            selfc[node.name as usize] += node.self_cycles;
            seen.clear();
            let mut cur = i as u32;
            while cur != ROOT {
                let name = self.nodes[cur as usize].name;
                if !seen.contains(&name) {
                    seen.push(name);
                    total[name as usize] += node.self_cycles;
                }
                cur = self.nodes[cur as usize].parent;
            }
        }
        let mut out: Vec<FunctionStat> = (0..n)
            .filter(|&i| total[i] > 0)
            .map(|i| FunctionStat {
                name: self.sym.name(i as NameId).to_string(),
                self_cycles: selfc[i],
                total_cycles: total[i],
                calls: self.calls.get(&(i as NameId)).copied().unwrap_or(0),
                location: self.sym.site(i as NameId).and_then(|s| s.location.clone()),
            })
            .collect();
        out.sort_by(|a, b| {
            b.total_cycles
                .cmp(&a.total_cycles)
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }

    /// The JSON summary.
    pub fn summary(&self, guest: &str) -> Summary {
        Summary {
            guest: guest.to_string(),
            instructions: self.instructions,
            cycles: self.cycles,
            functions: self.functions(),
            syscalls: self.syscalls.clone(),
            spans: self.spans.clone(),
            stack: self.stack.clone(),
        }
    }

    /// An SVG flamegraph (inferno), count name "cycles", titled with the
    /// guest's name and total.
    /// A run that retired nothing (a fault on the first instruction) gets
    /// an SVG that says so, not an error.
    pub fn write_svg(&self, guest: &str, mut w: impl Write) -> io::Result<()> {
        let folded = self.folded();
        let title = format!(
            "{guest}: {} cycles, {} instructions",
            self.cycles, self.instructions
        );
        if folded.is_empty() {
            let text = format!("{title} (no instruction retired)")
                .replace('&', "&amp;")
                .replace('<', "&lt;");
            return write!(
                w,
                "<?xml version=\"1.0\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"1200\" \
                 height=\"60\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"30\" \
                 font-family=\"Verdana\" font-size=\"14\">{text}</text></svg>\n"
            );
        }
        let mut opts = flame_options(title);
        let (folded, syscall_totals) = widen_syscalls(folded, self.cycles);
        // Frames coloured by kind: a class per platform frame (inferno's
        // frame attributes), a style sheet for the classes, a legend.
        let mut attrs = String::new();
        for name in self.sym.names() {
            if let Some(class) = frame_class(name) {
                attrs += &format!("{name}\tclass={class}");
                if let Some(t) = syscall_totals.get(name.as_str()) {
                    attrs +=
                        &format!("\ttitle={name} ({t} cycles in all; drawn at least 1 pixel wide)");
                }
                attrs.push('\n');
            }
        }
        opts.func_frameattrs =
            inferno::flamegraph::FuncFrameAttrsMap::from_reader(attrs.as_bytes())?;
        opts.subtitle = Some(
            "functions: warm colours by name; [syscall] orange, [precompile]/[inline] red, \
             platform ([host], [paging], [kernel], [unknown]) purple"
                .to_string(),
        );
        let mut svg = Vec::new();
        inferno::flamegraph::from_lines(&mut opts, folded.iter().map(|s| s.as_str()), &mut svg)?;
        let svg = String::from_utf8_lossy(&svg).replacen(
            "<style type=\"text/css\">",
            "<style type=\"text/css\">\ng.zk-syscall rect { fill: rgb(250,160,40); }\n\
             g.zk-precompile rect { fill: rgb(220,50,50); }\n\
             g.zk-platform rect { fill: rgb(160,110,220); }",
            1,
        );
        w.write_all(svg.as_bytes())
    }

    /// The `--top N` table: the `n` functions with the most self cycles.
    pub fn top_table(&self, n: usize) -> String {
        let mut f = self.functions();
        f.sort_by(|a, b| {
            b.self_cycles
                .cmp(&a.self_cycles)
                .then_with(|| a.name.cmp(&b.name))
        });
        let total = self.cycles.max(1) as f64;
        let mut s = format!(
            "{:>14} {:>6} {:>14} {:>6} {:>9}  {}\n",
            "self", "self%", "total", "total%", "calls", "function"
        );
        for r in f.iter().take(n) {
            let mut name = r.name.clone();
            if let Some(l) = &r.location {
                name = format!("{name} ({l})");
            }
            s += &format!(
                "{:>14} {:>5.1}% {:>14} {:>5.1}% {:>9}  {}\n",
                r.self_cycles,
                100.0 * r.self_cycles as f64 / total,
                r.total_cycles,
                100.0 * r.total_cycles as f64 / total,
                r.calls,
                name
            );
        }
        s
    }

    /// Cycles per pc, by pc, if the profile counted them
    /// ([`crate::Profiler::count_pcs`]).
    pub fn pc_cycles(&self) -> Option<Vec<(u64, u64)>> {
        self.pcs.as_ref().map(|p| p.iter())
    }

    /// The `--top N --by line` table: the `n` source lines with the most
    /// cycles of their own instructions (each pc's innermost inline frame:
    /// `file:line` and function), or `None` if the profile did not count
    /// pcs ([`crate::Profiler::count_pcs`]). Instructions without a line
    /// are grouped by function (`??` without a symbol). Platform cycles
    /// that belong to no instruction (RISC Zero's paging) are not lines.
    pub fn top_lines(&self, n: usize) -> Option<String> {
        let pcs = self.pcs.as_ref()?;
        let source = self.sym.source();
        let mut by: BTreeMap<(String, String), u64> = BTreeMap::new();
        for (pc, c) in pcs.iter() {
            let frames = source.frames(pc);
            let (line, func) = match frames.first() {
                Some(f) => (
                    f.location().unwrap_or_else(|| "??".into()),
                    f.function.clone().unwrap_or_else(|| "??".into()),
                ),
                None => (
                    "??".to_string(),
                    self.sym
                        .program()
                        .symbols
                        .describe(pc)
                        .and_then(|d| d.split('+').next().map(str::to_string))
                        .unwrap_or_else(|| "??".into()),
                ),
            };
            *by.entry((line, func)).or_default() += c;
        }
        let mut rows: Vec<((String, String), u64)> = by.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let total = self.cycles.max(1) as f64;
        let mut s = format!("{:>14} {:>6}  {}\n", "self", "self%", "line (function)");
        for ((line, func), c) in rows.into_iter().take(n) {
            s += &format!(
                "{:>14} {:>5.1}%  {line} ({func})\n",
                c,
                100.0 * c as f64 / total
            );
        }
        Some(s)
    }

    /// A gzip-compressed pprof profile (`profile.proto` of
    /// github.com/google/pprof) with value `[cycles]`. With per-pc counts
    /// ([`crate::Profiler::count_node_pcs`]) each sample's leaf is a
    /// location per pc (its address, and its line in each inline frame,
    /// innermost first), callers one location per function; otherwise one
    /// location and function per frame name.
    /// `binary`, the ELF's path and the file offset of its lowest
    /// executable segment, names the program's mapping (for `go tool pprof
    /// -disasm`).
    pub fn pprof(&self, binary: Option<(&str, u64)>) -> io::Result<Vec<u8>> {
        crate::pprof::encode(self, binary)
    }

    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub(crate) fn path_ids(&self, node: u32) -> Vec<NameId> {
        self.path(node)
    }

    pub(crate) fn node_pcs(&self) -> Option<&rustc_hash::FxHashMap<(u32, u64), u64>> {
        self.node_pcs.as_ref()
    }

    pub(crate) fn symbolizer(&self) -> &Symbolizer {
        &self.sym
    }
}

/// The folded lines as the SVG draws them: a leaf `[syscall]` frame
/// narrower than a pixel (1/1180 of the run) is widened to one, so every
/// syscall stays visible, within 2% of the run in all (past that each is
/// widened in proportion). Returns the lines and each widened syscall's
/// exact total cycles (its tooltip). The folded output is not changed.
fn widen_syscalls(mut folded: Vec<String>, cycles: u64) -> (Vec<String>, BTreeMap<String, u64>) {
    let px = cycles / 1180 + 1;
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    let mut short: Vec<(usize, u64, u64)> = Vec::new();
    for (i, l) in folded.iter().enumerate() {
        let Some((stack, n)) = l.rsplit_once(' ') else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        let leaf = stack.rsplit(';').next().unwrap_or(stack);
        if frame_class(leaf) == Some("zk-syscall") {
            *totals.entry(leaf.to_string()).or_default() += n;
            if n < px {
                short.push((i, n, px - n));
            }
        }
    }
    let budget = cycles / 50;
    let want: u64 = short.iter().map(|s| s.2).sum();
    for &(i, n, add) in &short {
        let add = if want > budget {
            (add as u128 * budget as u128 / want.max(1) as u128) as u64
        } else {
            add
        };
        if let Some((stack, _)) = folded[i].rsplit_once(' ') {
            folded[i] = format!("{stack} {}", n + add);
        }
    }
    (folded, totals)
}

/// The CSS class of a platform frame (`None`: a function).
fn frame_class(name: &str) -> Option<&'static str> {
    if name.starts_with("[syscall]") {
        Some("zk-syscall")
    } else if name.starts_with("[precompile]") || name.starts_with("[inline]") {
        Some("zk-precompile")
    } else if name.starts_with('[') && name != "[root]" {
        Some("zk-platform")
    } else {
        None
    }
}

fn flame_options<'a>(title: String) -> inferno::flamegraph::Options<'a> {
    let mut opts = inferno::flamegraph::Options::default();
    opts.title = title;
    opts.count_name = "cycles".to_string();
    // Colors from a hash of the name, not a random generator: identical
    // profiles give identical SVGs.
    opts.hash = true;
    opts.deterministic = true;
    opts
}

/// A differential flamegraph of two folded files: frames sized by AFTER
/// (inferno's `difffolded` then `flamegraph`) and coloured by their
/// function's change in total cycles (recursion counted once), red where
/// AFTER spends more, blue where less, in four strengths relative to the
/// largest change, grey where unchanged; each frame's tooltip gives the
/// function's total cycles before and after and the change as a share of
/// the run before. (Inferno alone colours a frame by its self cycles'
/// change, so a new subtree reads +0.00% at its root.)
///
/// Errors: a malformed folded line (see [`diff_table`]), as
/// `InvalidData`.
pub fn write_diff_svg(before: &str, after: &str, mut w: impl Write) -> io::Result<()> {
    let bad = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
    let (b_sum, b) = folded_totals(before).map_err(|e| bad(format!("BEFORE: {e}")))?;
    let (_, a) = folded_totals(after).map_err(|e| bad(format!("AFTER: {e}")))?;
    let mut diff = Vec::new();
    inferno::differential::from_readers(
        inferno::differential::Options::default(),
        before.as_bytes(),
        after.as_bytes(),
        &mut diff,
    )?;
    let names: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    let delta = |n: &String| {
        let (x, y) = (
            b.get(n).copied().unwrap_or_default(),
            a.get(n).copied().unwrap_or_default(),
        );
        (x.1, y.1, y.1 as i128 - x.1 as i128)
    };
    let max = names
        .iter()
        .map(|n| delta(n).2.unsigned_abs())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut attrs = String::new();
    for n in &names {
        if n.contains(['\t', '\n', '"']) {
            continue;
        }
        let (x, y, d) = delta(n);
        let strength = 1 + (3 * d.unsigned_abs() / max).min(3);
        let class = match d.signum() {
            0 => "zk-same".to_string(),
            1 => format!("zk-more{strength}"),
            _ => format!("zk-less{strength}"),
        };
        let share = if b_sum == 0 {
            String::new()
        } else {
            format!(
                ", {:+.2}% of the run before",
                d as f64 * 100.0 / b_sum as f64
            )
        };
        // Inferno escapes the title.
        let title = format!("{n}: {x} -> {y} cycles in total ({d:+}{share})");
        attrs += &format!("{n}\tclass={class}\ttitle={title}\n");
    }
    let mut opts = flame_options("Differential flamegraph".to_string());
    opts.func_frameattrs = inferno::flamegraph::FuncFrameAttrsMap::from_reader(attrs.as_bytes())?;
    opts.subtitle = Some(
        "sized by AFTER; colour: the function's change in total cycles (red more, blue less, \
         grey unchanged); hover for the totals"
            .to_string(),
    );
    let mut svg = Vec::new();
    inferno::flamegraph::from_reader(&mut opts, diff.as_slice(), &mut svg)?;
    let mut css =
        String::from("<style type=\"text/css\">\ng.zk-same rect { fill: rgb(220,220,220); }\n");
    for k in 1..=4u32 {
        // Strength 1 is visible on white; 4 is saturated.
        let c = 200 - 45 * k;
        css += &format!(
            "g.zk-more{k} rect {{ fill: rgb(255,{c},{c}); }}\ng.zk-less{k} rect {{ fill: rgb({c},{c},255); }}\n"
        );
    }
    let svg = String::from_utf8_lossy(&svg).replacen("<style type=\"text/css\">", &css, 1);
    w.write_all(svg.as_bytes())
}

/// A function's (self, total) cycles in a folded-stacks text.
type SelfTotal = (u64, u64);

/// Per-function totals of a folded-stacks text: the run's cycles, and
/// name -> (self, total) cycles (a function counted once per stack, so
/// recursion is not double-counted).
///
/// Errors: a line that is not `stack COUNT`, naming its number.
fn folded_totals(folded: &str) -> Result<(u64, BTreeMap<String, SelfTotal>), String> {
    let mut sum = 0u64;
    let mut t: BTreeMap<String, SelfTotal> = BTreeMap::new();
    for (i, line) in folded.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (stack, n) = line
            .rsplit_once(' ')
            .and_then(|(s, n)| Some((s, n.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| format!("line {}: not `frame;frame;... COUNT`: {line:?}", i + 1))?;
        sum = sum.saturating_add(n);
        let frames: Vec<&str> = stack.split(';').collect();
        let mut seen: Vec<&str> = Vec::with_capacity(frames.len());
        for f in &frames {
            if !seen.contains(f) {
                seen.push(f);
                let e = t.entry(f.to_string()).or_default();
                e.1 = e.1.saturating_add(n);
            }
        }
        if let Some(leaf) = frames.last() {
            let e = t.entry(leaf.to_string()).or_default();
            e.0 = e.0.saturating_add(n);
        }
    }
    Ok((sum, t))
}

/// The text of `zkdbg diff --top N`: the run totals before and after,
/// then the `n` functions whose total cycles changed most (by absolute
/// change, then name), with their self and total cycles before and after
/// and the change as a share of the run before.
///
/// Errors: a malformed folded line (see [`Profile::folded`]).
pub fn diff_table(before: &str, after: &str, n: usize) -> Result<String, String> {
    let (b_sum, b) = folded_totals(before).map_err(|e| format!("BEFORE: {e}"))?;
    let (a_sum, a) = folded_totals(after).map_err(|e| format!("AFTER: {e}"))?;
    let pct = |d: i128| {
        if b_sum == 0 {
            String::from("n/a")
        } else {
            format!("{:+.2}%", d as f64 * 100.0 / b_sum as f64)
        }
    };
    let total_d = a_sum as i128 - b_sum as i128;
    let mut s = format!(
        "total: {b_sum} -> {a_sum} cycles ({total_d:+}, {})\n",
        pct(total_d)
    );
    let mut rows: Vec<(&String, SelfTotal, SelfTotal, i128)> = b
        .keys()
        .chain(a.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|name| {
            let x = b.get(name).copied().unwrap_or_default();
            let y = a.get(name).copied().unwrap_or_default();
            (name, x, y, y.1 as i128 - x.1 as i128)
        })
        .filter(|r| r.3 != 0 || r.1 .0 != r.2 .0)
        .collect();
    rows.sort_by(|x, y| y.3.abs().cmp(&x.3.abs()).then_with(|| x.0.cmp(y.0)));
    s += &format!(
        "{:>14} {:>9} {:>14} {:>14} {:>14} {:>14}  function\n",
        "total delta", "of run", "total before", "total after", "self before", "self after"
    );
    for (name, x, y, d) in rows.into_iter().take(n) {
        s += &format!(
            "{:>+14} {:>9} {:>14} {:>14} {:>14} {:>14}  {name}\n",
            d,
            pct(d),
            x.1,
            y.1,
            x.0,
            y.0
        );
    }
    Ok(s)
}
