//! Binary operators: typing rules (language.md §6, README items 4–6) and lowering.

use super::body::{FnLower, Val};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode, BinOp as AstOp};
use rowan::TextRange;

impl FnLower<'_, '_> {
    pub(super) fn binary(&mut self, e: &ast::BinExpr) -> Option<Val> {
        let range = e.syntax().text_range();
        let op = e.op_kind()?;
        if op.is_logical() {
            return self.logical(op, e, range);
        }
        let lhs = self.expr(&e.lhs()?);
        let rhs = match e.rhs() {
            Some(r) => self.expr(&r),
            None => None,
        };
        match (lhs, rhs) {
            (Some(l), Some(r)) => self.binary_values(op, l, r, range),
            (l, r) => {
                for v in [l, r].into_iter().flatten() {
                    self.release_temp(&v);
                }
                None
            }
        }
    }

    /// `&&`/`||` short-circuit (README item 6). Operands are `布尔` (or `整数`, true when
    /// non-zero).
    fn logical(&mut self, op: AstOp, e: &ast::BinExpr, range: TextRange) -> Option<Val> {
        let result = self.b.new_local(Type::Bool, None);
        let lhs = self.logical_operand(&e.lhs()?)?;
        let rhs_block = self.b.new_block();
        let done = self.b.new_block();
        self.b.assign(result, Value::Use(lhs));
        if op == AstOp::And {
            self.b.branch(lhs, rhs_block, done);
        } else {
            self.b.branch(lhs, done, rhs_block);
        }
        self.b.switch_to(rhs_block);
        let rhs = e.rhs().and_then(|r| self.logical_operand(&r));
        if let Some(rhs) = rhs {
            self.b.assign(result, Value::Use(rhs));
        }
        self.b.jump(done);
        self.b.switch_to(done);
        let _ = range;
        rhs.map(|_| Val::borrowed(Operand::Local(result), Type::Bool))
    }

    fn logical_operand(&mut self, e: &ast::Expr) -> Option<Operand> {
        self.truth_value(
            e,
            "逻辑运算的操作数必须是 布尔",
            "operands of a logical operator must be 布尔",
        )
    }

    /// Type and lower `l op r`; consumes both values.
    pub(super) fn binary_values(
        &mut self,
        op: AstOp,
        l: Val,
        r: Val,
        range: TextRange,
    ) -> Option<Val> {
        if l.ty == Type::Void || r.ty == Type::Void {
            self.c.error(range, "空 值不能参与运算", "a 空 value cannot be used in an operation");
            return None;
        }
        if op == AstOp::Add && (l.ty == Type::Str || r.ty == Type::Str) {
            let l = self.stringify(l, range)?;
            let r = match self.stringify(r, range) {
                Some(r) => r,
                None => {
                    self.release_temp(&l);
                    return None;
                }
            };
            return Some(self.concat(l, r, range));
        }
        if l.ty == Type::Str && r.ty == Type::Str && op.is_comparison() {
            let v = self.temp(Type::Bool, Value::Binary(BinOp::SCmp(cmp(op)), l.op, r.op));
            self.release_temp(&l);
            self.release_temp(&r);
            return Some(v);
        }
        if op.is_comparison() {
            return self.comparison(op, l, r, range);
        }
        let (l_ty, r_ty) = (l.ty.clone(), r.ty.clone());
        if l_ty == Type::Ptr || r_ty == Type::Ptr {
            self.release_temp(&l);
            self.release_temp(&r);
            self.c.error(
                range,
                "指针不支持算术运算 —— 只能做比较（== != 大于 小于 …）或传回 C 函数",
                "pointers do not support arithmetic — they can only be compared (== != > < …) or passed back to C functions",
            );
            return None;
        }
        let bad = |t: &Type| !matches!(t, Type::Int | Type::Float | Type::Bool | Type::Char);
        if bad(&l_ty) || bad(&r_ty) {
            self.release_temp(&l);
            self.release_temp(&r);
            let side = if bad(&l_ty) { (&l_ty, "左", "left") } else { (&r_ty, "右", "right") };
            self.c.error(
                range,
                format!("运算 {} 不支持{}操作数（{}）", op.symbol(), side.1, side.0),
                format!(
                    "operator {} does not accept a {} operand of type {}",
                    op.symbol(),
                    side.2,
                    side.0
                ),
            );
            return None;
        }
        if op.is_bitwise() {
            if let Some((t, side_zh, side_en)) = [(&l_ty, "左", "left"), (&r_ty, "右", "right")]
                .into_iter()
                .find(|(t, _, _)| **t == Type::Float)
            {
                self.c.error(
                    range,
                    format!("位运算 {} 只能用于整数，{side_zh}操作数是{t}。请先用 作为 整数 转换", op.symbol()),
                    format!("bitwise {} needs integers, the {side_en} operand is {t}; convert with 作为 整数", op.symbol()),
                );
                return None;
            }
        }
        // Booleans and characters take part in arithmetic as integers (code points).
        let l = self.widen_to_int(l);
        let r = self.widen_to_int(r);
        if l.ty == Type::Float || r.ty == Type::Float {
            let l = self.int_to_float(l);
            let r = self.int_to_float(r);
            let fop = match op {
                AstOp::Add => BinOp::FAdd,
                AstOp::Sub => BinOp::FSub,
                AstOp::Mul => BinOp::FMul,
                AstOp::Div => BinOp::FDiv,
                AstOp::Rem => BinOp::FRem,
                _ => unreachable!("bitwise float operands were rejected above"),
            };
            return Some(self.temp(Type::Float, Value::Binary(fop, l.op, r.op)));
        }
        let iop = match op {
            AstOp::Add => BinOp::IAdd,
            AstOp::Sub => BinOp::ISub,
            AstOp::Mul => BinOp::IMul,
            AstOp::Div => BinOp::IDiv,
            AstOp::Rem => BinOp::IRem,
            AstOp::BitAnd => BinOp::IAnd,
            AstOp::BitOr => BinOp::IOr,
            AstOp::BitXor => BinOp::IXor,
            AstOp::Shl => BinOp::IShl,
            AstOp::Shr => BinOp::IShr,
            _ => unreachable!("comparisons and logic are handled above"),
        };
        Some(self.temp(Type::Int, Value::Binary(iop, l.op, r.op)))
    }

