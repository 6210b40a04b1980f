//! Exact, inline-aware cycle profiles and syscall traces of zkVM guests.
//!
//! - [`source`]: DWARF symbolization (`addr2line`), shared with the
//!   debugger;
//! - [`symbolize`]: per-pc inline chains, interned and cached;
//! - [`profile`]: the [`Profiler`] observer (shadow call stack, exact cycle
//!   attribution, syscall frames, spans);
//! - [`report`]: the finished [`Profile`] and its outputs (folded stacks,
//!   SVG, JSON, pprof, `--top` table, differential flamegraphs);
//! - [`trace`]: the syscall [`Tracer`] observer and its JSONL and
//!   strace-style records.

mod pprof;
pub mod profile;
pub mod report;
pub mod source;
pub mod symbolize;
pub mod trace;
pub mod unwind;

pub use profile::Profiler;
pub use report::{write_diff_svg, Profile, Summary};
pub use symbolize::Symbolizer;
pub use trace::Tracer;
