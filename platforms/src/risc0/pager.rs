//! RISC Zero's cycle accounting: user cycles, paging cycles, reserved
//! cycles and power-of-two segments, as its executor counts them.
//!
//! Facts from risc0-circuit-rv32im 4.0.5 (`src/execute/`):
//! - `pager.rs`: memory is paged in 1 KiB pages under a Merkle tree of
//!   2^22 leaves; within a segment the first access to a page pages it in
//!   (`PAGE_CYCLES`) and each tree node above it not yet loaded costs
//!   `NODE_CYCLES`; the first write to a loaded page costs `PAGE_CYCLES`
//!   again and `NODE_CYCLES` for each node not yet dirty; a segment starts
//!   at `RESERVED_PAGING_CYCLES`. The register files (0xffff0000..0xffff0100)
//!   are not paged.
//! - `platform.rs`: `RESERVED_CYCLES` (the lookup tables and control) per
//!   segment.
//! - `executor.rs`: before each instruction, a segment whose user, paging
//!   and reserved cycles exceed `2^po2 - max_insn_cycles` is closed
//!   (suspend: the register page is written back; resume: the next segment
//!   loads the suspend pc from, and writes the input digest to, that
//!   page); a closed segment counts `2^po2` total cycles, the last one its
//!   cycles rounded up to a power of two; `po2` is 20 and
//!   `max_insn_cycles` 25 000 (`MAX_INSN_CYCLES`, risc0-zkvm 3.0.5's
//!   default for `po2 >= 15`).
//!
//! [`Pager`] is an [`Observer`]: it sees every retired instruction's pc
//! (its fetch) and cycles and every memory access, including those a
//! RISC Zero host call makes.

use std::collections::HashMap;
use zkdbg_emulator::{AccessKind, Cpu, Insn, MemAccess, Observer};

/// Bytes per page.
pub const PAGE_BYTES: u32 = 1024;
/// Pages in the 4 GiB address space (the tree's leaves).
const MEMORY_PAGES: u32 = 1 << 22;
/// `POSEIDON_PAGING + 10 * POSEIDON_PAGE_ROUNDS + POSEIDON_DO_OUT`
/// (256 words per page, 8 per round).
pub const PAGE_CYCLES: u32 = 1 + 10 * (256 / 8) + 1;
/// `POSEIDON_PAGING + POSEIDON_LOAD_IN + POSEIDON_EXTERNAL +
/// POSEIDON_INTERNAL + POSEIDON_DO_OUT`.
pub const NODE_CYCLES: u32 = 1 + 2 + 8 + 1 + 1;
/// Load root, Poseidon entry and paging, resume, suspend, Poseidon entry
/// and paging, store root.
pub const RESERVED_PAGING_CYCLES: u32 = 1 + 1 + 1 + 2 + 2 + 1 + 1 + 1;
/// `LOOKUP_TABLE_CYCLES + CONTROL_DONE_CYCLES`.
pub const RESERVED_CYCLES: u32 = ((1 << 8) + (1 << 16)) / 16 + 1;
/// risc0-zkvm's default segment size, log2 of cycles.
pub const SEGMENT_PO2: u32 = 20;
/// risc0-zkvm's `MAX_INSN_CYCLES` (segments of po2 >= 15).
pub const MAX_INSN_CYCLES: u32 = 25_000;
/// `MAX_INSN_CYCLES_LOWER_PO2` (smaller segments).
pub const MAX_INSN_CYCLES_LOWER_PO2: u32 = 2_000;
/// The register files' page (machine registers at 0xffff0000, user
/// registers at 0xffff0080, MEPC, suspend state, input and output digests).
const SYSTEM_PAGE: u32 = 0xffff_0000 / PAGE_BYTES;

/// The totals of a run, in RISC Zero's cycles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Risc0Cycles {
    /// Cycles of instructions (user and kernel) and host calls.
    pub user: u64,
    /// Cycles of paging pages in and out.
    pub paging: u64,
    /// The rest of each segment's power-of-two size.
    pub reserved: u64,
    /// The segments' sizes summed.
    pub total: u64,
    /// Segments.
    pub segments: u64,
    /// pc of the instruction before which a segment had to close while
    /// already at its size: RISC Zero's executor stops there ("segment
    /// limit too small for instruction"); the figures stop growing.
    pub too_small_at: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Unloaded,
    Loaded,
    Dirty,
}

