//! Generators (docs/LANGUAGE-NOTES.md "Generators"): `协程 函数 名(…): T { … 让出 e; … }`,
//! the type `协程<T>`, `恢复(g)` → `选项<T>`, `对于 x 在 g`, and `当 变量 x = e { … }` for
//! any `选项<T>` expression.
//!
//! A `协程 函数` declared `: T` is called like any function and returns `协程<T>`. It is
//! lowered as futures are (futures.rs), as two functions plus a closure code:
//! * the body, named as the function (so that stack traces show its name), returning
//!   `空`, where `让出 e` is `GenYield [e]`;
//! * the function callers call (`名.创建`): a closure holding the parameters, then
//!   `GenNew [closure]`, which runs nothing yet;
//! * the closure's code (`名.协程`): calls the body with the parameters from the record.
//!
//! The runtime (`qi_rt::generator`) runs that closure on a coroutine of its own when the
//! generator is first resumed. `恢复(g)` is `GenResume [g]` (1 when a value is ready,
//! 0 once finished; it raises what the body raised), then `GenTake [g]` for the value.
//!
//! `协程`, `让出`, `启动协程` and `恢复` stay ordinary names (language.md §2.4): the parser
//! takes `协程 函数`, `让出 值;` and `启动协程 f(…)` as these forms only where an
//! ordinary name could not stand, and `恢复(…)` is the builtin only when the program
//! declares no function or variable of that name.

use super::body::{lower_body_with, FnLower, Val, Var, VarKind};
use super::enums::BuiltinEnum;
use super::Checker;
use crate::builder::FnBuilder;
use crate::ir::*;
use qi_syntax::ast;
use rowan::TextRange;

impl Checker<'_> {
    /// `协程<T>`.
    pub(super) fn generator_type(
        &mut self,
        args: Vec<ast::TypeRef>,
        range: TextRange,
    ) -> Option<Type> {
        let [elem] = args.as_slice() else {
            self.error(
                range,
                "协程类型需要一个元素类型：协程<T>",
                "a generator type takes one element type: 协程<T>",
            );
            return None;
        };
        match self.resolve_type(elem)? {
            Type::Void => {
                self.error(range, "协程的元素类型不能是 空", "a generator cannot yield 空 values");
                None
            }
            t => Some(Type::Gen(Box::new(t))),
        }
    }

    /// What calling `f`, declared to return `ret`, gives: `协程<ret>` for a `协程 函数`
    /// (which must declare the type it yields and cannot be `异步`); `None` after an error.
    pub(super) fn generator_result(&mut self, f: &ast::FnDecl, ret: Type) -> Option<Type> {
        let Some(word) = f.generator_word() else { return Some(ret) };
        let range = word.text_range();
        if f.is_async() {
            self.error(range, "协程函数不能是 异步 函数", "a 协程 函数 cannot be 异步");
            return None;
        }
        if ret == Type::Void {
            self.error(
                range,
                "协程函数必须声明让出值的类型：协程 函数 名(…): T",
                "a 协程 函数 must declare the type of the values it yields: 协程 函数 名(…): T",
            );
            return None;
        }
        Some(Type::Gen(Box::new(ret)))
    }

    /// The function callers call for the `协程 函数` `decl` yielding `elem`; lowers the
    /// body on the way.
    pub(super) fn generator_function(
        &mut self,
        decl: &ast::FnDecl,
        name: String,
        params: Vec<(Option<String>, Type)>,
        elem: Type,
        loc: Loc,
    ) -> Function {
        let body_id = self.reserve_function();
        let yield_ty = elem.clone();
        let body =
            lower_body_with(self, decl, name.clone(), params.clone(), Type::Void, loc, |l| {
                l.yield_ty = Some(yield_ty)
            });
        self.fill_function(body_id, body);
        let slots: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
        let code =
            self.call_code(format!("{name}.协程"), Some(body_id), &slots, &Type::Void, false, loc);
        let layout = self.closure_layout_of(
            slots.iter().map(|ty| Slot { ty: ty.clone(), weak: false }).collect(),
        );

        let gen_ty = Type::Gen(Box::new(elem.clone()));
        let n = params.len();
        let b = FnBuilder::new(format!("{name}.创建"), params, gen_ty.clone(), loc);
        let mut l = FnLower::new(self, b, gen_ty.clone());
        l.n_params = n;
        // The closure gets its own references to the (borrowed) parameters.
        let values: Vec<Option<(Val, bool)>> = (0..n)
            .map(|i| {
                let local = LocalId(i as u32);
                let ty = l.b.func.local_ty(local).clone();
                Some((Val::borrowed(Operand::Local(local), ty), false))
            })
            .collect();
        let closure_ty = FnType { params: vec![], ret: Type::Void };
        let closure = l.closure_record(closure_ty, code, layout, values);
        let op = Builtin::GenNew(elem.bits());
        let g = l.temp(gen_ty, Value::Builtin { op, args: vec![closure.op], loc });
        l.release_temp(&closure);
        l.return_value(g);
        l.finish(None)
    }
}

