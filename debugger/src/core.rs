//! The debugger core shared by the GDB stub and the terminal UI:
//! breakpoints, watchpoints, ecall/syscall catchpoints, stepping, and
//! reverse execution by snapshots plus deterministic replay.
//!
//! # Reverse execution
//! The run is deterministic, so any earlier state can be rebuilt by
//! restoring an earlier snapshot (machine and OS) and replaying. Snapshots
//! are taken every `interval` instructions during forward execution (at
//! least 1 Mi, and 4 per byte of guest memory so that copying stays cheap); when
//! their total size passes the budget (default 256 MiB), every other one is
//! dropped and the interval doubles, so memory stays bounded and a reverse
//! step replays at most one interval. Guest output is captured and only
//! bytes past the furthest point already shown are forwarded, so replays
//! never print twice. Writing registers or memory rewrites history: later
//! snapshots are dropped and a new one is taken at the current point.

use crate::guest::Guest;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::io::Write;
use zkdbg_emulator::{
    AccessKind, Cpu, CustomEvent, Fault, HostCall, Insn, MemAccess, Observer, Op, Snapshot,
    StopReason, SyscallRequest, SyscallResult, TrapEvent,
};
use zkdbg_platforms::{Platform, PlatformOs};
use zkdbg_profiler::trace::Record;
use zkdbg_profiler::Tracer;
use zkdbg_symbols::{SourceMap, Symbolizer};

/// An empty syscall log for `guest`.
fn new_log(guest: &Guest) -> Tracer {
    let program = guest.machine.program.clone();
    Tracer::new(
        program,
        guest.symbols.source().clone(),
        Some(SYSCALL_LOG_MAX),
    )
}

/// What a watchpoint watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    /// Stores.
    Write,
    /// Loads.
    Read,
    /// Both.
    Access,
}

/// A watched byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watchpoint {
    /// First byte.
    pub addr: u64,
    /// Length in bytes.
    pub len: u64,
    /// Which accesses trigger it.
    pub kind: WatchKind,
}

/// Which `ecall`s and platform inlines stop the guest before they execute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catch {
    /// Every `ecall`.
    pub ecall: bool,
    /// `ecall`s whose a7 is one of these syscall numbers.
    pub syscalls: BTreeSet<u64>,
    /// The platform's inlines with these names (Jolt's `SHA256_INLINE`, ...).
    pub inlines: BTreeSet<&'static str>,
}

impl Catch {
    /// Whether nothing is caught.
    pub fn is_empty(&self) -> bool {
        !self.ecall && self.syscalls.is_empty() && self.inlines.is_empty()
    }
}

/// How to resume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Until something stops the guest.
    Continue,
    /// One instruction.
    Step,
    /// While pc stays in `start..end` (GDB's range stepping).
    Range(u64, u64),
}

/// Why the guest stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A step or range step finished.
    DoneStep,
    /// A breakpoint at this pc.
    Breakpoint(u64),
    /// A watchpoint: its kind and the watched address.
    Watch(WatchKind, u64),
    /// A catchpoint: stopped at an `ecall` with this a7.
    Catch(u64),
    /// A catchpoint: stopped at the platform's inline of this name.
    CatchInline(&'static str),
    /// The guest exited with this status.
    Exited(i32),
    /// The guest halted by jumping to itself.
    Halted,
    /// The guest set its zkVM's panic flag, then halted (exit code 101).
    Panicked,
    /// The guest faulted (pc is at the faulting instruction).
    Fault(Fault),
    /// Interrupted by the user (Ctrl-C).
    Interrupted,
    /// Reverse execution reached the start of the recorded history.
    StartOfHistory,
}

impl Watchpoint {
    /// Whether access `a` touches the watched bytes with a watched kind.
    #[inline(always)]
    fn hits(&self, a: &MemAccess) -> bool {
        let kind = match self.kind {
            WatchKind::Write => a.kind == AccessKind::Write,
            WatchKind::Read => a.kind == AccessKind::Read,
            WatchKind::Access => true,
        };
        kind && touches(a, self.addr, self.addr.saturating_add(self.len))
    }
}

/// Whether access `a` touches a byte of `lo..hi`.
#[inline(always)]
fn touches(a: &MemAccess, lo: u64, hi: u64) -> bool {
    a.addr < hi && lo < a.addr.saturating_add(a.size as u64)
}

/// What stops the guest, as both stop observers see it.
#[derive(Clone, Copy)]
struct Points<'a> {
    breakpoints: &'a FxHashSet<u64>,
    /// Breakpoints as one bit per halfword of the code range (no hashing
    /// on the hot path); pcs outside it use `breakpoints`.
    bits: &'a BpBits,
    watchpoints: &'a [Watchpoint],
    /// The bytes any watchpoint covers lie in `span.0..span.1` (empty
    /// without watchpoints): most accesses are rejected by two compares.
    span: (u64, u64),
    catch: &'a Catch,
    /// Names the platform's custom instructions (for inline catchpoints).
    platform: Platform,
}

