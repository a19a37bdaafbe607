//! What the checker learnt about a program, kept for editors (`qi lsp`): the type of each
//! expression, what each name use resolved to, the local variables, and the members of
//! each struct. The checker fills it only when asked (`check_program_indexed`); `qi run`
//! and `qi check` record nothing (docs/ARCHITECTURE.md, "The checker's tables").

use crate::ir::Type;
use rowan::{TextRange, TextSize};
use std::collections::HashMap;

/// A range in one of the program's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: u32,
    pub range: TextRange,
}

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Local,
    Global,
    Function,
    Method,
    Field,
    Variant,
    Struct,
    Enum,
    /// An imported file (the target is the start of that file).
    Module,
}

/// A use of a name and the declaration it resolved to.
#[derive(Clone, Debug)]
pub struct Reference {
    pub at: Span,
    pub target: Span,
    pub kind: DefKind,
}

/// A local variable or parameter: its name where declared, and its type.
#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
    pub at: Span,
}

/// A field or method of a struct.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub kind: DefKind,
    /// The field's type, or the method's signature.
    pub detail: String,
    pub at: Span,
}

#[derive(Default)]
pub struct Index {
    /// The type of each checked expression.
    pub types: Vec<(Span, Type)>,
    pub references: Vec<Reference>,
    pub locals: Vec<Local>,
    /// Fields then methods of each struct, by the struct's name.
    pub members: HashMap<String, Vec<Member>>,
    /// Where each global is declared, by its id (for resolving uses while checking).
    pub(crate) globals: HashMap<u32, Span>,
}

impl Index {
    /// The innermost expression of `file` whose range holds `offset`, with its type.
    pub fn type_at(&self, file: u32, offset: TextSize) -> Option<(TextRange, &Type)> {
        self.types
            .iter()
            .filter(|(s, _)| s.file == file && touches(s.range, offset))
            .min_by_key(|(s, _)| s.range.len())
            .map(|(s, ty)| (s.range, ty))
    }

    /// The name use of `file` at `offset`.
    pub fn reference_at(&self, file: u32, offset: TextSize) -> Option<&Reference> {
        self.references
            .iter()
            .filter(|r| r.at.file == file && touches(r.at.range, offset))
            .min_by_key(|r| r.at.range.len())
    }

    /// The type of the expression of `file` that ends at `end` (the widest, so that `a.b`
    /// wins over `b`).
    pub fn type_ending_at(&self, file: u32, end: TextSize) -> Option<&Type> {
        self.types
            .iter()
            .filter(|(s, _)| s.file == file && s.range.end() == end)
            .max_by_key(|(s, _)| s.range.len())
            .map(|(_, ty)| ty)
    }
}

/// Whether `offset` is inside `range` or at its end (a cursor just after a name is on it).
fn touches(range: TextRange, offset: TextSize) -> bool {
    range.start() <= offset && offset <= range.end()
}

/// A function's signature as written: its declaration up to the body, on one line.
pub fn signature(decl: &qi_syntax::ast::FnDecl) -> String {
    use qi_syntax::ast::AstNode;
    let node = decl.syntax();
    let end = decl.body().map_or(node.text_range().end(), |b| b.syntax().text_range().start());
    let range = TextRange::new(node.text_range().start(), end);
    let text = node.text().slice(range - node.text_range().start()).to_string();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
