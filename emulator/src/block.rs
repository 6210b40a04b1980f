//! Straight-line blocks of predecoded instructions, the interpreter's unit
//! of dispatch.
//!
//! A block starts at any pc the hart reaches and runs through the following
//! instructions up to and including the first that can change control flow
//! or needs the whole machine (a branch, `jal`, `jalr`, `ecall`, `ebreak`,
//! `mret`, a CSR access, a Jolt host call, an illegal encoding, `fence.i`),
//! at most [`MAX_BLOCK`] instructions. Its instructions sit next to each
//! other in one array, so the interpreter walks them with a counter instead
//! of recomputing the slot of each next pc from the previous instruction's
//! length, and checks its step and cycle budgets once per block.
//!
//! Blocks are derived from [`Memory`]'s predecoded code and tagged with its
//! [`Memory::code_generation`]: when code is written (self-modifying code, a
//! debugger poking memory, a restored snapshot) every block is dropped and
//! rebuilt on demand. A store inside a block that changes code ends the
//! block after that store.

use crate::decode::{Insn, Op};
use crate::machine::CostModel;
use crate::memory::{Memory, BLOCK_ENTRIES_PER_SLOT};

/// Most instructions in one block.
pub const MAX_BLOCK: usize = 64;

/// One instruction of a block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// The predecoded instruction.
    pub insn: Insn,
    /// The operation the interpreter runs: `insn.op`, except that an
    /// operation of [`rd_only_ops`] with rd = x0 (which does nothing)
    /// runs as [`Op::Fence`] (a no-op).
    pub exec: Op,
    /// Its address minus the block's start address, in bytes.
    pub off: u16,
    /// In a block's first entry: how many instructions the block has
    /// (1..=[`MAX_BLOCK`]), plus [`OPEN`] if its last instruction does not
    /// end blocks (the block stopped at [`MAX_BLOCK`] or at the end of the
    /// code); 0 in the others.
    pub count: u8,
}

/// The cycles of a block entry: those of the block's instructions before
/// it, and its own (see [`BlockCache::cycles_window`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cyc {
    /// Cycles of the block's instructions before this one.
    pub before: u32,
    /// This instruction's cost.
    pub cost: u32,
}

/// Flag of [`Entry::count`]: the block does not end with an operation of
/// [`block_end_ops`], so running it must stop after its count.
pub const OPEN: u8 = 0x80;

impl Entry {
    /// In a block's first entry: how many instructions the block has.
    #[inline(always)]
    pub fn len(&self) -> usize {
        (self.count & !OPEN) as usize
    }

    /// In a block's first entry: whether the block ends with an operation
    /// of [`block_end_ops`], so that running it can go on until that one
    /// without counting.
    #[inline(always)]
    pub fn is_closed(&self) -> bool {
        self.count & OPEN == 0
    }
}

/// The operations that end a block, as a pattern: they may change control
/// flow, or they read or write state the block loop keeps in locals. One
/// list serves [`ends_block`] and the interpreter's dispatch.
macro_rules! block_end_ops {
    () => {
        Op::Jal
            | Op::Jalr
            | Op::Beq
            | Op::Bne
            | Op::Blt
            | Op::Bge
            | Op::Bltu
            | Op::Bgeu
            | Op::Ecall
            | Op::Ebreak
            | Op::Mret
            | Op::Csrrw
            | Op::Csrrs
            | Op::Csrrc
            | Op::Csrrwi
            | Op::Csrrsi
            | Op::Csrrci
            | Op::HostIo
            | Op::Custom
            | Op::Illegal
            | Op::FenceI
    };
}
pub(crate) use block_end_ops;

/// The A extension's operations (LR/SC and AMOs, both widths).
macro_rules! atomic_ops {
    () => {
        Op::LrW
            | Op::ScW
            | Op::AmoswapW
            | Op::AmoaddW
            | Op::AmoxorW
            | Op::AmoandW
            | Op::AmoorW
            | Op::AmominW
            | Op::AmomaxW
            | Op::AmominuW
            | Op::AmomaxuW
            | Op::LrD
            | Op::ScD
            | Op::AmoswapD
            | Op::AmoaddD
            | Op::AmoxorD
            | Op::AmoandD
            | Op::AmoorD
            | Op::AmominD
            | Op::AmomaxD
            | Op::AmominuD
            | Op::AmomaxuD
    };
}
pub(crate) use atomic_ops;

/// The operations that never end a block: every [`Op`] not in
/// [`block_end_ops`] (the register-only ones of [`rd_only_ops`], memory
/// accesses, fences). The two patterns partition `Op`, which the
/// interpreter's two exhaustive matches check at compile time (an operation
/// in both is an unreachable pattern, one in neither a missing arm).
macro_rules! straight_ops {
    () => {
        rd_only_ops!()
            | Op::Lb
            | Op::Lh
            | Op::Lw
            | Op::Ld
            | Op::Lbu
            | Op::Lhu
            | Op::Lwu
            | Op::Sb
            | Op::Sh
            | Op::Sw
            | Op::Sd
            | $crate::block::atomic_ops!()
            | Op::Fence
            | Op::Wfi
    };
}
pub(crate) use straight_ops;

