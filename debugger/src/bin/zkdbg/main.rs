//! The `zkdbg` command line: one module per subcommand, each with its
//! arguments (clap) and its `main`; [`args`] holds the arguments several
//! share and converts them into the library's option types.

mod args;
mod diff;
mod gdb;
mod profile;
mod run;
mod trace;
mod tui;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::Path;

/// Debugger and cycle profiler for zkVM guests (RISC-V ELF programs).
#[derive(Parser, Debug)]
#[command(name = "zkdbg", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a guest to completion: its stdout/stderr pass through, its exit code becomes ours,
    /// and a one-line summary (instructions, cycles, syscalls, wall time, MIPS) goes to stderr.
    Run(run::RunArgs),
    /// Profile a guest's cycles exactly (every cycle attributed, inline frames included) and
    /// write a flamegraph, folded stacks, a JSON summary or a pprof file.
    Profile(profile::ProfileArgs),
    /// Draw a differential flamegraph of two folded-stack files (from `profile --folded`):
    /// frames coloured by how their cycles changed from BEFORE to AFTER.
    Diff(diff::DiffArgs),
    /// Serve the guest to GDB (gdb-multiarch, LLDB) over the GDB remote protocol: breakpoints,
    /// stepping, watchpoints, syscall catchpoints and reverse execution.
    Gdb(gdb::GdbCommandArgs),
    /// Step through the guest in a terminal UI: source, disassembly, registers, call stack,
    /// memory, breakpoints, syscalls and output (press ? inside for keys).
    Tui(tui::TuiArgs),
    /// Trace every syscall (and Jolt host call) the guest makes: JSON lines or strace-style text.
    Trace(trace::TraceArgs),
}

fn main() {
    // Off unless RUST_LOG asks: `RUST_LOG=gdbstub=trace` shows the GDB
    // packets, `RUST_LOG=zkdbg=debug` our own debug logs.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .target(env_logger::Target::Stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Run(a) => run::main(a),
        Command::Profile(a) => profile::main(a),
        Command::Diff(a) => diff::main(a),
        Command::Gdb(a) => gdb::main(a),
        Command::Tui(a) => tui::main(a),
        Command::Trace(a) => trace::main(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("zkdbg: error: {e:#}");
            std::process::exit(2);
        }
    }
}

/// Creates `path` and writes it through a buffer with `f`.
fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)
        .and_then(|_| w.flush())
        .with_context(|| format!("cannot write {}", path.display()))
}
