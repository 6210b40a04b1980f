//! The syscall trace: one [`Record`] per syscall (served by `zeroos` or by
//! an in-guest kernel) and per Jolt host call, with decoded arguments, as
//! JSON lines or strace-style text.
//!
//! Argument decoding follows the Linux man pages (section 2) and strace's
//! conventions: paths and short buffers as strings (buffers cut at
//! [`STRING_LIMIT`] bytes), flags by name (`O_*`, `PROT_*`, `MAP_*`,
//! `SEEK_*`, `CLOCK_*`, `AT_FDCWD`), pointers in hex, other values in
//! decimal.

use rustc_hash::FxHashMap;
use serde::ser::{Serialize, Serializer};
use std::sync::Arc;
use zeroos::ArgKind;
use zkdbg_emulator::{
    CallArg, Cpu, CustomEvent, CustomKind, HostCall, Memory, Observer, Program, SyscallRequest,
    SyscallResult, TrapEvent, Xlen,
};
use zkdbg_symbols::source::SourceMap;

/// Bytes of a buffer or path shown before `...`.
pub const STRING_LIMIT: usize = 32;

/// A decoded syscall argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A signed integer (fds, sizes, exit codes).
    Int(i64),
    /// A pointer or other unsigned value, shown in hex.
    Hex(u64),
    /// A string read from guest memory; `true` if cut at [`STRING_LIMIT`].
    Str(Vec<u8>, bool),
    /// A symbolic value (flags, constants), e.g. `O_RDONLY|O_CLOEXEC`.
    Sym(String),
}

impl Serialize for Arg {
    /// Integers as JSON numbers, pointers as `"0x..."` strings, strings
    /// (lossy UTF-8, `...` appended if cut) and symbols as JSON strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Int(v) => s.serialize_i64(*v),
            Arg::Hex(v) => s.serialize_str(&format!("{v:#x}")),
            Arg::Str(b, cut) => {
                let mut t = String::from_utf8_lossy(b).into_owned();
                if *cut {
                    t.push_str("...");
                }
                s.serialize_str(&t)
            }
            Arg::Sym(t) => s.serialize_str(t),
        }
    }
}

impl std::fmt::Display for Arg {
    /// strace's rendering: strings quoted with C escapes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Int(v) => write!(f, "{v}"),
            Arg::Hex(v) => write!(f, "{v:#x}"),
            Arg::Sym(t) => f.write_str(t),
            Arg::Str(b, cut) => {
                f.write_str("\"")?;
                for &c in b {
                    match c {
                        b'\n' => f.write_str("\\n")?,
                        b'\t' => f.write_str("\\t")?,
                        b'\r' => f.write_str("\\r")?,
                        b'"' => f.write_str("\\\"")?,
                        b'\\' => f.write_str("\\\\")?,
                        0x20..=0x7e => write!(f, "{}", c as char)?,
                        _ => write!(f, "\\{c:o}")?,
                    }
                }
                f.write_str("\"")?;
                if *cut {
                    f.write_str("...")?;
                }
                Ok(())
            }
        }
    }
}

/// What served the `ecall`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    /// A Linux syscall served on the host by `zeroos`.
    Syscall,
    /// A syscall trapped to the guest's own kernel (`mtvec`), from the
    /// `ecall` to the `mret`.
    KernelSyscall,
    /// A Jolt host call (VirtualHostIO or `ecall` with a7=0): print or
    /// cycle marker; not a syscall.
    HostCall,
    /// A platform's inline (a custom instruction), e.g. Jolt's
    /// `SHA256_INLINE`; its arguments are rs1, rs2 and rd.
    Inline,
    /// A platform's precompile called by `ecall`, e.g. SP1's
    /// `SHA_COMPRESS`; its arguments are a0, a1 and a2.
    Precompile,
    /// A platform's own syscall (not Linux), e.g. SP1's `WRITE` or
    /// `HINT_READ`; its arguments are a0, a1 and a2.
    PlatformSyscall,
}

