//! Variables of a stopped guest, from DWARF: the arguments and locals in
//! scope in one frame (DWARF 5 sections 3.3 subprograms, 3.4 lexical
//! blocks, 3.5 inlined subroutines), where they live (section 2.5 DWARF
//! expressions, 2.6 location descriptions and location lists), and their
//! values read from the frame's registers and guest memory, formatted as gdb
//! formats C (`{x = 1, y = 2}`) and Rust (`Point { x: 1, y: 2 }`, `"str"`,
//! `Some(3)`) values; and [`SourceMap::print`], gdb's `print EXPR` for a
//! variable, a field path (`a.b[3]`, `p->next`), a register (`$a0`) or typed
//! memory (`{int}0x80001000`, `*(struct point *)ADDR`).
//!
//! Types: base types (integers, `bool`, characters, floats), pointers and
//! references, arrays, structures, unions, classes, C enumerations, Rust
//! enums (variant parts), typedefs and qualifiers. Everything is read from
//! guest-controlled bytes, so every walk is bounded (type nesting, element
//! counts, string lengths, output length) and a value that cannot be read
//! says why in its text (`<optimized out>`, `<not saved>`, `<unreadable
//! 0x...>`) instead of failing.

use gimli::Reader as _;
use gimli::{AttributeValue, DebuggingInformationEntry, EvaluationResult, Location, UnitOffset};
use zkdbg_emulator::Memory;

use crate::source::{Reader, SourceMap};

mod expr;
use expr::{lex, Ast, Parser};

type Unit = gimli::Unit<Reader>;
type Dwarf = gimli::Dwarf<Reader>;
type Off = UnitOffset<usize>;

/// The state of one physical frame, as the unwinder recovered it.
#[derive(Clone, Copy)]
pub struct FrameState<'a> {
    /// The frame's pc (for outer frames, the return address).
    pub pc: u64,
    /// The address to look the frame up by: pc for the innermost frame,
    /// the return address minus one for outer ones (inside the call).
    pub lookup: u64,
    /// x0..x31 as the frame sees them.
    pub regs: &'a [u64; 32],
    /// Bit `i` set: `regs[i]` is known in this frame.
    pub valid: u32,
    /// The canonical frame address (`DW_OP_call_frame_cfa`), if known.
    pub cfa: Option<u64>,
    /// Guest memory.
    pub mem: &'a Memory,
}

/// One argument or local variable with its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// A formal parameter (argument), not a local.
    pub argument: bool,
    /// Its type as the language writes it (`struct point *`, `&str`).
    pub type_name: String,
    /// Its value, formatted (see the module docs), or why it has none.
    pub value: String,
}

/// Why `print` could not evaluate an expression.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    /// The guest has no DWARF for this pc.
    #[error("no debug information at {0:#x}")]
    NoDebugInfo(u64),
    /// A name that is neither a variable in scope, a global nor a register.
    #[error("no symbol \"{0}\" in current context")]
    NoSymbol(String),
    /// A type name that the compilation unit does not define.
    #[error("no type named \"{0}\" in this compilation unit")]
    NoType(String),
    /// The expression does not parse.
    #[error("{0}")]
    Syntax(String),
    /// The expression parses but cannot be applied (a field of a
    /// non-struct, `*` of a non-pointer, the address of a register).
    #[error("{0}")]
    Invalid(String),
}

/// Type DIEs followed at most this deep (typedef chains, nested types).
const MAX_DEPTH: usize = 12;
/// Value nesting shown before `{...}`.
const MAX_NESTING: usize = 4;
/// Array and slice elements shown before `...`.
const MAX_ELEMENTS: u64 = 16;
/// String bytes shown before `...`.
const MAX_STRING: usize = 64;
/// A formatted value is cut to about this many characters.
const MAX_TEXT: usize = 600;
/// Bytes of one value read at most (larger aggregates are read in parts).
const MAX_READ: u64 = 1 << 16;

impl SourceMap {
    /// The arguments, then the locals (innermost block first), of inline
    /// level `depth` of the frame `frame` (0 = the innermost function at
    /// the frame's pc; higher numbers are the functions it was inlined
    /// into, up to the physical function). Empty without DWARF.
    pub fn variables(&self, frame: &FrameState, depth: usize) -> Vec<Variable> {
        let Some((dwarf, unit)) = self.unit_at(frame.lookup) else {
            return Vec::new();
        };
        let cx = Cx::new(dwarf, unit, frame);
        let scopes = cx.scopes().unwrap_or_default();
        let Some(scope) = scopes
            .len()
            .checked_sub(depth + 1)
            .and_then(|i| scopes.get(i))
        else {
            return Vec::new();
        };
        let mut out: Vec<Variable> = Vec::new();
        for &(off, argument, _) in &scope.vars {
            let Ok(e) = unit.entry(off) else { continue };
            let Some(name) = cx.name(&e) else { continue };
            let ty = cx.attr_ref(&e, gimli::DW_AT_type);
            let value = match cx.place(&e, scope) {
                Ok(p) => cx.format_place(&p, ty),
                Err(why) => why,
            };
            out.push(Variable {
                name,
                argument,
                type_name: cx.type_name(ty, 0),
                value,
            });
        }
        out
    }

    /// gdb's `print EXPR` in inline level `depth` of `frame`: `name`,
    /// `a.b`, `p->f`, `a[3]`, `*p`, `&x`, `$reg` (`$a0`, `$x5`, `$pc`,
    /// `$sp`), `{TYPE} ADDR` and `*(TYPE *) ADDR`. Names are looked up
    /// among the function's arguments and locals (innermost block first),
    /// then among the globals of its compilation unit. Answers
    /// `(type, value)`.
    pub fn print(
        &self,
        frame: &FrameState,
        depth: usize,
        expr: &str,
    ) -> Result<(String, String), PrintError> {
        let toks = lex(expr)?;
        let unit_at = self.unit_at(frame.lookup);
        let mut p = Parser { toks: &toks, i: 0 };
        let ast = p.expr()?;
        if p.i != toks.len() {
            return Err(PrintError::Syntax(format!(
                "unexpected '{}' in the expression",
                toks[p.i]
            )));
        }
        if let Ast::Reg(r) = &ast {
            return register(frame, r);
        }
        let Some((dwarf, unit)) = unit_at else {
            return Err(PrintError::NoDebugInfo(frame.lookup));
        };
        let cx = Cx::new(dwarf, unit, frame);
        let scopes = cx.scopes().unwrap_or_default();
        // The selected function's own scope: an inlined function does not
        // see its caller's variables.
        let scopes: Vec<&Scope> = scopes.iter().rev().skip(depth).take(1).collect();
        let v = cx.eval(&ast, &scopes)?;
        match v {
            Val::Addr(a, ty) => Ok((format!("{} *", cx.type_name(ty, 0)), format!("{a:#x}"))),
            Val::Obj(place, ty) => Ok((cx.type_name(ty, 0), cx.format_place(&place, ty))),
        }
    }

