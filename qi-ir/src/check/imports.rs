//! Imports and names across files (language.md §5.2–§5.3).
//!
//! Every top-level function, struct and enum of every loaded file is visible by its bare
//! name. When a bare function name is defined by several packages, the caller's own
//! package wins, then a selective import (`导入 路径::{名}`); otherwise the call is
//! ambiguous and must be qualified: `包名.f(…)`, `别名.f(…)` or `包名::f(…)`.

use super::body::{FnLower, Val};
use super::{Checker, SourceUnit};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl Checker<'_> {
    /// Record what an import makes nameable in the current file.
    pub(super) fn declare_import(&mut self, imp: &ast::ImportDecl, units: &[SourceUnit]) {
        let Some(path) = imp.path() else { return };
        let range = path.syntax().text_range();
        let text = path.text();
        let file = self.file as usize;
        let alias = imp.alias().map(|a| a.text());
        if let Some(module) = text.strip_prefix("标准库.") {
            self.import_library(module, alias, range);
            return;
        }
        // The driver resolved the path to one of the units; it is missing only when the
        // driver already reported that the file cannot be found.
        let Some(target) = units[file]
            .imports
            .iter()
            .find(|(r, _)| *r == imp.syntax().text_range())
            .map(|(_, t)| *t)
        else {
            return;
        };
        self.record_module_use(range, target);
        let package = self.packages[target as usize].clone();
        self.qualifiers[file].insert(package.clone(), package.clone());
        // The module's own name (the file name: `导入 助手;` → `助手.f`) qualifies its
        // functions too, whatever its package is called (language.md §5.2); it comes
        // before the standard library's modules.
        let stem = text.rsplit(['/', '.']).next().unwrap_or(&text).to_string();
        self.qualifiers[file].entry(stem).or_insert_with(|| package.clone());
        if let Some(a) = alias {
            self.qualifiers[file].insert(a, package.clone());
        }
        for name in imp.selected() {
            self.selected[file].insert(name.text(), package.clone());
        }
    }

    /// Selectively imported names must exist, and must not clash with a function of the
    /// importing package.
    pub(super) fn check_selected_imports(&mut self, imp: &ast::ImportDecl) {
        let file = self.file as usize;
        for name in imp.selected() {
            let text = name.text();
            let Some(package) = self.selected[file].get(&text).cloned() else { continue };
            let range = name.syntax().text_range();
            let funcs = self.fns_by_name.get(&text).cloned().unwrap_or_default();
            let in_package = funcs.iter().any(|id| self.package_of_fn(*id) == package);
            let is_type =
                self.struct_by_name.contains_key(&text) || self.enum_by_name.contains_key(&text);
            if !in_package && !is_type && !self.is_generic_fn(&text) {
                self.error(
                    range,
                    format!("导入的符号「{text}」不存在：包「{package}」没有这个名字"),
                    format!("imported name `{text}` does not exist in package `{package}`"),
                );
                continue;
            }
            let own = self.packages[file].clone();
            if own != package && funcs.iter().any(|id| self.package_of_fn(*id) == own) {
                self.error(
                    range,
                    format!("函数名冲突：本模块定义了函数「{text}」，又从包「{package}」导入了同名函数。请改名，或去掉选择性导入"),
                    format!("name clash: this package defines function `{text}` and also imports it from package `{package}`"),
                );
            }
        }
    }

    pub(super) fn package_of_fn(&self, id: FuncId) -> String {
        self.packages[self.sig(id).file as usize].clone()
    }

    /// The package a qualifier names in the current file (`包名`, `别名`), if any.
    pub(super) fn qualifier(&self, name: &str) -> Option<String> {
        if let Some(p) = self.qualifiers[self.file as usize].get(name) {
            return Some(p.clone());
        }
        self.packages.iter().find(|p| *p == name).cloned()
    }

    /// Narrow the functions of a bare name to the ones this call means (language.md §5.2);
    /// reports an ambiguity and returns `None` when several packages remain.
    pub(super) fn visible_overloads(
        &mut self,
        name: &str,
        ids: Vec<FuncId>,
        range: TextRange,
    ) -> Option<Vec<FuncId>> {
        let mut packages: Vec<String> = ids.iter().map(|id| self.package_of_fn(*id)).collect();
        packages.dedup();
        packages.sort();
        packages.dedup();
        if packages.len() <= 1 {
            return Some(ids);
        }
        let own = self.packages[self.file as usize].clone();
        let mine: Vec<FuncId> =
            ids.iter().copied().filter(|id| self.package_of_fn(*id) == own).collect();
        if !mine.is_empty() {
            return Some(mine);
        }
        if let Some(p) = self.selected[self.file as usize].get(name).cloned() {
            return Some(ids.into_iter().filter(|id| self.package_of_fn(*id) == p).collect());
        }
        self.error(
            range,
            format!("函数名 {name} 歧义：定义于多个包（{}）。请写成 包名.{name}(…)，或用 导入 路径::{{{name}}} 指明来源", packages.join("、")),
            format!("function name {name} is ambiguous: it is defined in several packages ({}); qualify it as 包名.{name}(…)", packages.join(", ")),
        );
        None
    }
}

impl FnLower<'_, '_> {
    /// `包名.f(…)` / `别名.f(…)` / `包名::f(…)`: `Some(result)` when `qualifier` names a
    /// package (user packages come before the standard library's modules).
    pub(super) fn qualified_call(
        &mut self,
        qualifier: &str,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Option<Val>> {
        if self.is_variable(qualifier) {
            return None;
        }
        let package = self.c.qualifier(qualifier)?;
        let ids: Vec<FuncId> = self
            .c
            .fns_by_name
            .get(name)
            .map(|ids| {
                ids.iter().copied().filter(|id| self.c.package_of_fn(*id) == package).collect()
            })
            .unwrap_or_default();
        if ids.is_empty() {
            self.c.error(
                range,
                format!("包「{package}」没有函数「{name}」"),
                format!("package `{package}` has no function `{name}`"),
            );
            return Some(None);
        }
        Some(self.call_overloads(name, ids, args, range))
    }

    /// `包名.f(…)`: the qualifier names an imported file, `f` one of its functions.
    pub(super) fn record_qualified_call(
        &mut self,
        qualifier: &ast::PathExpr,
        q: &str,
        name: Option<ast::NameRef>,
        n_args: usize,
    ) {
        if self.is_variable(q) {
            return;
        }
        self.c.record_qualifier_use(qualifier.syntax().text_range(), q);
        let (Some(name), Some(package)) = (name, self.c.qualifier(q)) else { return };
        let text = name.text();
        let ids: Vec<FuncId> = self.c.fns_by_name.get(&text).map_or(Vec::new(), |ids| {
            ids.iter().copied().filter(|id| self.c.package_of_fn(*id) == package).collect()
        });
        self.c.record_function_use(name.syntax().text_range(), &text, Some(&ids), Some(n_args));
    }
}
