//! Decoding a function the first time it is interpreted into its `Code` (`code`): one
//! flat array of `Op`s for the whole function, so that a frame's place is one index.
//!
//! * Blocks are laid out one after another, a block followed by the block it jumps to
//!   when that one is not placed yet, so most jumps become a fall-through and vanish.
//!   Jumps are threaded through empty blocks, and a jump to a block that only returns
//!   becomes that return.
//! * Terminators are ops. A block ending in a comparison whose result the block then
//!   branches on becomes one compare-and-branch op (`If…`), which still writes the
//!   comparison's local; a jump to a loop header that holds only such a test becomes a
//!   copy of it, so a loop's jump back is its test. `t = a + b; v = t`, as `v += b`
//!   lowers, is one op too.
//! * Copies, literals and the arithmetic and comparisons that cannot raise are resolved
//!   to local slots (`Slot`, checked below the function's number of locals here, so the
//!   frame reads them without bounds checks) and constant bits; the commonest have an op
//!   of their own, so one dispatch runs them, and a division by a constant multiplies
//!   (`divide`).
//! * Calls carry their callee and argument slots (`args`), and the block that holds
//!   them (its unwind edge, if the call raises).
//! * Everything else stays `Op::Ir`: the frame runs the IR instruction itself.
//!
//! Preemption: a jump or branch to an op at or before itself may close a loop, so the
//! frame polls there (`Thread::poll`). Every cycle of the code has such a jump, since the
//! only other way from one op to another is to the next one.

use super::code::{is_comparison, pure_op, Arg, Code, Op, Pure, PureUnary, NO_BLOCK, NO_LANDING};
use super::divide::Divisor;
use super::locals::Slot;
use super::Interpreted;
use qi_ir::{BinOp, Conv, Function, Inst, Operand, Terminator, Value};

/// The right-hand side of a decoded binary operation.
enum Rhs {
    Local(Slot),
    Const(u64),
}

/// A pure binary operation of an instruction, `(op, dst, a, rhs)`, when its left operand
/// is a local.
type PureBinary = (Pure, Slot, Slot, Rhs);

impl Interpreted {
    /// The constant bits of a literal operand, `None` for a local.
    fn constant(&self, op: &Operand) -> Option<u64> {
        match *op {
            Operand::Local(_) => None,
            Operand::Int(v) => Some(v as u64),
            Operand::Float(v) => Some(v.to_bits()),
            Operand::Bool(v) => Some(v as u64),
            Operand::Char(c) => Some(c as u64),
            Operand::Str(s) => Some(self.strings[s.index()]),
            Operand::Null => Some(0),
        }
    }

    pub(super) fn decode(&self, f: &Function) -> Code {
        Decoder::new(self, f).run()
    }
}

/// Decoding one function.
struct Decoder<'a> {
    program: &'a Interpreted,
    f: &'a Function,
    ops: Vec<Op>,
    args: Vec<Arg>,
    /// Jump targets are IR block indices until `run` maps them to pcs.
    starts: Vec<u32>,
}

