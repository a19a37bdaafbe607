//! Translation of one IR function into Cranelift IR.
//!
//! Every IR local becomes a Cranelift `Variable`, so the SSA form is rebuilt by
//! `cranelift-frontend`; IR blocks map one-to-one onto Cranelift blocks. Calls into the
//! runtime go through the `RtFn` table.

use crate::runtime_calls::{self, clif_type, RtFn};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self as clif, types, InstBuilder, MemFlagsData, TrapCode};
use cranelift_frontend::{FunctionBuilder, Variable};
use qi_ir::{BinOp, Cmp, Conv, Inst, Operand, Terminator, Type, UnOp, Value};
use std::collections::HashMap;

mod osr;
mod select;
#[cfg(test)]
mod shape_tests;

/// What a function body needs from the module being built.
pub trait Linker {
    /// A reference, usable in the current function, to a Qi function.
    fn qi_func(&mut self, b: &mut FunctionBuilder, f: qi_ir::FuncId) -> clif::FuncRef;
    /// A reference to a runtime function.
    fn rt_func(&mut self, b: &mut FunctionBuilder, f: RtFn) -> clif::FuncRef;
    /// Address of a literal string object (immortal).
    fn str_literal(&mut self, s: qi_ir::StrId) -> i64;
    /// Address of a global's 8-byte slot.
    fn global_slot(&mut self, g: qi_ir::GlobalId) -> i64;
    /// Address of the runtime descriptor of a record layout.
    fn record_desc(&mut self, l: qi_ir::LayoutId) -> i64;
    /// Address of a string object holding a global's name (for error messages).
    fn global_name(&mut self, g: qi_ir::GlobalId) -> i64;
    /// Address of a C function of an `外部` block (resolved before the program runs).
    fn foreign_addr(&mut self, f: qi_ir::ForeignId) -> i64;
    /// The address of the C-convention trampoline through which C calls Qi function `f`
    /// with signature `sig` (made on first use).
    fn callback(
        &mut self,
        b: &mut FunctionBuilder,
        f: qi_ir::FuncId,
        sig: &qi_ir::CallbackSig,
    ) -> clif::Value;
    /// Call Qi function `f` with `args` (all functions compiled together: directly).
    fn call_qi(
        &mut self,
        b: &mut FunctionBuilder,
        f: qi_ir::FuncId,
        args: &[clif::Value],
    ) -> clif::Inst {
        let fref = self.qi_func(b, f);
        b.ins().call(fref, args)
    }
    /// What a closure of function `f` holds in slot 0 (`Value::FuncAddr`): here its code.
    fn func_value(&mut self, b: &mut FunctionBuilder, f: qi_ir::FuncId) -> clif::Value {
        let fref = self.qi_func(b, f);
        b.ins().func_addr(types::I64, fref)
    }
    /// The code to call for a closure whose slot 0 holds `slot0` (here: that code).
    fn closure_code(&mut self, _b: &mut FunctionBuilder, slot0: clif::Value) -> clif::Value {
        slot0
    }
}

pub struct Translator<'a, 'b, L: Linker> {
    pub module: &'a qi_ir::Module,
    pub func: &'a qi_ir::Function,
    pub b: FunctionBuilder<'b>,
    pub linker: &'a mut L,
    pub(crate) vars: Vec<Variable>,
    /// Locals whose address is taken (`&变量`) live in a stack slot instead of a variable.
    slots: Vec<Option<clif::StackSlot>>,
    blocks: Vec<clif::Block>,
    /// Publish objects stored into globals and shared objects (the program has green
    /// threads; see docs/CONCURRENCY.md).
    publish_stores: bool,
    /// While translating a block's raising last instruction: where a raise goes, and the
    /// source position to report.
    pub(crate) unwind: Option<(clif::Block, qi_ir::Loc)>,
    /// On-stack replacement: translate a variant entered at this block, whose one
    /// parameter is the address of the interpreted frame's locals (`osr_signature`).
    pub osr_entry: Option<qi_ir::BlockId>,
    /// The runtime functions this function references so far: one import each, however
    /// many calls (a fresh import per call costs Cranelift a signature each).
    rt_refs: HashMap<&'static str, clif::FuncRef>,
    /// The entry block's zero of each machine type, shared by every local it
    /// initialises: one constant instead of one per local (Cranelift pays for each
    /// instruction until its optimiser merges equal constants).
    entry_zeros: Vec<(clif::Type, clif::Value)>,
    /// Per IR block: the header of the innermost loop it lies in, if that loop contains no
    /// other loop (`qi_ir::cfg::innermost_loop_headers`).
    loop_of: Vec<Option<usize>>,
    /// Per IR block: the header of an innermost loop that only tests the loop's
    /// condition, copied in place of the jumps that close the loop (`rotated_headers`).
    rotated: Vec<bool>,
    /// Per IR block: the select its branch is translated as (`select::selects`).
    selects: Vec<Option<select::Select>>,
    /// Per IR block: an on-stack-replacement variant never runs it (`osr`).
    skeleton: Vec<bool>,
    /// An on-stack-replacement variant's entry condition that is never true: what the
    /// skeleton's branches test.
    never: Option<clif::Value>,
    /// Where raise paths store the values they report (`raise_unless`).
    raise_slot: Option<clif::StackSlot>,
}

/// The signature of a function's on-stack-replacement variant: the address of the
/// locals array in, the function's result and status out.
pub fn osr_signature(
    f: &qi_ir::Function,
    call_conv: cranelift_codegen::isa::CallConv,
) -> clif::Signature {
    let mut sig = crate::qi_signature(f, call_conv);
    sig.params = vec![clif::AbiParam::new(types::I64)];
    sig
}

/// Offsets into runtime objects (kept in step with `qi-rt`'s layout constants).
const ARRAY_LEN: i32 = qi_rt::array::ARRAY_LEN_OFFSET;
const ARRAY_DATA: i32 = qi_rt::array::ARRAY_DATA_OFFSET;
const RECORD_SLOTS: i32 = qi_rt::record::RECORD_SLOTS_OFFSET;
const RC: i32 = qi_rt::object::RC_OFFSET;
const FLAGS: i32 = qi_rt::object::FLAGS_OFFSET;

