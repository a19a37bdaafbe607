//! Diagnostics: the shared vocabulary every stage uses to report a problem in the source.
//!
//! A diagnostic carries its message in Chinese (the default) and English; the renderer
//! picks one. Ranges are byte offsets into the file's text, so any stage can point at the
//! exact span it complains about; the CLI turns them into `file:line:column`.

use rowan::TextRange;

/// Which source file a range belongs to (index into the driver's file list; 0 = entry file).
pub type FileId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A message in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: zh.into(), en: en.into() }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Output language of messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `QI_LANG=en` (or `QI_LANG` unset and `LANG` starting with `en`) selects English.
    pub fn from_env() -> Lang {
        let pick = |v: &str| if v.starts_with("en") { Lang::En } else { Lang::Zh };
        match std::env::var("QI_LANG") {
            Ok(v) if !v.is_empty() => pick(&v),
            _ => match std::env::var("LANG") {
                Ok(v) => pick(&v),
                Err(_) => Lang::Zh,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: FileId,
    pub range: TextRange,
    pub message: Text,
    /// Optional advice shown under the snippet.
    pub hint: Option<Text>,
}

impl Diagnostic {
    pub fn error(range: TextRange, message: Text) -> Diagnostic {
        Diagnostic { severity: Severity::Error, file: 0, range, message, hint: None }
    }
    pub fn with_hint(mut self, hint: Text) -> Diagnostic {
        self.hint = Some(hint);
        self
    }
    pub fn in_file(mut self, file: FileId) -> Diagnostic {
        self.file = file;
        self
    }
}
