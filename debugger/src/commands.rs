//! The commands of both front ends, in one table: the TUI's `:` line and
//! GDB's `monitor` (`qRcmd`) parse and run them here, and their help texts
//! are generated from [`COMMANDS`].
//!
//! A command is its words (`catch syscall`), the arguments it takes, one
//! line of help and a handler over the [`Debugger`]. A handler answers with
//! lines of text and, where a front end has more to do, an [`Effect`] (the
//! TUI opens the memory pane at an address; the GDB stub reports catchpoints
//! as SIGTRAP once a command set them).
//!
//! To add a command: one [`Command`] in [`COMMANDS`] and its handler below;
//! both front ends and both help texts pick it up.

use crate::core::{Catch, Debugger, WatchKind, Watchpoint};

/// Which front ends offer a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontEnds {
    /// The TUI and `monitor`.
    Both,
    /// The TUI only: GDB has its own command for it (`break`, `watch`,
    /// `delete`, `x`, `info registers`), whose state GDB must own.
    Tui,
}

/// What a front end does after a command, beyond showing its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// Show the help (the TUI's key and command overlay).
    Help,
    /// Show memory at this address (the TUI's memory pane).
    ShowMemory(u64),
    /// The catchpoints changed (the GDB stub reports them as SIGTRAP, not
    /// as a client's `QCatchSyscalls` catch).
    CatchChanged,
    /// The guest went back to its entry point.
    Reset,
}

/// A command's answer: lines of text for its user, and an effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The text, one entry per line.
    pub lines: Vec<String>,
    /// What else the front end should do.
    pub effect: Effect,
    /// The handler found its arguments malformed: [`execute`] answers with
    /// the command's usage instead.
    bad_args: bool,
}

impl Reply {
    fn text(s: impl Into<String>) -> Reply {
        Reply::lines(vec![s.into()])
    }

    fn lines(lines: Vec<String>) -> Reply {
        Reply {
            lines,
            effect: Effect::None,
            bad_args: false,
        }
    }

    /// Arguments the command cannot use (see [`execute`]).
    fn bad_args() -> Reply {
        Reply {
            bad_args: true,
            ..Reply::lines(Vec::new())
        }
    }

    fn with(mut self, effect: Effect) -> Reply {
        self.effect = effect;
        self
    }
}

/// One command.
pub struct Command {
    /// Its words, e.g. `catch syscall`.
    pub name: &'static str,
    /// Other spellings of the name (`b` for `break`).
    pub aliases: &'static [&'static str],
    /// Its arguments for the help text, e.g. `NAME|NR...`; empty if none.
    pub args: &'static str,
    /// How many arguments it takes at least and at most.
    pub arity: (usize, usize),
    /// One line of help.
    pub help: &'static str,
    /// Who offers it.
    pub front_ends: FrontEnds,
    /// Runs it on the arguments (the words after the name).
    pub run: fn(&mut Debugger, &[&str]) -> Reply,
}

