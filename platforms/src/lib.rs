//! zkVM platforms: each zkVM's machine as its guests see it, held as data
//! with the source of every fact (repository, file, commit).
//!
//! - [`jolt`]: Jolt's memory layout (I/O region, stack, heap) computed
//!   from its `MemoryConfig` as Jolt computes it;
//! - [`zeroos`]: the stack and heap a ZeroOS guest's linker symbols name.
//!
//! This crate is the start of the platform layer (issue "Real zkVM guests,
//! part 1"): the facts first; the loader, the ecall ABI, the custom
//! instructions and the cost models follow.

pub mod jolt;
pub mod zeroos;
