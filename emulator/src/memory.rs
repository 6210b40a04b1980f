//! Sparse guest memory with a small software TLB and a predecoded-code cache.
//!
//! Memory is a set of mapped 4 KiB pages. An access to an address that is not
//! mapped is an access fault; nothing is ever mapped in the 64 KiB guard
//! region at address 0, so a null dereference faults. The total of mapped
//! memory is bounded by a limit (bytes).
//!
//! Executable ranges are predecoded once into a table of [`Insn`] indexed by
//! halfword; any write that lands in such a range (a store, a syscall writing
//! a buffer, a debugger poking code) re-decodes the affected slots, so the
//! next fetch sees the new instruction.

use crate::decode::{decode, Insn};
use crate::Xlen;
use rustc_hash::FxHashMap;

/// Page size in bytes.
pub const PAGE_SIZE: u64 = 4096;
const PAGE_SHIFT: u32 = 12;
/// Size in bytes of the unmappable guard region at address 0.
pub const GUARD_SIZE: u64 = 0x1_0000;
const TLB_SIZE: usize = 256;

/// Why a memory access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemError {
    /// The address (first unmapped byte) is not mapped.
    #[error("address {0:#x} is not mapped")]
    Unmapped(u64),
    /// Mapping more would exceed the memory limit.
    #[error("memory limit of {limit} bytes reached")]
    Limit {
        /// The limit in bytes.
        limit: u64,
    },
    /// The range cannot be mapped (guard region or beyond the address space).
    #[error("range {start:#x}..{end:#x} cannot be mapped")]
    BadRange {
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
}

/// A TLB entry: guest page number and the byte offset of its frame in the
/// arena.
#[derive(Clone, Copy)]
struct TlbEntry {
    page: u64,
    base: usize,
}

const TLB_EMPTY: TlbEntry = TlbEntry {
    page: u64::MAX,
    base: 0,
};

/// The predecoded text: slot `i` holds the instruction at `base + 2*i`.
#[derive(Clone, Default)]
struct CodeCache {
    base: u64,
    insns: Vec<Insn>,
    /// Changes (to a value never used before, by any memory) whenever the
    /// predecoded code changes; see [`Memory::code_generation`].
    generation: u64,
}

/// A value no code cache has had yet (generations are process-unique, so a
/// clone that diverges from its original never repeats one of its values).
fn fresh_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl CodeCache {
    #[inline(always)]
    fn span(&self) -> u64 {
        (self.insns.len() as u64) * 2
    }
}

/// Guest physical memory (the guest runs in machine mode without paging).
#[derive(Clone)]
pub struct Memory {
    xlen: Xlen,
    /// Page frames, `PAGE_SIZE` bytes each; frame `i` is `arena[i*4096..]`.
    arena: Vec<u8>,
    /// Guest page number to frame number.
    map: FxHashMap<u64, u32>,
    free: Vec<u32>,
    tlb: [TlbEntry; TLB_SIZE],
    limit: u64,
    code: CodeCache,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("xlen", &self.xlen)
            .field("mapped_bytes", &self.mapped_bytes())
            .field("limit", &self.limit)
            .finish()
    }
}

impl Memory {
    /// Empty memory for a hart of the given XLEN, holding at most `limit`
    /// bytes (rounded down to whole pages).
    pub fn new(xlen: Xlen, limit: u64) -> Memory {
        Memory {
            xlen,
            arena: Vec::new(),
            map: FxHashMap::default(),
            free: Vec::new(),
            tlb: [TLB_EMPTY; TLB_SIZE],
            limit,
            code: CodeCache::default(),
        }
    }

    /// The XLEN this memory decodes instructions for.
    pub fn xlen(&self) -> Xlen {
        self.xlen
    }

    /// The memory limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes currently mapped.
    pub fn mapped_bytes(&self) -> u64 {
        self.map.len() as u64 * PAGE_SIZE
    }

    /// One past the highest address of the guest address space:
    /// 2^32 for RV32, 2^47 for RV64 (the user half of Sv48).
    pub fn address_space_end(&self) -> u64 {
        match self.xlen {
            Xlen::X32 => 1 << 32,
            Xlen::X64 => 1 << 47,
        }
    }

