//! Document symbols, read off the syntax tree (they need no checking, so they work on a
//! file with errors too): functions, methods (of `实现` blocks and Go-style receivers),
//! structs with their fields, enums with their variants, traits, and globals.

use super::position::LineIndex;
use lsp_types::{DocumentSymbol, DocumentSymbolResponse, SymbolKind};
use qi_syntax::ast::{self, AstNode};

pub fn document_symbols(text: &str) -> DocumentSymbolResponse {
    let parse = qi_syntax::parse(text);
    let lines = LineIndex::new(text);
    let mut symbols = Vec::new();
    for stmt in parse.tree().stmts() {
        let symbol = match stmt {
            ast::Stmt::Item(item) => item_symbol(&item, &lines),
            ast::Stmt::Let(g) => g.name().map(|n| {
                let kind = if g.is_const() { SymbolKind::CONSTANT } else { SymbolKind::VARIABLE };
                symbol(n.text(), kind, None, g.syntax(), n.syntax(), Vec::new(), &lines)
            }),
            _ => None,
        };
        symbols.extend(symbol);
    }
    DocumentSymbolResponse::Nested(symbols)
}

fn item_symbol(item: &ast::Item, lines: &LineIndex) -> Option<DocumentSymbol> {
    Some(match item {
        ast::Item::Fn(f) => fn_symbol(f, lines)?,
        ast::Item::Struct(s) => {
            let name = s.name()?;
            let fields = s
                .fields()
                .filter_map(|f| {
                    let n = f.name()?;
                    let ty = f.ty().map(|t| t.syntax().text().to_string());
                    Some(symbol(
                        n.text(),
                        SymbolKind::FIELD,
                        ty,
                        f.syntax(),
                        n.syntax(),
                        vec![],
                        lines,
                    ))
                })
                .collect();
            symbol(name.text(), SymbolKind::STRUCT, None, s.syntax(), name.syntax(), fields, lines)
        }
        ast::Item::Enum(e) => {
            let name = e.name()?;
            let variants = e
                .variants()
                .filter_map(|v| {
                    let n = v.name()?;
                    let kind = SymbolKind::ENUM_MEMBER;
                    Some(symbol(n.text(), kind, None, v.syntax(), n.syntax(), vec![], lines))
                })
                .collect();
            symbol(name.text(), SymbolKind::ENUM, None, e.syntax(), name.syntax(), variants, lines)
        }
        ast::Item::Trait(t) => {
            let name = t.name()?;
            let methods = t.methods().filter_map(|m| fn_symbol(&m, lines)).collect();
            let kind = SymbolKind::INTERFACE;
            symbol(name.text(), kind, None, t.syntax(), name.syntax(), methods, lines)
        }
        ast::Item::Impl(i) => {
            let ty = i.self_ty()?;
            let title = match i.trait_ty() {
                Some(t) => format!("实现 {} 为 {}", t.syntax().text(), ty.syntax().text()),
                None => format!("实现 {}", ty.syntax().text()),
            };
            let methods = i.methods().filter_map(|m| fn_symbol(&m, lines)).collect();
            symbol(title, SymbolKind::OBJECT, None, i.syntax(), ty.syntax(), methods, lines)
        }
        _ => return None,
    })
}

fn fn_symbol(f: &ast::FnDecl, lines: &LineIndex) -> Option<DocumentSymbol> {
    let name = f.name()?;
    let in_impl =
        f.syntax().parent().is_some_and(|p| p.kind() == qi_syntax::SyntaxKind::ASSOC_ITEM_LIST);
    let kind =
        if f.receiver().is_some() || in_impl { SymbolKind::METHOD } else { SymbolKind::FUNCTION };
    let detail = Some(qi_ir::index::signature(f));
    Some(symbol(name.text(), kind, detail, f.syntax(), name.syntax(), Vec::new(), lines))
}

fn symbol(
    name: String,
    kind: SymbolKind,
    detail: Option<String>,
    whole: &qi_syntax::SyntaxNode,
    name_node: &qi_syntax::SyntaxNode,
    children: Vec<DocumentSymbol>,
    lines: &LineIndex,
) -> DocumentSymbol {
    // `deprecated` is the protocol's old flag, superseded by `tags`; it must still be set.
    #[allow(deprecated)]
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(whole.text_range()),
        selection_range: lines.range(name_node.text_range()),
        children: (!children.is_empty()).then_some(children),
    }
}
