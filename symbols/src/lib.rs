//! Symbols of a guest ELF, read once from the bytes that were loaded (never
//! re-read from disk, so what is symbolized is what runs):
//!
//! - [`source`]: DWARF lines and inline frames (`addr2line` over in-memory
//!   sections), falling back to the ELF symbol table;
//! - [`unwind`]: call-stack unwinding from `.debug_frame`/`.eh_frame`
//!   (`gimli`);
//! - [`symbolize`]: per-pc inline chains, interned and cached (the
//!   profiler's view of [`source`]);
//! - [`vars`]: arguments and locals in scope at a pc, their values, and
//!   gdb's `print EXPR`;
//! - [`paths`]: where the source files DWARF names are on this machine
//!   (`--source-map`, cargo registry and Rust std conventions).
//!
//! [`Symbols`] holds the first two and is cheap to clone: its parts share
//! the ELF bytes and the parsed DWARF (reference-counted; `addr2line`'s
//! lazily filled context is not `Sync`, so sharing is within one thread).

pub mod paths;
pub mod source;
pub mod symbolize;
pub mod unwind;
pub mod vars;

pub use paths::SourcePaths;
pub use source::{Frame, SourceMap};
pub use symbolize::Symbolizer;
pub use unwind::{Unwinder, UnwoundFrame};
pub use vars::{FrameState, PrintError, Variable};

use std::sync::Arc;

/// The DWARF source map and the unwinder of one ELF.
#[derive(Clone)]
pub struct Symbols {
    source: SourceMap,
    unwinder: Arc<Unwinder>,
}

impl Symbols {
    /// Reads the symbols of the ELF image `elf`. An image without DWARF or
    /// call frame information (or not an ELF at all) gives symbols that
    /// know no lines and no frames, never an error.
    pub fn new(elf: Arc<[u8]>) -> Symbols {
        Symbols {
            unwinder: Arc::new(Unwinder::new(&elf)),
            source: SourceMap::new(elf),
        }
    }

    /// Symbols that know nothing.
    pub fn empty() -> Symbols {
        Symbols {
            source: SourceMap::empty(),
            unwinder: Arc::new(Unwinder::new(&[])),
        }
    }

    /// The same symbols naming and finding source files by `paths`.
    pub fn with_source_paths(mut self, paths: SourcePaths) -> Symbols {
        self.source = self.source.with_paths(paths);
        self
    }

    /// Lines and inline frames (a clone shares the parsed DWARF).
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// The call-frame unwinder.
    pub fn unwinder(&self) -> &Unwinder {
        &self.unwinder
    }
}
