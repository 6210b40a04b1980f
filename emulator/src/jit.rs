//! The compiled tier: hot blocks translated to host code with Cranelift.
//!
//! A block (see [`crate::block`]) that the interpreter has started
//! [`crate::Config::jit_threshold`] times is translated as a whole: its
//! straight-line instructions (register operations, loads and stores)
//! and, when it ends with one, its branch, `jal` or `jalr`. Guest registers live in Cranelift values
//! inside the block and go back to [`crate::Cpu::x`] at every exit. Loads
//! and stores look up the interpreter's software TLB inline; anything
//! unusual leaves compiled code *before* the instruction (a side exit) and
//! the interpreter runs the rest of the block: a TLB miss (unmapped,
//! protected, watched or not yet touched pages), an access crossing a page,
//! a misaligned access under `strict_align`, a store into the predecoded
//! code range (which may rewrite code), an AMO or LR/SC, and every
//! instruction that needs the machine (`ecall`, CSR accesses, custom
//! instructions, `mret`, `fence.i`, illegal encodings, the `j .` halt).
//!
//! Counts stay exact: a block retires `k` instructions and the cycles of
//! those `k` (known when it is compiled, from the same [`CostModel`] the
//! interpreter uses), and the machine runs a compiled block only when the
//! whole block fits the step and cycle budgets; otherwise the interpreter
//! runs it and stops where it would have stopped.
//!
//! Translations are keyed by pc over the predecoded code range and belong
//! to one [`Memory::code_generation`]: when code changes they are all
//! dropped (with the memory holding their host code). Their host memory
//! is capped at [`CODE_CAP`] bytes, after which everything is dropped and
//! compiled again as it gets hot (as QEMU flushes its translation cache).
//!
//! [`CostModel`]: crate::CostModel
//! [`Memory::code_generation`]: crate::Memory::code_generation

use crate::block::{ends_block, Cyc, Entry, MAX_BLOCK};
use crate::decode::Op;
use crate::memory::{Memory, TlbEntry, TLB_SIZE};
use crate::observer::TransferKind;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, Type, Value};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::Module;

/// Host bytes of compiled code kept before every translation is dropped.
pub const CODE_CAP: usize = 32 << 20;

/// What compiled code reads besides the registers: where memory is, and
/// where it leaves the next pc. `#[repr(C)]`: compiled code reads the
/// fields at fixed offsets.
#[repr(C)]
pub(crate) struct View {
    arena: *mut u8,
    rtlb: *const TlbEntry,
    wtlb: *const TlbEntry,
    /// First byte of the predecoded code range.
    code_base: u64,
    /// Its length in bytes plus 1 (see `Memory::note_write`).
    code_lim: u64,
    /// Where a block that ran to its end goes on.
    pub next_pc: u64,
}

const V_ARENA: i32 = 0;
const V_RTLB: i32 = 8;
const V_WTLB: i32 = 16;
const V_CODE_BASE: i32 = 24;
const V_CODE_LIM: i32 = 32;
const V_NEXT_PC: i32 = 40;

impl View {
    /// The view of `mem` as it is now.
    pub fn of(mem: &mut Memory) -> View {
        let (arena, rtlb, wtlb, code_base, code_lim) = mem.jit_view();
        View {
            arena,
            rtlb,
            wtlb,
            code_base,
            code_lim,
            next_pc: 0,
        }
    }
}

/// A compiled block: `(registers, view) -> instructions retired`.
type BlockFn = unsafe extern "C" fn(*mut u64, *mut View) -> u32;

/// One translation.
pub(crate) struct Compiled {
    func: BlockFn,
    /// Instructions it covers: the block's, or the block's straight part
    /// when its last instruction is left to the interpreter.
    pub len: u32,
    /// Whether a run through all `len` instructions left the next pc in
    /// [`View::next_pc`] (a compiled branch or jump, or a block that ends
    /// without one); otherwise the next pc is that of instruction `len`.
    pub closed: bool,
    /// Offset in bytes from the block's pc of each instruction `0..=len`
    /// (the last: where a block that is not closed goes on).
    pub offs: Box<[u16]>,
    /// Cycles of the first `k` instructions, `k = 0..=len`.
    pub cum: Box<[u64]>,
    /// The control transfer a closed block's `jal`/`jalr` makes: its kind,
    /// address and fall-through address.
    pub transfer: Option<(TransferKind, u64, u64)>,
}

