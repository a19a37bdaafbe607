//! Recording the checker's tables for editors (`crate::index`): each hook is called where
//! the checker resolves a name or types an expression, and does nothing unless the
//! program is checked with `check_program_indexed` (`Checker::index` is `None` for
//! `qi run` and `qi check`, so they pay one branch per hook).

use super::body::{FnLower, Var, VarKind};
use super::Checker;
use crate::index::{DefKind, Local, Member, Reference, Span};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl Checker<'_> {
    fn span(&self, range: TextRange) -> Span {
        Span { file: self.file, range }
    }

    pub(super) fn record_type(&mut self, range: TextRange, ty: &Type) {
        let at = self.span(range);
        if let Some(index) = &mut self.index {
            index.types.push((at, ty.clone()));
        }
    }

    fn record_use(&mut self, range: TextRange, target: Span, kind: DefKind) {
        let at = self.span(range);
        if let Some(index) = &mut self.index {
            index.references.push(Reference { at, target, kind });
        }
    }

    /// Where a function or method is declared: its name.
    fn fn_span(&self, id: FuncId) -> Span {
        let sig = self.sig(id);
        let range = match sig.decl.name() {
            Some(n) => n.syntax().text_range(),
            None => sig.decl.syntax().text_range(),
        };
        Span { file: sig.file, range }
    }

    /// A call or value of the function `name` at `range`: the overload taking `n_args`
    /// arguments (any, for a function value), among `ids` (all of `name`'s when `None`).
    pub(super) fn record_function_use(
        &mut self,
        range: TextRange,
        name: &str,
        ids: Option<&[FuncId]>,
        n_args: Option<usize>,
    ) {
        if self.index.is_none() {
            return;
        }
        let all = self.fns_by_name.get(name).cloned().unwrap_or_default();
        let ids = ids.unwrap_or(&all);
        let fits = |id: &&FuncId| n_args.is_none_or(|n| self.sig(**id).params.len() == n);
        if let Some(&id) = ids.iter().find(fits).or(ids.first()) {
            let target = self.fn_span(id);
            self.record_use(range, target, DefKind::Function);
        }
    }

    pub(super) fn record_method_use(&mut self, range: TextRange, id: FuncId) {
        if self.index.is_some() {
            let target = self.fn_span(id);
            self.record_use(range, target, DefKind::Method);
        }
    }

    /// A struct or enum named in a type.
    pub(super) fn record_type_use(&mut self, range: TextRange, ty: &Type) {
        if self.index.is_none() {
            return;
        }
        let (target, kind) = match ty {
            Type::Struct(s) => {
                let info = &self.structs[s.id.index()];
                let at = info.decl.name().map(|n| n.syntax().text_range());
                (at.map(|range| Span { file: info.file, range }), DefKind::Struct)
            }
            Type::Enum { e, .. } => {
                let info = &self.enums[e.id.index()];
                let at = info.decl.as_ref().and_then(|d| d.name()).map(|n| n.syntax().text_range());
                (at.map(|range| Span { file: info.file, range }), DefKind::Enum)
            }
            _ => (None, DefKind::Struct),
        };
        if let Some(target) = target {
            self.record_use(range, target, kind);
        }
    }

    pub(super) fn record_field_use(&mut self, range: TextRange, id: StructId, name: &str) {
        if self.index.is_none() {
            return;
        }
        let info = &self.structs[id.index()];
        let field = info.decl.fields().find_map(|f| f.name().filter(|n| n.text() == name));
        if let Some(n) = field {
            let target = Span { file: info.file, range: n.syntax().text_range() };
            self.record_use(range, target, DefKind::Field);
        }
    }

    pub(super) fn record_variant_use(&mut self, range: TextRange, id: EnumId, name: &str) {
        if self.index.is_none() {
            return;
        }
        let info = &self.enums[id.index()];
        let Some(decl) = &info.decl else { return };
        let variant = decl.variants().find_map(|v| v.name().filter(|n| n.text() == name));
        if let Some(n) = variant {
            let target = Span { file: info.file, range: n.syntax().text_range() };
            self.record_use(range, target, DefKind::Variant);
        }
    }

    /// An imported file named at `range` (an import's path, or a qualifier).
    pub(super) fn record_module_use(&mut self, range: TextRange, file: u32) {
        let target = Span { file, range: TextRange::empty(0.into()) };
        self.record_use(range, target, DefKind::Module);
    }

    /// The file of the package a qualifier (`包名`, `别名`, the module's name) names.
    pub(super) fn record_qualifier_use(&mut self, range: TextRange, qualifier: &str) {
        if self.index.is_none() {
            return;
        }
        let Some(package) = self.qualifier(qualifier) else { return };
        if let Some(file) = self.packages.iter().position(|p| *p == package) {
            self.record_module_use(range, file as u32);
        }
    }

    pub(super) fn record_global(&mut self, id: GlobalId, name: &ast::Name) {
        let at = self.span(name.syntax().text_range());
        if let Some(index) = &mut self.index {
            index.globals.insert(id.0, at);
        }
    }

    /// Every struct's fields and methods, once the checker is done.
    pub(super) fn record_members(&mut self) {
        let Some(mut index) = self.index.take() else { return };
        for (i, info) in self.structs.iter().enumerate() {
            let mut members: Vec<Member> = info
                .fields
                .iter()
                .filter_map(|f| {
                    let n =
                        info.decl.fields().find_map(|d| d.name().filter(|n| n.text() == f.name))?;
                    Some(Member {
                        name: f.name.clone(),
                        kind: DefKind::Field,
                        detail: f.ty.to_string(),
                        at: Span { file: info.file, range: n.syntax().text_range() },
                    })
                })
                .collect();
            let mut methods: Vec<(&String, FuncId)> = self
                .methods
                .iter()
                .filter(|((s, _), _)| s.index() == i)
                .map(|((_, name), id)| (name, *id))
                .collect();
            methods.sort();
            for (name, id) in methods {
                members.push(Member {
                    name: name.clone(),
                    kind: DefKind::Method,
                    detail: crate::index::signature(&self.sig(id).decl),
                    at: self.fn_span(id),
                });
            }
            index.members.insert(info.name.to_string(), members);
        }
        self.index = Some(index);
    }
}

