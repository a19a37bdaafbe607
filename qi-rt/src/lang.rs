//! Which language runtime messages are written in: Chinese by default,
//! English when `QI_LANG` starts with `en`, or when `QI_LANG` is unset (or
//! empty) and `LANG` starts with `en`.

use std::sync::OnceLock;

/// True when messages should be in English. Read once per process.
pub fn english() -> bool {
    static ENGLISH: OnceLock<bool> = OnceLock::new();
    *ENGLISH.get_or_init(|| {
        let qi_lang = std::env::var("QI_LANG").ok();
        let lang = std::env::var("LANG").ok();
        english_from(qi_lang.as_deref(), lang.as_deref())
    })
}

/// The decision itself, from the values of `QI_LANG` and `LANG`.
pub fn english_from(qi_lang: Option<&str>, lang: Option<&str>) -> bool {
    match qi_lang {
        Some(v) if !v.is_empty() => v.starts_with("en"),
        _ => lang.is_some_and(|v| v.starts_with("en")),
    }
}

#[cfg(test)]
mod tests {
    use super::english_from;

    #[test]
    fn choice() {
        assert!(!english_from(None, None));
        assert!(english_from(Some("en"), None));
        assert!(english_from(Some("en_US"), Some("zh_CN.UTF-8")));
        assert!(!english_from(Some("zh"), Some("en_US.UTF-8")));
        assert!(english_from(None, Some("en_US.UTF-8")));
        assert!(english_from(Some(""), Some("en_GB")));
        assert!(!english_from(None, Some("C.UTF-8")));
    }
}
