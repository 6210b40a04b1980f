//! The GDB remote stub (`zkdbg gdb`), built on the `gdbstub` crate: a
//! single-thread target over the [`Debugger`] core.
//!
//! Supported (GDB Remote Serial Protocol): `g`/`G` registers (x0-x31, pc,
//! machine-mode CSRs, read-only cycle/instret, priv), `m`/`M` memory,
//! `Z0`/`Z1` breakpoints, `Z2`-`Z4` watchpoints, `vCont;s` and `vCont;c`,
//! range stepping (`vCont;r`), `bs`/`bc` reverse execution, Ctrl-C,
//! `QCatchSyscalls`, `qXfer:features:read` (our target description), and
//! `qRcmd` monitor commands (see [`monitor`]).

pub mod arch;
mod monitor;
mod target;

use crate::core::Debugger;
use crate::guest::{Guest, GuestArgs};
use anyhow::{Context, Result};
use arch::Word;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::{run_blocking, DisconnectReason, GdbStub};
use std::net::{SocketAddr, TcpListener, TcpStream};
use target::GdbTarget;
use zeroos::Output;
use zkdbg_emulator::Xlen;

/// Options of `zkdbg gdb`.
#[derive(clap::Args, Clone, Debug)]
pub struct GdbArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:1234", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Exit after the first client disconnects.
    #[arg(long)]
    pub once: bool,
    /// Memory budget for reverse-execution snapshots (bytes; K, M, G accepted).
    #[arg(long, value_name = "BYTES", value_parser = crate::guest::parse_size, default_value = "256M")]
    pub history_budget: u64,
}

/// Serves GDB clients, one at a time, until `--once` ends it. Each client
/// gets the guest fresh from its entry point.
pub fn serve(guest_args: &GuestArgs, args: &GdbArgs) -> Result<()> {
    // Load once up front so that a bad ELF fails before listening.
    let first = Guest::load(guest_args, Output::Capture)?;
    let xlen = first.machine.xlen();
    let listener = TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "zkdbg: GDB stub for {} ({}) listening on {addr}",
        guest_args.elf.display(),
        xlen.name()
    );
    eprintln!(
        "zkdbg: attach with: gdb-multiarch -q {} -ex 'target remote {addr}'",
        guest_args.elf.display()
    );
    let mut next = Some(first);
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("zkdbg: accept failed: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        eprintln!("zkdbg: client connected from {peer}");
        let guest = match next.take() {
            Some(g) => g,
            None => Guest::load(guest_args, Output::Capture)?,
        };
        let dbg = Debugger::new(guest, args.history_budget);
        let outcome = match xlen {
            Xlen::X64 => session::<u64>(dbg, stream),
            Xlen::X32 => session::<u32>(dbg, stream),
        };
        match outcome {
            Ok(msg) => eprintln!("zkdbg: {msg}"),
            Err(e) => eprintln!("zkdbg: session ended: {e}"),
        }
        if args.once {
            return Ok(());
        }
        eprintln!("zkdbg: waiting for the next client on {addr}");
    }
}

fn session<U: Word>(dbg: Debugger, stream: TcpStream) -> Result<String, String> {
    let mut target = GdbTarget::<U>::new(dbg);
    let conn: Box<dyn ConnectionExt<Error = std::io::Error>> = Box::new(stream);
    let gdb = GdbStub::new(conn);
    match gdb.run_blocking::<EventLoop<U>>(&mut target) {
        Ok(DisconnectReason::Disconnect) => Ok("client disconnected".into()),
        Ok(DisconnectReason::TargetExited(c)) => Ok(format!("guest exited with status {c}")),
        Ok(DisconnectReason::TargetTerminated(s)) => Ok(format!("guest terminated by {s}")),
        Ok(DisconnectReason::Kill) => Ok("client killed the guest".into()),
        Err(e) => Err(e.to_string()),
    }
}

struct EventLoop<U>(std::marker::PhantomData<U>);

impl<U: Word> run_blocking::BlockingEventLoop for EventLoop<U> {
    type Target = GdbTarget<U>;
    type Connection = Box<dyn ConnectionExt<Error = std::io::Error>>;
    type StopReason = gdbstub::stub::SingleThreadStopReason<U>;

    #[allow(clippy::type_complexity)]
    fn wait_for_stop_reason(
        target: &mut GdbTarget<U>,
        conn: &mut Self::Connection,
    ) -> Result<
        run_blocking::Event<Self::StopReason>,
        run_blocking::WaitForStopReasonError<
            <Self::Target as gdbstub::target::Target>::Error,
            <Self::Connection as Connection>::Error,
        >,
    > {
        loop {
            match target.run_pending(|| conn.peek().map(|b| b.is_some()).unwrap_or(true)) {
                target::Outcome::Stopped(r) => return Ok(run_blocking::Event::TargetStopped(r)),
                target::Outcome::Incoming => {
                    let byte = conn
                        .read()
                        .map_err(run_blocking::WaitForStopReasonError::Connection)?;
                    return Ok(run_blocking::Event::IncomingData(byte));
                }
                target::Outcome::KeepGoing => continue,
            }
        }
    }

    fn on_interrupt(
        target: &mut GdbTarget<U>,
    ) -> Result<Option<Self::StopReason>, <GdbTarget<U> as gdbstub::target::Target>::Error> {
        Ok(Some(target.interrupted()))
    }
}
