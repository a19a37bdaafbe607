//! Completion: after `值.` the fields and methods of the value's struct, after `模块.` the
//! functions of a library module (the registry, `qi_ir::library`) or of an imported file,
//! and elsewhere the names in scope: the local variables declared above the cursor in the
//! blocks around it, then the program's functions, structs, enums and globals, and the
//! library's modules.

use super::analysis::{self, Analysis};
use super::position::LineIndex;
use super::{uri, Document};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, TextDocumentPositionParams,
};
use qi_ir::index::{DefKind, Index};
use qi_syntax::ast::{self, AstNode};
use qi_syntax::SyntaxKind;
use rowan::TextSize;

/// Stands for the member being typed after a `.`, so that the text parses and the checker
/// types the value before the dot.
const PLACEHOLDER: &str = "补全占位";

pub fn complete(doc: &Document, params: &TextDocumentPositionParams) -> Option<CompletionResponse> {
    let text = &doc.text;
    let offset = usize::from(LineIndex::new(text).offset(params.position));
    let start = name_start(text, offset);
    let items = match text[..start].strip_suffix('.') {
        Some(before) => {
            let receiver = &before[name_start(before, before.len())..];
            let path = uri::to_path(&params.text_document.uri);
            // `p.` is usually typed before its `;`: the placeholder comes with one when the
            // text does not parse without.
            let mut probe = None;
            for end in ["", ";"] {
                let text = format!("{}{PLACEHOLDER}{end}{}", &text[..start], &text[offset..]);
                let attempt = analysis::analyse(path.clone(), &text);
                let parsed = attempt.files.first().is_some_and(|f| !f.parse.has_errors());
                probe = Some(attempt);
                if parsed {
                    break;
                }
            }
            match probe {
                Some(probe) => members(&probe, receiver, before.len()),
                None => Vec::new(),
            }
        }
        None => in_scope(doc, TextSize::from(offset as u32)),
    };
    Some(CompletionResponse::Array(items))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where the name that ends at `end` starts.
fn name_start(text: &str, end: usize) -> usize {
    let before = &text[..end];
    before.char_indices().rev().take_while(|(_, c)| is_name_char(*c)).last().map_or(end, |(i, _)| i)
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// What can follow `receiver.` (the dot at `dot`), from the program checked with a
/// placeholder member.
fn members(probe: &Analysis, receiver: &str, dot: usize) -> Vec<CompletionItem> {
    let index = probe.index.as_ref();
    let is_variable = index.is_some_and(|ix| {
        let at = TextSize::from((dot - receiver.len()) as u32);
        ix.reference_at(0, at).is_some_and(|r| matches!(r.kind, DefKind::Local | DefKind::Global))
    });
    if !is_variable {
        if let Some(module) = library_module(probe, receiver) {
            return qi_ir::library::rows()
                .filter(|(_, f)| std::ptr::eq(f.module, module))
                .map(|(_, f)| {
                    item(f.name, CompletionItemKind::FUNCTION, Some(library_signature(f)))
                })
                .collect();
        }
    }
    let imported = if is_variable { None } else { imported_file(probe, receiver) };
    if let Some(file) = imported {
        return file
            .parse
            .tree()
            .functions()
            .filter(|f| f.receiver().is_none())
            .filter_map(|f| {
                let name = f.name()?.text();
                Some(item(&name, CompletionItemKind::FUNCTION, Some(qi_ir::index::signature(&f))))
            })
            .collect();
    }
    let Some(index) = index else { return Vec::new() };
    let Some(qi_ir::Type::Struct(s)) = index.type_ending_at(0, TextSize::from(dot as u32)) else {
        return Vec::new();
    };
    let Some(members) = index.members.get(&*s.name) else { return Vec::new() };
    members
        .iter()
        .map(|m| {
            let kind = match m.kind {
                DefKind::Method => CompletionItemKind::METHOD,
                _ => CompletionItemKind::FIELD,
            };
            item(&m.name, kind, Some(m.detail.clone()))
        })
        .collect()
}

/// The file an import of the document names `receiver` (by its file name or alias).
fn imported_file<'p>(probe: &'p Analysis, receiver: &str) -> Option<&'p crate::loader::LoadedFile> {
    let first = probe.files.first()?;
    first.parse.tree().imports().find_map(|imp| {
        let path = imp.path()?.text();
        let stem = path.rsplit(['/', '.']).next().unwrap_or(&path);
        let alias = imp.alias().map(|a| a.text());
        if stem != receiver && alias.as_deref() != Some(receiver) {
            return None;
        }
        let range = imp.syntax().text_range();
        let (_, file) = first.imports.iter().find(|(r, _)| *r == range)?;
        probe.files.get(*file as usize)
    })
}

