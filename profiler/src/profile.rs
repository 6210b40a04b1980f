//! The exact cycle profiler: an [`Observer`] that keeps a shadow call stack
//! and charges every retired instruction's cycles to a call-tree node.
//!
//! # Call stack model
//! A *physical frame* is pushed on every call (`jal`/`jalr` whose rd is a
//! link register, `ra` or `t0`, as the RISC-V calling convention hints) and
//! on every trap into an in-guest kernel; it records the call-tree node
//! of the calling instruction, the return address and the stack pointer.
//! Inside a physical frame the pc's inline chain (see [`zkdbg_symbols::symbolize`])
//! gives the function and its inlined callees, so the node charged for an
//! instruction is *caller's node + the pc's chain*. Consequences:
//! - a tail call (a plain jump to another function's entry) changes the
//!   pc's chain but pushes nothing: the callee replaces its caller;
//! - a return pops to the frame whose return address matches the target
//!   (skipping frames, as `longjmp` does, counts an *unwind*); if none
//!   matches, frames are unwound by stack pointer (those called with a
//!   lower `sp` than the current one are gone), and if that pops nothing
//!   the return counts as a *confusion* and the stack is left as it is;
//! - `mret` pops to the newest trap frame.
//!
//! Syscalls served by `zeroos` appear as a leaf frame `[syscall] NAME`
//! under the instruction's stack, charged the `ecall`'s whole cost
//! (1 + the modeled syscall cycles). With an in-guest kernel, the `ecall`
//! and every instruction up to and including the `mret` sit under
//! `[syscall] NAME`, the name taken from a7 at the `ecall`. A platform's
//! inline (a custom instruction standing for a sequence of the zkVM's own
//! instructions) is a leaf frame `[inline] NAME` charged its cost in the
//! platform's cycles; a Jolt host call is `[host] print` or
//! `[host] cycle marker`.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use zkdbg_emulator::{
    CompiledRun, Cpu, CustomEvent, HostCall, Insn, Memory, Observer, SyscallRequest, SyscallResult,
    Transfer, TransferKind, TrapEvent, Xlen,
};
use zkdbg_symbols::symbolize::{ChainId, NameId, Symbolizer};

/// A call-tree node: a frame name under a parent node.
#[derive(Clone, Debug)]
pub struct Node {
    /// Parent node (the root is its own parent).
    pub parent: u32,
    /// Frame name.
    pub name: NameId,
    /// Cycles charged to this node itself.
    pub self_cycles: u64,
    /// Frames from the root (the root's children have depth 1).
    pub depth: u32,
}

/// Deepest call-tree node kept: frames below it (physical or inline) are
/// folded into one `[truncated frames]` frame at this depth, so profile
/// size and time stay O(distinct stacks x this) whatever the guest's
/// recursion depth. Cycles charged there are counted in
/// [`StackStats::truncated_cycles`].
pub const MAX_DEPTH: u32 = 512;

/// Host bytes one call-tree node takes with its index entries (an estimate
/// for [`Profiler::limit_nodes`]).
pub const NODE_BYTES: u64 = 96;

/// The name of the frame deeper frames are folded into.
pub const TRUNCATED_FRAME: &str = "[truncated frames]";

/// How many of the newest physical frames a return searches for its
/// return address before unwinding by stack pointer (bounds the work of a
/// return whatever the depth).
const RETURN_SEARCH: usize = 1024;

/// The root of the call tree (no frame).
pub const ROOT: u32 = 0;

/// The frame names from the root down to `node` (outermost first).
pub(crate) fn path_of(nodes: &[Node], mut node: u32) -> Vec<NameId> {
    let mut out = Vec::new();
    while node != ROOT {
        out.push(nodes[node as usize].name);
        node = nodes[node as usize].parent;
    }
    out.reverse();
    out
}

#[derive(Clone, Debug)]
struct PhysFrame {
    /// Node of the instruction that made the call (or trapped).
    ctx: u32,
    /// Return address (for a trap: `mepc`).
    ret: u64,
    /// Stack pointer at the call.
    sp: u64,
    /// For a trap frame: the cycle count before the `ecall` and the
    /// syscall's name.
    trap: Option<(u64, String, u64)>,
}

/// Shadow-stack health: how often the stack needed repair.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct StackStats {
    /// Returns that matched no frame and could not be unwound by `sp`.
    pub confusions: u64,
    /// Returns that skipped frames (`longjmp`, exceptions) or were
    /// resolved by stack pointer.
    pub unwinds: u64,
    /// Deepest physical stack seen (frames).
    pub max_depth: u64,
    /// Cycles charged below [`MAX_DEPTH`], to the `[truncated frames]` frame.
    pub truncated_cycles: u64,
    /// Whether the call tree reached its node limit
    /// ([`Profiler::limit_nodes`]): stacks first seen after that were
    /// charged to their deepest frame already in the tree.
    pub node_limit_reached: bool,
}

