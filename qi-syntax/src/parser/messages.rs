//! Texts of syntax diagnostics, in Chinese and English (wording after errors.md §3).

use rowan::TextRange;

use super::MAX_DEPTH;
use crate::diagnostic::{Diagnostic, Text};
use crate::syntax_kind::SyntaxKind::{self, *};

/// What the parser wanted to see where it found something else.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expected {
    Token(SyntaxKind),
    OneOf(&'static [SyntaxKind]),
    Either(SyntaxKind, SyntaxKind),
    Expr,
    Name,
    Type,
    Pattern,
    Stmt,
    Item,
}

impl Expected {
    fn describe(self) -> (String, String) {
        let both = |zh: &str, en: &str| (zh.to_string(), en.to_string());
        match self {
            Expected::Token(kind) => {
                let t = token_desc(kind);
                (t.clone(), t)
            }
            Expected::OneOf(kinds) => {
                let list: Vec<String> = kinds.iter().map(|&k| token_desc(k)).collect();
                (list.join(" / "), list.join(" or "))
            }
            Expected::Either(a, b) => {
                let (a, b) = (token_desc(a), token_desc(b));
                (format!("{a} / {b}"), format!("{a} or {b}"))
            }
            Expected::Expr => both("表达式", "an expression"),
            Expected::Name => both("<标识符>", "a name"),
            Expected::Type => both("类型", "a type"),
            Expected::Pattern => both("模式", "a pattern"),
            Expected::Stmt => both("语句", "a statement"),
            Expected::Item => both("声明或语句", "a declaration or statement"),
        }
    }

    fn wants(self, kind: SyntaxKind) -> bool {
        match self {
            Expected::Token(k) => k == kind,
            Expected::OneOf(ks) => ks.contains(&kind),
            Expected::Either(a, b) => a == kind || b == kind,
            _ => false,
        }
    }
}

fn token_desc(kind: SyntaxKind) -> String {
    match kind.fixed_text() {
        Some(text) => format!("`{text}`"),
        None => match kind {
            IDENT => "<标识符>".to_string(),
            STRING => "<字符串字面量>".to_string(),
            _ => format!("{kind:?}"),
        },
    }
}

/// Shortens a token's text for display (a string literal may be long or multi-line).
fn shown(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    let mut out: String = first_line.chars().take(24).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// "unexpected `x`, expected …" (or "unexpected end of file" when `found` is `None`).
pub(crate) fn unexpected(found: Option<&str>, expected: Expected) -> Text {
    let (zh_exp, en_exp) = expected.describe();
    match found {
        Some(text) => {
            let text = shown(text);
            Text::new(
                format!("意外的标记 `{text}`，期望 {zh_exp}"),
                format!("unexpected `{text}`, expected {en_exp}"),
            )
        }
        None => Text::new(
            format!("源码意外结束，期望 {zh_exp}"),
            format!("unexpected end of file, expected {en_exp}"),
        ),
    }
}

/// The advice of errors.md §3.1, first applicable wins.
pub(crate) fn hint(found: SyntaxKind, found_text: &str, expected: Expected) -> Option<Text> {
    if found.is_keyword() && matches!(expected, Expected::Name) {
        return Some(reserved_word_hint(found_text));
    }
    if expected.wants(SEMI) {
        return Some(Text::new(
            "上一行可能漏写了 `;`，或本行多写了 `变量` / `函数` 关键字",
            "the previous line may be missing a `;`, or this line has a stray `变量` / `函数` keyword",
        ));
    }
    if expected.wants(R_BRACE) {
        return Some(Text::new(
            "缺少 `}` — 检查上面的代码块是否漏写收尾大括号",
            "missing `}` — check whether a block above lacks its closing brace",
        ));
    }
    if expected.wants(R_PAREN) {
        return Some(Text::new(
            "缺少 `)` — 检查函数调用 / 参数列表是否漏写右括号",
            "missing `)` — check whether a call or parameter list lacks its closing parenthesis",
        ));
    }
    None
}

pub(crate) fn reserved_word_hint(word: &str) -> Text {
    if word == "模块" {
        // `模块` is not a grammar terminal but rejected by the identifier rule; the
        // reference has a message of its own for it (errors.md §3.2).
        return Text::new(
            "「模块」是奇语保留关键字，不能用作标识符（变量名 / 函数名 / 字段名）。请换一个名字，例如加后缀：`任务` → `任务甲`、`数组` → `数列`。",
            "`模块` is a reserved word of qi and cannot be used as a variable, function or field name; choose another name (e.g. `模块甲`)",
        );
    }
    Text::new(
        format!(
            "`{word}` 是 qi 的保留字，不能作为标识符名。常被误用的保留字：结果 / 类型 / 尝试 / 继续 / 返回。换个别名（如 `{word}值`）"
        ),
        format!("`{word}` is a reserved word of qi and cannot be used as a name; choose another name (e.g. `{word}值`)"),
    )
}

pub(crate) fn too_deep() -> Diagnostic {
    Diagnostic::error(
        TextRange::default(),
        Text::new(
            format!("嵌套层数过深（最多 {MAX_DEPTH} 层）"),
            format!("nesting is too deep (at most {MAX_DEPTH} levels)"),
        ),
    )
}

/// A chain of operators too long: each operator nests the chain one level deeper.
pub(crate) fn chain_too_deep() -> Diagnostic {
    too_deep().with_hint(Text::new(
        "运算符链 `a + b + c …` 的每个运算符（以及每个调用、字段、下标和 `否则 如果`）都算一层；把它拆成几条语句",
        "each operator of a chain `a + b + c …` (and each call, field, index and `否则 如果`) is one level; split it into several statements",
    ))
}

pub(crate) fn chained_comparison() -> Text {
    Text::new(
        "比较运算不能连用（如 `a < b < c`），请加括号或用 `&&` 连接",
        "comparison operators cannot be chained (as in `a < b < c`); add parentheses or use `&&`",
    )
}

pub(crate) fn cast_needs_parens() -> Text {
    Text::new(
        "`作为` 转换的结果要先加括号，才能再参与运算",
        "parenthesise a `作为` conversion before applying another operator to it",
    )
}

pub(crate) fn invalid_assign_target() -> Text {
    Text::new(
        "无效的赋值目标：只能给变量、字段或下标赋值",
        "invalid assignment target: only a variable, a field or an index can be assigned",
    )
}

pub(crate) fn empty_hole() -> Text {
    Text::new(
        "字符串插值不能为空：插值里必须写一个表达式",
        "empty interpolation: a hole must contain an expression",
    )
}