/// The operations whose only effect is writing rd: no memory access, no
/// fault, no control flow. With rd = x0 they do nothing, so blocks run them
/// as a no-op (see [`Entry::exec`]), and the interpreter's arms for them
/// write rd without restoring x0 afterwards.
macro_rules! rd_only_ops {
    () => {
        Op::Lui
            | Op::Auipc
            | Op::Addi
            | Op::Slti
            | Op::Sltiu
            | Op::Xori
            | Op::Ori
            | Op::Andi
            | Op::Slli
            | Op::Srli
            | Op::Srai
            | Op::Add
            | Op::Sub
            | Op::Sll
            | Op::Slt
            | Op::Sltu
            | Op::Xor
            | Op::Srl
            | Op::Sra
            | Op::Or
            | Op::And
            | Op::Addiw
            | Op::Slliw
            | Op::Srliw
            | Op::Sraiw
            | Op::Addw
            | Op::Subw
            | Op::Sllw
            | Op::Srlw
            | Op::Sraw
            | Op::Mul
            | Op::Mulh
            | Op::Mulhsu
            | Op::Mulhu
            | Op::Div
            | Op::Divu
            | Op::Rem
            | Op::Remu
            | Op::Mulw
            | Op::Divw
            | Op::Divuw
            | Op::Remw
            | Op::Remuw
    };
}
pub(crate) use rd_only_ops;

/// The operation a block runs for `insn` (see [`Entry::exec`]).
fn exec_op(insn: &Insn) -> Op {
    if insn.rd == 0 && matches!(insn.op, rd_only_ops!()) {
        Op::Fence
    } else {
        insn.op
    }
}

/// Whether `op` ends a block (see [`block_end_ops`]).
pub(crate) fn ends_block(op: Op) -> bool {
    matches!(op, block_end_ops!())
}

/// The blocks built so far for one generation of a memory's code.
#[derive(Clone)]
pub(crate) struct BlockCache {
    /// What each instruction costs (cycles per retired instruction).
    cost: CostModel,
    /// Per entry of `entries`: its cost and the cycles of its block's
    /// instructions before it ([`CostModel::cost`] of each).
    cycles: Vec<Cyc>,
    generation: u64,
    base: u64,
    /// Per halfword of the code range: 1 + the index in `entries` of the
    /// block starting there, or 0 if none was built yet.
    starts: Vec<u32>,
    /// Blocks, one after another, then [`MAX_BLOCK`] padding entries, so
    /// that every block start has a window of [`MAX_BLOCK`] entries (see
    /// [`BlockCache::window`]). Entry 0 is scratch space for a single
    /// instruction fetched from outside the code range.
    entries: Vec<Entry>,
}

/// The entries after the last block: illegal instructions, which end
/// blocks, so a run that reached them would stop with a fault.
const PADDING: [Entry; MAX_BLOCK] = [Entry {
    count: 0,
    ..SCRATCH
}; MAX_BLOCK];

const SCRATCH: Entry = Entry {
    insn: Insn::illegal(0, 4),
    exec: Op::Illegal,
    off: 0,
    count: 1,
};

impl BlockCache {
    /// An empty cache whose blocks cost what `cost` says.
    pub fn new(cost: CostModel) -> Self {
        let entries = [&[SCRATCH][..], &PADDING].concat();
        BlockCache {
            cost,
            cycles: vec![Cyc::default(); entries.len()],
            generation: 0,
            base: 0,
            starts: Vec::new(),
            entries,
        }
    }
}

impl Default for BlockCache {
    fn default() -> Self {
        BlockCache::new(CostModel::default())
    }
}