/// Per-syscall totals.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct SyscallStat {
    /// Syscall name (asm-generic table), or the number if unknown.
    pub name: String,
    /// Syscall number (a7).
    pub nr: u64,
    /// Calls.
    pub count: u64,
    /// Cycles: the `ecall`'s cost for host-served syscalls; from the `ecall`
    /// through the `mret` for an in-guest kernel.
    pub cycles: u64,
    /// Bytes transferred (non-negative returns of read/write-like calls).
    pub bytes: u64,
}

/// A cycle-tracking span's totals.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct SpanStat {
    /// Label.
    pub name: String,
    /// Completed start/end pairs.
    pub count: u64,
    /// Sum of (end cycle - start cycle) over the pairs.
    pub cycles: u64,
    /// Starts never ended.
    pub unclosed: u64,
}

/// The profiling observer. Run a machine with it, then read the results
/// with [`Profiler::finish`].
pub struct Profiler {
    sym: Symbolizer,
    xlen: Xlen,
    nodes: Vec<Node>,
    children: FxHashMap<(u32, NameId), u32>,
    leaves: FxHashMap<(u32, ChainId), u32>,
    chain_cache: Vec<(u32, u32)>,
    stack: Vec<PhysFrame>,
    /// Indices in `stack` of its trap frames, ascending.
    traps: Vec<usize>,
    ctx: u32,
    last: (u32, ChainId, u32),
    /// Node of the instruction retired last.
    cur: u32,
    /// A `[syscall]` frame to put under the next retired instruction.
    pending: Option<NameId>,
    /// Cycles of the fast path not yet charged to node `last.2`.
    acc: u64,
    instructions: u64,
    cycles: u64,
    stats: StackStats,
    syscalls: BTreeMap<u64, SyscallStat>,
    calls: FxHashMap<u64, u64>,
    spans: BTreeMap<String, SpanStat>,
    open_spans: BTreeMap<String, Vec<u64>>,
    line: Vec<u8>,
    truncated: NameId,
    max_nodes: usize,
    /// The timeline (see [`Profiler::sample_every`]).
    timeline: Timeline,
    /// Cycles per pc (see [`Profiler::count_pcs`]).
    pcs: Option<PcCycles>,
    /// Cycles per (call-tree node, pc) (see [`Profiler::count_node_pcs`]).
    node_pcs: Option<NodePcs>,
    /// Only cycles inside this span count (see [`Profiler::only_span`]).
    gate: Option<String>,
    /// Whether the gate's span is closed now (cycles are not charged).
    gate_closed: bool,
}

/// Cycles per pc: dense over the program's executable range (one slot per
/// halfword), sparse elsewhere.
#[derive(Clone, Debug, Default)]
pub struct PcCycles {
    base: u64,
    dense: Vec<u64>,
    other: FxHashMap<u64, u64>,
}

impl PcCycles {
    #[inline(always)]
    fn add(&mut self, pc: u64, cycles: u64) {
        match self
            .dense
            .get_mut((pc.wrapping_sub(self.base) >> 1) as usize)
        {
            Some(c) if pc >= self.base => *c += cycles,
            _ => *self.other.entry(pc).or_default() += cycles,
        }
    }

    /// (pc, cycles) of every pc that retired, by pc.
    pub fn iter(&self) -> Vec<(u64, u64)> {
        let mut v: Vec<(u64, u64)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != 0)
            .map(|(i, c)| (self.base + 2 * i as u64, *c))
            .chain(self.other.iter().map(|(&p, &c)| (p, c)))
            .collect();
        v.sort_unstable();
        v
    }
}

/// Cycles per (call-tree node, pc), for pprof's per-pc locations. Each
/// halfword of the executable range holds the node it last ran under and
/// the cycles since (no hashing while a pc keeps its node); a pc that runs
/// under another node moves its count to the map first. At most `max`
/// pairs in the map: past that, a new pair's cycles go to (node,
/// [`NO_PC`]).
#[derive(Clone, Debug, Default)]
pub struct NodePcs {
    base: u64,
    dense: Vec<(u32, u64)>,
    map: FxHashMap<(u32, u64), u64>,
    max: usize,
}

/// The pc of cycles [`NodePcs`] had no room to place.
pub const NO_PC: u64 = u64::MAX;