/// Flags for loading an array's length: it never changes after the array is made, so
/// loads of it can be shared. (Not `can_move`: a movable load may be scheduled after a
/// release that frees the array.)
fn length_flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

pub(crate) fn slot_offset(slot: u32) -> i32 {
    RECORD_SLOTS + 8 * slot as i32
}

impl<'a, 'b, L: Linker> Translator<'a, 'b, L> {
    pub fn new(
        module: &'a qi_ir::Module,
        func: &'a qi_ir::Function,
        b: FunctionBuilder<'b>,
        linker: &'a mut L,
        publish_stores: bool,
    ) -> Self {
        Translator {
            module,
            func,
            b,
            linker,
            vars: Vec::new(),
            slots: Vec::new(),
            blocks: Vec::new(),
            publish_stores,
            unwind: None,
            osr_entry: None,
            rt_refs: HashMap::new(),
            entry_zeros: Vec::new(),
            loop_of: Vec::new(),
            rotated: Vec::new(),
            selects: Vec::new(),
            skeleton: Vec::new(),
            never: None,
            raise_slot: None,
        }
    }

    pub fn translate(mut self, frontend: cranelift_codegen::isa::TargetFrontendConfig) {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.blocks = self.func.blocks.iter().map(|_| self.b.create_block()).collect();
        // Exception paths (landings, the handlers they lead to, the function's unwind
        // block) are cold: translated last, so that the hot code's layout — and with it
        // register allocation — is what it would be without them.
        let cold = exception_paths(self.func);
        self.loop_of = qi_ir::cfg::innermost_loop_headers(self.func);
        self.rotated = rotated_headers(self.func, &self.loop_of, &cold);
        for (i, c) in cold.iter().enumerate() {
            if *c {
                self.b.set_cold_block(self.blocks[i]);
            }
        }
        self.b.switch_to_block(entry);
        let params: Vec<clif::Value> = self.b.block_params(entry).to_vec();
        let addressed = self.func.address_taken();
        let first = self.osr_entry.map_or(0, |b| b.index());
        let reached = match self.osr_entry {
            Some(_) => osr::reachable_from(self.func, first),
            None => vec![true; self.func.blocks.len()],
        };
        self.skeleton = reached.iter().map(|r| !r).collect();
        let read = osr::read_in(self.func, &reached);
        // The frame's objects first: a value loaded before one of these calls would be
        // live across it, and so kept in a callee-saved register or spilled.
        let objects: Vec<Option<clif::Value>> = (self.func.locals.iter().enumerate())
            .map(|(i, local)| {
                let wanted = self.osr_entry.is_some() && read[i] && local.ty.is_rc();
                (wanted && !addressed[i]).then(|| {
                    let slot = self.b.ins().iadd_imm_s(params[0], 8 * i as i64);
                    self.call_rt(runtime_calls::OSR_OBJECT, &[slot]).expect("has a result")
                })
            })
            .collect();
        for (i, local) in self.func.locals.iter().enumerate() {
            // `空` locals never hold a value; give them a harmless integer slot.
            let ty = clif_type(&local.ty).unwrap_or(types::I64);
            let var = self.b.declare_var(ty);
            let init = match (self.osr_entry, objects[i]) {
                // Every piece of the frame's state that the variant reads is in its locals
                // (the low bytes of each 64-bit word for narrow types, little-endian targets).
                (Some(_), Some(object)) => object,
                (Some(_), None) if !read[i] => self.entry_zero(ty),
                (Some(_), None) => {
                    self.b.ins().load(ty, MemFlagsData::trusted(), params[0], 8 * i as i32)
                }
                (None, _) if i < self.func.params.len() => params[i],
                (None, _) => self.entry_zero(ty),
            };
            self.b.def_var(var, init);
            self.vars.push(var);
            let slot = addressed[i].then(|| {
                // 8 bytes whatever the type: C may write a whole 64-bit word there.
                let data = clif::StackSlotData::new(clif::StackSlotKind::ExplicitSlot, 8, 3);
                let slot = self.b.create_sized_stack_slot(data);
                let wide = self.entry_zero(types::I64);
                self.b.ins().stack_store(types::I64, wide, slot, 0);
                self.b.ins().stack_store(types::I64, init, slot, 0);
                slot
            });
            self.slots.push(slot);
        }
        // An on-stack-replacement variant continues a frame that was checked on entry
        // and owns its locals: raising there would leak them (its callees check).
        if calls_functions(self.func) && self.osr_entry.is_none() {
            self.stack_check();
        }
        let preds = predecessor_counts(self.func, &[0, first][usize::from(first == 0)..]);
        let merged = merged_into_predecessor(self.func, &preds, first, &cold);
        let excluded: Vec<bool> =
            (0..cold.len()).map(|i| cold[i] || self.rotated[i] || i == first).collect();
        self.selects = select::selects(self.func, &self.loop_of, &preds, &excluded, &addressed);
        let folded = select::folded(self.func, &self.selects);
        if first != 0 {
            // Never taken (the frame's address is not null), but it makes Cranelift's
            // block order — a depth-first walk from the entry, first successor first —
            // that of the whole function: entered at `first` alone, the walk put the
            // rest of the loop nest between an inner loop's header and its body, and
            // the register allocator, which estimates loop depth from that order, spilled
            // the inner loop's counters (fannkuch's swap loop).
            let null = self.b.ins().icmp_imm_u(IntCC::Equal, params[0], 0);
            self.b.ins().brif(null, self.blocks[0], &[], self.blocks[first], &[]);
            self.never = Some(null);
        } else if merged[first] {
            self.translate_chain(first, &merged);
        } else {
            self.b.ins().jump(self.blocks[first], &[]);
        }
        let order = (0..self.func.blocks.len())
            .filter(|i| !cold[*i])
            .chain((0..cold.len()).filter(|i| cold[*i]))
            .filter(|i| !merged[*i] && !folded[*i]);
        for i in order {
            self.b.switch_to_block(self.blocks[i]);
            self.translate_chain(i, &merged);
        }
        self.b.seal_all_blocks();
        self.b.finalize(frontend);
    }

