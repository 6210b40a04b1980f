//! Call-stack unwinding from DWARF call frame information (`.debug_frame`
//! or `.eh_frame`, DWARF 5 section 6.4), read with `gimli`.
//!
//! Each step finds the frame description entry of the pc, computes the
//! canonical frame address (CFA), restores `ra` (x1) and the callee-saved
//! registers saved in the frame, and continues at `ra` with `sp = CFA`.
//! Frames without CFI (hand-written assembly) fall back to `ra` as the
//! return address once, for the innermost frame only.

use gimli::{
    BaseAddresses, CfaRule, DebugFrame, EhFrame, EndianSlice, LittleEndian, RegisterRule,
    UnwindContext, UnwindSection,
};
use object::{Object, ObjectSection};
use zkdbg_emulator::Memory;

type R<'a> = EndianSlice<'a, LittleEndian>;

/// Unwinds guest stacks with the ELF's call frame information.
pub struct Unwinder {
    debug_frame: Vec<u8>,
    eh_frame: Vec<u8>,
    eh_frame_addr: u64,
    addr_size: u8,
}

/// One frame of an unwound call stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnwoundFrame {
    /// The frame's pc: for outer frames the return address (the call is
    /// the instruction before it).
    pub pc: u64,
    /// x0..x31 as the frame sees them, where [`valid`](Self::valid) says.
    pub regs: [u64; 32],
    /// Bit `i` set: `regs[i]` is this frame's value of x`i`. The innermost
    /// frame knows every register; an outer one only `sp`, the registers
    /// its callees' CFI restored and the callee-saved ones (RISC-V psABI:
    /// gp, tp, s0..s11), which callees preserve.
    pub valid: u32,
    /// The canonical frame address (the caller's `sp` at the call, DWARF 5
    /// section 6.4), if CFI covers the frame.
    pub cfa: Option<u64>,
}

/// The registers a callee preserves (RISC-V psABI): sp, gp, tp, s0, s1,
/// s2..s11.
const CALLEE_SAVED: u32 = 1 << 2 | 1 << 3 | 1 << 4 | 1 << 8 | 1 << 9 | 0x0ffc_0000;

/// At most this many frames are returned.
pub const MAX_FRAMES: usize = 64;

impl Unwinder {
    /// Reads `.debug_frame` and `.eh_frame` from the ELF `data`; a file
    /// without them (or not an ELF) gives an unwinder that knows no frames.
    pub fn new(data: &[u8]) -> Unwinder {
        let mut u = Unwinder {
            debug_frame: Vec::new(),
            eh_frame: Vec::new(),
            eh_frame_addr: 0,
            addr_size: 8,
        };
        if let Ok(f) = object::File::parse(data) {
            u.addr_size = if f.is_64() { 8 } else { 4 };
            if let Some(s) = f.section_by_name(".debug_frame") {
                u.debug_frame = s.data().unwrap_or_default().to_vec();
            }
            if let Some(s) = f.section_by_name(".eh_frame") {
                u.eh_frame = s.data().unwrap_or_default().to_vec();
                u.eh_frame_addr = s.address();
            }
        }
        u
    }

    /// The return addresses of the call stack at `pc`, innermost first
    /// (starting with `pc` itself). `regs` are x0..x31; memory reads that
    /// fail end the walk.
    pub fn backtrace(&self, pc: u64, regs: &[u64; 32], mem: &Memory) -> Vec<u64> {
        self.frames(pc, regs, mem)
            .into_iter()
            .map(|f| f.pc)
            .collect()
    }