impl NodePcs {
    #[inline(always)]
    fn add(&mut self, node: u32, pc: u64, cycles: u64) {
        let slot = (pc.wrapping_sub(self.base) >> 1) as usize;
        match self.dense.get_mut(slot) {
            Some(e) if pc >= self.base && e.0 == node => e.1 += cycles,
            Some(e) if pc >= self.base => {
                let old = std::mem::replace(e, (node, cycles));
                if old.1 != 0 {
                    Self::put(&mut self.map, self.max, old.0, pc, old.1);
                }
            }
            _ => Self::put(&mut self.map, self.max, node, pc, cycles),
        }
    }

    fn put(map: &mut FxHashMap<(u32, u64), u64>, max: usize, node: u32, pc: u64, cycles: u64) {
        let full = map.len() >= max;
        match map.get_mut(&(node, pc)) {
            Some(c) => *c += cycles,
            None if full => *map.entry((node, NO_PC)).or_default() += cycles,
            None => {
                map.insert((node, pc), cycles);
            }
        }
    }

    /// Every (node, pc) and its cycles.
    fn finish(mut self) -> FxHashMap<(u32, u64), u64> {
        for (i, &(node, c)) in self.dense.iter().enumerate() {
            if c != 0 {
                let pc = self.base + 2 * i as u64;
                Self::put(&mut self.map, self.max, node, pc, c);
            }
        }
        self.map
    }
}

/// Samples of the call stack as the run goes: every `interval` cycles, the
/// node the cycles went to. Bounded: past `max` samples, every other one is
/// dropped and the interval doubles (so the same run always gives the
/// same samples).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Cycles between two samples (0: no timeline).
    pub interval: u64,
    /// (cycle, node) in cycle order.
    pub samples: Vec<(u64, u32)>,
    next: u64,
    max: usize,
}

impl Timeline {
    /// Records `node` for every sample point up to `cycles`.
    #[cold]
    #[inline(never)]
    fn take(&mut self, cycles: u64, node: u32) {
        while self.interval != 0 && cycles >= self.next {
            self.samples.push((self.next, node));
            if self.samples.len() > self.max {
                let kept: Vec<(u64, u32)> = self.samples.iter().copied().step_by(2).collect();
                self.samples = kept;
                self.interval = self.interval.saturating_mul(2);
                let last = self.samples.last().map_or(0, |s| s.0);
                self.next = last.saturating_add(self.interval);
                continue;
            }
            self.next = self.next.saturating_add(self.interval);
        }
    }
}

impl Profiler {
    /// A profiler symbolizing with `sym`.
    pub fn new(mut sym: Symbolizer) -> Profiler {
        let root = sym.intern("[root]");
        let truncated = sym.intern(TRUNCATED_FRAME);
        let xlen = sym.program().xlen;
        Profiler {
            sym,
            xlen,
            nodes: vec![Node {
                parent: ROOT,
                name: root,
                self_cycles: 0,
                depth: 0,
            }],
            children: FxHashMap::default(),
            leaves: FxHashMap::default(),
            chain_cache: Vec::new(),
            stack: Vec::new(),
            traps: Vec::new(),
            ctx: ROOT,
            last: (u32::MAX, ChainId::MAX, ROOT),
            cur: ROOT,
            pending: None,
            acc: 0,
            instructions: 0,
            cycles: 0,
            stats: StackStats::default(),
            syscalls: BTreeMap::new(),
            calls: FxHashMap::default(),
            spans: BTreeMap::new(),
            open_spans: BTreeMap::new(),
            line: Vec::new(),
            truncated,
            max_nodes: u32::MAX as usize,
            timeline: Timeline {
                next: u64::MAX,
                ..Timeline::default()
            },
            pcs: None,
            node_pcs: None,
            gate: None,
            gate_closed: false,
        }
    }

    /// Charges only the cycles run while a span named `name` is open (an
    /// SP1 `cycle-tracker-start: NAME` ... `-end` pair, a Jolt marker):
    /// the profile of that span alone. The call stacks are still followed
    /// outside it.
    pub fn only_span(&mut self, name: &str) {
        self.gate = Some(name.to_string());
        self.gate_closed = true;
    }

    /// Counts cycles per (call-tree node, pc) as well, so the pprof
    /// output has one location per pc with its line and inline chain (`go
    /// tool pprof -list`, `-lines`); at most `max` distinct pairs (24
    /// bytes each), the rest charged to their node without a pc; 16 bytes
    /// per 2 bytes of code besides.
    pub fn count_node_pcs(&mut self, max: usize) {
        let (base, slots) = self.code_slots();
        self.node_pcs = Some(NodePcs {
            base,
            dense: vec![(0, 0); slots],
            map: FxHashMap::default(),
            max,
        });
    }

