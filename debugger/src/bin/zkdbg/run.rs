//! `zkdbg run`: run a guest to its end, print the summary, write the report.

use crate::args::GuestArgs;
use anyhow::{Context, Result};
use std::path::PathBuf;
use zeroos::Output;
use zkdbg::guest::Guest;
use zkdbg::run::RunReport;
use zkdbg_emulator::StopReason;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    guest: GuestArgs,
    /// Also write the summary as JSON to FILE.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
}

pub fn main(a: RunArgs) -> Result<i32> {
    let mut guest = Guest::load(&a.guest.into(), Output::Inherit)?;
    let (stop, seconds) = zkdbg::exec::run_guest(&mut guest, &mut ());
    let report = finish_run(&mut guest, &stop)?;
    print_summary(&report, seconds);
    if let Some(p) = a.report {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        std::fs::write(&p, json).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(report.exit_code)
}

/// Syncs writable mounts and builds the run report of a finished run.
/// Shared by `run`, `profile` and `trace`.
pub fn finish_run(guest: &mut Guest, stop: &StopReason) -> Result<RunReport> {
    guest
        .os
        .sync()
        .context("cannot write back files under a writable mount")?;
    Ok(RunReport::new(guest, stop))
}

/// Prints the fault (if any) and the one-line summary on stderr.
pub fn print_summary(report: &RunReport, seconds: f64) {
    if let Some(f) = &report.fault {
        eprintln!("zkdbg: {}", f.message());
    }
    eprintln!("{}", report.summary(seconds));
}
