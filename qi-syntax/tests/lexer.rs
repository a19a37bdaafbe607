//! Lexer tests: token kinds, Chinese punctuation, literals, template strings, errors.

use qi_syntax::lexer::lex;
use qi_syntax::SyntaxKind::{self, *};

/// Non-trivia tokens as (kind, text).
fn toks(src: &str) -> Vec<(SyntaxKind, String)> {
    let (tokens, _) = lex(src);
    tokens
        .iter()
        .filter(|t| !t.kind.is_trivia())
        .map(|t| (t.kind, t.text(src).to_string()))
        .collect()
}

fn kinds(src: &str) -> Vec<SyntaxKind> {
    toks(src).into_iter().map(|(k, _)| k).collect()
}

fn errors(src: &str) -> Vec<String> {
    lex(src).1.into_iter().map(|d| d.message.en).collect()
}

fn assert_lossless(src: &str) {
    let (tokens, _) = lex(src);
    let mut pos = 0u32;
    for t in &tokens {
        assert_eq!(u32::from(t.range.start()), pos, "gap before {t:?} in {src:?}");
        assert!(!t.range.is_empty(), "empty token {t:?}");
        pos = t.range.end().into();
    }
    assert_eq!(pos as usize, src.len());
}

const KEYWORDS: &str = "包 导入 导出 作为 公开 外部 模块 函数 异步 变量 常量 类型 结构体 枚举 特性 实现 新建 闭包 弱 \
如果 否则 当 对于 在 到 直到 返回 跳出 继续 匹配 默认 尝试 捕获 抛出 最终 启动 通道 选择 情况 超时 等待 未来 \
选项 结果 数组 列表 整数 字节 浮点数 布尔 字符 字符串 空 指针 真 假 与 且 或 非 长度";

#[test]
fn all_reserved_words_are_distinct_keywords() {
    let ks = kinds(KEYWORDS);
    assert_eq!(ks.len(), 61);
    assert!(ks.iter().all(|k| k.is_keyword()), "{ks:?}");
    let mut unique = ks.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 61);
    for word in KEYWORDS.split_whitespace() {
        let kind = kinds(word)[0];
        assert_eq!(kind.fixed_text(), Some(word));
    }
}

#[test]
fn identifiers_use_longest_match() {
    for ident in [
        "返回值",
        "变量名",
        "如果真",
        "当前",
        "空盒",
        "数组长度",
        "_x",
        "_临时",
        "C整数",
        "MD5哈希",
        "abc123",
        "字符串转整数",
        "模板",
        "f",
    ] {
        assert_eq!(kinds(ident), [IDENT], "{ident}");
    }
    assert_eq!(kinds("返回 值"), [RETURN_KW, IDENT]);
    assert_eq!(kinds("_"), [UNDERSCORE]);
    assert_eq!(kinds("自己 自身 为 加 循环"), [IDENT; 5]);
}

#[test]
fn glued_else_if_is_split() {
    assert_eq!(kinds("否则如果 x"), [ELSE_KW, IF_KW, IDENT]);
    assert_eq!(kinds("否则如果(x)"), [ELSE_KW, IF_KW, L_PAREN, IDENT, R_PAREN]);
    assert_eq!(kinds("否则如果真"), [ELSE_KW, IF_KW, TRUE_KW]);
    assert_eq!(toks("否则如果x")[2], (IDENT, "x".to_string()));
}

#[test]
fn operators() {
    let src = "+ - * / % += -= *= /= %= = == != < <= > >= && || ! & | ^ << >> <- := => -> .. ... . :: : ; , ( ) [ ] { }";
    assert_eq!(
        kinds(src),
        [
            PLUS, MINUS, STAR, SLASH, PERCENT, PLUS_EQ, MINUS_EQ, STAR_EQ, SLASH_EQ, PERCENT_EQ,
            EQ, EQ2, NEQ, LT, LTEQ, GT, GTEQ, AMP2, PIPE2, BANG, AMP, PIPE, CARET, SHL, SHR,
            L_ARROW, COLON_EQ, FAT_ARROW, THIN_ARROW, DOT2, DOT3, DOT, COLON2, COLON, SEMI, COMMA,
            L_PAREN, R_PAREN, L_BRACK, R_BRACK, L_BRACE, R_BRACE
        ]
    );
}

#[test]
fn chinese_punctuation_maps_to_ascii_kinds() {
    assert_eq!(
        kinds("；：，（）【】：："),
        [SEMI, COLON, COMMA, L_PAREN, R_PAREN, L_BRACE, R_BRACE, COLON2]
    );
    assert_eq!(toks("（")[0].1, "（");
    assert_eq!(kinds("a：=1"), [IDENT, COLON_EQ, INT]);
    // 。！？《》 are whitespace; U+3000 too.
    assert_eq!(kinds("a。！？《》\u{3000}b"), [IDENT, IDENT]);
}

#[test]
fn numbers() {
    assert_eq!(toks("0..10"), [(INT, "0".into()), (DOT2, "..".into()), (INT, "10".into())]);
    assert_eq!(kinds("1."), [INT, DOT]);
    assert_eq!(kinds("3.14 0.5 007"), [FLOAT, FLOAT, INT]);
    assert_eq!(kinds("1e9"), [INT, IDENT]);
    assert_eq!(kinds(".5"), [DOT, INT]);
}

