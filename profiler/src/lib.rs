//! Exact, inline-aware cycle profiles and syscall traces of zkVM guests.
//!
//! Symbols (DWARF lines, inline chains, unwinding) come from
//! `zkdbg-symbols`.
//!
//! - [`profile`]: the [`Profiler`] observer (shadow call stack, exact cycle
//!   attribution, syscall frames, spans);
//! - [`report`]: the finished [`Profile`] and its outputs (folded stacks,
//!   SVG, JSON, pprof, `--top` table, differential flamegraphs);
//! - [`trace`]: the syscall [`Tracer`] observer and its JSONL and
//!   strace-style records.

mod pprof;
pub mod profile;
pub mod report;
mod timeline;
pub mod trace;

pub use profile::Profiler;
pub use report::{diff_table, write_diff_svg, Profile, Summary};
pub use trace::Tracer;
