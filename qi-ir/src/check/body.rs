//! Function bodies: scopes, ownership bookkeeping and statements.
//!
//! Ownership rules of the lowering (see also `docs/ARCHITECTURE.md`):
//! * a variable slot of object type owns one reference; it is released before it is
//!   overwritten, at the end of its block, and at function exit;
//! * parameters are borrowed from the caller; a parameter that the body assigns is
//!   retained on entry so that it owns its value like any other variable;
//! * an expression result is either *owned* (a fresh temporary that must be consumed or
//!   released right after its use) or *borrowed* (a variable or literal);
//! * results are returned owned.

use super::{Checker, FuncId, GlobalVar};
use crate::builder::FnBuilder;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

#[derive(Clone, Debug)]
pub(super) enum VarKind {
    Local(LocalId),
    Global(GlobalId),
}

#[derive(Clone, Debug)]
pub(super) struct Var {
    pub kind: VarKind,
    pub ty: Type,
    pub is_const: bool,
    /// Its declaration failed to check: uses are not reported again (no cascades).
    pub poisoned: bool,
}

/// A checked, lowered expression.
#[derive(Clone, Debug)]
pub(super) struct Val {
    pub op: Operand,
    pub ty: Type,
    /// The operand is a temporary holding a reference this code must consume or release.
    pub owned: bool,
}

impl Val {
    pub fn borrowed(op: Operand, ty: Type) -> Val {
        Val { op, ty, owned: false }
    }
}

struct Loop {
    continue_to: BlockId,
    break_to: BlockId,
}

/// An enclosing `尝试 … 最终 { … }`: leaving its try or catch body by `返回`, `跳出` or
/// `继续` runs the `最终` body first.
pub(super) struct Finally {
    pub body: ast::Block,
    /// Loops open outside the `尝试` (a `跳出` to one of them leaves the `尝试`).
    pub loops_outside: usize,
    /// The exception handlers in force outside the `尝试`.
    pub handlers_outside: Vec<(BlockId, usize)>,
}

pub(super) struct FnLower<'c, 'a> {
    pub c: &'c mut Checker<'a>,
    pub b: FnBuilder,
    scopes: Vec<Vec<(String, Var)>>,
    loops: Vec<Loop>,
    /// Where `返回` goes: releases the variables, then returns `ret_local`.
    exit: BlockId,
    /// Where an exception not caught in this function goes: releases the variables, then
    /// leaves with the exception.
    unwind: BlockId,
    /// Enclosing `尝试`s with a `最终`, innermost last.
    pub(super) finally: Vec<Finally>,
    /// Exceptions being handled (slots), innermost last: by enclosing `捕获` bodies
    /// (`true`) or by `最终` bodies running for an exception (`false`), with the number of
    /// loops open when that body began.
    pub(super) caught: Vec<(LocalId, usize, bool)>,
    ret_local: Option<LocalId>,
    pub ret_ty: Type,
    /// Lowering the body of a function declared `: 未来<T>` (`ret_ty` is `T`): `返回` also
    /// takes a `未来<T>`, whose outcome becomes the function's (futures.rs).
    pub(super) future_body: bool,
    /// Lowering the body of a `协程 函数` yielding `T`: `让出` takes a `T` (generators.rs).
    pub(super) yield_ty: Option<Type>,
    /// Variable slots that own a reference (released at exit).
    pub(super) owned_vars: Vec<LocalId>,
    /// Parameters of object type that the body assigns.
    assigned_params: Vec<LocalId>,
    pub(super) n_params: usize,
    /// While the call of a `启动` statement is lowered: where that call is captured
    /// instead of emitted (see `spawn.rs`).
    pub(super) spawn: Option<super::spawn::SpawnSink>,
    /// Where the variables were declared, when the checker records for editors
    /// (recorder.rs).
    pub(super) defs: std::collections::HashMap<LocalId, crate::index::Span>,
}

