//! Reading inputs: with line editing and history (rustyline) when standard input is a
//! terminal, plain lines otherwise; an input goes on over more lines while its brackets
//! are open (counted on the qi-syntax lexer's tokens, so brackets in strings and comments
//! do not count).

use qi_syntax::SyntaxKind::*;
use std::io::{BufRead, IsTerminal};

/// Where inputs come from.
pub enum Reader {
    Terminal(Box<rustyline::DefaultEditor>),
    Plain,
}

/// One line read, or why there is none.
enum Line {
    Text(String),
    /// Ctrl-C: the input being typed is dropped.
    Interrupted,
    End,
}

impl Reader {
    pub fn new() -> Reader {
        if std::io::stdin().is_terminal() {
            if let Ok(editor) = rustyline::DefaultEditor::new() {
                return Reader::Terminal(Box::new(editor));
            }
        }
        Reader::Plain
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Reader::Terminal(_))
    }

    /// The next input: its lines up to one where no bracket is left open (a command is
    /// one line). `None` at the end of input.
    pub fn next_input(&mut self) -> Option<String> {
        let mut text = String::new();
        loop {
            let prompt = if text.is_empty() { "奇> " } else { "..> " };
            match self.line(prompt) {
                Line::Text(line) => {
                    text.push_str(&line);
                    text.push('\n');
                }
                Line::Interrupted => {
                    text.clear();
                    continue;
                }
                // What was typed before the end still runs (its errors are shown).
                Line::End if text.trim().is_empty() => return None,
                Line::End => break,
            }
            if text.trim_start().starts_with(':') || open_brackets(&text) <= 0 {
                break;
            }
        }
        if let Reader::Terminal(editor) = self {
            let _ = editor.add_history_entry(text.trim_end());
        }
        Some(text)
    }

    fn line(&mut self, prompt: &str) -> Line {
        match self {
            Reader::Terminal(editor) => match editor.readline(prompt) {
                Ok(line) => Line::Text(line),
                Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::End,
            },
            Reader::Plain => {
                // The program's `输入()` reads the same buffered standard input.
                qi_rt::output::flush_all();
                let mut raw = Vec::new();
                match std::io::stdin().lock().read_until(b'\n', &mut raw) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => Line::Text(qi_rt::program::line_text(&raw)),
                }
            }
        }
    }
}

/// Brackets opened and not closed in `text` (negative when more close than open).
fn open_brackets(text: &str) -> i64 {
    let (tokens, _) = qi_syntax::lexer::lex(text);
    tokens
        .iter()
        .map(|t| match t.kind {
            L_PAREN | L_BRACE | L_BRACK | HOLE_OPEN | TEMPLATE_START => 1,
            R_PAREN | R_BRACE | R_BRACK | HOLE_CLOSE | TEMPLATE_END => -1,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::open_brackets;

    #[test]
    fn brackets_are_counted_on_tokens() {
        assert_eq!(open_brackets("函数 f() {\n"), 1);
        assert_eq!(open_brackets("函数 f() {\n返回 1;\n}\n"), 0);
        assert_eq!(open_brackets("打印行(\"(((\");\n"), 0);
        assert_eq!(open_brackets("// {{\n"), 0);
        assert_eq!(open_brackets("如果 真 【\n"), 1);
        assert_eq!(open_brackets("变量 a = [1,\n"), 1);
    }
}