/// Paging within the current segment, and the totals of closed segments.
#[derive(Clone, Debug)]
pub struct Pager {
    /// States of the tree's nodes touched in this segment (node 1 is the
    /// root, leaves are `MEMORY_PAGES + page`).
    nodes: HashMap<u32, State>,
    /// Paging cycles of this segment.
    paging: u32,
    /// User cycles of this segment.
    user: u64,
    /// A segment is closed once its cycles exceed this.
    threshold: u64,
    po2: u32,
    /// Totals of the closed segments.
    closed: Risc0Cycles,
    /// The next event belongs to a new instruction: check for a split.
    check: bool,
    /// Set once a segment could not be closed in time (see
    /// [`Risc0Cycles::too_small_at`]): accounting stops.
    too_small_at: Option<u64>,
    /// The last page seen loaded and the last seen dirty (fast paths).
    last_loaded: u32,
    last_dirty: u32,
}

impl Default for Pager {
    fn default() -> Pager {
        Pager::for_po2(SEGMENT_PO2)
    }
}

impl Pager {
    /// A session's pager with segments of `2^po2` cycles, as risc0-zkvm
    /// 3.0.5's executor sizes them (`host/server/exec/executor.rs`: closed
    /// `MAX_INSN_CYCLES` early, `MAX_INSN_CYCLES_LOWER_PO2` below po2 15).
    pub fn for_po2(po2: u32) -> Pager {
        let max = if po2 >= 15 {
            MAX_INSN_CYCLES
        } else {
            MAX_INSN_CYCLES_LOWER_PO2
        };
        Pager::new(po2, max)
    }

    /// A session's pager with segments of `2^po2` cycles, closed
    /// `max_insn_cycles` before they fill.
    pub fn new(po2: u32, max_insn_cycles: u32) -> Pager {
        let mut p = Pager {
            nodes: HashMap::new(),
            paging: 0,
            user: 0,
            threshold: (1u64 << po2).saturating_sub(u64::from(max_insn_cycles)),
            po2,
            closed: Risc0Cycles::default(),
            check: false,
            too_small_at: None,
            last_loaded: u32::MAX,
            last_dirty: u32::MAX,
        };
        p.start_segment();
        p
    }

    /// A new segment: the reserved paging cycles, then resume (the suspend
    /// pc is loaded from, the input digest written to, the system page).
    fn start_segment(&mut self) {
        self.nodes.clear();
        self.paging = RESERVED_PAGING_CYCLES;
        self.user = 0;
        self.last_loaded = u32::MAX;
        self.last_dirty = u32::MAX;
        self.touch(SYSTEM_PAGE, false);
        self.touch(SYSTEM_PAGE, true);
    }

    fn segment_cycles(&self) -> u64 {
        self.user + u64::from(self.paging) + u64::from(RESERVED_CYCLES)
    }

    fn state(&self, node: u32) -> State {
        self.nodes.get(&node).copied().unwrap_or(State::Unloaded)
    }

    /// An access to `page`: paged in on first touch, dirtied on first
    /// write (`pager.rs` `load_ram`/`page_for_writing`).
    fn touch(&mut self, page: u32, write: bool) {
        if page == self.last_dirty || (!write && page == self.last_loaded) {
            return;
        }
        let node = MEMORY_PAGES + page;
        let mut state = self.state(node);
        if state == State::Unloaded {
            self.paging += PAGE_CYCLES;
            self.fixup(node, State::Loaded);
            state = State::Loaded;
        }
        if write && state == State::Loaded {
            self.paging += PAGE_CYCLES;
            self.fixup(node, State::Dirty);
            state = State::Dirty;
        }
        if state == State::Dirty {
            self.last_dirty = page;
        } else {
            self.last_loaded = page;
        }
    }