/// One traced call. JSONL field names are the struct's.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct Record {
    /// Cycle count when the `ecall` started.
    pub cycle: u64,
    /// Address of the `ecall` (or host-call instruction), `"0x..."`.
    #[serde(serialize_with = "hex")]
    pub pc: u64,
    /// Function containing `pc` (innermost inline frame), if known.
    pub function: Option<String>,
    /// `file:line` of `pc`, if DWARF knows it.
    pub location: Option<String>,
    /// What served it.
    pub kind: RecordKind,
    /// Syscall number (a7); `null` for host calls.
    pub nr: Option<u64>,
    /// Syscall name (asm-generic table; the number as text if unknown),
    /// or `print` / `cycle_marker_start` / `cycle_marker_end`.
    pub name: String,
    /// Decoded arguments.
    pub args: Vec<Arg>,
    /// Return value (a0 after the call, signed); `null` for exits and
    /// host calls.
    pub ret: Option<i64>,
    /// Errno name when `ret` is in -4095..=-1, e.g. `"ENOENT"`.
    pub errno: Option<String>,
    /// Cycles the call cost (the `ecall` included).
    pub cycles: u64,
}

fn hex<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:#x}"))
}

impl Record {
    /// The record as one strace-style line (no newline):
    /// `CYCLE [PC] name(args) = ret <CYCLES cycles>`, as `strace -i -T`
    /// reads with cycles in place of time.
    pub fn strace_line(&self) -> String {
        format!(
            "{:>12} [{:08x}] {} <{} cycles>",
            self.cycle,
            self.pc,
            self.call_text(),
            self.cycles
        )
    }

    /// The call alone, as strace prints it: `write(1, "hi\n", 3) = 3`,
    /// `openat(AT_FDCWD, "/x", O_RDONLY, 0) = -1 ENOENT`, `exit(0) = ?`,
    /// tagged `[kernel] ` or `[host] ` for calls not served by zeroos.
    pub fn call_text(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|a| a.to_string()).collect();
        let ret = if matches!(
            self.kind,
            RecordKind::HostCall
                | RecordKind::Inline
                | RecordKind::Precompile
                | RecordKind::PlatformSyscall
        ) {
            String::new()
        } else {
            format!(" = {}", ret_text(self.ret, self.errno.as_deref()))
        };
        let tag = match self.kind {
            RecordKind::Syscall => "",
            RecordKind::KernelSyscall => "[kernel] ",
            RecordKind::HostCall => "[host] ",
            RecordKind::Inline => "[inline] ",
            RecordKind::Precompile => "[precompile] ",
            RecordKind::PlatformSyscall => "[platform] ",
        };
        format!("{tag}{}({}){ret}", self.name, args.join(", "))
    }
}

fn flags(v: u64, table: &[(u64, &str)], zero: &str) -> Arg {
    if v == 0 {
        return Arg::Sym(zero.to_string());
    }
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    Arg::Sym(parts.join("|"))
}

