//! Instructions and values: each computes what the JIT's translation of it computes,
//! on 64-bit locals (integers as themselves, floats by their bits, booleans 0/1,
//! characters as code points, objects as addresses).

use super::code;
use super::thread::Thread;
use super::Interpreted;
use crate::runtime_calls as rc;
use qi_ir::{BinOp, Cmp, Conv, FuncId, Function, Inst, Loc, Operand, Type, Value};
use qi_rt::array::{ARRAY_DATA_OFFSET, ARRAY_LEN_OFFSET};
use qi_rt::object::{Header, FLAGS_OFFSET, FLAG_SHARED};
use qi_rt::record::RECORD_SLOTS_OFFSET;
use std::sync::atomic::Ordering;

/// An exception is pending: leave through the block's unwind edge.
pub struct Raised;

type Step<T> = Result<T, Raised>;

/// Read a value of type `ty` at `addr` (booleans are one byte, characters four).
///
/// # Safety
/// `addr` is a slot of a live object holding a value of type `ty`.
unsafe fn load(addr: usize, ty: &Type) -> u64 {
    // SAFETY: per the caller.
    unsafe {
        match ty {
            Type::Bool => std::ptr::read(addr as *const u8) as u64,
            Type::Char => std::ptr::read(addr as *const u32) as u64,
            _ => std::ptr::read(addr as *const u64),
        }
    }
}

/// Write value `v` of type `ty` at `addr`.
///
/// # Safety
/// `addr` is a slot of a live object holding values of type `ty`.
unsafe fn store(addr: usize, ty: &Type, v: u64) {
    // SAFETY: per the caller.
    unsafe {
        match ty {
            Type::Bool => std::ptr::write(addr as *mut u8, v as u8),
            Type::Char => std::ptr::write(addr as *mut u32, v as u32),
            _ => std::ptr::write(addr as *mut u64, v),
        }
    }
}

fn record_slot(obj: u64, slot: u32) -> usize {
    obj as usize + RECORD_SLOTS_OFFSET as usize + 8 * slot as usize
}

/// `retain v`: count a reference to object `v` (null: nothing).
#[inline(always)]
pub fn retain(v: u64) {
    if v != 0 {
        // SAFETY: the IR retains only live objects it counts a reference to.
        unsafe { qi_rt::qi_retain(v as *mut Header) };
    }
}

/// `release v`: give up a reference to object `v` (null: nothing).
#[inline(always)]
pub fn release(v: u64) {
    if v != 0 {
        // SAFETY: the IR releases only locals that own a reference to a live object.
        unsafe { qi_rt::qi_release(v as *mut Header) };
    }
}

/// The address of element `i` of array `a` of 64-bit elements, `None` when `i` is out of
/// bounds.
#[inline(always)]
fn element_word(a: u64, i: u64) -> Option<usize> {
    // SAFETY: the IR typed `a` as a live array: its length is at `ARRAY_LEN_OFFSET`.
    let len = unsafe { load(a as usize + ARRAY_LEN_OFFSET as usize, &Type::Int) };
    // One unsigned compare rejects negative indices too.
    (i < len).then(|| a as usize + ARRAY_DATA_OFFSET as usize + 8 * i as usize)
}

/// `a[i]` for an array of 64-bit elements, `None` when `i` is out of bounds.
#[inline(always)]
pub fn get_element_word(a: u64, i: u64) -> Option<u64> {
    // SAFETY: a bounds-checked element of a live array of 64-bit elements (the IR's type
    // of `a`, the decoder's choice).
    element_word(a, i).map(|addr| unsafe { load(addr, &Type::Int) })
}

/// `a[i] = v` for an array of 64-bit elements; false when `i` is out of bounds.
#[inline(always)]
pub fn set_element_word(a: u64, i: u64, v: u64) -> bool {
    let Some(addr) = element_word(a, i) else { return false };
    // SAFETY: as for `get_element_word`.
    unsafe { store(addr, &Type::Int, v) };
    true
}