    /// Whether every byte of `addr..addr+len` is mapped.
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        if len == 0 {
            return true;
        }
        let Some(last) = addr.checked_add(len - 1) else {
            return false;
        };
        (addr >> PAGE_SHIFT..=last >> PAGE_SHIFT).all(|p| self.map.contains_key(&p))
    }

    /// Maps zero-filled pages covering `addr..addr+len`; pages already mapped
    /// are kept as they are.
    ///
    /// Errors: [`MemError::BadRange`] if the range touches the guard region or
    /// leaves the address space, [`MemError::Limit`] if the new pages would
    /// exceed the limit (then nothing is mapped).
    pub fn map(&mut self, addr: u64, len: u64) -> Result<(), MemError> {
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(MemError::BadRange {
            start: addr,
            end: u64::MAX,
        })?;
        if addr < GUARD_SIZE || end > self.address_space_end() {
            return Err(MemError::BadRange { start: addr, end });
        }
        let first = addr >> PAGE_SHIFT;
        let last = (end - 1) >> PAGE_SHIFT;
        let new = (first..=last).filter(|p| !self.map.contains_key(p)).count() as u64;
        if self.mapped_bytes() + new * PAGE_SIZE > self.limit {
            return Err(MemError::Limit { limit: self.limit });
        }
        for p in first..=last {
            if !self.map.contains_key(&p) {
                let slot = match self.free.pop() {
                    Some(s) => {
                        self.frame_mut(s).fill(0);
                        s
                    }
                    None => {
                        let n = self.arena.len() / PAGE_SIZE as usize;
                        self.arena.resize(self.arena.len() + PAGE_SIZE as usize, 0);
                        n as u32
                    }
                };
                self.map.insert(p, slot);
            }
        }
        Ok(())
    }

    fn frame(&self, slot: u32) -> &[u8] {
        let b = slot as usize * PAGE_SIZE as usize;
        &self.arena[b..b + PAGE_SIZE as usize]
    }

    fn frame_mut(&mut self, slot: u32) -> &mut [u8] {
        let b = slot as usize * PAGE_SIZE as usize;
        &mut self.arena[b..b + PAGE_SIZE as usize]
    }

    /// Unmaps the pages fully inside `addr..addr+len` (page-aligned `addr`).
    pub fn unmap(&mut self, addr: u64, len: u64) {
        let first = addr >> PAGE_SHIFT;
        let last = addr.saturating_add(len) >> PAGE_SHIFT;
        for p in first..last {
            if let Some(slot) = self.map.remove(&p) {
                self.free.push(slot);
            }
        }
        self.tlb.fill(TLB_EMPTY);
    }

    /// Marks `addr..addr+len` as code: its instructions are predecoded and
    /// kept up to date on every write. Replaces any earlier code range.
    pub fn set_code_range(&mut self, addr: u64, len: u64) {
        let base = addr & !1;
        let n = (len + (addr - base)).div_ceil(2) as usize;
        self.code = CodeCache {
            base,
            insns: Vec::with_capacity(n),
            generation: fresh_generation(),
        };
        for i in 0..n as u64 {
            let insn = self.decode_at(base + 2 * i);
            self.code.insns.push(insn);
        }
    }

    /// The predecoded code range as `(start, end)`.
    pub fn code_range(&self) -> (u64, u64) {
        (self.code.base, self.code.base + self.code.span())
    }

    /// Identifies the current contents of the predecoded code: equal
    /// generations mean identical code (same range, same instructions), so a
    /// structure derived from it (the interpreter's blocks) stays valid while
    /// the generation is unchanged. Any write into the code range, and
    /// [`Memory::set_code_range`], moves it to a value never seen before.
    #[inline(always)]
    pub fn code_generation(&self) -> u64 {
        self.code.generation
    }

    fn decode_at(&self, addr: u64) -> Insn {
        let mut b = [0u8; 4];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = self.peek_u8(addr + i as u64).unwrap_or(0);
        }
        decode(u32::from_le_bytes(b), self.xlen)
    }

    #[cold]
    fn invalidate_code(&mut self, addr: u64, len: u64) {
        let start = addr.saturating_sub(2).max(self.code.base) & !1;
        let end = (addr + len).min(self.code.base + self.code.span());
        self.code.generation = fresh_generation();
        let mut a = start;
        while a < end {
            let i = ((a - self.code.base) / 2) as usize;
            self.code.insns[i] = self.decode_at(a);
            a += 2;
        }
    }

    /// Fetches the instruction at `pc` (even: with the C extension every
    /// instruction is 2-byte aligned); `None` if its bytes are not mapped.
    #[inline(always)]
    pub fn fetch(&self, pc: u64) -> Option<Insn> {
        let i = (pc.wrapping_sub(self.code.base) >> 1) as usize;
        match self.code.insns.get(i) {
            Some(insn) => Some(*insn),
            None => self.fetch_slow(pc),
        }
    }

    /// The predecoded instruction at `pc`, if `pc` is in the predecoded
    /// range (the interpreter's fast path: fields are read in place).
    #[inline(always)]
    pub fn code_slot(&self, pc: u64) -> Option<&Insn> {
        self.code
            .insns
            .get((pc.wrapping_sub(self.code.base) >> 1) as usize)
    }

    /// Decodes the instruction at `pc` from memory, bypassing the
    /// predecoded range.
    #[cold]
    #[inline(never)]
    pub fn fetch_slow(&self, pc: u64) -> Option<Insn> {
        let lo = self.peek_u16(pc).ok()?;
        let word = if lo & 3 == 3 {
            lo as u32 | (self.peek_u16(pc + 2).ok()? as u32) << 16
        } else {
            lo as u32
        };
        Some(decode(word, self.xlen))
    }

    fn peek_u16(&self, addr: u64) -> Result<u16, MemError> {
        Ok(u16::from_le_bytes([
            self.peek_u8(addr)?,
            self.peek_u8(addr + 1)?,
        ]))
    }

    /// Reads one byte without touching the TLB (for observers and debuggers).
    pub fn peek_u8(&self, addr: u64) -> Result<u8, MemError> {
        match self.map.get(&(addr >> PAGE_SHIFT)) {
            Some(&slot) => Ok(self.frame(slot)[(addr & (PAGE_SIZE - 1)) as usize]),
            None => Err(MemError::Unmapped(addr)),
        }
    }

    /// Copies `buf.len()` bytes starting at `addr` into `buf`.
    ///
    /// Errors: [`MemError::Unmapped`] naming the first unmapped byte; `buf`
    /// may then be partly filled.
    pub fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let mut done = 0usize;
        while done < buf.len() {
            let a = addr.wrapping_add(done as u64);
            let off = (a & (PAGE_SIZE - 1)) as usize;
            let n = (PAGE_SIZE as usize - off).min(buf.len() - done);
            let slot = *self
                .map
                .get(&(a >> PAGE_SHIFT))
                .ok_or(MemError::Unmapped(a))?;
            buf[done..done + n].copy_from_slice(&self.frame(slot)[off..off + n]);
            done += n;
        }
        Ok(())
    }

    /// Reads `len` bytes at `addr` into a new vector.
    pub fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, MemError> {
        let mut v = vec![0; len];
        self.read_bytes(addr, &mut v)?;
        Ok(v)
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL).
    ///
    /// Errors: [`MemError::Unmapped`] if a byte before the NUL is unmapped;
    /// `Ok(None)` if no NUL was found within `max` bytes.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Option<Vec<u8>>, MemError> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let b = self.peek_u8(addr.wrapping_add(i))?;
            if b == 0 {
                return Ok(Some(out));
            }
            out.push(b);
        }
        Ok(None)
    }

    /// Writes `data` at `addr`, keeping predecoded code up to date.
    ///
    /// Errors: [`MemError::Unmapped`] naming the first unmapped byte; nothing
    /// is written then.
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        if !self.is_mapped(addr, data.len() as u64) {
            let bad = (0..data.len() as u64)
                .map(|i| addr.wrapping_add(i))
                .find(|&a| !self.is_mapped(a, 1));
            return Err(MemError::Unmapped(bad.unwrap_or(addr)));
        }
        let mut done = 0usize;
        while done < data.len() {
            let a = addr + done as u64;
            let off = (a & (PAGE_SIZE - 1)) as usize;
            let n = (PAGE_SIZE as usize - off).min(data.len() - done);
            let slot = self.map[&(a >> PAGE_SHIFT)];
            self.frame_mut(slot)[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        self.note_write(addr, data.len() as u64);
        Ok(())
    }

    /// Re-decodes predecoded code overlapping `addr..addr+len`. The write
    /// touches a slot iff `base < addr + len` and `addr < base + span + 2`
    /// (a 32-bit instruction in the last slot reaches 2 bytes past the span);
    /// both are checked with one wrapping compare.
    #[inline(always)]
    fn note_write(&mut self, addr: u64, len: u64) {
        let t = addr.wrapping_add(len).wrapping_sub(self.code.base);
        if t.wrapping_sub(1) < self.code.span() + 1 + len {
            self.invalidate_code(addr, len);
        }
    }

    /// The arena offset of the frame holding `addr`'s page, through the TLB.
    #[inline(always)]
    fn tlb_lookup(&mut self, addr: u64) -> Option<usize> {
        let page = addr >> PAGE_SHIFT;
        let e = self.tlb[(page as usize) & (TLB_SIZE - 1)];
        if e.page == page {
            Some(e.base)
        } else {
            self.tlb_fill(page)
        }
    }

    #[cold]
    #[inline(never)]
    fn tlb_fill(&mut self, page: u64) -> Option<usize> {
        let slot = *self.map.get(&page)?;
        let base = slot as usize * PAGE_SIZE as usize;
        self.tlb[(page as usize) & (TLB_SIZE - 1)] = TlbEntry { page, base };
        Some(base)
    }

    /// Loads `size` (1, 2, 4 or 8) bytes at `addr`, little-endian,
    /// zero-extended; `None` if a byte is unmapped. Alignment is not checked.
    #[inline(always)]
    pub fn load(&mut self, addr: u64, size: usize) -> Option<u64> {
        let off = (addr & (PAGE_SIZE - 1)) as usize;
        if off + size <= PAGE_SIZE as usize {
            let base = self.tlb_lookup(addr)? + off;
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(&self.arena[base..base + size]);
            return Some(u64::from_le_bytes(b));
        }
        self.load_slow(addr, size)
    }

    #[cold]
    #[inline(never)]
    fn load_slow(&mut self, addr: u64, size: usize) -> Option<u64> {
        let mut b = [0u8; 8];
        self.read_bytes(addr, &mut b[..size]).ok()?;
        Some(u64::from_le_bytes(b))
    }

    /// Stores the low `size` (1, 2, 4 or 8) bytes of `value` at `addr`;
    /// `false` (and nothing written) if a byte is unmapped.
    #[inline(always)]
    pub fn store(&mut self, addr: u64, size: usize, value: u64) -> bool {
        let off = (addr & (PAGE_SIZE - 1)) as usize;
        if off + size <= PAGE_SIZE as usize {
            let Some(base) = self.tlb_lookup(addr) else {
                return false;
            };
            let base = base + off;
            self.arena[base..base + size].copy_from_slice(&value.to_le_bytes()[..size]);
            self.note_write(addr, size as u64);
            return true;
        }
        self.store_slow(addr, size, value)
    }

    #[cold]
    #[inline(never)]
    fn store_slow(&mut self, addr: u64, size: usize, value: u64) -> bool {
        self.write_bytes(addr, &value.to_le_bytes()[..size]).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_and_unmapped() {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        assert!(matches!(m.map(0, 16), Err(MemError::BadRange { .. })));
        assert!(matches!(
            m.map(GUARD_SIZE - 1, 2),
            Err(MemError::BadRange { .. })
        ));
        assert_eq!(m.load(0, 8), None);
        m.map(0x8000_0000, 10).unwrap();
        assert_eq!(m.mapped_bytes(), PAGE_SIZE);
        assert!(!m.store(0x8000_0ffe, 4, 0xdead_beef));
        m.map(0x8000_1000, 1).unwrap();
        assert!(m.store(0x8000_0ffe, 4, 0xdead_beef));
        assert_eq!(m.load(0x8000_0ffe, 4), Some(0xdead_beef));
        assert_eq!(m.load(0x8000_0fff, 2), Some(0xadbe));
    }

    #[test]
    fn limit_is_enforced() {
        let mut m = Memory::new(Xlen::X32, 2 * PAGE_SIZE);
        m.map(0x10000, PAGE_SIZE * 2).unwrap();
        assert_eq!(
            m.map(0x20000, 1),
            Err(MemError::Limit {
                limit: 2 * PAGE_SIZE
            })
        );
        m.unmap(0x10000, PAGE_SIZE);
        m.map(0x20000, 1).unwrap();
        assert!(matches!(
            m.map(0xffff_f000, 0x2000),
            Err(MemError::BadRange { .. })
        ));
    }

    #[test]
    fn writes_to_code_redecode() {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map(0x8000_0000, 0x1000).unwrap();
        m.write_bytes(0x8000_0000, &0x0000_0013u32.to_le_bytes())
            .unwrap(); // nop
        m.set_code_range(0x8000_0000, 0x100);
        assert_eq!(m.fetch(0x8000_0000).unwrap().op, crate::Op::Addi);
        assert!(m.store(0x8000_0000, 4, 0x0000_0073)); // ecall
        assert_eq!(m.fetch(0x8000_0000).unwrap().op, crate::Op::Ecall);
        // a write to the upper half of a 32-bit instruction also counts
        assert!(m.store(0x8000_0002, 2, 0x0010)); // ebreak = 0x00100073
        assert_eq!(m.fetch(0x8000_0000).unwrap().op, crate::Op::Ebreak);
    }
}