impl<'a> Points<'a> {
    fn new(
        breakpoints: &'a FxHashSet<u64>,
        bits: &'a BpBits,
        watchpoints: &'a [Watchpoint],
        catch: &'a Catch,
        platform: Platform,
    ) -> Points<'a> {
        let span = watchpoints.iter().fold((u64::MAX, 0), |(lo, hi), w| {
            (lo.min(w.addr), hi.max(w.addr.saturating_add(w.len)))
        });
        Points {
            breakpoints,
            bits,
            watchpoints,
            span,
            catch,
            platform,
        }
    }

    /// A breakpoint or catchpoint at `insn` (before it executes).
    #[inline(always)]
    fn before(&self, cpu: &Cpu, pc: u64, insn: &Insn) -> Option<Event> {
        if self.bits.hit(pc, self.breakpoints) {
            Some(Event::Breakpoint(pc))
        } else if insn.op == Op::Ecall {
            // A platform call caught by name (SP1, RISC Zero: no trap
            // handler), else any ecall or a Linux syscall by a7.
            let named = if self.catch.inlines.is_empty() || cpu.csr.mtvec != 0 {
                None
            } else {
                self.platform
                    .ecall_name(&cpu.x)
                    .filter(|n| self.catch.inlines.contains(n))
            };
            if let Some(name) = named {
                Some(Event::CatchInline(name))
            } else if self.catch.ecall || self.catch.syscalls.contains(&cpu.x[17]) {
                Some(Event::Catch(cpu.x[17]))
            } else {
                None
            }
        } else if matches!(
            insn.op,
            Op::Custom | Op::HostIo | Op::Csrrs | Op::Csrrsi | Op::Csrrwi
        ) && !self.catch.inlines.is_empty()
        {
            // Custom instructions, and CSR instructions that are platform
            // calls (ZisK's precompiles).
            let name = self.platform.custom_name(insn)?;
            self.catch
                .inlines
                .contains(name)
                .then_some(Event::CatchInline(name))
        } else {
            None
        }
    }

    /// Whether [`Points::before`] may stop at any instruction in
    /// `start..end` (conservative: any catchpoint counts).
    #[inline(always)]
    fn may_stop_in(&self, start: u64, end: u64) -> bool {
        self.catch.ecall
            || !self.catch.syscalls.is_empty()
            || !self.catch.inlines.is_empty()
            || self.bits.any_in(start, end, self.breakpoints)
    }

    /// The first watchpoint access `a` triggers.
    #[inline(always)]
    fn watch(&self, a: &MemAccess) -> Option<Event> {
        self.hits(a).next().map(|w| Event::Watch(w.kind, w.addr))
    }

    /// The watchpoints access `a` triggers.
    #[inline(always)]
    fn hits<'b>(&'b self, a: &'b MemAccess) -> impl Iterator<Item = &'b Watchpoint> + 'b {
        let near = touches(a, self.span.0, self.span.1);
        let watched = if near { self.watchpoints } else { &[] };
        watched.iter().filter(move |w| w.hits(a))
    }
}

/// The stop observer of steps, range steps and reverse searches.
struct Stops<'a> {
    log: Option<&'a mut Tracer>,
    points: Points<'a>,
    range: Option<(u64, u64)>,
    /// Ignore stops at the first instruction (the one resumed from).
    first: bool,
    hit: Option<Event>,
    /// Record mode (reverse search): note hits and never stop.
    record: Option<Vec<(u64, Event)>>,
    /// Instructions seen (for record mode positions).
    count: u64,
    base: u64,
}

impl Observer for Stops<'_> {
    const RETIRED: bool = false;

    fn syscall_exit(
        &mut self,
        cpu: &Cpu,
        mem: &zkdbg_emulator::Memory,
        req: &SyscallRequest,
        res: &SyscallResult,
        cycles: u64,
    ) {
        if let Some(log) = self.log.as_deref_mut() {
            log.syscall_exit(cpu, mem, req, res, cycles);
        }
    }

    fn trap(&mut self, cpu: &Cpu, trap: &TrapEvent) {
        if let Some(log) = self.log.as_deref_mut() {
            log.trap(cpu, trap);
        }
    }

    fn trap_return(&mut self, cpu: &Cpu, pc: u64, to: u64) {
        if let Some(log) = self.log.as_deref_mut() {
            log.trap_return(cpu, pc, to);
        }
    }

    fn host_call(&mut self, cpu: &Cpu, call: &HostCall) {
        if let Some(log) = self.log.as_deref_mut() {
            log.host_call(cpu, call);
        }
    }

    fn custom(&mut self, cpu: &Cpu, event: &CustomEvent) {
        if let Some(log) = self.log.as_deref_mut() {
            log.custom(cpu, event);
        }
    }

    #[inline(always)]
    fn before_insn(&mut self, cpu: &Cpu, pc: u64, insn: &Insn) -> bool {
        let first = std::mem::replace(&mut self.first, false);
        let pos = self.base + self.count;
        self.count += 1;
        if first {
            return false;
        }
        let ev = self.points.before(cpu, pc, insn).or_else(|| {
            let (s, e) = self.range?;
            (!(s..e).contains(&pc)).then_some(Event::DoneStep)
        });
        match (&mut self.record, ev) {
            (Some(rec), Some(ev)) => {
                rec.push((pos, ev));
                false
            }
            (None, Some(ev)) => {
                self.hit = Some(ev);
                self.count -= 1;
                true
            }
            _ => false,
        }
    }

    #[inline(always)]
    fn mem_access(&mut self, a: &MemAccess) -> bool {
        match &mut self.record {
            // Every hit, at the position of the accessing instruction.
            Some(rec) => {
                let pos = self.base + self.count - 1;
                for w in self.points.hits(a) {
                    rec.push((pos, Event::Watch(w.kind, w.addr)));
                }
                false
            }
            None => match self.points.watch(a) {
                Some(ev) => {
                    self.hit = Some(ev);
                    true
                }
                None => false,
            },
        }
    }
}

/// The lean stop observer of `continue`: breakpoints, catchpoints and
/// watchpoints only.
struct Fast<'a> {
    log: &'a mut Tracer,
    points: Points<'a>,
    hit: Option<Event>,
}

/// The syscall log keeps this many of the newest records, so a guest
/// making billions of syscalls cannot grow the debugger's memory.
pub const SYSCALL_LOG_MAX: usize = 1 << 16;

impl Observer for Fast<'_> {
    const RETIRED: bool = false;
    const FILTERS_BLOCKS: bool = true;
    const COMPILED: bool = true;

    /// Watchpoints need every access: then the interpreter runs it all.
    fn may_run_compiled(&mut self) -> bool {
        self.points.watchpoints.is_empty()
    }

    #[inline(always)]
    fn may_stop_in(&mut self, _cpu: &Cpu, start: u64, end: u64) -> bool {
        self.points.may_stop_in(start, end)
    }

    fn syscall_exit(
        &mut self,
        cpu: &Cpu,
        mem: &zkdbg_emulator::Memory,
        req: &SyscallRequest,
        res: &SyscallResult,
        cycles: u64,
    ) {
        self.log.syscall_exit(cpu, mem, req, res, cycles);
    }

    fn trap(&mut self, cpu: &Cpu, trap: &TrapEvent) {
        self.log.trap(cpu, trap);
    }

    fn trap_return(&mut self, cpu: &Cpu, pc: u64, to: u64) {
        self.log.trap_return(cpu, pc, to);
    }

    fn host_call(&mut self, cpu: &Cpu, call: &HostCall) {
        self.log.host_call(cpu, call);
    }

    fn custom(&mut self, cpu: &Cpu, event: &CustomEvent) {
        self.log.custom(cpu, event);
    }

    #[inline(always)]
    fn before_insn(&mut self, cpu: &Cpu, pc: u64, insn: &Insn) -> bool {
        // `hit` is written only on a hit: no store per instruction.
        match self.points.before(cpu, pc, insn) {
            Some(ev) => {
                self.hit = Some(ev);
                true
            }
            None => false,
        }
    }

    #[inline(always)]
    fn mem_access(&mut self, a: &MemAccess) -> bool {
        match self.points.watch(a) {
            Some(ev) => {
                self.hit = Some(ev);
                true
            }
            None => false,
        }
    }
}