    /// Translate IR block `i` into the current Cranelift block, then the chain of blocks
    /// that follow it (`merged`: each jumped to only by the one before). One Cranelift
    /// block instead of several: fewer blocks to lay out and allocate registers in.
    fn translate_chain(&mut self, mut i: usize, merged: &[bool]) {
        if self.skeleton[i] {
            return self.skeleton_chain(i, merged);
        }
        loop {
            let block = &self.func.blocks[i];
            let last = block.insts.len().wrapping_sub(1);
            for (k, inst) in block.insts.iter().enumerate() {
                self.unwind =
                    block.unwind.filter(|_| k == last).map(|u| (self.blocks[u.to.index()], u.loc));
                self.inst(inst);
            }
            self.unwind = None;
            match block.term {
                Terminator::Jump(to) if merged[to.index()] => i = to.index(),
                _ => break,
            }
        }
        match self.selects[i] {
            Some(s) => self.select(i, s),
            None => self.end_block(i),
        }
    }

    /// The chain of IR blocks from `i` in an on-stack-replacement variant that never
    /// runs them (`osr`): only the edges `translate_chain` would end it with, no
    /// instructions. Its assignments would make each local they set a block parameter of
    /// every loop header on the way to the loop entered, joining the frame's value with
    /// another.
    fn skeleton_chain(&mut self, mut i: usize, merged: &[bool]) {
        while let Terminator::Jump(to) = self.func.blocks[i].term {
            if !merged[to.index()] {
                break;
            }
            i = to.index();
        }
        // A select ends as its arm would; a jump closing a rotated loop, as its header.
        if let Some(s) = self.selects[i] {
            i = s.arm;
        }
        let term = match self.func.blocks[i].term {
            Terminator::Jump(to)
                if self.rotated[to.index()] && self.loop_of[i] == Some(to.index()) =>
            {
                &self.func.blocks[to.index()].term
            }
            ref t => t,
        };
        let never = self.never.expect("only an OSR variant has skeleton blocks");
        match *term {
            Terminator::Jump(to) => {
                self.b.ins().jump(self.blocks[to.index()], &[]);
            }
            Terminator::Branch { then_to, else_to, .. } => {
                let (t, e) = (self.blocks[then_to.index()], self.blocks[else_to.index()]);
                self.b.ins().brif(never, t, &[], e, &[]);
            }
            Terminator::Return(_) | Terminator::Unwind | Terminator::Unreachable => {
                self.b.ins().trap(TrapCode::unwrap_user(2));
            }
        }
    }

    /// End the Cranelift block with IR block `i`'s terminator.
    fn end_block(&mut self, i: usize) {
        match self.func.blocks[i].term {
            // Loop rotation: the jump back to the loop's test becomes the test itself, so
            // an iteration ends in one branch back into the body instead of a jump to the
            // header and a branch from there.
            Terminator::Jump(to)
                if self.rotated[to.index()] && self.loop_of[i] == Some(to.index()) =>
            {
                let header = &self.func.blocks[to.index()];
                for inst in &header.insts {
                    self.inst(inst);
                }
                self.terminator(&header.term);
            }
            ref t => self.terminator(t),
        }
    }

    /// Deep recursion must end in a clean runtime error, not a crash: every function that
    /// calls Qi functions compares its stack pointer with the limit on entry.
    fn stack_check(&mut self) {
        let limit = self.b.ins().get_pinned_reg(types::I64);
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let ok = self.b.ins().icmp(IntCC::UnsignedGreaterThan, sp, limit);
        let fail = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        // Both have their one predecessor: sealed now, a variable read in them is the
        // value it has here (not a block parameter to resolve later).
        self.b.seal_block(fail);
        self.b.seal_block(cont);
        self.b.switch_to_block(fail);
        // Raised in the frame being entered: nothing is owned yet, leave at once.
        let (file, line) = self.loc_values(self.func.loc);
        self.call_rt(runtime_calls::RAISE_STACK_OVERFLOW, &[file, line]);
        self.return_unwinding();
        self.b.switch_to_block(cont);
    }

    pub(crate) fn loc_values(&mut self, loc: qi_ir::Loc) -> (clif::Value, clif::Value) {
        let file = self.b.ins().iconst(types::I32, loc.file as i64);
        let line = self.b.ins().iconst(types::I32, loc.line as i64);
        (file, line)
    }

    /// Return with status 1 (an exception is pending), result zero.
    fn return_unwinding(&mut self) {
        let status = self.b.ins().iconst(types::I8, 1);
        let mut vals = Vec::new();
        if let Some(t) = clif_type(&self.func.ret) {
            vals.push(self.zero(t));
        }
        vals.push(status);
        self.b.ins().return_(&vals);
    }

    /// The current instruction raised (the runtime has made the exception pending): go to
    /// the block's unwind target.
    pub(crate) fn jump_to_unwind(&mut self) {
        match self.unwind {
            Some((to, _)) => {
                self.b.ins().jump(to, &[]);
            }
            None => self.return_unwinding(),
        }
    }