impl<'a> Decoder<'a> {
    fn new(program: &'a Interpreted, f: &'a Function) -> Decoder<'a> {
        // About an op per instruction and one per block's end: room for them at once
        // (decoding runs for every function a large program calls).
        let insts: usize = f.blocks.iter().map(|b| b.insts.len() + 1).sum();
        Decoder {
            program,
            f,
            ops: Vec::with_capacity(insts),
            args: Vec::new(),
            starts: vec![0; f.blocks.len()],
        }
    }

    fn slot(&self, l: qi_ir::LocalId) -> Slot {
        Slot::new(l.index(), self.f.locals.len())
    }

    fn local(&self, op: &Operand) -> Option<Slot> {
        match op {
            Operand::Local(l) => Some(self.slot(*l)),
            _ => None,
        }
    }

    fn arg(&self, op: &Operand) -> Arg {
        match self.local(op) {
            Some(s) => Arg::Local(s),
            None => Arg::Const(self.program.constant(op).expect("a literal")),
        }
    }

    fn run(mut self) -> Code {
        let f = self.f;
        let order = layout(f);
        for (i, &b) in order.iter().enumerate() {
            self.starts[b] = self.ops.len() as u32;
            self.block(b, order.get(i + 1).copied());
        }
        // Jump targets are blocks so far: make them pcs.
        let starts = std::mem::take(&mut self.starts);
        for (pc, op) in self.ops.iter_mut().enumerate() {
            let pc = pc as u32;
            match op {
                Op::IfLt { then_to, else_to, .. }
                | Op::IfLtK { then_to, else_to, .. }
                | Op::If { then_to, else_to, .. }
                | Op::IfK { then_to, else_to, .. }
                | Op::Branch { then_to, else_to, .. } => {
                    *then_to = starts[*then_to as usize];
                    *else_to = starts[*else_to as usize];
                }
                Op::Jump { to } => {
                    let to = starts[*to as usize];
                    *op = if to <= pc { Op::JumpBack { to } } else { Op::Jump { to } };
                }
                _ => {}
            }
        }
        let mut loop_at = vec![NO_BLOCK; self.ops.len() + 1];
        let cyclic = super::cycles::on_cycle(f);
        for &b in &order {
            // Where empty blocks share a pc the last one decides: the one with the ops.
            loop_at[starts[b] as usize] = if cyclic[b] { b as u32 } else { NO_BLOCK };
        }
        let landings = f
            .blocks
            .iter()
            .map(|b| b.unwind.map_or(NO_LANDING, |u| starts[u.to.index()]))
            .collect();
        Code {
            ops: self.ops.into(),
            args: self.args.into(),
            landings,
            loop_at: loop_at.into(),
            osr_entry: osr_entries(f),
            locals: f.locals.len(),
            checks_stack: calls_functions(f),
        }
    }

    /// Decode block `b`, which `next` follows in the layout.
    fn block(&mut self, b: usize, next: Option<usize>) {
        let insts = &self.f.blocks[b].insts;
        let fused = self.compare_and_branch(b);
        let n = insts.len() - fused.is_some() as usize;
        let mut k = 0;
        while k < n {
            if let Some(op) = insts
                .get(k + 1)
                .filter(|_| k + 1 < n)
                .and_then(|copy| self.add_then_copy(&insts[k], copy))
            {
                self.ops.push(op);
                k += 2;
                continue;
            }
            let op = self.inst(b, k, &insts[k]);
            self.ops.push(op);
            k += 1;
        }
        match fused {
            Some(op) => self.ops.push(op),
            None => self.terminator(b, next),
        }
    }

    /// The op for the end of block `b` when it is a comparison whose result the block
    /// branches on: one op for both.
    fn compare_and_branch(&self, b: usize) -> Option<Op> {
        let block = &self.f.blocks[b];
        let (Some(Inst::Assign { dst, value: Value::Binary(op, a, rhs) }), None) =
            (block.insts.last(), block.unwind)
        else {
            return None;
        };
        match &block.term {
            Terminator::Branch { cond: Operand::Local(c), then_to, else_to } if c == dst => {
                self.compare_branch(*op, a, rhs, *dst, *then_to, *else_to)
            }
            _ => None,
        }
    }

    /// `t = a + b; v = t` (how `v += b` lowers) as one op.
    fn add_then_copy(&self, add: &Inst, copy: &Inst) -> Option<Op> {
        let Inst::Assign { dst: t, value: Value::Binary(op, a, rhs) } = add else {
            return None;
        };
        let Inst::Assign { dst: v, value: Value::Use(Operand::Local(src)) } = copy else {
            return None;
        };
        if src != t {
            return None;
        }
        match self.pure_binary(*op, a, rhs, *t)? {
            (Pure::IAdd, dst, a, Rhs::Local(b)) => {
                Some(Op::AddCopy { dst, copy: self.slot(*v), a, b })
            }
            _ => None,
        }
    }

    /// `dst = a op rhs; branch dst, then_to, else_to` as one op, if `op` is a pure
    /// comparison of a local (targets are blocks, threaded).
    fn compare_branch(
        &self,
        op: BinOp,
        a: &Operand,
        rhs: &Operand,
        dst: qi_ir::LocalId,
        then_to: qi_ir::BlockId,
        else_to: qi_ir::BlockId,
    ) -> Option<Op> {
        let (cmp, dst, a, rhs) = self.pure_binary(op, a, rhs, dst)?;
        if !is_comparison(cmp) {
            return None;
        }
        let then_to = thread_jump(self.f, then_to) as u32;
        let else_to = thread_jump(self.f, else_to) as u32;
        Some(match (cmp, rhs) {
            (Pure::ILt, Rhs::Local(b)) => Op::IfLt { dst, a, b, then_to, else_to },
            (Pure::ILt, Rhs::Const(k)) => Op::IfLtK { dst, a, k, then_to, else_to },
            (cmp, Rhs::Local(b)) => Op::If { cmp, dst, a, b, then_to, else_to },
            (cmp, Rhs::Const(k)) => Op::IfK { cmp, dst, a, k, then_to, else_to },
        })
    }

    /// `dst = a op rhs` as a pure operation on a local `a`.
    fn pure_binary(
        &self,
        op: BinOp,
        a: &Operand,
        rhs: &Operand,
        dst: qi_ir::LocalId,
    ) -> Option<PureBinary> {
        let a = self.local(a)?;
        let (rhs, k) = match self.local(rhs) {
            Some(b) => (Rhs::Local(b), None),
            None => {
                let k = self.program.constant(rhs)?;
                (Rhs::Const(k), Some(k))
            }
        };
        Some((pure_op(op, k)?, self.slot(dst), a, rhs))
    }

    /// Instruction `k` of block `b`.
    fn inst(&mut self, b: usize, k: usize, inst: &Inst) -> Op {
        let ir = Op::Ir { block: b as u32, inst: k as u32 };
        let (dst, value) = match inst {
            Inst::Assign { dst, value } => (Some(*dst), value),
            Inst::Effect(value @ (Value::Call { .. } | Value::CallIndirect { .. })) => {
                (None, value)
            }
            Inst::Retain(Operand::Local(l)) => return Op::Retain { src: self.slot(*l) },
            Inst::Release(l) => return Op::Release { src: self.slot(*l) },
            Inst::SetIndex {
                array: Operand::Local(array),
                index: Operand::Local(index),
                value: Operand::Local(src),
                ..
            } => {
                let ty = self.f.local_ty(*src);
                if word_sized(ty) && !(self.program.publish_stores && ty.is_rc()) {
                    let (array, index, src) =
                        (self.slot(*array), self.slot(*index), self.slot(*src));
                    return Op::SetIndex { array, index, src, block: b as u32, inst: k as u32 };
                }
                return ir;
            }
            Inst::SetSlot { obj: Operand::Local(obj), slot, value: Operand::Local(src) } => {
                let ty = self.f.local_ty(*src);
                // Objects stored into a shared record may need publishing: the IR path.
                if word_sized(ty) && !(self.program.publish_stores && ty.is_rc()) {
                    return Op::SetSlot { obj: self.slot(*obj), slot: *slot, src: self.slot(*src) };
                }
                return ir;
            }
            _ => return ir,
        };
        let dst_slot = dst.map(|d| self.slot(d));
        match value {
            Value::Call { func, args, .. } => {
                let (args, nargs) = self.call_args(None, args);
                Op::Call { func: *func, args, nargs, dst: dst_slot, block: b as u32 }
            }
            Value::CallIndirect { callee, args, .. } => {
                let (args, nargs) = self.call_args(Some(callee), args);
                Op::CallClosure { args, nargs, dst: dst_slot, block: b as u32 }
            }
            Value::GetSlot { obj: Operand::Local(obj), slot, ty } if word_sized(ty) => {
                match dst_slot {
                    Some(dst) => Op::GetSlot { dst, obj: self.slot(*obj), slot: *slot },
                    None => ir,
                }
            }
            Value::Index {
                array: Operand::Local(array),
                index: Operand::Local(index),
                elem,
                ..
            } if word_sized(elem) => match dst_slot {
                Some(dst) => {
                    let (array, index) = (self.slot(*array), self.slot(*index));
                    Op::Index { dst, array, index, block: b as u32, inst: k as u32 }
                }
                None => ir,
            },
            Value::Use(op) => match (dst_slot, self.local(op), self.program.constant(op)) {
                (Some(dst), Some(src), _) => Op::Move { dst, src },
                (Some(dst), None, Some(bits)) => Op::Const { dst, bits },
                _ => ir,
            },
            Value::Unary(op, Operand::Local(a)) => match dst_slot {
                Some(dst) => Op::Unary { op: PureUnary::of_unary(*op), dst, a: self.slot(*a) },
                None => ir,
            },
            Value::Convert(c, Operand::Local(a)) => {
                match (dst_slot, PureUnary::of_conversion(*c)) {
                    (Some(dst), Some(op)) => Op::Unary { op, dst, a: self.slot(*a) },
                    // A conversion that keeps the word: a move.
                    (Some(dst), None) if matches!(c, Conv::BoolToInt | Conv::CharToInt) => {
                        Op::Move { dst, src: self.slot(*a) }
                    }
                    _ => ir,
                }
            }
            Value::Binary(op, a, rhs) => {
                let Some(dst) = dst else { return ir };
                if let Some((op, dst, a, rhs)) = self.pure_binary(*op, a, rhs, dst) {
                    return match (op, rhs) {
                        (Pure::IAdd, Rhs::Local(b)) => Op::Add { dst, a, b },
                        (Pure::IAdd, Rhs::Const(k)) => Op::AddK { dst, a, k },
                        (Pure::ISub, Rhs::Local(b)) => Op::Sub { dst, a, b },
                        (Pure::ISub, Rhs::Const(k)) => Op::SubK { dst, a, k },
                        (Pure::IMul, Rhs::Local(b)) => Op::Mul { dst, a, b },
                        (Pure::IMul, Rhs::Const(k)) => Op::MulK { dst, a, k },
                        (Pure::IDiv | Pure::IRem, Rhs::Const(k)) => {
                            match (op, Divisor::new(k as i64)) {
                                (Pure::IDiv, Some(by)) => Op::DivK { dst, a, by },
                                (_, Some(by)) => Op::RemK { dst, a, by },
                                (op, None) => Op::BinaryK { op, dst, a, k },
                            }
                        }
                        (op, Rhs::Local(b)) => Op::Binary { op, dst, a, b },
                        (op, Rhs::Const(k)) => Op::BinaryK { op, dst, a, k },
                    };
                }
                // A constant left operand.
                match (pure_op(*op, None), self.program.constant(a), self.local(rhs)) {
                    (Some(op), Some(k), Some(b)) => Op::KBinary { op, dst: self.slot(dst), k, b },
                    _ => ir,
                }
            }
            _ => ir,
        }
    }

    /// Store a call's arguments (after the closure called, if any): their first index
    /// and how many there are besides the closure.
    fn call_args(&mut self, closure: Option<&Operand>, args: &[Operand]) -> (u32, u32) {
        let first = self.args.len() as u32;
        for a in closure.into_iter().chain(args) {
            let arg = self.arg(a);
            self.args.push(arg);
        }
        (first, args.len() as u32)
    }

    /// The terminator of block `b`, which `next` follows in the layout.
    fn terminator(&mut self, b: usize, next: Option<usize>) {
        let f = self.f;
        let op = match &f.blocks[b].term {
            Terminator::Jump(to) => {
                let to = thread_jump(f, *to);
                match returns(f, to) {
                    Some(ret) => self.ret(ret),
                    // The next block: fall through.
                    None if Some(to) == next => return,
                    // A loop header that only compares and branches: test here (the
                    // loop's jump back becomes that branch).
                    None if f.blocks[to].insts.len() == 1 => match self.compare_and_branch(to) {
                        Some(test) => test,
                        None => Op::Jump { to: to as u32 },
                    },
                    None => Op::Jump { to: to as u32 },
                }
            }
            Terminator::Branch { cond, then_to, else_to } => {
                let then_to = thread_jump(f, *then_to) as u32;
                let else_to = thread_jump(f, *else_to) as u32;
                match (self.local(cond), self.program.constant(cond)) {
                    (Some(cond), _) => Op::Branch { cond, then_to, else_to },
                    (None, Some(c)) => Op::Jump { to: if c != 0 { then_to } else { else_to } },
                    (None, None) => unreachable!("an operand is a local or a literal"),
                }
            }
            Terminator::Return(op) => self.ret(op.as_ref()),
            Terminator::Unwind => Op::Unwind,
            Terminator::Unreachable => Op::Unreachable { block: b as u32 },
        };
        self.ops.push(op);
    }

    /// `return op`.
    fn ret(&self, op: Option<&Operand>) -> Op {
        match op {
            Some(op) if self.f.ret != qi_ir::Type::Void => match self.local(op) {
                Some(l) => Op::ReturnLocal(l),
                None => Op::ReturnConst(self.program.constant(op).expect("a literal")),
            },
            _ => Op::ReturnConst(0),
        }
    }
}