    /// Raises `node` and its ancestors to `goal`, charging each internal
    /// node that changes (`pager.rs` `fixup_costs`).
    fn fixup(&mut self, mut node: u32, goal: State) {
        while node != 0 {
            let state = self.state(node);
            if goal > state {
                if node < MEMORY_PAGES {
                    if state == State::Unloaded {
                        self.paging += NODE_CYCLES;
                    }
                    if goal == State::Dirty {
                        self.paging += NODE_CYCLES;
                    }
                }
                self.nodes.insert(node, goal);
            }
            node /= 2;
        }
    }

    /// Closes the segment if it is full (checked before each instruction,
    /// the one at `pc`).
    fn split_if_full(&mut self, pc: u64) {
        self.check = false;
        if self.segment_cycles() >= 1u64 << self.po2 {
            self.too_small_at = Some(pc);
            return;
        }
        if self.segment_cycles() > self.threshold {
            let total = 1u64 << self.po2;
            self.close(total);
            self.start_segment();
        }
    }

    fn close(&mut self, total: u64) {
        let paging = u64::from(self.paging);
        self.closed.user += self.user;
        self.closed.paging += paging;
        self.closed.reserved += total - paging - self.user;
        self.closed.total += total;
        self.closed.segments += 1;
    }

    /// The totals so far, the open segment counted as the last one (its
    /// cycles rounded up to a power of two).
    pub fn totals(&self) -> Risc0Cycles {
        let mut p = self.clone();
        p.close(self.segment_cycles().next_power_of_two());
        p.closed.too_small_at = self.too_small_at;
        p.closed
    }

    /// Paging cycles so far, every segment's (grows monotonically).
    pub fn paging_so_far(&self) -> u64 {
        self.closed.paging + u64::from(self.paging)
    }

    fn access(&mut self, pc: u64, addr: u64, write: bool) {
        if self.too_small_at.is_some() {
            return;
        }
        if self.check {
            self.split_if_full(pc);
            if self.too_small_at.is_some() {
                return;
            }
        }
        let Ok(addr) = u32::try_from(addr) else {
            return;
        };
        // The register files live in arrays, not in paged memory.
        if (0xffff_0000..0xffff_0100).contains(&addr) {
            return;
        }
        self.touch(addr / PAGE_BYTES, write);
    }
}

impl Observer for Pager {
    #[inline(always)]
    fn retired(&mut self, _cpu: &Cpu, pc: u64, _insn: &Insn, cycles: u64) {
        // The fetch is a load of the instruction's word.
        self.access(pc, pc, false);
        if self.too_small_at.is_some() {
            return;
        }
        self.user += cycles;
        self.check = true;
    }

    #[inline(always)]
    fn mem_access(&mut self, a: &MemAccess) -> bool {
        self.access(a.pc, a.addr, a.kind == AccessKind::Write);
        false
    }
}

/// An observer with RISC Zero's paging model beside it: `inner` sees every
/// event, and after each instruction whose accesses paged, the paging
/// cycles as [`Observer::platform_cycles`] under `[paging]` (profiles show
/// where paging happens).
pub struct Paged<O> {
    /// The observer watched for.
    pub inner: O,
    /// The model.
    pub pager: Pager,
    /// Paging cycles already reported.
    reported: u64,
}

impl<O: Observer> Paged<O> {
    /// `inner` with a fresh session's model, segments of `2^po2` cycles.
    pub fn new(inner: O, po2: u32) -> Paged<O> {
        Paged {
            inner,
            pager: Pager::for_po2(po2),
            reported: 0,
        }
    }
}

