//! Enums: declarations, the built-in `选项<T>` / `结果<T>` (instantiated per `T`), and
//! variant construction (`枚举.变体`, `枚举::变体`, bare `变体(…)`, `有/无/成/败`).

use super::body::{FnLower, Val};
use super::Checker;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;
use std::sync::Arc;

pub(crate) struct EnumInfo {
    pub name: Arc<str>,
    pub variants: Vec<VariantInfo>,
    pub boxed: bool,
    /// The declaration (`None` for the built-in `选项<T>`/`结果<T>` instances).
    pub decl: Option<ast::EnumDecl>,
    /// The file that declares it.
    pub file: u32,
    /// For an instance of a generic enum: the template's name and the type arguments.
    pub instance_of: Option<(String, Vec<Type>)>,
    /// `选项<T>` of an object type `T` is a nullable pointer: `有(x)` is `x` itself and
    /// `无` is null, so wrapping an object allocates nothing.
    pub niche: bool,
}

pub(crate) struct VariantInfo {
    pub name: String,
    pub payload: Vec<Type>,
    pub layout: Option<LayoutId>,
}

/// Which built-in generic enum an instance is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BuiltinEnum {
    /// `选项<T> = { 有(T), 无 }`
    Option,
    /// `结果<T> = { 成(T), 败(字符串) }`
    Result,
}