    /// Continue only when `ok` is true; otherwise raise with `raise` (whose arguments are
    /// `args` then the source position) and unwind. The raise path is a cold block.
    fn raise_unless(&mut self, ok: clif::Value, raise: RtFn, args: &[clif::Value]) {
        let fail = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        // Both have their one predecessor: sealed now, a variable read in them is the
        // value it has here (not a block parameter to resolve later).
        self.b.seal_block(fail);
        self.b.seal_block(cont);
        self.b.switch_to_block(fail);
        let loc = self.unwind.map(|(_, l)| l).unwrap_or(self.func.loc);
        let (file, line) = self.loc_values(loc);
        let mut all = Vec::new();
        if !args.is_empty() {
            // Through memory (`qi_rt::exception`): a store takes its value in any register.
            // One slot serves every raise path of the function (at most two words each).
            assert!(args.len() <= 2, "a raise reports at most two values");
            let slot = *self.raise_slot.get_or_insert_with(|| {
                let data = clif::StackSlotData::new(clif::StackSlotKind::ExplicitSlot, 16, 3);
                self.b.create_sized_stack_slot(data)
            });
            for (k, a) in args.iter().enumerate() {
                self.b.ins().stack_store(types::I64, *a, slot, 8 * k as i32);
            }
            all.push(self.b.ins().stack_addr(types::I64, slot, 0));
        }
        all.push(file);
        all.push(line);
        self.call_rt(raise, &all);
        self.jump_to_unwind();
        self.b.switch_to_block(cont);
    }

