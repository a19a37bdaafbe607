//! Expressions other than operators and calls: literals, names, indexing, templates,
//! `作为` conversions, and the coercions of assignments and arguments.

use super::body::{FnLower, Val, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode, BuiltinType, LiteralKind, PrefixOp};
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// Check and lower an expression. Instructions it emits are located at it (so that a
    /// runtime error or a call in a stack trace points at its own line).
    pub(super) fn expr(&mut self, e: &ast::Expr) -> Option<Val> {
        let outer = self.b.loc();
        let here = self.c.loc(e.syntax().text_range());
        self.b.set_loc(here);
        let v = self.expr_here(e);
        self.b.set_loc(outer);
        if let Some(v) = &v {
            self.c.record_type(e.syntax().text_range(), &v.ty);
        }
        v
    }

    fn expr_here(&mut self, e: &ast::Expr) -> Option<Val> {
        let range = e.syntax().text_range();
        match e {
            ast::Expr::Literal(l) => self.literal(l, false),
            ast::Expr::Path(p) => self.path(p),
            ast::Expr::Binary(b) => self.binary(b),
            ast::Expr::Prefix(p) => self.prefix(p),
            ast::Expr::Call(c) => self.call(c),
            ast::Expr::MethodCall(m) => self.method_call(m),
            ast::Expr::Field(f) => self.field(f),
            ast::Expr::Index(i) => self.index(i),
            ast::Expr::Paren(p) => self.expr(&p.expr()?),
            ast::Expr::Template(t) => self.template(t),
            ast::Expr::Cast(c) => self.cast(c),
            ast::Expr::Assign(_) => {
                self.c.error(
                    range,
                    "赋值是语句，不能用作值",
                    "an assignment is a statement and has no value",
                );
                None
            }
            ast::Expr::Array(a) => self.array_lit(a, None),
            ast::Expr::StructLit(l) => self.struct_lit(l),
            ast::Expr::Closure(c) => self.closure(c),
            ast::Expr::ArrayNew(a) => self.array_new(a),
            ast::Expr::ChanNew(c) => self.chan_new(c),
            ast::Expr::Await(a) => self.await_expr(a, None),
            ast::Expr::Recv(r) => self.recv(r),
            ast::Expr::Send(s) => self.send(s),
            ast::Expr::GenStart(g) => self.generator_start(g),
            ast::Expr::Spawn(_) => {
                self.c.error(
                    range,
                    "启动 是语句，不能用作值",
                    "启动 is a statement and has no value",
                );
                None
            }
        }
    }

    /// An expression whose type the context already knows (`变量 a: 数组<浮点数> = [1, 2]`,
    /// arguments, returns, fields): literals that need a type take it from there.
    pub(super) fn expr_expecting(&mut self, e: &ast::Expr, expected: &Type) -> Option<Val> {
        match e {
            ast::Expr::Array(a) => self.array_lit(a, Some(expected)),
            // `变量 x: 整数 = 等待 未来::失败("…")`: the future's type comes from here.
            ast::Expr::Await(a) => {
                let outer = self.b.loc();
                let here = self.c.loc(e.syntax().text_range());
                self.b.set_loc(here);
                let v = self.await_expr(a, Some(expected));
                self.b.set_loc(outer);
                v
            }
            ast::Expr::Paren(p) => self.expr_expecting(&p.expr()?, expected),
            ast::Expr::Path(p) => {
                let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
                let range = e.syntax().text_range();
                match segments.as_slice() {
                    [n] if self.lookup(n).is_none() => {
                        if let Some(v) = self.builtin_constructor(n, &[], Some(expected), range) {
                            return v;
                        }
                    }
                    [t, v] => {
                        if let Some(r) = self.generic_variant(t, v, &[], Some(expected), range) {
                            return r;
                        }
                    }
                    _ => {}
                }
                self.expr(e)
            }
            ast::Expr::Call(c) => {
                if let Some(ast::Expr::Path(p)) = c.callee() {
                    let args: Vec<ast::Expr> = c.args().collect();
                    let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
                    let range = e.syntax().text_range();
                    if let [n] = segments.as_slice() {
                        if let Some(v) = self.builtin_constructor(n, &args, Some(expected), range) {
                            return v;
                        }
                    }
                    if let [t, v] = segments.as_slice() {
                        if t == "未来" {
                            return self.future_constructor(v, &args, Some(expected), range);
                        }
                        if let Some(r) = self.generic_variant(t, v, &args, Some(expected), range) {
                            return r;
                        }
                    }
                }
                self.expr(e)
            }
            ast::Expr::MethodCall(m) => {
                if let (Some(ast::Expr::Path(p)), Some(v)) = (m.receiver(), m.name()) {
                    if let Some(t) = p.as_single_name().map(|n| n.text()) {
                        let args: Vec<ast::Expr> = m.args().collect();
                        if t == "未来" {
                            return self.future_constructor(
                                &v.text(),
                                &args,
                                Some(expected),
                                e.syntax().text_range(),
                            );
                        }
                        if let Some(r) = self.generic_variant(
                            &t,
                            &v.text(),
                            &args,
                            Some(expected),
                            e.syntax().text_range(),
                        ) {
                            return r;
                        }
                    }
                }
                self.expr(e)
            }
            ast::Expr::Field(f) => {
                if let (Some(ast::Expr::Path(p)), Some(v)) = (f.receiver(), f.name()) {
                    if let Some(t) = p.as_single_name().map(|n| n.text()) {
                        if let Some(r) = self.generic_variant(
                            &t,
                            &v.text(),
                            &[],
                            Some(expected),
                            e.syntax().text_range(),
                        ) {
                            return r;
                        }
                    }
                }
                self.expr(e)
            }
            _ => self.expr(e),
        }
    }

    /// The value of the variable `name` (for struct-literal shorthand `新建 点 { 横 }`).
    pub(super) fn path_value(&mut self, name: &str, range: TextRange) -> Option<Val> {
        let var = self.lookup(name);
        if let Some(var) = &var {
            self.record_var_use(range, var);
        }
        match var {
            Some(var) if var.poisoned => None,
            Some(var) => Some(self.read_var(&var)),
            None => {
                self.c.error(
                    range,
                    format!("未声明的变量: {name}"),
                    format!("undeclared variable: {name}"),
                );
                None
            }
        }
    }

    pub(super) fn unsupported(&mut self, range: TextRange, zh: &str, en: &str) -> Option<Val> {
        self.c.unsupported(range, zh, en);
        None
    }

    /// A literal; `negated` when it is the operand of a unary minus, so that
    /// `-9223372036854775808` is representable.
    pub(super) fn literal(&mut self, l: &ast::Literal, negated: bool) -> Option<Val> {
        let range = l.syntax().text_range();
        let v = match l.kind()? {
            LiteralKind::Int => match l.int_value() {
                Some(v) => Val::borrowed(
                    Operand::Int(if negated { v.wrapping_neg() } else { v }),
                    Type::Int,
                ),
                None if negated
                    && l.token()?.text().trim_start_matches('0') == "9223372036854775808" =>
                {
                    Val::borrowed(Operand::Int(i64::MIN), Type::Int)
                }
                None => {
                    let text = l.token()?.text().to_string();
                    self.c.error(
                        range,
                        format!("无效的数字格式：{text} 超出 整数 的范围"),
                        format!("invalid number: {text} does not fit in an integer"),
                    );
                    return None;
                }
            },
            LiteralKind::Float => {
                let v = l.float_value()?;
                Val::borrowed(Operand::Float(if negated { -v } else { v }), Type::Float)
            }
            LiteralKind::Str | LiteralKind::RawStr => {
                let s = l.string_value()?;
                Val::borrowed(Operand::Str(self.c.intern(&s)), Type::Str)
            }
            LiteralKind::Char => match l.char_value() {
                Some(ch) => Val::borrowed(Operand::Char(ch as u32), Type::Char),
                None => {
                    self.c.error(range, "无效的字符字面量", "invalid character literal");
                    return None;
                }
            },
            LiteralKind::True => Val::borrowed(Operand::Bool(true), Type::Bool),
            LiteralKind::False => Val::borrowed(Operand::Bool(false), Type::Bool),
        };
        Some(v)
    }

    fn path(&mut self, p: &ast::PathExpr) -> Option<Val> {
        let range = p.syntax().text_range();
        let Some(name) = p.as_single_name() else {
            let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
            if let Some(v) = self.variant_by_path(&segments, &[], false, range) {
                return v;
            }
            if let [t, v] = segments.as_slice() {
                if let Some(r) = self.generic_variant(t, v, &[], None, range) {
                    return r;
                }
            }
            return self.unsupported(range, "限定名（模块::名）", "qualified names (模块::名)");
        };
        let text = name.text();
        if let Some(var) = self.lookup(&text) {
            self.record_var_use(range, &var);
            if var.poisoned {
                return None;
            }
            return Some(self.read_var(&var));
        }
        if let Some(v) = self.builtin_constructor(&text, &[], None, range) {
            return v;
        }
        // Most paths are variables (above): their segments are not listed.
        if let Some(v) = self.variant_by_path(std::slice::from_ref(&text), &[], false, range) {
            return v;
        }
        if self.c.fns_by_name.contains_key(&text) {
            self.c.record_function_use(range, &text, None, None);
            return self.function_value(&text, range);
        }
        self.c.error(
            range,
            format!("未声明的变量: {text}"),
            format!("undeclared variable: {text}"),
        );
        None
    }

    fn prefix(&mut self, p: &ast::PrefixExpr) -> Option<Val> {
        let range = p.syntax().text_range();
        let (op, _) = p.op()?;
        let operand = p.operand()?;
        if op == PrefixOp::Neg {
            if let ast::Expr::Literal(l) = &operand {
                if matches!(l.kind(), Some(LiteralKind::Int | LiteralKind::Float)) {
                    return self.literal(l, true);
                }
            }
        }
        if op == PrefixOp::AddrOf {
            return self.address_of(&operand, range);
        }
        let v = self.expr(&operand)?;
        match (op, &v.ty) {
            (PrefixOp::Neg, Type::Int) => {
                Some(self.temp(Type::Int, Value::Unary(UnOp::INeg, v.op)))
            }
            (PrefixOp::Neg, Type::Float) => {
                Some(self.temp(Type::Float, Value::Unary(UnOp::FNeg, v.op)))
            }
            (PrefixOp::Plus, Type::Int | Type::Float) => Some(v),
            (PrefixOp::Not, Type::Bool) => {
                Some(self.temp(Type::Bool, Value::Unary(UnOp::Not, v.op)))
            }
            (PrefixOp::Not, Type::Int) => Some(
                self.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Eq), v.op, Operand::Int(0))),
            ),
            (PrefixOp::Deref, _) => self.dereference(v, range),
            (_, ty) => {
                let sym = match op {
                    PrefixOp::Neg => "-",
                    PrefixOp::Plus => "+",
                    _ => "!",
                };
                let (zh, en) = (
                    format!("一元运算 {sym} 不能用于 {ty}"),
                    format!("unary {sym} cannot be applied to {ty}"),
                );
                self.release_temp(&v);
                self.c.error(range, zh, en);
                None
            }
        }
    }

    fn field(&mut self, f: &ast::FieldExpr) -> Option<Val> {
        let range = f.syntax().text_range();
        let name = f.name()?;
        let base = f.receiver()?;
        if let Some(v) = self.enum_variant_path(&base, &name, range) {
            return v;
        }
        if let ast::Expr::Path(p) = &base {
            if let Some(t) = p.as_single_name().map(|n| n.text()) {
                if let Some(r) = self.generic_variant(&t, &name.text(), &[], None, range) {
                    return r;
                }
            }
        }
        if name.text() == "长度" {
            let v = self.expr(&base)?;
            if let Type::Struct(s) = &v.ty {
                if self.c.field_index(s.id, "长度").is_some() {
                    self.release_temp(&v);
                    return self.field_read(&base, &name);
                }
            }
            return self.length_of(v, range);
        }
        self.field_read(&base, &name)
    }

    /// `长度(x)` / `x.长度`: Unicode scalars of a string, elements of an array.
    pub(super) fn length_of(&mut self, v: Val, range: TextRange) -> Option<Val> {
        let r = match &v.ty {
            Type::Str => {
                let loc = self.c.loc(range);
                self.temp(Type::Int, Value::Builtin { op: Builtin::StrLen, args: vec![v.op], loc })
            }
            Type::Array(_) => self.temp(Type::Int, Value::ArrayLen(v.op)),
            other => {
                let other = other.clone();
                self.release_temp(&v);
                self.c.error(
                    range,
                    format!("长度 只能用于字符串或数组，这里是 {other}"),
                    format!("长度 needs a string or an array, found {other}"),
                );
                return None;
            }
        };
        self.release_temp(&v);
        Some(r)
    }

    fn index(&mut self, i: &ast::IndexExpr) -> Option<Val> {
        let range = i.syntax().text_range();
        let base = self.expr(&i.base()?)?;
        let Some(idx_expr) = i.index() else {
            self.release_temp(&base);
            return None;
        };
        let Some(idx) = self.expr(&idx_expr) else {
            self.release_temp(&base);
            return None;
        };
        let Type::Array(elem) = base.ty.clone() else {
            self.release_temp(&base);
            self.release_temp(&idx);
            self.c.error(
                range,
                format!("只能对数组取下标，这里是 {}", base.ty),
                format!("only arrays can be indexed, found {}", base.ty),
            );
            return None;
        };
        if idx.ty != Type::Int {
            self.release_temp(&base);
            self.c.error(
                idx_expr.syntax().text_range(),
                format!("下标必须是整数，这里是 {}", idx.ty),
                format!("an index must be an integer, found {}", idx.ty),
            );
            return None;
        }
        let loc = self.c.loc(range);
        let elem = *elem;
        let v = self.temp(
            elem.clone(),
            Value::Index { array: base.op, index: idx.op, elem, loc, checked: true },
        );
        // The element is borrowed from the array: own it before the array may go.
        if v.owned {
            self.b.push(Inst::Retain(v.op));
        }
        self.release_temp(&base);
        Some(v)
    }

    /// Template strings desugar to a left-to-right `+` chain (language.md §2.7.6), each
    /// hole rendered like a concatenated value.
    fn template(&mut self, t: &ast::TemplateString) -> Option<Val> {
        let mut acc: Option<Val> = None;
        let mut ok = true;
        for part in t.parts() {
            let piece = match &part {
                ast::TemplatePart::Text(_) => {
                    let s = part.text_value().unwrap_or_default();
                    Val::borrowed(Operand::Str(self.c.intern(&s)), Type::Str)
                }
                ast::TemplatePart::Hole(h) => {
                    let Some(e) = h.expr() else {
                        self.c.error(
                            h.syntax().text_range(),
                            "字符串插值不能为空",
                            "an interpolation hole cannot be empty",
                        );
                        ok = false;
                        continue;
                    };
                    match self.expr(&e).and_then(|v| self.stringify(v, e.syntax().text_range())) {
                        Some(v) => v,
                        None => {
                            ok = false;
                            continue;
                        }
                    }
                }
            };
            acc = Some(match acc {
                None => piece,
                Some(prev) => self.concat(prev, piece, t.syntax().text_range()),
            });
        }
        if !ok {
            if let Some(v) = acc {
                self.release_temp(&v);
            }
            return None;
        }
        Some(acc.unwrap_or_else(|| Val::borrowed(Operand::Str(self.c.intern("")), Type::Str)))
    }

    /// Concatenate two strings; consumes both values.
    pub(super) fn concat(&mut self, a: Val, b: Val, range: TextRange) -> Val {
        let loc = self.c.loc(range);
        let r = self
            .temp(Type::Str, Value::Builtin { op: Builtin::Concat, args: vec![a.op, b.op], loc });
        self.release_temp(&a);
        self.release_temp(&b);
        r
    }

    /// Render a scalar as a string (README item 4: one rendering per type); consumes `v`.
    pub(super) fn stringify(&mut self, v: Val, range: TextRange) -> Option<Val> {
        let op = match v.ty {
            Type::Str => return Some(v),
            Type::Int => Builtin::IntToStr,
            Type::Float => Builtin::FloatToStr,
            Type::Bool => Builtin::BoolToStr,
            Type::Char => Builtin::CharToStr,
            Type::Ptr => {
                self.release_temp(&v);
                self.c.error(
                    range,
                    "C 指针不能直接拼接为字符串（先 作为 整数）",
                    "a C pointer cannot be concatenated into a string (convert it with 作为 整数 first)",
                );
                return None;
            }
            Type::Void => {
                self.c.error(
                    range,
                    "空 值不能转换为字符串",
                    "a 空 value cannot be turned into a string",
                );
                return None;
            }
            Type::Array(_)
            | Type::Struct(_)
            | Type::Enum { .. }
            | Type::Fn(_)
            | Type::Exception
            | Type::Chan(_)
            | Type::Future(_)
            | Type::Gen(_) => {
                let (zh, en) = match v.ty {
                    Type::Gen(_) => (
                        "协程不能拼接为字符串（先 恢复）",
                        "a generator cannot be concatenated into a string (恢复 it first)",
                    ),
                    Type::Array(_) => (
                        "数组不能直接拼接为字符串",
                        "an array cannot be concatenated into a string",
                    ),
                    Type::Chan(_) => {
                        ("通道不能拼接为字符串", "a channel cannot be concatenated into a string")
                    }
                    Type::Future(_) => (
                        "未来不能拼接为字符串（先 等待）",
                        "a future cannot be concatenated into a string (等待 it first)",
                    ),
                    Type::Struct(_) => (
                        "结构体不能直接拼接为字符串",
                        "a struct cannot be concatenated into a string",
                    ),
                    Type::Enum { .. } => (
                        "枚举不能直接拼接为字符串（用 匹配 解构）",
                        "an enum cannot be concatenated into a string (use 匹配)",
                    ),
                    _ => (
                        "函数值不能拼接为字符串",
                        "a function value cannot be concatenated into a string",
                    ),
                };
                self.release_temp(&v);
                self.c.error(range, zh, en);
                return None;
            }
        };
        let loc = self.c.loc(range);
        Some(self.temp(Type::Str, Value::Builtin { op, args: vec![v.op], loc }))
    }

    fn cast(&mut self, c: &ast::CastExpr) -> Option<Val> {
        let range = c.syntax().text_range();
        let v = self.expr(&c.expr()?)?;
        let target = match c.ty()? {
            ast::TypeRef::Named(p) => p.builtin(),
            ast::TypeRef::Fn(_) => None,
        };
        let to = match target {
            Some(BuiltinType::Int | BuiltinType::Byte) => Type::Int,
            Some(BuiltinType::Float) => Type::Float,
            Some(BuiltinType::Bool) => Type::Bool,
            Some(BuiltinType::String) => Type::Str,
            Some(BuiltinType::Char) => Type::Char,
            Some(BuiltinType::Ptr) => Type::Ptr,
            _ => {
                let written = c.ty().map(|t| t.syntax().text().to_string()).unwrap_or_default();
                return self.bad_cast(v, written.trim(), range);
            }
        };
        self.convert(v, &to, range)
    }

    fn bad_cast(&mut self, v: Val, to: &str, range: TextRange) -> Option<Val> {
        self.release_temp(&v);
        self.c.error(
            range,
            format!("不支持的类型转换：{} 作为 {to}（支持 整数/浮点数/布尔/字符/字符串 间的标量转换）", v.ty),
            format!("unsupported conversion: {} 作为 {to} (only scalar conversions between 整数/浮点数/布尔/字符/字符串)", v.ty),
        );
        None
    }

    /// `v 作为 to` (language.md §6.6, README item 5).
    fn convert(&mut self, v: Val, to: &Type, range: TextRange) -> Option<Val> {
        if &v.ty == to {
            return Some(v);
        }
        let conv = match (&v.ty, to) {
            (_, Type::Str) => return self.stringify(v, range),
            // An address is an integer and back (language.md §6.10): no code.
            (Type::Ptr, Type::Int) | (Type::Int, Type::Ptr) => {
                return Some(self.temp(to.clone(), Value::Use(v.op)));
            }
            (Type::Int, Type::Float) => Conv::IntToFloat,
            (Type::Float, Type::Int) => Conv::FloatToInt,
            (Type::Bool, Type::Int) => Conv::BoolToInt,
            (Type::Bool, Type::Float) => Conv::BoolToFloat,
            (Type::Int, Type::Bool) => Conv::IntToBool,
            (Type::Char, Type::Int) => Conv::CharToInt,
            (Type::Int, Type::Char) => Conv::IntToChar,
            (Type::Str, Type::Int | Type::Float) => {
                let op = if to == &Type::Int { Builtin::StrToInt } else { Builtin::StrToFloat };
                let loc = self.c.loc(range);
                let r = self.temp(to.clone(), Value::Builtin { op, args: vec![v.op], loc });
                self.release_temp(&v);
                return Some(r);
            }
            _ => return self.bad_cast(v, &to.zh(), range),
        };
        Some(self.temp(to.clone(), Value::Convert(conv, v.op)))
    }

    /// Does `coerce` accept a value of type `from` where `to` is expected?
    pub(super) fn converts_implicitly(from: &Type, to: &Type) -> bool {
        from == to || matches!((from, to), (Type::Int, Type::Float) | (Type::Bool, Type::Int))
    }

    /// Implicit conversion of a value to the type of the slot it goes into: identity,
    /// `整数` → `浮点数`, and `布尔` → `整数` (language.md §3.3).
    pub(super) fn coerce(&mut self, v: Val, to: &Type, range: TextRange) -> Option<Val> {
        if &v.ty == to {
            return Some(v);
        }
        let conv = match (&v.ty, to) {
            (Type::Int, Type::Float) => Conv::IntToFloat,
            (Type::Bool, Type::Int) => Conv::BoolToInt,
            _ => {
                self.release_temp(&v);
                let hint = if v.ty == Type::Float && to == &Type::Int {
                    "（用 `作为 整数` 显式转换）"
                } else {
                    ""
                };
                let hint_en =
                    if hint.is_empty() { "" } else { " (convert explicitly with `作为 整数`)" };
                self.c.error(
                    range,
                    format!("类型不匹配：期望 {to}，实际是 {}{hint}", v.ty),
                    format!("type mismatch: expected {to}, found {}{hint_en}", v.ty),
                );
                return None;
            }
        };
        Some(self.temp(to.clone(), Value::Convert(conv, v.op)))
    }

    /// Is `name` a variable (so a call through it would be a call of a value)?
    pub(super) fn is_variable(&self, name: &str) -> bool {
        self.lookup(name).is_some_and(|v| matches!(v.kind, VarKind::Local(_) | VarKind::Global(_)))
    }
}
