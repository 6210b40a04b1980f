//! Jolt's guest memory layout.
//!
//! Source: a16z/jolt `common/src/jolt_device.rs` (`MemoryConfig`,
//! `MemoryLayout::new`) and `common/src/constants.rs`, commit ff9f8c134
//! ("refactor(jolt-field): land the shared field stack (#1792)"). Facts,
//! not code: the rules below are restated from that source and computed
//! with checked arithmetic, returning an error where Jolt panics.
//!
//! Memory, lowest address first:
//! `advice (larger one first) || input || output || panic word || termination word || padding || RAM`,
//! where the I/O part ends at or below [`RAM_START_ADDRESS`], sized up to a
//! power of two of 8-byte words; RAM holds the program (`program_size`
//! bytes: text, data, rodata, bss), then a [`STACK_CANARY_SIZE`]-byte
//! canary and the stack (growing down from `stack_end + canary + stack`
//! towards `stack_end`), then the heap (up to `heap_end`).

pub mod cost;
pub mod device;
pub mod ec;
pub mod insn;

pub use cost::JOLT_CYCLES;
pub use device::{IoError, JoltDevice, JoltInputs};

/// Jolt's `program_size` for an ELF: one past the highest byte of any
/// section at or above [`RAM_START_ADDRESS`], minus that address (`.bss`
/// included). Source: `crates/jolt-program/src/image/elf.rs`
/// (`decode_elf`, `program_end`) and `crates/jolt-prover-legacy/src/guest/program.rs`
/// (`program_size = program_end - RAM_START_ADDRESS`).
///
/// Errors: bytes that are not an ELF object.
pub fn program_size(elf: &[u8]) -> Result<u64, object::Error> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(elf)?;
    let end = file
        .sections()
        .filter(|s| s.address() >= RAM_START_ADDRESS)
        .map(|s| s.address().saturating_add(s.size()))
        .max()
        .unwrap_or(RAM_START_ADDRESS);
    Ok(end - RAM_START_ADDRESS)
}

/// Where RAM (and the program) starts. Source: `constants.rs`.
pub const RAM_START_ADDRESS: u64 = 0x8000_0000;
/// Default heap size in bytes (32 MiB). Source: `constants.rs`.
pub const DEFAULT_HEAP_SIZE: u64 = 32 * 1024 * 1024;
/// Default stack size in bytes. Source: `constants.rs`.
pub const DEFAULT_STACK_SIZE: u64 = 4096;
/// Bytes of the stack canary between the program and the stack. Source:
/// `constants.rs`.
pub const STACK_CANARY_SIZE: u64 = 128;
/// Default trusted advice size in bytes. Source: `constants.rs`.
pub const DEFAULT_MAX_TRUSTED_ADVICE_SIZE: u64 = 4096;
/// Default untrusted advice size in bytes. Source: `constants.rs`.
pub const DEFAULT_MAX_UNTRUSTED_ADVICE_SIZE: u64 = 4096;
/// Default input size in bytes. Source: `constants.rs`.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 4096;
/// Default output size in bytes. Source: `constants.rs`.
pub const DEFAULT_MAX_OUTPUT_SIZE: u64 = 4096;

/// What a guest is built with: the sizes `#[jolt::provable(...)]` sets, in
/// bytes, and the program's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryConfig {
    /// Input region (`max_input_size`).
    pub max_input_size: u64,
    /// Trusted advice region (`max_trusted_advice_size`; a power of two or 0).
    pub max_trusted_advice_size: u64,
    /// Untrusted advice region (`max_untrusted_advice_size`; a power of two or 0).
    pub max_untrusted_advice_size: u64,
    /// Output region (`max_output_size`).
    pub max_output_size: u64,
    /// Stack (`stack_size`).
    pub stack_size: u64,
    /// Heap (`heap_size`).
    pub heap_size: u64,
    /// The ELF's sections from RAM_START_ADDRESS on: text, data, rodata, bss.
    pub program_size: u64,
}