    /// The executable range's lowest address and its halfwords (at most
    /// 8 Mi: beyond 16 MiB of code, pcs go to maps).
    fn code_slots(&self) -> (u64, usize) {
        let exec = self.sym.program().segments.iter().filter(|s| s.exec);
        let lo = exec.clone().map(|s| s.vaddr).min().unwrap_or(0);
        let hi = exec
            .map(|s| s.vaddr.saturating_add(s.mem_size))
            .max()
            .unwrap_or(0);
        (lo, (hi.saturating_sub(lo) / 2).min(8 << 20) as usize)
    }

    /// Also counts cycles per pc (for `--top N --by line`): dense over the
    /// program's executable segments (8 bytes per 2 bytes of code).
    pub fn count_pcs(&mut self) {
        let (lo, slots) = self.code_slots();
        self.pcs = Some(PcCycles {
            base: lo,
            dense: vec![0; slots],
            other: FxHashMap::default(),
        });
    }

    /// Samples the call stack every `cycles` cycles as the run goes (the
    /// timeline of `--gecko` and `--speedscope`), keeping at most `max`
    /// samples (beyond that, the interval doubles).
    pub fn sample_every(&mut self, cycles: u64, max: usize) {
        self.timeline = Timeline {
            interval: cycles,
            samples: Vec::new(),
            next: cycles,
            max: max.max(2),
        };
    }

    /// Bounds the call tree to about `bytes` of host memory (a node with
    /// its index entries takes about [`NODE_BYTES`]); the CLI passes the
    /// guest's memory limit, so a guest making ever new stacks cannot grow
    /// the profiler past it.
    pub fn limit_nodes(&mut self, bytes: u64) {
        self.max_nodes = usize::try_from(bytes / NODE_BYTES)
            .unwrap_or(usize::MAX)
            .clamp(1024, u32::MAX as usize);
    }

    /// Cycles charged so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// The symbolizer (for names).
    pub fn symbolizer(&self) -> &Symbolizer {
        &self.sym
    }

    /// The function names of the current stack, outermost first (inline
    /// frames included), as the profile would charge the next cycle.
    pub fn current_stack(&self) -> Vec<String> {
        self.path(self.cur)
            .into_iter()
            .map(|n| self.sym.name(n).to_string())
            .collect()
    }

    fn path(&self, node: u32) -> Vec<NameId> {
        path_of(&self.nodes, node)
    }

    /// The node `name` under `parent`; at [`MAX_DEPTH`] the
    /// `[truncated frames]` node, which is its own child.
    fn child(&mut self, parent: u32, name: NameId) -> u32 {
        let p = &self.nodes[parent as usize];
        let depth = p.depth + 1;
        if p.name == self.truncated && parent != ROOT {
            return parent;
        }
        let name = if depth >= MAX_DEPTH {
            self.truncated
        } else {
            name
        };
        if self.nodes.len() >= self.max_nodes && !self.children.contains_key(&(parent, name)) {
            self.stats.node_limit_reached = true;
            return parent;
        }
        let next = self.nodes.len() as u32;
        let id = *self.children.entry((parent, name)).or_insert(next);
        if id == next {
            self.nodes.push(Node {
                parent,
                name,
                self_cycles: 0,
                depth,
            });
        }
        id
    }

    /// The node for `chain` under `ctx`: a one-entry cache per chain, then
    /// a hash map, then the tree walk.
    #[inline]
    fn leaf(&mut self, ctx: u32, chain: ChainId) -> u32 {
        if let Some(&(c, n)) = self.chain_cache.get(chain as usize) {
            if c == ctx {
                return n;
            }
        }
        let n = self.leaf_lookup(ctx, chain);
        let i = chain as usize;
        if self.chain_cache.len() <= i {
            self.chain_cache.resize(i + 1, (u32::MAX, ROOT));
        }
        self.chain_cache[i] = (ctx, n);
        n
    }

    #[cold]
    fn leaf_lookup(&mut self, ctx: u32, chain: ChainId) -> u32 {
        if let Some(&n) = self.leaves.get(&(ctx, chain)) {
            return n;
        }
        let names = self.sym.chain(chain).to_vec();
        let mut n = ctx;
        for name in names {
            // A region's code calling itself stays one frame.
            if self.nodes[n as usize].name == name && self.sym.is_region(name) {
                continue;
            }
            n = self.child(n, name);
        }
        self.leaves.insert((ctx, chain), n);
        n
    }

