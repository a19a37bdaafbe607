//! `&变量` and `*表达式` (language.md §6.10): the address of a variable's slot, for C
//! functions to read or write, and a load of an `整数` from an address.

use super::body::{FnLower, Val, VarKind};
use crate::ir::*;
use qi_syntax::ast;
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// `&名`: a `指针` to the variable's 8-byte slot. Only scalar variables (整数, 浮点数,
    /// 布尔, 字符, 指针): C writing into a slot that holds an object would break its
    /// reference count.
    pub(super) fn address_of(&mut self, operand: &ast::Expr, range: TextRange) -> Option<Val> {
        let name = match operand {
            ast::Expr::Path(p) => p.as_single_name().map(|n| n.text()),
            _ => None,
        };
        let var = name.as_deref().and_then(|n| self.lookup(n));
        let Some(var) = var else {
            self.c.error(
                range,
                "& 只能取变量的地址（局部变量或全局变量）",
                "& can only take the address of a variable (local or global)",
            );
            return None;
        };
        if var.poisoned {
            return None;
        }
        if var.is_const {
            self.c.error(
                range,
                "不能取常量的地址：C 可能通过它改写常量",
                "cannot take the address of a constant: C could change it through the address",
            );
            return None;
        }
        if !matches!(var.ty, Type::Int | Type::Float | Type::Bool | Type::Char | Type::Ptr) {
            self.c.error(
                range,
                format!("不能取 {} 类型变量的地址：& 只用于 整数、浮点数、布尔、字符、指针 变量", var.ty),
                format!("cannot take the address of a variable of type {}: & is for 整数, 浮点数, 布尔, 字符 and 指针 variables", var.ty),
            );
            return None;
        }
        let value = match var.kind {
            VarKind::Local(l) => Value::LocalAddr(l),
            VarKind::Global(g) => Value::GlobalAddr(g),
        };
        Some(self.temp(Type::Ptr, value))
    }

    /// `*表达式`: the `整数` at an address (a `指针`, or an `整数` holding one); the same
    /// load as `内存::读整数(p, 0)`, unchecked but for null (which reads 0).
    pub(super) fn dereference(&mut self, v: Val, range: TextRange) -> Option<Val> {
        if !matches!(v.ty, Type::Ptr | Type::Int) {
            self.release_temp(&v);
            self.c.error(
                range,
                format!("* 只能读取 指针 指向的整数，这里是 {}", v.ty),
                format!("* reads the 整数 a 指针 points to; this is {}", v.ty),
            );
            return None;
        }
        let read =
            crate::library::function(&crate::library::MEMORY, "读整数").expect("内存 has 读整数");
        let loc = self.c.loc(range);
        let value =
            Value::Builtin { op: Builtin::Library(read), args: vec![v.op, Operand::Int(0)], loc };
        Some(self.temp(Type::Int, value))
    }
}