/// `obj.slot` for a slot of 64 bits.
#[inline(always)]
pub fn get_slot(obj: u64, slot: u32) -> u64 {
    // SAFETY: the IR typed `obj` as a live record with this slot, of a 64-bit type (the
    // decoder's choice).
    unsafe { load(record_slot(obj, slot), &Type::Int) }
}

/// `obj.slot = v` for a slot of 64 bits.
#[inline(always)]
pub fn set_slot(obj: u64, slot: u32, v: u64) {
    // SAFETY: as for `get_slot`.
    unsafe { store(record_slot(obj, slot), &Type::Int, v) }
}

impl Interpreted {
    /// The function of a closure: slot 0 of the record holds the address of its entry
    /// (`Value::FuncAddr`, `tiers::Tiering::entry_address`), in both tiers.
    ///
    /// # Safety
    /// `closure` is a live closure record made by this program.
    pub(super) unsafe fn closure_function(&self, closure: u64) -> FuncId {
        // SAFETY: per the caller; slot 0 of every closure record is its entry's address.
        let entry = unsafe { load(closure as usize + RECORD_SLOTS_OFFSET as usize, &Type::Int) };
        self.tiering.function_at(entry)
    }

    #[inline]
    pub(super) fn operand(&self, thread: &Thread, base: usize, op: &Operand) -> u64 {
        match *op {
            Operand::Local(l) => thread.stack[base + l.index()],
            Operand::Int(v) => v as u64,
            Operand::Float(v) => v.to_bits(),
            Operand::Bool(v) => v as u64,
            Operand::Char(c) => c as u64,
            Operand::Str(s) => self.strings[s.index()],
            Operand::Null => 0,
        }
    }

    /// Call a runtime function that does not raise.
    fn rt(&self, f: rc::RtFn, args: &[u64]) -> u64 {
        // SAFETY: the arguments are what the IR gives this operation, as for compiled code.
        unsafe { self.native(f).call(args) }.value
    }

    /// Raise with runtime function `f` (its arguments, then the position).
    fn raise(&self, f: rc::RtFn, args: &[u64], loc: Loc) -> Raised {
        // The values reported go through memory (`qi_rt::exception`).
        let mut all = Vec::new();
        if !args.is_empty() {
            all.push(args.as_ptr() as u64);
        }
        all.extend([loc.file as u64, loc.line as u64]);
        self.rt(f, &all);
        Raised
    }

    pub(crate) fn raise_stack_overflow(&self, loc: Loc) {
        self.raise(rc::RAISE_STACK_OVERFLOW, &[], loc);
    }

    pub(super) fn inst(
        &self,
        thread: &mut Thread,
        f: &Function,
        base: usize,
        inst: &Inst,
        loc: Loc,
    ) -> Step<()> {
        match inst {
            Inst::Assign { dst, value } => {
                let v = self.value(thread, f, base, value, loc)?;
                thread.stack[base + dst.index()] = v;
            }
            Inst::Effect(value) => {
                self.value(thread, f, base, value, loc)?;
            }
            Inst::SetGlobal { global, value } => {
                let v = self.operand(thread, base, value);
                if self.publish_stores && self.module.globals[global.index()].ty.is_rc() {
                    self.rt(rc::PUBLISH, &[v]);
                }
                self.globals[global.index()].store(v, Ordering::Relaxed);
            }
            Inst::Retain(op) => retain(self.operand(thread, base, op)),
            Inst::Release(l) => release(thread.stack[base + l.index()]),
            Inst::SetSlot { obj, slot, value } => {
                let o = self.operand(thread, base, obj);
                let v = self.operand(thread, base, value);
                let ty = f.operand_ty(value);
                if self.publish_stores && ty.is_rc() {
                    self.publish_into(o, v);
                }
                // SAFETY: the IR typed `o` as a live record with this slot of this type.
                unsafe { store(record_slot(o, *slot), &ty, v) };
            }
            Inst::SetIndex { array, index, value, .. } => {
                let a = self.operand(thread, base, array);
                let i = self.operand(thread, base, index);
                let v = self.operand(thread, base, value);
                let elem = f.operand_ty(value);
                if self.publish_stores && elem.is_rc() {
                    self.publish_into(a, v);
                }
                let addr = self.element(a, i, &elem, loc)?;
                // SAFETY: a bounds-checked element of a live array of `elem`.
                unsafe { store(addr, &elem, v) };
            }
        }
        Ok(())
    }

