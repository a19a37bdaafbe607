//! Generics by monomorphisation (language.md §5.9) and traits (§5.8).
//!
//! A generic function is a template; each call instantiates it for the type arguments
//! given by turbofish or inferred from the arguments, once per distinct list of types.
//! An instance is an ordinary IR function whose body is lowered with the type parameters
//! bound to the concrete types (`Checker::type_subst`), so every operation is checked per
//! instantiation. A parameter typed by a trait makes the function implicitly generic over
//! that trait (one type parameter per trait named). Generic structs and enums are
//! instantiated per type-argument list into ordinary structs and enums named `对<整数>`.
//!
//! Traits are static: `实现 特性 对于 类型 { … }` adds the methods to the struct (default
//! methods of the trait included unless overridden) and records that the struct
//! implements the trait, for bound checks.

use super::body::{FnLower, Val};
use super::{Checker, FnSig, ParamSig};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;
use std::collections::{HashMap, HashSet};

/// Instantiations may nest at most this deep (a generic calling itself with a growing
/// type would otherwise never end).
const MAX_INSTANCE_DEPTH: usize = 8;

#[derive(Default)]
pub(crate) struct Generics {
    functions: Vec<GenericFn>,
    fn_by_name: HashMap<String, usize>,
    fn_instances: HashMap<(usize, Vec<Type>), FuncId>,
    structs: HashMap<String, Template<ast::StructDecl>>,
    enums: HashMap<String, Template<ast::EnumDecl>>,
    pub traits: HashMap<String, ast::TraitDecl>,
    /// (trait, struct) pairs that have an `实现`.
    pub impls: HashSet<(String, StructId)>,
}

struct GenericFn {
    decl: ast::FnDecl,
    file: u32,
    name: String,
    /// Type parameters with their optional trait bound.
    params: Vec<(String, Option<String>)>,
}

struct Template<D> {
    decl: D,
    params: Vec<String>,
}

fn type_param_names(list: Option<ast::GenericParamList>) -> Vec<(String, Option<ast::TypeRef>)> {
    list.map(|l| {
        l.params().map(|p| (p.name().map(|n| n.text()).unwrap_or_default(), p.bound())).collect()
    })
    .unwrap_or_default()
}