impl Compiled {
    /// Runs the translation on the registers `x` with `view`; returns how
    /// many instructions retired.
    #[inline(always)]
    pub fn call(&self, x: &mut [u64; 32], view: &mut View) -> u32 {
        // SAFETY: the function was compiled for this XLEN from the code
        // of the current generation (checked by `Jit::lookup`); it reads
        // and writes `x[0..32]` and `view`'s fields only, and guest memory
        // only inside frames the TLBs of `view` name, which the view
        // (taken just before the call) keeps valid.
        unsafe { (self.func)(x.as_mut_ptr(), view) }
    }
}

/// The state of a pc in [`Jit`]'s table.
const COMPILED: u32 = 0x8000_0000;
const FAILED: u32 = u32::MAX;

/// Translations of one machine.
pub(crate) struct Jit {
    module: JITModule,
    ctx: cranelift_codegen::Context,
    fctx: FunctionBuilderContext,
    /// Per halfword of the code range: how often the block there started
    /// (below the threshold), `COMPILED | index`, or `FAILED`.
    table: Vec<u32>,
    blocks: Vec<Compiled>,
    generation: u64,
    base: u64,
    code_bytes: usize,
    /// Starts of a block before it is compiled.
    threshold: u32,
    r64: bool,
    strict_align: bool,
}

/// Why the compiled tier cannot start on this host.
#[derive(Debug)]
pub struct Unsupported(pub String);

fn new_module() -> Result<JITModule, Unsupported> {
    let err = |e: &dyn std::fmt::Display| Unsupported(e.to_string());
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(|e| err(&e))?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(|e| err(&e))?;
    flags.set("is_pic", "false").map_err(|e| err(&e))?;
    // The IR is ours and tested: the verifier would double compile time.
    flags.set("enable_verifier", "false").map_err(|e| err(&e))?;
    let isa = cranelift_native::builder()
        .map_err(|e| err(&e))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| err(&e))?;
    Ok(JITModule::new(JITBuilder::with_isa(
        isa,
        cranelift_module::default_libcall_names(),
    )))
}

impl Jit {
    /// Blocks translated since the last flush.
    pub fn translations(&self) -> usize {
        self.blocks.len()
    }

    /// An empty compiled tier for a hart of the given XLEN.
    ///
    /// Errors: the host is not one Cranelift compiles for.
    pub fn new(r64: bool, strict_align: bool, threshold: u32) -> Result<Jit, Unsupported> {
        if cfg!(target_endian = "big") {
            return Err(Unsupported("a big-endian host".into()));
        }
        let module = new_module()?;
        let ctx = module.make_context();
        Ok(Jit {
            module,
            ctx,
            fctx: FunctionBuilderContext::new(),
            table: Vec::new(),
            blocks: Vec::new(),
            generation: 0,
            base: 0,
            code_bytes: 0,
            threshold: threshold.max(1),
            r64,
            strict_align,
        })
    }

    /// Drops every translation and the host code holding them.
    fn flush(&mut self, mem: &Memory) {
        self.blocks.clear();
        // A fresh module costs about a millisecond: only when code was
        // emitted (a guest that keeps writing near its code flushes often).
        if self.code_bytes != 0 {
            if let Ok(fresh) = new_module() {
                let old = std::mem::replace(&mut self.module, fresh);
                // SAFETY: no translation of the old module is referenced
                // any more (`blocks` is empty) and none is running (we are
                // in the dispatcher, outside compiled code).
                unsafe { old.free_memory() };
            }
        }
        self.code_bytes = 0;
        let (start, end) = mem.code_range();
        self.base = start;
        self.table.clear();
        self.table.resize(((end - start) / 2) as usize, 0);
        self.generation = mem.code_generation();
    }