    /// Storing object `v` into `container`: publish it when the container is shared.
    fn publish_into(&self, container: u64, v: u64) {
        // SAFETY: `container` is a live object; its flags byte is at `FLAGS_OFFSET`.
        let flags = unsafe { load(container as usize + FLAGS_OFFSET as usize, &Type::Bool) };
        if flags as u8 & FLAG_SHARED != 0 {
            self.rt(rc::PUBLISH, &[v]);
        }
    }

    /// The address of element `i` of array `a`, bounds-checked.
    fn element(&self, a: u64, i: u64, elem: &Type, loc: Loc) -> Step<usize> {
        // SAFETY: `a` is a live array: its length is at `ARRAY_LEN_OFFSET`.
        let len = unsafe { load(a as usize + ARRAY_LEN_OFFSET as usize, &Type::Int) };
        // One unsigned compare rejects negative indices too.
        if i >= len {
            return Err(self.raise(rc::RAISE_INDEX, &[i, len], loc));
        }
        // Boolean arrays hold one byte per element, all others 8-byte slots.
        let offset = if *elem == Type::Bool { i } else { i << 3 };
        Ok(a as usize + ARRAY_DATA_OFFSET as usize + offset as usize)
    }

    fn value(
        &self,
        thread: &mut Thread,
        f: &Function,
        base: usize,
        value: &Value,
        loc: Loc,
    ) -> Step<u64> {
        Ok(match value {
            Value::Use(op) => self.operand(thread, base, op),
            Value::Unary(op, a) => {
                let a = self.operand(thread, base, a);
                code::PureUnary::of_unary(*op).apply(a)
            }
            Value::Binary(op, a, b) => {
                let (x, y) = (self.operand(thread, base, a), self.operand(thread, base, b));
                self.binary(*op, x, y, loc)?
            }
            Value::Convert(c, a) => {
                let x = self.operand(thread, base, a);
                self.convert(*c, x, loc)?
            }
            Value::Call { .. } | Value::CallIndirect { .. } => {
                unreachable!("{}: calls are made by the frame", f.name)
            }
            Value::Builtin { op, args, loc } => self.builtin(thread, base, *op, args, *loc)?,
            Value::Global(g) => {
                let v = self.globals[g.index()].load(Ordering::Relaxed);
                let ty = &self.module.globals[g.index()].ty;
                // Objects without a zero value are null until the initialiser has run.
                if v == 0 && ty.null_until_initialised() {
                    let name = self.global_names[g.index()];
                    return Err(self.raise(rc::RAISE_UNINIT_GLOBAL, &[name], loc));
                }
                v
            }
            Value::NewArray { elem, len, loc } => {
                let len = self.operand(thread, base, len);
                let kind = rc::array_elem_kind(elem, &self.module.cyclic);
                let args = [len, kind as u64, loc.file as u64, loc.line as u64];
                // SAFETY: a length and an element kind, as compiled code passes them.
                let r = unsafe { self.native(rc::ARRAY_NEW).call(&args) };
                if r.raised {
                    return Err(Raised);
                }
                r.value
            }
            Value::ArrayLen(a) => {
                let a = self.operand(thread, base, a);
                // SAFETY: a live array: its length is at `ARRAY_LEN_OFFSET`.
                unsafe { load(a as usize + ARRAY_LEN_OFFSET as usize, &Type::Int) }
            }
            Value::Index { array, index, elem, .. } => {
                let a = self.operand(thread, base, array);
                let i = self.operand(thread, base, index);
                let addr = self.element(a, i, elem, loc)?;
                // SAFETY: a bounds-checked element of a live array of `elem`.
                unsafe { load(addr, elem) }
            }
            Value::NewRecord(l) => {
                let desc = &*self.descs[l.index()] as *const qi_rt::record::RecordDesc;
                self.rt(rc::RECORD_NEW, &[desc as u64])
            }
            Value::GetSlot { obj, slot, ty } => {
                let o = self.operand(thread, base, obj);
                // SAFETY: the IR typed `o` as a live record with this slot of this type.
                unsafe { load(record_slot(o, *slot), ty) }
            }
            // The address of its entry, which both tiers can call (`closure_function`).
            Value::FuncAddr(func) => self.tiering.entry_address(*func),
            Value::LocalAddr(l) => thread.local_address(base + l.index()),
            Value::GlobalAddr(g) => self.globals[g.index()].as_ptr() as u64,
            Value::CallForeign { func, args, .. } => {
                let args: Vec<u64> = args.iter().map(|a| self.operand(thread, base, a)).collect();
                // Through its generated wrapper (`crate::glue`), with the stack the
                // interpreted frames leave, as a call of compiled code.
                let limit = crate::tiers::compiled_limit(thread);
                match crate::tiers::call_adapter(self.glue().call(*func), &args, limit) {
                    (_, true) => return Err(Raised),
                    (value, false) => value,
                }
            }
            Value::Callback { func, sig } => self.glue().callback(*func, sig) as u64,
        })
    }