pub(super) fn lower_function(c: &mut Checker, id: FuncId) -> Function {
    let sig = c.sig(id);
    let decl = sig.decl.clone();
    let params: Vec<(Option<String>, Type)> =
        sig.params.iter().map(|p| (Some(p.name.clone()), p.ty.clone())).collect();
    let ret = sig.ret.clone();
    let name = sig.name.clone();
    let subst = sig.subst.clone();
    c.file = sig.file;
    // A generic instance's body sees its type parameters as the concrete types.
    let saved_subst = std::mem::replace(&mut c.type_subst, subst);
    let loc = c.loc(decl.syntax().text_range());
    let f = match ret {
        // The body runs as a green thread of its own (docs/CONCURRENCY.md).
        Type::Future(result) => c.future_function(&decl, name, params, *result, loc),
        // The body runs as a coroutine of its own, resumed by `恢复` (generators.rs).
        Type::Gen(elem) if decl.is_generator() => {
            c.generator_function(&decl, name, params, *elem, loc)
        }
        ret => {
            if decl.is_async() {
                let fname = decl.name().map(|n| n.text()).unwrap_or_default();
                let at = decl
                    .name()
                    .map(|n| n.syntax().text_range())
                    .unwrap_or_else(|| decl.syntax().text_range());
                c.error(
                    at,
                    format!("函数 `{fname}`：异步函数必须返回 未来<T>"),
                    format!("function `{fname}`: an 异步 function must return 未来<T>"),
                );
            }
            lower_body(c, &decl, name, params, ret, false, loc)
        }
    };
    c.type_subst = saved_subst;
    f
}

/// Lower the body of a declared function into a function of that signature (parameters
/// named as declared); `future_body` when it is the body of a function declared
/// `: 未来<ret>`.
pub(super) fn lower_body(
    c: &mut Checker,
    decl: &ast::FnDecl,
    name: String,
    params: Vec<(Option<String>, Type)>,
    ret: Type,
    future_body: bool,
    loc: Loc,
) -> Function {
    lower_body_with(c, decl, name, params, ret, loc, |l| l.future_body = future_body)
}

/// [`lower_body`], with `setup` saying what kind of body it is.
pub(super) fn lower_body_with(
    c: &mut Checker,
    decl: &ast::FnDecl,
    name: String,
    params: Vec<(Option<String>, Type)>,
    ret: Type,
    loc: Loc,
    setup: impl FnOnce(&mut FnLower),
) -> Function {
    let names: Vec<String> = params.iter().map(|(n, _)| n.clone().unwrap_or_default()).collect();
    let b = FnBuilder::new(name, params, ret.clone(), loc);
    let mut l = FnLower::new(c, b, ret);
    setup(&mut l);
    // Where each parameter is named (a method's receiver first).
    let receiver = decl.receiver().and_then(|r| r.name());
    let written = receiver.into_iter().chain(decl.params().filter_map(|p| p.name()));
    let mut at: Vec<TextRange> = written.map(|n| n.syntax().text_range()).collect();
    // An `实现` method's `自己` is named nowhere: the function's name stands for it.
    let fn_name = decl.name().map_or(decl.syntax().text_range(), |n| n.syntax().text_range());
    at.splice(0..0, std::iter::repeat_n(fn_name, names.len().saturating_sub(at.len())));
    for (i, name) in names.into_iter().enumerate() {
        let ty = l.b.func.locals[i].ty.clone();
        let var =
            Var { kind: VarKind::Local(LocalId(i as u32)), ty, is_const: false, poisoned: false };
        l.declare_at(name, var, at[i]);
    }
    l.n_params = l.b.func.params.len();
    let end = decl.body().and_then(|b| b.r_brace()).map(|t| t.text_range());
    if let Some(body) = decl.body() {
        l.block(&body);
    }
    l.finish(end)
}

/// A global `变量`/`常量`: its initialiser runs in `main`.
pub(super) fn lower_global(
    c: &mut Checker,
    main: &mut FnBuilder,
    _main_id: FuncId,
    g: &ast::LetStmt,
) {
    let Some(name) = g.name() else { return };
    let text = name.text();
    let range = name.syntax().text_range();
    if c.global_scope.contains_key(&text) {
        c.error(
            range,
            format!("全局变量 `{text}` 重复定义"),
            format!("global `{text}` is defined twice"),
        );
        return;
    }
    let placeholder = FnBuilder::new(String::new(), vec![], Type::Void, Loc::default());
    let b = std::mem::replace(main, placeholder);
    let mut l = FnLower::new(c, b, Type::Void);
    let loc = l.c.loc(g.syntax().text_range());
    l.b.set_loc(loc);
    let value = l.declaration_value(g);
    let id = GlobalId(l.c.globals.len() as u32);
    l.c.record_global(id, &name);
    let var = match value {
        Some(v) => {
            l.c.globals.push(Global { name: text.clone(), ty: v.ty.clone() });
            let ty = v.ty.clone();
            let op = l.owned_operand(v);
            if matches!(ty, Type::Array(_)) {
                // The slot holds the empty array `main` stored before any initialiser ran.
                let old = l.b.new_local(ty.clone(), None);
                l.b.assign(old, Value::Global(id));
                l.b.push(Inst::Release(old));
            }
            l.b.push(Inst::SetGlobal { global: id, value: op });
            GlobalVar { id, ty, is_const: g.is_const(), poisoned: false }
        }
        None => GlobalVar { id, ty: Type::Int, is_const: g.is_const(), poisoned: true },
    };
    l.c.global_scope.insert(text, var);
    *main = l.b;
}