    fn push(&mut self, f: PhysFrame) {
        self.ctx = f.ctx;
        if f.trap.is_some() {
            self.traps.push(self.stack.len());
        }
        self.stack.push(f);
        self.stats.max_depth = self.stats.max_depth.max(self.stack.len() as u64);
    }

    fn set_top(&mut self) {
        self.ctx = self.stack.last().map_or(ROOT, |f| f.ctx);
    }

    /// A return to `to` with stack pointer `sp`.
    fn ret(&mut self, to: u64, sp: u64) {
        let window = self.stack.len().saturating_sub(RETURN_SEARCH);
        let found = self.stack[window..]
            .iter()
            .rposition(|f| f.trap.is_none() && f.ret == to)
            .map(|i| i + window);
        match found {
            Some(i) => {
                if i + 1 != self.stack.len() {
                    self.stats.unwinds += 1;
                }
                // Frames above a trap frame may not be popped by a plain
                // return; a match below one is a confusion.
                if self.traps.last().is_some_and(|&t| t > i) {
                    self.stats.confusions += 1;
                    return;
                }
                self.stack.truncate(i);
            }
            None => {
                let before = self.stack.len();
                while let Some(f) = self.stack.last() {
                    if f.trap.is_none() && f.sp <= sp {
                        self.stack.pop();
                    } else {
                        break;
                    }
                }
                if self.stack.len() == before {
                    self.stats.confusions += 1;
                } else {
                    self.stats.unwinds += 1;
                }
            }
        }
        self.set_top();
    }

    fn syscall_frame(&mut self, nr: u64) -> (NameId, String) {
        let name = zeroos::syscall_label(nr, self.xlen);
        (self.sym.intern(&format!("[syscall] {name}")), name)
    }

    fn syscall_stat(&mut self, nr: u64, name: String) -> &mut SyscallStat {
        self.syscalls.entry(nr).or_insert_with(|| SyscallStat {
            name,
            nr,
            ..SyscallStat::default()
        })
    }

    /// Feeds guest stdout to the SP1-style span parser.
    fn stdout_text(&mut self, text: &[u8], cycle: u64) {
        for &b in text {
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                let line = String::from_utf8_lossy(&line);
                if let Some(n) = line.trim_end().strip_prefix("cycle-tracker-start: ") {
                    self.span(n.trim(), true, cycle);
                } else if let Some(n) = line.trim_end().strip_prefix("cycle-tracker-end: ") {
                    self.span(n.trim(), false, cycle);
                }
            } else if self.line.len() < 4096 {
                self.line.push(b);
            }
        }
    }

    fn span(&mut self, name: &str, start: bool, cycle: u64) {
        let open = self.open_spans.entry(name.to_string()).or_default();
        let stat = self.spans.entry(name.to_string()).or_insert(SpanStat {
            name: name.to_string(),
            ..SpanStat::default()
        });
        if start {
            open.push(cycle);
        } else if let Some(s) = open.pop() {
            stat.count += 1;
            stat.cycles += cycle.saturating_sub(s);
        }
        if self.gate.as_deref() == Some(name) {
            self.gate_closed = open.is_empty();
        }
    }

    #[cold]
    #[inline(never)]
    fn retired_slow(&mut self, chain: ChainId, cycles: u64) {
        self.flush();
        let mut node = if self.last.0 == self.ctx && self.last.1 == chain {
            self.last.2
        } else {
            let n = self.leaf(self.ctx, chain);
            self.last = (self.ctx, chain, n);
            n
        };
        if let Some(name) = self.pending.take() {
            node = self.child(node, name);
            // The next instruction takes the slow path again (it belongs
            // to the node without the syscall frame).
            self.nodes[node as usize].self_cycles += cycles;
            self.cur = node;
            self.last = (u32::MAX, ChainId::MAX, ROOT);
            return;
        }
        self.cur = node;
        self.acc = cycles;
    }

    /// Charges the accumulated cycles of the fast path to their node.
    #[inline(always)]
    fn flush(&mut self) {
        if self.acc != 0 {
            self.nodes[self.last.2 as usize].self_cycles += self.acc;
            self.acc = 0;
        }
    }

    /// Ends profiling and returns the call tree and totals.
    pub fn finish(mut self) -> crate::report::Profile {
        self.flush();
        self.stats.truncated_cycles = self
            .nodes
            .iter()
            .filter(|n| n.name == self.truncated && n.depth == MAX_DEPTH)
            .map(|n| n.self_cycles)
            .sum();
        for (name, open) in &self.open_spans {
            if let Some(s) = self.spans.get_mut(name) {
                s.unclosed = open.len() as u64;
            }
        }
        let mut calls: BTreeMap<NameId, u64> = BTreeMap::new();
        let mut targets: Vec<(u64, u64)> = self.calls.iter().map(|(&a, &n)| (a, n)).collect();
        targets.sort_unstable();
        for (addr, n) in targets {
            let chain = self.sym.chain_of(addr);
            let outer = self.sym.chain(chain)[0];
            *calls.entry(outer).or_default() += n;
        }
        crate::report::Profile {
            nodes: self.nodes,
            instructions: self.instructions,
            cycles: self.cycles,
            stack: self.stats,
            syscalls: self.syscalls.into_values().collect(),
            spans: self.spans.into_values().collect(),
            calls,
            sym: self.sym,
            timeline: self.timeline,
            pcs: self.pcs,
            node_pcs: self.node_pcs.map(NodePcs::finish),
        }
    }
}