    fn binary(&self, op: BinOp, x: u64, y: u64, loc: Loc) -> Step<u64> {
        // One definition of the arithmetic: what cannot raise nor needs the runtime is the
        // decoded form's (a division with a non-zero divisor included).
        if let Some(p) = code::pure_op(op, Some(y)) {
            return Ok(code::pure(p, x, y));
        }
        Ok(match op {
            BinOp::IDiv | BinOp::IRem => return Err(self.raise(rc::RAISE_DIV_ZERO, &[], loc)),
            BinOp::FRem => self.rt(rc::FLOAT_REM, &[x, y]),
            BinOp::SCmp(c) => {
                let ord = self.rt(rc::STR_CMP, &[x, y]) as i64;
                compare(c, ord.cmp(&0)) as u64
            }
            _ => unreachable!("{op:?} is pure"),
        })
    }

    fn convert(&self, c: Conv, x: u64, loc: Loc) -> Step<u64> {
        if let Some(op) = code::PureUnary::of_conversion(c) {
            return Ok(op.apply(x));
        }
        let fx = f64::from_bits(x);
        Ok(match c {
            Conv::FloatToInt => {
                // In range (and not NaN): -2^63 <= x < 2^63, then truncate.
                if !(-9223372036854775808.0..9223372036854775808.0).contains(&fx) {
                    return Err(self.raise(rc::RAISE_FLOAT_TO_INT, &[x], loc));
                }
                fx as i64 as u64
            }
            Conv::BoolToInt | Conv::CharToInt => x,
            Conv::IntToFloat | Conv::FloatToIntSat | Conv::BoolToFloat | Conv::IntToBool => {
                unreachable!("pure: applied above")
            }
            Conv::IntToChar => {
                // A Unicode scalar value: 0..=0x10FFFF without the surrogates.
                if x > 0x10FFFF || (0xD800..0xE000).contains(&x) {
                    return Err(self.raise(rc::RAISE_INT_TO_CHAR, &[x], loc));
                }
                x
            }
        })
    }
}

pub(super) fn compare(c: Cmp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match c {
        Cmp::Eq => o == Equal,
        Cmp::Ne => o != Equal,
        Cmp::Lt => o == Less,
        Cmp::Le => o != Greater,
        Cmp::Gt => o == Greater,
        Cmp::Ge => o != Less,
    }
}