    fn zero(&mut self, ty: clif::Type) -> clif::Value {
        if ty == types::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().iconst(ty, 0)
        }
    }

    /// Zero of type `ty`, made once in the entry block (only call it there: the value is
    /// defined at the first call).
    fn entry_zero(&mut self, ty: clif::Type) -> clif::Value {
        match self.entry_zeros.iter().find(|(t, _)| *t == ty) {
            Some((_, v)) => *v,
            None => {
                let v = self.zero(ty);
                self.entry_zeros.push((ty, v));
                v
            }
        }
    }

    pub(crate) fn operand(&mut self, op: &Operand) -> clif::Value {
        match *op {
            Operand::Local(l) => self.read_local(l),
            Operand::Int(v) => self.b.ins().iconst(types::I64, v),
            Operand::Float(v) => self.b.ins().f64const(v),
            Operand::Bool(v) => self.b.ins().iconst(types::I8, v as i64),
            Operand::Char(c) => self.b.ins().iconst(types::I32, c as i64),
            Operand::Null => self.b.ins().iconst(types::I64, 0),
            Operand::Str(s) => {
                let addr = self.linker.str_literal(s);
                self.b.ins().iconst(types::I64, addr)
            }
        }
    }

    fn read_local(&mut self, l: qi_ir::LocalId) -> clif::Value {
        match self.slots[l.index()] {
            Some(slot) => {
                let ty = clif_type(self.func.local_ty(l)).unwrap_or(types::I64);
                self.b.ins().stack_load(types::I64, ty, slot, 0)
            }
            None => self.b.use_var(self.vars[l.index()]),
        }
    }

    fn write_local(&mut self, l: qi_ir::LocalId, v: clif::Value) {
        match self.slots[l.index()] {
            Some(slot) => {
                self.b.ins().stack_store(types::I64, v, slot, 0);
            }
            None => self.b.def_var(self.vars[l.index()], v),
        }
    }

    /// This function's reference to runtime function `f`.
    pub(crate) fn rt_ref(&mut self, f: RtFn) -> clif::FuncRef {
        match self.rt_refs.get(f.symbol) {
            Some(r) => *r,
            None => {
                let r = self.linker.rt_func(&mut self.b, f);
                self.rt_refs.insert(f.symbol, r);
                r
            }
        }
    }

    pub(crate) fn call_rt(&mut self, f: RtFn, args: &[clif::Value]) -> Option<clif::Value> {
        let fref = self.rt_ref(f);
        let call = self.b.ins().call(fref, args);
        self.b.inst_results(call).first().copied()
    }

    /// Call a runtime function that may raise (`RtFn::raising`) with `args` and the source
    /// position; when it raised, unwind. Returns its result.
    pub(crate) fn call_rt_raising(
        &mut self,
        f: RtFn,
        mut args: Vec<clif::Value>,
        loc: qi_ir::Loc,
    ) -> Option<clif::Value> {
        let (file, line) = self.loc_values(loc);
        args.push(file);
        args.push(line);
        let fref = self.rt_ref(f);
        let call = self.b.ins().call(fref, &args);
        let results = self.b.inst_results(call).to_vec();
        self.unwind_on(results[1]);
        Some(results[0])
    }

    fn inst(&mut self, inst: &Inst) {
        match inst {
            Inst::Assign { dst, value } => {
                if let Some(v) = self.value(value) {
                    self.write_local(*dst, v);
                }
            }
            Inst::Effect(value) => {
                self.value(value);
            }
            Inst::SetGlobal { global, value } => {
                let v = self.operand(value);
                if self.publish_stores && self.global_ty(*global).is_rc() {
                    self.call_rt(runtime_calls::PUBLISH, &[v]);
                }
                let addr = self.linker.global_slot(*global);
                let addr = self.b.ins().iconst(types::I64, addr);
                self.b.ins().store(MemFlagsData::trusted(), v, addr, 0);
            }
            Inst::Retain(op) => {
                let v = self.operand(op);
                self.count_update(v, true);
            }
            Inst::Release(l) => {
                let v = self.read_local(*l);
                self.count_update(v, false);
            }
            Inst::SetSlot { obj, slot, value } => {
                let o = self.operand(obj);
                let v = self.operand(value);
                if self.publish_stores && self.func.operand_ty(value).is_rc() {
                    self.publish_into(o, v);
                }
                self.b.ins().store(MemFlagsData::trusted(), v, o, slot_offset(*slot));
            }
            Inst::SetIndex { array, index, value, checked, .. } => {
                let arr = self.operand(array);
                let idx = self.operand(index);
                let v = self.operand(value);
                let elem = self.func.operand_ty(value);
                if self.publish_stores && elem.is_rc() {
                    self.publish_into(arr, v);
                }
                let addr = self.element_address(arr, idx, &elem, *checked);
                self.b.ins().store(MemFlagsData::trusted(), v, addr, ARRAY_DATA);
            }
        }
    }

    /// Reference-count update with the common case inline: a non-null object with no
    /// flags (neither immortal nor shared between threads) gets a plain increment, or a
    /// plain decrement when it does not reach zero. Everything else — null excepted —
    /// goes to the runtime, which also frees.
    fn count_update(&mut self, obj: clif::Value, increment: bool) {
        // Releasing a local before its first assignment: known null, nothing to do.
        if self.is_zero_constant(obj) {
            return;
        }
        let not_null = self.b.create_block();
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(obj, not_null, &[], done, &[]);
        self.b.seal_block(not_null);

        self.b.switch_to_block(not_null);
        let flags = self.b.ins().uload8(types::I32, MemFlagsData::trusted(), obj, FLAGS);
        let rc = self.b.ins().load(types::I32, MemFlagsData::trusted(), obj, RC);
        let plain = if increment {
            self.b.ins().icmp_imm_s(IntCC::Equal, flags, 0)
        } else {
            // Flags zero and the count stays above zero.
            let last = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThanOrEqual, rc, 1);
            let last = self.b.ins().uextend(types::I32, last);
            let special = self.b.ins().bor(flags, last);
            self.b.ins().icmp_imm_s(IntCC::Equal, special, 0)
        };
        self.b.ins().brif(plain, fast, &[], slow, &[]);
        self.b.seal_block(fast);
        self.b.seal_block(slow);

        self.b.switch_to_block(fast);
        let new = if increment {
            self.b.ins().iadd_imm_s(rc, 1)
        } else {
            self.b.ins().iadd_imm_s(rc, -1)
        };
        self.b.ins().store(MemFlagsData::trusted(), new, obj, RC);
        self.b.ins().jump(done, &[]);

        self.b.switch_to_block(slow);
        let f = if increment { runtime_calls::RETAIN } else { runtime_calls::RELEASE };
        self.call_rt(f, &[obj]);
        self.b.ins().jump(done, &[]);

        self.b.seal_block(done);
        self.b.switch_to_block(done);
    }

    /// Is `v` the constant 0 (null), as the translation made it?
    fn is_zero_constant(&self, v: clif::Value) -> bool {
        let dfg = &self.b.func.dfg;
        match dfg.value_def(v) {
            clif::ValueDef::Result(inst, 0) => matches!(
                dfg.insts[inst],
                clif::InstructionData::UnaryImm { opcode: clif::Opcode::Iconst, imm }
                    if imm.bits() == 0
            ),
            _ => false,
        }
    }

    /// Bounds-check `idx` against the array's length and return the address of slot
    /// `idx` minus the data offset.
    /// The element's address; `checked`: raise unless the index is in range (the IR's
    /// bounds pass clears it where it proved the index in range).
    fn element_address(
        &mut self,
        arr: clif::Value,
        idx: clif::Value,
        elem: &Type,
        checked: bool,
    ) -> clif::Value {
        if checked {
            let len = self.b.ins().load(types::I64, length_flags(), arr, ARRAY_LEN);
            // One unsigned compare rejects negative indices too.
            let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, len);
            self.raise_unless(ok, runtime_calls::RAISE_INDEX, &[idx, len]);
        }
        // Boolean arrays hold one byte per element, all others 8-byte slots.
        let offset = if *elem == Type::Bool { idx } else { self.b.ins().ishl_imm_u(idx, 3) };
        self.b.ins().iadd(arr, offset)
    }

    fn value(&mut self, value: &Value) -> Option<clif::Value> {
        match value {
            Value::Use(op) => Some(self.operand(op)),
            Value::Unary(op, a) => {
                let a = self.operand(a);
                Some(match op {
                    UnOp::INeg => self.b.ins().ineg(a),
                    UnOp::FNeg => self.b.ins().fneg(a),
                    UnOp::Not => self.b.ins().bxor_imm_u(a, 1),
                })
            }
            Value::Binary(op, a, b) => Some(self.binary(*op, a, b)),
            Value::Convert(c, a) => Some(self.convert(*c, a)),
            Value::Call { func, args, .. } => {
                let args: Vec<clif::Value> = args.iter().map(|a| self.operand(a)).collect();
                let call = self.linker.call_qi(&mut self.b, *func, &args);
                self.after_qi_call(call)
            }
            Value::Builtin { op, args, loc } if crate::green::is_green(*op) => {
                let args: Vec<clif::Value> = args.iter().map(|a| self.operand(a)).collect();
                self.green_builtin(*op, args, *loc)
            }
            Value::Builtin { op, args, loc } => {
                let args: Vec<clif::Value> = args.iter().map(|a| self.operand(a)).collect();
                if let qi_ir::Builtin::Library(f) = op {
                    if let Some(v) = self.inline_library(f.row().symbol, &args) {
                        return Some(v);
                    }
                }
                let f = runtime_calls::builtin(*op);
                if f.raising {
                    return self.call_rt_raising(f, args, *loc);
                }
                let r = self.call_rt(f, &args);
                if matches!(
                    op,
                    qi_ir::Builtin::Throw
                        | qi_ir::Builtin::ThrowCaused
                        | qi_ir::Builtin::ExcRethrow
                ) {
                    // The exception is pending: leave through the exceptional edge. What
                    // follows in this Cranelift block is unreachable.
                    self.jump_to_unwind();
                    let dead = self.b.create_block();
                    self.b.switch_to_block(dead);
                }
                r
            }
            Value::Global(g) => {
                let qty = self.global_ty(*g);
                let ty = clif_type(&qty).unwrap_or(types::I64);
                let addr = self.linker.global_slot(*g);
                let addr = self.b.ins().iconst(types::I64, addr);
                let v = self.b.ins().load(ty, MemFlagsData::trusted(), addr, 0);
                // Objects without a zero value are null until the initialiser has run.
                if qty.null_until_initialised() {
                    let name = self.linker.global_name(*g);
                    let name = self.b.ins().iconst(types::I64, name);
                    let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0);
                    self.raise_unless(ok, runtime_calls::RAISE_UNINIT_GLOBAL, &[name]);
                }
                Some(v)
            }
            Value::NewArray { elem, len, loc } => {
                // The runtime checks the length (negative, too large) and raises.
                let len = self.operand(len);
                let kind = runtime_calls::array_elem_kind(elem, &self.module.cyclic);
                let kind = self.b.ins().iconst(types::I32, kind as i64);
                self.call_rt_raising(runtime_calls::ARRAY_NEW, vec![len, kind], *loc)
            }
            Value::ArrayLen(a) => {
                let a = self.operand(a);
                Some(self.b.ins().load(types::I64, length_flags(), a, ARRAY_LEN))
            }
            Value::Index { array, index, elem, checked, .. } => {
                let arr = self.operand(array);
                let idx = self.operand(index);
                let addr = self.element_address(arr, idx, elem, *checked);
                let ty = clif_type(elem).unwrap_or(types::I64);
                Some(self.b.ins().load(ty, MemFlagsData::trusted(), addr, ARRAY_DATA))
            }
            Value::NewRecord(l) => {
                let desc = self.linker.record_desc(*l);
                let desc = self.b.ins().iconst(types::I64, desc);
                self.call_rt(runtime_calls::RECORD_NEW, &[desc])
            }
            Value::GetSlot { obj, slot, ty } => {
                let o = self.operand(obj);
                let ty = clif_type(ty).unwrap_or(types::I64);
                Some(self.b.ins().load(ty, MemFlagsData::trusted(), o, slot_offset(*slot)))
            }
            Value::FuncAddr(f) => Some(self.linker.func_value(&mut self.b, *f)),
            Value::CallForeign { func, args, callbacks, .. } => {
                self.call_foreign(*func, args, *callbacks)
            }
            Value::Callback { func, sig } => Some(self.linker.callback(&mut self.b, *func, sig)),
            Value::LocalAddr(l) => {
                let slot = self.slots[l.index()].expect("an addressed local has a slot");
                Some(self.b.ins().stack_addr(types::I64, slot, 0))
            }
            Value::GlobalAddr(g) => {
                let addr = self.linker.global_slot(*g);
                Some(self.b.ins().iconst(types::I64, addr))
            }
            Value::CallIndirect { callee, args, ret, .. } => {
                let closure = self.operand(callee);
                let mut vals = vec![closure];
                vals.extend(args.iter().map(|a| self.operand(a)));
                let mut sig = clif::Signature::new(self.b.func.signature.call_conv);
                sig.params.push(clif::AbiParam::new(types::I64));
                for a in args {
                    let t = clif_type(&self.func.operand_ty(a)).unwrap_or(types::I64);
                    sig.params.push(clif::AbiParam::new(t));
                }
                if let Some(t) = clif_type(ret) {
                    sig.returns.push(clif::AbiParam::new(t));
                }
                sig.returns.push(clif::AbiParam::new(types::I8));
                let sigref = self.b.import_signature(sig);
                let slot0 =
                    self.b.ins().load(types::I64, MemFlagsData::trusted(), closure, slot_offset(0));
                let code = self.linker.closure_code(&mut self.b, slot0);
                let call = self.b.ins().call_indirect(sigref, code, &vals);
                self.after_qi_call(call)
            }
        }
    }

    /// After a call of a Qi function: its last result is the status; on 1, unwind.
    fn after_qi_call(&mut self, call: clif::Inst) -> Option<clif::Value> {
        let results = self.b.inst_results(call).to_vec();
        let (status, value) = results.split_last().expect("Qi functions return a status");
        let value = value.first().copied();
        // Without an exceptional edge (trampolines own nothing) the exception simply
        // leaves this function too.
        self.unwind_on(*status);
        value
    }

    /// Continue in a new block; when `status` is non-zero, unwind first (from a cold
    /// block): the test after every call that may raise.
    pub(crate) fn unwind_on(&mut self, status: clif::Value) {
        let raised = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(raised);
        self.b.ins().brif(status, raised, &[], cont, &[]);
        self.b.seal_block(raised);
        self.b.seal_block(cont);
        self.b.switch_to_block(raised);
        self.jump_to_unwind();
        self.b.switch_to_block(cont);
    }

    /// Library functions that are single instructions: the call of the row's entry point
    /// (which computes the same) is replaced by the instruction.
    fn inline_library(&mut self, symbol: &str, args: &[clif::Value]) -> Option<clif::Value> {
        let ins = self.b.ins();
        Some(match symbol {
            "qi_math_sqrt" => ins.sqrt(args[0]),
            "qi_math_abs" => ins.fabs(args[0]),
            "qi_math_floor" => ins.floor(args[0]),
            "qi_math_ceil" => ins.ceil(args[0]),
            "qi_math_pi" => ins.f64const(std::f64::consts::PI),
            "qi_math_e" => ins.f64const(std::f64::consts::E),
            _ => return None,
        })
    }

    fn global_ty(&self, g: qi_ir::GlobalId) -> Type {
        self.module.globals[g.index()].ty.clone()
    }

    fn binary(&mut self, op: BinOp, a: &Operand, b: &Operand) -> clif::Value {
        // `2.0 * x` is `x + x`, exactly, and needs no constant: Cranelift builds a float
        // literal operand in a register (two instructions), again in every iteration of
        // a loop (mandelbrot's `2.0 * zr * zi`).
        if let (BinOp::FMul, Operand::Float(c), x) | (BinOp::FMul, x, Operand::Float(c)) =
            (op, a, b)
        {
            if *c == 2.0 {
                let x = self.operand(x);
                return self.b.ins().fadd(x, x);
            }
        }
        let x = self.operand(a);
        match op {
            BinOp::IDiv | BinOp::IRem => return self.int_division(op, x, b),
            _ => {}
        }
        let y = self.operand(b);
        let ins = self.b.ins();
        match op {
            BinOp::IAdd => ins.iadd(x, y),
            BinOp::ISub => ins.isub(x, y),
            BinOp::IMul => ins.imul(x, y),
            BinOp::IAnd => ins.band(x, y),
            BinOp::IOr => ins.bor(x, y),
            BinOp::IXor => ins.bxor(x, y),
            // Cranelift masks shift amounts to the type width: counts are taken modulo 64.
            BinOp::IShl => ins.ishl(x, y),
            BinOp::IShr => ins.sshr(x, y),
            BinOp::FAdd => ins.fadd(x, y),
            BinOp::FSub => ins.fsub(x, y),
            BinOp::FMul => ins.fmul(x, y),
            BinOp::FDiv => ins.fdiv(x, y),
            BinOp::FRem => self.call_rt(runtime_calls::FLOAT_REM, &[x, y]).unwrap(),
            BinOp::ICmp(c) => ins.icmp(int_cc(c), x, y),
            BinOp::FCmp(c) => ins.fcmp(float_cc(c), x, y),
            BinOp::SCmp(c) => {
                let ord = self.call_rt(runtime_calls::STR_CMP, &[x, y]).unwrap();
                self.b.ins().icmp_imm_s(int_cc(c), ord, 0)
            }
            BinOp::IDiv | BinOp::IRem => unreachable!(),
        }
    }

    /// Integer `/` and `%`: a zero divisor is a runtime error and `MIN / -1` wraps (the
    /// machine instruction would trap). A constant divisor needs neither check, and
    /// Cranelift's optimiser turns it into a multiply.
    fn int_division(&mut self, op: BinOp, x: clif::Value, divisor: &Operand) -> clif::Value {
        let is_div = op == BinOp::IDiv;
        if let Operand::Int(d) = *divisor {
            if d != 0 && d != -1 {
                let y = self.b.ins().iconst(types::I64, d);
                return if is_div { self.b.ins().sdiv(x, y) } else { self.b.ins().srem(x, y) };
            }
        }
        let y = self.operand(divisor);
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, y, 0);
        self.raise_unless(nonzero, runtime_calls::RAISE_DIV_ZERO, &[]);
        let minus_one = self.b.create_block();
        let general = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I64);
        let is_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
        self.b.ins().brif(is_minus_one, minus_one, &[], general, &[]);

        self.b.switch_to_block(minus_one);
        let r = if is_div { self.b.ins().ineg(x) } else { self.b.ins().iconst(types::I64, 0) };
        self.b.ins().jump(done, &[r.into()]);

        self.b.switch_to_block(general);
        let r = if is_div { self.b.ins().sdiv(x, y) } else { self.b.ins().srem(x, y) };
        self.b.ins().jump(done, &[r.into()]);

        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    fn convert(&mut self, c: Conv, a: &Operand) -> clif::Value {
        let x = self.operand(a);
        match c {
            Conv::IntToFloat => self.b.ins().fcvt_from_sint(types::F64, x),
            Conv::FloatToInt => {
                // In range (and not NaN): -2^63 <= x < 2^63, then truncate.
                let lo = self.b.ins().f64const(-9223372036854775808.0);
                let hi = self.b.ins().f64const(9223372036854775808.0);
                let above = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, lo);
                let below = self.b.ins().fcmp(FloatCC::LessThan, x, hi);
                let ok = self.b.ins().band(above, below);
                self.raise_unless(ok, runtime_calls::RAISE_FLOAT_TO_INT, &[x]);
                self.b.ins().fcvt_to_sint_sat(types::I64, x)
            }
            // Cranelift's saturating conversion is exactly 浮点数转整数: NaN → 0.
            Conv::FloatToIntSat => self.b.ins().fcvt_to_sint_sat(types::I64, x),
            Conv::BoolToInt => self.b.ins().uextend(types::I64, x),
            Conv::BoolToFloat => {
                let i = self.b.ins().uextend(types::I64, x);
                self.b.ins().fcvt_from_sint(types::F64, i)
            }
            Conv::IntToBool => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
            Conv::CharToInt => self.b.ins().uextend(types::I64, x),
            Conv::IntToChar => {
                // A Unicode scalar value: 0..=0x10FFFF without the surrogates D800..=DFFF.
                let in_range = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThanOrEqual, x, 0x10FFFF);
                let off = self.b.ins().iadd_imm_s(x, -0xD800);
                let surrogate = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, off, 0x800);
                let not_surrogate = self.b.ins().bxor_imm_u(surrogate, 1);
                let ok = self.b.ins().band(in_range, not_surrogate);
                self.raise_unless(ok, runtime_calls::RAISE_INT_TO_CHAR, &[x]);
                self.b.ins().ireduce(types::I32, x)
            }
        }
    }

    fn terminator(&mut self, t: &Terminator) {
        match t {
            // No preemption poll on loop-closing jumps: a busy green thread is interrupted
            // by a signal (qi-rt `sched::interrupt`). Hot-loop counting, when it comes,
            // goes here, on the jumps that close loops (the retreating edges of a
            // depth-first walk; the first, polling version of preemption found them in
            // `qi-jit/src/safepoint.rs`, see git history).
            Terminator::Jump(to) => {
                self.b.ins().jump(self.blocks[to.index()], &[]);
            }
            Terminator::Branch { cond, then_to, else_to } => {
                let c = self.operand(cond);
                let (t, e) = (self.blocks[then_to.index()], self.blocks[else_to.index()]);
                self.b.ins().brif(c, t, &[], e, &[]);
            }
            Terminator::Return(op) => {
                let mut vals = Vec::new();
                if let (Some(op), Some(_)) = (op, clif_type(&self.func.ret)) {
                    vals.push(self.operand(op));
                }
                vals.push(self.b.ins().iconst(types::I8, 0));
                self.b.ins().return_(&vals);
            }
            Terminator::Unwind => self.return_unwinding(),
            Terminator::Unreachable => {
                self.b.ins().trap(TrapCode::unwrap_user(2));
            }
        }
    }
}