    /// The translation of the block at `pc`, if there is one; otherwise
    /// counts the start and returns `None`, with `true` in `hot` once the
    /// block should be compiled (see [`Jit::compile`]).
    #[inline(always)]
    pub fn lookup(&mut self, mem: &Memory, pc: u64, hot: &mut bool) -> Option<&Compiled> {
        if self.generation != mem.code_generation() {
            self.flush(mem);
        }
        let i = (pc.wrapping_sub(self.base) >> 1) as usize;
        let slot = self.table.get_mut(i)?;
        if *slot & COMPILED != 0 {
            if *slot == FAILED {
                return None;
            }
            return Some(&self.blocks[(*slot & !COMPILED) as usize]);
        }
        *slot += 1;
        *hot = *slot >= self.threshold;
        None
    }

    /// The translation of the block at `pc`, if there is one (the
    /// generation was checked by [`Jit::lookup`] since code last changed).
    #[inline(always)]
    pub fn get(&self, pc: u64) -> Option<&Compiled> {
        let i = (pc.wrapping_sub(self.base) >> 1) as usize;
        let slot = *self.table.get(i)?;
        if slot & COMPILED != 0 && slot != FAILED {
            Some(&self.blocks[(slot & !COMPILED) as usize])
        } else {
            None
        }
    }

    /// Compiles the block at `pc` (`block` and `cyc` are its window in the
    /// interpreter's cache). A block whose first instruction cannot be
    /// compiled is marked so and left to the interpreter.
    pub fn compile(
        &mut self,
        mem: &Memory,
        pc: u64,
        block: &[Entry; MAX_BLOCK],
        cyc: &[Cyc; MAX_BLOCK],
    ) {
        if self.generation != mem.code_generation() {
            self.flush(mem);
        }
        let i = (pc.wrapping_sub(self.base) >> 1) as usize;
        if i >= self.table.len() {
            return;
        }
        if self.code_bytes > CODE_CAP {
            self.flush(mem);
        }
        self.table[i] = match self.translate(pc, block, cyc) {
            Some(c) => {
                self.blocks.push(c);
                COMPILED | (self.blocks.len() - 1) as u32
            }
            None => FAILED,
        };
    }

