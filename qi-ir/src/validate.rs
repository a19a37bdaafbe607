//! A well-formedness checker for IR modules: every id in range, every instruction
//! well-typed, no reachable `Unreachable`, exceptional edges only after instructions that
//! can raise. Both tiers trust all of this, so debug builds check the IR a tier is given
//! (`opt::runnable`): as lowered, and again after the optimisations.

use crate::ir::*;
use crate::print;
use std::fmt;

/// What the validator found wrong: a bug in the lowering or in an optimisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidIr {
    /// Which IR: `as lowered`, `after optimisation` (empty when not known).
    pub stage: &'static str,
    /// The function (`f3 名字`); empty for a fault of the module itself.
    pub function: String,
    /// Where and what: `b2[1] \`_3 = 10 / _1\`: …`, `b4 terminator: …`.
    pub detail: String,
    /// The function's IR text (empty for a fault of the module itself).
    pub listing: String,
}

impl fmt::Display for InvalidIr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid IR")?;
        if !self.stage.is_empty() {
            write!(f, " {}", self.stage)?;
        }
        if !self.function.is_empty() {
            write!(f, " in {}", self.function)?;
        }
        write!(f, ": {}", self.detail)?;
        if !self.listing.is_empty() {
            write!(f, "\n{}", self.listing)?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidIr {}

/// Check the whole module; the error names the function, the block and the instruction.
pub fn validate(m: &Module) -> Result<(), InvalidIr> {
    let module_fault = |detail: &str| InvalidIr {
        stage: "",
        function: String::new(),
        detail: detail.into(),
        listing: String::new(),
    };
    if m.main.index() >= m.functions.len() {
        return Err(module_fault(&format!("main {:?} out of range", m.main)));
    }
    let main = &m.functions[m.main.index()];
    if !main.params.is_empty() || main.ret != Type::Void {
        return Err(module_fault("main must take nothing and return 空"));
    }
    for (i, f) in m.functions.iter().enumerate() {
        FnCheck { m, f }.check().map_err(|detail| InvalidIr {
            stage: "",
            function: format!("f{i} {}", f.name),
            detail,
            listing: print::function_text(m, FuncId(i as u32)),
        })?;
    }
    Ok(())
}

struct FnCheck<'a> {
    m: &'a Module,
    f: &'a Function,
}

/// The type of an operand; `None` for `Null` (fits any object type).
type OpTy = Option<Type>;

/// Not an error: the value of a channel or future builtin, whose type depends on an
/// element type only the checker knows (its arguments are not checked here).
const ELEMENT_TYPED: &str = "element-typed builtin";