/// Every command, in help order.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        aliases: &["h"],
        args: "",
        arity: (0, 0),
        help: "this list",
        front_ends: FrontEnds::Both,
        run: |_, _| Reply::text("").with(Effect::Help),
    },
    Command {
        name: "break",
        aliases: &["b"],
        args: "FUNC|FILE:LINE|*ADDR",
        arity: (1, 1),
        help: "set a breakpoint (after FUNC's prologue)",
        front_ends: FrontEnds::Tui,
        run: break_cmd,
    },
    Command {
        name: "watch",
        aliases: &[],
        args: "SYMBOL|ADDR",
        arity: (1, 1),
        help: "stop when the guest writes there",
        front_ends: FrontEnds::Tui,
        run: watch_cmd,
    },
    Command {
        name: "delete",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "delete breakpoints, watchpoints, catchpoints",
        front_ends: FrontEnds::Tui,
        run: |d, _| {
            d.clear_breakpoints();
            d.clear_watchpoints();
            d.set_catch(Catch::default());
            Reply::text("all breakpoints, watchpoints and catchpoints deleted")
                .with(Effect::CatchChanged)
        },
    },
    Command {
        name: "x",
        aliases: &[],
        args: "SYMBOL|ADDR",
        arity: (1, 1),
        help: "show memory there",
        front_ends: FrontEnds::Tui,
        run: |d, a| match d.parse_address(a[0]) {
            Some(addr) => {
                Reply::text(format!("memory at {addr:#x}")).with(Effect::ShowMemory(addr))
            }
            None => Reply::text(format!("unknown symbol or address `{}`", a[0])),
        },
    },
    Command {
        name: "info registers",
        aliases: &["info reg"],
        args: "",
        arity: (0, 0),
        help: "pc, ra, sp, a0, a7 and the trap CSRs",
        front_ends: FrontEnds::Tui,
        run: |d, _| {
            let c = &d.guest().machine.cpu;
            Reply::text(format!(
                "pc={:#x} ra={:#x} sp={:#x} a0={:#x} a7={} mstatus={:#x} mcause={:#x}",
                c.pc, c.x[1], c.x[2], c.x[10], c.x[17], c.csr.mstatus, c.csr.mcause
            ))
        },
    },
    Command {
        name: "print",
        aliases: &["p"],
        args: "EXPR",
        arity: (1, usize::MAX),
        help: "a variable, a.b[3], p->f, *p, &x, $reg, {TYPE} ADDR",
        front_ends: FrontEnds::Tui,
        run: print_cmd,
    },
    Command {
        name: "info locals",
        aliases: &["info args", "locals"],
        args: "",
        arity: (0, 0),
        help: "the selected frame's arguments and locals",
        front_ends: FrontEnds::Tui,
        run: |d, _| {
            let vars = d.locals();
            if vars.is_empty() {
                return Reply::text("no arguments or locals (no DWARF for this frame?)");
            }
            Reply::lines(
                vars.iter()
                    .map(|v| format!("{} = {}", v.name, v.value))
                    .collect(),
            )
        },
    },
    Command {
        name: "frame",
        aliases: &["f"],
        args: "[N]",
        arity: (0, 1),
        help: "select frame N (locals, source, disassembly follow)",
        front_ends: FrontEnds::Tui,
        run: |d, a| {
            let n = match a.first() {
                None => d.frame_number(),
                Some(w) => match w.parse() {
                    Ok(n) => n,
                    Err(_) => return Reply::bad_args(),
                },
            };
            select(d, n)
        },
    },
    Command {
        name: "up",
        aliases: &[],
        args: "[N]",
        arity: (0, 1),
        help: "select the frame N (1) levels out (caller)",
        front_ends: FrontEnds::Tui,
        run: |d, a| match count_arg(a) {
            Some(k) => {
                let n = d.frame_number().saturating_add(k);
                let last = d.frame_count().saturating_sub(1);
                if d.frame_number() == last {
                    return Reply::text("initial frame selected; you cannot go up");
                }
                select(d, n.min(last))
            }
            None => Reply::bad_args(),
        },
    },
    Command {
        name: "down",
        aliases: &[],
        args: "[N]",
        arity: (0, 1),
        help: "select the frame N (1) levels in (callee)",
        front_ends: FrontEnds::Tui,
        run: |d, a| match count_arg(a) {
            Some(_) if d.frame_number() == 0 => {
                Reply::text("bottom (innermost) frame selected; you cannot go down")
            }
            Some(k) => select(d, d.frame_number().saturating_sub(k)),
            None => Reply::bad_args(),
        },
    },
    Command {
        name: "cycles",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "instructions and cycles so far (RISC Zero: paging)",
        front_ends: FrontEnds::Both,
        run: cycles_cmd,
    },
    Command {
        name: "syscalls",
        aliases: &[],
        args: "[N]",
        arity: (0, 1),
        help: "the last N syscalls and host calls (default 20)",
        front_ends: FrontEnds::Both,
        run: syscalls_cmd,
    },
    Command {
        name: "profile",
        aliases: &[],
        args: "FILE.svg",
        arity: (1, 1),
        help: "flamegraph of the run so far (into --output-dir)",
        front_ends: FrontEnds::Both,
        run: |d, a| match d.profile_svg(a[0]) {
            Ok((p, c)) => Reply::text(format!(
                "flamegraph of {c} cycles written to {}",
                p.display()
            )),
            Err(e) => Reply::text(format!("cannot write {}: {e}", a[0])),
        },
    },
    Command {
        name: "catch",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "list catchpoints",
        front_ends: FrontEnds::Both,
        run: catch_list,
    },
    Command {
        name: "catch ecall",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "stop at every ecall (before it executes)",
        front_ends: FrontEnds::Both,
        run: |d, _| {
            let mut c = d.catch().clone();
            c.ecall = true;
            d.set_catch(c);
            Reply::text("catchpoint: every ecall").with(Effect::CatchChanged)
        },
    },
    Command {
        name: "catch syscall",
        aliases: &[],
        args: "NAME|NR...",
        arity: (1, usize::MAX),
        help: "stop at ecalls with these syscall numbers in a7",
        front_ends: FrontEnds::Both,
        run: catch_syscall,
    },
    Command {
        name: "catch inline",
        aliases: &["catch precompile"],
        args: "NAME...",
        arity: (1, usize::MAX),
        help: "stop before these zkVM inlines or precompiles",
        front_ends: FrontEnds::Both,
        run: catch_inline,
    },
    Command {
        name: "catch clear",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "remove catchpoints",
        front_ends: FrontEnds::Both,
        run: |d, _| {
            d.set_catch(Catch::default());
            Reply::text("catchpoints cleared").with(Effect::CatchChanged)
        },
    },
    Command {
        name: "reset",
        aliases: &[],
        args: "",
        arity: (0, 0),
        help: "restart the guest from its entry point",
        front_ends: FrontEnds::Both,
        run: |d, _| {
            d.reset();
            Reply::text("guest reset to its entry point").with(Effect::Reset)
        },
    },
];

