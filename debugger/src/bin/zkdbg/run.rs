//! `zkdbg run`: run a guest to its end, print the summary, write the report.

use crate::args::GuestArgs;
use anyhow::{Context, Result};
use std::io::Write;
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
    // The report's file is created before the run: a path that cannot be
    // written fails now, not after a long run.
    let report_file = match &a.report {
        Some(p) => Some((
            std::fs::File::create(p)
                .with_context(|| format!("cannot write --report {}", p.display()))?,
            p,
        )),
        None => None,
    };
    let mut guest = Guest::load(&a.guest.into(), Output::Inherit)?;
    let (stop, seconds) = zkdbg::exec::run_guest(&mut guest, &mut ());
    let report = finish_run(&mut guest, &stop)?;
    print_summary(&report, seconds);
    if let Some((mut f, p)) = report_file {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        f.write_all(json.as_bytes())
            .with_context(|| format!("cannot write {}", p.display()))?;
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
