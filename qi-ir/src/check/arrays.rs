//! Arrays: literals, `数组<T>(n)`, element writes.

use super::body::{FnLower, Val};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// `[a, b, …]`. The element type is the expected one when the context gives it
    /// (`变量 a: 数组<浮点数> = [1, 2.5]`), else the first element's, widened to `浮点数`
    /// when integers and floats mix; `[]` without context is `数组<整数>`.
    pub(super) fn array_lit(&mut self, a: &ast::ArrayExpr, expected: Option<&Type>) -> Option<Val> {
        let range = a.syntax().text_range();
        let elems: Vec<ast::Expr> = a.elements().collect();
        let expected_elem = match expected {
            Some(Type::Array(e)) => Some((**e).clone()),
            _ => None,
        };
        let mut vals = Vec::with_capacity(elems.len());
        let mut ok = true;
        for e in &elems {
            let v = match &expected_elem {
                Some(t) => self.expr_expecting(e, t),
                None => self.expr(e),
            };
            match v {
                Some(v) => vals.push((v, e.syntax().text_range())),
                None => ok = false,
            }
        }
        let elem = match expected_elem {
            Some(t) => t,
            None => {
                let mut t = vals.first().map(|(v, _)| v.ty.clone()).unwrap_or(Type::Int);
                if t == Type::Int && vals.iter().any(|(v, _)| v.ty == Type::Float) {
                    t = Type::Float;
                }
                t
            }
        };
        if elem == Type::Void {
            self.c.error(range, "数组元素不能是 空 值", "array elements cannot be 空");
            ok = false;
        }
        let results: Vec<Option<Val>> =
            vals.into_iter().map(|(v, r)| self.coerce(v, &elem, r)).collect();
        let coerced = self.all_or_release(results)?;
        if !ok {
            return self.release_all(&coerced);
        }
        let loc = self.c.loc(range);
        Some(self.array_of(elem, coerced, loc))
    }

    /// A fresh array holding `vals` (already of type `elem`), which it takes over.
    pub(super) fn array_of(&mut self, elem: Type, vals: Vec<Val>, loc: Loc) -> Val {
        let arr = self.temp(
            Type::Array(Box::new(elem.clone())),
            Value::NewArray { elem, len: Operand::Int(vals.len() as i64), loc },
        );
        for (i, v) in vals.into_iter().enumerate() {
            let value = self.owned_operand(v);
            self.b.push(Inst::SetIndex {
                array: arr.op,
                index: Operand::Int(i as i64),
                value,
                loc,
                checked: true,
            });
        }
        arr
    }

    /// `数组<T>(n)`: `n` zero values (README item 10). Element types without a zero value
    /// (structs, enums, function values) are rejected; arrays of arrays get fresh empty
    /// arrays.
    pub(super) fn array_new(&mut self, a: &ast::ArrayNewExpr) -> Option<Val> {
        let range = a.syntax().text_range();
        let elem = self.c.resolve_type(&a.elem_ty()?)?;
        let len_expr = a.length()?;
        let len = self.expr(&len_expr)?;
        if len.ty != Type::Int {
            self.release_temp(&len);
            self.c.error(
                len_expr.syntax().text_range(),
                format!("数组长度必须是整数，这里是 {}", len.ty),
                format!("an array length must be an integer, found {}", len.ty),
            );
            return None;
        }
        if elem == Type::Void || super::types::zero_value(self.c, &elem).is_none() {
            self.c.error(
                range,
                format!("数组<{elem}>(n) 需要元素类型有零值；{elem} 没有零值，请用数组字面量"),
                format!("数组<{elem}>(n) needs an element type with a zero value; {elem} has none, use an array literal"),
            );
            return None;
        }
        let loc = self.c.loc(range);
        let arr = self.temp(
            Type::Array(Box::new(elem.clone())),
            Value::NewArray { elem: elem.clone(), len: len.op, loc },
        );
        if let Type::Array(inner) = &elem {
            // Fill with empty arrays, so that every element is a real array.
            let i = self.b.new_local(Type::Int, None);
            self.b.assign(i, Value::Use(Operand::Int(0)));
            let n = self.b.temp(Type::Int, Value::ArrayLen(arr.op));
            let head = self.b.new_block();
            let body = self.b.new_block();
            let done = self.b.new_block();
            self.b.jump(head);
            self.b.switch_to(head);
            let c =
                self.b.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Lt), Operand::Local(i), n));
            self.b.branch(c, body, done);
            self.b.switch_to(body);
            let empty = self.b.temp(
                elem.clone(),
                Value::NewArray { elem: (**inner).clone(), len: Operand::Int(0), loc },
            );
            self.b.push(Inst::SetIndex {
                array: arr.op,
                index: Operand::Local(i),
                value: empty,
                loc,
                checked: true,
            });
            self.b.assign(i, Value::Binary(BinOp::IAdd, Operand::Local(i), Operand::Int(1)));
            self.b.jump(head);
            self.b.switch_to(done);
        }
        Some(arr)
    }

    /// `数组[i] = 值` / `数组[i] op= 值` (also chained: `甲[i][j] = 值`).
    pub(super) fn index_assign(
        &mut self,
        ix: &ast::IndexExpr,
        op: Option<ast::BinOp>,
        value: &ast::Expr,
        range: TextRange,
    ) {
        let (Some(base), Some(index)) = (ix.base(), ix.index()) else { return };
        let Some(arr) = self.expr(&base) else { return };
        let Type::Array(elem) = arr.ty.clone() else {
            self.release_temp(&arr);
            self.c.error(
                base.syntax().text_range(),
                format!("只能对数组取下标，这里是 {}", arr.ty),
                format!("only arrays can be indexed, found {}", arr.ty),
            );
            return;
        };
        let elem = *elem;
        let Some(idx) = self.expr(&index) else {
            self.release_temp(&arr);
            return;
        };
        if idx.ty != Type::Int {
            self.release_temp(&arr);
            self.c.error(
                index.syntax().text_range(),
                format!("下标必须是整数，这里是 {}", idx.ty),
                format!("an index must be an integer, found {}", idx.ty),
            );
            return;
        }
        // The index is evaluated once, even for `op=`.
        let idx = self.b.temp(Type::Int, Value::Use(idx.op));
        let loc = self.c.loc(range);
        let new_value = match op {
            None => self.expr_expecting(value, &elem),
            Some(bin) => {
                let cur = self.b.temp(
                    elem.clone(),
                    Value::Index {
                        array: arr.op,
                        index: idx,
                        elem: elem.clone(),
                        loc,
                        checked: true,
                    },
                );
                match self.expr(value) {
                    Some(rhs) => {
                        self.binary_values(bin, Val::borrowed(cur, elem.clone()), rhs, range)
                    }
                    None => None,
                }
            }
        };
        if let Some(v) = new_value.and_then(|v| self.coerce(v, &elem, value.syntax().text_range()))
        {
            // Reading the old element checks the index while the new value is still a
            // temporary (released if the index is out of range); it is released once replaced.
            let old = elem.is_rc().then(|| {
                let old = self.b.new_local(elem.clone(), None);
                let read = Value::Index {
                    array: arr.op,
                    index: idx,
                    elem: elem.clone(),
                    loc,
                    checked: true,
                };
                self.b.assign(old, read);
                old
            });
            let op = self.owned_operand(v);
            self.b.push(Inst::SetIndex {
                array: arr.op,
                index: idx,
                value: op,
                loc,
                checked: true,
            });
            if let Some(old) = old {
                self.b.push(Inst::Release(old));
            }
        }
        self.release_temp(&arr);
    }
}