fn open_flags(v: u64) -> Arg {
    let acc = match v & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    const T: &[(u64, &str)] = &[
        (0o100, "O_CREAT"),
        (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"),
        (0o1000, "O_TRUNC"),
        (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"),
        (0o100000, "O_LARGEFILE"),
        (0o200000, "O_DIRECTORY"),
        (0o400000, "O_NOFOLLOW"),
        (0o2000000, "O_CLOEXEC"),
    ];
    match flags(v & !3, T, "") {
        Arg::Sym(s) if s.is_empty() => Arg::Sym(acc.to_string()),
        Arg::Sym(s) => Arg::Sym(format!("{acc}|{s}")),
        a => a,
    }
}

fn read_string(mem: &Memory, addr: u64, len: usize) -> Option<(Vec<u8>, bool)> {
    let n = len.min(STRING_LIMIT);
    let b = mem.read_vec(addr, n).ok()?;
    Some((b, len > STRING_LIMIT))
}

fn read_cstr(mem: &Memory, addr: u64) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    for i in 0..=STRING_LIMIT as u64 {
        let b = mem.peek_u8(addr.wrapping_add(i)).ok()?;
        if b == 0 {
            return Some((out, false));
        }
        if out.len() == STRING_LIMIT {
            return Some((out, true));
        }
        out.push(b);
    }
    Some((out, true))
}

/// a0 after a call as a signed return value, and its errno name when it is
/// in -4095..=-1 (the kernel's error range). On RV32 a value below that
/// range is an address above 2 GiB (`brk`, `mmap2`): kept unsigned.
fn ret_fields(v: u64, xlen: Xlen) -> (Option<i64>, Option<String>) {
    let r = xlen.signed(v);
    if xlen == Xlen::X32 && r < -4095 {
        return (Some((v & 0xffff_ffff) as i64), None);
    }
    let errno = (-4095..=-1)
        .contains(&r)
        .then(|| zeroos::errno_name(-r).map_or_else(|| format!("E{}", -r), str::to_string));
    (Some(r), errno)
}

/// A return value as strace shows it: `-1 ENOENT`, hex for large values,
/// `?` when there is none (exit).
fn ret_text(ret: Option<i64>, errno: Option<&str>) -> String {
    match (ret, errno) {
        (Some(_), Some(e)) => format!("-1 {e}"),
        (Some(r), None) if r > 0xffff => format!("{r:#x}"),
        (Some(r), None) => r.to_string(),
        (None, _) => "?".to_string(),
    }
}

/// The arguments of syscall `nr` decoded by the kinds of its entry in
/// zeroos' syscall table (raw hex where the table has none), before the
/// call (`ret` = None) or after it.
fn decode_args(
    nr: u64,
    raw: &[u64; 6],
    xlen: Xlen,
    mem: Option<&Memory>,
    ret: Option<i64>,
) -> Vec<Arg> {
    let Some(shape) = zeroos::syscall_info(nr).and_then(|i| i.args_for(xlen)) else {
        return raw.iter().map(|&v| Arg::Hex(v)).collect();
    };
    let sx = |v: u64| xlen.signed(v);
    shape
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let v = raw[i];
            let ptr_str = |r: Option<(Vec<u8>, bool)>| match r {
                Some((b, cut)) => Arg::Str(b, cut),
                None => Arg::Hex(v),
            };
            match *a {
                ArgKind::Fd | ArgKind::Int => Arg::Int(sx(v)),
                ArgKind::DirFd if sx(v) == -100 => Arg::Sym("AT_FDCWD".into()),
                ArgKind::DirFd => Arg::Int(sx(v)),
                ArgKind::Hex => Arg::Hex(v),
                ArgKind::Path => ptr_str(mem.and_then(|m| read_cstr(m, v))),
                ArgKind::InBuf(n) => {
                    let len = raw[n].min(1 << 20) as usize;
                    ptr_str(mem.and_then(|m| read_string(m, v, len)))
                }
                ArgKind::OutBuf => match ret {
                    Some(r) if r >= 0 => ptr_str(mem.and_then(|m| read_string(m, v, r as usize))),
                    _ => Arg::Hex(v),
                },
                ArgKind::OpenFlags => open_flags(v),
                ArgKind::Mode => Arg::Sym(format!("0{v:o}")),
                ArgKind::Whence => match v {
                    0 => Arg::Sym("SEEK_SET".into()),
                    1 => Arg::Sym("SEEK_CUR".into()),
                    2 => Arg::Sym("SEEK_END".into()),
                    _ => Arg::Int(sx(v)),
                },
                ArgKind::Prot => flags(
                    v,
                    &[(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")],
                    "PROT_NONE",
                ),
                ArgKind::MapFlags => flags(
                    v,
                    &[
                        (1, "MAP_SHARED"),
                        (2, "MAP_PRIVATE"),
                        (0x10, "MAP_FIXED"),
                        (0x20, "MAP_ANONYMOUS"),
                        (0x4000, "MAP_NORESERVE"),
                    ],
                    "0",
                ),
                ArgKind::Clock => match v {
                    0 => Arg::Sym("CLOCK_REALTIME".into()),
                    1 => Arg::Sym("CLOCK_MONOTONIC".into()),
                    2 => Arg::Sym("CLOCK_PROCESS_CPUTIME_ID".into()),
                    3 => Arg::Sym("CLOCK_THREAD_CPUTIME_ID".into()),
                    4 => Arg::Sym("CLOCK_MONOTONIC_RAW".into()),
                    5 => Arg::Sym("CLOCK_REALTIME_COARSE".into()),
                    6 => Arg::Sym("CLOCK_MONOTONIC_COARSE".into()),
                    7 => Arg::Sym("CLOCK_BOOTTIME".into()),
                    _ => Arg::Int(sx(v)),
                },
                ArgKind::Ioctl => match v {
                    0x5401 => Arg::Sym("TCGETS".into()),
                    0x5413 => Arg::Sym("TIOCGWINSZ".into()),
                    _ => Arg::Hex(v),
                },
                ArgKind::SigHow => match v {
                    0 => Arg::Sym("SIG_BLOCK".into()),
                    1 => Arg::Sym("SIG_UNBLOCK".into()),
                    2 => Arg::Sym("SIG_SETMASK".into()),
                    _ => Arg::Int(sx(v)),
                },
                ArgKind::Futex => {
                    let op = match v & 127 {
                        0 => "FUTEX_WAIT".to_string(),
                        1 => "FUTEX_WAKE".to_string(),
                        n => n.to_string(),
                    };
                    Arg::Sym(if v & 128 != 0 {
                        format!("{op}_PRIVATE")
                    } else {
                        op
                    })
                }
            }
        })
        .collect()
}

/// Where a streaming [`Tracer`] sends each finished record (`Some`), and
/// `None` once at the end, to flush.
pub type RecordSink = Box<dyn FnMut(Option<&Record>) -> std::io::Result<()>>;

/// Records a streaming tracer holds at most while an in-guest kernel has
/// not returned from a syscall; past it, records go out unfinished.
const STREAM_HOLD: usize = 1 << 16;

/// The syscall-tracing observer. Records accumulate in
/// [`Tracer::records`]; with a limit, only the newest are kept. A
/// streaming tracer ([`Tracer::streaming`]) hands each record to its sink
/// as soon as it is finished instead, so memory stays constant however
/// many syscalls the guest makes.
pub struct Tracer {
    program: Arc<Program>,
    source: SourceMap,
    xlen: Xlen,
    places: FxHashMap<u64, (Option<String>, Option<String>)>,
    records: std::collections::VecDeque<Record>,
    limit: Option<usize>,
    /// Kernel syscalls in flight (`ecall` seen, `mret` not yet), by
    /// sequence number: their records are in place, completed at `mret`.
    in_kernel: Vec<u64>,
    /// Records pushed so far (the sequence number of the next one).
    pushed: u64,
    /// Records dropped because of the limit.
    pub dropped: u64,
    sink: Option<RecordSink>,
    /// The first error the sink returned (records after it are dropped).
    sink_error: Option<std::io::Error>,
}

impl Tracer {
    /// A tracer for `program`; `limit` keeps only the newest N records.
    pub fn new(program: Arc<Program>, source: SourceMap, limit: Option<usize>) -> Tracer {
        Tracer {
            xlen: program.xlen,
            program,
            source,
            places: FxHashMap::default(),
            records: Default::default(),
            limit,
            in_kernel: Vec::new(),
            pushed: 0,
            dropped: 0,
            sink: None,
            sink_error: None,
        }
    }

    /// A tracer that sends every finished record to `sink`, oldest first.
    /// Call [`Tracer::finish`] at the end of the run.
    pub fn streaming(program: Arc<Program>, source: SourceMap, sink: RecordSink) -> Tracer {
        Tracer {
            sink: Some(sink),
            ..Tracer::new(program, source, None)
        }
    }

    /// Sends the records still held (a kernel syscall that never returned
    /// goes out unfinished) and returns the sink's first error, if any.
    pub fn finish(&mut self) -> std::io::Result<()> {
        self.in_kernel.clear();
        self.drain();
        if let (Some(sink), None) = (self.sink.as_mut(), &self.sink_error) {
            sink(None)?;
        }
        self.sink_error.take().map_or(Ok(()), Err)
    }

    /// Streaming: sends the records older than every syscall still in an
    /// in-guest kernel (all of them past [`STREAM_HOLD`]).
    fn drain(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        let held = self.records.len();
        let keep_from = match self.in_kernel.first() {
            Some(&oldest) if held < STREAM_HOLD => oldest,
            _ => self.pushed,
        };
        let first = self.pushed - held as u64;
        for _ in first..keep_from.max(first) {
            let r = self.records.pop_front().expect("counted");
            if self.sink_error.is_none() {
                if let Err(e) = sink(Some(&r)) {
                    self.sink_error = Some(e);
                }
            }
        }
    }

    /// The DWARF source map it symbolizes with.
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// The records, oldest first.
    pub fn records(&self) -> std::collections::vec_deque::Iter<'_, Record> {
        self.records.iter()
    }

    /// Forgets what happened at or after `cycle` (the guest went back in
    /// time to it): records of calls made from then on go, and in-guest
    /// kernel calls made before it whose `mret` came at or after it are in
    /// flight again (no return value yet).
    pub fn rewind_to(&mut self, cycle: u64) {
        while self.records.back().is_some_and(|r| r.cycle >= cycle) {
            self.records.pop_back();
            self.pushed -= 1;
        }
        let first = self.pushed - self.records.len() as u64;
        self.in_kernel.clear();
        for (i, r) in self.records.iter_mut().enumerate() {
            // A kernel call is in flight if its `mret` has not retired by
            // `cycle` (it retires as the counter reaches cycle + cycles).
            let open = r.ret.is_none() && r.cycles == 0;
            if r.kind == RecordKind::KernelSyscall
                && (open || r.cycle.saturating_add(r.cycles) > cycle)
            {
                (r.ret, r.errno, r.cycles) = (None, None, 0);
                self.in_kernel.push(first + i as u64);
            }
        }
    }

    /// Takes the records out, oldest first.
    pub fn take(&mut self) -> Vec<Record> {
        self.records.drain(..).collect()
    }

    fn place(&mut self, pc: u64) -> (Option<String>, Option<String>) {
        if let Some(p) = self.places.get(&pc) {
            return p.clone();
        }
        let frames = self.source.frames(pc);
        let function = frames.first().and_then(|f| f.function.clone()).or_else(|| {
            self.program
                .symbols
                .function_at(pc)
                .map(|(s, _)| zkdbg_symbols::symbolize::demangle(&s.name))
        });
        let location = frames.first().and_then(|f| f.location());
        let p = (function, location);
        self.places.insert(pc, p.clone());
        p
    }

    fn push(&mut self, r: Record) {
        if let Some(l) = self.limit {
            while self.records.len() >= l.max(1) {
                self.records.pop_front();
                self.dropped += 1;
            }
        }
        self.records.push_back(r);
        self.pushed += 1;
        self.drain();
    }

    /// The record with sequence number `seq`, if still kept.
    fn by_seq(&mut self, seq: u64) -> Option<&mut Record> {
        let first = self.pushed - self.records.len() as u64;
        let i = seq.checked_sub(first)?;
        self.records.get_mut(i as usize)
    }
}