/// A bitmap of breakpoint addresses over the predecoded code range, kept
/// until the breakpoints or the code range change.
#[derive(Default)]
struct BpBits {
    base: u64,
    end: u64,
    words: Vec<u64>,
    /// The [`Debugger`]'s breakpoint generation it was built for.
    generation: u64,
}

impl BpBits {
    /// Rebuilds the bitmap if the breakpoints changed since it was built
    /// (their `generation` moved: every change goes through the
    /// [`Debugger`]'s setters) or the code range did.
    fn refresh(&mut self, breakpoints: &FxHashSet<u64>, generation: u64, code: (u64, u64)) {
        let (base, end) = code;
        if (self.base, self.end) == code && self.generation == generation && !self.words.is_empty()
        {
            return;
        }
        let slots = ((end - base) / 2) as usize;
        let mut words = vec![0u64; slots.div_ceil(64).max(1)];
        for &b in breakpoints {
            let s = b.wrapping_sub(base) / 2;
            if (s as usize) < slots {
                words[s as usize / 64] |= 1 << (s % 64);
            }
        }
        *self = BpBits {
            base,
            end,
            words,
            generation,
        };
    }

    /// Whether a breakpoint may lie in `start..end` (conservative: any
    /// breakpoint in the bitmap words covering the range counts).
    #[inline(always)]
    fn any_in(&self, start: u64, end: u64, all: &FxHashSet<u64>) -> bool {
        if start >= self.base && end <= self.end && start < end {
            let first = ((start - self.base) >> 1) as usize / 64;
            let last = (((end - 1 - self.base) >> 1) as usize) / 64;
            self.words[first..=last].iter().any(|&w| w != 0)
        } else {
            all.iter().any(|&b| b >= start && b < end)
        }
    }

    #[inline(always)]
    fn hit(&self, pc: u64, all: &FxHashSet<u64>) -> bool {
        let s = (pc.wrapping_sub(self.base) >> 1) as usize;
        if pc >= self.base && pc < self.end {
            self.words[s / 64] & (1 << (s % 64)) != 0
        } else {
            !all.is_empty() && all.contains(&pc)
        }
    }
}

/// One entry of the reverse-execution history: the machine and OS state
/// after `instret` instructions, and its size in bytes (not to be confused
/// with [`Points`], the stop conditions).
struct HistorySnapshot {
    instret: u64,
    machine: Snapshot,
    os: PlatformOs,
    bytes: u64,
}

/// Instructions run between two checks for an interrupt.
const CHUNK: u64 = 1 << 20;
/// The first snapshot interval, in instructions.
const FIRST_INTERVAL: u64 = 1 << 20;
/// Snapshots copy the guest's memory: at least this many instructions run
/// per byte of the latest snapshot before the next one, so that copying
/// (and the host's page faults for the copy) stays a few percent of the
/// run (a 1 MiB guest: a snapshot every 4 Mi instructions).
const INSNS_PER_SNAPSHOT_BYTE: u64 = 4;

/// A guest under the debugger's control.
pub struct Debugger {
    /// The guest (its OS captures output; [`Debugger::forward_output`]
    /// shows it). Front ends read it through [`Debugger::guest`] and change
    /// it only through [`Debugger::write_cpu`] and
    /// [`Debugger::write_memory`], which keep the history consistent.
    guest: Guest,
    /// The user's breakpoints.
    breakpoints: FxHashSet<u64>,
    /// Where execution stops: the user's breakpoints, plus the return
    /// address `step_over_call` runs to while it runs (never shown as a
    /// breakpoint of the user's).
    armed: FxHashSet<u64>,
    /// Moves on every change of `armed` (the bitmap's cache key).
    bp_generation: u64,
    watchpoints: Vec<Watchpoint>,
    catch: Catch,
    history: Vec<HistorySnapshot>,
    interval: u64,
    budget: u64,
    shown_out: usize,
    shown_err: usize,
    /// Where the guest ended, if it did (exit, halt or fault).
    ended: Option<Event>,
    /// Syscalls, in-guest kernel calls and host calls so far (the newest
    /// [`SYSCALL_LOG_MAX`]), rewound with the guest.
    log: Tracer,
    start: (Snapshot, PlatformOs),
    /// Where files named by a front end (`profile NAME`) are written.
    output_dir: std::path::PathBuf,
    /// Asked during long operations whether to stop (see
    /// [`Debugger::set_interrupt_check`]).
    interrupt: Option<InterruptCheck>,
    /// Cycles per instruction and per source line of the last `profile`
    /// command (the TUI annotates its panes with them).
    annotations: Option<Annotations>,
    bits: BpBits,
    /// The frame the user selected (`frame N`, `up`, `down`) and the
    /// (instret, pc) it was selected at: any execution deselects it.
    selected: (u64, u64, usize),
}

/// The path of the file `name` in `dir`, where `name` is a plain file name:
/// no directory part, no `..`, not absolute, not empty. Front ends pass
/// names typed by their user or sent by a remote GDB client, which must not
/// reach any other host path.
///
/// Errors: `InvalidInput`, naming the rule.
pub fn output_file(dir: &std::path::Path, name: &str) -> std::io::Result<std::path::PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0');
    if !plain {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "`{name}` is not a plain file name (files go to {}; no directories, no `..`)",
                dir.display()
            ),
        ));
    }
    Ok(dir.join(name))
}

/// Asked now and then during a long operation (source-level step, finish,
/// reverse step or continue) with a progress text such as "reverse-step:
/// 5000 instructions back"; returning `true` stops the operation, which
/// then reports [`Event::Interrupted`]. Front ends use it to show progress
/// and to let the user press Esc.
pub type InterruptCheck = Box<dyn FnMut(&str) -> bool>;

