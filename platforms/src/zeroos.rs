//! The memory contract of ZeroOS's linker script: where a guest built with
//! ZeroOS (as Jolt's std guests are) keeps its stack and heap. Neither lies
//! in a PT_LOAD segment: they are reservations named by linker symbols, so
//! a loader must map them itself.
//!
//! Source: LayerZero-Labs/ZeroOS `crates/zeroos-build/src/files/linker.ld.template`,
//! commit c4087a8: `__stack_top` is the top of RAM aligned down to 16
//! bytes, `__stack_bottom = __stack_top - __stack_size`, a 4096-byte guard
//! below the stack, `__heap_end` page-aligned below the guard and
//! `__heap_start = __heap_end - __heap_size` (page-aligned down); the boot
//! code (`crates/zeroos-arch-riscv/src/boot.rs`) loads `sp` from
//! `__stack_top`.

/// Bytes of the unmapped guard between the heap and the stack (linker
/// script: `__stack_guard_size`).
pub const STACK_GUARD_SIZE: u64 = 4096;

/// The stack and heap a ZeroOS guest's linker symbols describe, as
/// `start..end` byte ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZeroOsLayout {
    /// `__stack_bottom..__stack_top` (sp starts at the top).
    pub stack: (u64, u64),
    /// `__heap_start..__heap_end`.
    pub heap: (u64, u64),
}

impl ZeroOsLayout {
    /// Reads the layout from the ELF's symbols (`symbol` looks a name up
    /// and gives its address). `None` if the symbols are missing or do not
    /// describe the script's shape: the heap below the stack with at least
    /// the guard between them, every range non-empty and ordered.
    ///
    /// The linker emits a `PROVIDE`d symbol only when something refers to
    /// it, and guests rarely refer to `__stack_bottom`: without it the
    /// stack is taken to start right above the guard after `__heap_end`
    /// (the script puts `__heap_end` at most 4095 bytes below that).
    pub fn from_symbols(symbol: impl Fn(&str) -> Option<u64>) -> Option<ZeroOsLayout> {
        let heap = (symbol("__heap_start")?, symbol("__heap_end")?);
        let bottom = match symbol("__stack_bottom") {
            Some(b) => b,
            None => heap.1.checked_add(STACK_GUARD_SIZE)?,
        };
        let stack = (bottom, symbol("__stack_top")?);
        let ordered = heap.0 < heap.1
            && stack.0 < stack.1
            && heap.1.checked_add(STACK_GUARD_SIZE)? <= stack.0;
        ordered.then_some(ZeroOsLayout { stack, heap })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script's arithmetic for RAM 0x80000000 + 128 MiB, a 64 KiB stack
    /// and a 1 MiB heap, worked by hand.
    fn symbols(name: &str) -> Option<u64> {
        let top = 0x8800_0000u64; // ALIGN(0x88000000 - 15, 16)
        let bottom = top - 0x1_0000;
        let heap_end = (bottom - 4096) & !4095; // ALIGN(x - 4095, 4096)
        let heap_start = (heap_end - 0x10_0000) & !4095;
        match name {
            "__stack_top" => Some(top),
            "__stack_bottom" => Some(bottom),
            "__heap_end" => Some(heap_end),
            "__heap_start" => Some(heap_start),
            _ => None,
        }
    }

    #[test]
    fn reads_the_linker_symbols() {
        let l = ZeroOsLayout::from_symbols(symbols).unwrap();
        assert_eq!(l.stack, (0x87ff_0000, 0x8800_0000));
        assert_eq!(l.heap, (0x87ee_f000, 0x87fe_f000));
    }

    #[test]
    fn missing_or_misordered_symbols_give_none() {
        assert_eq!(ZeroOsLayout::from_symbols(|_| None), None);
        let without_heap = |n: &str| symbols(n).filter(|_| !n.starts_with("__heap"));
        assert_eq!(ZeroOsLayout::from_symbols(without_heap), None);
        // Without __stack_bottom the stack starts above the guard.
        let without_bottom = |n: &str| symbols(n).filter(|_| n != "__stack_bottom");
        let l = ZeroOsLayout::from_symbols(without_bottom).unwrap();
        assert_eq!(l.stack, (0x87fe_f000 + 4096, 0x8800_0000));
        // Heap overlapping the stack guard.
        let overlap = |n: &str| match n {
            "__heap_end" => symbols("__stack_bottom"),
            other => symbols(other),
        };
        assert_eq!(ZeroOsLayout::from_symbols(overlap), None);
        // Ranges near the top of the address space do not overflow.
        let huge = |n: &str| match n {
            "__heap_end" => Some(u64::MAX - 10),
            "__heap_start" => Some(0),
            other => symbols(other),
        };
        assert_eq!(ZeroOsLayout::from_symbols(huge), None);
    }
}