impl MemoryConfig {
    /// Jolt's defaults for a program of `program_size` bytes.
    pub fn with_program_size(program_size: u64) -> MemoryConfig {
        MemoryConfig {
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            max_trusted_advice_size: DEFAULT_MAX_TRUSTED_ADVICE_SIZE,
            max_untrusted_advice_size: DEFAULT_MAX_UNTRUSTED_ADVICE_SIZE,
            max_output_size: DEFAULT_MAX_OUTPUT_SIZE,
            stack_size: DEFAULT_STACK_SIZE,
            heap_size: DEFAULT_HEAP_SIZE,
            program_size,
        }
    }
}

/// Why a [`MemoryConfig`] has no layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// An advice size that is neither 0 nor a power of two (after rounding
    /// up to 8 bytes).
    #[error("{which} advice size {size} bytes is not a power of two")]
    AdviceNotPowerOfTwo {
        /// `trusted` or `untrusted`.
        which: &'static str,
        /// The size, rounded up to 8 bytes.
        size: u64,
    },
    /// The sizes do not fit in the 64-bit address space (or the I/O region
    /// does not fit below RAM).
    #[error("memory sizes overflow the address space: {0}")]
    Overflow(&'static str),
}

/// Addresses (bytes) of each region; ranges are `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryLayout {
    /// Program size in bytes (as configured).
    pub program_size: u64,
    /// Trusted advice region.
    pub trusted_advice: (u64, u64),
    /// Untrusted advice region.
    pub untrusted_advice: (u64, u64),
    /// Input region.
    pub input: (u64, u64),
    /// Output region.
    pub output: (u64, u64),
    /// The panic word: the guest stores non-zero here to panic.
    pub panic: u64,
    /// The termination word: the guest stores non-zero here to end.
    pub termination: u64,
    /// End of the I/O region (after the termination word).
    pub io_end: u64,
    /// The lowest address of the stack (it grows down from `stack_top`).
    pub stack_end: u64,
    /// The initial stack pointer: `stack_end + canary + stack_size`.
    pub stack_top: u64,
    /// End of the heap (it grows up from `stack_top`).
    pub heap_end: u64,
}

/// `v` rounded up to a multiple of 8.
fn align8(v: u64) -> Result<u64, LayoutError> {
    v.checked_next_multiple_of(8)
        .ok_or(LayoutError::Overflow("size rounded up to 8 bytes"))
}

impl MemoryLayout {
    /// Lays out memory as Jolt's `MemoryLayout::new` does.
    ///
    /// Errors: an advice size that is not a power of two; sizes whose sum
    /// overflows, or an I/O region larger than the 2 GiB below RAM.
    pub fn new(c: &MemoryConfig) -> Result<MemoryLayout, LayoutError> {
        let trusted = align8(c.max_trusted_advice_size)?;
        let untrusted = align8(c.max_untrusted_advice_size)?;
        let input = align8(c.max_input_size)?;
        let output = align8(c.max_output_size)?;
        let stack = align8(c.stack_size)?;
        let heap = align8(c.heap_size)?;
        for (which, size) in [("trusted", trusted), ("untrusted", untrusted)] {
            if size != 0 && !size.is_power_of_two() {
                return Err(LayoutError::AdviceNotPowerOfTwo { which, size });
            }
        }
        let overflow = LayoutError::Overflow;
        // The panic and termination words take 8 bytes each; the region is
        // padded to a power of two of words.
        let io_region = [trusted, untrusted, input, output, 16]
            .into_iter()
            .try_fold(0u64, u64::checked_add)
            .ok_or(overflow("I/O region size"))?;
        let io_bytes = (io_region / 8)
            .checked_next_power_of_two()
            .and_then(|w| w.checked_mul(8))
            .ok_or(overflow("I/O region padding"))?;
        let io_start = RAM_START_ADDRESS
            .checked_sub(io_bytes)
            .ok_or(overflow("I/O region below RAM"))?;
        // The larger (or, if equal, the trusted) advice region comes first.
        let (trusted_advice, untrusted_advice) = if trusted >= untrusted {
            let t = (io_start, io_start + trusted);
            (t, (t.1, t.1 + untrusted))
        } else {
            let u = (io_start, io_start + untrusted);
            ((u.1, u.1 + trusted), u)
        };
        let input_start = trusted_advice.1.max(untrusted_advice.1);
        let input_region = (input_start, input_start + input);
        let output_region = (input_region.1, input_region.1 + output);
        let panic = output_region.1;
        let stack_end = RAM_START_ADDRESS
            .checked_add(c.program_size)
            .ok_or(overflow("program size"))?;
        let stack_top = stack_end
            .checked_add(STACK_CANARY_SIZE)
            .and_then(|s| s.checked_add(stack))
            .ok_or(overflow("stack size"))?;
        let heap_end = stack_top.checked_add(heap).ok_or(overflow("heap size"))?;
        Ok(MemoryLayout {
            program_size: c.program_size,
            trusted_advice,
            untrusted_advice,
            input: input_region,
            output: output_region,
            panic,
            termination: panic + 8,
            io_end: panic + 16,
            stack_end,
            stack_top,
            heap_end,
        })
    }