impl<O: Observer> Observer for Paged<O> {
    const RETIRED_RUNS: bool = false;
    const FILTERS_BLOCKS: bool = O::FILTERS_BLOCKS;
    #[inline(always)]
    fn may_stop_in(&mut self, cpu: &Cpu, start: u64, end: u64) -> bool {
        self.inner.may_stop_in(cpu, start, end)
    }
    #[inline(always)]
    fn before_insn(&mut self, cpu: &Cpu, pc: u64, insn: &Insn) -> bool {
        self.inner.before_insn(cpu, pc, insn)
    }
    #[inline(always)]
    fn retired(&mut self, cpu: &Cpu, pc: u64, insn: &Insn, cycles: u64) {
        self.pager.retired(cpu, pc, insn, cycles);
        if O::RETIRED_RUNS {
            self.inner.retired_run(cpu, 1, cycles);
        } else {
            self.inner.retired(cpu, pc, insn, cycles);
        }
        let paging = self.pager.paging_so_far();
        if paging != self.reported {
            self.inner
                .platform_cycles(cpu, "[paging]", paging - self.reported);
            self.reported = paging;
        }
    }
    #[inline(always)]
    fn transfer(&mut self, cpu: &Cpu, t: &zkdbg_emulator::Transfer) {
        self.inner.transfer(cpu, t)
    }
    #[inline(always)]
    fn mem_access(&mut self, a: &MemAccess) -> bool {
        self.pager.mem_access(a);
        self.inner.mem_access(a)
    }
    fn syscall_enter(
        &mut self,
        cpu: &Cpu,
        mem: &zkdbg_emulator::Memory,
        req: &zkdbg_emulator::SyscallRequest,
    ) {
        self.inner.syscall_enter(cpu, mem, req)
    }
    fn syscall_exit(
        &mut self,
        cpu: &Cpu,
        mem: &zkdbg_emulator::Memory,
        req: &zkdbg_emulator::SyscallRequest,
        res: &zkdbg_emulator::SyscallResult,
        cycles: u64,
    ) {
        self.inner.syscall_exit(cpu, mem, req, res, cycles)
    }
    fn trap(&mut self, cpu: &Cpu, trap: &zkdbg_emulator::TrapEvent) {
        self.inner.trap(cpu, trap)
    }
    fn trap_return(&mut self, cpu: &Cpu, pc: u64, to: u64) {
        self.inner.trap_return(cpu, pc, to)
    }
    fn host_call(&mut self, cpu: &Cpu, call: &zkdbg_emulator::HostCall) {
        self.inner.host_call(cpu, call)
    }
    fn custom(&mut self, cpu: &Cpu, event: &zkdbg_emulator::CustomEvent) {
        self.inner.custom(cpu, event)
    }
    fn guest_output(&mut self, cpu: &Cpu, fd: u32, bytes: &[u8]) {
        self.inner.guest_output(cpu, fd, bytes)
    }
    fn platform_cycles(&mut self, cpu: &Cpu, frame: &'static str, cycles: u64) {
        self.inner.platform_cycles(cpu, frame, cycles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_page_costs_the_page_and_its_path() {
        let mut p = Pager::default();
        let base = p.paging;
        p.touch(0x200800 / PAGE_BYTES, false);
        // Page 0x802 and the system page 0x3fffc0 differ in the top bit of
        // the 22-bit page number: of the leaf's 22 ancestors only the root
        // is shared (loaded and dirty since the segment began).
        let loaded = p.paging - base;
        assert_eq!(loaded, PAGE_CYCLES + 21 * NODE_CYCLES);
        p.touch(0x200800 / PAGE_BYTES, false);
        assert_eq!(p.paging - base, loaded, "a loaded page is free");
        p.touch(0x200800 / PAGE_BYTES, true);
        let dirty = p.paging - base - loaded;
        assert_eq!(
            dirty,
            PAGE_CYCLES + 21 * NODE_CYCLES,
            "dirtying costs what loading did"
        );
        // Its sibling 0x803 shares every ancestor: the page alone.
        let before = p.paging;
        p.touch(0x803, false);
        assert_eq!(p.paging - before, PAGE_CYCLES);
    }

    #[test]
    fn a_segment_closes_at_the_threshold() {
        let mut p = Pager::new(14, 2000);
        let cpu = Cpu::new(zkdbg_emulator::Xlen::X32, 0);
        let insn = Insn::illegal(0, 4);
        for _ in 0..20_000 {
            p.retired(&cpu, 0x20_0800, &insn, 1);
        }
        let t = p.totals();
        assert_eq!(t.user, 20_000);
        assert!(t.segments >= 2, "{t:?}");
        assert_eq!(t.total, t.user + t.paging + t.reserved);
        assert_eq!(t.total % (1 << 14), 0, "{t:?}");
    }
}
