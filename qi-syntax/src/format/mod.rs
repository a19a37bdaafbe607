//! `qi fmt`: the one canonical layout of Qi source (docs/FORMAT.md describes the style).
//!
//! The formatter works on the lossless rowan tree of a file that parsed without errors.
//! It keeps every significant token and every comment in order and rewrites only the
//! whitespace between them (and drops empty statements, the only optional `;`), so the
//! program means the same before and after. The work is split in three steps:
//! [`pieces`] flattens the tree into tokens and comments with the line breaks the author
//! wrote between them, [`spacing`] decides the space between two tokens on one line, and
//! [`layout`] decides line breaks and indentation and writes the text.

mod layout;
mod pieces;
mod spacing;

use crate::Diagnostic;

/// Formats a whole file. A file with syntax errors is not formatted: its errors come back
/// (the caller reports them and leaves the file as it is).
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parse = crate::parse(text);
    if parse.has_errors() {
        return Err(parse.errors);
    }
    let root = parse.syntax();
    let pieces = pieces::collect(&root);
    Ok(layout::write(&pieces))
}

/// The comment line that keeps a file out of `qi fmt`: for files whose layout is the
/// point (tests of the parser's tolerance of odd whitespace, files with deliberate
/// syntax errors). It is matched on the raw text, so it works even where the file does
/// not parse.
pub const OFF_DIRECTIVE: &str = "// qi-fmt: off";

/// Whether `text` has an [`OFF_DIRECTIVE`] line (surrounding whitespace ignored).
pub fn is_off(text: &str) -> bool {
    text.lines().any(|line| line.trim() == OFF_DIRECTIVE)
}

/// The tokens formatting keeps, in order: every token but whitespace and empty statements
/// (kind and text as written: a `//` comment without its trailing whitespace), comments
/// included. Formatting a file leaves this sequence unchanged;
/// the tests compare it before and after.
pub fn kept_tokens(root: &crate::SyntaxNode) -> Vec<(crate::SyntaxKind, String)> {
    pieces::collect(root)
        .into_iter()
        .map(|p| (p.token.kind(), layout::written_text(&p.token).to_string()))
        .collect()
}
