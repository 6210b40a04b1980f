//! Sparse guest memory with page permissions, a small software TLB and a
//! lazily predecoded code cache.
//!
//! Memory is a set of mapped 4 KiB pages, each readable, writable and/or
//! executable ([`Perm`]). An access to an address that is not mapped, or
//! that its page's permissions do not allow, is an access fault; nothing is
//! ever mapped in the 64 KiB guard region at address 0, so a null
//! dereference faults.
//!
//! One budget, [`Memory::limit`] bytes, bounds everything a guest can make
//! the host hold: mapped pages, the predecoded code tables (charged when the
//! code range is set), and whatever the environment charges with
//! [`Memory::charge`] (in-memory files, captured output).
//!
//! Executable ranges get a table of [`Insn`] indexed by halfword, filled on
//! first execution ([`Memory::fetch_exec`]); a write that lands on a
//! decoded slot (a store, a syscall writing a buffer, a debugger poking
//! code) resets it, so the next fetch decodes the new instruction. Writes
//! to bytes never executed (data in an RWX page) cost a compare or two.

use crate::decode::{decode, Insn};
use crate::Xlen;
use rustc_hash::FxHashMap;

/// Page size in bytes.
pub const PAGE_SIZE: u64 = 4096;
const PAGE_SHIFT: u32 = 12;
/// Size in bytes of the unmappable guard region at address 0.
pub const GUARD_SIZE: u64 = 0x1_0000;
pub(crate) const TLB_SIZE: usize = 256;

/// Host bytes the interpreter's tables take per halfword of predecoded code:
/// the [`Insn`] slot, the block-start index and up to
/// [`BLOCK_ENTRIES_PER_SLOT`] block entries of 24 bytes (16 for the entry,
/// 8 for its cycles).
pub const CODE_BYTES_PER_HALFWORD: u64 = 16 + 4 + 24 * BLOCK_ENTRIES_PER_SLOT as u64;
/// How many block entries (instructions in built blocks) the interpreter
/// keeps per halfword of code before it drops its blocks and starts over.
pub const BLOCK_ENTRIES_PER_SLOT: usize = 2;

/// Page permissions (`PROT_READ`/`PROT_WRITE`/`PROT_EXEC` of mmap(2), the
/// `PF_R`/`PF_W`/`PF_X` flags of an ELF segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Perm(u8);

impl Perm {
    /// No access.
    pub const NONE: Perm = Perm(0);
    /// Readable.
    pub const R: Perm = Perm(1);
    /// Writable.
    pub const W: Perm = Perm(2);
    /// Executable.
    pub const X: Perm = Perm(4);
    /// Readable and writable (data, stack, heap).
    pub const RW: Perm = Perm(3);
    /// Readable and executable (code).
    pub const RX: Perm = Perm(5);
    /// Everything (hand-assembled test images, platforms without protection).
    pub const RWX: Perm = Perm(7);

    /// From the `PROT_*` bits of mmap(2)/mprotect(2) (1 read, 2 write, 4 exec).
    pub fn from_prot(prot: u64) -> Perm {
        Perm((prot & 7) as u8)
    }

    /// Whether every permission in `other` is in `self`.
    #[inline(always)]
    pub fn allows(self, other: Perm) -> bool {
        self.0 & other.0 == other.0
    }

    /// `self` with the permissions of `other` added.
    pub fn union(self, other: Perm) -> Perm {
        Perm(self.0 | other.0)
    }

    /// `rwx`-style text, e.g. `r-x`.
    pub fn describe(self) -> String {
        let c = |p: Perm, ch| if self.allows(p) { ch } else { '-' };
        [c(Perm::R, 'r'), c(Perm::W, 'w'), c(Perm::X, 'x')]
            .iter()
            .collect()
    }
}

/// Why a memory access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemError {
    /// The address (first unmapped byte) is not mapped.
    #[error("address {0:#x} is not mapped")]
    Unmapped(u64),
    /// The address is mapped, but its page does not allow the access.
    #[error("address {addr:#x} is in a page mapped {}", perm.describe())]
    Protection {
        /// The first byte denied.
        addr: u64,
        /// Its page's permissions.
        perm: Perm,
    },
    /// Mapping or charging more would exceed the memory limit.
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
#[repr(C)]
pub(crate) struct TlbEntry {
    page: u64,
    base: usize,
}

const TLB_EMPTY: TlbEntry = TlbEntry {
    page: u64::MAX,
    base: 0,
};

/// A mapped page: its frame in the arena and its permissions.
#[derive(Clone, Copy, Debug)]
struct Page {
    frame: u32,
    perm: Perm,
}

/// A predecoded slot that has not been decoded yet (no real instruction
/// has length 0).
const UNDECODED: Insn = Insn {
    len: 0,
    ..Insn::illegal(0, 4)
};