/// The order blocks are laid out in: the entry block first, and each block followed by
/// the block its jump goes to, when that one is not placed yet.
fn layout(f: &Function) -> Vec<usize> {
    let mut placed = vec![false; f.blocks.len()];
    let mut order = Vec::with_capacity(f.blocks.len());
    for first in 0..f.blocks.len() {
        let mut b = first;
        while !placed[b] {
            placed[b] = true;
            order.push(b);
            match f.blocks[b].term {
                Terminator::Jump(to) => b = thread_jump(f, to),
                _ => break,
            }
        }
    }
    order
}

/// Per block `x`: where compiled code continues a frame that the interpreter moves at
/// `x` (on-stack replacement): `x` itself, or the loop header whose test the interpreter
/// ran at the jump back (a jump back to a header that only compares and branches takes
/// the branch there, so it lands past the header, `Decoder::terminator`). The header is
/// the same place when every way into `x` is that header's branch and running its test
/// again gives the same answer (its result is not one of its operands). A variant entered
/// at a loop's body gives that loop a second way in; fannkuch's, entered at the body of
/// its copy loop, spilled the swap loop's counters and ran 1.5 times as long as the
/// function compiled whole, 1.07 times entered at the header (benches/README.md, "OSR at
/// the loop header").
fn osr_entries(f: &Function) -> Box<[u32]> {
    /// The function's start: a way in of its own.
    const START: usize = usize::MAX;
    let n = f.blocks.len();
    // Per block: the blocks whose jumps and branches arrive there, threaded through
    // empty blocks as the interpreter does.
    let mut ways_in: Vec<Vec<usize>> = vec![Vec::new(); n];
    ways_in[thread_jump(f, qi_ir::BlockId(0))].push(START);
    for (b, block) in f.blocks.iter().enumerate() {
        let empty_hop = block.insts.is_empty()
            && block.unwind.is_none()
            && matches!(block.term, Terminator::Jump(_));
        if empty_hop {
            continue;
        }
        for s in block.term.successors().chain(block.unwind.map(|u| u.to)) {
            let to = thread_jump(f, s);
            if ways_in[to].last() != Some(&b) {
                ways_in[to].push(b);
            }
        }
    }
    let only_tests = |b: &qi_ir::Block| match (&b.insts[..], &b.term, b.unwind) {
        (
            [Inst::Assign { dst, value: Value::Binary(_, a, rhs) }],
            Terminator::Branch { cond: Operand::Local(c), .. },
            None,
        ) => c == dst && *a != Operand::Local(*dst) && *rhs != Operand::Local(*dst),
        _ => false,
    };
    (0..n)
        .map(|x| match ways_in[x][..] {
            [h] if h != START && only_tests(&f.blocks[h]) => h as u32,
            _ => x as u32,
        })
        .collect()
}