    /// The DWARF and compilation unit that cover `pc`.
    fn unit_at(&self, pc: u64) -> Option<(&Dwarf, &Unit)> {
        let ctx = self.context()?;
        ctx.find_dwarf_and_unit(pc)
            .skip_all_loads()
            .map(|u| (u.dwarf, u.unit))
    }
}

/// `$reg` of `frame`.
fn register(frame: &FrameState, name: &str) -> Result<(String, String), PrintError> {
    if name == "pc" {
        return Ok(("void (*)()".into(), format!("{:#x}", frame.pc)));
    }
    let n = register_number(name).ok_or_else(|| PrintError::NoSymbol(format!("${name}")))?;
    if frame.valid & (1 << n) == 0 {
        return Ok(("long".into(), "<not saved>".into()));
    }
    let v = frame.regs[n];
    Ok(("long".into(), format!("{v:#x} ({})", v as i64)))
}

/// The variables of one function level at pc: a subprogram or an inlined
/// subroutine, with the subprogram whose frame base its locations use.
#[derive(Default)]
struct Scope {
    /// The DIE of the subprogram giving the frame base.
    subprogram: Option<Off>,
    /// (DIE, is an argument, lexical block depth), arguments first, then
    /// locals innermost block first.
    vars: Vec<(Off, bool, usize)>,
}

/// Where a value is.
#[derive(Clone, Debug)]
enum Place {
    /// In guest memory at this address.
    Mem(u64),
    /// These bytes (a register, a computed or constant value).
    Bytes(Vec<u8>),
    /// Nowhere: the text says why (`<optimized out>`).
    None(String),
}

/// An evaluated expression: an object of a type somewhere, or an address
/// (`&x`) of an object of a type.
enum Val {
    Obj(Place, Option<Off>),
    Addr(u64, Option<Off>),
}

/// A type, read from its DIE (typedefs and qualifiers followed).
enum Ty {
    Void,
    Base {
        enc: gimli::DwAte,
        size: u64,
    },
    Ptr {
        target: Option<Off>,
    },
    Struct {
        name: Option<String>,
        members: Vec<Member>,
        variants: Option<Variants>,
    },
    Array {
        elem: Option<Off>,
        count: Option<u64>,
    },
    Enum {
        size: u64,
        signed: bool,
        values: Vec<(String, i64)>,
    },
    Func,
    Unknown,
}

struct Member {
    name: String,
    offset: u64,
    ty: Option<Off>,
}

/// A Rust enum's variant part: the discriminant and the variants.
struct Variants {
    discr: Option<Member>,
    arms: Vec<(Option<u64>, Member)>,
}

struct Cx<'a> {
    dwarf: &'a Dwarf,
    unit: &'a Unit,
    frame: &'a FrameState<'a>,
    rust: bool,
    addr_size: u8,
}