impl<'c, 'a> FnLower<'c, 'a> {
    pub(super) fn new(c: &'c mut Checker<'a>, mut b: FnBuilder, ret_ty: Type) -> Self {
        let exit = b.new_block();
        let ret_local = (ret_ty != Type::Void).then(|| b.new_local(ret_ty.clone(), None));
        // Where exceptions leave the function (`main` keeps one across its globals).
        let unwind = match b.base_handler() {
            Some(u) => u,
            None => {
                let u = b.new_block();
                b.push_handler(u);
                u
            }
        };
        let name = c.intern(&b.func.name.clone());
        b.set_trace_name(Some(name));
        FnLower {
            c,
            b,
            scopes: vec![Vec::new()],
            loops: Vec::new(),
            exit,
            unwind,
            ret_local,
            ret_ty,
            future_body: false,
            yield_ty: None,
            owned_vars: Vec::new(),
            assigned_params: Vec::new(),
            n_params: 0,
            finally: Vec::new(),
            caught: Vec::new(),
            spawn: None,
            defs: Default::default(),
        }
    }

    pub(super) fn finish(mut self, end: Option<TextRange>) -> Function {
        if self.b.is_open() {
            // Falling off the end returns the zero value (language.md §5.4).
            if let Some(r) = self.ret_local {
                let ret_ty = self.ret_ty.clone();
                match super::types::zero_value(self.c, &ret_ty) {
                    Some(zero) => self.b.assign(r, zero),
                    None => {
                        let at = end.unwrap_or_else(|| TextRange::empty(0.into()));
                        self.c.error(
                            at,
                            format!("函数可能不经 返回 就结束，而 {ret_ty} 类型没有零值"),
                            format!("the function can end without 返回, and type {ret_ty} has no zero value"),
                        );
                    }
                }
            }
            self.b.jump(self.exit);
        }
        let owned: Vec<LocalId> =
            self.owned_vars.iter().chain(&self.assigned_params).copied().collect();
        let ret = self.ret_local.map(Operand::Local);
        let ret_obj = self.ret_local.filter(|r| self.b.func.local_ty(*r).is_rc());
        if owned.is_empty() {
            self.b.switch_to(self.exit);
            self.b.terminate(Terminator::Return(ret));
            self.b.switch_to(self.unwind);
            if let Some(r) = ret_obj {
                self.b.push(Inst::Release(r));
            }
            self.b.terminate(Terminator::Unwind);
        } else {
            // Both ways out release the variables in one shared block, which then returns
            // or goes on unwinding (one copy of the releases keeps the normal path's code,
            // and its register allocation, as it is without exceptions).
            let raised = self.b.new_local(Type::Bool, None);
            self.b.switch_to(self.unwind);
            self.b.assign(raised, Value::Use(Operand::Bool(true)));
            self.b.jump(self.exit);
            self.b.switch_to(self.exit);
            for l in owned {
                self.b.push(Inst::Release(l));
            }
            let returning = self.b.new_block();
            let unwinding = self.b.new_block();
            self.b.branch(Operand::Local(raised), unwinding, returning);
            self.b.switch_to(returning);
            self.b.terminate(Terminator::Return(ret));
            self.b.switch_to(unwinding);
            if let Some(r) = ret_obj {
                // A result already stored by a `返回` whose `最终` raised.
                self.b.push(Inst::Release(r));
            }
            self.b.terminate(Terminator::Unwind);
        }
        let mut f = self.b.finish();
        // Assigned parameters must own their value from the start.
        let retains = self.assigned_params.iter().map(|p| Inst::Retain(Operand::Local(*p)));
        f.blocks[0].insts.splice(0..0, retains);
        f
    }

    // ---- scopes -------------------------------------------------------------------

    pub fn declare(&mut self, name: String, var: Var) {
        self.scopes.last_mut().expect("a scope is open").push((name, var));
    }

