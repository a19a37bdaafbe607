//! One open document through the front end `qi check` runs: load it with the files it
//! imports (the document's text as the editor has it, the imported files from disk),
//! report their syntax errors, else check the program. What comes out is what `qi check`
//! would print, as data: the diagnostics by file, plus the checker's tables for hover,
//! definition and completion.

use crate::loader::{self, LoadError, LoadedFile};
use qi_syntax::{Diagnostic, Text};
use rowan::TextRange;
use std::path::PathBuf;

/// A checked document.
pub struct Analysis {
    /// The program's files: the document first, then the files it imports.
    pub files: Vec<LoadedFile>,
    /// Every diagnostic `qi check` would report, by file (`Diagnostic::file`).
    pub diagnostics: Vec<Diagnostic>,
    /// What the checker recorded (none when it did not run: syntax or import errors).
    pub index: Option<qi_ir::Index>,
}

/// Check `text`, the document at `path` (its imports are looked up from its directory).
pub fn analyse(path: PathBuf, text: &str) -> Analysis {
    let entry = loader::Entry { path: path.clone(), given: Some(text.as_bytes().to_vec()) };
    let files = match loader::load_program(&entry) {
        Ok(files) => files,
        Err(LoadError::Io(message)) => {
            // An imported file that cannot be read: said at the top of the document.
            let d = Diagnostic::error(TextRange::empty(0.into()), Text::new(&message, &message));
            return Analysis { files: vec![alone(path, text)], diagnostics: vec![d], index: None };
        }
        Err(LoadError::Encoding(file, diagnostic)) => {
            // Only an imported file can be undecodable (the document is text): file 1 here.
            let files = vec![alone(path, text), *file];
            return Analysis { files, diagnostics: vec![diagnostic.in_file(1)], index: None };
        }
        Err(LoadError::Imports(files, mut errors)) => {
            errors.extend(syntax_errors(&files));
            return Analysis { files, diagnostics: errors, index: None };
        }
    };
    let syntax = syntax_errors(&files);
    if !syntax.is_empty() {
        return Analysis { files, diagnostics: syntax, index: None };
    }
    let units: Vec<qi_ir::SourceUnit> = files.iter().map(LoadedFile::unit).collect();
    let (checked, index) = qi_ir::check_program_indexed(&units);
    drop(units);
    Analysis { files, diagnostics: checked.diagnostics, index: Some(index) }
}

/// The document on its own (when its imports could not be loaded).
fn alone(path: PathBuf, text: &str) -> LoadedFile {
    LoadedFile {
        name: path.display().to_string(),
        text: text.to_string(),
        parse: qi_syntax::parse(text),
        imports: Vec::new(),
    }
}

fn syntax_errors(files: &[LoadedFile]) -> Vec<Diagnostic> {
    files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.parse.errors.iter().cloned().map(move |d| d.in_file(i as u32)))
        .collect()
}