fn int_cc(c: Cmp) -> IntCC {
    match c {
        Cmp::Eq => IntCC::Equal,
        Cmp::Ne => IntCC::NotEqual,
        Cmp::Lt => IntCC::SignedLessThan,
        Cmp::Le => IntCC::SignedLessThanOrEqual,
        Cmp::Gt => IntCC::SignedGreaterThan,
        Cmp::Ge => IntCC::SignedGreaterThanOrEqual,
    }
}

/// Ordered comparisons: every comparison involving NaN is false, `!=` included.
fn float_cc(c: Cmp) -> FloatCC {
    match c {
        Cmp::Eq => FloatCC::Equal,
        Cmp::Ne => FloatCC::OrderedNotEqual,
        Cmp::Lt => FloatCC::LessThan,
        Cmp::Le => FloatCC::LessThanOrEqual,
        Cmp::Gt => FloatCC::GreaterThan,
        Cmp::Ge => FloatCC::GreaterThanOrEqual,
    }
}

/// Does the program start green threads (so objects can be reachable from several)?
pub fn uses_green_threads(m: &qi_ir::Module) -> bool {
    m.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.insts).any(|i| match i {
        Inst::Assign { value: Value::Builtin { op, .. }, .. }
        | Inst::Effect(Value::Builtin { op, .. }) => match op {
            qi_ir::Builtin::Spawn | qi_ir::Builtin::FutureSpawn => true,
            qi_ir::Builtin::Library(f) => f.row().spawns,
            _ => false,
        },
        _ => false,
    })
}

