//! The `zkdbg` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Instant;
use zeroos::Output;
use zkdbg::guest::{Guest, GuestArgs};
use zkdbg::run::RunReport;
use zkdbg::source::SourceMap;

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
    Run {
        #[command(flatten)]
        guest: GuestArgs,
        /// Also write the summary as JSON to FILE.
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
    },
}

fn main() {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("zkdbg: error: {e:#}");
            std::process::exit(2);
        }
    }
}

fn real_main(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run { guest, report } => run(&guest, report),
    }
}

fn run(args: &GuestArgs, report_path: Option<PathBuf>) -> Result<i32> {
    let mut guest = Guest::load(args, Output::Inherit)?;
    let start = Instant::now();
    let stop = guest.machine.run(&mut guest.os, &mut (), u64::MAX);
    let seconds = start.elapsed().as_secs_f64();
    guest
        .os
        .sync()
        .context("cannot write back files under a writable mount")?;
    let source = SourceMap::new(&guest.path);
    let report = RunReport::new(&guest, &stop, &source);
    if let Some(f) = &report.fault {
        eprintln!("zkdbg: {}", f.message());
    }
    eprintln!("{}", report.summary(seconds));
    if let Some(p) = report_path {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        std::fs::write(&p, json).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(report.exit_code)
}
