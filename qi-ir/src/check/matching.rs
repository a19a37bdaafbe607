//! `匹配` (language.md §7.6): arms tried in order; variant patterns with payload bindings,
//! literal patterns, `_`, bindings, or-patterns and guards; exhaustiveness for enums.

use super::body::{FnLower, Val, Var, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

/// What a pattern tests, once resolved against the scrutinee's type.
enum Test {
    /// Always matches, binding the whole value to the name (if any).
    Any(Option<String>),
    /// The enum tag equals the variant; payload fields bound to names (`None` = `_`).
    Variant { tag: usize, binds: Vec<Option<String>> },
    /// Equal to a literal.
    Literal(Val),
    /// Any of several tests (no bindings).
    Or(Vec<Test>),
}

impl FnLower<'_, '_> {
    pub(super) fn match_stmt(&mut self, m: &ast::MatchStmt) {
        let Some(scrutinee) = m.scrutinee() else { return };
        let Some(v) = self.expr(&scrutinee) else { return };
        if v.ty == Type::Void {
            self.c.error(
                scrutinee.syntax().text_range(),
                "不能匹配 空 值",
                "cannot match on a 空 value",
            );
            return;
        }
        // Keep the scrutinee in its own slot for the whole match.
        let holder = self.b.new_local(v.ty.clone(), None);
        let owned = v.owned;
        if owned {
            // An arm may leave by 返回/跳出/继续: the function exit (or the next time this
            // match runs, in a loop) releases what the slot still holds.
            self.b.push(Inst::Release(holder));
            self.track_owned(holder);
        }
        self.b.assign(holder, Value::Use(v.op));
        if let (true, Operand::Local(t)) = (owned, v.op) {
            self.b.disown(t); // moved into `holder`
        }
        let subject = Val::borrowed(Operand::Local(holder), v.ty.clone());
        let enum_id = match &v.ty {
            Type::Enum { e, .. } => Some(e.id),
            _ => None,
        };
        let tag = enum_id.map(|_| self.enum_tag(&subject));
        let end = self.b.new_block();
        let mut covered: Vec<bool> = enum_id
            .map(|id| vec![false; self.c.enums[id.index()].variants.len()])
            .unwrap_or_default();
        let mut catch_all = false;
        for arm in m.arms() {
            let Some(pat) = arm.pat() else { continue };
            let Some(test) = self.resolve_pattern(&pat, &subject.ty, enum_id) else { continue };
            let guarded = arm.guard().is_some();
            if !guarded {
                mark_coverage(&test, &mut covered, &mut catch_all);
            }
            let next = self.b.new_block();
            self.test_pattern(&test, &subject, tag, next);
            self.push_scope();
            self.bind_pattern(&test, &subject);
            if let Some(g) = arm.guard() {
                let cond = self.truth_value(&g, "守卫条件必须是 布尔 值", "a guard must be a 布尔");
                let body = self.b.new_block();
                // Leaving through a failed guard releases the arm's bindings first.
                let fail = self.b.new_block();
                self.b.branch(cond.unwrap_or(Operand::Bool(false)), body, fail);
                self.b.switch_to(fail);
                self.release_scope_objects();
                self.b.jump(next);
                self.b.switch_to(body);
            }
            match arm.body() {
                Some(ast::MatchArmBody::Block(b)) => self.block(&b),
                Some(ast::MatchArmBody::Expr(e)) => {
                    if let Some(v) = self.expr(&e) {
                        self.release_temp(&v);
                    }
                }
                None => {}
            }
            self.pop_scope();
            self.b.jump(end);
            self.b.switch_to(next);
        }
        if let Some(id) = enum_id {
            if !catch_all {
                let missing: Vec<String> = covered
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !**c)
                    .map(|(i, _)| self.c.enums[id.index()].variants[i].name.clone())
                    .collect();
                if missing.is_empty() {
                    // Every variant has an unguarded arm: falling out of the last test is
                    // impossible.
                    self.b.terminate(Terminator::Unreachable);
                } else {
                    let ename = self.c.enums[id.index()].name.clone();
                    self.c.error(
                        m.syntax().text_range(),
                        format!("匹配：未覆盖枚举 {ename} 的全部变体，缺少 [{}]。补齐这些分支，或加 `_ =>` 兜底", missing.join("、")),
                        format!("匹配 does not cover every variant of enum {ename}; missing [{}]. Add those arms or a `_ =>` arm", missing.join(", ")),
                    );
                }
            }
        }
        self.b.jump(end);
        self.b.switch_to(end);
        if owned {
            self.b.push(Inst::Release(holder));
            self.b.assign(holder, Value::Use(Operand::Null));
        }
    }

    /// Resolve a pattern against the scrutinee type; reports and returns `None` when it
    /// cannot apply.
    fn resolve_pattern(
        &mut self,
        pat: &ast::Pat,
        ty: &Type,
        enum_id: Option<EnumId>,
    ) -> Option<Test> {
        let range = pat.syntax().text_range();
        match pat {
            ast::Pat::Wildcard(_) => Some(Test::Any(None)),
            ast::Pat::Ident(p) => {
                let name = p.name()?.text();
                if let Some(id) = enum_id {
                    if let Some(tag) = self.c.variant_index(id, &name) {
                        let n = self.c.enums[id.index()].variants[tag].payload.len();
                        return Some(Test::Variant { tag, binds: vec![None; n] });
                    }
                }
                Some(Test::Any(Some(name)))
            }
            ast::Pat::Path(p) => {
                let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
                let Some(id) = enum_id else { return self.not_enum(range) };
                let tag = self.variant_of(id, &segments, range)?;
                let n = self.c.enums[id.index()].variants[tag].payload.len();
                Some(Test::Variant { tag, binds: vec![None; n] })
            }
            ast::Pat::Variant(p) => {
                let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
                let Some(id) = enum_id else { return self.not_enum(range) };
                let tag = self.variant_of(id, &segments, range)?;
                let fields: Vec<ast::Pat> = p.fields().collect();
                let n = self.c.enums[id.index()].variants[tag].payload.len();
                if fields.len() != n {
                    let vname = self.c.enums[id.index()].variants[tag].name.clone();
                    self.c.error(
                        range,
                        format!(
                            "匹配：变体 {vname} 解构需要 {n} 个绑定，实际写了 {} 个",
                            fields.len()
                        ),
                        format!(
                            "匹配: variant {vname} has {n} payload value(s), the pattern binds {}",
                            fields.len()
                        ),
                    );
                    return None;
                }
                let mut binds = Vec::with_capacity(n);
                for f in fields {
                    match f {
                        ast::Pat::Wildcard(_) => binds.push(None),
                        ast::Pat::Ident(i) => binds.push(i.name().map(|n| n.text())),
                        other => {
                            self.c.error(
                                other.syntax().text_range(),
                                "匹配：变体载荷只能绑定到名字或 _",
                                "匹配: a payload can only be bound to a name or _",
                            );
                            return None;
                        }
                    }
                }
                Some(Test::Variant { tag, binds })
            }
            ast::Pat::Literal(l) => {
                if enum_id.is_some() {
                    self.c.error(
                        range,
                        "匹配：枚举目标的分支要用变体名（如 `红 =>` / `圆(x) =>`），不能用字面量",
                        "匹配: arms on an enum use variant names (`红 =>`, `圆(x) =>`), not literals",
                    );
                    return None;
                }
                let lit = l.literal()?;
                let v = self.literal(&lit, l.is_negative())?;
                let comparable = match (&v.ty, ty) {
                    (a, b) if a == b => true,
                    (Type::Int, Type::Float) | (Type::Int, Type::Char) => true,
                    _ => false,
                };
                if !comparable {
                    self.c.error(
                        range,
                        format!("匹配：{} 模式不能匹配 {ty} 类型的目标", v.ty),
                        format!("匹配: a {} pattern cannot match a {ty} value", v.ty),
                    );
                    return None;
                }
                Some(Test::Literal(v))
            }
            ast::Pat::Or(o) => {
                let mut alts = Vec::new();
                for a in o.alternatives() {
                    let t = self.resolve_pattern(&a, ty, enum_id)?;
                    let binds = match &t {
                        Test::Any(Some(_)) => true,
                        Test::Variant { binds, .. } => binds.iter().any(Option::is_some),
                        _ => false,
                    };
                    if binds {
                        self.c.error(
                            a.syntax().text_range(),
                            "匹配：或模式里不能绑定名字",
                            "匹配: alternatives of an or-pattern cannot bind names",
                        );
                        return None;
                    }
                    alts.push(t);
                }
                Some(Test::Or(alts))
            }
        }
    }

    fn not_enum(&mut self, range: TextRange) -> Option<Test> {
        self.c.error(
            range,
            "匹配：变体解构分支（如 `圆(x) =>`）只能用于枚举类型的目标",
            "匹配: variant patterns (`圆(x) =>`) only apply to enum values",
        );
        None
    }

    /// The variant a pattern path names (`变体`, `枚举.变体`, `枚举::变体`).
    fn variant_of(&mut self, id: EnumId, segments: &[String], range: TextRange) -> Option<usize> {
        let ename = self.c.enums[id.index()].name.clone();
        let vname = segments.last()?;
        if segments.len() == 2 && *segments[0] != *ename {
            self.c.error(
                range,
                format!("匹配：目标是 {ename}，不是 {}", segments[0]),
                format!("匹配: the value is a {ename}, not a {}", segments[0]),
            );
            return None;
        }
        match self.c.variant_index(id, vname) {
            Some(t) => Some(t),
            None => {
                self.c.error(
                    range,
                    format!("匹配：枚举 {ename} 没有变体 {vname}"),
                    format!("匹配: enum {ename} has no variant {vname}"),
                );
                None
            }
        }
    }

    /// Branch to `fail` unless the pattern matches.
    fn test_pattern(&mut self, test: &Test, subject: &Val, tag: Option<Operand>, fail: BlockId) {
        let Some(cond) = self.pattern_condition(test, subject, tag) else { return };
        let ok = self.b.new_block();
        self.b.branch(cond, ok, fail);
        self.b.switch_to(ok);
    }

    /// A boolean operand that is true when the pattern matches (`None`: always).
    fn pattern_condition(
        &mut self,
        test: &Test,
        subject: &Val,
        tag: Option<Operand>,
    ) -> Option<Operand> {
        match test {
            Test::Any(_) => None,
            Test::Variant { tag: t, .. } => {
                let tag = tag.expect("variant tests only on enums");
                Some(self.b.temp(
                    Type::Bool,
                    Value::Binary(BinOp::ICmp(Cmp::Eq), tag, Operand::Int(*t as i64)),
                ))
            }
            Test::Literal(lit) => {
                let v = self.binary_values(
                    ast::BinOp::Eq,
                    subject.clone(),
                    lit.clone(),
                    TextRange::empty(0.into()),
                )?;
                Some(v.op)
            }
            Test::Or(alts) => {
                let result = self.b.new_local(Type::Bool, None);
                let done = self.b.new_block();
                self.b.assign(result, Value::Use(Operand::Bool(true)));
                for alt in alts {
                    let Some(c) = self.pattern_condition(alt, subject, tag) else {
                        self.b.jump(done);
                        self.b.switch_to(done);
                        return Some(Operand::Local(result));
                    };
                    let next = self.b.new_block();
                    self.b.branch(c, done, next);
                    self.b.switch_to(next);
                }
                self.b.assign(result, Value::Use(Operand::Bool(false)));
                self.b.jump(done);
                self.b.switch_to(done);
                Some(Operand::Local(result))
            }
        }
    }

    /// Declare the names a matched pattern binds (each owns its value).
    fn bind_pattern(&mut self, test: &Test, subject: &Val) {
        match test {
            Test::Any(Some(name)) => {
                let v = Val::borrowed(subject.op, subject.ty.clone());
                self.bind(name, v);
            }
            Test::Variant { tag, binds } => {
                let Type::Enum { e, .. } = &subject.ty else { return };
                let payload = self.c.enums[e.id.index()].variants[*tag].payload.clone();
                let niche = self.is_niche(&subject.ty);
                for (i, (name, ty)) in binds.iter().zip(payload).enumerate() {
                    let Some(name) = name else { continue };
                    if niche {
                        // The payload of a nullable-pointer option is the value itself.
                        self.bind(name, Val::borrowed(subject.op, ty));
                        continue;
                    }
                    let op = self.b.temp(
                        ty.clone(),
                        Value::GetSlot { obj: subject.op, slot: i as u32 + 1, ty: ty.clone() },
                    );
                    self.bind(name, Val::borrowed(op, ty));
                }
            }
            _ => {}
        }
    }

    /// A fresh variable holding `v` (a pattern or `选择` binding; in a loop the slot may
    /// still hold the previous iteration's value).
    pub(super) fn bind(&mut self, name: &str, v: Val) {
        let ty = v.ty.clone();
        let local = self.b.new_local(ty.clone(), Some(name.to_string()));
        let op = self.owned_operand(v);
        if ty.is_rc() {
            self.b.push(Inst::Release(local));
            self.track_owned(local);
        }
        self.b.assign(local, Value::Use(op));
        self.declare(
            name.to_string(),
            Var { kind: VarKind::Local(local), ty, is_const: false, poisoned: false },
        );
    }
}

fn mark_coverage(test: &Test, covered: &mut [bool], catch_all: &mut bool) {
    match test {
        Test::Any(_) => *catch_all = true,
        Test::Variant { tag, .. } => {
            if let Some(c) = covered.get_mut(*tag) {
                *c = true;
            }
        }
        Test::Literal(_) => {}
        Test::Or(alts) => {
            for a in alts {
                mark_coverage(a, covered, catch_all);
            }
        }
    }
}