/// Does the function call other Qi functions (so that it can take part in recursion)?
fn calls_functions(f: &qi_ir::Function) -> bool {
    f.blocks.iter().flat_map(|b| &b.insts).any(|i| match i {
        // Calls through function values count too: closures can recurse through them.
        Inst::Assign { value: Value::Call { .. } | Value::CallIndirect { .. }, .. }
        | Inst::Effect(Value::Call { .. } | Value::CallIndirect { .. }) => true,
        // C code runs on the green thread's stack: check there is room before it too.
        Inst::Assign { value: Value::CallForeign { .. }, .. }
        | Inst::Effect(Value::CallForeign { .. }) => true,
        _ => false,
    })
}

/// The blocks translated as the continuation of their predecessor instead of as blocks
/// of their own: those whose one way in is a `jump` from another block (not an
/// exceptional edge), and `first` (where the function's entry code goes) when nothing
/// else leads to it (it continues the entry code); `preds` from `predecessor_counts`.
/// The lowering ends a block after every instruction that may raise, so most such blocks
/// are the rest of a straight line.
///
/// Cold blocks (`cold`) are left alone: exception paths call the runtime several times
/// with the same constants, and in one block Cranelift keeps those constants alive
/// across the calls in callee-saved registers, which every call of the function then
/// saves and restores.
fn merged_into_predecessor(
    f: &qi_ir::Function,
    preds: &[u32],
    first: usize,
    cold: &[bool],
) -> Vec<bool> {
    let mut merged = vec![false; f.blocks.len()];
    merged[first] = preds[first] == 1;
    for (i, b) in f.blocks.iter().enumerate() {
        if let Terminator::Jump(to) = b.term {
            // A block jumping to itself is a loop, not a straight line.
            if to.index() != i && preds[to.index()] == 1 && !cold[i] {
                merged[to.index()] = true;
            }
        }
    }
    merged
}