impl FnLower<'_, '_> {
    /// `让出 e;`: only in the body of a `协程 函数`, with a value of its element type.
    pub(super) fn yield_stmt(&mut self, s: &ast::YieldStmt) {
        let range = Self::range_of(s);
        let Some(e) = s.expr() else { return };
        let Some(elem) = self.yield_ty.clone() else {
            if let Some(v) = self.expr(&e) {
                self.release_temp(&v);
            }
            self.c.error(
                range,
                "让出 只能用在 协程 函数 的函数体里（闭包里也不行）",
                "让出 can only be used in the body of a 协程 函数 (not in a closure inside it)",
            );
            return;
        };
        let Some(v) = self.expr_expecting(&e, &elem) else { return };
        if !Self::converts_implicitly(&v.ty, &elem) {
            self.release_temp(&v);
            self.c.error(
                Self::range_of(&e),
                format!("让出 的值类型不匹配：这个协程让出 {elem}，这里是 {}", v.ty),
                format!("让出 type mismatch: this generator yields {elem}, found {}", v.ty),
            );
            return;
        }
        let Some(v) = self.coerce(v, &elem, Self::range_of(&e)) else { return };
        let loc = self.c.loc(range);
        let op = Builtin::GenYield(elem.bits());
        self.b.push(Inst::Effect(Value::Builtin { op, args: vec![v.op], loc }));
        self.release_temp(&v);
    }

    /// `启动协程 f(…)`: the same as the call `f(…)` of a `协程 函数`.
    pub(super) fn generator_start(&mut self, e: &ast::GenStartExpr) -> Option<Val> {
        let inner = e.expr()?;
        let v = self.expr(&inner)?;
        let is_call = matches!(inner, ast::Expr::Call(_) | ast::Expr::MethodCall(_));
        if !is_call || !matches!(v.ty, Type::Gen(_)) {
            self.release_temp(&v);
            self.c.error(
                Self::range_of(&inner),
                "启动协程 后面必须是协程函数的调用",
                "启动协程 must be followed by a call of a 协程 函数",
            );
            return None;
        }
        Some(v)
    }

    /// `恢复(g)` → `选项<T>`: `有(值)` at the body's next `让出`, `无` once it has ended.
    pub(super) fn resume_call(&mut self, args: &[ast::Expr], range: TextRange) -> Option<Val> {
        let [arg] = args else {
            for a in args {
                if let Some(v) = self.expr(a) {
                    self.release_temp(&v);
                }
            }
            self.c.error(
                range,
                format!("恢复 需要 1 个参数（一个协程），实际传了 {} 个", args.len()),
                format!("恢复 takes 1 argument (a generator), {} given", args.len()),
            );
            return None;
        };
        let g = self.expr(arg)?;
        let Type::Gen(elem) = g.ty.clone() else {
            self.release_temp(&g);
            self.c.error(
                Self::range_of(arg),
                format!("恢复 的参数必须是协程，这里是 {}", g.ty),
                format!("恢复 takes a generator, found {}", g.ty),
            );
            return None;
        };
        let elem = *elem;
        let opt_ty = self.c.builtin_enum(BuiltinEnum::Option, &elem);
        let Type::Enum { e, .. } = &opt_ty else { unreachable!("选项 is an enum") };
        let id = e.id;
        let some = self.c.variant_index(id, "有").expect("built-in variant");
        let none = self.c.variant_index(id, "无").expect("built-in variant");
        let loc = self.c.loc(range);
        let result = self.b.new_local(opt_ty.clone(), None);
        let ready = self.resume_ready(g.op, loc);
        let (some_b, none_b, join) = (self.b.new_block(), self.b.new_block(), self.b.new_block());
        self.b.branch(ready, some_b, none_b);
        for (block, tag) in [(some_b, some), (none_b, none)] {
            self.b.switch_to(block);
            let payload = if tag == some {
                let op = Builtin::GenTake(elem.bits());
                let v = self.temp(elem.clone(), Value::Builtin { op, args: vec![g.op], loc });
                vec![(v, range)]
            } else {
                Vec::new()
            };
            let value = self.build_variant(id, tag, payload, range)?;
            let op = self.owned_operand(value);
            self.b.assign(result, Value::Use(op));
            self.b.jump(join);
        }
        self.b.switch_to(join);
        self.release_temp(&g);
        let owned = opt_ty.is_rc();
        if owned {
            self.b.own(result);
        }
        Some(Val { op: Operand::Local(result), ty: opt_ty, owned })
    }

