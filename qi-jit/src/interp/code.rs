//! The decoded form of a function (built by `decode`): one flat array of `Op`s for the
//! whole function, so that a frame's place is one index (`pc`), with the tables its ops
//! refer to; and the arithmetic that cannot raise (`Pure`), shared with the IR path.

use super::divide::Divisor;
use super::locals::Slot;
use qi_ir::{BinOp, Cmp, FuncId};

/// A function decoded for the interpreter.
pub struct Code {
    pub ops: Box<[Op]>,
    /// The arguments of calls (`Op::Call`, `Op::CallClosure`), by their `args` ranges.
    pub args: Box<[Arg]>,
    /// Per IR block: the pc of its unwind landing, `NO_LANDING` without one.
    pub landings: Box<[u32]>,
    /// Per pc: the IR block that starts there when it lies on a loop (`cycles`), so a jump
    /// back names the block on-stack replacement enters (`crate::tiers`); `NO_BLOCK`
    /// inside a block and at blocks on no loop. Where empty blocks share a pc, the last
    /// one laid out there, which is the one with the ops.
    pub loop_at: Box<[u32]>,
    /// Per IR block: where on-stack replacement continues a frame that jumped back to it
    /// (`decode::osr_entries`).
    pub osr_entry: Box<[u32]>,
    /// The function's number of locals (the size of its frame on the locals stack).
    pub locals: usize,
    /// Does it call Qi functions (so it checks the stack limit on entry, as compiled code
    /// does)?
    pub checks_stack: bool,
}

/// `Code::landings` of a block without an unwind edge.
pub const NO_LANDING: u32 = u32::MAX;

/// `Code::loop_at` of a pc inside a block or at a block on no loop.
pub const NO_BLOCK: u32 = u32::MAX;

/// A call argument.
#[derive(Clone, Copy)]
pub enum Arg {
    Local(Slot),
    Const(u64),
}

