//! Usage errors in Chinese: clap's error (kind and context: the argument, the value,
//! the suggestions, the usage line) written by our own formatter, so that `QI_LANG=zh`
//! (or a Chinese `LANG`) gets no English line. English keeps clap's own formatter.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};

/// Formats clap's usage errors in Chinese (`clap::Error::apply::<Chinese>()`).
pub struct Chinese;

impl ErrorFormatter for Chinese {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let ctx = |kind| error.get(kind).map(ToString::to_string).unwrap_or_default();
        let (arg, value) = (ctx(ContextKind::InvalidArg), ctx(ContextKind::InvalidValue));
        let mut out = format!("错误: {}", message(error, &arg, &value));
        let similar = [
            ContextKind::SuggestedSubcommand,
            ContextKind::SuggestedArg,
            ContextKind::SuggestedValue,
        ];
        let similar: Vec<String> = similar.into_iter().map(ctx).filter(|s| !s.is_empty()).collect();
        let tips = match error.get(ContextKind::Suggested) {
            Some(ContextValue::StyledStrs(tips)) => {
                tips.iter().map(|t| tip(&t.to_string())).collect()
            }
            _ => Vec::new(),
        };
        if !similar.is_empty() || !tips.is_empty() {
            out.push('\n');
        }
        for s in similar {
            out.push_str(&format!("\n  提示: 相近的有 '{s}'"));
        }
        for t in tips {
            out.push_str(&format!("\n  提示: {t}"));
        }
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            let usage = usage.to_string();
            let usage =
                usage.strip_prefix("Usage:").map_or(usage.clone(), |rest| format!("用法:{rest}"));
            out.push_str(&format!("\n\n{usage}"));
        }
        out.push_str("\n\n更多信息请用 '--help'。\n");
        StyledStr::from(out)
    }
}

/// The first line: what is wrong, by the error's kind.
fn message(error: &clap::error::Error<Chinese>, arg: &str, value: &str) -> String {
    let ctx = |kind| error.get(kind).map(ToString::to_string).unwrap_or_default();
    match error.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数 '{arg}'"),
        ErrorKind::InvalidSubcommand => {
            format!("无法识别的子命令 '{}'", ctx(ContextKind::InvalidSubcommand))
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("参数 '{arg}' 需要一个值，但没有给出")
        }
        ErrorKind::InvalidValue => {
            let valid = ctx(ContextKind::ValidValue);
            let valid =
                if valid.is_empty() { String::new() } else { format!("\n  可选值: {valid}") };
            format!("参数 '{arg}' 的值 '{value}' 无效{valid}")
        }
        ErrorKind::ValueValidation => {
            let why =
                std::error::Error::source(error).map(|s| format!(": {s}")).unwrap_or_default();
            format!("参数 '{arg}' 的值 '{value}' 无效{why}")
        }
        ErrorKind::NoEquals => format!("参数 '{arg}' 的值须用 '=' 给出"),
        ErrorKind::ArgumentConflict => {
            format!("参数 '{arg}' 不能与 '{}' 一起使用", ctx(ContextKind::PriorArg))
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必需的参数:\n  {}", arg.replace(", ", "\n  "))
        }
        ErrorKind::MissingSubcommand => {
            format!("'{}' 需要一个子命令", ctx(ContextKind::InvalidSubcommand))
        }
        ErrorKind::TooManyValues => format!("参数 '{arg}' 多了一个值 '{value}'"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let expected =
                [ContextKind::ExpectedNumValues, ContextKind::MinValues].into_iter().map(ctx);
            let expected = expected.filter(|s| !s.is_empty()).collect::<Vec<_>>().join("");
            format!(
                "参数 '{arg}' 需要 {expected} 个值，给出了 {} 个",
                ctx(ContextKind::ActualNumValues)
            )
        }
        ErrorKind::InvalidUtf8 => "命令行参数不是有效的 UTF-8".to_string(),
        // Kinds `qi`'s command line cannot produce: clap's English text.
        kind => kind.as_str().unwrap_or("命令行无法解析").to_string(),
    }
}

/// clap's English tips, by their shape: the quoted parts are kept.
fn tip(english: &str) -> String {
    let quoted: Vec<&str> = english.split('\'').skip(1).step_by(2).collect();
    match quoted.as_slice() {
        [value, command] if english.starts_with("to pass") => {
            format!("若要把 '{value}' 作为值传递，请写 '{command}'")
        }
        [sub, _] if english.starts_with("subcommand") => {
            format!("子命令 '{sub}' 存在；要使用它，请去掉它前面的 '--'")
        }
        [found] if english.ends_with("exists") => format!("存在 '{found}'"),
        _ => english.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::tip;

    #[test]
    fn tips_keep_their_quoted_parts() {
        assert_eq!(
            tip("to pass '--x' as a value, use '-- --x'"),
            "若要把 '--x' 作为值传递，请写 '-- --x'"
        );
        assert_eq!(tip("'qi run --emit' exists"), "存在 'qi run --emit'");
        assert_eq!(tip("something new"), "something new");
    }
}