impl Observer for Tracer {
    // Kernel returns come by `trap_return`: no per-instruction events.
    const RETIRED: bool = false;
    // Only syscall, trap and platform events: compiled code may run.
    const COMPILED: bool = true;

    fn syscall_exit(
        &mut self,
        _cpu: &Cpu,
        mem: &Memory,
        req: &SyscallRequest,
        res: &SyscallResult,
        cycles: u64,
    ) {
        let name = zeroos::syscall_label(req.nr, self.xlen);
        let (function, location) = self.place(req.pc);
        let (ret, errno) = match res {
            SyscallResult::Return(v) => ret_fields(*v, self.xlen),
            SyscallResult::Exit(_) => (None, None),
        };
        // Input buffers were not changed by the call, so decoding after it
        // sees what the guest passed (and output buffers what it got).
        let args = decode_args(req.nr, &req.args, self.xlen, Some(mem), ret);
        let r = Record {
            cycle: req.cycle,
            pc: req.pc,
            function,
            location,
            kind: RecordKind::Syscall,
            nr: Some(req.nr),
            name,
            args,
            ret,
            errno,
            cycles: cycles + 1,
        };
        self.push(r);
    }

    fn trap(&mut self, cpu: &Cpu, trap: &TrapEvent) {
        if trap.cause != 11 {
            return;
        }
        let name = zeroos::syscall_label(trap.a7, self.xlen);
        let (function, location) = self.place(trap.epc);
        let x = &cpu.x;
        let raw = [x[10], x[11], x[12], x[13], x[14], x[15]];
        let args = decode_args(trap.a7, &raw, self.xlen, None, None);
        self.in_kernel.push(self.pushed);
        self.push(Record {
            cycle: cpu.cycle,
            pc: trap.epc,
            function,
            location,
            kind: RecordKind::KernelSyscall,
            nr: Some(trap.a7),
            name,
            args,
            ret: None,
            errno: None,
            cycles: 0,
        });
    }

