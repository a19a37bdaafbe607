//! Every kind of token and node of the Qi syntax tree, and the rowan glue.
//!
//! The token variants carry the `logos` patterns directly, so the list of token kinds and
//! the lexer's token set cannot drift apart. Literals whose extent is not regular
//! (strings, chars, raw strings, template strings, nested block comments) are matched
//! by their *opening* characters only; the lexer driver (`lexer.rs`) then scans the rest
//! by hand. Chinese punctuation maps to the same kind as its ASCII twin (`（` is
//! `L_PAREN`), the token text keeps the original spelling.

use logos::Logos;

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // ---- trivia -------------------------------------------------------------------
    /// Unicode whitespace, plus `。！？《》`, which the reference's `qi run` skips.
    #[regex(r"[\s。！？《》]+")]
    WHITESPACE = 0,
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LINE_COMMENT,
    /// `/* … */`, nesting; the driver scans to the matching `*/`.
    #[token("/*")]
    BLOCK_COMMENT,

    /// An unknown character (token) or a node wrapping tokens skipped during recovery.
    ERROR,

    // ---- literals -----------------------------------------------------------------
    #[regex("[0-9]+")]
    INT,
    #[regex(r"[0-9]+\.[0-9]+")]
    FLOAT,
    /// `"…"` without interpolation (the driver scans the body).
    #[token("\"")]
    STRING,
    /// `` `…` ``
    #[token("`")]
    RAW_STRING,
    /// `'x'`
    #[token("'")]
    CHAR,
    /// `f"`, `模板"`, `模版"`, or the `"` of a plain string that contains `${`.
    #[token("f\"")]
    #[token("模板\"")]
    #[token("模版\"")]
    TEMPLATE_START,
    /// Literal text between holes (escapes still undecoded).
    TEMPLATE_TEXT,
    /// `{`, `｛` or `${` opening an interpolation hole.
    HOLE_OPEN,
    /// `}` or `｝` closing a hole.
    HOLE_CLOSE,
    /// The closing `"` of a template string.
    TEMPLATE_END,

    // ---- names --------------------------------------------------------------------
    #[regex(r"[A-Za-z_][A-Za-z0-9_\u{4E00}-\u{9FFF}]*")]
    #[regex(r"[\u{4E00}-\u{9FFF}][A-Za-z0-9_\u{4E00}-\u{9FFF}]*")]
    IDENT,
    #[token("_", priority = 10)]
    UNDERSCORE,

    // ---- punctuation --------------------------------------------------------------
    #[token("(")]
    #[token("（")]
    L_PAREN,
    #[token(")")]
    #[token("）")]
    R_PAREN,
    #[token("{")]
    #[token("【")]
    L_BRACE,
    #[token("}")]
    #[token("】")]
    R_BRACE,
    #[token("[")]
    L_BRACK,
    #[token("]")]
    R_BRACK,
    #[token(";")]
    #[token("；")]
    SEMI,
    #[token(",")]
    #[token("，")]
    COMMA,
    #[token(":")]
    #[token("：")]
    COLON,
    #[token("::")]
    #[token("：：")]
    #[token(":：")]
    #[token("：:")]
    COLON2,
    #[token(":=")]
    #[token("：=")]
    COLON_EQ,
    #[token(".")]
    DOT,
    #[token("..")]
    DOT2,
    #[token("...")]
    DOT3,
    #[token("=>")]
    FAT_ARROW,
    /// `->` (reserved by the grammar, unused).
    #[token("->")]
    THIN_ARROW,
    /// `<-`: channel send (infix) and receive (prefix).
    #[token("<-")]
    L_ARROW,
    #[token("+")]
    PLUS,
    #[token("-")]
    MINUS,
    #[token("*")]
    STAR,
    #[token("/")]
    SLASH,
    #[token("%")]
    PERCENT,
    #[token("+=")]
    PLUS_EQ,
    #[token("-=")]
    MINUS_EQ,
    #[token("*=")]
    STAR_EQ,
    #[token("/=")]
    SLASH_EQ,
    #[token("%=")]
    PERCENT_EQ,
    #[token("=")]
    EQ,
    #[token("==")]
    EQ2,
    #[token("!=")]
    NEQ,
    #[token("<")]
    LT,
    #[token("<=")]
    LTEQ,
    #[token(">")]
    GT,
    #[token(">=")]
    GTEQ,
    #[token("&&")]
    AMP2,
    #[token("||")]
    PIPE2,
    #[token("!")]
    BANG,
    #[token("&")]
    AMP,
    #[token("|")]
    PIPE,
    #[token("^")]
    CARET,
    #[token("<<")]
    SHL,
    #[token(">>")]
    SHR,

    // ---- reserved words (language.md §2.4: 60 grammar terminals + 模块) ------------
    #[token("包")]
    PACKAGE_KW,
    #[token("导入")]
    IMPORT_KW,
    #[token("导出")]
    EXPORT_KW,
    #[token("作为")]
    AS_KW,
    #[token("公开")]
    PUB_KW,
    #[token("外部")]
    EXTERN_KW,
    #[token("模块")]
    MODULE_KW,
    #[token("函数")]
    FN_KW,
    #[token("异步")]
    ASYNC_KW,
    #[token("变量")]
    VAR_KW,
    #[token("常量")]
    CONST_KW,
    #[token("类型")]
    TYPE_KW,
    #[token("结构体")]
    STRUCT_KW,
    #[token("枚举")]
    ENUM_KW,
    #[token("特性")]
    TRAIT_KW,
    #[token("实现")]
    IMPL_KW,
    #[token("新建")]
    NEW_KW,
    #[token("闭包")]
    CLOSURE_KW,
    #[token("弱")]
    WEAK_KW,
    #[token("如果")]
    IF_KW,
    #[token("否则")]
    ELSE_KW,
    #[token("当")]
    WHILE_KW,
    #[token("对于")]
    FOR_KW,
    #[token("在")]
    IN_KW,
    #[token("到")]
    TO_KW,
    #[token("直到")]
    UNTIL_KW,
    #[token("返回")]
    RETURN_KW,
    #[token("跳出")]
    BREAK_KW,
    #[token("继续")]
    CONTINUE_KW,
    #[token("匹配")]
    MATCH_KW,
    #[token("默认")]
    DEFAULT_KW,
    #[token("尝试")]
    TRY_KW,
    #[token("捕获")]
    CATCH_KW,
    #[token("抛出")]
    THROW_KW,
    #[token("最终")]
    FINALLY_KW,
    #[token("启动")]
    SPAWN_KW,
    #[token("通道")]
    CHAN_KW,
    #[token("选择")]
    SELECT_KW,
    #[token("情况")]
    CASE_KW,
    #[token("超时")]
    TIMEOUT_KW,
    #[token("等待")]
    AWAIT_KW,
    #[token("未来")]
    FUTURE_KW,
    #[token("选项")]
    OPTION_KW,
    #[token("结果")]
    RESULT_KW,
    #[token("数组")]
    ARRAY_KW,
    #[token("列表")]
    LIST_KW,
    #[token("整数")]
    INT_KW,
    #[token("字节")]
    BYTE_KW,
    #[token("浮点数")]
    FLOAT_KW,
    #[token("布尔")]
    BOOL_KW,
    #[token("字符")]
    CHAR_KW,
    #[token("字符串")]
    STRING_KW,
    #[token("空")]
    VOID_KW,
    #[token("指针")]
    PTR_KW,
    #[token("真")]
    TRUE_KW,
    #[token("假")]
    FALSE_KW,
    /// `与` (= `&&`)
    #[token("与")]
    AND_KW,
    /// `且` (= `&&`)
    #[token("且")]
    ALSO_KW,
    /// `或` (= `||`)
    #[token("或")]
    OR_KW,
    /// `非` (= `!`)
    #[token("非")]
    NOT_KW,
    /// `长度` — reserved, yet usable as a name everywhere.
    #[token("长度")]
    LEN_KW,

    // ---- nodes: items -------------------------------------------------------------
    SOURCE_FILE,
    PACKAGE_DECL,
    IMPORT_DECL,
    IMPORT_PATH,
    IMPORT_LIST,
    EXPORT_DECL,
    FN_DECL,
    RECEIVER,
    PARAM_LIST,
    PARAM,
    RET_TYPE,
    GENERIC_PARAM_LIST,
    GENERIC_PARAM,
    STRUCT_DECL,
    FIELD_LIST,
    FIELD,
    ENUM_DECL,
    VARIANT_LIST,
    VARIANT,
    TRAIT_DECL,
    IMPL_DECL,
    ASSOC_ITEM_LIST,
    EXTERN_BLOCK,
    VISIBILITY,
    /// A name being defined (variable, function, field, parameter …).
    NAME,
    /// A name being used.
    NAME_REF,
    /// Dotted/`::` path of a package line or `导出`.
    PATH,

    // ---- nodes: statements --------------------------------------------------------
    BLOCK,
    LET_STMT,
    EXPR_STMT,
    IF_STMT,
    WHILE_STMT,
    FOR_STMT,
    BREAK_STMT,
    CONTINUE_STMT,
    RETURN_STMT,
    MATCH_STMT,
    MATCH_ARM_LIST,
    MATCH_ARM,
    MATCH_GUARD,
    SELECT_STMT,
    SELECT_CASE,
    /// The statements of a `选择` case (they run until the next `情况`/`默认`/`}`).
    STMT_LIST,
    TRY_STMT,
    CATCH_CLAUSE,
    FINALLY_CLAUSE,
    THROW_STMT,
    SPAWN_STMT,
    /// `让出 表达式;` in a `协程 函数` (`让出` is a contextual word).
    YIELD_STMT,

    // ---- nodes: expressions -------------------------------------------------------
    LITERAL,
    PATH_EXPR,
    BIN_EXPR,
    PREFIX_EXPR,
    CALL_EXPR,
    ARG_LIST,
    METHOD_CALL_EXPR,
    FIELD_EXPR,
    INDEX_EXPR,
    PAREN_EXPR,
    ARRAY_EXPR,
    STRUCT_LIT,
    STRUCT_LIT_FIELD,
    STRUCT_LIT_SPREAD,
    CLOSURE_EXPR,
    CAPTURE_LIST,
    CAPTURE,
    TEMPLATE_STRING,
    TEMPLATE_HOLE,
    CAST_EXPR,
    ARRAY_NEW_EXPR,
    CHAN_NEW_EXPR,
    AWAIT_EXPR,
    RECV_EXPR,
    SPAWN_EXPR,
    /// `启动协程 f(…)` (`启动协程` is a contextual word): makes a generator.
    GEN_START_EXPR,
    ASSIGN_EXPR,
    SEND_EXPR,

    // ---- nodes: types -------------------------------------------------------------
    PATH_TYPE,
    FN_TYPE,
    GENERIC_ARG_LIST,

    // ---- nodes: patterns ----------------------------------------------------------
    WILDCARD_PAT,
    LITERAL_PAT,
    IDENT_PAT,
    PATH_PAT,
    VARIANT_PAT,
    OR_PAT,

    /// End of input; produced by the parser's token source, never stored in a tree.
    EOF,
    #[doc(hidden)]
    __LAST,
}

