//! `zkdbg tui`: the terminal step-through UI.

use crate::args::{parse_size, GuestArgs};
use anyhow::Result;
use zeroos::Output;
use zkdbg::core::Debugger;
use zkdbg::guest::Guest;

#[derive(clap::Args, Debug)]
pub struct TuiArgs {
    #[command(flatten)]
    guest: GuestArgs,
    /// Memory budget for reverse-execution snapshots (bytes; K, M, G accepted).
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "256M")]
    history_budget: u64,
    /// Run to the guest's fault (or end) at once and stop there: the
    /// state to inspect and reverse-step from (what `zkdbg run` suggests
    /// after a fault).
    #[arg(long)]
    break_at_fault: bool,
}

pub fn main(a: TuiArgs) -> Result<i32> {
    let guest = Guest::load(&a.guest.into(), Output::Capture)?;
    zkdbg::tui::run(Debugger::new(guest, a.history_budget), a.break_at_fault)?;
    Ok(0)
}
