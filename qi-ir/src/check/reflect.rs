//! What the `反射` library module shows of a program (builtins.md §G.3, §G.4): the
//! functions, structs and enums the program declares, as plain text the runtime is
//! handed at start (`Module::reflection`).
//!
//! Functions are the free functions of every file of the program (`入口` included,
//! generic ones once, as declared); methods, closures, generic instances, compiler-made
//! functions and the library are not. Overloads share one name; their signatures are one
//! per line, in declaration order. Structs and enums are those declared (a generic one
//! once, by its name); the built-in `选项`/`结果` and generic instances are not.
//! Resolved types are shown in their Chinese spelling; the types of generic declarations
//! as written (they mention type parameters).

use std::collections::HashMap;

use super::{Checker, FnSig};
use crate::ir::{Reflection, Type};
use qi_syntax::ast::{self, AstNode};

/// `node`'s source text with every run of whitespace made one space.
pub(super) fn as_written(node: &impl AstNode) -> String {
    node.syntax().text().to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One parameter or field: `名: 类型`, `名...: 类型` (variadic), `名: 类型 = 默认值`.
pub(super) fn binding(name: &str, ty: &str, variadic: bool, default: Option<String>) -> String {
    let dots = if variadic { "..." } else { "" };
    match default {
        Some(d) => format!("{name}{dots}: {ty} = {d}"),
        None => format!("{name}{dots}: {ty}"),
    }
}

/// `[异步 ]函数 名[<T>](形参, …)[: 结果]`; a `空` result is left out.
pub(super) fn signature(
    decl: &ast::FnDecl,
    name: &str,
    type_params: &str,
    params: &[String],
    ret: Option<String>,
) -> String {
    let asynchronous = if decl.is_async() { "异步 " } else { "" };
    let ret = ret.map(|r| format!(": {r}")).unwrap_or_default();
    format!("{asynchronous}函数 {name}{type_params}({}){ret}", params.join(", "))
}

impl Checker<'_> {
    /// The text of a declared, non-generic function's signature.
    fn signature_text(&self, sig: &FnSig) -> String {
        let last = sig.params.len().wrapping_sub(1);
        let params: Vec<String> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let variadic = sig.variadic && i == last;
                let ty = match (&p.ty, variadic) {
                    (Type::Array(elem), true) => elem.zh(),
                    (ty, _) => ty.zh(),
                };
                binding(&p.name, &ty, variadic, p.default.as_ref().map(as_written))
            })
            .collect();
        let ret = (sig.ret != Type::Void).then(|| sig.ret.zh());
        signature(&sig.decl, &sig.name, "", &params, ret)
    }

    pub(super) fn reflection(&self) -> Reflection {
        let mut functions: Vec<(String, String)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut add = |name: &str, text: String| match index.get(name) {
            Some(&i) => {
                functions[i].1.push('\n');
                functions[i].1.push_str(&text);
            }
            None => {
                index.insert(name.to_owned(), functions.len());
                functions.push((name.to_owned(), text));
            }
        };
        // Ids follow declaration order.
        let mut free: Vec<_> = self.fns_by_name.values().flatten().copied().collect();
        free.sort();
        for id in free {
            let sig = &self.sigs[id.index()];
            add(&sig.name, self.signature_text(sig));
        }
        for (name, text) in self.generic_function_signatures() {
            add(&name, text);
        }
        let mut structs: Vec<(String, String)> = self
            .structs
            .iter()
            .filter(|s| s.instance_of.is_none())
            .map(|s| {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| {
                        binding(&f.name, &f.ty.zh(), false, f.default.as_ref().map(as_written))
                    })
                    .collect();
                (s.name.to_string(), fields.join(", "))
            })
            .collect();
        structs.extend(self.generic_struct_fields());
        let mut enums: Vec<String> = self
            .enums
            .iter()
            .filter(|e| e.decl.is_some() && e.instance_of.is_none())
            .map(|e| e.name.to_string())
            .collect();
        enums.extend(self.generic_enum_names());
        Reflection { functions, structs, enums }
    }
}