    fn translate(
        &mut self,
        pc: u64,
        block: &[Entry; MAX_BLOCK],
        cyc: &[Cyc; MAX_BLOCK],
    ) -> Option<Compiled> {
        let count = block[0].len();
        // How many instructions compile: the straight part, then the
        // terminator if it is a branch or jump.
        let mut len = 0;
        while len < count && compiles(&block[len]) {
            len += 1;
        }
        let last = &block[count - 1];
        let term_pc = pc.wrapping_add(last.off as u64);
        let halts = last.insn.op == Op::Jal && last.insn.imm == 0;
        let term = len == count - 1
            && block[0].is_closed()
            && matches!(
                last.insn.op,
                Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu | Op::Jal | Op::Jalr
            )
            && !halts;
        let straight = if term { count - 1 } else { len.min(count) };
        if straight == 0 && !term {
            return None;
        }
        // An open block that compiled whole goes on at its fall-through.
        let open_end = !term && straight == count && !block[0].is_closed();
        let n = straight + usize::from(term);
        let mut offs: Vec<u16> = block[..n].iter().map(|e| e.off).collect();
        let e = &block[n - 1];
        offs.push(e.off + u16::from(e.insn.len));
        let cum: Vec<u64> = (0..=n)
            .map(|k| match k.checked_sub(1) {
                None => 0,
                Some(j) => u64::from(cyc[j].before) + u64::from(cyc[j].cost),
            })
            .collect();
        let transfer = if term {
            let next = self.norm(term_pc.wrapping_add(u64::from(last.insn.len)));
            let (rd, rs1) = (last.insn.rd & 31, last.insn.rs1 & 31);
            let link = |r: u8| r == 1 || r == 5;
            match last.insn.op {
                Op::Jal => Some(if link(rd) {
                    TransferKind::Call
                } else {
                    TransferKind::Jump
                }),
                Op::Jalr => Some(match (link(rd), link(rs1)) {
                    (false, false) => TransferKind::Jump,
                    (false, true) => TransferKind::Return,
                    (true, false) => TransferKind::Call,
                    (true, true) if rd == rs1 => TransferKind::Call,
                    (true, true) => TransferKind::CoroutineSwap,
                }),
                _ => None,
            }
            .map(|k| (k, term_pc, next))
        } else {
            None
        };

        self.module.clear_context(&mut self.ctx);
        let ptr = self.module.target_config().pointer_type();
        let sig = &mut self.ctx.func.signature;
        sig.params.push(AbiParam::new(ptr));
        sig.params.push(AbiParam::new(ptr));
        sig.returns.push(AbiParam::new(types::I32));
        let id = self.module.declare_anonymous_function(&sig.clone()).ok()?;
        let fcfg = self.module.target_config();
        let r64 = self.r64;
        let norm = |v: u64| if r64 { v } else { v as u32 as u64 };
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let (x, view) = (b.block_params(entry)[0], b.block_params(entry)[1]);
            let mut t = Tr {
                b,
                ty: if self.r64 { types::I64 } else { types::I32 },
                r64: self.r64,
                strict: self.strict_align,
                x,
                view,
                cur: [None; 32],
                dirty: [false; 32],
                fields: [None; 5],
            };
            for (k, e) in block[..straight].iter().enumerate() {
                let at = norm(pc.wrapping_add(e.off as u64));
                t.insn(k as u32, e, at);
            }
            if term {
                let next = norm(term_pc.wrapping_add(u64::from(last.insn.len)));
                t.terminator(n as u32, last, term_pc, next);
            } else if open_end {
                let next = norm(pc.wrapping_add(u64::from(offs[n])));
                let v = t.b.ins().iconst(types::I64, next as i64);
                t.exit(n as u32, Some(v));
            } else {
                t.exit(n as u32, None);
            }
            t.b.finalize(fcfg);
        }
        self.module.define_function(id, &mut self.ctx).ok()?;
        self.code_bytes += self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        self.module.clear_context(&mut self.ctx);
        self.module.finalize_definitions().ok()?;
        let code = self.module.get_finalized_function(id);
        // SAFETY: `code` is the function just defined with the signature
        // of `BlockFn` (two pointers in, an i32 out, the host's C ABI).
        let func: BlockFn = unsafe { std::mem::transmute(code) };
        Some(Compiled {
            func,
            len: n as u32,
            closed: term || open_end,
            offs: offs.into(),
            cum: cum.into(),
            transfer,
        })
    }

    fn norm(&self, v: u64) -> u64 {
        if self.r64 {
            v
        } else {
            v as u32 as u64
        }
    }
}

/// Whether entry `e` (not the last of its block) compiles: LR/SC and
/// AMOs are left to the interpreter.
fn compiles(e: &Entry) -> bool {
    !ends_block(e.exec) && !matches!(e.exec, crate::block::atomic_ops!())
}

/// One translation in progress.
struct Tr<'a> {
    b: FunctionBuilder<'a>,
    /// I64 on RV64, I32 on RV32 (registers are kept zero-extended in
    /// memory; an I32 store writes their low half).
    ty: Type,
    r64: bool,
    strict: bool,
    x: Value,
    view: Value,
    /// Each guest register's current value, once read or written.
    cur: [Option<Value>; 32],
    /// Registers written since the block began.
    dirty: [bool; 32],
    /// [`View`] fields, loaded on first use.
    fields: [Option<Value>; 5],
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

fn guest() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