    pub fn lookup(&self, name: &str) -> Option<Var> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, v)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Some(v.clone());
            }
        }
        self.c.global_scope.get(name).map(|g| Var {
            kind: VarKind::Global(g.id),
            ty: g.ty.clone(),
            is_const: g.is_const,
            poisoned: g.poisoned,
        })
    }

    pub(super) fn loops_len(&self) -> usize {
        self.loops.len()
    }

    pub(super) fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Close a scope: its object variables release their references now (and are nulled,
    /// so a later release at exit or re-declaration is harmless).
    pub(super) fn pop_scope(&mut self) {
        self.release_scope_objects();
        self.scopes.pop().expect("scope stack underflow");
    }

    /// Release (and null) the object variables of the innermost scope, on the current path.
    pub(super) fn release_scope_objects(&mut self) {
        let scope = self.scopes.last().expect("a scope is open").clone();
        for (_, var) in scope.iter().rev() {
            if let VarKind::Local(l) = var.kind {
                if var.ty.is_rc() && l.index() >= self.n_params {
                    self.b.push(Inst::Release(l));
                    self.b.assign(l, Value::Use(Operand::Null));
                }
            }
        }
    }

    /// A slot that owns a reference until the function exits (or its scope closes).
    pub(super) fn track_owned(&mut self, l: LocalId) {
        self.owned_vars.push(l);
    }

    /// Return `v` from the function being lowered (for compiler-made bodies).
    pub(super) fn return_value(&mut self, v: Val) {
        let op = self.owned_operand(v);
        if let Some(r) = self.ret_local {
            self.b.assign(r, Value::Use(op));
        }
        self.b.jump(self.exit);
    }

    // ---- ownership ----------------------------------------------------------------

    /// Release every value and give up: the error path wherever several values are built.
    pub(super) fn release_all<T>(&mut self, vals: &[Val]) -> Option<T> {
        for v in vals {
            self.release_temp(v);
        }
        None
    }

    /// All the values when every one was built; otherwise none, and the built ones are
    /// released (so an error leaves no owned temporary behind).
    pub(super) fn all_or_release(&mut self, results: Vec<Option<Val>>) -> Option<Vec<Val>> {
        let complete = results.iter().all(Option::is_some);
        let built: Vec<Val> = results.into_iter().flatten().collect();
        if complete {
            Some(built)
        } else {
            self.release_all(&built)
        }
    }

    /// Release a value after a borrowing use.
    pub fn release_temp(&mut self, v: &Val) {
        if v.owned {
            if let Operand::Local(l) = v.op {
                self.b.disown(l);
                self.b.push(Inst::Release(l));
            }
        }
    }

    /// Turn a value into an owned operand (for storing into a slot or returning): a
    /// borrowed object is retained, an owned temporary is moved.
    pub fn owned_operand(&mut self, v: Val) -> Operand {
        if v.ty.is_rc() {
            if let Operand::Local(l) = v.op {
                if v.owned {
                    self.b.disown(l);
                } else {
                    self.b.push(Inst::Retain(v.op));
                }
            }
        }
        v.op
    }

    /// A new temporary holding `value`; owned if the type is an object type.
    pub fn temp(&mut self, ty: Type, value: Value) -> Val {
        let owned = ty.is_rc();
        let op = self.b.temp(ty.clone(), value);
        if let (true, Operand::Local(l)) = (owned, op) {
            self.b.own(l);
        }
        Val { op, ty, owned }
    }

    pub fn range_of(node: &impl AstNode) -> TextRange {
        node.syntax().text_range()
    }

    // ---- statements ---------------------------------------------------------------

    pub fn block(&mut self, block: &ast::Block) {
        self.push_scope();
        for stmt in block.stmts() {
            self.stmt(&stmt);
        }
        self.pop_scope();
    }

    pub(super) fn stmt(&mut self, stmt: &ast::Stmt) {
        let loc = self.c.loc(Self::range_of(stmt));
        self.b.set_loc(loc);
        match stmt {
            ast::Stmt::Let(s) => self.let_stmt(s),
            ast::Stmt::Expr(s) => {
                if let Some(e) = s.expr() {
                    self.expr_stmt(&e);
                }
            }
            ast::Stmt::If(s) => self.if_stmt(s),
            ast::Stmt::While(s) => self.while_stmt(s),
            ast::Stmt::For(s) => self.for_stmt(s),
            ast::Stmt::Break(s) => self.jump_out(Self::range_of(s), true),
            ast::Stmt::Continue(s) => self.jump_out(Self::range_of(s), false),
            ast::Stmt::Return(s) => self.return_stmt(s),
            ast::Stmt::Block(b) => self.block(b),
            ast::Stmt::Match(s) => self.match_stmt(s),
            ast::Stmt::Select(s) => self.select_stmt(s),
            ast::Stmt::Try(s) => self.try_stmt(s),
            ast::Stmt::Throw(s) => self.throw_stmt(s),
            ast::Stmt::Spawn(s) => self.spawn_stmt(s.expr(), Self::range_of(s)),
            ast::Stmt::Yield(s) => self.yield_stmt(s),
            ast::Stmt::Item(item) => self.c.unsupported(
                Self::range_of(item),
                "函数体内的声明（请改用闭包）",
                "declarations inside a function body",
            ),
        }
    }

    /// The value a `变量`/`常量` declaration starts with, checked against its annotation.
    fn declaration_value(&mut self, s: &ast::LetStmt) -> Option<Val> {
        let declared = match s.ty() {
            Some(t) => Some(self.c.resolve_type(&t)?),
            None => None,
        };
        let range = Self::range_of(s);
        match (s.init(), declared) {
            (Some(init), declared) => {
                let v = match &declared {
                    Some(t) => self.expr_expecting(&init, t)?,
                    None => self.expr(&init)?,
                };
                match declared {
                    Some(t) => self.coerce(v, &t, Self::range_of(&init)),
                    None if v.ty == Type::Void => {
                        self.c.error(
                            Self::range_of(&init),
                            "不能用 空 值初始化变量",
                            "cannot initialise a variable with a 空 value",
                        );
                        None
                    }
                    None => Some(v),
                }
            }
            (None, _) if s.is_const() => {
                self.c.error(range, "常量必须有初值", "a constant needs an initial value");
                None
            }
            (None, Some(Type::Void)) => {
                self.c.error(range, "变量不能是 空 类型", "a variable cannot have type 空");
                None
            }
            (None, Some(t)) => {
                match super::types::zero_value(self.c, &t) {
                    Some(zero) => Some(self.temp(t, zero)),
                    None => {
                        self.c.error(
                        range,
                        format!("{t} 类型没有零值，声明时必须给出初值"),
                        format!("type {t} has no zero value: the declaration needs an initial value"),
                    );
                        None
                    }
                }
            }
            (None, None) => {
                self.c.error(
                    range,
                    "变量声明需要类型注解或初值",
                    "a variable declaration needs a type or an initial value",
                );
                None
            }
        }
    }

    fn let_stmt(&mut self, s: &ast::LetStmt) {
        let Some(name) = s.name() else { return };
        let Some(v) = self.declaration_value(s) else {
            // Keep the name known, so that its uses do not report it again.
            let local = self.b.new_local(Type::Int, Some(name.text()));
            let var =
                Var { kind: VarKind::Local(local), ty: Type::Int, is_const: false, poisoned: true };
            self.declare_at(name.text(), var, Self::range_of(&name));
            return;
        };
        let ty = v.ty.clone();
        let local = self.b.new_local(ty.clone(), Some(name.text()));
        let op = self.owned_operand(v);
        if ty.is_rc() {
            // In a loop the slot may still hold the previous iteration's value.
            self.b.push(Inst::Release(local));
            self.owned_vars.push(local);
        }
        self.b.assign(local, Value::Use(op));
        self.declare_at(
            name.text(),
            Var { kind: VarKind::Local(local), ty, is_const: s.is_const(), poisoned: false },
            Self::range_of(&name),
        );
    }

    fn expr_stmt(&mut self, e: &ast::Expr) {
        match e {
            ast::Expr::Assign(a) => self.assign(a),
            // `(启动 f());`: a 启动 written as an expression statement.
            ast::Expr::Spawn(s) => self.spawn_stmt(s.expr(), Self::range_of(s)),
            _ => {
                if let Some(v) = self.expr(e) {
                    self.release_temp(&v);
                }
            }
        }
    }

    fn assign(&mut self, a: &ast::AssignExpr) {
        let (Some(target), Some(value)) = (a.target(), a.value()) else { return };
        let name = match &target {
            ast::Expr::Path(p) => match p.as_single_name() {
                Some(n) => n,
                None => {
                    return self.c.error(
                        Self::range_of(&target),
                        "无效的赋值目标",
                        "invalid assignment target",
                    )
                }
            },
            ast::Expr::Index(ix) => {
                let op = a.op_kind().and_then(|op| op.binary_op());
                return self.index_assign(ix, op, &value, Self::range_of(a));
            }
            ast::Expr::Field(f) => {
                let op = a.op_kind().and_then(|op| op.binary_op());
                return self.field_assign(f, op, &value, Self::range_of(a));
            }
            _ => {
                return self.c.error(
                    Self::range_of(&target),
                    "无效的赋值目标",
                    "invalid assignment target",
                )
            }
        };
        let text = name.text();
        let range = Self::range_of(&name);
        let Some(var) = self.lookup(&text) else {
            self.c.error(
                range,
                format!("赋值给未声明变量: {text}"),
                format!("assignment to undeclared variable: {text}"),
            );
            // Still check the value, for its own errors.
            if let Some(v) = self.expr(&value) {
                self.release_temp(&v);
            }
            return;
        };
        self.record_var_use(range, &var);
        if var.poisoned {
            if let Some(v) = self.expr(&value) {
                self.release_temp(&v);
            }
            return;
        }
        if var.is_const {
            self.c.error(
                range,
                format!("不能给常量 `{text}` 重新赋值"),
                format!("cannot assign twice to constant `{text}`"),
            );
            return;
        }
        if self.try_append(a, &text, &var, &value) {
            return;
        }
        let op = a.op_kind();
        let new_value = match op.and_then(|o| o.binary_op()) {
            None => self.expr_expecting(&value, &var.ty),
            Some(bin) => {
                let current = self.read_var(&var);
                let rhs = self.expr(&value);
                match rhs {
                    Some(rhs) => self.binary_values(bin, current, rhs, Self::range_of(a)),
                    None => {
                        self.release_temp(&current);
                        None
                    }
                }
            }
        };
        let Some(v) = new_value else { return };
        let Some(v) = self.coerce(v, &var.ty, Self::range_of(&value)) else { return };
        self.store_var(&var, v);
    }

    /// Read a variable: locals are borrowed; globals are retained into a temporary,
    /// because a callee could overwrite the global while the value is in use.
    pub fn read_var(&mut self, var: &Var) -> Val {
        match var.kind {
            VarKind::Local(l) => Val::borrowed(Operand::Local(l), var.ty.clone()),
            VarKind::Global(g) => {
                let v = self.temp(var.ty.clone(), Value::Global(g));
                if v.owned {
                    self.b.push(Inst::Retain(v.op));
                }
                v
            }
        }
    }

    fn store_var(&mut self, var: &Var, v: Val) {
        let op = self.owned_operand(v);
        match var.kind {
            VarKind::Local(l) => {
                if var.ty.is_rc() {
                    self.claim_assigned(l);
                    self.b.push(Inst::Release(l));
                }
                self.b.assign(l, Value::Use(op));
            }
            VarKind::Global(g) => {
                if var.ty.is_rc() {
                    let old = self.b.new_local(var.ty.clone(), None);
                    self.b.assign(old, Value::Global(g));
                    self.b.push(Inst::Release(old));
                }
                self.b.push(Inst::SetGlobal { global: g, value: op });
            }
        }
    }

    /// The object variable `l` is about to be overwritten: if it is a parameter, it must
    /// own its value from the function's entry on.
    pub(super) fn claim_assigned(&mut self, l: LocalId) {
        if l.index() < self.n_params && !self.assigned_params.contains(&l) {
            self.assigned_params.push(l);
        }
    }

    /// A condition: `布尔`, or an `整数` that is true when non-zero (language.md §7.2).
    fn condition(&mut self, e: &ast::Expr) -> Option<Operand> {
        self.truth_value(e, "条件必须是 布尔 值", "a condition must be a 布尔")
    }

    /// A value used as true/false (conditions, logical operands): `布尔`, or `整数` meaning
    /// "not zero". Anything else is reported with `what`.
    pub(super) fn truth_value(
        &mut self,
        e: &ast::Expr,
        what_zh: &str,
        what_en: &str,
    ) -> Option<Operand> {
        let v = self.expr(e)?;
        match v.ty {
            Type::Bool => Some(v.op),
            Type::Int => Some(self.b.temp(Type::Bool, Value::Convert(Conv::IntToBool, v.op))),
            _ => {
                self.release_temp(&v);
                self.c.error(
                    Self::range_of(e),
                    format!("{what_zh}，这里是 {}", v.ty),
                    format!("{what_en}, found {}", v.ty),
                );
                None
            }
        }
    }

    fn if_stmt(&mut self, s: &ast::IfStmt) {
        let cond = s.cond().and_then(|c| self.condition(&c));
        let then_b = self.b.new_block();
        let else_b = self.b.new_block();
        let join = self.b.new_block();
        self.b.branch(cond.unwrap_or(Operand::Bool(false)), then_b, else_b);
        self.b.switch_to(then_b);
        if let Some(t) = s.then_branch() {
            self.block(&t);
        }
        self.b.jump(join);
        self.b.switch_to(else_b);
        match s.else_branch() {
            Some(ast::ElseBranch::Block(b)) => self.block(&b),
            Some(ast::ElseBranch::If(i)) => self.if_stmt(&i),
            None => {}
        }
        self.b.jump(join);
        self.b.switch_to(join);
    }

    fn while_stmt(&mut self, s: &ast::WhileStmt) {
        if let Some(name) = s.binding() {
            return self.while_some(s, name);
        }
        let head = self.b.new_block();
        let body = self.b.new_block();
        let exit = self.b.new_block();
        self.b.jump(head);
        self.b.switch_to(head);
        let cond = s.cond().and_then(|c| self.condition(&c));
        self.b.branch(cond.unwrap_or(Operand::Bool(false)), body, exit);
        self.b.switch_to(body);
        self.loops.push(Loop { continue_to: head, break_to: exit });
        if let Some(b) = s.body() {
            self.block(&b);
        }
        self.loops.pop();
        self.b.jump(head);
        self.b.switch_to(exit);
    }

    fn for_stmt(&mut self, s: &ast::ForStmt) {
        let Some(first) = s.iterable() else { return };
        match s.range_kind() {
            Some(kind) => {
                let Some(end) = s.range_end() else { return };
                self.for_range(s, &first, &end, kind.is_inclusive());
            }
            None => self.for_each(s, &first),
        }
    }

    /// `对于 x 在 数组` or `对于 x 在 通道`.
    fn for_each(&mut self, s: &ast::ForStmt, iterable: &ast::Expr) {
        let Some(v) = self.expr(iterable) else { return };
        match v.ty.clone() {
            Type::Array(elem) => self.for_array(s, iterable, v, *elem),
            Type::Chan(elem) => self.for_channel(s, v, *elem),
            Type::Gen(elem) => self.for_generator(s, v, *elem),
            _ => {
                self.release_temp(&v);
                self.c.error(
                    Self::range_of(iterable),
                    format!("`对于 x 在 …` 只能遍历整数区间、数组或通道，这里是 {}", v.ty),
                    format!("`对于 x 在 …` can only iterate over an integer range, an array or a channel, found {}", v.ty),
                );
            }
        }
    }

    /// Lower a loop body: `继续` goes to `continue_to`, `跳出` to `break_to`.
    pub(super) fn loop_body(
        &mut self,
        body: Option<ast::Block>,
        continue_to: BlockId,
        break_to: BlockId,
    ) {
        self.loops.push(Loop { continue_to, break_to });
        if let Some(b) = body {
            self.block(&b);
        }
        self.loops.pop();
    }

    /// An integer range bound: evaluated once, before the loop.
    fn range_bound(&mut self, e: &ast::Expr, which_zh: &str, which_en: &str) -> Option<Operand> {
        let v = self.expr(e)?;
        if v.ty != Type::Int {
            self.release_temp(&v);
            self.c.error(
                Self::range_of(e),
                format!("区间循环的{which_zh}必须是整数，不能是{}", v.ty),
                format!("the {which_en} of a range loop must be an integer, not {}", v.ty),
            );
            return None;
        }
        Some(self.b.temp(Type::Int, Value::Use(v.op)))
    }

    fn for_range(&mut self, s: &ast::ForStmt, start: &ast::Expr, end: &ast::Expr, inclusive: bool) {
        let start = self.range_bound(start, "起点", "start");
        let end = self.range_bound(end, "终点", "end");
        let (Some(start), Some(end)) = (start, end) else { return };
        self.push_scope();
        let binding = s.binding();
        let i = self.b.new_local(Type::Int, binding.as_ref().map(|n| n.text()));
        self.b.assign(i, Value::Use(start));
        if let Some(name) = binding {
            self.declare_at(
                name.text(),
                Var { kind: VarKind::Local(i), ty: Type::Int, is_const: false, poisoned: false },
                Self::range_of(&name),
            );
        }
        let cmp = if inclusive { Cmp::Le } else { Cmp::Lt };
        self.counting_loop(s, i, end, cmp, |_| {});
        self.pop_scope();
    }

    /// The skeleton shared by range and array loops: `head: if counter cmp end → body`,
    /// `body: per_iteration; block`, `step: counter += 1`. `继续` goes to the step.
    fn counting_loop(
        &mut self,
        s: &ast::ForStmt,
        counter: LocalId,
        end: Operand,
        cmp: Cmp,
        per_iteration: impl FnOnce(&mut Self),
    ) {
        let head = self.b.new_block();
        let body = self.b.new_block();
        let step = self.b.new_block();
        let exit = self.b.new_block();
        self.b.jump(head);
        self.b.switch_to(head);
        let c =
            self.b.temp(Type::Bool, Value::Binary(BinOp::ICmp(cmp), Operand::Local(counter), end));
        self.b.branch(c, body, exit);
        self.b.switch_to(body);
        per_iteration(self);
        self.loops.push(Loop { continue_to: step, break_to: exit });
        if let Some(b) = s.body() {
            self.block(&b);
        }
        self.loops.pop();
        self.b.jump(step);
        self.b.switch_to(step);
        self.b
            .assign(counter, Value::Binary(BinOp::IAdd, Operand::Local(counter), Operand::Int(1)));
        self.b.jump(head);
        self.b.switch_to(exit);
    }

    fn for_array(&mut self, s: &ast::ForStmt, iterable: &ast::Expr, v: Val, elem: Type) {
        // The loop keeps its own reference: the body may reassign the variable it came from.
        let arr_local = self.b.new_local(v.ty.clone(), None);
        let op = self.owned_operand(v);
        // An outer loop's 跳出/继续 may have left the previous array here.
        self.b.push(Inst::Release(arr_local));
        self.b.assign(arr_local, Value::Use(op));
        self.owned_vars.push(arr_local);
        let arr = Operand::Local(arr_local);
        let idx = self.b.new_local(Type::Int, None);
        self.b.assign(idx, Value::Use(Operand::Int(0)));
        let len = self.b.temp(Type::Int, Value::ArrayLen(arr));
        self.push_scope();
        let x = self.b.new_local(elem.clone(), s.binding().map(|n| n.text()));
        if elem.is_rc() {
            self.owned_vars.push(x);
        }
        if let Some(name) = s.binding() {
            self.declare_at(
                name.text(),
                Var { kind: VarKind::Local(x), ty: elem.clone(), is_const: false, poisoned: false },
                Self::range_of(&name),
            );
        }
        let loc = self.c.loc(Self::range_of(iterable));
        self.counting_loop(s, idx, len, Cmp::Lt, |this| {
            let item = Value::Index {
                array: arr,
                index: Operand::Local(idx),
                elem: elem.clone(),
                loc,
                checked: true,
            };
            if elem.is_rc() {
                this.b.push(Inst::Release(x));
                this.b.assign(x, item);
                this.b.push(Inst::Retain(Operand::Local(x)));
            } else {
                this.b.assign(x, item);
            }
        });
        self.pop_scope();
        self.b.push(Inst::Release(arr_local));
        self.b.assign(arr_local, Value::Use(Operand::Null));
    }

    fn jump_out(&mut self, range: TextRange, is_break: bool) {
        let Some(l) = self.loops.last() else {
            let (zh, en) = if is_break {
                (
                    "跳出 只能出现在 当 / 对于 循环体内",
                    "跳出 (break) can only appear inside a 当 / 对于 loop",
                )
            } else {
                (
                    "继续 只能出现在 当 / 对于 循环体内",
                    "继续 (continue) can only appear inside a 当 / 对于 loop",
                )
            };
            self.c.error(range, zh, en);
            return;
        };
        let to = if is_break { l.break_to } else { l.continue_to };
        // Exceptions handled by catch bodies inside this loop are done with, and the
        // `最终` bodies of the 尝试s inside it run first.
        let depth = self.loops.len();
        let released = self.release_caught(Some(depth));
        self.run_finally_bodies(Some(depth));
        self.b.jump(to);
        self.reown_caught(released);
    }

    fn return_stmt(&mut self, s: &ast::ReturnStmt) {
        match (s.expr(), self.ret_local) {
            (Some(e), _) if self.future_body => {
                let Some(v) = self.future_body_return(&e) else { return };
                if v.ty == Type::Future(Box::new(self.ret_ty.clone())) {
                    self.return_adopting(v);
                    return;
                }
                match self.ret_local {
                    Some(r) => {
                        let op = self.owned_operand(v);
                        self.b.assign(r, Value::Use(op));
                    }
                    None => self.release_temp(&v),
                }
            }
            (Some(e), Some(r)) => {
                let ret_ty = self.ret_ty.clone();
                let Some(v) = self.expr_expecting(&e, &ret_ty) else { return };
                let Some(v) = self.coerce(v, &ret_ty, Self::range_of(&e)) else { return };
                let op = self.owned_operand(v);
                self.b.assign(r, Value::Use(op));
            }
            (Some(e), None) if self.yield_ty.is_some() => {
                self.c.error(
                    Self::range_of(&e),
                    "协程函数的 返回 不能带值：值用 让出 交出",
                    "返回 in a 协程 函数 takes no value: hand values out with 让出",
                );
                return;
            }
            (Some(e), None) => {
                // `返回 e;` in a `空` function evaluates `e` and discards it (language.md §5.4).
                if let Some(v) = self.expr(&e) {
                    self.release_temp(&v);
                }
            }
            (None, Some(r)) => {
                let ret_ty = self.ret_ty.clone();
                match super::types::zero_value(self.c, &ret_ty) {
                    Some(zero) => self.b.assign(r, zero),
                    None => self.c.error(
                        Self::range_of(s),
                        format!("这里必须返回一个 {ret_ty} 值"),
                        format!("a value of type {ret_ty} must be returned here"),
                    ),
                }
            }
            (None, None) => {}
        }
        let released = self.release_caught(None);
        self.run_finally_bodies(None);
        self.b.jump(self.exit);
        self.reown_caught(released);
    }
}