impl FnLower<'_, '_> {
    /// Declare a variable the program names at `at` (its name where declared).
    pub(super) fn declare_at(&mut self, name: String, var: Var, at: TextRange) {
        if self.c.index.is_some() {
            if let VarKind::Local(l) = var.kind {
                let span = self.c.span(at);
                self.defs.insert(l, span);
                if let Some(index) = &mut self.c.index {
                    index.locals.push(Local { name: name.clone(), ty: var.ty.clone(), at: span });
                }
            }
        }
        self.declare(name, var);
    }

    /// A variable captured by a closure being lowered here is declared where the
    /// enclosing function declared it.
    pub(super) fn inherit_def(&mut self, local: LocalId, def: Option<Span>) {
        if let Some(def) = def {
            self.defs.insert(local, def);
        }
    }

    /// Where a variable was declared (when recording).
    pub(super) fn def_of(&self, var: &Var) -> Option<Span> {
        let index = self.c.index.as_ref()?;
        match var.kind {
            VarKind::Local(l) => self.defs.get(&l).copied(),
            VarKind::Global(g) => index.globals.get(&g.0).copied(),
        }
    }

    /// A use of a variable at `range`.
    pub(super) fn record_var_use(&mut self, range: TextRange, var: &Var) {
        if let Some(target) = self.def_of(var) {
            let kind = match var.kind {
                VarKind::Local(_) => DefKind::Local,
                VarKind::Global(_) => DefKind::Global,
            };
            self.c.record_use(range, target, kind);
        }
    }
}
