//! Rendering of diagnostics: `file:line:column`, the source line and a caret under the span.

use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind, Source};
use qi_syntax::{Diagnostic, Lang, Severity};
use std::io::Write;

/// Write every diagnostic to `out`, by file (`files[d.file]` is (name, text)) and source
/// order. Returns the number of errors.
pub fn render_files(
    out: &mut impl Write,
    files: &[(&str, &str)],
    diagnostics: &[Diagnostic],
    lang: Lang,
    color: bool,
) -> usize {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.file, d.range.start(), d.range.end()));
    let sources: Vec<Source<&str>> = files.iter().map(|(_, t)| Source::from(*t)).collect();
    let mut errors = 0;
    for d in sorted {
        let Some(&(file_name, text)) = files.get(d.file as usize) else { continue };
        let source = &sources[d.file as usize];
        let (kind, word) = match d.severity {
            Severity::Error => {
                errors += 1;
                (ariadne::Color::Red, if lang == Lang::Zh { "错误" } else { "error" })
            }
            Severity::Warning => {
                (ariadne::Color::Yellow, if lang == Lang::Zh { "警告" } else { "warning" })
            }
        };
        let range = clamp(d.range.start().into()..d.range.end().into(), text);
        let config = Config::default()
            .with_color(color)
            .with_char_set(CharSet::Ascii)
            .with_index_type(IndexType::Byte);
        // The hint, if any, is written at the caret (ariadne draws no caret without text).
        let here = if lang == Lang::Zh { "这里" } else { "here" };
        let label_text = d.hint.as_ref().map(|h| h.get(lang)).unwrap_or(here);
        let report = Report::build(ReportKind::Custom(word, kind), (file_name, range.clone()))
            .with_config(config)
            .with_message(d.message.get(lang))
            .with_label(Label::new((file_name, range)).with_message(label_text));
        let mut buf = Vec::new();
        let _ = report.finish().write((file_name, source), &mut buf);
        if !color {
            buf = strip_ansi(&buf);
        }
        let _ = out.write_all(&buf);
    }
    errors
}

/// Remove terminal colour sequences (`ESC [ … m`); ariadne colours custom report kinds
/// even when colours are off.
fn strip_ansi(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Keep a span inside the text and on character boundaries (ariadne needs a non-empty
/// span to draw a caret, so an empty span at the end of a line points at the next char).
fn clamp(r: std::ops::Range<usize>, text: &str) -> std::ops::Range<usize> {
    let start = r.start.min(text.len());
    let mut end = r.end.clamp(start, text.len());
    if end == start && end < text.len() {
        end += text[end..].chars().next().map_or(0, char::len_utf8);
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use qi_syntax::Text;
    use rowan::{TextRange, TextSize};

    #[test]
    fn renders_location_line_and_caret() {
        let text = "函数 入口() {\n    变量 x = y;\n}\n";
        let start = text.find('y').unwrap() as u32;
        let d = Diagnostic::error(
            TextRange::new(TextSize::from(start), TextSize::from(start + 1)),
            Text::new("未声明的变量 `y`", "undeclared variable `y`"),
        );
        let mut out = Vec::new();
        assert_eq!(
            render_files(&mut out, &[("a.qi", text)], std::slice::from_ref(&d), Lang::Zh, false),
            1
        );
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("错误: 未声明的变量 `y`"), "{s}");
        assert!(s.contains("a.qi:2:12"), "{s}");
        assert!(s.contains("变量 x = y;"), "{s}");
        let mut out = Vec::new();
        render_files(&mut out, &[("a.qi", text)], &[d], Lang::En, false);
        assert!(String::from_utf8(out).unwrap().contains("error: undeclared variable `y`"));
    }
}