impl Checker<'_> {
    /// Trait declarations are global (language.md §5.8).
    pub(super) fn declare_trait(&mut self, t: ast::TraitDecl) {
        let Some(name) = t.name() else { return };
        let text = name.text();
        if self.generics.traits.contains_key(&text) {
            self.error(
                name.syntax().text_range(),
                format!("特性 {text} 重复声明"),
                format!("trait {text} is declared twice"),
            );
            return;
        }
        self.generics.traits.insert(text, t);
    }

    /// Is this written type a trait name?
    fn trait_named(&self, t: &ast::TypeRef) -> Option<String> {
        let ast::TypeRef::Named(p) = t else { return None };
        let name = p.text();
        self.generics.traits.contains_key(&name).then_some(name)
    }

    /// Does the declaration need monomorphisation (type parameters or trait-typed
    /// parameters)? Then it is recorded as a template instead of a function.
    pub(super) fn declare_if_generic(&mut self, f: &ast::FnDecl, name: &str) -> bool {
        let explicit = type_param_names(f.generic_param_list());
        let trait_params: Vec<String> =
            f.params().filter_map(|p| p.ty().and_then(|t| self.trait_named(&t))).collect();
        if explicit.is_empty() && trait_params.is_empty() {
            return false;
        }
        if let Some(p) = f.params().find(|p| p.is_variadic()) {
            self.unsupported(
                p.syntax().text_range(),
                "泛型函数的变参",
                "variadic parameters of generic functions",
            );
            return true;
        }
        let range =
            f.name().map(|n| n.syntax().text_range()).unwrap_or_else(|| f.syntax().text_range());
        if explicit.len() > 2 {
            self.error(
                range,
                format!(
                    "泛型函数 {name} 声明了 {} 个类型参数，最多支持 2 个（<T> 或 <T, E>）",
                    explicit.len()
                ),
                format!(
                    "generic function {name} declares {} type parameters; at most 2 are supported",
                    explicit.len()
                ),
            );
            return true;
        }
        if let Some(r) = f.ret_type() {
            if let Some(t) = self.trait_named(&r) {
                self.error(
                    r.syntax().text_range(),
                    format!("函数 {name} 的返回类型是特性「{t}」—— 暂不支持特性作返回类型"),
                    format!("function {name} returns trait {t}: traits cannot be result types"),
                );
                return true;
            }
        }
        if self.generics.fn_by_name.contains_key(name) || self.fns_by_name.contains_key(name) {
            self.error(
                range,
                format!("泛型函数「{name}」重复定义"),
                format!("generic function `{name}` is defined twice"),
            );
            return true;
        }
        let mut params: Vec<(String, Option<String>)> = Vec::new();
        for (p, bound) in explicit {
            let bound = match bound {
                Some(b) => match self.trait_named(&b) {
                    Some(t) => Some(t),
                    None => {
                        let text = b.syntax().text().to_string();
                        self.error(
                            b.syntax().text_range(),
                            format!("未声明的特性「{text}」"),
                            format!("undeclared trait `{text}`"),
                        );
                        return true;
                    }
                },
                None => None,
            };
            params.push((p, bound));
        }
        for t in trait_params {
            // The trait name itself stands for the argument's struct type.
            if !params.iter().any(|(p, _)| *p == t) {
                params.push((t.clone(), Some(t)));
            }
        }
        let id = self.generics.functions.len();
        self.generics.functions.push(GenericFn {
            decl: f.clone(),
            file: self.file,
            name: name.to_string(),
            params,
        });
        self.generics.fn_by_name.insert(name.to_string(), id);
        true
    }

    pub(super) fn is_generic_fn(&self, name: &str) -> bool {
        self.generics.fn_by_name.contains_key(name)
    }

    /// Generic struct and enum declarations are templates.
    pub(super) fn declare_struct_template(&mut self, s: &ast::StructDecl, name: &str) {
        let params = type_param_names(s.generic_param_list()).into_iter().map(|(n, _)| n).collect();
        self.generics.structs.insert(name.to_string(), Template { decl: s.clone(), params });
    }

    pub(super) fn declare_enum_template(&mut self, e: &ast::EnumDecl, name: &str) {
        let params = type_param_names(e.generic_param_list()).into_iter().map(|(n, _)| n).collect();
        self.generics.enums.insert(name.to_string(), Template { decl: e.clone(), params });
    }

    pub(super) fn is_type_template(&self, name: &str) -> bool {
        self.generics.structs.contains_key(name) || self.generics.enums.contains_key(name)
    }

    /// A type parameter bound in the current instance.
    pub(super) fn type_param(&self, name: &str) -> Option<Type> {
        self.type_subst.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t.clone())
    }

    /// `对<整数>`: the instance of a generic struct or enum for these type arguments.
    pub(super) fn instantiate_type(
        &mut self,
        name: &str,
        args: Vec<Type>,
        range: TextRange,
    ) -> Option<Type> {
        let params = match (self.generics.structs.get(name), self.generics.enums.get(name)) {
            (Some(t), _) => t.params.clone(),
            (None, Some(t)) => t.params.clone(),
            (None, None) => return None,
        };
        if params.len() != args.len() {
            self.error(
                range,
                format!(
                    "泛型类型 {name} 需要 {} 个类型实参，实际给了 {} 个",
                    params.len(),
                    args.len()
                ),
                format!(
                    "generic type {name} takes {} type arguments, {} given",
                    params.len(),
                    args.len()
                ),
            );
            return None;
        }
        let shown: Vec<String> = args.iter().map(Type::zh).collect();
        let full = format!("{name}<{}>", shown.join(", "));
        if let Some(t) = self.named_type(&full) {
            return Some(t);
        }
        let subst: Vec<(String, Type)> = params.into_iter().zip(args.iter().cloned()).collect();
        let saved = std::mem::replace(&mut self.type_subst, subst);
        let instance_of = Some((name.to_string(), args));
        if let Some(t) = self.generics.structs.get(name) {
            let decl = t.decl.clone();
            self.declare_struct_instance(decl, &full);
            let id = self.struct_by_name[&full];
            self.structs[id.index()].instance_of = instance_of;
            self.define_struct_fields(id);
        } else if let Some(t) = self.generics.enums.get(name) {
            let decl = t.decl.clone();
            self.declare_enum_instance(decl, &full);
            let id = self.enum_by_name[&full];
            self.enums[id.index()].instance_of = instance_of;
            self.define_enum_variants(id);
        }
        self.type_subst = saved;
        self.named_type(&full)
    }

    /// `实现 特性 对于 类型 { … }`: every method the trait requires must be given; default
    /// methods fill in the rest.
    pub(super) fn declare_trait_impl(
        &mut self,
        i: &ast::ImplDecl,
        trait_ty: &ast::TypeRef,
        sid: StructId,
    ) {
        let Some(tname) = self.trait_named(trait_ty) else {
            let text = trait_ty.syntax().text().to_string();
            let sname = self.structs[sid.index()].name.clone();
            self.error(
                trait_ty.syntax().text_range(),
                format!("实现块 `实现 {text} 对于 {sname}` 引用了未声明的特性「{text}」"),
                format!("`实现 {text} 对于 {sname}` names an undeclared trait `{text}`"),
            );
            return;
        };
        let given: Vec<ast::FnDecl> = i.methods().collect();
        let given_names: HashSet<String> =
            given.iter().filter_map(|m| m.name().map(|n| n.text())).collect();
        for m in given {
            self.declare_function(m, Some((sid, "自己".to_string())));
        }
        let trait_decl = self.generics.traits[&tname].clone();
        for m in trait_decl.methods() {
            let Some(mname) = m.name().map(|n| n.text()) else { continue };
            if given_names.contains(&mname) {
                continue;
            }
            if m.body().is_some() {
                self.declare_function(m, Some((sid, "自己".to_string())));
            } else {
                let sname = self.structs[sid.index()].name.clone();
                self.error(
                    i.syntax().text_range(),
                    format!("类型「{sname}」实现特性「{tname}」缺少方法 {mname}（该方法没有默认实现，必须在实现块里提供）"),
                    format!("type `{sname}` implements trait `{tname}` without method {mname} (it has no default)"),
                );
            }
        }
        self.generics.impls.insert((tname, sid));
    }

    /// The instance of generic function `gid` for `types` (one per distinct list).
    fn instantiate_fn(&mut self, gid: usize, types: Vec<Type>, range: TextRange) -> Option<FuncId> {
        if let Some(id) = self.generics.fn_instances.get(&(gid, types.clone())) {
            return Some(*id);
        }
        let g = &self.generics.functions[gid];
        let decl = g.decl.clone();
        let file = g.file;
        let shown: Vec<String> = types.iter().map(Type::zh).collect();
        let name = format!("{}<{}>", g.name, shown.join(", "));
        let subst: Vec<(String, Type)> =
            g.params.iter().map(|(n, _)| n.clone()).zip(types.iter().cloned()).collect();
        if self.type_subst.len() >= MAX_INSTANCE_DEPTH * 2
            || name.matches('<').count() > MAX_INSTANCE_DEPTH
        {
            self.error(
                range,
                format!("泛型实例化嵌套超过 {MAX_INSTANCE_DEPTH} 层"),
                format!("generic instantiation nests deeper than {MAX_INSTANCE_DEPTH} levels"),
            );
            return None;
        }
        let saved = std::mem::replace(&mut self.type_subst, subst.clone());
        let saved_file = std::mem::replace(&mut self.file, file);
        let mut params = Vec::new();
        let mut ok = true;
        for p in decl.params() {
            let pname = p.name().map(|n| n.text()).unwrap_or_default();
            let ty = match p.ty() {
                Some(t) => self.resolve_type(&t),
                None => Some(Type::Int),
            };
            match ty {
                Some(ty) => params.push(ParamSig { name: pname, ty, default: p.default() }),
                None => ok = false,
            }
        }
        let ret = match decl.ret_type() {
            None => Some(Type::Void),
            Some(t) => self.resolve_type(&t),
        };
        self.type_subst = saved;
        self.file = saved_file;
        let (true, Some(ret)) = (ok, ret) else { return None };
        let id = self.reserve_function();
        self.instance_sigs
            .insert(id, FnSig { name, params, ret, decl, subst, file, variadic: false });
        self.generics.fn_instances.insert((gid, types), id);
        self.pending_instances.push(id);
        Some(id)
    }
}