impl Profiler {
    /// Charges one retired instruction at `pc` costing `cycles`.
    #[inline(always)]
    fn retire(&mut self, pc: u64, cycles: u64) {
        let chain = self.sym.chain_of(pc);
        // Outside the span of --span the call tree is followed (calls
        // made there still give their callees' paths) but nothing is
        // charged.
        let cycles = if self.gate_closed { 0 } else { cycles };
        if !self.gate_closed {
            self.cycles += cycles;
            self.instructions += 1;
            if let Some(p) = &mut self.pcs {
                p.add(pc, cycles);
            }
        }
        if self.last.0 == self.ctx && self.last.1 == chain && self.pending.is_none() {
            // Fast path: same node as the previous instruction.
            self.acc += cycles;
        } else {
            self.retired_slow(chain, cycles);
        }
        if let Some(n) = &mut self.node_pcs {
            if cycles != 0 {
                n.add(self.cur, pc, cycles);
            }
        }
        if self.cycles >= self.timeline.next && self.timeline.interval != 0 {
            self.timeline.take(self.cycles, self.cur);
        }
    }
}

impl Observer for Profiler {
    /// Compiled blocks report each instruction's pc and cycles
    /// ([`Observer::retired_compiled`]): the same attribution as the
    /// interpreter's per-instruction events.
    const COMPILED: bool = true;

    #[inline(always)]
    fn retired(&mut self, _cpu: &Cpu, pc: u64, _insn: &Insn, cycles: u64) {
        self.retire(pc, cycles);
    }

    #[inline(always)]
    fn retired_compiled(&mut self, _cpu: &Cpu, run: &CompiledRun) {
        for (pc, cycles) in run.instructions() {
            self.retire(pc, cycles);
        }
    }

    #[inline(always)]
    fn transfer(&mut self, cpu: &Cpu, t: &Transfer) {
        match t.kind {
            TransferKind::Call => {
                self.push(PhysFrame {
                    ctx: self.cur,
                    ret: t.next,
                    sp: cpu.x[2],
                    trap: None,
                });
                *self.calls.entry(t.to).or_default() += 1;
            }
            TransferKind::Return => self.ret(t.to, cpu.x[2]),
            TransferKind::CoroutineSwap => {
                self.ret(t.to, cpu.x[2]);
                self.push(PhysFrame {
                    ctx: self.cur,
                    ret: t.next,
                    sp: cpu.x[2],
                    trap: None,
                });
            }
            TransferKind::Jump => {
                if self.sym.program().symbols.is_function_entry(t.to) {
                    *self.calls.entry(t.to).or_default() += 1;
                }
            }
            TransferKind::Trap => {
                // `trap` (before `retired`) already named the frame.
                let start = cpu.cycle.saturating_sub(1);
                let nr = cpu.x[17];
                let (_, name) = self.syscall_frame(nr);
                self.push(PhysFrame {
                    ctx: self.cur,
                    ret: cpu.csr.mepc,
                    sp: cpu.x[2],
                    trap: Some((start, name, nr)),
                });
            }
            TransferKind::TrapReturn => match self.traps.pop() {
                Some(i) => {
                    let (start, name, nr) = self.stack[i].trap.clone().expect("trap frame");
                    if t.to != self.stack[i].ret && t.to != self.stack[i].ret + 4 {
                        self.stats.unwinds += 1;
                    }
                    self.stack.truncate(i);
                    self.set_top();
                    let cycles = cpu.cycle.saturating_sub(start);
                    let s = self.syscall_stat(nr, name);
                    s.count += 1;
                    s.cycles += cycles;
                }
                None => self.stats.confusions += 1,
            },
        }
    }

