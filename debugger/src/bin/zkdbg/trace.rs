//! `zkdbg trace`: every syscall and host call, streamed as JSON lines or
//! strace-style text.

use crate::args::GuestArgs;
use crate::run::{finish_run, print_summary};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use zeroos::Output;
use zkdbg::exec::run_guest;
use zkdbg::guest::Guest;
use zkdbg_profiler::trace::Record;
use zkdbg_profiler::Tracer;

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    #[command(flatten)]
    guest: GuestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TraceFormat::Strace)]
    format: TraceFormat,
    /// Write the trace to FILE (default: stderr, as strace does).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TraceFormat {
    /// One JSON object per line.
    Jsonl,
    /// strace-style text.
    Strace,
}

pub fn main(a: TraceArgs) -> Result<i32> {
    let mut guest = Guest::load(&a.guest.into(), Output::Inherit)?;
    let program = guest.machine.program.clone();
    let format = a.format;
    // Records stream to the output as the guest runs (constant memory).
    let mut w: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => Box::new(std::io::stderr()),
    };
    let sink = Box::new(move |r: Option<&Record>| {
        match (r, format) {
            (None, _) => return w.flush(),
            (Some(r), TraceFormat::Jsonl) => serde_json::to_writer(&mut w, r)?,
            (Some(r), TraceFormat::Strace) => w.write_all(r.strace_line().as_bytes())?,
        }
        w.write_all(b"\n")
    });
    let mut tracer = Tracer::streaming(program, guest.symbols.source().clone(), sink);
    let (stop, seconds) = run_guest(&mut guest, &mut tracer);
    let report = finish_run(&mut guest, &stop)?;
    tracer.finish().context("cannot write the trace")?;
    print_summary(&report, seconds);
    Ok(report.exit_code)
}