/// How many instructions a stepping loop runs between two interrupt checks.
const CHECK_EVERY: u64 = 4096;

/// Cycles per instruction and per source line (each pc's innermost inline
/// frame) of a profile of the run from its start to `instret`.
#[derive(Clone, Debug, Default)]
pub struct Annotations {
    /// Instructions retired when the profile was taken.
    pub instret: u64,
    /// Cycles by pc.
    pub by_pc: FxHashMap<u64, u64>,
    /// Cycles by (file, line).
    pub by_line: FxHashMap<(String, u32), u64>,
}

/// A frame of a backtrace: pc and its inline frames (innermost first).
#[derive(Clone, Debug)]
pub struct StackFrame {
    /// The pc (for outer frames, the return address).
    pub pc: u64,
    /// The functions at pc, innermost inline frame first.
    pub inline: Vec<InlineFrame>,
    /// The registers the unwinder recovered for this frame.
    pub unwound: zkdbg_symbols::UnwoundFrame,
}

impl StackFrame {
    /// The address to look this frame's code up by: pc for the innermost
    /// frame, inside the call instruction for outer ones.
    pub fn lookup(&self, innermost: bool) -> u64 {
        if innermost {
            self.pc
        } else {
            self.pc.wrapping_sub(2)
        }
    }
}

/// A frame selected by number (gdb's `frame N`): counted over inline
/// frames, innermost first, as `bt` numbers them.
#[derive(Clone, Debug)]
pub struct SelectedFrame {
    /// Its number.
    pub number: usize,
    /// The physical frame it is in.
    pub frame: StackFrame,
    /// Whether that is the innermost physical frame.
    pub innermost: bool,
    /// Its inline level within the physical frame (0 = innermost).
    pub depth: usize,
}

/// One function of a [`StackFrame`] (an inline frame, or the physical one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineFrame {
    /// Function name (demangled), `??` or `0xADDR` if unknown.
    pub function: String,
    /// `file:line`, if DWARF knows it.
    pub location: Option<String>,
}

/// `guest`'s call stack by DWARF CFI, innermost first, with inline frames
/// (a frame without DWARF is named by its symbol, else its address).
pub fn backtrace(guest: &Guest) -> Vec<StackFrame> {
    let cpu = &guest.machine.cpu;
    let source = guest.symbols.source();
    guest
        .symbols
        .unwinder()
        .frames(cpu.pc, &cpu.x, &guest.machine.mem)
        .into_iter()
        .enumerate()
        .map(|(i, unwound)| {
            let pc = unwound.pc;
            let lookup = if i == 0 { pc } else { pc.wrapping_sub(2) };
            let mut inline: Vec<InlineFrame> = source
                .frames(lookup)
                .into_iter()
                .map(|f| InlineFrame {
                    location: f.location(),
                    function: f.function.unwrap_or_else(|| "??".into()),
                })
                .collect();
            if inline.is_empty() || inline.iter().all(|f| f.function == "??") {
                let name = guest
                    .machine
                    .symbols()
                    .describe(pc)
                    .unwrap_or_else(|| format!("{pc:#x}"));
                inline = vec![InlineFrame {
                    function: name,
                    location: None,
                }];
            }
            StackFrame {
                pc,
                inline,
                unwound,
            }
        })
        .collect()
}

impl Debugger {
    /// Takes control of `guest` (loaded with [`zeroos::Output::Capture`]);
    /// `budget` bounds the snapshots' memory (bytes).
    pub fn new(guest: Guest, budget: u64) -> Debugger {
        let start = (guest.machine.snapshot(), guest.os.clone());
        let mut d = Debugger {
            log: new_log(&guest),
            guest,
            breakpoints: FxHashSet::default(),
            armed: FxHashSet::default(),
            bp_generation: 0,
            watchpoints: Vec::new(),
            catch: Catch::default(),
            history: Vec::new(),
            interval: FIRST_INTERVAL,
            budget,
            shown_out: 0,
            shown_err: 0,
            ended: None,
            start,
            bits: BpBits::default(),
            selected: (0, 0, 0),
            output_dir: std::path::PathBuf::from("."),
            interrupt: None,
            annotations: None,
        };
        d.take_snapshot();
        d
    }

    /// Retired instructions so far.
    pub fn instret(&self) -> u64 {
        self.guest.machine.cpu.instret
    }

    /// DWARF lines and inline frames of the guest.
    pub fn source(&self) -> &SourceMap {
        self.guest.symbols.source()
    }

    /// An address typed by a user: `0xHEX`, decimal, or a symbol name
    /// (a leading `*` or `&` is ignored, as in GDB's `*ADDR` and `&var`).
    pub fn parse_address(&self, spec: &str) -> Option<u64> {
        let s = spec.trim().trim_start_matches('*').trim_start_matches('&');
        if let Some(h) = s.strip_prefix("0x") {
            return u64::from_str_radix(h, 16).ok();
        }
        if let Ok(v) = s.parse() {
            return Some(v);
        }
        self.guest.machine.symbols().by_name(s).map(|x| x.addr)
    }

    /// Where a breakpoint on `spec` goes, as GDB places it: `FILE:LINE`
    /// (the first line at or after LINE with code), `*ADDR`, or a function
    /// (after its prologue: its second line-table line, if it has one).
    pub fn breakpoint_address(&self, spec: &str) -> Option<u64> {
        let (lo, hi) = self.guest.machine.mem.code_range();
        // FILE:LINE (a Rust path such as `krate::f` is a function name).
        if let Some((file, Ok(line))) = spec.rsplit_once(':').map(|(f, l)| (f, l.parse())) {
            return self.source().address_of_line(file, line, lo, hi);
        }
        if spec.starts_with('*') {
            return self.parse_address(spec);
        }
        let s = self.guest.machine.symbols().by_name(spec)?;
        let rows = self.source().line_rows(s.addr, s.addr + s.size.max(2));
        let first_line = rows.first().map(|r| r.2);
        Some(
            rows.iter()
                .find(|r| r.0 > s.addr && Some(r.2) != first_line)
                .map_or(s.addr, |r| r.0),
        )
    }

