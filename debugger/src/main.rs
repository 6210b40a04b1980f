//! The `zkdbg` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use zeroos::Output;
use zkdbg::exec::run_to_end;
use zkdbg::guest::{Guest, GuestArgs};
use zkdbg::run::RunReport;
use zkdbg::source::SourceMap;
use zkdbg_profiler::{write_diff_svg, Profiler, Symbolizer, Tracer};

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
    /// Profile a guest's cycles exactly (every cycle attributed, inline frames included) and
    /// write a flamegraph, folded stacks, a JSON summary or a pprof file.
    ///
    /// (`zkdbg profile --diff BEFORE.folded AFTER.folded` is an older spelling of `zkdbg diff`.)
    Profile {
        #[command(flatten)]
        guest: GuestArgs,
        #[command(flatten)]
        out: ProfileOutputs,
    },
    /// Draw a differential flamegraph of two folded-stack files (from `profile --folded`):
    /// frames coloured by how their cycles changed from BEFORE to AFTER.
    Diff {
        /// Folded stacks before the change.
        #[arg(value_name = "BEFORE.folded")]
        before: PathBuf,
        /// Folded stacks after the change.
        #[arg(value_name = "AFTER.folded")]
        after: PathBuf,
        /// The differential flamegraph (SVG).
        #[arg(short, long, value_name = "FILE.svg", default_value = "diff.svg")]
        output: PathBuf,
    },
    /// Serve the guest to GDB (gdb-multiarch, LLDB) over the GDB remote protocol: breakpoints,
    /// stepping, watchpoints, syscall catchpoints and reverse execution.
    Gdb {
        #[command(flatten)]
        guest: GuestArgs,
        #[command(flatten)]
        gdb: zkdbg::gdb::GdbArgs,
    },
    /// Step through the guest in a terminal UI: source, disassembly, registers, call stack,
    /// memory, breakpoints, syscalls and output (press ? inside for keys).
    Tui {
        #[command(flatten)]
        guest: GuestArgs,
        /// Memory budget for reverse-execution snapshots (bytes; K, M, G accepted).
        #[arg(long, value_name = "BYTES", value_parser = zkdbg::guest::parse_size, default_value = "256M")]
        history_budget: u64,
    },
    /// Trace every syscall (and Jolt host call) the guest makes: JSON lines or strace-style text.
    Trace {
        #[command(flatten)]
        guest: GuestArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TraceFormat::Strace)]
        format: TraceFormat,
        /// Write the trace to FILE (default: stderr, as strace does).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Output options of `zkdbg profile`. With none of -o, --folded, --json and --pprof,
/// the flamegraph goes to `flamegraph.svg`.
#[derive(clap::Args, Debug, Default)]
struct ProfileOutputs {
    /// SVG flamegraph (inferno).
    #[arg(short, long, value_name = "FILE.svg")]
    output: Option<PathBuf>,
    /// Folded stacks (flamegraph.pl, inferno, speedscope).
    #[arg(long, value_name = "FILE")]
    folded: Option<PathBuf>,
    /// JSON summary: functions, syscalls, spans.
    #[arg(long, value_name = "FILE.json")]
    json: Option<PathBuf>,
    /// pprof profile (gzip protobuf, for `go tool pprof`).
    #[arg(long, value_name = "FILE.pb.gz")]
    pprof: Option<PathBuf>,
    /// Print the N functions with the most self cycles.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
}