use SyntaxKind::*;

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, WHITESPACE | LINE_COMMENT | BLOCK_COMMENT)
    }

    pub fn is_keyword(self) -> bool {
        (PACKAGE_KW as u16..=LEN_KW as u16).contains(&(self as u16))
    }

    /// Literal tokens (the children of a `LITERAL` node).
    pub fn is_literal(self) -> bool {
        matches!(self, INT | FLOAT | STRING | RAW_STRING | CHAR | TRUE_KW | FALSE_KW)
    }

    /// Keywords that name a built-in type (`整数`, `数组` …).
    pub fn is_builtin_type_kw(self) -> bool {
        matches!(
            self,
            INT_KW
                | BYTE_KW
                | FLOAT_KW
                | BOOL_KW
                | CHAR_KW
                | STRING_KW
                | VOID_KW
                | PTR_KW
                | ARRAY_KW
                | LIST_KW
                | CHAN_KW
                | FUTURE_KW
                | OPTION_KW
                | RESULT_KW
        )
    }

    /// Reserved words that may still name a struct field, a typed parameter, a `|x|`
    /// closure parameter or a capture (language.md §2.4 table, second row).
    pub fn is_field_name_kw(self) -> bool {
        matches!(
            self,
            TYPE_KW
                | CHAN_KW
                | RESULT_KW
                | OPTION_KW
                | CONTINUE_KW
                | MATCH_KW
                | LIST_KW
                | ARRAY_KW
                | DEFAULT_KW
                | FINALLY_KW
        )
    }

    /// The fixed spelling of a token kind (ASCII form for punctuation), for messages.
    pub fn fixed_text(self) -> Option<&'static str> {
        let s = match self {
            UNDERSCORE => "_",
            L_PAREN => "(",
            R_PAREN => ")",
            L_BRACE => "{",
            R_BRACE => "}",
            L_BRACK => "[",
            R_BRACK => "]",
            SEMI => ";",
            COMMA => ",",
            COLON => ":",
            COLON2 => "::",
            COLON_EQ => ":=",
            DOT => ".",
            DOT2 => "..",
            DOT3 => "...",
            FAT_ARROW => "=>",
            THIN_ARROW => "->",
            L_ARROW => "<-",
            PLUS => "+",
            MINUS => "-",
            STAR => "*",
            SLASH => "/",
            PERCENT => "%",
            PLUS_EQ => "+=",
            MINUS_EQ => "-=",
            STAR_EQ => "*=",
            SLASH_EQ => "/=",
            PERCENT_EQ => "%=",
            EQ => "=",
            EQ2 => "==",
            NEQ => "!=",
            LT => "<",
            LTEQ => "<=",
            GT => ">",
            GTEQ => ">=",
            AMP2 => "&&",
            PIPE2 => "||",
            BANG => "!",
            AMP => "&",
            PIPE => "|",
            CARET => "^",
            SHL => "<<",
            SHR => ">>",
            HOLE_CLOSE => "}",
            TEMPLATE_END => "\"",
            _ => return keyword_text(self),
        };
        Some(s)
    }
}