/// The predecoded text: slot `i` holds the instruction at `base + 2*i`, or
/// [`UNDECODED`].
#[derive(Clone, Default)]
struct CodeCache {
    base: u64,
    insns: Vec<Insn>,
    /// Changes (to a value never used before, by any memory) whenever a
    /// decoded slot changes; see [`Memory::code_generation`].
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
    /// Guest page number to frame and permissions.
    map: FxHashMap<u64, Page>,
    free: Vec<u32>,
    /// Pages that may be read.
    rtlb: [TlbEntry; TLB_SIZE],
    /// Pages that may be written.
    wtlb: [TlbEntry; TLB_SIZE],
    limit: u64,
    /// Bytes charged besides mapped pages (code tables, the environment's).
    charged: u64,
    code: CodeCache,
    /// Write-watched ranges (a platform's device words and output region):
    /// their pages never enter the write TLB, so every store to them takes
    /// the slow path, which records it.
    watches: Vec<WriteWatch>,
    /// A byte register whose 1-byte stores are kept (see
    /// [`Memory::capture_byte_stores`]), and the bytes not yet taken.
    capture: Option<u64>,
    captured: Vec<u8>,
    /// Demand-zero reservations (see [`Memory::reserve`]): first and last
    /// page and the permissions their pages get when first touched.
    reserved: Vec<(u64, u64, Perm)>,
    /// Bytes from address 0 that are never mapped (see
    /// [`Memory::set_guard`]).
    guard: u64,
}