    /// `GenResume [g]` as a condition: is a value ready?
    fn resume_ready(&mut self, g: Operand, loc: Loc) -> Operand {
        let ready =
            self.b.temp(Type::Int, Value::Builtin { op: Builtin::GenResume, args: vec![g], loc });
        self.b.temp(Type::Bool, Value::Convert(Conv::IntToBool, ready))
    }

    /// `对于 x 在 g { … }`: resumes `g` before each round, until it has ended.
    pub(super) fn for_generator(&mut self, s: &ast::ForStmt, g: Val, elem: Type) {
        self.for_pulled(
            s,
            g,
            elem,
            |l, g, loc| l.resume_ready(g, loc),
            |g, elem, loc| Value::Builtin { op: Builtin::GenTake(elem.bits()), args: vec![g], loc },
        )
    }

    /// `当 变量 x = e { … }`: evaluates the `选项<T>` `e` before each round and runs the
    /// body with `x` bound to the value while it is `有(值)`.
    pub(super) fn while_some(&mut self, s: &ast::WhileStmt, name: ast::Name) {
        let Some(e) = s.cond() else { return };
        let (head, test, body, exit) =
            (self.b.new_block(), self.b.new_block(), self.b.new_block(), self.b.new_block());
        self.b.jump(head);
        self.b.switch_to(head);
        let Some(v) = self.expr(&e) else { return };
        let Some(BuiltinEnum::Option) = self.c.builtin_enum_of(&v.ty) else {
            self.release_temp(&v);
            self.c.error(
                Self::range_of(&e),
                format!("`当 变量 x = …` 需要一个 选项<T> 值，这里是 {}", v.ty),
                format!("`当 变量 x = …` needs a 选项<T> value, found {}", v.ty),
            );
            return;
        };
        let opt_ty = v.ty.clone();
        let Type::Enum { e: info, .. } = &opt_ty else { unreachable!("选项 is an enum") };
        let id = info.id;
        let elem = self.c.enums[id.index()].variants[self.c.variant_index(id, "有").expect("有")]
            .payload[0]
            .clone();
        // The option is held in a slot of its own for the round (released before the next
        // evaluation and after the loop).
        let opt = self.b.new_local(opt_ty.clone(), None);
        let x = self.b.new_local(elem.clone(), Some(name.text()));
        if opt_ty.is_rc() {
            self.track_owned(opt);
        }
        if elem.is_rc() {
            self.track_owned(x);
        }
        let op = self.owned_operand(v);
        if opt_ty.is_rc() {
            self.b.push(Inst::Release(opt));
        }
        self.b.assign(opt, Value::Use(op));
        self.b.jump(test);
        self.b.switch_to(test);
        let opt_val = Val::borrowed(Operand::Local(opt), opt_ty.clone());
        let tag = self.enum_tag(&opt_val);
        let some = self.c.variant_index(id, "有").expect("有") as i64;
        let is_some =
            self.b.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Eq), tag, Operand::Int(some)));
        self.b.branch(is_some, body, exit);
        self.b.switch_to(body);
        self.push_scope();
        if elem.is_rc() {
            self.b.push(Inst::Release(x));
        }
        let payload = if self.is_niche(&opt_ty) {
            Value::Use(Operand::Local(opt))
        } else {
            Value::GetSlot { obj: Operand::Local(opt), slot: 1, ty: elem.clone() }
        };
        self.b.assign(x, payload);
        if elem.is_rc() {
            self.b.push(Inst::Retain(Operand::Local(x)));
        }
        let var =
            Var { kind: VarKind::Local(x), ty: elem.clone(), is_const: false, poisoned: false };
        self.declare(name.text(), var);
        self.loop_body(s.body(), head, exit);
        self.pop_scope();
        self.b.jump(head);
        self.b.switch_to(exit);
        if opt_ty.is_rc() {
            self.b.push(Inst::Release(opt));
            self.b.assign(opt, Value::Use(Operand::Null));
        }
    }
}