    /// Back to the entry point (history, output position and end cleared;
    /// breakpoints kept).
    pub fn reset(&mut self) {
        self.guest.machine.restore(&self.start.0);
        self.guest.os = self.start.1.clone();
        self.history.clear();
        self.interval = FIRST_INTERVAL;
        self.shown_out = 0;
        self.shown_err = 0;
        self.ended = None;
        self.log = new_log(&self.guest);
        self.take_snapshot();
    }

    fn take_snapshot(&mut self) {
        let instret = self.instret();
        if self.history.last().is_some_and(|p| p.instret >= instret) {
            return;
        }
        let point = self.history_snapshot();
        self.interval = self
            .interval
            .max(point.bytes.saturating_mul(INSNS_PER_SNAPSHOT_BYTE));
        self.history.push(point);
        let total: u64 = self.history.iter().map(|p| p.bytes).sum();
        if total > self.budget && self.history.len() > 2 {
            // Keep the first point and every other later one.
            let mut i = 0;
            self.history.retain(|_| {
                i += 1;
                i == 1 || i % 2 == 1
            });
            self.interval *= 2;
        }
    }

    /// The guest under control (read-only: see [`Debugger::write_cpu`]).
    pub fn guest(&self) -> &Guest {
        &self.guest
    }

    /// Changes hart state (registers, pc, CSRs) outside execution, as a
    /// debugger's `set var $a0 = 1` does; history after now is dropped and
    /// the new state recorded, so reverse execution stays consistent.
    pub fn write_cpu<R>(&mut self, f: impl FnOnce(&mut zkdbg_emulator::Cpu) -> R) -> R {
        let r = f(&mut self.guest.machine.cpu);
        self.state_written();
        r
    }