/// The library module `receiver` names: one of its keys, or an alias an import gave it
/// (`导入 标准库.数学 作为 数;`).
fn library_module(probe: &Analysis, receiver: &str) -> Option<&'static qi_ir::library::Module> {
    if let Some(m) = qi_ir::library::module_by_key(receiver) {
        return Some(m);
    }
    let tree = probe.files.first()?.parse.tree();
    tree.imports().find_map(|imp| {
        let alias = imp.alias()?.text();
        let path = imp.path()?.text();
        let key = path.strip_prefix("标准库.")?;
        (alias == receiver).then(|| qi_ir::library::module_by_key(key)).flatten()
    })
}

fn library_signature(f: &qi_ir::LibFn) -> String {
    let params: Vec<String> = f.params.iter().map(|p| p.ty().to_string()).collect();
    format!("{}.{}({}): {}", f.module.name(), f.name, params.join(", "), f.ret.ty())
}

/// The names usable at `offset`: from the document's last checked tables.
fn in_scope(doc: &Document, offset: TextSize) -> Vec<CompletionItem> {
    let analysis = match &doc.analysis.index {
        Some(_) => &doc.analysis,
        None => match &doc.last_checked {
            Some(last) => last,
            None => &doc.analysis,
        },
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if let Some(index) = &analysis.index {
        // Innermost first: a later declaration shadows an earlier one of the same name.
        for local in visible_locals(analysis, index, offset).into_iter().rev() {
            if seen.insert(local.name.clone()) {
                let detail = Some(local.ty.to_string());
                items.push(item(&local.name, CompletionItemKind::VARIABLE, detail));
            }
        }
    }
    for file in &analysis.files {
        for stmt in file.parse.tree().stmts() {
            let found = match stmt {
                ast::Stmt::Item(ast::Item::Fn(f)) if f.receiver().is_none() => f.name().map(|n| {
                    (n.text(), CompletionItemKind::FUNCTION, Some(qi_ir::index::signature(&f)))
                }),
                ast::Stmt::Item(ast::Item::Struct(s)) => {
                    s.name().map(|n| (n.text(), CompletionItemKind::STRUCT, None))
                }
                ast::Stmt::Item(ast::Item::Enum(e)) => {
                    e.name().map(|n| (n.text(), CompletionItemKind::ENUM, None))
                }
                ast::Stmt::Let(g) => g.name().map(|n| {
                    let kind = if g.is_const() {
                        CompletionItemKind::CONSTANT
                    } else {
                        CompletionItemKind::VARIABLE
                    };
                    (n.text(), kind, None)
                }),
                _ => None,
            };
            if let Some((name, kind, detail)) = found {
                if seen.insert(name.clone()) {
                    items.push(item(&name, kind, detail));
                }
            }
        }
    }
    for module in qi_ir::library::MODULES {
        if seen.insert(module.name().to_string()) {
            items.push(item(module.name(), CompletionItemKind::MODULE, None));
        }
    }
    items
}

/// The locals of the document declared before `offset` in a block (or function, closure,
/// loop, match arm …) that holds it, in declaration order.
fn visible_locals<'i>(
    analysis: &Analysis,
    index: &'i Index,
    offset: TextSize,
) -> Vec<&'i qi_ir::index::Local> {
    let Some(file) = analysis.files.first() else { return Vec::new() };
    let root = file.parse.syntax();
    let mut locals: Vec<&qi_ir::index::Local> = index
        .locals
        .iter()
        .filter(|l| l.at.file == 0 && l.at.range.end() <= offset)
        .filter(|l| {
            let element = root.covering_element(l.at.range);
            let scope = element.ancestors().find(|n| {
                matches!(
                    n.kind(),
                    SyntaxKind::BLOCK
                        | SyntaxKind::FN_DECL
                        | SyntaxKind::CLOSURE_EXPR
                        | SyntaxKind::FOR_STMT
                        | SyntaxKind::MATCH_ARM
                        | SyntaxKind::CATCH_CLAUSE
                        | SyntaxKind::SELECT_CASE
                )
            });
            scope.is_some_and(|s| offset <= s.text_range().end())
        })
        .collect();
    locals.sort_by_key(|l| l.at.range.start());
    locals
}