/// A range whose writes [`Memory`] records (see [`Memory::watch_writes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
struct WriteWatch {
    start: u64,
    end: u64,
    /// One past the highest byte written in the range so far.
    high: Option<u64>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("xlen", &self.xlen)
            .field("mapped_bytes", &self.mapped_bytes())
            .field("charged", &self.charged)
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
            rtlb: [TLB_EMPTY; TLB_SIZE],
            wtlb: [TLB_EMPTY; TLB_SIZE],
            limit,
            charged: 0,
            code: CodeCache::default(),
            watches: Vec::new(),
            capture: None,
            captured: Vec::new(),
            reserved: Vec::new(),
            guard: GUARD_SIZE,
        }
    }

    /// Sets how many bytes from address 0 are never mapped (a whole number
    /// of pages; [`GUARD_SIZE`] by default, so that null pointers fault): 0
    /// for a platform whose programs load at address 0 (ZKsync Airbender).
    /// Call before mapping anything.
    pub fn set_guard(&mut self, bytes: u64) {
        self.guard = bytes & !(PAGE_SIZE - 1);
    }

    /// Bytes from address 0 that are never mapped.
    pub fn guard(&self) -> u64 {
        self.guard
    }

    /// Reserves `addr..addr+len` as demand-zero memory with `perm`: its
    /// pages read as zero and are mapped (and charged against the limit)
    /// only when first written, or read by a load. This is how a zkVM's
    /// memory works (SP1: every address below 2^48 is zero until
    /// written). Pages mapped already keep their permissions. Unmapping a
    /// reserved page makes it read as zero again.
    ///
    /// Errors: [`MemError::BadRange`] if the range touches the guard
    /// region or leaves the address space.
    pub fn reserve(&mut self, addr: u64, len: u64, perm: Perm) -> Result<(), MemError> {
        if len == 0 {
            return Ok(());
        }
        let (first, last) = self.page_range(addr, len)?;
        self.reserved.push((first, last, perm));
        Ok(())
    }

    /// Whether `addr` lies in a demand-zero reservation and its page is
    /// not mapped yet (an access there that failed ran out of budget).
    pub fn is_demand_zero(&self, addr: u64) -> bool {
        let page = addr >> PAGE_SHIFT;
        !self.map.contains_key(&page) && self.reserved_perm(page).is_some()
    }

    /// The permissions a reserved page gets, if `page` is reserved.
    fn reserved_perm(&self, page: u64) -> Option<Perm> {
        self.reserved
            .iter()
            .rev()
            .find(|&&(a, b, _)| a <= page && page <= b)
            .map(|r| r.2)
    }

    /// Maps reserved page `page` if it is reserved and not mapped yet;
    /// `false` if it is neither mapped nor reserved, or the limit is
    /// reached.
    fn fault_in(&mut self, page: u64) -> bool {
        if self.map.contains_key(&page) {
            return true;
        }
        match self.reserved_perm(page) {
            Some(perm) => self.map_with(page << PAGE_SHIFT, PAGE_SIZE, perm).is_ok(),
            None => false,
        }
    }

    /// Maps the reserved pages of `addr..addr+len` that are not mapped
    /// yet (the range was checked).
    ///
    /// Errors: [`MemError::Limit`].
    fn fault_in_range(&mut self, addr: u64, len: u64) -> Result<(), MemError> {
        if len == 0 || self.reserved.is_empty() {
            return Ok(());
        }
        let last = addr.saturating_add(len - 1) >> PAGE_SHIFT;
        for p in addr >> PAGE_SHIFT..=last {
            if !self.fault_in(p) {
                return Err(MemError::Limit { limit: self.limit });
            }
        }
        Ok(())
    }

    /// Records writes to `start..end` from now on (stores by the guest
    /// and writes by the host alike): [`Memory::written_end`] then tells
    /// one past the highest byte written there. Stores to the range's pages
    /// are slower (they bypass the write TLB). Returns the watch's index.
    pub fn watch_writes(&mut self, start: u64, end: u64) -> usize {
        self.watches.push(WriteWatch {
            start,
            end,
            high: None,
        });
        self.wtlb.fill(TLB_EMPTY);
        self.watches.len() - 1
    }

    /// Keeps every 1-byte store to `addr` from now on (a device's
    /// transmit register: ZisK's UART, `core/src/mem.rs`: "any data of
    /// exactly 1-byte length written to UART_ADDR will be sent to the
    /// standard output"); the byte is written to memory too. The machine
    /// hands them to [`crate::Environment::device_output`] at the next
    /// block boundary, so at most one block's stores wait here.
    pub fn capture_byte_stores(&mut self, addr: u64) {
        self.watch_writes(addr, addr.saturating_add(1));
        self.capture = Some(addr);
    }

    /// Whether captured bytes wait to be taken.
    #[inline(always)]
    pub fn has_captured(&self) -> bool {
        !self.captured.is_empty()
    }

    /// The bytes captured since the last call, in store order.
    pub fn take_captured(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.captured)
    }

    /// One past the highest byte written in watch `index`'s range, or
    /// `None` if nothing was written there (or there is no such watch).
    pub fn written_end(&self, index: usize) -> Option<u64> {
        self.watches.get(index)?.high
    }

    /// Whether a page holds a watched byte.
    fn page_watched(&self, page: u64) -> bool {
        let (lo, hi) = (page << PAGE_SHIFT, (page + 1) << PAGE_SHIFT);
        self.watches.iter().any(|w| w.start < hi && lo < w.end)
    }

    /// Records a write of `addr..addr+len` in the watches it touches.
    fn note_watched(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        for w in &mut self.watches {
            if addr < w.end && w.start < end {
                let top = end.min(w.end);
                w.high = Some(w.high.map_or(top, |h| h.max(top)));
            }
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

    /// Bytes held against the limit: mapped pages plus charged bytes.
    pub fn used_bytes(&self) -> u64 {
        self.mapped_bytes().saturating_add(self.charged)
    }

    /// Bytes that may still be mapped or charged before the limit.
    pub fn available_bytes(&self) -> u64 {
        self.limit.saturating_sub(self.used_bytes())
    }

    /// Charges `bytes` of host memory held on the guest's behalf (an
    /// in-memory file, captured output) against the limit.
    ///
    /// Errors: [`MemError::Limit`] if that would exceed the limit (nothing is
    /// charged then).
    pub fn charge(&mut self, bytes: u64) -> Result<(), MemError> {
        if bytes > self.available_bytes() {
            return Err(MemError::Limit { limit: self.limit });
        }
        self.charged += bytes;
        Ok(())
    }

    /// Gives back `bytes` charged with [`Memory::charge`].
    pub fn release(&mut self, bytes: u64) {
        self.charged = self.charged.saturating_sub(bytes);
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
        self.check(addr, len, Perm::NONE).is_ok()
    }

    /// Checks that every byte of `addr..addr+len` is mapped with `perm`.
    ///
    /// Errors: [`MemError::Unmapped`] or [`MemError::Protection`] naming the
    /// first byte that is not. Work is bounded by the pages mapped.
    pub fn check(&self, addr: u64, len: u64, perm: Perm) -> Result<(), MemError> {
        if len == 0 {
            return Ok(());
        }
        let Some(last) = addr.checked_add(len - 1) else {
            // The range wraps: the first byte past the address space.
            return Err(MemError::Unmapped(self.address_space_end().max(addr)));
        };
        for p in addr >> PAGE_SHIFT..=last >> PAGE_SHIFT {
            let at = (p << PAGE_SHIFT).max(addr);
            let page_perm = match self.map.get(&p) {
                Some(pg) => pg.perm,
                None => match self.reserved_perm(p) {
                    Some(rp) => rp,
                    None => return Err(MemError::Unmapped(at)),
                },
            };
            if !page_perm.allows(perm) {
                return Err(MemError::Protection {
                    addr: at,
                    perm: page_perm,
                });
            }
        }
        Ok(())
    }

    /// The permissions of the page holding `addr`, if it is mapped.
    pub fn perm(&self, addr: u64) -> Option<Perm> {
        let page = addr >> PAGE_SHIFT;
        self.map
            .get(&page)
            .map(|p| p.perm)
            .or_else(|| self.reserved_perm(page))
    }

    /// Page numbers of the mapped pages in `first..=last`, found by walking
    /// whichever is smaller: the range or the map.
    fn mapped_in(&self, first: u64, last: u64) -> Vec<u64> {
        let span = last - first;
        if span < self.map.len() as u64 {
            (first..=last)
                .filter(|p| self.map.contains_key(p))
                .collect()
        } else {
            let mut v: Vec<u64> = self
                .map
                .keys()
                .copied()
                .filter(|p| (first..=last).contains(p))
                .collect();
            v.sort_unstable();
            v
        }
    }

    /// The pages of `addr..addr+len`, or [`MemError::BadRange`] if the
    /// range touches the guard region or leaves the address space.
    fn page_range(&self, addr: u64, len: u64) -> Result<(u64, u64), MemError> {
        let end = addr.checked_add(len).ok_or(MemError::BadRange {
            start: addr,
            end: u64::MAX,
        })?;
        if addr < self.guard || end > self.address_space_end() {
            return Err(MemError::BadRange { start: addr, end });
        }
        Ok((addr >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT))
    }

    /// Maps zero-filled readable, writable and executable pages covering
    /// `addr..addr+len`; see [`Memory::map_with`].
    pub fn map(&mut self, addr: u64, len: u64) -> Result<(), MemError> {
        self.map_with(addr, len, Perm::RWX)
    }

    /// Maps zero-filled pages with `perm` covering `addr..addr+len`; pages
    /// already mapped keep their contents and get `perm` added.
    ///
    /// Errors: [`MemError::BadRange`] if the range touches the guard region or
    /// leaves the address space, [`MemError::Limit`] if the new pages would
    /// exceed the limit (then nothing is mapped). Work is bounded by the
    /// pages mapped, whatever `len` is.
    pub fn map_with(&mut self, addr: u64, len: u64, perm: Perm) -> Result<(), MemError> {
        if len == 0 {
            return Ok(());
        }
        let (first, last) = self.page_range(addr, len)?;
        let existing = self.mapped_in(first, last);
        let new = (last - first + 1) - existing.len() as u64;
        if new > self.available_bytes() / PAGE_SIZE {
            return Err(MemError::Limit { limit: self.limit });
        }
        for p in existing {
            let pg = self.map.get_mut(&p).expect("listed as mapped");
            pg.perm = pg.perm.union(perm);
        }
        for p in first..=last {
            if self.map.contains_key(&p) {
                continue;
            }
            let frame = match self.free.pop() {
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
            self.map.insert(p, Page { frame, perm });
        }
        // No decoded slot needs resetting: new pages were unmapped (their
        // slots were reset then) and old ones only gained permissions.
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

    /// Unmaps the pages fully inside `addr..addr+len` (page-aligned `addr`)
    /// and returns how many were mapped. Work is bounded by the pages
    /// mapped, whatever `len` is.
    pub fn unmap(&mut self, addr: u64, len: u64) -> u64 {
        let first = addr.div_ceil(PAGE_SIZE);
        let end = addr.saturating_add(len) >> PAGE_SHIFT;
        if end <= first {
            return 0;
        }
        let pages = self.mapped_in(first, end - 1);
        for p in &pages {
            if let Some(pg) = self.map.remove(p) {
                self.free.push(pg.frame);
            }
        }
        self.flush_tlbs();
        self.forget_code(first << PAGE_SHIFT, end << PAGE_SHIFT);
        pages.len() as u64
    }

    /// Sets the permissions of the pages covering `addr..addr+len`
    /// (mprotect(2)).
    ///
    /// Errors: [`MemError::Unmapped`] if a page of the range is not mapped
    /// (nothing changes then), [`MemError::BadRange`] for a range in the
    /// guard region or outside the address space.
    pub fn protect(&mut self, addr: u64, len: u64, perm: Perm) -> Result<(), MemError> {
        if len == 0 {
            return Ok(());
        }
        let (first, last) = self.page_range(addr, len)?;
        let pages = self.mapped_in(first, last);
        if pages.len() as u64 != last - first + 1 {
            // The first gap lies within pages.len() + 1 pages of `first`.
            let missing = (first..=last)
                .find(|p| !self.map.contains_key(p))
                .unwrap_or(first);
            return Err(MemError::Unmapped(missing << PAGE_SHIFT));
        }
        for p in pages {
            self.map.get_mut(&p).expect("listed as mapped").perm = perm;
        }
        self.flush_tlbs();
        self.forget_code(first << PAGE_SHIFT, (last + 1) << PAGE_SHIFT);
        Ok(())
    }

    fn flush_tlbs(&mut self) {
        self.rtlb.fill(TLB_EMPTY);
        self.wtlb.fill(TLB_EMPTY);
    }

    /// Marks `addr..addr+len` as code: its instructions are predecoded on
    /// first execution and kept up to date on every write. Replaces any
    /// earlier code range. The tables ([`CODE_BYTES_PER_HALFWORD`] per
    /// halfword) are charged against the limit; a range they do not fit
    /// in is not predecoded (its code then runs from memory, decoded at
    /// every execution).
    pub fn set_code_range(&mut self, addr: u64, len: u64) {
        self.release(self.code.insns.len() as u64 * CODE_BYTES_PER_HALFWORD);
        let base = addr & !1;
        let halfwords = len.saturating_add(addr - base).div_ceil(2);
        let n = match halfwords
            .checked_mul(CODE_BYTES_PER_HALFWORD)
            .map(|bytes| self.charge(bytes))
        {
            Some(Ok(())) => halfwords as usize,
            _ => 0,
        };
        self.code = CodeCache {
            base,
            insns: vec![UNDECODED; n],
            generation: fresh_generation(),
        };
    }

    /// The predecoded code range as `(start, end)`.
    pub fn code_range(&self) -> (u64, u64) {
        (self.code.base, self.code.base + self.code.span())
    }

    /// Identifies the current contents of the predecoded code: equal
    /// generations mean identical decoded instructions, so a structure
    /// derived from them (the interpreter's blocks) stays valid while the
    /// generation is unchanged. A write, unmap or protection change that
    /// touches a decoded instruction, and [`Memory::set_code_range`], move
    /// it to a value never seen before.
    #[inline(always)]
    pub fn code_generation(&self) -> u64 {
        self.code.generation
    }

    /// Resets the decoded slots overlapping `start..end` (a 32-bit
    /// instruction starting 2 bytes before `start` overlaps it too).
    fn forget_code(&mut self, start: u64, end: u64) {
        let (lo, hi) = self.code_range();
        let start = start.saturating_sub(2).max(lo) & !1;
        let end = end.min(hi);
        if start >= end {
            return;
        }
        let (i, j) = (
            ((start - lo) / 2) as usize,
            ((end - lo).div_ceil(2)) as usize,
        );
        let mut changed = false;
        for slot in &mut self.code.insns[i..j] {
            if slot.len != 0 {
                *slot = UNDECODED;
                changed = true;
            }
        }
        if changed {
            self.code.generation = fresh_generation();
        }
    }

    /// Fetches the instruction at `pc` for a debugger or disassembler (no
    /// permission check): `None` if its bytes are not mapped.
    pub fn fetch(&self, pc: u64) -> Option<Insn> {
        match self.code_slot(pc) {
            Some(insn) if insn.len != 0 => Some(insn),
            _ => self.fetch_slow(pc),
        }
    }

    fn code_slot(&self, pc: u64) -> Option<Insn> {
        self.code
            .insns
            .get((pc.wrapping_sub(self.code.base) >> 1) as usize)
            .copied()
    }

    /// Fetches the instruction at `pc` for execution, predecoding it if it
    /// is in the code range: `None` if one of its bytes is unmapped or in a
    /// page that is not executable (an instruction access fault).
    pub fn fetch_exec(&mut self, pc: u64) -> Option<Insn> {
        let i = (pc.wrapping_sub(self.code.base) >> 1) as usize;
        match self.code.insns.get(i) {
            Some(insn) if insn.len != 0 => Some(*insn),
            Some(_) => {
                let insn = self.fetch_slow_exec(pc)?;
                self.code.insns[i] = insn;
                Some(insn)
            }
            None => self.fetch_slow_exec(pc),
        }
    }

    /// Decodes the instruction at `pc` from memory if its bytes are mapped
    /// executable.
    fn fetch_slow_exec(&self, pc: u64) -> Option<Insn> {
        let insn = self.fetch_slow(pc)?;
        self.check(pc, insn.len as u64, Perm::X).ok()?;
        Some(insn)
    }

    /// Decodes the instruction at `pc` from memory, bypassing the
    /// predecoded range and permissions.
    #[cold]
    #[inline(never)]
    pub fn fetch_slow(&self, pc: u64) -> Option<Insn> {
        let lo = self.peek_u16(pc).ok()?;
        let word = if lo & 3 == 3 {
            lo as u32 | (self.peek_u16(pc.wrapping_add(2)).ok()? as u32) << 16
        } else {
            lo as u32
        };
        Some(decode(word, self.xlen))
    }

    fn peek_u16(&self, addr: u64) -> Result<u16, MemError> {
        Ok(u16::from_le_bytes([
            self.peek_u8(addr)?,
            self.peek_u8(addr.wrapping_add(1))?,
        ]))
    }

    /// Reads one byte without touching the TLB or checking permissions (for
    /// observers and debuggers).
    pub fn peek_u8(&self, addr: u64) -> Result<u8, MemError> {
        match self.map.get(&(addr >> PAGE_SHIFT)) {
            Some(pg) => Ok(self.frame(pg.frame)[(addr & (PAGE_SIZE - 1)) as usize]),
            None if self.reserved_perm(addr >> PAGE_SHIFT).is_some() => Ok(0),
            None => Err(MemError::Unmapped(addr)),
        }
    }

    /// Copies `buf.len()` bytes starting at `addr` into `buf` (no permission
    /// check: for the loader, the OS layer and debuggers).
    ///
    /// Errors: [`MemError::Unmapped`] naming the first unmapped byte; `buf`
    /// may then be partly filled.
    pub fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let mut done = 0usize;
        while done < buf.len() {
            let a = addr.wrapping_add(done as u64);
            let off = (a & (PAGE_SIZE - 1)) as usize;
            let n = (PAGE_SIZE as usize - off).min(buf.len() - done);
            match self.map.get(&(a >> PAGE_SHIFT)) {
                Some(pg) => {
                    buf[done..done + n].copy_from_slice(&self.frame(pg.frame)[off..off + n])
                }
                None if self.reserved_perm(a >> PAGE_SHIFT).is_some() => {
                    buf[done..done + n].fill(0)
                }
                None => return Err(MemError::Unmapped(a)),
            }
            done += n;
        }
        Ok(())
    }

    /// Reads `len` bytes at `addr` into a new vector. The range is checked
    /// before anything is allocated.
    pub fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, MemError> {
        self.check(addr, len as u64, Perm::NONE)?;
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

    /// Writes `data` at `addr` whatever the pages' permissions (the loader,
    /// a debugger poking memory), keeping predecoded code up to date.
    ///
    /// Errors: [`MemError::Unmapped`] naming the first unmapped byte, or
    /// [`MemError::Limit`] if a reserved page cannot be mapped; nothing is
    /// written then.
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.check(addr, data.len() as u64, Perm::NONE)?;
        self.fault_in_range(addr, data.len() as u64)?;
        self.copy_in(addr, data);
        Ok(())
    }

    /// Writes `data` at `addr` as the guest would (a syscall filling a
    /// buffer): every page must be writable.
    ///
    /// Errors: [`MemError::Unmapped`] or [`MemError::Protection`] naming the
    /// first byte that is not writable, or [`MemError::Limit`] if a
    /// reserved page cannot be mapped; nothing is written then.
    pub fn write_user(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.check(addr, data.len() as u64, Perm::W)?;
        self.fault_in_range(addr, data.len() as u64)?;
        self.copy_in(addr, data);
        Ok(())
    }

    fn copy_in(&mut self, addr: u64, data: &[u8]) {
        let mut done = 0usize;
        while done < data.len() {
            let a = addr + done as u64;
            let off = (a & (PAGE_SIZE - 1)) as usize;
            let n = (PAGE_SIZE as usize - off).min(data.len() - done);
            let frame = self.map[&(a >> PAGE_SHIFT)].frame;
            self.frame_mut(frame)[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        self.note_write(addr, data.len() as u64);
        if !self.watches.is_empty() {
            self.note_watched(addr, data.len() as u64);
            if data.len() == 1 && self.capture == Some(addr) {
                self.captured.push(data[0]);
            }
        }
    }

    /// Resets decoded slots overlapping `addr..addr+len`. The write touches
    /// a slot iff `base < addr + len` and `addr < base + span + 2` (a 32-bit
    /// instruction in the last slot reaches 2 bytes past the span); both are
    /// checked with one wrapping compare.
    #[inline(always)]
    fn note_write(&mut self, addr: u64, len: u64) {
        let t = addr.wrapping_add(len).wrapping_sub(self.code.base);
        if t.wrapping_sub(1) < self.code.span() + 1 + len {
            self.note_code_write(addr, len);
        }
    }

    #[cold]
    #[inline(never)]
    fn note_code_write(&mut self, addr: u64, len: u64) {
        self.forget_code(addr, addr.saturating_add(len));
    }

    /// What compiled code reads to reach memory without calling back (see
    /// [`crate::jit::View`]): the arena, both TLBs, and the predecoded code
    /// range whose stores must leave compiled code. Valid until the next
    /// call of any `&mut self` method (a page mapped may move the arena).
    #[cfg(feature = "jit")]
    pub(crate) fn jit_view(&mut self) -> (*mut u8, *const TlbEntry, *const TlbEntry, u64, u64) {
        (
            self.arena.as_mut_ptr(),
            self.rtlb.as_ptr(),
            self.wtlb.as_ptr(),
            self.code.base,
            self.code.span() + 1,
        )
    }

    /// The arena offset of the frame holding `addr`'s page for a load.
    #[inline(always)]
    fn rtlb_lookup(&mut self, addr: u64) -> Option<usize> {
        let page = addr >> PAGE_SHIFT;
        let e = self.rtlb[(page as usize) & (TLB_SIZE - 1)];
        if e.page == page {
            Some(e.base)
        } else {
            self.tlb_fill(page, false)
        }
    }

    /// The arena offset of the frame holding `addr`'s page for a store.
    #[inline(always)]
    fn wtlb_lookup(&mut self, addr: u64) -> Option<usize> {
        let page = addr >> PAGE_SHIFT;
        let e = self.wtlb[(page as usize) & (TLB_SIZE - 1)];
        if e.page == page {
            Some(e.base)
        } else {
            self.tlb_fill(page, true)
        }
    }

    #[cold]
    #[inline(never)]
    fn tlb_fill(&mut self, page: u64, write: bool) -> Option<usize> {
        let pg = match self.map.get(&page) {
            Some(pg) => *pg,
            None => {
                if !self.fault_in(page) {
                    return None;
                }
                self.map[&page]
            }
        };
        let need = if write { Perm::W } else { Perm::R };
        if !pg.perm.allows(need) || (write && !self.watches.is_empty() && self.page_watched(page)) {
            return None;
        }
        let base = pg.frame as usize * PAGE_SIZE as usize;
        let tlb = if write {
            &mut self.wtlb
        } else {
            &mut self.rtlb
        };
        tlb[(page as usize) & (TLB_SIZE - 1)] = TlbEntry { page, base };
        Some(base)
    }

    /// Loads `size` (1, 2, 4 or 8) bytes at `addr`, little-endian,
    /// zero-extended; `None` if a byte is unmapped or not readable.
    /// Alignment is not checked.
    #[inline(always)]
    pub fn load(&mut self, addr: u64, size: usize) -> Option<u64> {
        let off = (addr & (PAGE_SIZE - 1)) as usize;
        if off + size <= PAGE_SIZE as usize {
            let base = self.rtlb_lookup(addr)? + off;
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(&self.arena[base..base + size]);
            return Some(u64::from_le_bytes(b));
        }
        self.load_slow(addr, size)
    }

    #[cold]
    #[inline(never)]
    fn load_slow(&mut self, addr: u64, size: usize) -> Option<u64> {
        self.check(addr, size as u64, Perm::R).ok()?;
        let mut b = [0u8; 8];
        self.read_bytes(addr, &mut b[..size]).ok()?;
        Some(u64::from_le_bytes(b))
    }

    /// Stores the low `size` (1, 2, 4 or 8) bytes of `value` at `addr`;
    /// `false` (and nothing written) if a byte is unmapped or not writable.
    #[inline(always)]
    #[must_use]
    pub fn store(&mut self, addr: u64, size: usize, value: u64) -> bool {
        let off = (addr & (PAGE_SIZE - 1)) as usize;
        if off + size <= PAGE_SIZE as usize {
            let Some(base) = self.wtlb_lookup(addr) else {
                // Unmapped, read-only or watched: the checked path.
                return self.store_slow(addr, size, value);
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
        self.write_user(addr, &value.to_le_bytes()[..size]).is_ok()
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
    fn reserved_pages_read_zero_and_map_on_first_touch() {
        let mut m = Memory::new(Xlen::X64, 3 * PAGE_SIZE);
        m.reserve(0x1_0000, 1 << 40, Perm::RW).unwrap();
        assert_eq!(m.mapped_bytes(), 0, "a reservation maps nothing");
        assert!(m.is_mapped(0x1_0000, 1 << 30));
        assert_eq!(m.perm(0x5_0000_0000), Some(Perm::RW));
        let mut buf = [1u8; 8];
        m.read_bytes(0x2_0000, &mut buf).unwrap();
        assert_eq!(buf, [0; 8]);
        assert_eq!(m.peek_u8(0x3_0000), Ok(0));
        assert_eq!(m.mapped_bytes(), 0, "host reads map nothing");
        // A guest store maps one page; a load of another maps it too.
        assert!(m.store(0x1_0000_0008, 8, 0x1234));
        assert_eq!(m.load(0x1_0000_0008, 8), Some(0x1234));
        assert_eq!(m.load(0x2_0000_0000, 4), Some(0));
        assert_eq!(m.mapped_bytes(), 2 * PAGE_SIZE);
        m.write_user(0x3_0000_0000, b"abc").unwrap();
        assert_eq!(m.mapped_bytes(), 3 * PAGE_SIZE);
        // The limit holds: a fourth page is refused, with nothing written.
        assert!(!m.store(0x4_0000_0000, 1, 7));
        assert_eq!(
            m.write_user(0x4_0000_0000, b"x"),
            Err(MemError::Limit {
                limit: 3 * PAGE_SIZE
            })
        );
        // Outside the reservation nothing changed.
        assert_eq!(m.load(0x8000, 1), None);
        assert!(matches!(
            m.reserve(0, 1, Perm::RW),
            Err(MemError::BadRange { .. })
        ));
        // Read-only reservations refuse stores.
        let mut r = Memory::new(Xlen::X32, 1 << 20);
        r.reserve(0x1_0000, 0x1000, Perm::R).unwrap();
        assert_eq!(r.load(0x1_0000, 4), Some(0));
        assert!(!r.store(0x1_0000, 4, 1));
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
    fn huge_ranges_cost_what_is_mapped() {
        // Each of these walked 2^34+ pages one by one before.
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map(0x8000_0000, 0x2000).unwrap();
        assert_eq!(m.unmap(GUARD_SIZE, 1 << 46), 2);
        assert_eq!(m.mapped_bytes(), 0);
        assert_eq!(
            m.map(GUARD_SIZE, 1 << 46),
            Err(MemError::Limit { limit: 1 << 20 })
        );
        assert!(matches!(
            m.map(GUARD_SIZE, u64::MAX),
            Err(MemError::BadRange { .. })
        ));
        assert_eq!(m.mapped_bytes(), 0, "nothing mapped by a failed map");
        assert_eq!(
            m.protect(GUARD_SIZE, 1 << 46, Perm::R),
            Err(MemError::Unmapped(GUARD_SIZE))
        );
        assert!(!m.is_mapped(GUARD_SIZE, 1 << 46));
        assert!(!m.is_mapped(u64::MAX - 1, 4));
    }

    #[test]
    fn permissions_and_the_budget() {
        let mut m = Memory::new(Xlen::X64, 4 * PAGE_SIZE);
        m.map_with(0x1_0000, PAGE_SIZE, Perm::R).unwrap();
        m.map_with(0x1_1000, PAGE_SIZE, Perm::RW).unwrap();
        assert_eq!(m.load(0x1_0000, 4), Some(0));
        assert!(!m.store(0x1_0000, 4, 1), "read-only page");
        assert!(m.store(0x1_1000, 4, 1));
        // a store straddling into the read-only page writes nothing
        assert!(!m.store(0x1_0ffe, 4, 0xffff_ffff));
        assert_eq!(m.load(0x1_1000, 4), Some(1));
        assert_eq!(
            m.write_user(0x1_0ff0, &[1; 32]),
            Err(MemError::Protection {
                addr: 0x1_0ff0,
                perm: Perm::R
            })
        );
        m.write_bytes(0x1_0000, &[7]).unwrap(); // loader/debugger writes anyway
        m.protect(0x1_1000, PAGE_SIZE, Perm::R).unwrap();
        assert!(
            !m.store(0x1_1000, 4, 2),
            "the TLB forgot the old permission"
        );
        // charged bytes and mapped pages share one limit
        m.charge(PAGE_SIZE).unwrap();
        assert_eq!(m.available_bytes(), PAGE_SIZE);
        assert!(m.charge(2 * PAGE_SIZE).is_err());
        assert!(m.map(0x2_0000, 2 * PAGE_SIZE).is_err());
        m.release(PAGE_SIZE);
        m.map(0x2_0000, 2 * PAGE_SIZE).unwrap();
    }

    #[test]
    fn execution_needs_x_and_unmapping_code_drops_it() {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map_with(0x8000_0000, 0x2000, Perm::RX).unwrap();
        m.write_bytes(0x8000_0000, &0x0000_0013u32.to_le_bytes())
            .unwrap();
        m.write_bytes(0x8000_1000, &0x0000_0013u32.to_le_bytes())
            .unwrap();
        m.set_code_range(0x8000_0000, 0x2000);
        assert_eq!(m.fetch_exec(0x8000_0000).unwrap().op, crate::Op::Addi);
        assert_eq!(m.fetch_exec(0x8000_1000).unwrap().op, crate::Op::Addi);
        let g = m.code_generation();
        m.protect(0x8000_1000, 0x1000, Perm::R).unwrap();
        assert_eq!(m.fetch_exec(0x8000_1000), None, "no longer executable");
        assert_ne!(m.code_generation(), g, "blocks built from it are dropped");
        assert_eq!(
            m.fetch(0x8000_1000).unwrap().op,
            crate::Op::Addi,
            "a debugger still reads it"
        );
        m.unmap(0x8000_0000, 0x1000);
        assert_eq!(m.fetch_exec(0x8000_0000), None);
        // data outside the code range needs X too
        m.map_with(0x9000_0000, 0x1000, Perm::RW).unwrap();
        assert_eq!(m.fetch_exec(0x9000_0000), None);
    }

    #[test]
    fn writes_to_never_executed_bytes_keep_the_generation() {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map_with(0x8000_0000, 0x2000, Perm::RWX).unwrap();
        m.set_code_range(0x8000_0000, 0x2000);
        m.fetch_exec(0x8000_0000).unwrap();
        let g = m.code_generation();
        for a in (0x8000_1000..0x8000_2000).step_by(8) {
            assert!(m.store(a, 8, a));
        }
        assert_eq!(m.code_generation(), g);
        assert!(m.store(0x8000_0002, 2, 0));
        assert_ne!(m.code_generation(), g, "a write into executed code");
    }

    #[test]
    fn writes_to_code_redecode() {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map(0x8000_0000, 0x1000).unwrap();
        m.write_bytes(0x8000_0000, &0x0000_0013u32.to_le_bytes())
            .unwrap(); // nop
        m.set_code_range(0x8000_0000, 0x100);
        assert_eq!(m.fetch(0x8000_0000).unwrap().op, crate::Op::Addi);
        assert_eq!(m.fetch_exec(0x8000_0000).unwrap().op, crate::Op::Addi);
        assert!(m.store(0x8000_0000, 4, 0x0000_0073)); // ecall
        assert_eq!(m.fetch_exec(0x8000_0000).unwrap().op, crate::Op::Ecall);
        // a write to the upper half of a 32-bit instruction also counts
        assert!(m.store(0x8000_0002, 2, 0x0010)); // ebreak = 0x00100073
        assert_eq!(m.fetch_exec(0x8000_0000).unwrap().op, crate::Op::Ebreak);
    }
}