    /// Writes guest memory regardless of page permissions (a debugger
    /// poking data or code), keeping history consistent as
    /// [`Debugger::write_cpu`] does.
    ///
    /// Errors: a byte of the range is not mapped (nothing is written).
    pub fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), zkdbg_emulator::MemError> {
        self.guest.machine.mem.write_bytes(addr, data)?;
        self.state_written();
        Ok(())
    }

    /// Breakpoint addresses.
    pub fn breakpoints(&self) -> &FxHashSet<u64> {
        &self.breakpoints
    }

    /// Sets a breakpoint at `addr`; `false` if one was there.
    pub fn set_breakpoint(&mut self, addr: u64) -> bool {
        self.bp_generation += 1;
        self.armed.insert(addr);
        self.breakpoints.insert(addr)
    }

    /// Removes the breakpoint at `addr`; `false` if there was none.
    pub fn remove_breakpoint(&mut self, addr: u64) -> bool {
        self.bp_generation += 1;
        self.armed.remove(&addr);
        self.breakpoints.remove(&addr)
    }

    /// Removes every breakpoint.
    pub fn clear_breakpoints(&mut self) {
        self.bp_generation += 1;
        self.armed.clear();
        self.breakpoints.clear();
    }

    /// Watchpoints.
    pub fn watchpoints(&self) -> &[Watchpoint] {
        &self.watchpoints
    }

    /// Adds a watchpoint.
    pub fn add_watchpoint(&mut self, w: Watchpoint) {
        self.watchpoints.push(w);
    }

    /// Removes a watchpoint equal to `w`; `false` if there was none.
    pub fn remove_watchpoint(&mut self, w: &Watchpoint) -> bool {
        match self.watchpoints.iter().position(|x| x == w) {
            Some(i) => {
                self.watchpoints.remove(i);
                true
            }
            None => false,
        }
    }

    /// Removes every watchpoint.
    pub fn clear_watchpoints(&mut self) {
        self.watchpoints.clear();
    }

    /// Catchpoints.
    pub fn catch(&self) -> &Catch {
        &self.catch
    }

    /// Replaces the catchpoints.
    pub fn set_catch(&mut self, catch: Catch) {
        self.catch = catch;
    }

    /// Where the guest ended, if it did (exit, halt or fault).
    pub fn ended(&self) -> Option<&Event> {
        self.ended.as_ref()
    }

    /// The syscalls (served by zeroos or by an in-guest kernel) and host
    /// calls made so far, oldest first: the newest [`SYSCALL_LOG_MAX`],
    /// as `zkdbg trace` records them. Going back in time forgets the calls
    /// made after the new position.
    pub fn syscall_log(&self) -> std::collections::vec_deque::Iter<'_, Record> {
        self.log.records()
    }

    /// The guest changed outside execution (a register or memory write):
    /// drop history after now and record the current state.
    fn state_written(&mut self) {
        let now = self.instret();
        self.history.retain(|p| p.instret < now);
        self.take_snapshot_forced();
        self.ended = None;
    }

    fn take_snapshot_forced(&mut self) {
        let instret = self.instret();
        self.history.retain(|p| p.instret != instret);
        self.history.push(self.history_snapshot());
    }

    /// The current state as a history point.
    fn history_snapshot(&self) -> HistorySnapshot {
        let mem = &self.guest.machine.mem;
        let (lo, hi) = mem.code_range();
        HistorySnapshot {
            instret: self.instret(),
            machine: self.guest.machine.snapshot(),
            os: self.guest.os.clone(),
            bytes: mem.mapped_bytes() + hi - lo,
        }
    }

    /// Writes guest output not shown yet to `out` / `err`.
    pub fn forward_output(&mut self, out: &mut dyn Write, err: &mut dyn Write) {
        let o = self.guest.os.stdout();
        if o.len() > self.shown_out {
            let _ = out.write_all(&o[self.shown_out..]);
            let _ = out.flush();
            self.shown_out = o.len();
        }
        let e = self.guest.os.stderr();
        if e.len() > self.shown_err {
            let _ = err.write_all(&e[self.shown_err..]);
            let _ = err.flush();
            self.shown_err = e.len();
        }
    }

    /// All guest stdout so far (for front ends that show it).
    pub fn stdout(&self) -> &[u8] {
        self.guest.os.stdout()
    }

    fn end_event(&self, stop: &StopReason) -> Option<Event> {
        match stop {
            StopReason::Exited(c) => Some(Event::Exited(*c)),
            StopReason::Halted if self.guest.panicked() => Some(Event::Panicked),
            StopReason::Halted => Some(Event::Halted),
            StopReason::Fault(f) => Some(Event::Fault(f.clone())),
            _ => None,
        }
    }

    /// Runs forwards. `skip_first` ignores a breakpoint or catchpoint at
    /// the current pc (the one the user resumes from; always for a step).
    /// `interrupted` is polled between chunks of about a million
    /// instructions; returning true stops with [`Event::Interrupted`]. A
    /// run that has ended (exit or halt) reports its end again.
    pub fn resume(
        &mut self,
        how: Resume,
        skip_first: bool,
        mut interrupted: impl FnMut() -> bool,
    ) -> Event {
        // A step into the platform's kernel (RISC Zero's `ecall`) goes on
        // through it: the user program's step is the whole call.
        let from_kernel = self.in_platform_code(self.pc());
        let mut ev = self.resume_here(how, skip_first, &mut interrupted);
        while how == Resume::Step
            && ev == Event::DoneStep
            && !from_kernel
            && self.in_platform_code(self.pc())
        {
            ev = self.resume_here(how, true, &mut interrupted);
        }
        ev
    }

    /// Whether `pc` is in code the platform runs in the guest (RISC
    /// Zero's kernel): steps pass through it.
    fn in_platform_code(&self, pc: u64) -> bool {
        self.guest
            .code_regions()
            .iter()
            .any(|&(s, e, _)| (s..e).contains(&pc))
    }

    fn resume_here(
        &mut self,
        how: Resume,
        skip_first: bool,
        interrupted: &mut impl FnMut() -> bool,
    ) -> Event {
        if let Some(e) = &self.ended {
            if !matches!(e, Event::Fault(_)) {
                return e.clone();
            }
        }
        let mut first = skip_first || how == Resume::Step;
        loop {
            let now = self.instret();
            let next_snap = self.history.last().map_or(0, |p| p.instret) + self.interval;
            let mut steps = next_snap.saturating_sub(now).clamp(1, CHUNK);
            if how == Resume::Step || first {
                // The instruction resumed from runs alone (it ignores
                // breakpoints); the rest run under the lean observer.
                steps = 1;
            }
            self.bits.refresh(
                &self.armed,
                self.bp_generation,
                self.guest.machine.mem.code_range(),
            );
            let points = Points::new(
                &self.armed,
                &self.bits,
                &self.watchpoints,
                &self.catch,
                self.guest.platform.platform,
            );
            let mut stops = Stops {
                log: Some(&mut self.log),
                points,
                range: match how {
                    Resume::Range(s, e) => Some((s, e)),
                    _ => None,
                },
                first,
                hit: None,
                record: None,
                count: 0,
                base: now,
            };
            first = false;
            let g = &mut self.guest;
            let lean = how == Resume::Continue && !stops.first;
            let (stop, hit) = if lean {
                let log = stops.log.take().expect("log");
                let mut fast = Fast {
                    log,
                    points,
                    hit: None,
                };
                let stop = g.machine.run(&mut g.os, &mut fast, steps);
                (stop, fast.hit)
            } else {
                let stop = g.machine.run(&mut g.os, &mut stops, steps);
                (stop, stops.hit.take())
            };
            if self.instret() >= next_snap {
                self.take_snapshot();
            }
            if let Some(e) = self.end_event(&stop) {
                self.ended = Some(e.clone());
                return e;
            }
            match stop {
                StopReason::Breakpoint | StopReason::Watchpoint => {
                    return hit.unwrap_or(Event::DoneStep)
                }
                _ => {}
            }
            if how == Resume::Step {
                return Event::DoneStep;
            }
            if interrupted() {
                return Event::Interrupted;
            }
        }
    }

    /// The pc.
    pub fn pc(&self) -> u64 {
        self.guest.machine.cpu.pc
    }

    /// `(file, line)` of `pc`, if DWARF knows it.
    pub fn line_of(&self, pc: u64) -> Option<(String, u32)> {
        let f = self.source().frames(pc).into_iter().next()?;
        Some((f.file?, f.line?))
    }

    fn insn_at_pc(&self) -> Option<Insn> {
        self.guest.machine.mem.fetch(self.pc())
    }

    fn is_call(i: &Insn) -> bool {
        matches!(i.op, Op::Jal | Op::Jalr) && (i.rd == 1 || i.rd == 5)
    }

    fn is_return(i: &Insn) -> bool {
        i.op == Op::Jalr && i.rd == 0 && (i.rs1 == 1 || i.rs1 == 5)
    }

    /// Runs over the call at pc to its return address (with the stack
    /// pointer back where it was). Stops early for anything else.
    fn step_over_call(&mut self, len: u64) -> Event {
        let ret = self.pc() + len;
        let sp = self.guest.machine.cpu.x[2];
        let had = self.breakpoints.contains(&ret);
        self.bp_generation += 1;
        self.armed.insert(ret);
        let mut first = true;
        let ev = loop {
            let ev = self.resume(Resume::Continue, first, || false);
            first = false;
            match ev {
                Event::Breakpoint(pc) if pc == ret => {
                    if self.guest.machine.cpu.x[2] >= sp {
                        break Event::DoneStep;
                    }
                }
                other => break other,
            }
        };
        if !had {
            self.bp_generation += 1;
            self.armed.remove(&ret);
        }
        match ev {
            Event::Breakpoint(pc) if pc == ret && had => Event::DoneStep,
            e => e,
        }
    }

    /// Source-level step (`step`; with `over`, `next`): runs until the
    /// source line changes, into calls or over them. Code without line
    /// information is stepped through. At most `limit` instructions.
    pub fn step_line(&mut self, over: bool, limit: u64) -> Event {
        let mut start = self.line_of(self.pc());
        let start_instret = self.instret();
        let mut skipped_prologue = false;
        let mut next_check = CHECK_EVERY;
        loop {
            let Some(insn) = self.insn_at_pc() else {
                return self.resume(Resume::Step, true, || false);
            };
            let ev = if over && Self::is_call(&insn) {
                self.step_over_call(insn.len as u64)
            } else {
                self.resume(Resume::Step, true, || false)
            };
            if ev != Event::DoneStep {
                return ev;
            }
            let now = self.line_of(self.pc());
            if now.is_some() && now != start {
                // Entering a function: skip its prologue (the line of the
                // opening brace), as GDB does.
                let entry = self.guest.machine.symbols().is_function_entry(self.pc());
                if entry && !skipped_prologue {
                    skipped_prologue = true;
                    start = now;
                    continue;
                }
                return Event::DoneStep;
            }
            let done = self.instret() - start_instret;
            if done >= limit {
                return Event::DoneStep;
            }
            if done >= next_check {
                next_check = done + CHECK_EVERY;
                if self.interrupted(&format!("step: {done} instructions")) {
                    return Event::Interrupted;
                }
            }
        }
    }

    /// Runs until the current function returns (`finish`), stepping over
    /// calls it makes. At most `limit` instructions.
    pub fn finish(&mut self, limit: u64) -> Event {
        let start_instret = self.instret();
        let mut next_check = CHECK_EVERY;
        loop {
            let Some(insn) = self.insn_at_pc() else {
                return self.resume(Resume::Step, true, || false);
            };
            let ev = if Self::is_call(&insn) {
                self.step_over_call(insn.len as u64)
            } else {
                self.resume(Resume::Step, true, || false)
            };
            if ev != Event::DoneStep || Self::is_return(&insn) {
                return ev;
            }
            let done = self.instret() - start_instret;
            if done >= limit {
                return Event::DoneStep;
            }
            if done >= next_check {
                next_check = done + CHECK_EVERY;
                if self.interrupted(&format!("finish: {done} instructions")) {
                    return Event::Interrupted;
                }
            }
        }
    }

    /// Source-level reverse step: back to the previous source line.
    /// Where nothing has line information (no DWARF), one instruction.
    /// Each step back replays from a snapshot, so the interrupt check is
    /// asked at every one.
    pub fn reverse_line(&mut self, limit: u64) -> Event {
        let start = self.line_of(self.pc());
        if start.is_none() && !self.source().has_lines() {
            return self.reverse_step();
        }
        for n in 0..limit {
            let ev = self.reverse_step();
            if ev != Event::DoneStep {
                return ev;
            }
            if self.interrupted(&format!("reverse-step: {} instructions back", n + 1)) {
                return Event::Interrupted;
            }
            let now = self.line_of(self.pc());
            if now.is_some() && now != start {
                return Event::DoneStep;
            }
        }
        Event::DoneStep
    }

    /// The call stack by DWARF CFI, innermost first, with inline frames.
    pub fn backtrace(&self) -> Vec<StackFrame> {
        backtrace(&self.guest)
    }

    /// The number of the selected frame (0 until the user selects one;
    /// any execution selects frame 0 again).
    pub fn frame_number(&self) -> usize {
        let cpu = &self.guest.machine.cpu;
        match self.selected {
            (i, pc, n) if i == cpu.instret && pc == cpu.pc => n,
            _ => 0,
        }
    }

    /// Frame `number` (inline frames counted), if the stack has it.
    pub fn frame(&self, number: usize) -> Option<SelectedFrame> {
        let mut n = 0;
        for (i, f) in self.backtrace().into_iter().enumerate() {
            let levels = f.inline.len().max(1);
            if number < n + levels {
                return Some(SelectedFrame {
                    number,
                    depth: number - n,
                    innermost: i == 0,
                    frame: f,
                });
            }
            n += levels;
        }
        None
    }

    /// The selected frame.
    pub fn selected_frame(&self) -> Option<SelectedFrame> {
        self.frame(self.frame_number()).or_else(|| self.frame(0))
    }

    /// Selects frame `number` (gdb's `frame N`); errors if there is none.
    pub fn select_frame(&mut self, number: usize) -> Result<SelectedFrame, String> {
        let f = self.frame(number).ok_or_else(|| {
            let depth = self.frame_count();
            format!(
                "no frame {number}: the stack has {depth} (0..{})",
                depth.saturating_sub(1)
            )
        })?;
        let cpu = &self.guest.machine.cpu;
        self.selected = (cpu.instret, cpu.pc, number);
        Ok(f)
    }

    /// Frames on the stack, inline frames counted.
    pub fn frame_count(&self) -> usize {
        self.backtrace().iter().map(|f| f.inline.len().max(1)).sum()
    }

    /// The arguments and locals of the selected frame (DWARF; empty
    /// without it).
    pub fn locals(&self) -> Vec<zkdbg_symbols::Variable> {
        let Some(sel) = self.selected_frame() else {
            return Vec::new();
        };
        let u = &sel.frame.unwound;
        let state = self.frame_state(&sel, u);
        self.source().variables(&state, sel.depth)
    }

    /// gdb's `print EXPR` in the selected frame: `(type, value)`.
    pub fn print(&self, expr: &str) -> Result<(String, String), zkdbg_symbols::PrintError> {
        let sel = self
            .selected_frame()
            .ok_or(zkdbg_symbols::PrintError::NoDebugInfo(self.pc()))?;
        let u = &sel.frame.unwound;
        let state = self.frame_state(&sel, u);
        self.source().print(&state, sel.depth, expr)
    }

    fn frame_state<'a>(
        &'a self,
        sel: &SelectedFrame,
        u: &'a zkdbg_symbols::UnwoundFrame,
    ) -> zkdbg_symbols::FrameState<'a> {
        zkdbg_symbols::FrameState {
            pc: u.pc,
            lookup: if sel.innermost {
                u.pc
            } else {
                u.pc.wrapping_sub(1)
            },
            regs: &u.regs,
            valid: u.valid,
            cfa: u.cfa,
            mem: &self.guest.machine.mem,
        }
    }

    /// Restores the latest snapshot at or before `target` and replays up
    /// to it.
    fn goto(&mut self, target: u64) {
        let i = self
            .history
            .iter()
            .rposition(|p| p.instret <= target)
            .unwrap_or(0);
        let p = &self.history[i];
        self.guest.machine.restore(&p.machine);
        self.guest.os = p.os.clone();
        let steps = target.saturating_sub(self.instret());
        if steps > 0 {
            let g = &mut self.guest;
            g.machine.run(&mut g.os, &mut (), steps);
        }
        self.log.rewind_to(self.guest.machine.cpu.cycle);
        self.ended = None;
    }

    /// Steps one instruction backwards.
    pub fn reverse_step(&mut self) -> Event {
        let now = self.instret();
        if now == 0 || self.history.first().is_none_or(|p| p.instret >= now) {
            return Event::StartOfHistory;
        }
        let from_kernel = self.in_platform_code(self.pc());
        self.goto(now - 1);
        // Back over the platform's kernel to the `ecall` that entered it.
        if from_kernel || !self.in_platform_code(self.pc()) {
            return Event::DoneStep;
        }
        let mut t = now - 1;
        while t > 0 && self.in_platform_code(self.pc()) && self.history[0].instret < t {
            t -= 1;
            self.goto(t);
        }
        Event::DoneStep
    }

    /// Runs backwards to the latest breakpoint, watchpoint or catchpoint
    /// hit before now, or to the start of history.
    pub fn reverse_continue(&mut self) -> Event {
        let now = self.instret();
        let mut end = now;
        let mut k = match self.history.iter().rposition(|p| p.instret < now) {
            Some(k) => k,
            None => return Event::StartOfHistory,
        };
        loop {
            let start = self.history[k].instret;
            self.guest.machine.restore(&self.history[k].machine);
            self.guest.os = self.history[k].os.clone();
            self.bits.refresh(
                &self.armed,
                self.bp_generation,
                self.guest.machine.mem.code_range(),
            );
            let mut stops = Stops {
                log: None,
                points: Points::new(
                    &self.armed,
                    &self.bits,
                    &self.watchpoints,
                    &self.catch,
                    self.guest.platform.platform,
                ),
                range: None,
                first: false,
                hit: None,
                record: Some(Vec::new()),
                count: 0,
                base: start,
            };
            let g = &mut self.guest;
            g.machine.run(&mut g.os, &mut stops, end - start);
            let rec = stops.record.take().unwrap_or_default();
            if let Some((pos, ev)) = rec.into_iter().rfind(|(p, _)| *p < now) {
                self.goto(pos);
                return ev;
            }
            if k == 0 {
                self.goto(start);
                return Event::StartOfHistory;
            }
            if self.interrupted(&format!("reverse-continue: back to instruction {start}")) {
                self.goto(start);
                return Event::Interrupted;
            }
            end = start;
            k -= 1;
        }
    }

    /// Writes an SVG flamegraph of the run so far (replayed from the entry
    /// point under the profiler) to the file `name` in the output directory
    /// ([`Debugger::set_output_dir`], default the current directory);
    /// returns the path written and the cycles it covers.
    ///
    /// `name` comes from a front end's user or a remote GDB client, so it
    /// must be a plain file name (see [`output_file`]); the file is created
    /// without following a symlink.
    ///
    /// Errors: a name that is not a plain file name; the file cannot be
    /// created or written.
    pub fn profile_svg(&mut self, name: &str) -> std::io::Result<(std::path::PathBuf, u64)> {
        let path = output_file(&self.output_dir, name)?;
        let cycles = self.profile_svg_to(&path)?;
        Ok((path, cycles))
    }

    /// Sets the check long operations call to show progress and to learn
    /// whether the user wants them to stop.
    pub fn set_interrupt_check(&mut self, check: InterruptCheck) {
        self.interrupt = Some(check);
    }

    /// Asks the interrupt check, if any.
    fn interrupted(&mut self, progress: &str) -> bool {
        self.interrupt.as_mut().is_some_and(|f| f(progress))
    }

    /// The cycles per instruction and per line of the last `profile`
    /// command, if any.
    pub fn annotations(&self) -> Option<&Annotations> {
        self.annotations.as_ref()
    }

    /// Where [`Debugger::profile_svg`] writes its files.
    pub fn set_output_dir(&mut self, dir: std::path::PathBuf) {
        self.output_dir = dir;
    }

    fn profile_svg_to(&mut self, path: &std::path::Path) -> std::io::Result<u64> {
        let program = self.guest.machine.program.clone();
        let source = self.source().clone();
        let mut sym = Symbolizer::new(program, source);
        for &(start, end, name) in self.guest.code_regions() {
            sym.name_region(start, end, name);
        }
        let mut prof = zkdbg_profiler::Profiler::new(sym);
        prof.count_pcs();
        // On RISC Zero, its paging model watches too: `[paging]` frames
        // where pages were paged, as `zkdbg profile` shows them.
        match self.risc0_segment_po2() {
            Some(po2) => {
                let mut paged = zkdbg_platforms::risc0::pager::Paged::new(&mut prof, po2);
                self.replay_with(&mut paged);
            }
            None => self.replay_with(&mut prof),
        }
        let p = prof.finish();
        let mut ann = Annotations {
            instret: self.instret(),
            ..Annotations::default()
        };
        for (pc, c) in p.pc_cycles().unwrap_or_default() {
            ann.by_pc.insert(pc, c);
            if let Some(l) = self.line_of(pc) {
                *ann.by_line.entry(l).or_default() += c;
            }
        }
        self.annotations = Some(ann);
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let mut w = std::io::BufWriter::new(file);
        p.write_svg(&self.guest.name(), &mut w)?;
        w.flush()?;
        Ok(p.cycles())
    }

    /// log2 of the segment size on RISC Zero (`None` on other platforms).
    fn risc0_segment_po2(&self) -> Option<u32> {
        match &self.guest.os.device {
            zkdbg_platforms::Device::Risc0(d) => Some(d.segment_po2),
            _ => None,
        }
    }

    /// RISC Zero's accounting of the run so far (user, paging, reserved
    /// and total cycles, segments; the open segment counted as the last,
    /// rounded to a power of two), as `zkdbg run` reports it at the end:
    /// a replay from the entry point under RISC Zero's paging model
    /// (`risc0::pager`). `None` on other platforms.
    pub fn risc0_cycles(&mut self) -> Option<zkdbg_platforms::risc0::pager::Risc0Cycles> {
        let po2 = self.risc0_segment_po2()?;
        let mut paged = zkdbg_platforms::risc0::pager::Paged::new((), po2);
        self.replay_with(&mut paged);
        Some(paged.pager.totals())
    }

    /// Replays from the entry point to now under `obs` (a profiler or a
    /// tracer), leaving the guest where it was.
    pub fn replay_with<O: Observer>(&mut self, obs: &mut O) {
        let now = self.instret();
        let saved = (self.guest.machine.snapshot(), self.guest.os.clone());
        let ended = self.ended.clone();
        self.guest.machine.restore(&self.start.0);
        self.guest.os = self.start.1.clone();
        let g = &mut self.guest;
        g.machine.run(&mut g.os, obs, now);
        self.guest.machine.restore(&saved.0);
        self.guest.os = saved.1;
        self.ended = ended;
    }
}
