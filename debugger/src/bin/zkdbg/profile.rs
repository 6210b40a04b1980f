//! `zkdbg profile`: exact cycle profiles (SVG, folded, JSON, pprof, top table).

use crate::args::GuestArgs;
use crate::run::{finish_run, print_summary};
use crate::write_file;
use anyhow::Result;
use std::path::PathBuf;
use zeroos::Output;
use zkdbg::exec::run_guest;
use zkdbg::guest::Guest;
use zkdbg_profiler::Profiler;
use zkdbg_symbols::Symbolizer;

#[derive(clap::Args, Debug)]
pub struct ProfileArgs {
    #[command(flatten)]
    guest: GuestArgs,
    #[command(flatten)]
    out: ProfileOutputs,
}

/// Output options of `zkdbg profile`. With none of -o, --folded, --json, --pprof, --gecko and
/// --speedscope, the flamegraph goes to `flamegraph.svg`.
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
    /// Firefox Profiler file (processed profile JSON, for
    /// profiler.firefox.com): a timeline of the run, sampled every
    /// --sample-every cycles, with call tree and flame graph.
    #[arg(long, value_name = "FILE.json")]
    gecko: Option<PathBuf>,
    /// speedscope file (JSON, for speedscope.app): the same timeline.
    #[arg(long, value_name = "FILE.json")]
    speedscope: Option<PathBuf>,
    /// Profile only the cycles inside the cycle-tracking span NAME (SP1's
    /// `cycle-tracker-start: NAME` ... `cycle-tracker-end: NAME`, Jolt's
    /// markers): every output then covers that span alone.
    #[arg(long, value_name = "NAME")]
    span: Option<String>,
    /// Cycles between two timeline samples (--gecko, --speedscope); past
    /// a million samples the interval doubles.
    #[arg(long, value_name = "CYCLES", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    sample_every: u64,
    /// Print the N functions (or, with --by line, source lines) with the
    /// most self cycles.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// What --top ranks: functions, or source lines (each instruction's
    /// innermost inline frame's file:line).
    #[arg(long, value_enum, default_value = "function", requires = "top")]
    by: TopBy,
}

/// What `--top` ranks.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
enum TopBy {
    /// Functions (inline functions included).
    #[default]
    Function,
    /// Source lines.
    Line,
}

pub fn main(a: ProfileArgs) -> Result<i32> {
    let mut out = a.out;
    if out.output.is_none()
        && out.folded.is_none()
        && out.json.is_none()
        && out.pprof.is_none()
        && out.gecko.is_none()
        && out.speedscope.is_none()
    {
        out.output = Some(PathBuf::from("flamegraph.svg"));
    }
    let memory_limit = a.guest.memory_limit;
    let mut guest = Guest::load(&a.guest.into(), Output::Inherit)?;
    let program = guest.machine.program.clone();
    let source = guest.symbols.source().clone();
    let mut sym = Symbolizer::new(program, source);
    for &(start, end, name) in guest.code_regions() {
        sym.name_region(start, end, name);
    }
    let mut profiler = Profiler::new(sym);
    profiler.limit_nodes(memory_limit);
    if out.by == TopBy::Line {
        profiler.count_pcs();
    }
    if out.pprof.is_some() {
        // One location per pc: at most this many (node, pc) pairs of 24
        // bytes (plus the map's overhead), within the memory limit.
        profiler.count_node_pcs((memory_limit / 64).clamp(1 << 16, 1 << 24) as usize);
    }
    if let Some(name) = &out.span {
        profiler.only_span(name);
    }
    if out.gecko.is_some() || out.speedscope.is_some() {
        // A sample is 16 bytes: at most a million, and within the limit.
        let max = (memory_limit / 64).clamp(1024, 1_000_000) as usize;
        profiler.sample_every(out.sample_every, max);
    }
    let (stop, seconds) = run_guest(&mut guest, &mut profiler);
    let report = finish_run(&mut guest, &stop)?;
    print_summary(&report, seconds);
    let prof = profiler.finish();
    let name = guest.name();
    if let Some(span) = &out.span {
        if !prof.spans().iter().any(|s| &s.name == span) {
            let seen: Vec<&str> = prof.spans().iter().map(|s| s.name.as_str()).collect();
            anyhow::bail!(
                "--span {span}: the guest never started that span (spans it ran: {})",
                if seen.is_empty() {
                    "none".to_string()
                } else {
                    seen.join(", ")
                }
            );
        }
        eprintln!(
            "zkdbg: profile of span {span} only: {} cycles, {} instructions",
            prof.cycles(),
            prof.instructions()
        );
    }
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
        let binary = (guest.path.display().to_string(), exec_offset(&guest.elf));
        let bytes = prof.pprof(Some((&binary.0, binary.1)))?;
        write_file(p, |w| w.write_all(&bytes))?;
    }
    if let Some(p) = &out.gecko {
        let bytes = prof.gecko(&name)?;
        write_file(p, |w| w.write_all(&bytes))?;
    }
    if let Some(p) = &out.speedscope {
        let json = serde_json::to_string(&prof.speedscope(&name))? + "\n";
        write_file(p, |w| w.write_all(json.as_bytes()))?;
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
        // Apart from the guest's stdout: on a line of its own, after a
        // blank line.
        match guest.os.zeroos.stdout_last_byte() {
            Some(b'\n') => println!(),
            Some(_) => println!("\n"),
            None => {}
        }
        match prof.top_lines(n) {
            Some(t) if out.by == TopBy::Line => print!("{t}"),
            _ => print!("{}", prof.top_table(n)),
        }
    }
    Ok(report.exit_code)
}

/// The file offset of the ELF's lowest executable segment (the pprof
/// mapping's `file_offset`); 0 if there is none.
fn exec_offset(elf: &[u8]) -> u64 {
    use object::{Object, ObjectSegment, SegmentFlags};
    let Ok(f) = object::File::parse(elf) else {
        return 0;
    };
    f.segments()
        .filter(|s| match s.flags() {
            SegmentFlags::Elf { p_flags } => p_flags & object::elf::PF_X != 0,
            _ => false,
        })
        .min_by_key(|s| s.address())
        .map_or(0, |s| s.file_range().0)
}