    /// The frames of the call stack at `pc`, innermost first, each with
    /// the registers CFI recovers for it (see [`UnwoundFrame`]).
    pub fn frames(&self, pc: u64, regs: &[u64; 32], mem: &Memory) -> Vec<UnwoundFrame> {
        let mut out = Vec::new();
        let mut regs = *regs;
        let mut valid = u32::MAX;
        let mut pc = pc;
        let mut ctx = Box::new(UnwindContext::new());
        let xlen_mask = if self.addr_size == 4 {
            0xffff_ffff
        } else {
            u64::MAX
        };
        for depth in 0..MAX_FRAMES {
            // For return addresses, look up the call instruction's frame.
            let lookup = if depth == 0 { pc } else { pc.wrapping_sub(1) };
            let step = self.step(lookup, &regs, mem, &mut ctx);
            out.push(UnwoundFrame {
                pc,
                regs,
                valid,
                cfa: step.as_ref().map(|(_, r, _)| r[2]),
            });
            let next = match step {
                Some(r) => r,
                None if depth == 0 && regs[1] != 0 && regs[1] != pc => {
                    // No CFI at the innermost pc: a leaf that keeps ra.
                    let mut r = regs;
                    r[1] = 0;
                    (regs[1], r, 0)
                }
                None => break,
            };
            let (ret, new_regs, restored) = next;
            let ret = ret & xlen_mask;
            if ret == 0 || ret == pc && new_regs[2] == regs[2] {
                break;
            }
            pc = ret;
            regs = new_regs;
            valid = (valid & CALLEE_SAVED) | restored | 1 << 2;
        }
        out
    }

    fn step(
        &self,
        pc: u64,
        regs: &[u64; 32],
        mem: &Memory,
        ctx: &mut UnwindContext<usize>,
    ) -> Option<(u64, [u64; 32], u32)> {
        let bases = BaseAddresses::default().set_eh_frame(self.eh_frame_addr);
        let row = if !self.debug_frame.is_empty() {
            let mut df = DebugFrame::new(&self.debug_frame, LittleEndian);
            df.set_address_size(self.addr_size);
            unwind_row(&df, &bases, ctx, pc)
        } else {
            None
        };
        let row = match row {
            Some(r) => r,
            None if !self.eh_frame.is_empty() => {
                let mut ef = EhFrame::new(&self.eh_frame, LittleEndian);
                ef.set_address_size(self.addr_size);
                unwind_row(&ef, &bases, ctx, pc)?
            }
            None => return None,
        };
        let (cfa_reg, cfa_off, rules) = row;
        // The CFA register comes from the ELF's CFI: any number at all.
        let cfa = regs.get(cfa_reg as usize)?.wrapping_add(cfa_off as u64);
        let mut new = *regs;
        let mut ra = regs[1];
        let mut restored = 0u32;
        for (reg, rule) in rules {
            if reg >= 32 {
                continue;
            }
            let v = match rule {
                RegisterRule::Offset(o) => {
                    let addr = cfa.wrapping_add(o as u64);
                    let mut b = [0u8; 8];
                    mem.read_bytes(addr, &mut b[..self.addr_size as usize])
                        .ok()?;
                    u64::from_le_bytes(b)
                }
                RegisterRule::SameValue => regs[reg as usize],
                _ => continue,
            };
            new[reg as usize] = v;
            restored |= 1 << reg;
            if reg == 1 {
                ra = v;
            }
        }
        new[2] = cfa;
        Some((ra, new, restored))
    }
}

type Row = (u16, i64, Vec<(u16, RegisterRule<usize>)>);

fn unwind_row<'a, S: UnwindSection<R<'a>>>(
    section: &S,
    bases: &BaseAddresses,
    ctx: &mut UnwindContext<usize>,
    pc: u64,
) -> Option<Row> {
    let fde = section
        .fde_for_address(bases, pc, |s, b, o| s.cie_from_offset(b, o))
        .ok()?;
    let row = fde.unwind_info_for_address(section, bases, ctx, pc).ok()?;
    let (reg, off) = match row.cfa() {
        CfaRule::RegisterAndOffset { register, offset } => (register.0, *offset),
        CfaRule::Expression(_) => return None,
    };
    let rules = row
        .registers()
        .map(|(r, rule)| (r.0, rule.clone()))
        .collect();
    Some((reg, off, rules))
}