impl std::fmt::Debug for BlockCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockCache")
            .field("generation", &self.generation)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl BlockCache {
    /// The code generation the blocks were built from.
    #[inline(always)]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The [`MAX_BLOCK`] entries from `first` (an index from
    /// [`BlockCache::lookup`]): the block starting there, then whatever
    /// follows it (other blocks or padding).
    #[inline(always)]
    pub fn window(&self, first: usize) -> &[Entry; MAX_BLOCK] {
        self.entries[first..first + MAX_BLOCK]
            .try_into()
            .expect("every block start has a full window")
    }

    /// The cycles of the [`MAX_BLOCK`] entries from `first`, as
    /// [`BlockCache::window`] gives their entries.
    #[inline(always)]
    pub fn cycles_window(&self, first: usize) -> &[Cyc; MAX_BLOCK] {
        self.cycles[first..first + MAX_BLOCK]
            .try_into()
            .expect("every block start has a full window")
    }

    /// The index in the cache's entries of the first entry of the block
    /// at `pc`, building it if needed. Outside the predecoded range the
    /// instruction is decoded from memory into the scratch entry (index 0),
    /// a block of one; `None` if its bytes are not mapped executable.
    #[inline(always)]
    pub fn lookup(&mut self, mem: &mut Memory, pc: u64) -> Option<usize> {
        if self.generation != mem.code_generation() {
            self.reset(mem);
        }
        let i = (pc.wrapping_sub(self.base) >> 1) as usize;
        match self.starts.get(i) {
            Some(&s) if s != 0 => Some(s as usize - 1),
            Some(_) => self.build(mem, pc, i),
            None => self.outside(mem, pc),
        }
    }

    #[cold]
    #[inline(never)]
    fn outside(&mut self, mem: &mut Memory, pc: u64) -> Option<usize> {
        let insn = mem.fetch_exec(pc)?;
        self.entries[0] = Entry {
            insn,
            exec: exec_op(&insn),
            off: 0,
            count: if ends_block(insn.op) { 1 } else { 1 | OPEN },
        };
        self.cycles[0] = Cyc {
            before: 0,
            cost: (self.cost.cost)(&insn),
        };
        Some(0)
    }

    #[cold]
    #[inline(never)]
    fn reset(&mut self, mem: &Memory) {
        let (lo, hi) = mem.code_range();
        self.generation = mem.code_generation();
        self.base = lo;
        self.starts.clear();
        self.starts.resize(((hi - lo) / 2) as usize, 0);
        self.drop_blocks();
    }

    /// Drops every block: the scratch entry and the padding stay.
    fn drop_blocks(&mut self) {
        self.entries.truncate(1);
        self.entries.extend_from_slice(&PADDING);
        self.cycles.truncate(1);
        self.cycles.resize(self.entries.len(), Cyc::default());
    }

    #[inline(never)]
    fn build(&mut self, mem: &mut Memory, pc: u64, slot: usize) -> Option<usize> {
        // Bounded host memory: past the budget the code range was charged
        // for, drop every block and start over.
        if self.entries.len() > self.starts.len() * BLOCK_ENTRIES_PER_SLOT + 4 * MAX_BLOCK {
            self.starts.fill(0);
            self.drop_blocks();
        }
        let first_insn = mem.fetch_exec(pc)?;
        let first = self.entries.len() - MAX_BLOCK;
        self.entries.truncate(first);
        self.cycles.truncate(first);
        let mut total = 0u32;
        let mut off = 0u16;
        let mut count = 0usize;
        let mut closed = false;
        let mut next = Some(first_insn);
        while let Some(insn) = next {
            self.entries.push(Entry {
                insn,
                exec: exec_op(&insn),
                off,
                count: 0,
            });
            let cost = (self.cost.cost)(&insn);
            self.cycles.push(Cyc {
                before: total,
                cost,
            });
            total = total.saturating_add(cost);
            count += 1;
            closed = ends_block(insn.op);
            if closed || count == MAX_BLOCK {
                break;
            }
            off += insn.len as u16;
            // Within the code range only: the range's last block is open.
            let at = pc.wrapping_add(off as u64);
            next = if at.wrapping_sub(self.base) < self.starts.len() as u64 * 2 {
                mem.fetch_exec(at)
            } else {
                None
            };
        }
        self.entries[first].count = count as u8 | if closed { 0 } else { OPEN };
        self.entries.extend_from_slice(&PADDING);
        self.cycles.resize(self.entries.len(), Cyc::default());
        self.starts[slot] = first as u32 + 1;
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Xlen;

    fn memory_with(code: &[u32]) -> Memory {
        let mut m = Memory::new(Xlen::X64, 1 << 20);
        m.map(0x8000_0000, 0x1000).unwrap();
        let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        m.write_bytes(0x8000_0000, &bytes).unwrap();
        m.set_code_range(0x8000_0000, bytes.len() as u64);
        m
    }

    #[test]
    fn blocks_end_at_control_flow_and_follow_code_writes() {
        // addi a0,a0,1; addi a0,a0,1; beq x0,x0,0; addi a0,a0,1
        let mut m = memory_with(&[0x0015_0513, 0x0015_0513, 0x0000_0063, 0x0015_0513]);
        let mut b = BlockCache::default();
        let first = b.lookup(&mut m, 0x8000_0000).unwrap();
        assert_eq!(b.window(first)[0].len(), 3);
        assert_eq!(b.window(first)[2].insn.op, Op::Beq);
        assert_eq!(b.window(first)[2].off, 8);
        // a block may start inside another one
        let mid = b.lookup(&mut m, 0x8000_0004).unwrap();
        assert_eq!(b.window(mid)[0].len(), 2);
        assert_eq!(b.lookup(&mut m, 0x8000_0000), Some(first));
        // the last block runs to the end of the code range
        let last = b.lookup(&mut m, 0x8000_000c).unwrap();
        assert_eq!(b.window(last)[0].len(), 1);
        assert!(b.window(first)[0].is_closed() && !b.window(last)[0].is_closed());
        // a code write drops every block
        assert!(m.store(0x8000_0004, 4, 0x0000_0073)); // ecall
        let first = b.lookup(&mut m, 0x8000_0000).unwrap();
        assert_eq!(b.window(first)[0].len(), 2);
        assert_eq!(b.window(first)[1].insn.op, Op::Ecall);
        // outside the code range: one instruction from memory, or unmapped
        let out = b.lookup(&mut m, 0x8000_0100).unwrap();
        assert_eq!((out, b.window(out)[0].len()), (0, 1));
        assert_eq!(b.lookup(&mut m, 0x9000_0000), None);
    }
}
