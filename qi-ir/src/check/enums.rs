//! Enums: declarations and variant construction.

use super::Checker;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use std::sync::Arc;

pub(crate) struct EnumInfo {
    pub name: Arc<str>,
    pub variants: Vec<VariantInfo>,
    pub boxed: bool,
    pub decl: ast::EnumDecl,
}

pub(crate) struct VariantInfo {
    pub name: String,
    pub payload: Vec<Type>,
    pub layout: Option<LayoutId>,
}

impl Checker<'_> {
    pub(super) fn declare_enum(&mut self, e: ast::EnumDecl) {
        let Some(name) = e.name() else { return };
        self.unsupported(name.syntax().text_range(), "枚举", "enums");
    }

    pub(super) fn define_enum_variants(&mut self, _id: EnumId) {}

    pub(super) fn enum_type_named(&self, name: &str) -> Option<Type> {
        let id = *self.enum_by_name.get(name)?;
        let info = &self.enums[id.index()];
        Some(Type::Enum { e: Named { id, name: info.name.clone() }, boxed: info.boxed })
    }

    pub(super) fn enum_defs(&self) -> Vec<EnumDef> {
        self.enums
            .iter()
            .map(|e| EnumDef {
                name: e.name.to_string(),
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantDef { name: v.name.clone(), payload: v.payload.clone(), layout: v.layout })
                    .collect(),
                boxed: e.boxed,
            })
            .collect()
    }
}

impl super::body::FnLower<'_, '_> {
    /// `枚举.变体` (a payload-less variant, or a payload variant used without arguments):
    /// `Some(result)` when `base` names an enum.
    pub(super) fn enum_variant_path(
        &mut self,
        base: &ast::Expr,
        _variant: &ast::NameRef,
        _range: rowan::TextRange,
    ) -> Option<Option<super::body::Val>> {
        let ast::Expr::Path(p) = base else { return None };
        let name = p.as_single_name()?.text();
        if self.lookup(&name).is_some() {
            return None;
        }
        self.c.enum_by_name.get(&name)?;
        Some(None)
    }

    /// `枚举.变体(载荷…)`: `Some(result)` when `base` names an enum.
    pub(super) fn enum_variant_call(
        &mut self,
        base: &ast::PathExpr,
        _variant: &str,
        _args: &[ast::Expr],
        _range: rowan::TextRange,
    ) -> Option<Option<super::body::Val>> {
        let name = base.as_single_name()?.text();
        self.c.enum_by_name.get(&name)?;
        Some(None)
    }
}
