//! The pre-decoded form of a function, built the first time it is interpreted: per
//! block, one `Op` per IR instruction (so a frame's place, block and instruction, means
//! the same in both forms) and the terminator, with the common cheap instructions —
//! copies, constants, arithmetic and comparisons that cannot raise — resolved to local
//! slots and constant bits, and jumps threaded through empty blocks. Everything else
//! stays `Op::Ir`: the frame runs the IR instruction itself, as before.

use super::Interpreted;
use qi_ir::{BinOp, Function, Inst, Operand, Terminator, Value};

/// One instruction of a decoded block.
#[derive(Clone, Copy)]
pub enum Op {
    /// `dst = src`.
    Move { dst: u32, src: u32 },
    /// `dst = bits` (a literal of any type).
    Const { dst: u32, bits: u64 },
    /// `dst = a op b` on two locals; `op` never raises (`pure`).
    Binary { op: BinOp, dst: u32, a: u32, b: u32 },
    /// `dst = a op k` with a constant right operand; `op` never raises with it.
    BinaryK { op: BinOp, dst: u32, a: u32, k: u64 },
    /// `dst = k op b` with a constant left operand; `op` never raises.
    KBinary { op: BinOp, dst: u32, k: u64, b: u32 },
    /// A call: the frame reads its callee and arguments from the IR.
    Call,
    /// Anything else: run the IR instruction.
    Ir,
}

/// A jump's target, and whether the jump (or one it was threaded through) goes back to
/// this or an earlier block, so that it may close a loop and polls for preemption.
#[derive(Clone, Copy)]
pub struct Target {
    pub block: u32,
    pub back: bool,
}

/// A decoded block's terminator.
#[derive(Clone, Copy)]
pub enum Term {
    Jump(Target),
    /// Branch on a local boolean.
    Branch {
        cond: u32,
        then_to: Target,
        else_to: Target,
    },
    /// Anything else: run the IR terminator.
    Ir,
}

pub struct Block {
    pub ops: Box<[Op]>,
    pub term: Term,
}

/// A decoded function.
pub struct Decoded {
    pub blocks: Box<[Block]>,
}

/// Does `op` compute its result without raising and without the runtime, given that a
/// constant right operand is `k`?
fn is_pure(op: BinOp, k: Option<u64>) -> bool {
    match op {
        BinOp::IAdd
        | BinOp::ISub
        | BinOp::IMul
        | BinOp::IAnd
        | BinOp::IOr
        | BinOp::IXor
        | BinOp::IShl
        | BinOp::IShr
        | BinOp::FAdd
        | BinOp::FSub
        | BinOp::FMul
        | BinOp::FDiv
        | BinOp::ICmp(_)
        | BinOp::FCmp(_) => true,
        // Only a zero divisor raises.
        BinOp::IDiv | BinOp::IRem => matches!(k, Some(k) if k != 0),
        BinOp::FRem | BinOp::SCmp(_) => false,
    }
}

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

    pub(super) fn decode(&self, f: &Function) -> Decoded {
        let blocks = f
            .blocks
            .iter()
            .enumerate()
            .map(|(at, b)| Block {
                ops: b.insts.iter().map(|i| self.decode_inst(i)).collect(),
                term: decode_term(f, at, &b.term),
            })
            .collect();
        Decoded { blocks }
    }

    fn decode_inst(&self, inst: &Inst) -> Op {
        let local = |op: &Operand| match op {
            Operand::Local(l) => Some(l.index() as u32),
            _ => None,
        };
        let (dst, value) = match inst {
            Inst::Assign { dst, value } => (dst.index() as u32, value),
            Inst::Effect(Value::Call { .. } | Value::CallIndirect { .. }) => return Op::Call,
            _ => return Op::Ir,
        };
        match value {
            Value::Call { .. } | Value::CallIndirect { .. } => Op::Call,
            Value::Use(op) => match (local(op), self.constant(op)) {
                (Some(src), _) => Op::Move { dst, src },
                (None, Some(bits)) => Op::Const { dst, bits },
                (None, None) => Op::Ir,
            },
            Value::Binary(op, a, b) => match (local(a), local(b)) {
                (Some(a), Some(b)) if is_pure(*op, None) => Op::Binary { op: *op, dst, a, b },
                (Some(a), None) => match self.constant(b) {
                    Some(k) if is_pure(*op, Some(k)) => Op::BinaryK { op: *op, dst, a, k },
                    _ => Op::Ir,
                },
                (None, Some(b)) if is_pure(*op, None) => match self.constant(a) {
                    Some(k) => Op::KBinary { op: *op, dst, k, b },
                    None => Op::Ir,
                },
                _ => Op::Ir,
            },
            _ => Op::Ir,
        }
    }
}

/// The terminator of block `at`, its jumps threaded through empty blocks that only jump.
fn decode_term(f: &Function, at: usize, term: &Terminator) -> Term {
    let target = |to: qi_ir::BlockId| {
        let mut from = at;
        let mut to = to.index();
        let mut back = to <= from;
        // Bounded: a cycle of empty blocks is followed at most once around.
        for _ in 0..f.blocks.len() {
            let b = &f.blocks[to];
            match (&b.term, b.insts.is_empty(), b.unwind) {
                (Terminator::Jump(next), true, None) => {
                    from = to;
                    to = next.index();
                    back |= to <= from;
                }
                _ => break,
            }
        }
        Target { block: to as u32, back }
    };
    match term {
        Terminator::Jump(to) => Term::Jump(target(*to)),
        Terminator::Branch { cond: Operand::Local(c), then_to, else_to } => Term::Branch {
            cond: c.index() as u32,
            then_to: target(*then_to),
            else_to: target(*else_to),
        },
        _ => Term::Ir,
    }
}

/// `x op y` for an operation `is_pure` accepts (with `y` the constant it was given).
#[inline]
pub fn pure(op: BinOp, x: u64, y: u64) -> u64 {
    let (a, b) = (x as i64, y as i64);
    let (fa, fb) = (f64::from_bits(x), f64::from_bits(y));
    match op {
        BinOp::IAdd => a.wrapping_add(b) as u64,
        BinOp::ISub => a.wrapping_sub(b) as u64,
        BinOp::IMul => a.wrapping_mul(b) as u64,
        // `MIN / -1` wraps; `MIN % -1` is 0.
        BinOp::IDiv => a.wrapping_div(b) as u64,
        BinOp::IRem => a.wrapping_rem(b) as u64,
        BinOp::IAnd => x & y,
        BinOp::IOr => x | y,
        BinOp::IXor => x ^ y,
        // Shift counts are taken modulo 64.
        BinOp::IShl => x.wrapping_shl(y as u32),
        BinOp::IShr => a.wrapping_shr(y as u32) as u64,
        BinOp::FAdd => (fa + fb).to_bits(),
        BinOp::FSub => (fa - fb).to_bits(),
        BinOp::FMul => (fa * fb).to_bits(),
        BinOp::FDiv => (fa / fb).to_bits(),
        BinOp::ICmp(c) => super::ops::compare(c, a.cmp(&b)) as u64,
        BinOp::FCmp(c) => match fa.partial_cmp(&fb) {
            // Ordered comparisons: NaN compares false, `!=` included.
            None => 0,
            Some(o) => super::ops::compare(c, o) as u64,
        },
        BinOp::FRem | BinOp::SCmp(_) => unreachable!("not decoded as pure"),
    }
}