/// The spelling of a keyword kind.
fn keyword_text(kind: SyntaxKind) -> Option<&'static str> {
    let s = match kind {
        PACKAGE_KW => "包",
        IMPORT_KW => "导入",
        EXPORT_KW => "导出",
        AS_KW => "作为",
        PUB_KW => "公开",
        EXTERN_KW => "外部",
        MODULE_KW => "模块",
        FN_KW => "函数",
        ASYNC_KW => "异步",
        VAR_KW => "变量",
        CONST_KW => "常量",
        TYPE_KW => "类型",
        STRUCT_KW => "结构体",
        ENUM_KW => "枚举",
        TRAIT_KW => "特性",
        IMPL_KW => "实现",
        NEW_KW => "新建",
        CLOSURE_KW => "闭包",
        WEAK_KW => "弱",
        IF_KW => "如果",
        ELSE_KW => "否则",
        WHILE_KW => "当",
        FOR_KW => "对于",
        IN_KW => "在",
        TO_KW => "到",
        UNTIL_KW => "直到",
        RETURN_KW => "返回",
        BREAK_KW => "跳出",
        CONTINUE_KW => "继续",
        MATCH_KW => "匹配",
        DEFAULT_KW => "默认",
        TRY_KW => "尝试",
        CATCH_KW => "捕获",
        THROW_KW => "抛出",
        FINALLY_KW => "最终",
        SPAWN_KW => "启动",
        CHAN_KW => "通道",
        SELECT_KW => "选择",
        CASE_KW => "情况",
        TIMEOUT_KW => "超时",
        AWAIT_KW => "等待",
        FUTURE_KW => "未来",
        OPTION_KW => "选项",
        RESULT_KW => "结果",
        ARRAY_KW => "数组",
        LIST_KW => "列表",
        INT_KW => "整数",
        BYTE_KW => "字节",
        FLOAT_KW => "浮点数",
        BOOL_KW => "布尔",
        CHAR_KW => "字符",
        STRING_KW => "字符串",
        VOID_KW => "空",
        PTR_KW => "指针",
        TRUE_KW => "真",
        FALSE_KW => "假",
        AND_KW => "与",
        ALSO_KW => "且",
        OR_KW => "或",
        NOT_KW => "非",
        LEN_KW => "长度",
        _ => return None,
    };
    Some(s)
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag of Qi trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QiLanguage {}

impl rowan::Language for QiLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        assert!(raw.0 < __LAST as u16, "invalid SyntaxKind {}", raw.0);
        // SAFETY: SyntaxKind is `repr(u16)` with contiguous discriminants starting at 0,
        // and `raw.0` was just checked to be below the last one.
        unsafe { std::mem::transmute::<u16, SyntaxKind>(raw.0) }
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<QiLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<QiLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<QiLanguage>;