impl Checker<'_> {
    pub(super) fn declare_enum(&mut self, e: ast::EnumDecl) {
        let Some(name) = e.name() else { return };
        let text = name.text();
        let range = name.syntax().text_range();
        if self.enum_by_name.contains_key(&text)
            || self.struct_by_name.contains_key(&text)
            || self.is_type_template(&text)
        {
            self.error(
                range,
                format!("类型 {text} 重复定义"),
                format!("type {text} is defined twice"),
            );
            return;
        }
        if e.generic_param_list().is_some() {
            self.declare_enum_template(&e, &text);
            return;
        }
        self.declare_enum_instance(e, &text);
    }

    /// A concrete enum named `text` (a plain declaration or a generic instance).
    pub(super) fn declare_enum_instance(&mut self, e: ast::EnumDecl, text: &str) {
        let text = text.to_string();
        let id = EnumId(self.enums.len() as u32);
        // Known before any payload type is resolved: a recursive enum mentions itself.
        let boxed = e.variants().any(|v| v.has_payload());
        self.enums.push(EnumInfo {
            name: text.as_str().into(),
            variants: Vec::new(),
            boxed,
            decl: Some(e),
            file: self.file,
            instance_of: None,
            niche: false,
        });
        self.enum_by_name.insert(text, id);
    }

    /// Variant payload types, once all type names are known.
    pub(super) fn define_enum_variants(&mut self, id: EnumId) {
        let Some(decl) = self.enums[id.index()].decl.clone() else { return };
        let ename = self.enums[id.index()].name.clone();
        let mut variants: Vec<(String, Vec<Type>)> = Vec::new();
        for v in decl.variants() {
            let Some(name) = v.name() else { continue };
            let vname = name.text();
            if variants.iter().any(|(n, _)| *n == vname) {
                self.error(
                    name.syntax().text_range(),
                    format!("枚举 {ename} 的变体 {vname} 重复"),
                    format!("enum {ename} has two variants named {vname}"),
                );
                continue;
            }
            let payload: Vec<Type> = v.payload().filter_map(|t| self.resolve_type(&t)).collect();
            variants.push((vname, payload));
        }
        self.set_variants(id, variants);
    }

    /// Record the variants and, for an enum with payloads, one record layout per variant.
    fn set_variants(&mut self, id: EnumId, variants: Vec<(String, Vec<Type>)>) {
        let boxed = variants.iter().any(|(_, p)| !p.is_empty());
        let mut infos = Vec::with_capacity(variants.len());
        for (name, payload) in variants {
            let layout = boxed.then(|| {
                let mut slots = vec![Slot { ty: Type::Int, weak: false }];
                slots.extend(payload.iter().map(|t| Slot { ty: t.clone(), weak: false }));
                self.layouts.push(Layout { kind: LayoutKind::Enum, slots });
                LayoutId(self.layouts.len() as u32 - 1)
            });
            infos.push(VariantInfo { name, payload, layout });
        }
        let e = &mut self.enums[id.index()];
        e.variants = infos;
        e.boxed = boxed;
    }

    pub(super) fn enum_type(&self, id: EnumId) -> Type {
        let info = &self.enums[id.index()];
        Type::Enum {
            e: Named { id, name: info.name.clone() },
            boxed: info.boxed,
            nullable: info.niche,
        }
    }

    pub(super) fn enum_type_named(&self, name: &str) -> Option<Type> {
        Some(self.enum_type(*self.enum_by_name.get(name)?))
    }

    /// The instance of `选项<T>` or `结果<T>` for `t`, created on first use.
    pub(super) fn builtin_enum(&mut self, which: BuiltinEnum, t: &Type) -> Type {
        let name = match which {
            BuiltinEnum::Option => format!("选项<{t}>"),
            BuiltinEnum::Result => format!("结果<{t}>"),
        };
        if let Some(ty) = self.enum_type_named(&name) {
            return ty;
        }
        let id = EnumId(self.enums.len() as u32);
        self.enums.push(EnumInfo {
            name: name.as_str().into(),
            variants: Vec::new(),
            boxed: true,
            decl: None,
            file: self.file,
            instance_of: None,
            niche: false,
        });
        // Registered under its full spelling only: `选项<整数>` is not a name users write
        // as a bare identifier, so it cannot collide.
        self.enum_by_name.insert(name, id);
        self.enums[id.index()].niche = which == BuiltinEnum::Option && t.is_rc();
        let variants = match which {
            BuiltinEnum::Option => {
                vec![("有".to_string(), vec![t.clone()]), ("无".to_string(), vec![])]
            }
            BuiltinEnum::Result => {
                vec![("成".to_string(), vec![t.clone()]), ("败".to_string(), vec![Type::Str])]
            }
        };
        self.set_variants(id, variants);
        self.enum_type(id)
    }

    /// Is `ty` an instance of a built-in generic enum, and which?
    pub(super) fn builtin_enum_of(&self, ty: &Type) -> Option<BuiltinEnum> {
        let Type::Enum { e, .. } = ty else { return None };
        if self.enums[e.id.index()].decl.is_some() {
            return None;
        }
        match self.enums[e.id.index()].variants.first().map(|v| v.name.as_str()) {
            Some("有") => Some(BuiltinEnum::Option),
            Some("成") => Some(BuiltinEnum::Result),
            _ => None,
        }
    }

    pub(super) fn variant_index(&self, id: EnumId, name: &str) -> Option<usize> {
        self.enums[id.index()].variants.iter().position(|v| v.name == name)
    }

    /// Enums declaring a variant of this name (for bare `变体(…)` constructors).
    fn enums_with_variant(&self, name: &str) -> Vec<EnumId> {
        (0..self.enums.len())
            .map(|i| EnumId(i as u32))
            .filter(|id| {
                self.enums[id.index()].decl.is_some() && self.variant_index(*id, name).is_some()
            })
            .collect()
    }

    pub(super) fn enum_defs(&self) -> Vec<EnumDef> {
        self.enums
            .iter()
            .map(|e| EnumDef {
                name: e.name.to_string(),
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantDef {
                        name: v.name.clone(),
                        payload: v.payload.clone(),
                        layout: v.layout,
                    })
                    .collect(),
                boxed: e.boxed,
            })
            .collect()
    }
}

impl FnLower<'_, '_> {
    /// `枚举.变体` written as a field access: `Some(result)` when `base` names an enum
    /// (and is not a variable).
    pub(super) fn enum_variant_path(
        &mut self,
        base: &ast::Expr,
        variant: &ast::NameRef,
        range: TextRange,
    ) -> Option<Option<Val>> {
        let ast::Expr::Path(p) = base else { return None };
        let name = p.as_single_name()?.text();
        if self.lookup(&name).is_some() {
            return None;
        }
        let id = *self.c.enum_by_name.get(&name)?;
        Some(self.construct_variant(id, &variant.text(), &[], false, range))
    }