/// Bind type parameters by matching a written parameter type against an argument type.
fn unify(
    c: &Checker,
    written: &ast::TypeRef,
    actual: &Type,
    params: &[(String, Option<String>)],
    out: &mut HashMap<String, Type>,
) -> Result<(), (String, Type, Type)> {
    let ast::TypeRef::Named(p) = written else { return Ok(()) };
    let name = p.text();
    if params.iter().any(|(n, _)| *n == name) && p.generic_args().is_none() {
        return match out.get(&name) {
            Some(t) if t != actual => Err((name, t.clone(), actual.clone())),
            Some(_) => Ok(()),
            None => {
                out.insert(name, actual.clone());
                Ok(())
            }
        };
    }
    let args: Vec<ast::TypeRef> = p.type_args().collect();
    // `对<T>` against an instance of the same generic struct or enum.
    let instance = match actual {
        Type::Struct(s) => c.structs[s.id.index()].instance_of.as_ref(),
        Type::Enum { e, .. } => c.enums[e.id.index()].instance_of.as_ref(),
        _ => None,
    };
    if let Some((template, actual_args)) = instance {
        if *template == name {
            for (w, a) in args.iter().zip(actual_args) {
                unify(c, w, a, params, out)?;
            }
            return Ok(());
        }
    }
    // `协程<T>` (a contextual word, not a built-in type name).
    if let (None, "协程", Type::Gen(inner)) = (p.builtin(), name.as_str(), actual) {
        if let Some(a) = args.first() {
            unify(c, a, inner, params, out)?;
        }
        return Ok(());
    }
    match (p.builtin(), actual) {
        (Some(ast::BuiltinType::Array), Type::Array(inner))
        | (Some(ast::BuiltinType::Chan), Type::Chan(inner))
        | (Some(ast::BuiltinType::Future), Type::Future(inner)) => {
            if let Some(a) = args.first() {
                unify(c, a, inner, params, out)?;
            }
        }
        (Some(ast::BuiltinType::Option | ast::BuiltinType::Result), Type::Enum { e, .. }) => {
            let payload =
                c.enums[e.id.index()].variants.first().and_then(|v| v.payload.first()).cloned();
            if let (Some(a), Some(t)) = (args.first(), payload) {
                unify(c, a, &t, params, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl FnLower<'_, '_> {
    /// A call of a generic function: type arguments from turbofish or inferred from the
    /// arguments, then the call of that instance.
    pub(super) fn generic_call(
        &mut self,
        name: &str,
        turbofish: Option<ast::GenericArgList>,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let gid = self.c.generics.fn_by_name[name];
        let params = self.c.generics.functions[gid].params.clone();
        let decl = self.c.generics.functions[gid].decl.clone();
        let written: Vec<Option<ast::TypeRef>> = decl.params().map(|p| p.ty()).collect();
        if args.len() > written.len() {
            self.arity_error(name, written.len(), written.len(), args.len(), range);
            return None;
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            match self.expr(a) {
                Some(v) => vals.push(v),
                None => return self.release_all(&vals),
            }
        }
        let mut bound: HashMap<String, Type> = HashMap::new();
        if let Some(list) = turbofish {
            let given: Vec<ast::TypeRef> = list.types().collect();
            let explicit: Vec<&(String, Option<String>)> = params.iter().collect();
            if given.len() > explicit.len() {
                self.c.error(
                    range,
                    format!("泛型函数 {name} 最多接受 {} 个类型实参", explicit.len()),
                    format!(
                        "generic function {name} takes at most {} type arguments",
                        explicit.len()
                    ),
                );
                return self.release_all(&vals);
            }
            for (t, (pname, _)) in given.iter().zip(explicit) {
                let Some(ty) = self.c.resolve_type(t) else { return self.release_all(&vals) };
                bound.insert(pname.clone(), ty);
            }
        }
        for (w, v) in written.iter().zip(&vals) {
            let Some(w) = w else { continue };
            if let Err((p, a, b)) = unify(self.c, w, &v.ty, &params, &mut bound) {
                // An integer where a float was inferred first (or the reverse) is settled
                // by the ordinary conversions once the instance is chosen.
                if !matches!((&a, &b), (Type::Float, Type::Int)) {
                    self.c.error(
                        range,
                        format!("泛型函数 {name} 的类型参数 {p} 推断冲突：{a} 与 {b}"),
                        format!("conflicting types for type parameter {p} of {name}: {a} and {b}"),
                    );
                    return self.release_all(&vals);
                }
            }
        }
        let mut types = Vec::with_capacity(params.len());
        for (p, bound_trait) in &params {
            let Some(t) = bound.get(p).cloned() else {
                self.c.error(
                    range,
                    format!("泛型函数 {name} 的类型参数 {p} 无法从实参推断，请用 {name}::<类型>(…) 指定"),
                    format!("type parameter {p} of {name} cannot be inferred; write {name}::<类型>(…)"),
                );
                return self.release_all(&vals);
            };
            if let Some(tr) = bound_trait {
                let implements = match &t {
                    Type::Struct(s) => self.c.generics.impls.contains(&(tr.clone(), s.id)),
                    _ => false,
                };
                if !implements {
                    self.c.error(
                        range,
                        format!("类型「{t}」没有实现特性「{tr}」"),
                        format!("type `{t}` does not implement trait `{tr}`"),
                    );
                    return self.release_all(&vals);
                }
            }
            types.push(t);
        }
        let Some(id) = self.c.instantiate_fn(gid, types, range) else {
            return self.release_all(&vals);
        };
        self.call_with_values(id, name, vals, args, range)
    }
}

/// What `反射` shows of generic declarations (`check/reflect.rs`): types as written.
impl Checker<'_> {
    /// (name, signature text) of every generic function, in declaration order.
    pub(super) fn generic_function_signatures(&self) -> Vec<(String, String)> {
        use super::reflect::{as_written, binding, signature};
        self.generics
            .functions
            .iter()
            .map(|g| {
                let params: Vec<String> = g
                    .decl
                    .params()
                    .map(|p| {
                        let name = p.name().map(|n| n.text()).unwrap_or_default();
                        // A bare parameter is an `整数`.
                        let ty = p.ty().map(|t| as_written(&t)).unwrap_or_else(|| "整数".into());
                        binding(&name, &ty, p.is_variadic(), p.default().map(|d| as_written(&d)))
                    })
                    .collect();
                let type_params =
                    g.decl.generic_param_list().map(|l| as_written(&l)).unwrap_or_default();
                let ret = g.decl.ret_type().map(|t| as_written(&t)).filter(|t| t != "空");
                let text = signature(&g.decl, &g.name, &type_params, &params, ret);
                (g.name.clone(), text)
            })
            .collect()
    }

    /// (name, fields text) of every generic struct, by name.
    pub(super) fn generic_struct_fields(&self) -> Vec<(String, String)> {
        use super::reflect::{as_written, binding};
        let mut found: Vec<(String, String)> = self
            .generics
            .structs
            .iter()
            .map(|(name, t)| {
                let fields: Vec<String> = t
                    .decl
                    .fields()
                    .map(|f| {
                        let fname = f.name().map(|n| n.text()).unwrap_or_default();
                        let ty = f.ty().map(|t| as_written(&t)).unwrap_or_default();
                        binding(&fname, &ty, false, None)
                    })
                    .collect();
                (name.clone(), fields.join(", "))
            })
            .collect();
        found.sort();
        found
    }

    /// The names of the generic enums, sorted.
    pub(super) fn generic_enum_names(&self) -> Vec<String> {
        let mut found: Vec<String> = self.generics.enums.keys().cloned().collect();
        found.sort();
        found
    }
}
