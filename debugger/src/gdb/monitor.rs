//! `monitor` commands (GDB's `qRcmd`).
//!
//! - `help`: this list;
//! - `cycles`: instructions and cycles so far;
//! - `syscalls [N]`: the last N syscalls (default 20), trace format;
//! - `profile FILE.svg`: a flamegraph of the run so far (by replay), a
//!   plain file name written in the stub's `--output-dir`;
//! - `catch ecall`, `catch syscall NAME|NR ...`, `catch clear`, `catch`:
//!   stop at matching `ecall`s before they execute (reported as SIGTRAP);
//! - `reset`: back to the entry point.

use super::arch::Word;
use super::target::GdbTarget;
use gdbstub::target::ext::monitor_cmd::{outputln, ConsoleOutput, MonitorCmd};
use zkdbg_profiler::Tracer;

/// The text of `monitor help`.
pub const HELP: &str = "\
zkdbg monitor commands:
  monitor help                      this list
  monitor cycles                    instructions and cycles so far
  monitor syscalls [N]              the last N syscalls (default 20)
  monitor profile FILE.svg          flamegraph of the run so far (a file name: written
                                    in the stub's --output-dir)
  monitor catch ecall               stop at every ecall (before it executes)
  monitor catch syscall NAME|NR...  stop at ecalls with these syscall numbers in a7
  monitor catch clear               remove catchpoints
  monitor catch                     list catchpoints
  monitor reset                     restart the guest from its entry point";

impl<U: Word> MonitorCmd for GdbTarget<U> {
    fn handle_monitor_cmd(
        &mut self,
        cmd: &[u8],
        mut out: ConsoleOutput<'_>,
    ) -> Result<(), Self::Error> {
        let cmd = String::from_utf8_lossy(cmd);
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let xlen = self.dbg.guest().machine.xlen();
        match words.as_slice() {
            [] | ["help"] => outputln!(out, "{HELP}"),
            ["cycles"] => {
                let cpu = &self.dbg.guest().machine.cpu;
                outputln!(out, "{} instructions, {} cycles", cpu.instret, cpu.cycle);
            }
            ["syscalls", rest @ ..] => {
                let n: usize = match rest.first().map(|s| s.parse()) {
                    None => 20,
                    Some(Ok(n)) => n,
                    Some(Err(_)) => {
                        outputln!(out, "usage: monitor syscalls [N]");
                        return Ok(());
                    }
                };
                let program = self.dbg.guest().machine.program.clone();
                let source = self.dbg.source().clone();
                let mut tracer = Tracer::new(program, source, Some(n.max(1)));
                self.dbg.replay_with(&mut tracer);
                if tracer.records().next().is_none() {
                    outputln!(out, "no syscalls yet");
                }
                for r in tracer.records() {
                    outputln!(out, "{}", r.strace_line());
                }
            }
            ["profile", file] => match self.dbg.profile_svg(file) {
                Ok((p, c)) => outputln!(out, "flamegraph of {c} cycles written to {}", p.display()),
                Err(e) => outputln!(out, "cannot write {file}: {e}"),
            },
            ["catch"] => {
                let c = self.dbg.catch();
                if c.is_empty() {
                    outputln!(out, "no catchpoints");
                }
                if c.ecall {
                    outputln!(out, "catching every ecall");
                }
                for nr in &c.syscalls {
                    let name = zeroos::syscall_name(*nr, xlen).unwrap_or("?");
                    outputln!(out, "catching syscall {nr} ({name})");
                }
            }
            ["catch", "ecall"] => {
                let mut c = self.dbg.catch().clone();
                c.ecall = true;
                self.dbg.set_catch(c);
                self.set_catch_by_client(false);
                outputln!(out, "catchpoint: every ecall");
            }
            ["catch", "clear"] => {
                self.dbg.set_catch(Default::default());
                outputln!(out, "catchpoints cleared");
            }
            ["catch", "syscall", names @ ..] if !names.is_empty() => {
                let mut nrs = Vec::new();
                for n in names {
                    match n.parse::<u64>().ok().or_else(|| zeroos::syscall_number(n)) {
                        Some(nr) => nrs.push(nr),
                        None => {
                            outputln!(out, "unknown syscall `{n}`");
                            return Ok(());
                        }
                    }
                }
                self.set_catch_by_client(false);
                let mut c = self.dbg.catch().clone();
                c.syscalls.extend(nrs.iter().copied());
                self.dbg.set_catch(c);
                for nr in nrs {
                    let name = zeroos::syscall_name(nr, xlen).unwrap_or("?");
                    outputln!(out, "catchpoint: syscall {nr} ({name})");
                }
            }
            ["reset"] => {
                self.dbg.reset();
                outputln!(out, "guest reset to its entry point (use `stepi` or `continue`; GDB's register cache refreshes on the next stop)");
            }
            _ => outputln!(out, "unknown command `{cmd}`; `monitor help` lists them"),
        }
        Ok(())
    }
}