    /// `枚举.变体(载荷…)` written as a method call: `Some(result)` when `base` names an enum.
    pub(super) fn enum_variant_call(
        &mut self,
        base: &ast::PathExpr,
        variant: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Option<Val>> {
        let name = base.as_single_name()?.text();
        let id = *self.c.enum_by_name.get(&name)?;
        Some(self.construct_variant(id, variant, args, true, range))
    }

    /// `枚举::变体` / `枚举::变体(…)` (a two-segment path), and bare variant names
    /// `变体(…)` / `变体` of user enums when exactly one enum has that variant.
    /// `Some(result)` when the path names a variant.
    pub(super) fn variant_by_path(
        &mut self,
        segments: &[String],
        args: &[ast::Expr],
        called: bool,
        range: TextRange,
    ) -> Option<Option<Val>> {
        match segments {
            [e, v] => {
                let id = *self.c.enum_by_name.get(e)?;
                Some(self.construct_variant(id, v, args, called, range))
            }
            [v] => {
                let ids = self.c.enums_with_variant(v);
                match ids.as_slice() {
                    [id] => Some(self.construct_variant(*id, v, args, called, range)),
                    [] => None,
                    many => {
                        let names: Vec<String> = many
                            .iter()
                            .map(|id| self.c.enums[id.index()].name.to_string())
                            .collect();
                        self.c.error(
                            range,
                            format!("变体 {v} 有歧义：定义于多个枚举（{}），请写成 枚举.{v}", names.join("、")),
                            format!("variant {v} is ambiguous: it is declared by several enums ({}); write 枚举.{v}", names.join(", ")),
                        );
                        Some(None)
                    }
                }
            }
            _ => None,
        }
    }

    /// `有(x)`, `无`, `成(x)`, `败(消息)` (language.md §8). The type comes from `expected`
    /// when the context gives one; otherwise `有(x)`/`成(x)` infer `T` from `x`.
    pub(super) fn builtin_constructor(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        expected: Option<&Type>,
        range: TextRange,
    ) -> Option<Option<Val>> {
        let which = match name {
            "有" | "无" => BuiltinEnum::Option,
            "成" | "败" => BuiltinEnum::Result,
            _ => return None,
        };
        if let Some(t) = expected {
            if self.c.builtin_enum_of(t) == Some(which) {
                let Type::Enum { e, .. } = t else { unreachable!() };
                return Some(self.construct_variant(
                    e.id,
                    name,
                    args,
                    !args.is_empty() || name != "无",
                    range,
                ));
            }
        }
        Some(match name {
            "有" | "成" => {
                let [arg] = args else {
                    self.c.error(
                        range,
                        format!("构造子 {name} 需要 1 个参数，实际传入 {} 个", args.len()),
                        format!("constructor {name} takes 1 argument, {} given", args.len()),
                    );
                    return Some(None);
                };
                let Some(v) = self.expr(arg) else { return Some(None) };
                if v.ty == Type::Void {
                    self.c.error(
                        arg.syntax().text_range(),
                        "空 值不能作为载荷",
                        "a 空 value cannot be a payload",
                    );
                    return Some(None);
                }
                let ty = self.c.builtin_enum(which, &v.ty);
                let Type::Enum { e, .. } = &ty else { unreachable!() };
                let tag = self.c.variant_index(e.id, name).expect("built-in variant");
                self.build_variant(e.id, tag, vec![(v, arg.syntax().text_range())], range)
            }
            _ => {
                let hint = if which == BuiltinEnum::Option { "选项" } else { "结果" };
                self.c.error(
                    range,
                    format!("{name} 需要类型上下文，给变量加 : {hint}<...> 注解，或用在有声明返回类型的 返回 里"),
                    format!("{name} needs a type from its context: annotate the variable with : {hint}<...> or return it from a function with a declared result type"),
                );
                None
            }
        })
    }

    /// Construct variant `variant` of enum `id` with `args` as payload.
    fn construct_variant(
        &mut self,
        id: EnumId,
        variant: &str,
        args: &[ast::Expr],
        called: bool,
        range: TextRange,
    ) -> Option<Val> {
        let ename = self.c.enums[id.index()].name.clone();
        self.c.record_variant_use(range, id, variant);
        let Some(tag) = self.c.variant_index(id, variant) else {
            self.c.error(
                range,
                format!("枚举 {ename} 无变体 {variant}"),
                format!("enum {ename} has no variant {variant}"),
            );
            return None;
        };
        let payload = self.c.enums[id.index()].variants[tag].payload.clone();
        if payload.len() != args.len() || (called && payload.is_empty() && !args.is_empty()) {
            self.c.error(
                range,
                format!(
                    "枚举变体 {ename}.{variant} 需要 {} 个载荷，实际传入 {} 个",
                    payload.len(),
                    args.len()
                ),
                format!(
                    "enum variant {ename}.{variant} takes {} payload value(s), {} given",
                    payload.len(),
                    args.len()
                ),
            );
            return None;
        }
        let mut vals = Vec::with_capacity(args.len());
        let mut ok = true;
        for (a, t) in args.iter().zip(&payload) {
            match self.expr_expecting(a, t).and_then(|v| self.coerce(v, t, a.syntax().text_range()))
            {
                Some(v) => vals.push((v, a.syntax().text_range())),
                None => ok = false,
            }
        }
        if !ok {
            for (v, _) in &vals {
                self.release_temp(v);
            }
            return None;
        }
        self.build_variant(id, tag, vals, range)
    }

    /// The value of variant `tag` with its (already checked) payload.
    pub(super) fn build_variant(
        &mut self,
        id: EnumId,
        tag: usize,
        payload: Vec<(Val, TextRange)>,
        _range: TextRange,
    ) -> Option<Val> {
        let ty = self.c.enum_type(id);
        if self.c.enums[id.index()].niche {
            return Some(match payload.into_iter().next() {
                Some((v, _)) => Val { op: v.op, ty, owned: v.owned },
                None => Val::borrowed(Operand::Null, ty),
            });
        }
        let Some(layout) = self.c.enums[id.index()].variants[tag].layout else {
            return Some(Val::borrowed(Operand::Int(tag as i64), ty));
        };
        let obj = self.temp(ty, Value::NewRecord(layout));
        self.b.push(Inst::SetSlot { obj: obj.op, slot: 0, value: Operand::Int(tag as i64) });
        for (i, (v, _)) in payload.into_iter().enumerate() {
            let t = v.ty.clone();
            self.store_slot(obj.op, i as u32 + 1, &t, v, false);
        }
        Some(obj)
    }

    /// Is this a `选项<T>` represented as a nullable pointer?
    pub(super) fn is_niche(&self, ty: &Type) -> bool {
        matches!(ty, Type::Enum { e, .. } if self.c.enums[e.id.index()].niche)
    }

    /// `盒装.满(x)` / `盒装::满(x)` / `盒装.空盒` of a generic enum `盒装`, typed by the context:
    /// `Some(result)` when `template` names a generic enum.
    pub(super) fn generic_variant(
        &mut self,
        template: &str,
        variant: &str,
        args: &[ast::Expr],
        expected: Option<&Type>,
        range: TextRange,
    ) -> Option<Option<Val>> {
        if !self.c.is_type_template(template) || self.lookup(template).is_some() {
            return None;
        }
        let prefix = format!("{template}<");
        let instance = match expected {
            Some(Type::Enum { e, .. }) if e.name.starts_with(&prefix) => Some(e.id),
            _ => None,
        };
        Some(match instance {
            Some(id) => self.construct_variant(id, variant, args, !args.is_empty(), range),
            None => {
                self.c.error(
                    range,
                    format!("泛型枚举 {template} 的变体需要类型上下文，给变量加注解，如 : {template}<整数>"),
                    format!("a variant of generic enum {template} needs a type from its context, e.g. annotate : {template}<整数>"),
                );
                None
            }
        })
    }

    /// The tag of an enum value.
    pub(super) fn enum_tag(&mut self, v: &Val) -> Operand {
        if self.is_niche(&v.ty) {
            // 有 (tag 0) is any object, 无 (tag 1) is null.
            let is_null =
                self.b.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Eq), v.op, Operand::Null));
            return self.b.temp(Type::Int, Value::Convert(Conv::BoolToInt, is_null));
        }
        match v.ty {
            Type::Enum { boxed: true, .. } => {
                self.b.temp(Type::Int, Value::GetSlot { obj: v.op, slot: 0, ty: Type::Int })
            }
            _ => v.op,
        }
    }
}