impl FnCheck<'_> {
    fn check(&self) -> Result<(), String> {
        let f = self.f;
        if f.blocks.is_empty() {
            return Err("no blocks".into());
        }
        if f.params.len() > f.locals.len() {
            return Err("fewer locals than parameters".into());
        }
        for (i, p) in f.params.iter().enumerate() {
            if &f.locals[i].ty != p {
                return Err(format!(
                    "parameter {i} has type {p} but local _{i} is {}",
                    f.locals[i].ty
                ));
            }
            if *p == Type::Void {
                return Err(format!("parameter {i} is 空"));
            }
        }
        for (bi, b) in f.blocks.iter().enumerate() {
            for (ii, inst) in b.insts.iter().enumerate() {
                self.inst(inst).map_err(|e| {
                    format!("b{bi}[{ii}] `{}`: {e}", print::inst_text(self.m, inst))
                })?;
            }
            self.term(&b.term).map_err(|e| format!("b{bi} terminator: {e}"))?;
            if let Some(u) = b.unwind {
                self.block(u.to).map_err(|e| format!("b{bi} unwind: {e}"))?;
                // Only the last instruction has the exceptional edge, so it must be one
                // that can raise (the lowering ends a block after each of those).
                match b.insts.last() {
                    Some(last) if last.can_throw(f) => {}
                    Some(last) => {
                        return Err(format!(
                        "b{bi} has an unwind edge but its last instruction cannot raise: {last:?}"
                    ))
                    }
                    None => return Err(format!("b{bi} has an unwind edge but no instructions")),
                }
                if u.to.index() == bi {
                    return Err(format!("b{bi} unwinds to itself"));
                }
            }
        }
        // No reachable block may have been left unfinished. The lowering does use
        // `unreachable` on purpose for an impossible branch (the fall-through of a `匹配`
        // that covers every enum variant): an empty block entered only by branches. And
        // the code after an instruction that always raises (`抛出`, raising a caught
        // exception again) is never reached: a block's normal successors count only when
        // none of its instructions always raises; its exceptional edge always counts.
        let falls_through = |b: &Block| !b.insts.iter().any(always_raises);
        let mut seen = vec![false; f.blocks.len()];
        let mut stack = vec![0usize];
        while let Some(b) = stack.pop() {
            if std::mem::replace(&mut seen[b], true) {
                continue;
            }
            let blk = &f.blocks[b];
            if falls_through(blk) {
                stack.extend(blk.term.successors().map(|s| s.index()));
            }
            stack.extend(blk.unwind.map(|u| u.to.index()));
        }
        for (b, blk) in f.blocks.iter().enumerate() {
            if !seen[b] || !matches!(blk.term, Terminator::Unreachable) {
                continue;
            }
            let entered_by_jump = f.blocks.iter().enumerate().any(|(p, pb)| {
                seen[p]
                    && ((falls_through(pb)
                        && matches!(pb.term, Terminator::Jump(t) if t.index() == b))
                        || pb.unwind.is_some_and(|u| u.to.index() == b))
            });
            if b == 0 || !blk.insts.is_empty() || entered_by_jump {
                return Err(format!(
                    "b{b} is reachable but was left unfinished (ends in `unreachable`)"
                ));
            }
        }
        Ok(())
    }

    fn local(&self, l: LocalId) -> Result<&Type, String> {
        self.f
            .locals
            .get(l.index())
            .map(|d| &d.ty)
            .ok_or_else(|| format!("local _{} out of range ({} locals)", l.0, self.f.locals.len()))
    }

    fn block(&self, b: BlockId) -> Result<(), String> {
        if b.index() < self.f.blocks.len() {
            Ok(())
        } else {
            Err(format!("block b{} out of range ({} blocks)", b.0, self.f.blocks.len()))
        }
    }

    fn operand(&self, op: &Operand) -> Result<OpTy, String> {
        Ok(Some(match op {
            Operand::Local(l) => self.local(*l)?.clone(),
            Operand::Int(_) => Type::Int,
            Operand::Float(_) => Type::Float,
            Operand::Bool(_) => Type::Bool,
            Operand::Char(c) => {
                if char::from_u32(*c).is_none() {
                    return Err(format!("char operand {c:#x} is not a Unicode scalar"));
                }
                Type::Char
            }
            Operand::Str(s) => {
                if s.index() >= self.m.strings.len() {
                    return Err(format!("string s{} out of range", s.0));
                }
                Type::Str
            }
            Operand::Null => return Ok(None),
        }))
    }

    /// The operand must have type `want` (`Null` fits object types).
    fn expect(&self, op: &Operand, want: &Type) -> Result<(), String> {
        match self.operand(op)? {
            None if want.is_rc() => Ok(()),
            Some(t) if self.fits(&t, want) => Ok(()),
            got => Err(format!("operand {op:?} has type {got:?}, expected {want}")),
        }
    }

    fn value(&self, v: &Value) -> Result<OpTy, String> {
        use Type::*;
        Ok(Some(match v {
            Value::Use(op) => return self.operand(op),
            Value::Unary(op, a) => {
                let t = match op {
                    UnOp::INeg => Int,
                    UnOp::FNeg => Float,
                    UnOp::Not => Bool,
                };
                self.expect(a, &t)?;
                t
            }
            Value::Binary(op, a, b) => {
                let (operand, result) = match op {
                    BinOp::IAdd
                    | BinOp::ISub
                    | BinOp::IMul
                    | BinOp::IDiv
                    | BinOp::IRem
                    | BinOp::IAnd
                    | BinOp::IOr
                    | BinOp::IXor
                    | BinOp::IShl
                    | BinOp::IShr => (Int, Int),
                    BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv | BinOp::FRem => {
                        (Float, Float)
                    }
                    BinOp::ICmp(c) => {
                        // Objects compare by address, for a null test (`选项<对象>` is a
                        // nullable pointer).
                        let (ta, tb) = (self.operand(a)?, self.operand(b)?);
                        match (ta, tb) {
                            (Some(t), None) | (None, Some(t))
                                if t.is_rc() && matches!(c, Cmp::Eq | Cmp::Ne) =>
                            {
                                return Ok(Some(Bool));
                            }
                            (Some(t), _) if int_like(&t) => (t, Bool),
                            (t, _) => return Err(format!("ICmp on {t:?}")),
                        }
                    }
                    BinOp::FCmp(_) => (Float, Bool),
                    BinOp::SCmp(_) => (Str, Bool),
                };
                self.expect(a, &operand)?;
                self.expect(b, &operand)?;
                result
            }
            Value::Convert(c, a) => {
                let (from, to) = match c {
                    Conv::IntToFloat => (Int, Float),
                    Conv::FloatToInt | Conv::FloatToIntSat => (Float, Int),
                    Conv::BoolToInt => (Bool, Int),
                    Conv::BoolToFloat => (Bool, Float),
                    Conv::IntToBool => (Int, Bool),
                    Conv::CharToInt => (Char, Int),
                    Conv::IntToChar => (Int, Char),
                };
                self.expect(a, &from)?;
                to
            }
            Value::Call { func, args, .. } => {
                let callee = self
                    .m
                    .functions
                    .get(func.index())
                    .ok_or_else(|| format!("call of f{} out of range", func.0))?;
                if args.len() != callee.params.len() {
                    return Err(format!(
                        "call of {} with {} arguments, it takes {}",
                        callee.name,
                        args.len(),
                        callee.params.len()
                    ));
                }
                for (a, p) in args.iter().zip(&callee.params) {
                    self.expect(a, p)?;
                }
                callee.ret.clone()
            }
            Value::LocalAddr(l) => {
                if l.index() >= self.f.locals.len() {
                    return Err(format!("address of _{} out of range", l.0));
                }
                Ptr
            }
            Value::Callback { func, .. } => {
                if func.index() >= self.m.functions.len() {
                    return Err(format!("callback of f{} out of range", func.0));
                }
                Ptr
            }
            Value::GlobalAddr(g) => {
                if g.index() >= self.m.globals.len() {
                    return Err(format!("address of g{} out of range", g.0));
                }
                Ptr
            }
            Value::CallForeign { func, args, .. } => {
                let callee = self
                    .m
                    .foreign
                    .functions
                    .get(func.index())
                    .ok_or_else(|| format!("foreign call of c{} out of range", func.0))?;
                if args.len() != callee.params.len() {
                    return Err(format!(
                        "foreign call of {} with {} arguments",
                        callee.name,
                        args.len()
                    ));
                }
                for (a, p) in args.iter().zip(&callee.params) {
                    self.expect(a, &p.qi_type())?;
                }
                callee.ret.qi_type()
            }
            Value::Builtin { op, args, .. } => {
                // Channel and future builtins are typed by their element type, which
                // the checker knows; here only their arity is not checked.
                let (Some(params), Some(result)) = (op.params(), op.result()) else {
                    return Err(ELEMENT_TYPED.into());
                };
                if args.len() != params.len() {
                    return Err(format!("builtin {op:?} with {} arguments", args.len()));
                }
                for (a, p) in args.iter().zip(params) {
                    self.expect(a, p)?;
                }
                result
            }
            Value::Global(g) => self
                .m
                .globals
                .get(g.index())
                .ok_or_else(|| format!("global g{} out of range", g.0))?
                .ty
                .clone(),
            Value::NewArray { elem, len, .. } => {
                self.expect(len, &Int)?;
                if *elem == Void {
                    return Err("array of 空".into());
                }
                Array(Box::new(elem.clone()))
            }
            Value::ArrayLen(a) => {
                match self.operand(a)? {
                    Some(Array(_)) => {}
                    t => return Err(format!("ArrayLen of {t:?}")),
                }
                Int
            }
            Value::Index { array, index, elem, .. } => {
                self.expect(array, &Array(Box::new(elem.clone())))?;
                self.expect(index, &Int)?;
                elem.clone()
            }
            Value::NewRecord(l) => {
                if l.index() >= self.m.layouts.len() {
                    return Err(format!("layout L{} out of range", l.0));
                }
                // Its type is the one of the slot it goes to (a struct, boxed enum or closure).
                return Ok(None);
            }
            Value::GetSlot { obj, slot, ty } => {
                if let Some(want) = self.slot_ty(obj, *slot)? {
                    if &want != ty {
                        return Err(format!("slot {slot} has type {want}, read as {ty}"));
                    }
                }
                ty.clone()
            }
            Value::FuncAddr(f) => {
                if f.index() >= self.m.functions.len() {
                    return Err(format!("address of f{} out of range", f.0));
                }
                // A code address is a machine word (slot 0 of a closure is an 整数 slot).
                Int
            }
            Value::CallIndirect { callee, args, ret, .. } => {
                match self.operand(callee)? {
                    Some(Fn(ft)) => {
                        if args.len() != ft.params.len() {
                            return Err(format!(
                                "indirect call with {} arguments, the function takes {}",
                                args.len(),
                                ft.params.len()
                            ));
                        }
                        for (a, p) in args.iter().zip(&ft.params) {
                            self.expect(a, p)?;
                        }
                        if &ft.ret != ret {
                            return Err(format!(
                                "indirect call returning {ret}, the function returns {}",
                                ft.ret
                            ));
                        }
                    }
                    t => return Err(format!("indirect call of {t:?}")),
                }
                ret.clone()
            }
        }))
    }

    /// The type of slot `slot` of the record `obj`, when its layout is known from its type.
    fn slot_ty(&self, obj: &Operand, slot: u32) -> Result<Option<Type>, String> {
        let layout = match self.operand(obj)? {
            Some(Type::Struct(s)) => {
                let def = self
                    .m
                    .structs
                    .get(s.id.index())
                    .ok_or_else(|| format!("struct {} out of range", s.id.0))?;
                def.layout
            }
            Some(t @ (Type::Fn(_) | Type::Enum { boxed: true, .. })) => {
                let _ = t;
                return Ok(None);
            }
            t => return Err(format!("slot access on {t:?}")),
        };
        let l = self
            .m
            .layouts
            .get(layout.index())
            .ok_or_else(|| format!("layout L{} out of range", layout.0))?;
        match l.slots.get(slot as usize) {
            Some(s) => Ok(Some(s.ty.clone())),
            None => Err(format!("slot {slot} out of range ({} slots)", l.slots.len())),
        }
    }

    fn inst(&self, inst: &Inst) -> Result<(), String> {
        match inst {
            Inst::Assign { dst, value } => {
                let want = self.local(*dst)?.clone();
                let got = match self.value(value) {
                    Err(e) if e == ELEMENT_TYPED => return Ok(()),
                    got => got?,
                };
                match got {
                    None if want.is_rc() => Ok(()),
                    Some(t) if self.fits(&t, &want) && t != Type::Void => Ok(()),
                    got => Err(format!("assigning {got:?} to _{} of type {want}", dst.0)),
                }
            }
            Inst::Effect(v) => match self.value(v) {
                Err(e) if e == ELEMENT_TYPED => Ok(()),
                r => r.map(|_| ()),
            },
            Inst::SetGlobal { global, value } => {
                let g = self
                    .m
                    .globals
                    .get(global.index())
                    .ok_or_else(|| format!("global g{} out of range", global.0))?;
                self.expect(value, &g.ty)
            }
            Inst::Retain(op) => match self.operand(op)? {
                None => Ok(()),
                Some(t) if t.is_rc() => Ok(()),
                Some(t) => Err(format!("retain of a {t}")),
            },
            Inst::Release(l) => {
                let t = self.local(*l)?;
                if t.is_rc() {
                    Ok(())
                } else {
                    Err(format!("release of _{} of type {t}", l.0))
                }
            }
            Inst::SetSlot { obj, slot, value } => match self.slot_ty(obj, *slot)? {
                Some(t) => self.expect(value, &t),
                None => self.operand(value).map(|_| ()),
            },
            Inst::SetIndex { array, index, value, .. } => {
                let elem = match self.operand(array)? {
                    Some(Type::Array(e)) => *e,
                    t => return Err(format!("SetIndex on {t:?}")),
                };
                self.expect(index, &Type::Int)?;
                self.expect(value, &elem)
            }
        }
    }

    fn term(&self, t: &Terminator) -> Result<(), String> {
        match t {
            Terminator::Jump(b) => self.block(*b),
            Terminator::Branch { cond, then_to, else_to } => {
                self.expect(cond, &Type::Bool)?;
                self.block(*then_to)?;
                self.block(*else_to)
            }
            Terminator::Return(None) if self.f.ret == Type::Void => Ok(()),
            Terminator::Return(Some(op)) if self.f.ret != Type::Void => {
                self.expect(op, &self.f.ret)
            }
            Terminator::Return(r) => {
                Err(format!("return {r:?} from a function returning {}", self.f.ret))
            }
            Terminator::Unwind | Terminator::Unreachable => Ok(()),
        }
    }
}

