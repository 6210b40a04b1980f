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
use crate::guest::{Guest, GuestOptions};
use anyhow::{Context, Result};
use arch::Word;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::{run_blocking, DisconnectReason, GdbStub};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use target::GdbTarget;
use zeroos::Output;
use zkdbg_emulator::Xlen;

/// Options of `zkdbg gdb` (the binary's clap arguments convert into it).
#[derive(Clone, Debug)]
pub struct GdbOptions {
    /// Address to listen on; other than loopback only with `allow_remote`.
    pub listen: SocketAddr,
    /// Accept a `listen` address other than loopback. A client has full
    /// control of the guest and can make the stub write files in
    /// `output_dir`: only for networks you trust.
    pub allow_remote: bool,
    /// Exit after the first client disconnects.
    pub once: bool,
    /// Memory budget for reverse-execution snapshots, in bytes.
    pub history_budget: u64,
    /// End a session whose client sends nothing for this many seconds
    /// while the guest is stopped (0: never).
    pub idle_timeout: u64,
    /// Directory where `monitor profile NAME` writes (a client names only
    /// a file in it).
    pub output_dir: std::path::PathBuf,
}

impl Default for GdbOptions {
    /// 127.0.0.1:1234, loopback only, serve clients until killed, 256 MiB of
    /// history, 600 s idle timeout, files in the current directory.
    fn default() -> GdbOptions {
        GdbOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 1234)),
            allow_remote: false,
            once: false,
            history_budget: 256 << 20,
            idle_timeout: 600,
            output_dir: ".".into(),
        }
    }
}

/// What a client that connects while another is attached receives (a GDB
/// error reply) before the stub closes its connection.
const BUSY: &str = "E.zkdbg: another GDB client is attached to this guest; try again later";

/// Serves GDB clients, one at a time, until `--once` ends it. Each client
/// gets the guest fresh from its entry point; a client that connects while
/// another is attached gets a "busy" error reply.
///
/// Errors: a --listen address that is not loopback without
/// --allow-remote; the ELF cannot be loaded; the address cannot be bound.
pub fn serve(guest_args: &GuestOptions, args: &GdbOptions) -> Result<()> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        anyhow::bail!(
            "refusing to listen on {}: a GDB client gets full control of the guest and can \
             make zkdbg write files; listen on 127.0.0.1, or pass --allow-remote on a network \
             you trust",
            args.listen
        );
    }
    if !args.output_dir.is_dir() {
        anyhow::bail!(
            "--output-dir {} is not a directory",
            args.output_dir.display()
        );
    }
    // Load once up front so that a bad ELF fails before listening.
    let first = Guest::load(guest_args, Output::Capture)?;
    let xlen = first.machine.xlen();
    let listener = TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "zkdbg: warning: listening on {addr}, reachable from other hosts: any client there \
             controls the guest"
        );
    }
    eprintln!(
        "zkdbg: GDB stub for {} ({}) listening on {addr}",
        guest_args.elf.display(),
        xlen.name()
    );
    // gdb reads the sources itself: the substitutions that make the
    // DWARF's paths readable here (--source-map, cargo's registry, the
    // Rust std sources) go into the suggested command line.
    let source = first.symbols.source();
    let subst: String = source
        .paths()
        .gdb_substitutions(source.dwarf_files().iter().map(String::as_str))
        .iter()
        .map(|(from, to)| format!(" -ex 'set substitute-path {from} {to}'"))
        .collect();
    eprintln!(
        "zkdbg: attach with: gdb-multiarch -q {}{subst} -ex 'target remote {addr}'",
        guest_args.elf.display()
    );
    // One thread accepts: the first client goes to the session loop, any
    // other one while a session runs is told the stub is busy.
    let busy = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::sync_channel::<(TcpStream, SocketAddr)>(0);
    let b = busy.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let stream = match conn {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("zkdbg: accept failed: {e}");
                    continue;
                }
            };
            let peer = stream
                .peer_addr()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
            // A client reconnecting right after the last one left: give
            // that session a second to notice and end.
            for _ in 0..20 {
                if !b.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if b.swap(true, Ordering::SeqCst) {
                eprintln!("zkdbg: refused {peer}: a client is attached");
                log::debug!("busy reply sent to {peer}");
                reply_busy(stream);
                continue;
            }
            if tx.send((stream, peer)).is_err() {
                return;
            }
        }
    });
    let mut next = Some(first);
    for (stream, peer) in rx {
        let _ = stream.set_nodelay(true);
        let timeout = (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout));
        let _ = stream.set_read_timeout(timeout);
        let _ = stream.set_write_timeout(timeout);
        eprintln!("zkdbg: client connected from {peer}");
        let guest = match next.take() {
            Some(g) => g,
            None => Guest::load(guest_args, Output::Capture)?,
        };
        log::debug!(
            "session for {peer}: idle timeout {timeout:?}, output dir {}",
            args.output_dir.display()
        );
        let mut dbg = Debugger::new(guest, args.history_budget);
        dbg.set_output_dir(args.output_dir.clone());
        // A bug must end the session, not the stub.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match xlen {
            Xlen::X64 => session::<u64>(dbg, stream),
            Xlen::X32 => session::<u32>(dbg, stream),
        }))
        .unwrap_or_else(|_| Err("internal error (a bug in zkdbg); session ended".into()));
        match outcome {
            Ok(msg) => eprintln!("zkdbg: {msg}"),
            Err(e) => eprintln!("zkdbg: session ended: {e}"),
        }
        busy.store(false, Ordering::SeqCst);
        if args.once {
            return Ok(());
        }
        eprintln!("zkdbg: waiting for the next client on {addr}");
    }
    Ok(())
}

/// Sends [`BUSY`] as a GDB packet (`$...#checksum`) and closes.
fn reply_busy(mut stream: TcpStream) {
    use std::io::Write;
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let sum = BUSY.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    let _ = write!(stream, "${BUSY}#{sum:02x}");
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Serves one GDB client on `stream` until it disconnects, returning how
/// the session ended (for tests and fuzzing: unlike [`serve`], a panic is
/// not contained).
pub fn serve_client(dbg: Debugger, stream: TcpStream) -> Result<String, String> {
    match dbg.guest().machine.xlen() {
        Xlen::X64 => session::<u64>(dbg, stream),
        Xlen::X32 => session::<u32>(dbg, stream),
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
        Err(e) => {
            let msg = e.to_string();
            match e.into_connection_error() {
                // A socket read timeout (set from --idle-timeout).
                Some((io, _))
                    if matches!(
                        io.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    Err("client idle past --idle-timeout".into())
                }
                _ => Err(msg),
            }
        }
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