/// `zkdbg profile --diff BEFORE AFTER -o diff.svg`.
#[derive(Parser, Debug)]
#[command(name = "zkdbg profile")]
struct DiffCli {
    /// The folded stacks before and after the change.
    #[arg(long, num_args = 2, value_names = ["BEFORE.folded", "AFTER.folded"], required = true)]
    diff: Vec<PathBuf>,
    /// The differential flamegraph (SVG).
    #[arg(short, long, value_name = "FILE.svg", default_value = "diff.svg")]
    output: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TraceFormat {
    /// One JSON object per line.
    Jsonl,
    /// strace-style text.
    Strace,
}

fn main() {
    // Off unless RUST_LOG asks: `RUST_LOG=gdbstub=trace` shows the GDB
    // packets, `RUST_LOG=zkdbg=debug` our own debug logs.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .target(env_logger::Target::Stderr)
        .init();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `profile --diff` takes no guest: parse it on its own.
    let result =
        if args.get(1).is_some_and(|a| a == "profile") && args.iter().any(|a| a == "--diff") {
            let cli = DiffCli::parse_from(args[1..].iter());
            diff(&cli.diff[0], &cli.diff[1], &cli.output)
        } else {
            real_main(Cli::parse())
        };
    match result {
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
        Command::Profile { guest, out } => profile(&guest, out),
        Command::Trace {
            guest,
            format,
            output,
        } => trace(&guest, format, output),
        Command::Tui {
            guest,
            history_budget,
        } => {
            let g = Guest::load(&guest, Output::Capture)?;
            zkdbg::tui::run(zkdbg::core::Debugger::new(g, history_budget))?;
            Ok(0)
        }
        Command::Diff {
            before,
            after,
            output,
        } => diff(&before, &after, &output),
        Command::Gdb { guest, gdb } => {
            zkdbg::gdb::serve(&guest, &gdb)?;
            Ok(0)
        }
    }
}

/// Syncs writable mounts and builds the run report of a finished run
/// (`source` locates a fault).
fn finish_run(
    guest: &mut Guest,
    stop: &zkdbg_emulator::StopReason,
    source: &SourceMap,
) -> Result<RunReport> {
    guest
        .os
        .sync()
        .context("cannot write back files under a writable mount")?;
    Ok(RunReport::new(guest, stop, source))
}

/// Prints the fault (if any) and the one-line summary on stderr.
fn print_summary(report: &RunReport, seconds: f64) {
    if let Some(f) = &report.fault {
        eprintln!("zkdbg: {}", f.message());
    }
    eprintln!("{}", report.summary(seconds));
}

fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)
        .and_then(|_| w.flush())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn profile(args: &GuestArgs, mut out: ProfileOutputs) -> Result<i32> {
    if out.output.is_none() && out.folded.is_none() && out.json.is_none() && out.pprof.is_none() {
        out.output = Some(PathBuf::from("flamegraph.svg"));
    }
    let mut guest = Guest::load(args, Output::Inherit)?;
    let program = guest.machine.program.clone();
    let mut profiler = Profiler::new(Symbolizer::new(program, SourceMap::new(&guest.path)));
    profiler.limit_nodes(args.memory_limit);
    let (stop, seconds) = run_to_end(&mut guest.machine, &mut guest.os, &mut profiler);
    let report = finish_run(&mut guest, &stop, profiler.symbolizer().source())?;
    print_summary(&report, seconds);
    let prof = profiler.finish();
    let name = guest.name();
    if let Some(p) = &out.output {
        write_file(p, |w| prof.write_svg(&name, w))?;
        eprintln!("zkdbg: flamegraph written to {}", p.display());
    }
    if let Some(p) = &out.folded {
        write_file(p, |w| prof.write_folded(w))?;
    }
    if let Some(p) = &out.json {
        let json = serde_json::to_string_pretty(&prof.summary(&name))? + "\n";
        write_file(p, |w| w.write_all(json.as_bytes()))?;
    }
    if let Some(p) = &out.pprof {
        let bytes = prof.pprof()?;
        write_file(p, |w| w.write_all(&bytes))?;
    }
    for s in prof.spans() {
        eprintln!(
            "zkdbg: span {}: {} cycles in {} run(s){}",
            s.name,
            s.cycles,
            s.count,
            if s.unclosed > 0 {
                format!(", {} never ended", s.unclosed)
            } else {
                String::new()
            }
        );
    }
    let st = prof.stack_stats();
    if st.confusions > 0 {
        eprintln!(
            "zkdbg: note: the shadow call stack was confused {} time(s) (returns matching no call)",
            st.confusions
        );
    }
    if let Some(n) = out.top {
        print!("{}", prof.top_table(n));
    }
    Ok(report.exit_code)
}

fn diff(before: &Path, after: &Path, output: &Path) -> Result<i32> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (before, after) = (read(before)?, read(after)?);
    write_file(output, |w| write_diff_svg(&before, &after, w))?;
    eprintln!(
        "zkdbg: differential flamegraph written to {}",
        output.display()
    );
    Ok(0)
}

fn trace(args: &GuestArgs, format: TraceFormat, output: Option<PathBuf>) -> Result<i32> {
    let mut guest = Guest::load(args, Output::Inherit)?;
    let program = guest.machine.program.clone();
    // Records stream to the output as the guest runs (constant memory).
    let mut w: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => Box::new(std::io::stderr()),
    };
    let sink = Box::new(move |r: Option<&zkdbg_profiler::trace::Record>| {
        match (r, format) {
            (None, _) => return w.flush(),
            (Some(r), TraceFormat::Jsonl) => serde_json::to_writer(&mut w, r)?,
            (Some(r), TraceFormat::Strace) => w.write_all(r.strace_line().as_bytes())?,
        }
        w.write_all(b"\n")
    });
    let mut tracer = Tracer::streaming(program, SourceMap::new(&guest.path), sink);
    let (stop, seconds) = run_to_end(&mut guest.machine, &mut guest.os, &mut tracer);
    let report = finish_run(&mut guest, &stop, tracer.source())?;
    tracer.finish().context("cannot write the trace")?;
    print_summary(&report, seconds);
    Ok(report.exit_code)
}

fn run(args: &GuestArgs, report_path: Option<PathBuf>) -> Result<i32> {
    let mut guest = Guest::load(args, Output::Inherit)?;
    let start = Instant::now();
    let stop = guest.machine.run(&mut guest.os, &mut (), u64::MAX);
    let seconds = start.elapsed().as_secs_f64();
    let source = SourceMap::new(&guest.path);
    let report = finish_run(&mut guest, &stop, &source)?;
    print_summary(&report, seconds);
    if let Some(p) = report_path {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        std::fs::write(&p, json).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(report.exit_code)
}