impl Tr<'_> {
    fn field(&mut self, i: usize, off: i32) -> Value {
        if let Some(v) = self.fields[i] {
            return v;
        }
        let v = self.b.ins().load(types::I64, trusted(), self.view, off);
        self.fields[i] = Some(v);
        v
    }

    fn c(&mut self, v: u64) -> Value {
        if self.r64 {
            self.b.ins().iconst(types::I64, v as i64)
        } else {
            self.b.ins().iconst(types::I32, v as u32 as i64)
        }
    }

    fn get(&mut self, r: u8) -> Value {
        let r = (r & 31) as usize;
        if r == 0 {
            return self.c(0);
        }
        if let Some(v) = self.cur[r] {
            return v;
        }
        let v = self.b.ins().load(self.ty, trusted(), self.x, 8 * r as i32);
        self.cur[r] = Some(v);
        v
    }

    fn set(&mut self, r: u8, v: Value) {
        let r = (r & 31) as usize;
        if r != 0 {
            self.cur[r] = Some(v);
            self.dirty[r] = true;
        }
    }

    /// Writes the dirty registers back, stores `next_pc` if given and
    /// returns `k`.
    fn exit(&mut self, k: u32, next_pc: Option<Value>) {
        for r in 1..32 {
            if self.dirty[r] {
                let v = self.cur[r].expect("a dirty register has a value");
                self.b.ins().store(trusted(), v, self.x, 8 * r as i32);
            }
        }
        if let Some(pc) = next_pc {
            self.b.ins().store(trusted(), pc, self.view, V_NEXT_PC);
        }
        let k = self.b.ins().iconst(types::I32, k as i64);
        self.b.ins().return_(&[k]);
    }

    /// Leaves compiled code before instruction `k` unless `ok`.
    fn exit_unless(&mut self, ok: Value, k: u32) {
        let cont = self.b.create_block();
        let out = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], out, &[]);
        self.b.seal_block(cont);
        self.b.seal_block(out);
        self.b.set_cold_block(out);
        self.b.switch_to_block(out);
        self.exit(k, None);
        self.b.switch_to_block(cont);
    }

    /// A value of type `ty` as a 64-bit address.
    fn wide(&mut self, v: Value) -> Value {
        if self.r64 {
            v
        } else {
            self.b.ins().uextend(types::I64, v)
        }
    }

    /// The host address of guest `addr` for a `size`-byte access by
    /// instruction `k`, leaving compiled code when the TLB has no entry
    /// for it (or any other case the interpreter must handle).
    fn host(&mut self, addr: Value, size: i64, write: bool, k: u32) -> Value {
        let a = self.wide(addr);
        let page = self.b.ins().ushr_imm_s(a, 12);
        let idx = self.b.ins().band_imm_s(page, (TLB_SIZE - 1) as i64);
        let slot = self.b.ins().ishl_imm_s(idx, 4);
        let tlb = if write {
            self.field(2, V_WTLB)
        } else {
            self.field(1, V_RTLB)
        };
        let e = self.b.ins().iadd(tlb, slot);
        let epage = self.b.ins().load(types::I64, trusted(), e, 0);
        let mut ok = self.b.ins().icmp(IntCC::Equal, epage, page);
        let off = self.b.ins().band_imm_s(a, 0xfff);
        if size > 1 {
            let fits = self
                .b
                .ins()
                .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, off, 4096 - size);
            ok = self.b.ins().band(ok, fits);
            if self.strict {
                let mis = self.b.ins().band_imm_s(a, size - 1);
                let al = self.b.ins().icmp_imm_s(IntCC::Equal, mis, 0);
                ok = self.b.ins().band(ok, al);
            }
        }
        if write {
            // Outside the code range (see `Memory::note_write`): `t - 1 >=
            // span + 1 + size` with `t = addr + size - code_base`.
            let base = self.field(3, V_CODE_BASE);
            let lim = self.field(4, V_CODE_LIM);
            let end = self.b.ins().iadd_imm_s(a, size);
            let t = self.b.ins().isub(end, base);
            let t1 = self.b.ins().iadd_imm_s(t, -1);
            let lim = self.b.ins().iadd_imm_s(lim, size);
            let outside = self
                .b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, t1, lim);
            ok = self.b.ins().band(ok, outside);
        }
        self.exit_unless(ok, k);
        let base = self.b.ins().load(types::I64, trusted(), e, 8);
        let arena = self.field(0, V_ARENA);
        let frame = self.b.ins().iadd(arena, base);
        self.b.ins().iadd(frame, off)
    }

    fn addr(&mut self, e: &Entry) -> Value {
        let base = self.get(e.insn.rs1);
        let imm = self.c(e.insn.imm as i64 as u64);
        self.b.ins().iadd(base, imm)
    }

    fn load(&mut self, k: u32, e: &Entry, size: i64, signed: bool) {
        let a = self.addr(e);
        let h = self.host(a, size, false, k);
        let ty = self.ty;
        let f = guest();
        let ins = self.b.ins();
        let v = match (size, signed) {
            (1, true) => ins.sload8(ty, f, h, 0),
            (1, false) => ins.uload8(ty, f, h, 0),
            (2, true) => ins.sload16(ty, f, h, 0),
            (2, false) => ins.uload16(ty, f, h, 0),
            (4, _) if ty == types::I32 => ins.load(ty, f, h, 0),
            (4, true) => ins.sload32(f, h, 0),
            (4, false) => ins.uload32(f, h, 0),
            _ => ins.load(ty, f, h, 0),
        };
        self.set(e.insn.rd, v);
    }

    fn store(&mut self, k: u32, e: &Entry, size: i64) {
        let a = self.addr(e);
        let h = self.host(a, size, true, k);
        let v = self.get(e.insn.rs2);
        let f = guest();
        let ins = self.b.ins();
        match size {
            1 => ins.istore8(f, v, h, 0),
            2 => ins.istore16(f, v, h, 0),
            4 if self.ty == types::I64 => ins.istore32(f, v, h, 0),
            _ => ins.store(f, v, h, 0),
        };
    }

    fn bool(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        let c = self.b.ins().icmp(cc, a, b);
        self.b.ins().uextend(self.ty, c)
    }

    /// A 32-bit result sign-extended to 64 bits (the W instructions).
    fn w(&mut self, v: Value) -> Value {
        self.b.ins().sextend(types::I64, v)
    }

    fn lo(&mut self, v: Value) -> Value {
        self.b.ins().ireduce(types::I32, v)
    }

    /// `x / y` and `x % y` with RISC-V's results for a zero divisor and
    /// for signed overflow (M extension, "Division Operations" table).
    fn divrem(&mut self, x: Value, y: Value, signed: bool, rem: bool) -> Value {
        let ty = self.b.func.dfg.value_type(x);
        let ins = &mut self.b;
        let zero = ins.ins().icmp_imm_s(IntCC::Equal, y, 0);
        let one = ins.ins().iconst(ty, 1);
        let mut bad = zero;
        if signed {
            let min = if ty == types::I64 {
                i64::MIN
            } else {
                i32::MIN as i64
            };
            let xmin = ins.ins().icmp_imm_s(IntCC::Equal, x, min);
            let yneg = ins.ins().icmp_imm_s(IntCC::Equal, y, -1);
            let ovf = ins.ins().band(xmin, yneg);
            bad = ins.ins().bor(zero, ovf);
        }
        let safe = ins.ins().select(bad, one, y);
        let r = match (signed, rem) {
            (true, false) => ins.ins().sdiv(x, safe),
            (false, false) => ins.ins().udiv(x, safe),
            (true, true) => ins.ins().srem(x, safe),
            (false, true) => ins.ins().urem(x, safe),
        };
        // A zero divisor: all ones for a quotient, the dividend for a
        // remainder; signed overflow gives x / 1 = x and x % 1 = 0, the
        // specified results.
        let on_zero = if rem {
            x
        } else {
            let all = if ty == types::I64 {
                -1
            } else {
                u32::MAX as i64
            };
            ins.ins().iconst(ty, all)
        };
        ins.ins().select(zero, on_zero, r)
    }

    /// Translates straight-line instruction `k` at `pc`.
    fn insn(&mut self, k: u32, e: &Entry, pc: u64) {
        let i = e.insn;
        let shmask: i64 = if self.r64 { 63 } else { 31 };
        macro_rules! rr {
            ($m:ident) => {{
                let (a, b) = (self.get(i.rs1), self.get(i.rs2));
                let v = self.b.ins().$m(a, b);
                self.set(i.rd, v)
            }};
        }
        macro_rules! ri {
            ($m:ident) => {{
                let a = self.get(i.rs1);
                let b = self.c(i.imm as i64 as u64);
                let v = self.b.ins().$m(a, b);
                self.set(i.rd, v)
            }};
        }
        macro_rules! sh_imm {
            ($m:ident) => {{
                let a = self.get(i.rs1);
                let v = self.b.ins().$m(a, i.imm as i64 & shmask);
                self.set(i.rd, v)
            }};
        }
        macro_rules! w_rr {
            (|$a:ident, $b:ident| $body:expr) => {{
                let (x, y) = (self.get(i.rs1), self.get(i.rs2));
                let ($a, $b) = (self.lo(x), self.lo(y));
                let v = $body;
                let v = self.w(v);
                self.set(i.rd, v)
            }};
        }
        match e.exec {
            Op::Fence | Op::Wfi => {}
            Op::Lui => {
                let v = self.c(i.imm as i64 as u64);
                self.set(i.rd, v)
            }
            Op::Auipc => {
                let v = self.c(pc.wrapping_add(i.imm as i64 as u64));
                self.set(i.rd, v)
            }
            Op::Lb => self.load(k, e, 1, true),
            Op::Lh => self.load(k, e, 2, true),
            Op::Lw => self.load(k, e, 4, true),
            Op::Ld => self.load(k, e, 8, true),
            Op::Lbu => self.load(k, e, 1, false),
            Op::Lhu => self.load(k, e, 2, false),
            Op::Lwu => self.load(k, e, 4, false),
            Op::Sb => self.store(k, e, 1),
            Op::Sh => self.store(k, e, 2),
            Op::Sw => self.store(k, e, 4),
            Op::Sd => self.store(k, e, 8),
            Op::Addi => ri!(iadd),
            Op::Xori => ri!(bxor),
            Op::Ori => ri!(bor),
            Op::Andi => ri!(band),
            Op::Slti | Op::Sltiu => {
                let a = self.get(i.rs1);
                let b = self.c(i.imm as i64 as u64);
                let cc = if e.exec == Op::Slti {
                    IntCC::SignedLessThan
                } else {
                    IntCC::UnsignedLessThan
                };
                let v = self.bool(cc, a, b);
                self.set(i.rd, v)
            }
            Op::Slli => sh_imm!(ishl_imm_s),
            Op::Srli => sh_imm!(ushr_imm_s),
            Op::Srai => sh_imm!(sshr_imm_s),
            Op::Add => rr!(iadd),
            Op::Sub => rr!(isub),
            // Cranelift masks shift amounts to the type's width, as RISC-V
            // does (XLEN bits).
            Op::Sll => rr!(ishl),
            Op::Srl => rr!(ushr),
            Op::Sra => rr!(sshr),
            Op::Xor => rr!(bxor),
            Op::Or => rr!(bor),
            Op::And => rr!(band),
            Op::Slt | Op::Sltu => {
                let (a, b) = (self.get(i.rs1), self.get(i.rs2));
                let cc = if e.exec == Op::Slt {
                    IntCC::SignedLessThan
                } else {
                    IntCC::UnsignedLessThan
                };
                let v = self.bool(cc, a, b);
                self.set(i.rd, v)
            }
            Op::Addiw | Op::Slliw | Op::Srliw | Op::Sraiw => {
                let x = self.get(i.rs1);
                let a = self.lo(x);
                let imm = self.b.ins().iconst(types::I32, i.imm as u32 as i64);
                let ins = self.b.ins();
                let v = match e.exec {
                    Op::Addiw => ins.iadd(a, imm),
                    Op::Slliw => ins.ishl_imm_s(a, i.imm as i64 & 31),
                    Op::Srliw => ins.ushr_imm_s(a, i.imm as i64 & 31),
                    _ => ins.sshr_imm_s(a, i.imm as i64 & 31),
                };
                let v = self.w(v);
                self.set(i.rd, v)
            }
            Op::Addw => w_rr!(|a, b| self.b.ins().iadd(a, b)),
            Op::Subw => w_rr!(|a, b| self.b.ins().isub(a, b)),
            Op::Sllw => w_rr!(|a, b| self.b.ins().ishl(a, b)),
            Op::Srlw => w_rr!(|a, b| self.b.ins().ushr(a, b)),
            Op::Sraw => w_rr!(|a, b| self.b.ins().sshr(a, b)),
            Op::Mulw => w_rr!(|a, b| self.b.ins().imul(a, b)),
            Op::Divw => w_rr!(|a, b| self.divrem(a, b, true, false)),
            Op::Divuw => w_rr!(|a, b| self.divrem(a, b, false, false)),
            Op::Remw => w_rr!(|a, b| self.divrem(a, b, true, true)),
            Op::Remuw => w_rr!(|a, b| self.divrem(a, b, false, true)),
            Op::Mul => rr!(imul),
            Op::Mulh => rr!(smulhi),
            Op::Mulhu => rr!(umulhi),
            Op::Mulhsu => {
                // signed x unsigned, high half: umulhi(a, b) - (a < 0 ? b : 0).
                let (a, b) = (self.get(i.rs1), self.get(i.rs2));
                let hi = self.b.ins().umulhi(a, b);
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, a, 0);
                let zero = self.c(0);
                let fix = self.b.ins().select(neg, b, zero);
                let v = self.b.ins().isub(hi, fix);
                self.set(i.rd, v)
            }
            Op::Div | Op::Divu | Op::Rem | Op::Remu => {
                let (a, b) = (self.get(i.rs1), self.get(i.rs2));
                let signed = matches!(e.exec, Op::Div | Op::Rem);
                let rem = matches!(e.exec, Op::Rem | Op::Remu);
                let v = self.divrem(a, b, signed, rem);
                self.set(i.rd, v)
            }
            // `compiles` keeps every other operation out.
            _ => unreachable!("not a compiled operation: {:?}", e.exec),
        }
    }

    /// Translates the block's last instruction, a branch, `jal` or `jalr`
    /// at `pc` (`next`: its fall-through), which retires as the `n`-th.
    fn terminator(&mut self, n: u32, e: &Entry, pc: u64, next: u64) {
        let i = e.insn;
        let target = if self.r64 {
            pc.wrapping_add(i.imm as i64 as u64)
        } else {
            pc.wrapping_add(i.imm as i64 as u64) as u32 as u64
        };
        let cc = match i.op {
            Op::Beq => Some(IntCC::Equal),
            Op::Bne => Some(IntCC::NotEqual),
            Op::Blt => Some(IntCC::SignedLessThan),
            Op::Bge => Some(IntCC::SignedGreaterThanOrEqual),
            Op::Bltu => Some(IntCC::UnsignedLessThan),
            Op::Bgeu => Some(IntCC::UnsignedGreaterThanOrEqual),
            _ => None,
        };
        if let Some(cc) = cc {
            let (a, b) = (self.get(i.rs1), self.get(i.rs2));
            let taken = self.b.ins().icmp(cc, a, b);
            let t = self.b.ins().iconst(types::I64, target as i64);
            let f = self.b.ins().iconst(types::I64, next as i64);
            let to = self.b.ins().select(taken, t, f);
            self.exit(n, Some(to));
            return;
        }
        let to = match i.op {
            Op::Jal => self.b.ins().iconst(types::I64, target as i64),
            _ => {
                // jalr: the target from rs1 before rd is written.
                let a = self.addr(e);
                let mask = self.c(!1);
                let a = self.b.ins().band(a, mask);
                self.wide(a)
            }
        };
        let link = self.c(next);
        self.set(i.rd, link);
        self.exit(n, Some(to));
    }
}
