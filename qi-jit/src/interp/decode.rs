//! The pre-decoded form of a function, built the first time it is interpreted: per
//! block, one `Op` per IR instruction (so a frame's place, block and instruction, means
//! the same in both forms) and the terminator, with the common cheap instructions —
//! copies, constants, arithmetic and comparisons that cannot raise — resolved to local
//! slots and constant bits, and jumps threaded through empty blocks. Everything else
//! stays `Op::Ir`: the frame runs the IR instruction itself, as before.

use super::Interpreted;
use qi_ir::{BinOp, Cmp, Function, Inst, Operand, Terminator, Value};

/// One instruction of a decoded block.
#[derive(Clone, Copy)]
pub enum Op {
    /// `dst = src`.
    Move { dst: u32, src: u32 },
    /// `dst = bits` (a literal of any type).
    Const { dst: u32, bits: u64 },
    /// `dst = a op b` on two locals; `op` never raises.
    Binary { op: Pure, dst: u32, a: u32, b: u32 },
    /// `dst = a op k` with a constant right operand; `op` never raises with it.
    BinaryK { op: Pure, dst: u32, a: u32, k: u64 },
    /// `dst = k op b` with a constant left operand; `op` never raises.
    KBinary { op: Pure, dst: u32, k: u64, b: u32 },
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
    /// Return the value of a local.
    ReturnLocal(u32),
    /// Return a constant (0 for functions without a result).
    ReturnConst(u64),
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

/// The operations that compute their result without raising and without the runtime,
/// one level deep (so that running one is a single dispatch).
#[derive(Clone, Copy)]
pub enum Pure {
    IAdd,
    ISub,
    IMul,
    IDiv,
    IRem,
    IAnd,
    IOr,
    IXor,
    IShl,
    IShr,
    FAdd,
    FSub,
    FMul,
    FDiv,
    IEq,
    INe,
    ILt,
    ILe,
    IGt,
    IGe,
    /// Float comparisons (ordered: NaN compares false, `!=` included).
    FCmp(Cmp),
}

/// `op` as a `Pure` operation, given that a constant right operand is `k`; `None` when it
/// may raise or needs the runtime.
pub(super) fn pure_op(op: BinOp, k: Option<u64>) -> Option<Pure> {
    Some(match op {
        BinOp::IAdd => Pure::IAdd,
        BinOp::ISub => Pure::ISub,
        BinOp::IMul => Pure::IMul,
        BinOp::IAnd => Pure::IAnd,
        BinOp::IOr => Pure::IOr,
        BinOp::IXor => Pure::IXor,
        BinOp::IShl => Pure::IShl,
        BinOp::IShr => Pure::IShr,
        BinOp::FAdd => Pure::FAdd,
        BinOp::FSub => Pure::FSub,
        BinOp::FMul => Pure::FMul,
        BinOp::FDiv => Pure::FDiv,
        BinOp::ICmp(c) => match c {
            Cmp::Eq => Pure::IEq,
            Cmp::Ne => Pure::INe,
            Cmp::Lt => Pure::ILt,
            Cmp::Le => Pure::ILe,
            Cmp::Gt => Pure::IGt,
            Cmp::Ge => Pure::IGe,
        },
        BinOp::FCmp(c) => Pure::FCmp(c),
        // Only a zero divisor raises.
        BinOp::IDiv if matches!(k, Some(k) if k != 0) => Pure::IDiv,
        BinOp::IRem if matches!(k, Some(k) if k != 0) => Pure::IRem,
        BinOp::IDiv | BinOp::IRem | BinOp::FRem | BinOp::SCmp(_) => return None,
    })
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
                term: decode_term(f, at, &b.term, |op| self.constant(op)),
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
                (Some(a), Some(b)) => match pure_op(*op, None) {
                    Some(op) => Op::Binary { op, dst, a, b },
                    None => Op::Ir,
                },
                (Some(a), None) => match self.constant(b) {
                    Some(k) => match pure_op(*op, Some(k)) {
                        Some(op) => Op::BinaryK { op, dst, a, k },
                        None => Op::Ir,
                    },
                    None => Op::Ir,
                },
                (None, Some(b)) => match (pure_op(*op, None), self.constant(a)) {
                    (Some(op), Some(k)) => Op::KBinary { op, dst, k, b },
                    _ => Op::Ir,
                },
                (None, None) => Op::Ir,
            },
            _ => Op::Ir,
        }
    }
}

/// The terminator of block `at`, its jumps threaded through empty blocks that only jump.
fn decode_term(
    f: &Function,
    at: usize,
    term: &Terminator,
    constant: impl Fn(&Operand) -> Option<u64>,
) -> Term {
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
        Terminator::Return(op) => match op {
            Some(_) if f.ret == qi_ir::Type::Void => Term::ReturnConst(0),
            None => Term::ReturnConst(0),
            Some(Operand::Local(l)) => Term::ReturnLocal(l.index() as u32),
            Some(op) => match constant(op) {
                Some(bits) => Term::ReturnConst(bits),
                None => Term::Ir,
            },
        },
        _ => Term::Ir,
    }
}

/// `x op y` (with `y` the constant `pure_op` was given for a division).
#[inline(always)]
pub fn pure(op: Pure, x: u64, y: u64) -> u64 {
    let (a, b) = (x as i64, y as i64);
    let (fa, fb) = (f64::from_bits(x), f64::from_bits(y));
    match op {
        Pure::IAdd => a.wrapping_add(b) as u64,
        Pure::ISub => a.wrapping_sub(b) as u64,
        Pure::IMul => a.wrapping_mul(b) as u64,
        // `MIN / -1` wraps; `MIN % -1` is 0.
        Pure::IDiv => a.wrapping_div(b) as u64,
        Pure::IRem => a.wrapping_rem(b) as u64,
        Pure::IAnd => x & y,
        Pure::IOr => x | y,
        Pure::IXor => x ^ y,
        // Shift counts are taken modulo 64.
        Pure::IShl => x.wrapping_shl(y as u32),
        Pure::IShr => a.wrapping_shr(y as u32) as u64,
        Pure::FAdd => (fa + fb).to_bits(),
        Pure::FSub => (fa - fb).to_bits(),
        Pure::FMul => (fa * fb).to_bits(),
        Pure::FDiv => (fa / fb).to_bits(),
        Pure::IEq => (a == b) as u64,
        Pure::INe => (a != b) as u64,
        Pure::ILt => (a < b) as u64,
        Pure::ILe => (a <= b) as u64,
        Pure::IGt => (a > b) as u64,
        Pure::IGe => (a >= b) as u64,
        Pure::FCmp(c) => match fa.partial_cmp(&fb) {
            None => 0,
            Some(o) => super::ops::compare(c, o) as u64,
        },
    }
}