/// Where a jump to block `to` ends, threaded through empty blocks that only
/// jump.
fn thread_jump(f: &Function, to: qi_ir::BlockId) -> usize {
    let mut to = to.index();
    // Bounded: a cycle of empty blocks is followed at most once around.
    for _ in 0..f.blocks.len() {
        let b = &f.blocks[to];
        match (&b.term, b.insts.is_empty(), b.unwind) {
            (Terminator::Jump(next), true, None) => to = next.index(),
            _ => break,
        }
    }
    to
}

/// What block `b` returns, when all it does is return.
fn returns(f: &Function, b: usize) -> Option<Option<&Operand>> {
    let block = &f.blocks[b];
    match &block.term {
        Terminator::Return(op) if block.insts.is_empty() && block.unwind.is_none() => {
            Some(op.as_ref())
        }
        _ => None,
    }
}

/// Does a value of type `ty` take a whole 64-bit slot (booleans take one byte, characters
/// four)?
fn word_sized(ty: &qi_ir::Type) -> bool {
    !matches!(ty, qi_ir::Type::Bool | qi_ir::Type::Char)
}

/// Does the function call other Qi functions (so that it can take part in recursion), or
/// C functions (which may call Qi functions back, and run on the green thread's stack:
/// as compiled code, check there is room before)?
fn calls_functions(f: &Function) -> bool {
    f.blocks.iter().flat_map(|b| &b.insts).any(|i| {
        matches!(
            i,
            Inst::Assign {
                value: Value::Call { .. } | Value::CallIndirect { .. } | Value::CallForeign { .. },
                ..
            } | Inst::Effect(
                Value::Call { .. } | Value::CallIndirect { .. } | Value::CallForeign { .. }
            )
        )
    })
}