    /// The lowest address of the I/O region.
    pub fn io_start(&self) -> u64 {
        self.trusted_advice.0.min(self.untrusted_advice.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jolt's defaults, worked by hand from the rules: 4 KiB each of
    /// trusted advice, untrusted advice, input and output plus 16 bytes is
    /// 2050 words, padded to 4096 words = 32 KiB below RAM.
    #[test]
    fn default_layout() {
        let l = MemoryLayout::new(&MemoryConfig::with_program_size(0x1_0000)).unwrap();
        assert_eq!(l.trusted_advice, (0x7fff_8000, 0x7fff_9000));
        assert_eq!(l.untrusted_advice, (0x7fff_9000, 0x7fff_a000));
        assert_eq!(l.input, (0x7fff_a000, 0x7fff_b000));
        assert_eq!(l.output, (0x7fff_b000, 0x7fff_c000));
        assert_eq!(
            (l.panic, l.termination, l.io_end),
            (0x7fff_c000, 0x7fff_c008, 0x7fff_c010)
        );
        assert_eq!(l.io_start(), 0x7fff_8000);
        assert_eq!(l.stack_end, 0x8001_0000);
        assert_eq!(l.stack_top, 0x8001_0000 + 128 + 4096);
        assert_eq!(l.heap_end, l.stack_top + (32 << 20));
    }

    /// The larger advice region goes first; sizes round up to 8 bytes.
    #[test]
    fn larger_advice_first_and_rounding() {
        let mut c = MemoryConfig::with_program_size(100);
        c.max_trusted_advice_size = 0;
        c.max_untrusted_advice_size = 8192;
        c.max_input_size = 10;
        c.max_output_size = 1;
        c.stack_size = 1;
        let l = MemoryLayout::new(&c).unwrap();
        // 0 + 8192 + 16 + 8 + 16 = 8232 bytes = 1029 words -> 2048 words.
        assert_eq!(
            l.untrusted_advice,
            (0x8000_0000 - 0x4000, 0x8000_0000 - 0x2000)
        );
        assert_eq!(
            l.trusted_advice,
            (0x8000_0000 - 0x2000, 0x8000_0000 - 0x2000)
        );
        assert_eq!(l.input, (0x8000_0000 - 0x2000, 0x8000_0000 - 0x2000 + 16));
        assert_eq!(l.output.1 - l.output.0, 8);
        assert_eq!(l.stack_top, 0x8000_0000 + 100 + 128 + 8);
    }

    #[test]
    fn bad_configs_are_errors_not_panics() {
        let mut c = MemoryConfig::with_program_size(0);
        c.max_trusted_advice_size = 3000;
        assert_eq!(
            MemoryLayout::new(&c),
            Err(LayoutError::AdviceNotPowerOfTwo {
                which: "trusted",
                size: 3000
            })
        );
        let mut c = MemoryConfig::with_program_size(0);
        c.max_input_size = 1 << 40;
        assert!(matches!(
            MemoryLayout::new(&c),
            Err(LayoutError::Overflow(_))
        ));
        let mut c = MemoryConfig::with_program_size(u64::MAX);
        c.heap_size = u64::MAX;
        assert!(MemoryLayout::new(&c).is_err());
        c.program_size = 0;
        assert!(MemoryLayout::new(&c).is_err());
    }
}
