//! Hover and go to definition, from the checker's tables (`qi_ir::Index`): what the name
//! under the cursor resolved to, or the type of the innermost expression there.

use super::position::LineIndex;
use super::{uri, Document};
use lsp_types::{
    GotoDefinitionResponse, Hover, HoverContents, Location, MarkupContent, MarkupKind, Position,
    TextDocumentPositionParams,
};
use qi_ir::index::{DefKind, Index, Span};
use qi_syntax::ast::{self, AstNode};
use rowan::{TextRange, TextSize};

pub fn hover(doc: &Document, position: Position) -> Option<Hover> {
    let analysis = &doc.analysis;
    let index = analysis.index.as_ref()?;
    let lines = LineIndex::new(&doc.text);
    let offset = lines.offset(position);
    let (range, text) = match index.reference_at(0, offset) {
        Some(r) => (r.at.range, describe(doc, index, r.target, r.kind, r.at.range)?),
        None => match declaration_at(doc, index, offset) {
            Some(found) => found,
            None => {
                let (range, ty) = index.type_at(0, offset)?;
                (range, ty.to_string())
            }
        },
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: format!("```qi\n{text}\n```"),
        }),
        range: Some(lines.range(range)),
    })
}

pub fn definition(
    doc: &Document,
    params: &TextDocumentPositionParams,
) -> Option<GotoDefinitionResponse> {
    let analysis = &doc.analysis;
    let index = analysis.index.as_ref()?;
    let offset = LineIndex::new(&doc.text).offset(params.position);
    let target = index.reference_at(0, offset)?.target;
    let file = analysis.files.get(target.file as usize)?;
    let uri = if target.file == 0 {
        params.text_document.uri.clone()
    } else {
        uri::from_path(&file.name)
    };
    let range = LineIndex::new(&file.text).range(target.range);
    Some(GotoDefinitionResponse::Scalar(Location { uri, range }))
}

/// What a name that resolved to `target` is, in one line of Qi.
fn describe(
    doc: &Document,
    index: &Index,
    target: Span,
    kind: DefKind,
    at: TextRange,
) -> Option<String> {
    let analysis = &doc.analysis;
    let file = analysis.files.get(target.file as usize)?;
    let name = &doc.text[at];
    let node_at = || {
        let root = file.parse.syntax();
        let element = root.covering_element(target.range);
        element.ancestors().next()
    };
    Some(match kind {
        DefKind::Function | DefKind::Method => {
            let decl = node_at()?.ancestors().find_map(ast::FnDecl::cast)?;
            qi_ir::index::signature(&decl)
        }
        DefKind::Local => {
            let local = index.locals.iter().find(|l| l.at == target)?;
            format!("变量 {}: {}", local.name, local.ty)
        }
        DefKind::Global => {
            let (_, ty) = index.type_at(0, at.start())?;
            format!("变量 {name}: {ty}")
        }
        DefKind::Field => {
            let members = index.members.values().flatten();
            let field = members.into_iter().find(|m| m.at == target)?;
            format!("字段 {}: {}", field.name, field.detail)
        }
        DefKind::Variant => {
            let variant = node_at()?.ancestors().find_map(ast::Variant::cast)?;
            let decl = variant.syntax().ancestors().find_map(ast::EnumDecl::cast)?;
            let enum_name = decl.name().map(|n| n.text()).unwrap_or_default();
            let text = variant.syntax().text().to_string();
            format!("{enum_name}.{}", text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        DefKind::Struct => format!("结构体 {}", &file.text[target.range]),
        DefKind::Enum => format!("枚举 {}", &file.text[target.range]),
        DefKind::Module => format!("模块 {}", file.name),
    })
}

/// The hover of a declaration's own name: a function's signature, a variable's type.
fn declaration_at(doc: &Document, index: &Index, offset: TextSize) -> Option<(TextRange, String)> {
    let on =
        |span: &Span| span.file == 0 && span.range.start() <= offset && offset <= span.range.end();
    if let Some(local) = index.locals.iter().find(|l| on(&l.at)) {
        return Some((local.at.range, format!("变量 {}: {}", local.name, local.ty)));
    }
    let root = doc.analysis.files.first()?.parse.syntax();
    let token = root.token_at_offset(offset).right_biased()?;
    let name = token.parent().and_then(ast::Name::cast)?;
    let decl = name.syntax().parent().and_then(ast::FnDecl::cast)?;
    Some((name.syntax().text_range(), qi_ir::index::signature(&decl)))
}