    fn comparison(&mut self, op: AstOp, l: Val, r: Val, range: TextRange) -> Option<Val> {
        let c = cmp(op);
        let value = match (&l.ty, &r.ty) {
            (Type::Bool, Type::Bool)
            | (Type::Char, Type::Char)
            | (Type::Int, Type::Int)
            | (Type::Ptr, Type::Ptr) => Value::Binary(BinOp::ICmp(c), l.op, r.op),
            // Payload-less enum values compare as their tags (language.md §5.7).
            (Type::Enum { boxed: false, e: a, .. }, Type::Enum { boxed: false, e: b, .. })
                if a == b && matches!(op, AstOp::Eq | AstOp::Ne) =>
            {
                Value::Binary(BinOp::ICmp(c), l.op, r.op)
            }
            (Type::Char, Type::Int) | (Type::Int, Type::Char) => {
                let l = self.widen_to_int(l);
                let r = self.widen_to_int(r);
                Value::Binary(BinOp::ICmp(c), l.op, r.op)
            }
            (Type::Int | Type::Float, Type::Int | Type::Float) => {
                let l = self.int_to_float(l);
                let r = self.int_to_float(r);
                Value::Binary(BinOp::FCmp(c), l.op, r.op)
            }
            (lt, rt) => {
                let (lt, rt) = (lt.clone(), rt.clone());
                self.release_temp(&l);
                self.release_temp(&r);
                self.c.error(
                    range,
                    format!("不能比较 {lt} 和 {rt}"),
                    format!("cannot compare {lt} with {rt}"),
                );
                return None;
            }
        };
        Some(self.temp(Type::Bool, value))
    }

    fn widen_to_int(&mut self, v: Val) -> Val {
        let conv = match v.ty {
            Type::Bool => Conv::BoolToInt,
            Type::Char => Conv::CharToInt,
            _ => return v,
        };
        self.temp(Type::Int, Value::Convert(conv, v.op))
    }

    fn int_to_float(&mut self, v: Val) -> Val {
        if v.ty == Type::Int {
            self.temp(Type::Float, Value::Convert(Conv::IntToFloat, v.op))
        } else {
            v
        }
    }
}

fn cmp(op: AstOp) -> Cmp {
    match op {
        AstOp::Eq => Cmp::Eq,
        AstOp::Ne => Cmp::Ne,
        AstOp::Lt => Cmp::Lt,
        AstOp::Le => Cmp::Le,
        AstOp::Gt => Cmp::Gt,
        AstOp::Ge => Cmp::Ge,
        _ => unreachable!("not a comparison"),
    }
}