#[cfg(test)]
mod tests {
    use super::osr_entries;
    use qi_ir::{BinOp, Block, BlockId, Cmp, Function, Inst, Loc, LocalId, Operand, Terminator};
    use qi_ir::{LocalDecl, Type, Value};

    fn osr_entry(f: &Function, x: usize) -> u32 {
        osr_entries(f)[x]
    }

    fn jump(b: u32) -> Terminator {
        Terminator::Jump(BlockId(b))
    }

    /// `dst = a < b; branch dst, then_to, else_to`.
    fn test_block(dst: u32, a: u32, b: u32, then_to: u32, else_to: u32) -> Block {
        let value = Value::Binary(
            BinOp::ICmp(Cmp::Lt),
            Operand::Local(LocalId(a)),
            Operand::Local(LocalId(b)),
        );
        Block {
            insts: vec![Inst::Assign { dst: LocalId(dst), value }],
            term: Terminator::Branch {
                cond: Operand::Local(LocalId(dst)),
                then_to: BlockId(then_to),
                else_to: BlockId(else_to),
            },
            unwind: None,
        }
    }

    fn plain(term: Terminator) -> Block {
        Block { term, ..Block::default() }
    }

    /// `_1 = _1 + 1; jump 1`: a loop body that goes back to the test in block 1.
    fn body() -> Block {
        let one = Value::Binary(BinOp::IAdd, Operand::Local(LocalId(1)), Operand::Int(1));
        Block {
            insts: vec![Inst::Assign { dst: LocalId(1), value: one }],
            term: jump(1),
            unwind: None,
        }
    }

