//! Decoding of escape sequences (language.md §2.7.4–2.7.5): `\n \t \r \\ \' \" \0`;
//! a backslash before any other character yields that character (`\{` is `{`).

/// Decodes the escapes of a string body (the text between the quotes, or a template
/// text piece).
pub fn unescape_str(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // A trailing lone backslash (only in an unterminated literal) stays itself.
            out.push(chars.next().map_or('\\', escape_value));
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes a character literal's body (between the quotes); `None` unless it denotes
/// exactly one character.
pub fn unescape_char(body: &str) -> Option<char> {
    let mut chars = body.chars();
    let c = match chars.next()? {
        '\\' => escape_value(chars.next()?),
        c => c,
    };
    chars.next().is_none().then_some(c)
}

/// The value of a `STRING` or `RAW_STRING` token given its full text (quotes included).
/// Tolerates a missing closing quote (unterminated literals were already reported).
pub fn string_literal_value(token_text: &str) -> String {
    if let Some(body) = token_text.strip_prefix('`') {
        return body.strip_suffix('`').unwrap_or(body).to_string();
    }
    let body = token_text.strip_prefix('"').unwrap_or(token_text);
    let body = match body.strip_suffix('"') {
        // `"\"` (unterminated) ends in an escaped quote, not a closing one.
        Some(inner) if !ends_with_escape(inner) => inner,
        _ => body,
    };
    unescape_str(body)
}

/// The value of a `CHAR` token given its full text (quotes included).
pub fn char_literal_value(token_text: &str) -> Option<char> {
    let body = token_text.strip_prefix('\'')?;
    let body = body.strip_suffix('\'')?;
    unescape_char(body)
}

fn escape_value(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        other => other,
    }
}

/// Whether `s` ends in an unpaired backslash.
fn ends_with_escape(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape_str(r#"a\nb\tc\\d\"e\'f\0g"#), "a\nb\tc\\d\"e'f\0g");
        assert_eq!(unescape_str(r"\$\{\}\q"), "${}q");
        assert_eq!(unescape_str("plain 中文"), "plain 中文");
        assert_eq!(unescape_str("end\\"), "end\\");
    }

    #[test]
    fn chars() {
        assert_eq!(unescape_char("x"), Some('x'));
        assert_eq!(unescape_char("中"), Some('中'));
        assert_eq!(unescape_char(r"\n"), Some('\n'));
        assert_eq!(unescape_char(r"\q"), Some('q'));
        assert_eq!(unescape_char(r"\'"), Some('\''));
        assert_eq!(unescape_char(""), None);
        assert_eq!(unescape_char("ab"), None);
        assert_eq!(char_literal_value("'A'"), Some('A'));
        assert_eq!(char_literal_value(r"'\0'"), Some('\0'));
    }

    #[test]
    fn literal_values() {
        assert_eq!(string_literal_value(r#""a\"b""#), "a\"b");
        assert_eq!(string_literal_value("`raw\\n`"), "raw\\n");
        assert_eq!(string_literal_value("\"open"), "open");
        assert_eq!(string_literal_value(r#""\""#), "\"");
    }
}