/// One instruction of decoded code. Jump targets are pcs.
#[derive(Clone, Copy)]
pub enum Op {
    /// `dst = src`.
    Move {
        dst: Slot,
        src: Slot,
    },
    /// `dst = bits` (a literal of any type).
    Const {
        dst: Slot,
        bits: u64,
    },
    /// `dst = a + b` (integers, wrapping), and the same with a constant `k`.
    Add {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    AddK {
        dst: Slot,
        a: Slot,
        k: u64,
    },
    /// `dst = a + b; copy = dst`.
    AddCopy {
        dst: Slot,
        copy: Slot,
        a: Slot,
        b: Slot,
    },
    /// `dst = a - b`, `dst = a - k`.
    Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    SubK {
        dst: Slot,
        a: Slot,
        k: u64,
    },
    /// `dst = a * b`, `dst = a * k`.
    Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    MulK {
        dst: Slot,
        a: Slot,
        k: u64,
    },
    /// `dst = a / by`, `dst = a % by` (integers) by a constant (`divide`).
    DivK {
        dst: Slot,
        a: Slot,
        by: Divisor,
    },
    RemK {
        dst: Slot,
        a: Slot,
        by: Divisor,
    },
    /// `dst = a op b` on two locals; `op` never raises.
    Binary {
        op: Pure,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// `dst = a op k` with a constant right operand; `op` never raises with it.
    BinaryK {
        op: Pure,
        dst: Slot,
        a: Slot,
        k: u64,
    },
    /// `dst = op a`: a negation, `!`, or a conversion that cannot fail.
    Unary {
        op: PureUnary,
        dst: Slot,
        a: Slot,
    },
    /// `dst = k op b` with a constant left operand; `op` never raises.
    KBinary {
        op: Pure,
        dst: Slot,
        k: u64,
        b: Slot,
    },
    /// `dst = obj.slot` for a 64-bit slot of a record.
    GetSlot {
        dst: Slot,
        obj: Slot,
        slot: u32,
    },
    /// `obj.slot = src` for a 64-bit slot of a record, when nothing needs publishing.
    SetSlot {
        obj: Slot,
        slot: u32,
        src: Slot,
    },
    /// `dst = array[index]` for 64-bit elements when the index is in bounds; otherwise
    /// instruction `inst` of IR block `block` raises (as `Op::Ir`).
    Index {
        dst: Slot,
        array: Slot,
        index: Slot,
        block: u32,
        inst: u32,
    },
    /// `array[index] = src` for 64-bit elements when the index is in bounds and nothing
    /// needs publishing; otherwise as `Op::Ir { block, inst }`.
    SetIndex {
        array: Slot,
        index: Slot,
        src: Slot,
        block: u32,
        inst: u32,
    },
    /// Count a reference to the object in `src` (if not null).
    Retain {
        src: Slot,
    },
    /// Give up the reference held by `src` (if not null).
    Release {
        src: Slot,
    },
    /// `dst = a < b` (integers), then go to `then_to` if it holds, else to `else_to`.
    IfLt {
        dst: Slot,
        a: Slot,
        b: Slot,
        then_to: u32,
        else_to: u32,
    },
    /// `dst = a < k`, then branch.
    IfLtK {
        dst: Slot,
        a: Slot,
        k: u64,
        then_to: u32,
        else_to: u32,
    },
    /// `dst = a cmp b` (a `Pure` comparison), then branch.
    If {
        cmp: Pure,
        dst: Slot,
        a: Slot,
        b: Slot,
        then_to: u32,
        else_to: u32,
    },
    /// `dst = a cmp k`, then branch.
    IfK {
        cmp: Pure,
        dst: Slot,
        a: Slot,
        k: u64,
        then_to: u32,
        else_to: u32,
    },
    /// Branch on a boolean local.
    Branch {
        cond: Slot,
        then_to: u32,
        else_to: u32,
    },
    /// Jump forward.
    Jump {
        to: u32,
    },
    /// Jump back (to this op or an earlier one): polls.
    JumpBack {
        to: u32,
    },
    /// Return the value of a local.
    ReturnLocal(Slot),
    /// Return a constant (0 for functions without a result).
    ReturnConst(u64),
    /// Call `func` with `args[args..args + nargs]`; the result goes to `dst`. `block` is
    /// the IR block the call ends (its unwind edge).
    Call {
        func: FuncId,
        args: u32,
        nargs: u32,
        dst: Option<Slot>,
        block: u32,
    },
    /// Call the closure `args[args]` with itself and `args[args + 1..=args + nargs]`.
    CallClosure {
        args: u32,
        nargs: u32,
        dst: Option<Slot>,
        block: u32,
    },
    /// Run instruction `inst` of IR block `block`.
    Ir {
        block: u32,
        inst: u32,
    },
    /// Leave the function with the pending exception.
    Unwind,
    /// An unreachable block (of IR block `block`) was reached.
    Unreachable {
        block: u32,
    },
}

// Every op takes 32 bytes: two per cache line.
const _: () = assert!(std::mem::size_of::<Op>() <= 32);

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

/// The one-operand operations that never raise: negations, `!`, and the conversions
/// that cannot fail (`整数`/`布尔`/`字符` to `整数` are moves: not among them).
#[derive(Clone, Copy)]
pub enum PureUnary {
    INeg,
    FNeg,
    Not,
    IntToFloat,
    FloatToIntSat,
    BoolToFloat,
    IntToBool,
}

impl PureUnary {
    pub(super) fn of_unary(op: qi_ir::UnOp) -> PureUnary {
        match op {
            qi_ir::UnOp::INeg => PureUnary::INeg,
            qi_ir::UnOp::FNeg => PureUnary::FNeg,
            qi_ir::UnOp::Not => PureUnary::Not,
        }
    }

    /// `c` as a `PureUnary`; `None` when it may raise, or moves the word unchanged.
    pub(super) fn of_conversion(c: qi_ir::Conv) -> Option<PureUnary> {
        use qi_ir::Conv;
        Some(match c {
            Conv::IntToFloat => PureUnary::IntToFloat,
            Conv::FloatToIntSat => PureUnary::FloatToIntSat,
            Conv::BoolToFloat => PureUnary::BoolToFloat,
            Conv::IntToBool => PureUnary::IntToBool,
            Conv::FloatToInt | Conv::IntToChar | Conv::BoolToInt | Conv::CharToInt => return None,
        })
    }

    /// Apply to `x` (the one definition of these operations for the interpreter).
    #[inline(always)]
    pub fn apply(self, x: u64) -> u64 {
        match self {
            PureUnary::INeg => (x as i64).wrapping_neg() as u64,
            PureUnary::FNeg => x ^ (1 << 63),
            PureUnary::Not => x ^ 1,
            PureUnary::IntToFloat => (x as i64 as f64).to_bits(),
            // Rust's conversion saturates and takes NaN to 0: exactly 浮点数转整数.
            PureUnary::FloatToIntSat => f64::from_bits(x) as i64 as u64,
            PureUnary::BoolToFloat => (x as f64).to_bits(),
            PureUnary::IntToBool => (x != 0) as u64,
        }
    }
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

/// Is `op` a comparison (a `Pure` one yields a boolean)?
pub(super) fn is_comparison(op: Pure) -> bool {
    matches!(
        op,
        Pure::IEq | Pure::INe | Pure::ILt | Pure::ILe | Pure::IGt | Pure::IGe | Pure::FCmp(_)
    )
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