impl<'a> Cx<'a> {
    fn new(dwarf: &'a Dwarf, unit: &'a Unit, frame: &'a FrameState<'a>) -> Cx<'a> {
        let rust = unit
            .entries()
            .next_dfs()
            .ok()
            .flatten()
            .and_then(|(_, e)| e.attr_value(gimli::DW_AT_language).ok().flatten())
            .is_some_and(|v| v == AttributeValue::Language(gimli::DW_LANG_Rust));
        Cx {
            dwarf,
            unit,
            frame,
            rust,
            addr_size: unit.encoding().address_size,
        }
    }

    // ---- scopes ------------------------------------------------------

    /// The function levels at the frame's pc, outermost (the physical
    /// function) first.
    fn scopes(&self) -> gimli::Result<Vec<Scope>> {
        let mut tree = self.unit.entries_tree(None)?;
        let root = tree.root()?;
        let mut out = Vec::new();
        self.walk(root, &mut out, 0, None, 0)?;
        for s in &mut out {
            // Arguments first, then locals of inner blocks before outer ones.
            s.vars
                .sort_by_key(|&(_, arg, block)| (!arg, std::cmp::Reverse(block)));
        }
        Ok(out)
    }

    fn contains(&self, e: &DebuggingInformationEntry<Reader>) -> bool {
        let pc = self.frame.lookup;
        let Ok(mut ranges) = self.dwarf.die_ranges(self.unit, e) else {
            return false;
        };
        let mut n = 0;
        while let Ok(Some(r)) = ranges.next() {
            if r.begin <= pc && pc < r.end {
                return true;
            }
            n += 1;
            if n > 4096 {
                break;
            }
        }
        false
    }

    /// Collects the function levels at pc under `node`: `level` is the
    /// index in `out` of the innermost function being walked (`None`
    /// outside functions), `block` the lexical block depth within it.
    /// Returns whether a function containing pc was found.
    fn walk(
        &self,
        node: gimli::EntriesTreeNode<Reader>,
        out: &mut Vec<Scope>,
        depth: usize,
        level: Option<usize>,
        block: usize,
    ) -> gimli::Result<bool> {
        if depth > 64 {
            return Ok(false);
        }
        let mut children = node.children();
        let mut found = false;
        while let Some(child) = children.next()? {
            let e = child.entry();
            let tag = e.tag();
            match (tag, level) {
                (gimli::DW_TAG_subprogram | gimli::DW_TAG_inlined_subroutine, _)
                    if !found && self.contains(e) =>
                {
                    let subprogram = if tag == gimli::DW_TAG_subprogram {
                        Some(e.offset())
                    } else {
                        level.and_then(|l| out[l].subprogram)
                    };
                    out.push(Scope {
                        subprogram,
                        vars: Vec::new(),
                    });
                    let l = out.len() - 1;
                    self.walk(child, out, depth + 1, Some(l), 0)?;
                    if level.is_none() {
                        return Ok(true);
                    }
                    found = true;
                }
                (gimli::DW_TAG_subprogram | gimli::DW_TAG_inlined_subroutine, _) => {}
                (gimli::DW_TAG_lexical_block, Some(_)) if self.contains(e) => {
                    found |= self.walk(child, out, depth + 1, level, block + 1)?;
                }
                (gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable, Some(l)) => {
                    let arg = tag == gimli::DW_TAG_formal_parameter;
                    out[l].vars.push((e.offset(), arg, block));
                }
                // Functions sit in namespaces, modules and types (Rust).
                (_, None) if self.walk(child, out, depth + 1, None, block)? => return Ok(true),
                _ => {}
            }
        }
        Ok(found)
    }

    // ---- names and types --------------------------------------------

    /// An attribute of `e`, else of the DIE it is an instance or
    /// definition of (`DW_AT_abstract_origin`, `DW_AT_specification`).
    fn attr(
        &self,
        e: &DebuggingInformationEntry<Reader>,
        at: gimli::DwAt,
    ) -> Option<AttributeValue<Reader>> {
        if let Some(v) = self.attr_here(e, at) {
            return Some(v);
        }
        let mut off = self.origin(e)?;
        for _ in 0..4 {
            let e = self.unit.entry(off).ok()?;
            if let Some(v) = self.attr_here(&e, at) {
                return Some(v);
            }
            off = self.origin(&e)?;
        }
        None
    }

    fn attr_here(
        &self,
        e: &DebuggingInformationEntry<Reader>,
        at: gimli::DwAt,
    ) -> Option<AttributeValue<Reader>> {
        e.attr_value(at).ok().flatten()
    }

    fn origin(&self, e: &DebuggingInformationEntry<Reader>) -> Option<Off> {
        let v = self
            .attr_here(e, gimli::DW_AT_abstract_origin)
            .or_else(|| self.attr_here(e, gimli::DW_AT_specification))?;
        self.unit_ref(v)
    }

    fn unit_ref(&self, v: AttributeValue<Reader>) -> Option<Off> {
        match v {
            AttributeValue::UnitRef(o) => Some(o),
            AttributeValue::DebugInfoRef(o) => o.to_unit_offset(&self.unit.header),
            _ => None,
        }
    }

    fn attr_ref(&self, e: &DebuggingInformationEntry<Reader>, at: gimli::DwAt) -> Option<Off> {
        self.unit_ref(self.attr(e, at)?)
    }

    fn name(&self, e: &DebuggingInformationEntry<Reader>) -> Option<String> {
        let v = self.attr(e, gimli::DW_AT_name)?;
        let s = self.dwarf.attr_string(self.unit, v).ok()?;
        Some(s.to_string_lossy().ok()?.into_owned())
    }

    fn udata(&self, e: &DebuggingInformationEntry<Reader>, at: gimli::DwAt) -> Option<u64> {
        self.attr_here(e, at)?.udata_value()
    }

    /// The type at `off`, typedefs and qualifiers followed.
    fn ty(&self, off: Option<Off>) -> Ty {
        let mut off = off;
        for _ in 0..MAX_DEPTH {
            let Some(o) = off else { return Ty::Void };
            let Ok(e) = self.unit.entry(o) else {
                return Ty::Unknown;
            };
            match e.tag() {
                gimli::DW_TAG_typedef
                | gimli::DW_TAG_const_type
                | gimli::DW_TAG_volatile_type
                | gimli::DW_TAG_restrict_type
                | gimli::DW_TAG_atomic_type => {
                    off = self.attr_ref(&e, gimli::DW_AT_type);
                    continue;
                }
                gimli::DW_TAG_base_type => {
                    let enc = match self.attr_here(&e, gimli::DW_AT_encoding) {
                        Some(AttributeValue::Encoding(x)) => x,
                        _ => gimli::DW_ATE_unsigned,
                    };
                    return Ty::Base {
                        enc,
                        size: self.udata(&e, gimli::DW_AT_byte_size).unwrap_or(0),
                    };
                }
                gimli::DW_TAG_pointer_type
                | gimli::DW_TAG_reference_type
                | gimli::DW_TAG_rvalue_reference_type => {
                    return Ty::Ptr {
                        target: self.attr_ref(&e, gimli::DW_AT_type),
                    }
                }
                gimli::DW_TAG_structure_type
                | gimli::DW_TAG_union_type
                | gimli::DW_TAG_class_type => return self.struct_ty(o, &e),
                gimli::DW_TAG_array_type => {
                    let elem = self.attr_ref(&e, gimli::DW_AT_type);
                    let count = self.array_count(o);
                    return Ty::Array { elem, count };
                }
                gimli::DW_TAG_enumeration_type => return self.enum_ty(o, &e),
                gimli::DW_TAG_subroutine_type => return Ty::Func,
                gimli::DW_TAG_unspecified_type => return Ty::Void,
                _ => return Ty::Unknown,
            }
        }
        Ty::Unknown
    }

    fn children(&self, off: Off, mut f: impl FnMut(&DebuggingInformationEntry<Reader>)) {
        let Ok(mut tree) = self.unit.entries_tree(Some(off)) else {
            return;
        };
        let Ok(root) = tree.root() else { return };
        let mut it = root.children();
        let mut n = 0;
        while let Ok(Some(c)) = it.next() {
            f(c.entry());
            n += 1;
            if n > 4096 {
                break;
            }
        }
    }

    fn array_count(&self, off: Off) -> Option<u64> {
        let mut count = None;
        let mut first = true;
        self.children(off, |c| {
            if c.tag() != gimli::DW_TAG_subrange_type {
                return;
            }
            // Multi-dimensional arrays: the total element count.
            let n = self.udata(c, gimli::DW_AT_count).or_else(|| {
                let hi = self.attr_here(c, gimli::DW_AT_upper_bound)?;
                let hi = hi
                    .udata_value()
                    .or_else(|| hi.sdata_value().map(|s| s as u64))?;
                let lo = self.udata(c, gimli::DW_AT_lower_bound).unwrap_or(0);
                hi.checked_add(1)?.checked_sub(lo)
            });
            count = match (first, count, n) {
                (true, _, n) => n,
                (false, Some(c), Some(n)) => c.checked_mul(n),
                _ => None,
            };
            first = false;
        });
        count
    }

    fn member(&self, c: &DebuggingInformationEntry<Reader>) -> Member {
        Member {
            name: self.name(c).unwrap_or_default(),
            offset: self
                .attr_here(c, gimli::DW_AT_data_member_location)
                .and_then(|v| v.udata_value())
                .unwrap_or(0),
            ty: self.attr_ref(c, gimli::DW_AT_type),
        }
    }

    fn struct_ty(&self, off: Off, e: &DebuggingInformationEntry<Reader>) -> Ty {
        let mut members = Vec::new();
        let mut variants = None;
        let mut part = None;
        self.children(off, |c| match c.tag() {
            gimli::DW_TAG_member if self.attr_here(c, gimli::DW_AT_external).is_none() => {
                members.push(self.member(c));
            }
            gimli::DW_TAG_variant_part => part = Some(c.offset()),
            _ => {}
        });
        if let Some(p) = part {
            let Ok(pe) = self.unit.entry(p) else {
                return Ty::Unknown;
            };
            let discr = self
                .attr_ref(&pe, gimli::DW_AT_discr)
                .and_then(|d| self.unit.entry(d).ok())
                .map(|d| self.member(&d));
            let mut arms = Vec::new();
            self.children(p, |v| {
                if v.tag() != gimli::DW_TAG_variant {
                    return;
                }
                let value = self.udata(v, gimli::DW_AT_discr_value).or_else(|| {
                    self.attr_here(v, gimli::DW_AT_discr_value)?
                        .sdata_value()
                        .map(|s| s as u64)
                });
                self.children(v.offset(), |m| {
                    if m.tag() == gimli::DW_TAG_member {
                        arms.push((value, self.member(m)));
                    }
                });
            });
            variants = Some(Variants { discr, arms });
        }
        Ty::Struct {
            name: self.name(e),
            members,
            variants,
        }
    }

    fn enum_ty(&self, off: Off, e: &DebuggingInformationEntry<Reader>) -> Ty {
        let mut values = Vec::new();
        self.children(off, |c| {
            if c.tag() == gimli::DW_TAG_enumerator {
                let v = self.attr_here(c, gimli::DW_AT_const_value);
                let v = v.and_then(|v| {
                    v.sdata_value()
                        .or_else(|| v.udata_value().map(|u| u as i64))
                });
                if let (Some(n), Some(v)) = (self.name(c), v) {
                    values.push((n, v));
                }
            }
        });
        let signed = matches!(
            self.ty(self.attr_ref(e, gimli::DW_AT_type)),
            Ty::Base {
                enc: gimli::DW_ATE_signed | gimli::DW_ATE_signed_char,
                ..
            }
        );
        Ty::Enum {
            size: self.udata(e, gimli::DW_AT_byte_size).unwrap_or(4),
            signed,
            values,
        }
    }

    /// Bytes an object of this type takes, if known.
    fn size(&self, off: Option<Off>) -> Option<u64> {
        self.size_at(off, 0)
    }

    fn size_at(&self, off: Option<Off>, depth: usize) -> Option<u64> {
        let mut off = off;
        for _ in depth..MAX_DEPTH {
            let e = self.unit.entry(off?).ok()?;
            if let Some(s) = self.udata(&e, gimli::DW_AT_byte_size) {
                return Some(s);
            }
            match e.tag() {
                gimli::DW_TAG_pointer_type
                | gimli::DW_TAG_reference_type
                | gimli::DW_TAG_rvalue_reference_type => return Some(self.addr_size as u64),
                gimli::DW_TAG_array_type => {
                    let elem = self.size_at(self.attr_ref(&e, gimli::DW_AT_type), depth + 1)?;
                    return elem.checked_mul(self.array_count(e.offset())?);
                }
                _ => off = self.attr_ref(&e, gimli::DW_AT_type),
            }
        }
        None
    }

    /// The type's name as its language writes it.
    fn type_name(&self, off: Option<Off>, depth: usize) -> String {
        let Some(o) = off else {
            return "void".into();
        };
        if depth > MAX_DEPTH {
            return "...".into();
        }
        let Ok(e) = self.unit.entry(o) else {
            return "?".into();
        };
        let inner = || self.type_name(self.attr_ref(&e, gimli::DW_AT_type), depth + 1);
        let named = self.name(&e);
        match e.tag() {
            gimli::DW_TAG_pointer_type
            | gimli::DW_TAG_reference_type
            | gimli::DW_TAG_rvalue_reference_type => match named {
                Some(n) => n,
                None if self.rust => format!("*{}", inner()),
                None => format!("{} *", inner()),
            },
            gimli::DW_TAG_const_type => match self.rust {
                true => inner(),
                false => format!("const {}", inner()),
            },
            gimli::DW_TAG_volatile_type => format!("volatile {}", inner()),
            gimli::DW_TAG_restrict_type | gimli::DW_TAG_atomic_type => inner(),
            gimli::DW_TAG_array_type => {
                let n = self.array_count(o).map_or(String::new(), |n| n.to_string());
                match self.rust {
                    true => format!("[{}; {n}]", inner()),
                    false => format!("{} [{n}]", inner()),
                }
            }
            gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type if !self.rust => {
                format!("struct {}", named.unwrap_or_else(|| "{...}".into()))
            }
            gimli::DW_TAG_union_type if !self.rust => {
                format!("union {}", named.unwrap_or_else(|| "{...}".into()))
            }
            gimli::DW_TAG_enumeration_type if !self.rust => {
                format!("enum {}", named.unwrap_or_else(|| "{...}".into()))
            }
            gimli::DW_TAG_subroutine_type => "fn".into(),
            _ => named.unwrap_or_else(|| "?".into()),
        }
    }

    /// A type of the unit named `name` (`struct point`, `int`, a typedef).
    fn find_type(&self, name: &str) -> Option<Off> {
        let (kw, bare) = match name.split_once(' ') {
            Some((k @ ("struct" | "union" | "enum" | "class"), rest)) => (Some(k), rest.trim()),
            _ => (None, name),
        };
        let mut entries = self.unit.entries();
        let mut n = 0usize;
        while let Ok(Some((_, e))) = entries.next_dfs() {
            n += 1;
            if n > 1 << 20 {
                break;
            }
            let ok = match e.tag() {
                gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type => {
                    matches!(kw, None | Some("struct") | Some("class"))
                }
                gimli::DW_TAG_union_type => matches!(kw, None | Some("union")),
                gimli::DW_TAG_enumeration_type => matches!(kw, None | Some("enum")),
                gimli::DW_TAG_base_type | gimli::DW_TAG_typedef => kw.is_none(),
                _ => false,
            };
            if ok
                && self.attr_here(e, gimli::DW_AT_declaration).is_none()
                && self.name(e).as_deref() == Some(bare)
            {
                return Some(e.offset());
            }
        }
        None
    }

    // ---- locations ----------------------------------------------------

    /// Where the variable `e` lives at the frame's pc.
    fn place(&self, e: &DebuggingInformationEntry<Reader>, scope: &Scope) -> Result<Place, String> {
        if let Some(v) = self.attr_here(e, gimli::DW_AT_const_value) {
            return Ok(Place::Bytes(match v {
                AttributeValue::Block(b) => b.to_slice().map(|c| c.to_vec()).unwrap_or_default(),
                v => match v.sdata_value() {
                    Some(s) => s.to_le_bytes().to_vec(),
                    None => v.udata_value().unwrap_or(0).to_le_bytes().to_vec(),
                },
            }));
        }
        let Some(loc) = self.attr_here(e, gimli::DW_AT_location) else {
            return Ok(Place::None("<optimized out>".into()));
        };
        let expr = match loc {
            AttributeValue::Exprloc(x) => x,
            v => {
                let mut it = match self.dwarf.attr_locations(self.unit, v) {
                    Ok(Some(it)) => it,
                    _ => return Ok(Place::None("<optimized out>".into())),
                };
                let pc = self.frame.lookup;
                let mut found = None;
                let mut n = 0;
                while let Ok(Some(l)) = it.next() {
                    if l.range.begin <= pc && pc < l.range.end {
                        found = Some(l.data);
                        break;
                    }
                    n += 1;
                    if n > 4096 {
                        break;
                    }
                }
                match found {
                    Some(x) => x,
                    None => return Ok(Place::None("<optimized out>".into())),
                }
            }
        };
        self.evaluate(expr, scope.subprogram, 0)
    }

    fn reg(&self, n: u16) -> Result<u64, String> {
        let n = n as usize;
        if n >= 32 {
            return Err(format!("<register {n} not supported>"));
        }
        if self.frame.valid & (1 << n) == 0 {
            return Err("<not saved>".into());
        }
        Ok(self.mask(self.frame.regs[n]))
    }

    fn mask(&self, v: u64) -> u64 {
        if self.addr_size == 4 {
            v & 0xffff_ffff
        } else {
            v
        }
    }

    fn read(&self, addr: u64, len: u64) -> Result<Vec<u8>, String> {
        let len = len.min(MAX_READ) as usize;
        let mut b = vec![0; len];
        self.frame
            .mem
            .read_bytes(addr, &mut b)
            .map_err(|_| format!("<unreadable {addr:#x}>"))?;
        Ok(b)
    }

    fn evaluate(
        &self,
        expr: gimli::Expression<Reader>,
        subprogram: Option<Off>,
        nesting: usize,
    ) -> Result<Place, String> {
        let unavailable = || "<optimized out>".to_string();
        let mut ev = expr.evaluation(self.unit.encoding());
        ev.set_max_iterations(10_000);
        let mut r = ev.evaluate().map_err(|_| unavailable())?;
        loop {
            r = match r {
                EvaluationResult::Complete => break,
                EvaluationResult::RequiresRegister { register, .. } => {
                    let v = self.reg(register.0)?;
                    ev.resume_with_register(gimli::Value::Generic(v))
                }
                EvaluationResult::RequiresFrameBase => {
                    let fb = self.frame_base(subprogram, nesting)?;
                    ev.resume_with_frame_base(fb)
                }
                EvaluationResult::RequiresCallFrameCfa => {
                    let cfa = self.frame.cfa.ok_or_else(unavailable)?;
                    ev.resume_with_call_frame_cfa(cfa)
                }
                EvaluationResult::RequiresMemory { address, size, .. } => {
                    let b = self.read(address, size.min(8) as u64)?;
                    let mut w = [0u8; 8];
                    w[..b.len()].copy_from_slice(&b);
                    ev.resume_with_memory(gimli::Value::Generic(u64::from_le_bytes(w)))
                }
                EvaluationResult::RequiresRelocatedAddress(a) => {
                    ev.resume_with_relocated_address(a)
                }
                EvaluationResult::RequiresIndexedAddress { index, .. } => {
                    let a = self
                        .dwarf
                        .address(self.unit, index)
                        .map_err(|_| unavailable())?;
                    ev.resume_with_indexed_address(a)
                }
                EvaluationResult::RequiresBaseType(_) => {
                    ev.resume_with_base_type(gimli::ValueType::Generic)
                }
                _ => return Err(unavailable()),
            }
            .map_err(|_| unavailable())?;
        }
        let pieces = ev.result();
        if let [p] = &pieces[..] {
            if p.size_in_bits.is_none() {
                return Ok(match &p.location {
                    Location::Address { address } => Place::Mem(*address),
                    Location::Empty => Place::None(unavailable()),
                    _ => Place::Bytes(self.piece_bytes(&p.location, None)?),
                });
            }
        }
        let mut bytes = Vec::new();
        for p in &pieces {
            let n = p.size_in_bits.map(|b| b.div_ceil(8));
            let mut b = self.piece_bytes(&p.location, n)?;
            if let Some(n) = n {
                b.resize(n.min(MAX_READ) as usize, 0);
            }
            bytes.extend(b);
            if bytes.len() as u64 > MAX_READ {
                break;
            }
        }
        Ok(Place::Bytes(bytes))
    }

    fn piece_bytes(&self, l: &Location<Reader>, size: Option<u64>) -> Result<Vec<u8>, String> {
        let w = self.addr_size as usize;
        Ok(match l {
            Location::Empty => return Err("<optimized out>".into()),
            Location::Register { register } => self.reg(register.0)?.to_le_bytes()[..w].to_vec(),
            Location::Address { address } => self.read(*address, size.unwrap_or(w as u64))?,
            Location::Value { value } => value
                .to_u64(u64::MAX)
                .map_err(|_| "<optimized out>".to_string())?
                .to_le_bytes()
                .to_vec(),
            Location::Bytes { value } => value.to_slice().map(|c| c.to_vec()).unwrap_or_default(),
            Location::ImplicitPointer { .. } => return Err("<synthetic pointer>".into()),
        })
    }

    fn frame_base(&self, subprogram: Option<Off>, nesting: usize) -> Result<u64, String> {
        let unavailable = || "<optimized out>".to_string();
        if nesting > 2 {
            return Err(unavailable());
        }
        let e = self
            .unit
            .entry(subprogram.ok_or_else(unavailable)?)
            .map_err(|_| unavailable())?;
        let Some(AttributeValue::Exprloc(x)) = self.attr_here(&e, gimli::DW_AT_frame_base) else {
            return Err(unavailable());
        };
        match self.evaluate(x, subprogram, nesting + 1)? {
            Place::Mem(a) => Ok(a),
            Place::Bytes(b) => {
                let mut w = [0u8; 8];
                let n = b.len().min(8);
                w[..n].copy_from_slice(&b[..n]);
                Ok(u64::from_le_bytes(w))
            }
            Place::None(s) => Err(s),
        }
    }

    // ---- values ---------------------------------------------------------

    /// The bytes of `len` bytes at `place` starting `off` bytes in.
    fn bytes(&self, place: &Place, off: u64, len: u64) -> Result<Vec<u8>, String> {
        match place {
            Place::Mem(a) => self.read(a.wrapping_add(off), len),
            Place::Bytes(b) => {
                let s = off as usize;
                let e = s.saturating_add(len as usize);
                b.get(s..e)
                    .map(|x| x.to_vec())
                    .ok_or_else(|| "<optimized out>".to_string())
            }
            Place::None(s) => Err(s.clone()),
        }
    }

    fn sub(&self, place: &Place, off: u64) -> Place {
        match place {
            Place::Mem(a) => Place::Mem(a.wrapping_add(off)),
            Place::Bytes(b) => match b.get(off as usize..) {
                Some(s) => Place::Bytes(s.to_vec()),
                None => Place::None("<optimized out>".into()),
            },
            Place::None(s) => Place::None(s.clone()),
        }
    }

    fn uint(&self, place: &Place, off: u64, size: u64) -> Result<u64, String> {
        let b = self.bytes(place, off, size.min(8))?;
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(&b);
        Ok(u64::from_le_bytes(w))
    }

    fn format_place(&self, place: &Place, ty: Option<Off>) -> String {
        let mut s = String::new();
        self.fmt(place, ty, 0, &mut s);
        if s.len() > MAX_TEXT {
            let mut cut = MAX_TEXT;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push_str("...");
        }
        s
    }

    fn fmt(&self, place: &Place, ty: Option<Off>, nest: usize, out: &mut String) {
        if out.len() > MAX_TEXT {
            return;
        }
        if let Err(e) = self.fmt_inner(place, ty, nest, out) {
            out.push_str(&e);
        }
    }

    fn fmt_inner(
        &self,
        place: &Place,
        ty: Option<Off>,
        nest: usize,
        out: &mut String,
    ) -> Result<(), String> {
        use std::fmt::Write;
        if let Place::None(s) = place {
            return Err(s.clone());
        }
        match self.ty(ty) {
            Ty::Void => out.push_str("<void>"),
            Ty::Unknown => out.push_str("<unknown type>"),
            Ty::Func => out.push_str("<function>"),
            Ty::Base { enc, size } => {
                let raw = self.bytes(place, 0, size.min(16))?;
                out.push_str(&base_value(enc, &raw, self.rust));
            }
            Ty::Ptr { target } => {
                let p = self.uint(place, 0, self.addr_size as u64)?;
                let _ = write!(out, "{p:#x}");
                if let Ty::Base { enc, size: 1 } = self.ty(target) {
                    if matches!(enc, gimli::DW_ATE_signed_char | gimli::DW_ATE_unsigned_char)
                        && p != 0
                    {
                        out.push(' ');
                        out.push_str(&self.c_string(p));
                    }
                }
            }
            Ty::Enum {
                size,
                signed,
                values,
            } => {
                let mut v = self.uint(place, 0, size)? as i64;
                if signed && size < 8 {
                    let sh = 64 - 8 * size as u32;
                    v = (v << sh) >> sh;
                }
                match values.iter().find(|(_, x)| *x == v) {
                    Some((n, _)) => out.push_str(n),
                    None => {
                        let _ = write!(out, "{v}");
                    }
                }
            }
            Ty::Array { elem, count } => {
                let esize = self.size(elem).unwrap_or(0);
                let count = count.unwrap_or(0);
                if let Ty::Base { enc, size: 1 } = self.ty(elem) {
                    if !self.rust
                        && matches!(enc, gimli::DW_ATE_signed_char | gimli::DW_ATE_unsigned_char)
                    {
                        let b = self.bytes(place, 0, count.min(MAX_STRING as u64))?;
                        out.push_str(&quote(&b, count > MAX_STRING as u64));
                        return Ok(());
                    }
                }
                if nest >= MAX_NESTING {
                    out.push_str(if self.rust { "[...]" } else { "{...}" });
                    return Ok(());
                }
                out.push(if self.rust { '[' } else { '{' });
                for i in 0..count.min(MAX_ELEMENTS) {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.fmt(&self.sub(place, i * esize), elem, nest + 1, out);
                }
                if count > MAX_ELEMENTS {
                    out.push_str(", ...");
                }
                out.push(if self.rust { ']' } else { '}' });
            }
            Ty::Struct {
                name,
                members,
                variants,
            } => {
                if self.rust {
                    if let Some(s) = self.rust_special(place, name.as_deref(), &members, nest)? {
                        out.push_str(&s);
                        return Ok(());
                    }
                }
                if let Some(v) = variants {
                    return self.fmt_variant(place, &v, nest, out);
                }
                if nest >= MAX_NESTING {
                    out.push_str("{...}");
                    return Ok(());
                }
                self.fmt_fields(place, name.as_deref(), &members, nest, out);
            }
        }
        Ok(())
    }

    fn fmt_fields(
        &self,
        place: &Place,
        name: Option<&str>,
        members: &[Member],
        nest: usize,
        out: &mut String,
    ) {
        let tuple = self.rust && members.iter().all(|m| m.name.starts_with("__"));
        // Rust tuples are structs named `(A, B)`: printed `(a, b)`.
        let name = name.filter(|n| !(tuple && n.starts_with('(')));
        let (open, close) = match (self.rust, tuple, name) {
            (true, true, _) => ("(", ")"),
            (true, false, Some(_)) => (" { ", " }"),
            _ => ("{", "}"),
        };
        if self.rust {
            if let Some(n) = name {
                out.push_str(n);
                if members.is_empty() {
                    return;
                }
            }
        }
        out.push_str(open);
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if self.rust && !tuple {
                out.push_str(&format!("{}: ", m.name));
            } else if !self.rust {
                out.push_str(&format!("{} = ", m.name));
            }
            self.fmt(&self.sub(place, m.offset), m.ty, nest + 1, out);
        }
        out.push_str(close);
    }

    /// A Rust enum: the variant the discriminant selects, by its name.
    fn fmt_variant(
        &self,
        place: &Place,
        v: &Variants,
        nest: usize,
        out: &mut String,
    ) -> Result<(), String> {
        let arm = match &v.discr {
            Some(d) => {
                let size = self.size(d.ty).unwrap_or(self.addr_size as u64);
                let x = self.uint(place, d.offset, size)?;
                v.arms
                    .iter()
                    .find(|(val, _)| *val == Some(x))
                    .or_else(|| v.arms.iter().find(|(val, _)| val.is_none()))
            }
            None => v.arms.first(),
        };
        let Some((_, m)) = arm else {
            out.push_str("<unknown variant>");
            return Ok(());
        };
        let inner = self.sub(place, m.offset);
        match self.ty(m.ty) {
            Ty::Struct { members, .. } if nest < MAX_NESTING => {
                self.fmt_fields(&inner, Some(&m.name), &members, nest, out)
            }
            _ => out.push_str(&m.name),
        }
        Ok(())
    }

    /// `&str` and `&[T]` (fat pointers: data_ptr and length) as a string
    /// and a list.
    fn rust_special(
        &self,
        place: &Place,
        name: Option<&str>,
        members: &[Member],
        nest: usize,
    ) -> Result<Option<String>, String> {
        let (Some(ptr), Some(len)) = (
            members.iter().find(|m| m.name == "data_ptr"),
            members.iter().find(|m| m.name == "length"),
        ) else {
            return Ok(None);
        };
        let a = self.uint(place, ptr.offset, self.addr_size as u64)?;
        let n = self.uint(place, len.offset, self.addr_size as u64)?;
        let name = name.unwrap_or("");
        if name == "&str" || name == "&mut str" {
            let b = self.read(a, n.min(MAX_STRING as u64))?;
            return Ok(Some(quote(&b, n > MAX_STRING as u64)));
        }
        let elem = match self.ty(ptr.ty) {
            Ty::Ptr { target } => target,
            _ => return Ok(None),
        };
        if nest >= MAX_NESTING {
            return Ok(Some("[...]".into()));
        }
        let esize = self.size(elem).unwrap_or(0);
        let mut s = String::from("[");
        for i in 0..n.min(MAX_ELEMENTS) {
            if i > 0 {
                s.push_str(", ");
            }
            let at = Place::Mem(a.wrapping_add(i.wrapping_mul(esize)));
            self.fmt(&at, elem, nest + 1, &mut s);
        }
        if n > MAX_ELEMENTS {
            s.push_str(", ...");
        }
        s.push(']');
        Ok(Some(s))
    }

    fn c_string(&self, addr: u64) -> String {
        let mut b = Vec::new();
        for i in 0..=MAX_STRING as u64 {
            match self.frame.mem.peek_u8(addr.wrapping_add(i)) {
                Ok(0) => return quote(&b, false),
                Ok(c) if b.len() < MAX_STRING => b.push(c),
                Ok(_) => return quote(&b, true),
                Err(_) if b.is_empty() => return format!("<unreadable {addr:#x}>"),
                Err(_) => return quote(&b, true),
            }
        }
        quote(&b, true)
    }

    // ---- expressions -------------------------------------------------

    fn lookup(&self, name: &str, scopes: &[&Scope]) -> Result<Val, PrintError> {
        for s in scopes {
            for &(off, _, _) in &s.vars {
                let Ok(e) = self.unit.entry(off) else {
                    continue;
                };
                if self.name(&e).as_deref() == Some(name) {
                    let ty = self.attr_ref(&e, gimli::DW_AT_type);
                    let place = self.place(&e, s).unwrap_or_else(Place::None);
                    return Ok(Val::Obj(place, ty));
                }
            }
        }
        // Globals of the unit (at its top level and in namespaces).
        if let Some(off) = self.global(name) {
            let e = self
                .unit
                .entry(off)
                .map_err(|_| PrintError::NoSymbol(name.into()))?;
            let ty = self.attr_ref(&e, gimli::DW_AT_type);
            let place = self
                .place(&e, &Scope::default())
                .unwrap_or_else(Place::None);
            return Ok(Val::Obj(place, ty));
        }
        Err(PrintError::NoSymbol(name.into()))
    }

    /// The global variable `name` of the unit: a `DW_TAG_variable` with a
    /// location outside every function (Rust: in namespaces; a `krate::x`
    /// path names it by its namespaces).
    fn global(&self, name: &str) -> Option<Off> {
        let mut tree = self.unit.entries_tree(None).ok()?;
        let root = tree.root().ok()?;
        let path: Vec<&str> = name.split("::").collect();
        self.global_in(root, &path, 0)
    }

    fn global_in(
        &self,
        node: gimli::EntriesTreeNode<Reader>,
        path: &[&str],
        depth: usize,
    ) -> Option<Off> {
        if depth > 16 {
            return None;
        }
        let mut children = node.children();
        while let Ok(Some(child)) = children.next() {
            let e = child.entry();
            match e.tag() {
                gimli::DW_TAG_variable
                    if path.len() == 1
                        && self.attr_here(e, gimli::DW_AT_location).is_some()
                        && self.name(e).as_deref() == Some(path[0]) =>
                {
                    return Some(e.offset());
                }
                gimli::DW_TAG_namespace | gimli::DW_TAG_module => {
                    let n = self.name(e);
                    // `a::b::x` walks namespaces a and b; a bare name is
                    // looked for in every namespace.
                    let rest = match path {
                        [first, rest @ ..] if !rest.is_empty() && n.as_deref() == Some(*first) => {
                            rest
                        }
                        _ if path.len() == 1 => path,
                        _ => continue,
                    };
                    if let Some(o) = self.global_in(child, rest, depth + 1) {
                        return Some(o);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn eval(&self, ast: &Ast, scopes: &[&Scope]) -> Result<Val, PrintError> {
        let invalid = |s: String| PrintError::Invalid(s);
        Ok(match ast {
            Ast::Name(n) => match self.lookup(n, scopes) {
                Err(PrintError::NoSymbol(_)) => {
                    return Err(PrintError::NoSymbol(n.clone()));
                }
                r => r?,
            },
            Ast::Num(_) | Ast::Reg(_) => {
                return Err(invalid("give a number a type: {TYPE} ADDR".into()));
            }
            Ast::Typed(tname, addr) => {
                let t = self
                    .find_type(tname)
                    .ok_or_else(|| PrintError::NoType(tname.clone()))?;
                let a = self.number(addr, scopes)?;
                Val::Obj(Place::Mem(a), Some(t))
            }
            Ast::Addr(inner) => match self.eval(inner, scopes)? {
                Val::Obj(Place::Mem(a), ty) => Val::Addr(a, ty),
                Val::Obj(..) => return Err(invalid("the value is not in memory".into())),
                Val::Addr(..) => return Err(invalid("the address of an address".into())),
            },
            Ast::Deref(inner) => match self.eval(inner, scopes)? {
                Val::Addr(a, ty) => Val::Obj(Place::Mem(a), ty),
                Val::Obj(place, ty) => self.index(place, ty, 0)?,
            },
            Ast::Index(inner, i) => {
                let i = self.number(i, scopes)?;
                match self.eval(inner, scopes)? {
                    // `(&x)[i]`: the i-th object from x's address.
                    Val::Addr(a, ty) => {
                        let off = i.wrapping_mul(self.size(ty).unwrap_or(0));
                        Val::Obj(Place::Mem(a.wrapping_add(off)), ty)
                    }
                    Val::Obj(place, ty) => self.index(place, ty, i)?,
                }
            }
            Ast::Field(inner, f, arrow) => {
                let v = self.eval(inner, scopes)?;
                let (place, ty) = match (v, arrow) {
                    (Val::Obj(p, t), false) => (p, t),
                    (Val::Obj(p, t), true) => match self.index(p, t, 0)? {
                        Val::Obj(p, t) => (p, t),
                        Val::Addr(..) => unreachable!("index gives objects"),
                    },
                    (Val::Addr(a, t), true) => (Place::Mem(a), t),
                    (Val::Addr(..), false) => {
                        return Err(invalid(format!("an address has no field {f}")))
                    }
                };
                let members = match self.ty(ty) {
                    Ty::Struct { members, .. } => members,
                    Ty::Ptr { .. } => {
                        return Err(invalid(format!("a pointer has no field {f}: use ->")))
                    }
                    _ => return Err(invalid(format!("not a struct: no field {f}"))),
                };
                let m = members
                    .iter()
                    .find(|m| &m.name == f)
                    .ok_or_else(|| invalid(format!("there is no member named {f}")))?;
                Val::Obj(self.sub(&place, m.offset), m.ty)
            }
        })
    }

    /// Element `i` of an array, a pointer's target or a Rust slice.
    fn index(&self, place: Place, ty: Option<Off>, i: u64) -> Result<Val, PrintError> {
        let invalid = |s: &str| PrintError::Invalid(s.into());
        let at = |base: Place, elem: Option<Off>| -> Result<Val, PrintError> {
            let size = self.size(elem).unwrap_or(0);
            let off = i
                .checked_mul(size)
                .ok_or_else(|| invalid("index out of range"))?;
            Ok(Val::Obj(self.sub(&base, off), elem))
        };
        match self.ty(ty) {
            Ty::Array { elem, .. } => at(place, elem),
            Ty::Ptr { target } => {
                let p = self
                    .uint(&place, 0, self.addr_size as u64)
                    .map_err(PrintError::Invalid)?;
                at(Place::Mem(p), target)
            }
            Ty::Struct { members, .. } if self.rust => {
                let (Some(ptr), Some(len)) = (
                    members.iter().find(|m| m.name == "data_ptr"),
                    members.iter().find(|m| m.name == "length"),
                ) else {
                    return Err(invalid("cannot index this type"));
                };
                let n = self
                    .uint(&place, len.offset, self.addr_size as u64)
                    .map_err(PrintError::Invalid)?;
                if i >= n {
                    return Err(PrintError::Invalid(format!(
                        "index {i} is out of bounds of a slice of {n}"
                    )));
                }
                let p = self
                    .uint(&place, ptr.offset, self.addr_size as u64)
                    .map_err(PrintError::Invalid)?;
                match self.ty(ptr.ty) {
                    Ty::Ptr { target } => at(Place::Mem(p), target),
                    _ => Err(invalid("cannot index this type")),
                }
            }
            _ => Err(invalid("cannot index or dereference this type")),
        }
    }

    fn number(&self, ast: &Ast, scopes: &[&Scope]) -> Result<u64, PrintError> {
        match ast {
            Ast::Num(n) => Ok(*n),
            Ast::Reg(r) => {
                let n = register_number(r).ok_or_else(|| PrintError::NoSymbol(format!("${r}")))?;
                self.reg(n as u16).map_err(PrintError::Invalid)
            }
            a => match self.eval(a, scopes)? {
                Val::Addr(a, _) => Ok(a),
                Val::Obj(place, ty) => {
                    let size = self.size(ty).unwrap_or(self.addr_size as u64);
                    self.uint(&place, 0, size).map_err(PrintError::Invalid)
                }
            },
        }
    }
}

fn register_number(name: &str) -> Option<usize> {
    const ABI: [&str; 32] = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6",
    ];
    ABI.iter()
        .position(|r| *r == name)
        .or_else(|| (name == "fp").then_some(8))
        .or_else(|| {
            name.strip_prefix('x')
                .and_then(|d| d.parse::<usize>().ok())
                .filter(|&d| d < 32)
        })
}

/// A base type's value from its little-endian bytes.
fn base_value(enc: gimli::DwAte, raw: &[u8], rust: bool) -> String {
    let size = raw.len();
    let mut w = [0u8; 16];
    w[..size.min(16)].copy_from_slice(&raw[..size.min(16)]);
    let u = u128::from_le_bytes(w);
    let signed = || {
        if size == 0 || size >= 16 {
            return u as i128;
        }
        let sh = 128 - 8 * size as u32;
        ((u << sh) as i128) >> sh
    };
    match enc {
        gimli::DW_ATE_boolean => (if u != 0 { "true" } else { "false" }).into(),
        gimli::DW_ATE_float if size == 4 => format!("{}", f32::from_bits(u as u32)),
        gimli::DW_ATE_float if size == 8 => format!("{}", f64::from_bits(u as u64)),
        gimli::DW_ATE_UTF => match char::from_u32(u as u32) {
            Some(c) => format!("'{}'", c.escape_default()),
            None => format!("{u}"),
        },
        gimli::DW_ATE_signed_char | gimli::DW_ATE_unsigned_char if size == 1 && !rust => {
            let n = if enc == gimli::DW_ATE_signed_char {
                signed()
            } else {
                u as i128
            };
            format!("{n} {}", quote_char(u as u8))
        }
        gimli::DW_ATE_signed | gimli::DW_ATE_signed_char => format!("{}", signed()),
        _ => format!("{u}"),
    }
}

fn quote_char(c: u8) -> String {
    match c {
        0 => "'\\000'".into(),
        b'\'' => "'\\''".into(),
        0x20..=0x7e => format!("'{}'", c as char),
        _ => format!("'\\{c:03o}'"),
    }
}

/// `bytes` as a double-quoted string, `...` after it when cut.
fn quote(bytes: &[u8], cut: bool) -> String {
    let mut s = String::from("\"");
    for &c in bytes {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\{c:03o}")),
        }
    }
    s.push('"');
    if cut {
        s.push_str("...");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_base_values() {
        assert_eq!(
            base_value(gimli::DW_ATE_signed, &[0xff, 0xff, 0xff, 0xff], false),
            "-1"
        );
        assert_eq!(
            base_value(gimli::DW_ATE_unsigned, &[0xff, 0, 0, 0], false),
            "255"
        );
        assert_eq!(base_value(gimli::DW_ATE_signed_char, b"Z", false), "90 'Z'");
        assert_eq!(
            base_value(gimli::DW_ATE_unsigned_char, &[0x81], false),
            "129 '\\201'"
        );
        assert_eq!(base_value(gimli::DW_ATE_boolean, &[1], true), "true");
        assert_eq!(base_value(gimli::DW_ATE_UTF, &[b'x', 0, 0, 0], true), "'x'");
        assert_eq!(
            base_value(gimli::DW_ATE_float, &1.5f64.to_bits().to_le_bytes(), false),
            "1.5"
        );
        assert_eq!(quote(b"a\"b\n\x01", true), "\"a\\\"b\\n\\001\"...");
    }
}
