//! `monitor` commands (GDB's `qRcmd`): the commands of
//! [`crate::commands`] that both front ends offer (`monitor help` lists
//! them), run on the stub's debugger.

use super::arch::Word;
use super::target::GdbTarget;
use crate::commands::{self, Effect, FrontEnds};
use gdbstub::target::ext::monitor_cmd::{outputln, ConsoleOutput, MonitorCmd};

impl<U: Word> MonitorCmd for GdbTarget<U> {
    fn handle_monitor_cmd(
        &mut self,
        cmd: &[u8],
        mut out: ConsoleOutput<'_>,
    ) -> Result<(), Self::Error> {
        let cmd = String::from_utf8_lossy(cmd);
        // A bare `monitor` lists the commands, as `monitor help` does.
        let cmd = if cmd.trim().is_empty() { "help" } else { &cmd };
        let reply = commands::execute(&mut self.dbg, cmd, FrontEnds::Both, "monitor ");
        for line in reply.lines.iter().filter(|l| !l.is_empty()) {
            outputln!(out, "{line}");
        }
        match reply.effect {
            Effect::Help => {
                outputln!(out, "zkdbg monitor commands:");
                outputln!(out, "{}", commands::help(FrontEnds::Both, "monitor "));
            }
            // Catchpoints set by a command stop with SIGTRAP (the client
            // did not ask for them with QCatchSyscalls).
            Effect::CatchChanged => self.set_catch_by_client(false),
            Effect::Reset => outputln!(
                out,
                "(use `stepi` or `continue`; GDB's register cache refreshes on the next stop)"
            ),
            Effect::None | Effect::ShowMemory(_) => {}
        }
        Ok(())
    }
}