    fn trap(&mut self, _cpu: &Cpu, trap: &TrapEvent) {
        let frame = if trap.cause == 11 {
            self.syscall_frame(trap.a7).0
        } else {
            self.sym.intern(&format!("[trap mcause={}]", trap.cause))
        };
        self.pending = Some(frame);
    }

    fn syscall_enter(&mut self, _cpu: &Cpu, mem: &Memory, req: &SyscallRequest) {
        let (frame, _) = self.syscall_frame(req.nr);
        self.pending = Some(frame);
        let is_write = zeroos::syscall_name(req.nr, self.xlen) == Some("write");
        if is_write && (req.args[0] == 1 || req.args[0] == 2) {
            if let Ok(text) = mem.read_vec(req.args[1], req.args[2].min(1 << 16) as usize) {
                self.stdout_text(&text, req.cycle);
            }
        }
    }

    fn syscall_exit(
        &mut self,
        _cpu: &Cpu,
        _mem: &Memory,
        req: &SyscallRequest,
        res: &SyscallResult,
        cycles: u64,
    ) {
        let (_, name) = self.syscall_frame(req.nr);
        let bytes = match res {
            SyscallResult::Return(v)
                if zeroos::syscall_info(req.nr).is_some_and(|i| i.moves_bytes) =>
            {
                let v = self.xlen.signed(*v);
                v.max(0) as u64
            }
            _ => 0,
        };
        let s = self.syscall_stat(req.nr, name);
        s.count += 1;
        s.cycles += cycles + 1;
        s.bytes += bytes;
    }

    fn platform_cycles(&mut self, _cpu: &Cpu, frame: &'static str, cycles: u64) {
        if self.gate_closed {
            return;
        }
        // A child of the node the last instruction went to.
        self.flush();
        let name = self.sym.intern(frame);
        let node = self.child(self.cur, name);
        self.nodes[node as usize].self_cycles += cycles;
        self.cycles += cycles;
        if self.cycles >= self.timeline.next && self.timeline.interval != 0 {
            self.timeline.take(self.cycles, node);
        }
    }

    fn custom(&mut self, _cpu: &Cpu, event: &CustomEvent) {
        if let Some(tag) = event.kind.tag() {
            self.pending = Some(self.sym.intern(&format!("[{tag}] {}", event.name)));
        }
    }

    fn guest_output(&mut self, cpu: &Cpu, fd: u32, bytes: &[u8]) {
        if fd == 1 {
            self.stdout_text(bytes, cpu.cycle);
        }
    }