/// `print EXPR`: `EXPR = VALUE` (C pointers with their type, as gdb).
fn print_cmd(d: &mut Debugger, a: &[&str]) -> Reply {
    let expr = a.join(" ");
    match d.print(&expr) {
        Ok((ty, v)) if ty.ends_with('*') => Reply::text(format!("{expr} = ({ty}) {v}")),
        Ok((_, v)) => Reply::text(format!("{expr} = {v}")),
        Err(e) => Reply::text(e.to_string()),
    }
}

/// The optional count of `up`/`down` (1 if absent).
fn count_arg(a: &[&str]) -> Option<usize> {
    a.first().map_or(Some(1), |w| w.parse().ok())
}

/// Selects frame `n` and describes it as gdb's `frame` does.
fn select(d: &mut Debugger, n: usize) -> Reply {
    match d.select_frame(n) {
        Ok(f) => {
            let fr = f.frame.inline.get(f.depth);
            let name = fr.map_or("??", |i| i.function.as_str());
            let at = fr
                .and_then(|i| i.location.as_deref())
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            Reply::text(format!("#{n:<2} {:#x} in {name}{at}", f.frame.pc))
        }
        Err(e) => Reply::text(e),
    }
}

/// The command `words` start with, for `front_end`, and the words after
/// its name: the longest name (or alias) that matches.
fn lookup<'w, 'a>(
    words: &'w [&'a str],
    front_end: FrontEnds,
) -> Option<(&'static Command, &'w [&'a str])> {
    let mut best: Option<(&'static Command, usize)> = None;
    for c in COMMANDS {
        if front_end == FrontEnds::Both && c.front_ends == FrontEnds::Tui {
            continue;
        }
        for name in std::iter::once(&c.name).chain(c.aliases) {
            let n: Vec<&str> = name.split(' ').collect();
            if words.len() >= n.len()
                && words[..n.len()] == n[..]
                && best.is_none_or(|(_, k)| n.len() > k)
            {
                best = Some((c, n.len()));
            }
        }
    }
    best.map(|(c, k)| (c, &words[k..]))
}

/// Runs the command line `line` for a front end: the TUI passes
/// [`FrontEnds::Tui`] (every command), the GDB stub [`FrontEnds::Both`]
/// (the commands both offer). An empty line does nothing; unknown commands
/// and wrong arguments get a reply that says so (with `prefix` before the
/// command names it shows), never an error.
pub fn execute(dbg: &mut Debugger, line: &str, front_end: FrontEnds, prefix: &str) -> Reply {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() {
        return Reply::lines(Vec::new());
    }
    let Some((cmd, args)) = lookup(&words, front_end) else {
        let tui_only = lookup(&words, FrontEnds::Tui).is_some();
        return Reply::text(if tui_only {
            format!("`{}` is a TUI command; use GDB's own", words[0])
        } else {
            format!(
                "unknown command `{}`; `{prefix}help` lists them",
                line.trim()
            )
        });
    };
    let usage = || {
        let usage = format!("usage: {prefix}{} {}", cmd.name, cmd.args);
        Reply::text(usage.trim_end())
    };
    if args.len() < cmd.arity.0 || args.len() > cmd.arity.1 {
        return usage();
    }
    let reply = (cmd.run)(dbg, args);
    if reply.bad_args {
        return usage();
    }
    reply
}

/// The help text of a front end's commands, one per line, each prefixed
/// (`monitor ` or `:`).
pub fn help(front_end: FrontEnds, prefix: &str) -> String {
    let rows: Vec<(String, &str)> = COMMANDS
        .iter()
        .filter(|c| front_end == FrontEnds::Tui || c.front_ends == FrontEnds::Both)
        .map(|c| {
            (
                format!("{prefix}{} {}", c.name, c.args)
                    .trim_end()
                    .to_string(),
                c.help,
            )
        })
        .collect();
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(usage, help)| format!("  {usage:width$}  {help}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn break_cmd(d: &mut Debugger, a: &[&str]) -> Reply {
    let spec = a[0];
    match d.breakpoint_address(spec) {
        Some(addr) => {
            d.set_breakpoint(addr);
            Reply::text(format!("breakpoint at {spec} ({addr:#x})"))
        }
        None => Reply::text(format!("cannot place a breakpoint at `{spec}`")),
    }
}

fn watch_cmd(d: &mut Debugger, a: &[&str]) -> Reply {
    let spec = a[0];
    let Some(addr) = d.parse_address(spec) else {
        return Reply::text(format!("unknown symbol or address `{spec}`"));
    };
    let m = &d.guest().machine;
    let len = m
        .symbols()
        .by_name(spec)
        .map_or(m.xlen().bytes() as u64, |s| s.size.clamp(1, 8));
    d.add_watchpoint(Watchpoint {
        addr,
        len,
        kind: WatchKind::Write,
    });
    Reply::text(format!("watchpoint on {spec} ({addr:#x}, {len} bytes)"))
}

/// `cycles`: instructions and the platform's cycles; on RISC Zero also
/// its accounting of the run so far (replayed under its paging model).
fn cycles_cmd(d: &mut Debugger, _: &[&str]) -> Reply {
    let cpu = &d.guest().machine.cpu;
    let line = format!("{} instructions, {} cycles", cpu.instret, cpu.cycle);
    match d.risc0_cycles() {
        None => Reply::text(line),
        Some(c) => {
            let mut lines = vec![
                line,
                format!(
                    "RISC Zero: {} user cycles, {} paging, {} reserved, {} total in {} segment{} \
                     (the open segment rounded up to a power of two)",
                    c.user,
                    c.paging,
                    c.reserved,
                    c.total,
                    c.segments,
                    if c.segments == 1 { "" } else { "s" }
                ),
            ];
            if let Some(pc) = c.too_small_at {
                lines.push(format!(
                    "segment limit too small for the instruction at pc {pc:#x}: RISC Zero's executor stops there"
                ));
            }
            Reply::lines(lines)
        }
    }
}

fn syscalls_cmd(d: &mut Debugger, a: &[&str]) -> Reply {
    let n: usize = match a.first().map(|s| s.parse()) {
        None => 20,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Reply::bad_args(),
    };
    let log = d.syscall_log();
    let skip = log.len().saturating_sub(n);
    let lines: Vec<String> = log.skip(skip).map(|r| r.strace_line()).collect();
    if lines.is_empty() {
        return Reply::text("no syscalls yet");
    }
    Reply::lines(lines)
}

fn catch_list(d: &mut Debugger, _: &[&str]) -> Reply {
    let xlen = d.guest().machine.xlen();
    let c = d.catch();
    let mut lines = Vec::new();
    if c.is_empty() {
        lines.push("no catchpoints".to_string());
    }
    if c.ecall {
        lines.push("catching every ecall".to_string());
    }
    for nr in &c.syscalls {
        let name = zeroos::syscall_name(*nr, xlen).unwrap_or("?");
        lines.push(format!("catching syscall {nr} ({name})"));
    }
    for name in &c.inlines {
        lines.push(format!("catching inline {name}"));
    }
    Reply::lines(lines)
}

fn catch_inline(d: &mut Debugger, names: &[&str]) -> Reply {
    let platform = d.guest().platform.platform;
    let known = platform.inline_names();
    let mut found = Vec::new();
    for n in names {
        match known.iter().find(|k| k.eq_ignore_ascii_case(n)) {
            Some(k) => found.push(*k),
            None if known.is_empty() => {
                return Reply::text(format!("the {platform} platform has no inlines"))
            }
            None => {
                return Reply::text(format!(
                    "unknown {platform} inline `{n}` (one of: {})",
                    known.join(", ")
                ))
            }
        }
    }
    let mut c = d.catch().clone();
    c.inlines.extend(found.iter().copied());
    d.set_catch(c);
    let lines = found
        .iter()
        .map(|n| format!("catchpoint: inline {n}"))
        .collect();
    Reply::lines(lines).with(Effect::CatchChanged)
}

fn catch_syscall(d: &mut Debugger, names: &[&str]) -> Reply {
    let xlen = d.guest().machine.xlen();
    let mut nrs = Vec::new();
    for n in names {
        match n.parse::<u64>().ok().or_else(|| zeroos::syscall_number(n)) {
            Some(nr) => nrs.push(nr),
            None => return Reply::text(format!("unknown syscall `{n}`")),
        }
    }
    let mut c = d.catch().clone();
    c.syscalls.extend(nrs.iter().copied());
    d.set_catch(c);
    let lines = nrs
        .iter()
        .map(|&nr| {
            let name = zeroos::syscall_name(nr, xlen).unwrap_or("?");
            format!("catchpoint: syscall {nr} ({name})")
        })
        .collect();
    Reply::lines(lines).with(Effect::CatchChanged)
}
