//! `zkdbg diff`: a differential flamegraph of two folded-stack files, and
//! with `--top N` a text diff of their functions.

use crate::write_file;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use zkdbg_profiler::write_diff_svg;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// Folded stacks before the change.
    #[arg(value_name = "BEFORE.folded")]
    before: PathBuf,
    /// Folded stacks after the change.
    #[arg(value_name = "AFTER.folded")]
    after: PathBuf,
    /// The differential flamegraph (SVG).
    #[arg(short, long, value_name = "FILE.svg", default_value = "diff.svg")]
    output: PathBuf,
    /// Also print the N functions whose total cycles changed most (a text
    /// diff, on stdout).
    #[arg(long, value_name = "N")]
    top: Option<usize>,
}

pub fn main(a: DiffArgs) -> Result<i32> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (before, after) = (read(&a.before)?, read(&a.after)?);
    // The table first: it also checks both files' lines.
    let table = a
        .top
        .map(|n| zkdbg_profiler::diff_table(&before, &after, n))
        .transpose()
        .map_err(|e| anyhow::anyhow!("cannot diff: {e}"))?;
    write_file(&a.output, |w| write_diff_svg(&before, &after, w))?;
    eprintln!(
        "zkdbg: differential flamegraph written to {}",
        a.output.display()
    );
    if let Some(t) = table {
        print!("{t}");
    }
    Ok(0)
}