    fn trap_return(&mut self, cpu: &Cpu, _pc: u64, _to: u64) {
        if let Some(seq) = self.in_kernel.pop() {
            let (ret, errno) = ret_fields(cpu.x[10], self.xlen);
            if let Some(r) = self.by_seq(seq) {
                (r.ret, r.errno) = (ret, errno);
                // From the ecall to the mret, both included.
                r.cycles = (cpu.cycle + 1).saturating_sub(r.cycle);
            }
            self.drain();
        }
    }

    fn custom(&mut self, cpu: &Cpu, event: &CustomEvent) {
        let kind = match event.kind {
            CustomKind::Virtual => return,
            CustomKind::Inline => RecordKind::Inline,
            CustomKind::Precompile => RecordKind::Precompile,
            CustomKind::Syscall => RecordKind::PlatformSyscall,
        };
        let (function, location) = self.place(cpu.pc);
        if event.enters_kernel {
            // Its cycles are counted at the kernel's return.
            self.in_kernel.push(self.pushed);
        }
        self.push(Record {
            cycle: cpu.cycle,
            pc: cpu.pc,
            function,
            location,
            kind,
            nr: None,
            name: event.name.to_string(),
            args: match &event.args {
                Some(args) => args
                    .iter()
                    .map(|a| match a {
                        CallArg::Int(v) => Arg::Int(*v),
                        CallArg::Hex(v) => Arg::Hex(*v),
                        CallArg::Bytes(b, cut) => Arg::Str(b.clone(), *cut),
                    })
                    .collect(),
                None => event.operands.iter().map(|&v| Arg::Hex(v)).collect(),
            },
            ret: None,
            errno: None,
            cycles: event.cycles,
        });
    }

    fn host_call(&mut self, cpu: &Cpu, call: &HostCall) {
        let (function, location) = self.place(cpu.pc);
        let (name, text) = match call {
            HostCall::Print { text, .. } => ("print", text.clone()),
            HostCall::CycleMarker { label, start, .. } => (
                if *start {
                    "cycle_marker_start"
                } else {
                    "cycle_marker_end"
                },
                label.as_bytes().to_vec(),
            ),
        };
        let cut = text.len() > STRING_LIMIT;
        let text = text[..text.len().min(STRING_LIMIT)].to_vec();
        self.push(Record {
            cycle: cpu.cycle,
            pc: cpu.pc,
            function,
            location,
            kind: RecordKind::HostCall,
            nr: None,
            name: name.to_string(),
            args: vec![Arg::Str(text, cut)],
            ret: None,
            errno: None,
            cycles: 1,
        });
    }
}