impl FnCheck<'_> {
    /// Can a value of type `have` go where `want` is expected? Equal types (a payload-less
    /// enum is its tag, an `整数`), or an object `T` for a `选项<T>` represented as a
    /// nullable pointer (`有(x)` is `x` itself, `无` is null).
    fn fits(&self, have: &Type, want: &Type) -> bool {
        same(have, want)
            || self.niche_payload(want).is_some_and(|t| same(have, &t))
            || self.niche_payload(have).is_some_and(|t| same(&t, want))
    }

    /// The object type `T` of a `选项<T>` that may be represented as a nullable pointer.
    fn niche_payload(&self, t: &Type) -> Option<Type> {
        let Type::Enum { e, .. } = t else { return None };
        let def = self.m.enums.get(e.id.index())?;
        match def.variants.as_slice() {
            [some, none]
                if def.name.starts_with("选项")
                    && none.payload.is_empty()
                    && some.payload.len() == 1
                    && some.payload[0].is_rc() =>
            {
                Some(some.payload[0].clone())
            }
            _ => None,
        }
    }
}

/// Does executing this instruction always raise (so that what follows it is dead)?
pub fn always_raises(inst: &Inst) -> bool {
    let value = match inst {
        Inst::Assign { value, .. } | Inst::Effect(value) => value,
        _ => return false,
    };
    matches!(
        value,
        Value::Builtin { op: Builtin::Throw | Builtin::ThrowCaused | Builtin::ExcRethrow, .. }
    )
}

/// Equal types, where a payload-less enum is its tag and a pointer its address, an `整数`.
fn same(a: &Type, b: &Type) -> bool {
    let tag = |t: &Type| {
        if matches!(t, Type::Enum { boxed: false, .. } | Type::Ptr) {
            Type::Int
        } else {
            t.clone()
        }
    };
    tag(a) == tag(b)
}

/// Types compared by `ICmp`: integers, booleans, characters and payload-less enum tags.
fn int_like(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Bool | Type::Char | Type::Ptr | Type::Enum { boxed: false, .. })
}
