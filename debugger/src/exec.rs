//! Running a guest to its end under an observer, with a progress bar on a
//! terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use zkdbg_emulator::{Machine, Observer, StopReason};

/// Runs `guest` to its end under `obs` (see [`run_to_end`]); on RISC
/// Zero, RISC Zero's paging model watches too (`obs` gets its cycles as
/// `[paging]` platform cycles) and its totals land in
/// `guest.risc0_cycles`.
pub fn run_guest<O: Observer>(guest: &mut crate::guest::Guest, obs: &mut O) -> (StopReason, f64) {
    if let zkdbg_platforms::Device::Risc0(d) = &guest.os.device {
        let mut paged = zkdbg_platforms::risc0::pager::Paged::new(obs, d.segment_po2);
        let r = run_to_end(&mut guest.machine, &mut guest.os, &mut paged);
        guest.risc0_cycles = Some(paged.pager.totals());
        r
    } else {
        run_to_end(&mut guest.machine, &mut guest.os, obs)
    }
}

/// Instructions run between two progress updates.
const CHUNK: u64 = 1 << 24;

/// Runs `machine` until it stops for a reason other than the step limit.
/// When stderr is a terminal and the run lasts over half a second, a
/// spinner (indicatif) shows instructions, cycles and MIPS; guest output
/// clears it before each write (see [`zeroos::set_inherit_wrapper`]), and
/// it is cleared at the end. Returns the stop reason and the wall time in seconds.
pub fn run_to_end<E: zkdbg_emulator::Environment, O: Observer>(
    machine: &mut Machine,
    env: &mut E,
    obs: &mut O,
) -> (StopReason, f64) {
    let start = Instant::now();
    let tty = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let mut bar: Option<ProgressBar> = None;
    let first = machine.cpu.instret;
    loop {
        let stop = machine.run(env, obs, CHUNK);
        if stop != StopReason::StepLimit {
            if let Some(b) = bar {
                zeroos::set_inherit_wrapper(None);
                b.finish_and_clear();
            }
            return (stop, start.elapsed().as_secs_f64());
        }
        let el = start.elapsed();
        if tty && bar.is_none() && el > Duration::from_millis(500) {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            // Guest output clears the line, is written, and the line is
            // drawn again.
            let for_writes = b.clone();
            zeroos::set_inherit_wrapper(Some(std::sync::Arc::new(move |w| for_writes.suspend(w))));
            bar = Some(b);
        }
        if let Some(b) = &bar {
            let n = machine.cpu.instret - first;
            b.set_message(format!(
                "{} instructions, {} cycles, {:.0} MIPS",
                machine.cpu.instret,
                machine.cpu.cycle,
                n as f64 / el.as_secs_f64() / 1e6
            ));
            b.tick();
        }
    }
}