    fn host_call(&mut self, cpu: &Cpu, call: &HostCall) {
        let frame = match call {
            HostCall::Print { .. } => "[host] print",
            HostCall::CycleMarker { .. } => "[host] cycle marker",
        };
        self.pending = Some(self.sym.intern(frame));
        match call {
            HostCall::Print { text, newline } => {
                self.stdout_text(text, cpu.cycle);
                if *newline {
                    self.stdout_text(b"\n", cpu.cycle);
                }
            }
            HostCall::CycleMarker {
                label,
                start,
                cycle,
            } => self.span(label, *start, *cycle),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use zkdbg_emulator::{Machine, Program};
    use zkdbg_symbols::source::SourceMap;

    /// A machine running a hand-assembled loop with no symbols, so that
    /// every frame is `[unknown 0xPAGE]`.
    fn flat_loop() -> Arc<Program> {
        // li t0, 5; 1: addi t0, t0, -1; bnez t0, 1b; j . (halt)
        let words: [u32; 4] = [0x0050_0293, 0xfff2_8293, 0xfe02_9ee3, 0x0000_006f];
        let image = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        Arc::new(Program::flat(Xlen::X64, 0x8000_0000, image, 0x1000))
    }

    #[test]
    fn unknown_code_is_charged_not_dropped() {
        let program = flat_loop();
        let mut m = Machine::new(program.clone(), Default::default()).unwrap();
        let mut p = Profiler::new(Symbolizer::new(program, SourceMap::empty()));
        let stop = m.run(&mut zkdbg_emulator::NoSyscalls, &mut p, 1000);
        assert_eq!(stop, zkdbg_emulator::StopReason::Halted);
        let prof = p.finish();
        assert_eq!(prof.folded(), vec!["[unknown 0x80000000] 12".to_string()]);
        assert_eq!(prof.cycles(), m.cpu.cycle);
    }

    #[test]
    fn the_timeline_samples_every_interval_and_stays_bounded() {
        let program = flat_loop();
        // 12 cycles: samples at 3, 6, 9, 12.
        let mut m = Machine::new(program.clone(), Default::default()).unwrap();
        let mut p = Profiler::new(Symbolizer::new(program.clone(), SourceMap::empty()));
        p.sample_every(3, 100);
        m.run(&mut zkdbg_emulator::NoSyscalls, &mut p, 1000);
        let prof = p.finish();
        let t = prof.timeline();
        let cycles: Vec<u64> = t.iter().map(|s| s.0).collect();
        assert_eq!(cycles, vec![3, 6, 9, 12]);
        assert!(t
            .iter()
            .all(|s| s.1 == vec!["[unknown 0x80000000]".to_string()]));
        assert_eq!(prof.timeline_interval(), 3);
        // At most 4 samples of 1 cycle: the interval doubles as needed.
        let mut m = Machine::new(program.clone(), Default::default()).unwrap();
        let mut p = Profiler::new(Symbolizer::new(program, SourceMap::empty()));
        p.sample_every(1, 4);
        m.run(&mut zkdbg_emulator::NoSyscalls, &mut p, 1000);
        let prof = p.finish();
        let t = prof.timeline();
        assert!(t.len() <= 5, "{t:?}");
        assert_eq!(prof.timeline_interval(), 4);
        let cycles: Vec<u64> = t.iter().map(|s| s.0).collect();
        assert!(cycles.windows(2).all(|w| w[1] - w[0] == 4), "{cycles:?}");
    }

    #[test]
    fn a_return_without_a_call_is_a_confusion_not_a_panic() {
        // auipc ra, 0; addi ra, ra, 12; ret (no call made it); j .
        let words: [u32; 4] = [0x0000_0097, 0x00c0_8093, 0x0000_8067, 0x0000_006f];
        let image = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let program = Arc::new(Program::flat(Xlen::X64, 0x8000_0000, image, 0x1000));
        let mut m = Machine::new(program.clone(), Default::default()).unwrap();
        let mut p = Profiler::new(Symbolizer::new(program, SourceMap::empty()));
        m.run(&mut zkdbg_emulator::NoSyscalls, &mut p, 100);
        let prof = p.finish();
        assert_eq!(prof.stack_stats().confusions, 1);
        assert_eq!(prof.cycles(), 4);
    }

    #[test]
    fn the_call_tree_stops_growing_at_its_node_limit() {
        let program = flat_loop();
        let mut p = Profiler::new(Symbolizer::new(program, SourceMap::empty()));
        p.limit_nodes(0); // the smallest tree: 1024 nodes
        let names: Vec<NameId> = (0..5000).map(|i| p.sym.intern(&format!("f{i}"))).collect();
        // A wide tree (a deep one stops at MAX_DEPTH anyway).
        for &n in &names {
            let c = p.child(ROOT, n);
            assert!(c == ROOT || p.nodes[c as usize].name == n);
        }
        assert_eq!(p.nodes.len(), 1024);
        assert!(p.stats.node_limit_reached);
        // Existing nodes are still found.
        assert_eq!(p.child(ROOT, names[0]), 1);
    }

    #[test]
    fn rust_and_cpp_names_are_demangled() {
        use zkdbg_symbols::symbolize::demangle;
        assert_eq!(
            demangle("_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt::write"
        );
        assert_eq!(demangle("_ZN3foo3barEv"), "foo::bar()");
        assert_eq!(demangle("main"), "main");
    }

    #[test]
    fn jolt_markers_and_sp1_lines_make_spans() {
        let program = flat_loop();
        let m = Machine::new(program.clone(), Default::default()).unwrap();
        let mut p = Profiler::new(Symbolizer::new(program, SourceMap::empty()));
        let marker = |start, cycle| HostCall::CycleMarker {
            label: "verify".into(),
            start,
            cycle,
        };
        p.host_call(&m.cpu, &marker(true, 100));
        p.host_call(&m.cpu, &marker(false, 350));
        p.host_call(&m.cpu, &marker(true, 400));
        p.host_call(&m.cpu, &marker(false, 450));
        p.host_call(&m.cpu, &marker(true, 500));
        p.stdout_text(b"cycle-tracker-start: hash\nnoise\n", 10);
        p.stdout_text(b"cycle-tracker-end: hash\n", 70);
        let prof = p.finish();
        let spans = prof.spans();
        assert_eq!(spans[0].name, "hash");
        assert_eq!((spans[0].count, spans[0].cycles), (1, 60));
        assert_eq!(spans[1].name, "verify");
        assert_eq!((spans[1].count, spans[1].cycles), (2, 300));
        assert_eq!(spans[1].unclosed, 1);
    }
}