#[test]
fn strings_chars_and_raw_strings() {
    assert_eq!(
        toks(r#""a\"b" 'x' '\'' '中' `raw "q"`"#).iter().map(|t| t.0).collect::<Vec<_>>(),
        [STRING, CHAR, CHAR, CHAR, RAW_STRING]
    );
    assert_eq!(kinds("\"多\n行\""), [STRING]);
    // `//` and `/*` inside literals are not comments.
    assert_eq!(kinds("\"// x /* y\" `//`"), [STRING, RAW_STRING]);
    // A raw string never interpolates.
    assert_eq!(kinds("`${x}`"), [RAW_STRING]);
    // `\${` keeps a plain string plain.
    assert_eq!(kinds(r#""\${x}""#), [STRING]);
    assert_eq!(kinds("\"{x}\""), [STRING]);
}

#[test]
fn template_tokens() {
    assert_eq!(
        kinds("f\"a{b + 1}c\""),
        [
            TEMPLATE_START,
            TEMPLATE_TEXT,
            HOLE_OPEN,
            IDENT,
            PLUS,
            INT,
            HOLE_CLOSE,
            TEMPLATE_TEXT,
            TEMPLATE_END
        ]
    );
    assert_eq!(kinds("模板\"{x}\""), [TEMPLATE_START, HOLE_OPEN, IDENT, HOLE_CLOSE, TEMPLATE_END]);
    assert_eq!(toks("模版\"｛x｝\"")[1], (HOLE_OPEN, "｛".into()));
    assert_eq!(toks("模版\"｛x｝\"")[3], (HOLE_CLOSE, "｝".into()));
    assert_eq!(
        kinds("\"x${y}\""),
        [TEMPLATE_START, TEMPLATE_TEXT, HOLE_OPEN, IDENT, HOLE_CLOSE, TEMPLATE_END]
    );
    // Escaped braces are text; braces inside a hole nest.
    assert_eq!(kinds("f\"\\{a\\}\""), [TEMPLATE_START, TEMPLATE_TEXT, TEMPLATE_END]);
    assert_eq!(
        kinds("f\"{新建 点 {x: 1}.x}\""),
        [
            TEMPLATE_START,
            HOLE_OPEN,
            NEW_KW,
            IDENT,
            L_BRACE,
            IDENT,
            COLON,
            INT,
            R_BRACE,
            DOT,
            IDENT,
            HOLE_CLOSE,
            TEMPLATE_END
        ]
    );
    // Strings inside holes, including nested templates.
    assert_eq!(
        kinds("f\"{g(\"}\")}{f\"{x}\"}\""),
        [
            TEMPLATE_START,
            HOLE_OPEN,
            IDENT,
            L_PAREN,
            STRING,
            R_PAREN,
            HOLE_CLOSE,
            HOLE_OPEN,
            TEMPLATE_START,
            HOLE_OPEN,
            IDENT,
            HOLE_CLOSE,
            TEMPLATE_END,
            HOLE_CLOSE,
            TEMPLATE_END
        ]
    );
    // In plain `${}` strings a lone `{` stays text.
    assert_eq!(
        kinds("\"{${a}}\""),
        [TEMPLATE_START, TEMPLATE_TEXT, HOLE_OPEN, IDENT, HOLE_CLOSE, TEMPLATE_TEXT, TEMPLATE_END]
    );
}

#[test]
fn comments_nest() {
    let src = "/* a /* b */ c */ x // 行\n/// doc\ny";
    assert_eq!(kinds(src), [IDENT, IDENT]);
    let (tokens, errs) = lex(src);
    assert!(errs.is_empty());
    assert_eq!(tokens[0].kind, BLOCK_COMMENT);
    assert_eq!(tokens[0].text(src), "/* a /* b */ c */");
}

#[test]
fn errors_are_tokens_not_panics() {
    assert_eq!(kinds("a # @ b"), [IDENT, ERROR, ERROR, IDENT]);
    assert_eq!(toks("a#@$~b")[1], (ERROR, "#@$~".into()));
    assert_eq!(errors("a#@$~b").len(), 1);
    assert_eq!(errors("\"abc"), ["unterminated string literal"]);
    assert_eq!(errors("`abc"), ["unterminated string literal"]);
    assert_eq!(errors("f\"abc"), ["unterminated template string"]);
    assert_eq!(errors("'a"), ["unterminated character literal"]);
    assert_eq!(errors("/* x"), ["unterminated block comment"]);
    assert_eq!(errors("é"), ["invalid character `é`"]);
    for src in [
        "\"",
        "'",
        "`",
        "f\"",
        "f\"{",
        "\"${",
        "'\\",
        "\"\\",
        "/*",
        "f\"{\"",
        "模板\"｛",
        "'ab\n'",
        "\u{FEFF}",
    ] {
        assert_lossless(src);
    }
}

#[test]
fn bom_is_trivia() {
    let (tokens, errs) = lex("\u{FEFF}包");
    assert!(errs.is_empty());
    assert_eq!(tokens[0].kind, WHITESPACE);
    assert_eq!(tokens[1].kind, PACKAGE_KW);
}

#[test]
fn lexing_is_lossless_on_samples() {
    for src in [KEYWORDS, "函数 入口() { 打印行(f\"{a}\"); }", "a\r\nb", "  \t", ""] {
        assert_lossless(src);
    }
}