/// Per IR block: how many ways lead into it (`entries` are where the translated
/// function starts: block 0, and an on-stack-replacement variant's entry), unwind edges
/// included.
fn predecessor_counts(f: &qi_ir::Function, entries: &[usize]) -> Vec<u32> {
    let mut preds = vec![0u32; f.blocks.len()];
    for &e in entries {
        preds[e] += 1;
    }
    for b in &f.blocks {
        for s in b.term.successors() {
            preds[s.index()] += 1;
        }
        if let Some(u) = b.unwind {
            preds[u.to.index()] += 1;
        }
    }
    preds
}

/// Per block: is it the header of an innermost loop (`qi_ir::cfg::innermost_loop_headers`)
/// that only tests a condition (a few instructions that cannot raise or call, then a
/// branch)? A copy of its test replaces the jumps back to it: a few instructions more,
/// a taken jump fewer per iteration. Measured (benches/README.md, "Loop rotation"): sieve
/// and fannkuch gain 7-18 %; rotating every loop instead cost fannkuch 24 %, the copies
/// in its outer loops changing how its whole nest was allocated registers.
fn rotated_headers(f: &qi_ir::Function, headers: &[Option<usize>], cold: &[bool]) -> Vec<bool> {
    const MAX_INSTS: usize = 3;
    let cheap = |inst: &Inst| match inst {
        Inst::Assign { value, .. } => match value {
            Value::Use(_) | Value::Unary(..) | Value::ArrayLen(_) => true,
            Value::Binary(op, ..) => {
                !matches!(op, BinOp::IDiv | BinOp::IRem | BinOp::FRem | BinOp::SCmp(_))
            }
            _ => false,
        },
        _ => false,
    };
    // Loops that divide floats wait on the division, not on their jumps: rotating
    // spectral's made it 5 % slower.
    let fdiv = |inst: &Inst| {
        matches!(inst, Inst::Assign { value: Value::Binary(BinOp::FDiv | BinOp::FRem, ..), .. })
    };
    let mut divides = vec![false; f.blocks.len()];
    for (b, h) in headers.iter().enumerate() {
        if let Some(h) = h {
            divides[*h] |= f.blocks[b].insts.iter().any(fdiv);
        }
    }
    f.blocks
        .iter()
        .enumerate()
        .zip(cold)
        .map(|((i, b), &cold)| {
            headers[i] == Some(i)
                && !divides[i]
                && !cold
                && b.unwind.is_none()
                && matches!(b.term, Terminator::Branch { .. })
                && b.insts.len() <= MAX_INSTS
                && b.insts.iter().all(cheap)
        })
        .collect()
}

/// Blocks only reached through exceptional edges: landings, and everything reachable from
/// them alone (handlers that only landings jump to, the unwind block).
fn exception_paths(f: &qi_ir::Function) -> Vec<bool> {
    let n = f.blocks.len();
    // Blocks reachable from the entry through normal edges only.
    let mut normal = vec![false; n];
    let mut stack = vec![0usize];
    while let Some(b) = stack.pop() {
        if std::mem::replace(&mut normal[b], true) {
            continue;
        }
        stack.extend(f.blocks[b].term.successors().map(|s| s.index()));
    }
    normal.iter().map(|r| !r).collect()
}