    fn function(blocks: Vec<Block>) -> Function {
        Function {
            name: "f".into(),
            params: Vec::new(),
            ret: Type::Void,
            locals: (0..3).map(|_| LocalDecl { ty: Type::Int, name: None }).collect(),
            blocks,
            loc: Loc::default(),
        }
    }

    #[test]
    fn a_loop_body_entered_only_through_its_header_test_is_entered_at_the_header() {
        // 0 → 1: test → 2 (body, reached through the empty block 4) → 1, else 3.
        let f = function(vec![
            plain(jump(1)),
            test_block(0, 1, 2, 4, 3),
            body(),
            plain(Terminator::Return(None)),
            plain(jump(2)),
        ]);
        assert_eq!(osr_entry(&f, 2), 1);
        assert_eq!(osr_entry(&f, 1), 1, "the header itself");
    }

    #[test]
    fn a_body_with_another_way_in_is_entered_where_it_is() {
        // Block 0 also jumps straight into the body.
        let f = function(vec![
            plain(jump(2)),
            test_block(0, 1, 2, 2, 3),
            body(),
            plain(Terminator::Return(None)),
        ]);
        assert_eq!(osr_entry(&f, 2), 2);
    }

    #[test]
    fn a_test_that_overwrites_its_operand_is_not_run_again() {
        let f = function(vec![
            plain(jump(1)),
            test_block(0, 0, 2, 2, 3),
            body(),
            plain(Terminator::Return(None)),
        ]);
        assert_eq!(osr_entry(&f, 2), 2);
    }
}
