//! A session program: the source files the checker reads for one input, and diagnostics
//! shown against what the user typed.
//!
//! The files are made from the user's inputs without moving their lines: a declaration
//! file is an input with its statements blanked out (every byte but line ends turned into
//! a space), the entry file the same input with its declarations blanked, after
//! `函数 入口() {` on its first line. So a byte of the input keeps its offset in a
//! declaration file and is shifted by the prefix in the entry file, and a line keeps its
//! number in both: diagnostics map back exactly, and stack traces name the input's lines.

use crate::render;
use qi_syntax::{Diagnostic, Lang};
use rowan::{TextRange, TextSize};

/// What an input's statements are wrapped in: the session's `入口`, opened on the input's
/// first line so that line numbers do not move.
pub const ENTRY_OPEN: &str = "函数 入口() {";

/// One source file of a session program.
pub struct Unit {
    /// As shown in diagnostics and stack traces (`<输入3>`, `<会话>`).
    pub name: String,
    /// What the checker reads.
    pub text: String,
    /// What diagnostics are shown against, when not `text`: the user's input, whose
    /// byte `i` is byte `i + offset` of `text`.
    pub shown: Option<(String, usize)>,
}

impl Unit {
    /// A file the user did not write (shown as it is).
    pub fn generated(name: &str, text: String) -> Unit {
        Unit { name: name.to_string(), text, shown: None }
    }

    /// A file made from `input`, whose bytes start at `offset` of `text`.
    pub fn from_input(name: &str, input: &str, text: String, offset: usize) -> Unit {
        Unit { name: name.to_string(), text, shown: Some((input.to_string(), offset)) }
    }
}

/// The files of one program; `units[0]` is the entry file (it declares `入口`).
pub struct Program {
    pub units: Vec<Unit>,
}

impl Program {
    /// Parse and check every file. Syntax errors of the user's code were reported before
    /// (each input is parsed alone first), so any here come from the session's own text
    /// and are returned with the checker's.
    pub fn check(&self) -> qi_ir::CheckOutput {
        let parses: Vec<qi_syntax::Parse> =
            self.units.iter().map(|u| qi_syntax::parse(&u.text)).collect();
        let syntax: Vec<Diagnostic> = parses
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.errors.iter().cloned().map(move |d| d.in_file(i as u32)))
            .collect();
        if !syntax.is_empty() {
            return qi_ir::CheckOutput { module: None, diagnostics: syntax };
        }
        let sources: Vec<qi_ir::SourceUnit> = self
            .units
            .iter()
            .zip(&parses)
            .map(|(u, p)| qi_ir::SourceUnit {
                name: &u.name,
                text: &u.text,
                tree: p.tree(),
                imports: Vec::new(),
            })
            .collect();
        qi_ir::check_program(&sources)
    }

    /// Print `diagnostics` to stderr, each against the input it points into; true if any
    /// is an error.
    pub fn report(&self, diagnostics: &[Diagnostic], lang: Lang) -> bool {
        let files: Vec<(&str, &str)> = self
            .units
            .iter()
            .map(|u| match &u.shown {
                Some((input, _)) => (u.name.as_str(), input.as_str()),
                None => (u.name.as_str(), u.text.as_str()),
            })
            .collect();
        let mapped: Vec<Diagnostic> = diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                if let Some((input, offset)) =
                    self.units.get(d.file as usize).and_then(|u| u.shown.as_ref())
                {
                    d.range = shift(d.range, *offset, input);
                }
                d
            })
            .collect();
        report(&files, &mapped, lang)
    }
}

/// Print `diagnostics` of `files` (name, text) to stderr; true if any is an error.
pub fn report(files: &[(&str, &str)], diagnostics: &[Diagnostic], lang: Lang) -> bool {
    if diagnostics.is_empty() {
        return false;
    }
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = Vec::new();
    let errors = render::render_files(&mut out, files, diagnostics, lang, color);
    qi_rt::output::write_stderr(&out);
    errors > 0
}

/// `range` of a text whose input starts at `offset`, as a range of the input (clamped to
/// it: a range in the wrapping points at the input's nearest end).
fn shift(range: TextRange, offset: usize, input: &str) -> TextRange {
    let at = |p: TextSize| {
        let mut at = usize::from(p).saturating_sub(offset).min(input.len());
        while !input.is_char_boundary(at) {
            at -= 1;
        }
        TextSize::from(at as u32)
    };
    TextRange::new(at(range.start()), at(range.end()))
}

/// `text` with the bytes of `ranges` turned into spaces, line ends kept: every other byte
/// keeps its offset and every line its number. Ranges cover whole tokens, so the result
/// is valid UTF-8.
pub fn blank(text: &str, ranges: &[TextRange]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        for b in &mut bytes[usize::from(r.start())..usize::from(r.end())] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).expect("whole tokens were blanked")
}

/// `text` with each range replaced (ranges sorted and disjoint); a replacement gets the
/// line ends of what it replaces, so lines after it keep their numbers.
pub fn edit(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (range, with) in edits {
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        out.push_str(&text[at..start]);
        out.push_str(with);
        out.extend(text[start..end].chars().filter(|c| *c == '\n'));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(start.into(), end.into())
    }

    #[test]
    fn blanking_keeps_offsets_and_lines() {
        let text = "函数 f() {\n}\n打印行(1);";
        let blanked = blank(text, &[range(0, 15)]);
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(blanked.ends_with("\n打印行(1);"));
        assert_eq!(blanked.trim(), "打印行(1);");
    }

    #[test]
    fn edits_keep_line_numbers() {
        let text = "变量 x\n = 1;\n打印行(x);";
        let end = text.find('=').unwrap() as u32;
        let edited = edit(text, &[(range(0, end), "x ".into())]);
        assert_eq!(edited, "x \n= 1;\n打印行(x);");
    }

    #[test]
    fn ranges_in_the_wrapping_point_at_the_input() {
        let input = "x".repeat(30);
        assert_eq!(shift(range(20, 25), 10, &input), range(10, 15));
        assert_eq!(shift(range(2, 12), 10, &input), range(0, 2));
        assert_eq!(shift(range(38, 45), 10, &input), range(28, 30));
        assert_eq!(shift(range(11, 14), 10, "变量"), range(0, 3));
    }
}
