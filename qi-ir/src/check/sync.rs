//! Synchronisation and timing on `整数` handles (language.md §9.4, README item 8): the
//! builtin wait-group, mutex and time functions, and the `同步` standard-library module
//! (real locks and atomics, builtins.md).

use super::body::{FnLower, Val};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

/// `同步` functions not provided (goroutine inspection belongs to the reference's thread
/// model, which green threads replace).
const SYNC_LATER: &[&str] = &[
    "协程异常数量",
    "获取协程异常",
    "启动并等待协程",
    "等待协程",
    "协程有异常",
    "获取协程异常句柄",
];

impl FnLower<'_, '_> {
    /// A call of a builtin whose parameters and result have fixed types (`Builtin::params`,
    /// `Builtin::result`); `name` is the name it was called by.
    pub(super) fn fixed_builtin(
        &mut self,
        op: Builtin,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let params = op.params().expect("a builtin with fixed parameter types");
        if args.len() != params.len() {
            self.arity_error(name, params.len(), params.len(), args.len(), range);
            self.check_and_drop(args);
            return None;
        }
        let pairs: Vec<(ast::Expr, Type)> =
            args.iter().cloned().zip(params.iter().cloned()).collect();
        let vals = self.arguments(&pairs)?;
        let loc = self.c.loc(range);
        let value = Value::Builtin { op, args: vals.iter().map(|v| v.op).collect(), loc };
        let ret = op.result().expect("a builtin with a fixed result type");
        Some(self.finish_call(value, ret, &vals))
    }

    /// `同步.函数(…)` / `同步::函数(…)`.
    pub(super) fn sync_call(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let op = match name {
            "创建锁" => Builtin::MutexNew,
            "加锁" => Builtin::MutexLock,
            "解锁" => Builtin::MutexUnlock,
            "尝试加锁" => Builtin::MutexTryLock,
            "创建原子" => Builtin::AtomicNew,
            "读原子" => Builtin::AtomicLoad,
            "写原子" => Builtin::AtomicStore,
            "原子加" => Builtin::AtomicAdd,
            "原子比较交换" => Builtin::AtomicCas,
            "销毁锁" | "销毁原子" => {
                // Handles live as long as the program: destroying one only evaluates it.
                let [h] = args else {
                    self.arity_error(name, 1, 1, args.len(), range);
                    self.check_and_drop(args);
                    return None;
                };
                let v = self.expr_expecting(h, &Type::Int)?;
                self.coerce(v, &Type::Int, h.syntax().text_range())?;
                return Some(Val::borrowed(Operand::Int(1), Type::Int));
            }
            _ if SYNC_LATER.contains(&name) => {
                self.check_and_drop(args);
                return self.unsupported(range, &format!("同步.{name}"), &format!("同步.{name}"));
            }
            _ => {
                self.c.error(
                    range,
                    format!("标准库模块「同步」没有函数「{name}」"),
                    format!("module 同步 has no function {name}"),
                );
                self.check_and_drop(args);
                return None;
            }
        };
        self.fixed_builtin(op, name, args, range)
    }
}
