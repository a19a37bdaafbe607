//! `qi repl`: an interactive session (docs/ARCHITECTURE.md, "The interactive session").
//!
//! * `lines` — reading inputs (line editing on a terminal), bracket continuation.
//! * `parts` — what an input is made of: declarations, statements, variables, a value.
//! * `program` — the files a session program is made of, diagnostics shown against the
//!   user's inputs.
//! * `session` — declarations and variables kept between inputs; checking and running
//!   one input exactly once.
//! * `show` — a value as text, by its type.
//! * `texts` — what the session says, in Chinese or English.

mod lines;
mod parts;
mod program;
mod session;
mod show;
mod texts;

use qi_syntax::Lang;

/// Run a session until `:quit` or the end of input; the exit status.
pub fn run(lang: Lang) -> u8 {
    let mut reader = lines::Reader::new();
    let mut session = session::Session::new(lang);
    if reader.is_terminal() {
        qi_rt::output::write_stdout(format!("{}\n", texts::banner(lang)).as_bytes());
    }
    while let Some(input) = reader.next_input() {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(command) = trimmed.strip_prefix(':') else {
            session.eval(&input);
            continue;
        };
        let (name, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
        match name {
            "quit" | "q" | "exit" => break,
            "help" | "h" => {
                qi_rt::output::write_stdout(format!("{}\n", texts::help(lang)).as_bytes())
            }
            "type" | "t" if rest.trim().is_empty() => {
                qi_rt::output::write_stderr_line(texts::type_needs_expression(lang))
            }
            "type" | "t" => session.show_type(rest.trim()),
            _ => {
                qi_rt::output::write_stderr_line(&texts::unknown_command(lang, &format!(":{name}")))
            }
        }
    }
    0
}
