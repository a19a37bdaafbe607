//! Expressions: precedence and associativity (language.md §6.1), postfix forms,
//! literals, constructors, closures, template strings.

mod common;

use common::{first, messages, parse_err, parse_ok};
use qi_syntax::ast::*;

/// Renders an expression fully parenthesised, through the AST views.
fn sexp(e: &Expr) -> String {
    let opt = |e: Option<Expr>| e.map_or("?".to_string(), |e| sexp(&e));
    match e {
        Expr::Literal(l) => l.syntax().to_string(),
        Expr::Path(p) => p.segments().map(|s| s.text()).collect::<Vec<_>>().join("::"),
        Expr::Binary(b) => {
            format!("({} {} {})", opt(b.lhs()), b.op().unwrap().0.symbol(), opt(b.rhs()))
        }
        Expr::Prefix(p) => format!("({:?} {})", p.op().unwrap().0, opt(p.operand())),
        Expr::Call(c) => {
            let args: Vec<_> = c.args().map(|a| sexp(&a)).collect();
            format!("{}({})", opt(c.callee()), args.join(", "))
        }
        Expr::MethodCall(m) => {
            let args: Vec<_> = m.args().map(|a| sexp(&a)).collect();
            format!("{}.{}({})", opt(m.receiver()), m.name().unwrap().text(), args.join(", "))
        }
        Expr::Field(f) => format!("{}.{}", opt(f.receiver()), f.name().unwrap().text()),
        Expr::Index(i) => format!("{}[{}]", opt(i.base()), opt(i.index())),
        Expr::Paren(p) => opt(p.expr()),
        Expr::Cast(c) => format!("({} as {})", opt(c.expr()), c.ty().unwrap().syntax()),
        Expr::Await(a) => format!("(await {})", opt(a.expr())),
        Expr::Recv(r) => format!("(<- {})", opt(r.chan())),
        Expr::Spawn(s) => format!("(spawn {})", opt(s.expr())),
        Expr::Assign(a) => {
            format!("({} {:?} {})", opt(a.target()), a.op().unwrap().0, opt(a.value()))
        }
        Expr::Send(s) => format!("({} <- {})", opt(s.chan()), opt(s.value())),
        other => other.syntax().to_string(),
    }
}

fn expr_of(src: &str) -> Expr {
    let stmt: ExprStmt = first(&format!("{src};"));
    stmt.expr().unwrap()
}

fn assert_parses_as(src: &str, expected: &str) {
    assert_eq!(sexp(&expr_of(src)), expected, "{src}");
}

#[test]
fn precedence_table() {
    assert_parses_as("1 + 2 << 3", "(1 + (2 << 3))");
    assert_parses_as("6 & 3 | 8", "((6 & 3) | 8)");
    assert_parses_as("a + b * c - d", "((a + (b * c)) - d)");
    assert_parses_as("a || b && c", "(a || (b && c))");
    assert_parses_as("a 或 b 与 c 且 d", "(a || ((b && c) && d))");
    assert_parses_as("a == b && c != d", "((a == b) && (c != d))");
    assert_parses_as("a + b 作为 整数 < c", "(((a + b) as 整数) < c)");
    assert_parses_as("-a * b", "((Neg a) * b)");
    assert_parses_as("-a.b", "(Neg a.b)");
    assert_parses_as("!x == y", "((Not x) == y)");
    assert_parses_as("非 (1 == 1)", "(Not (1 == 1))");
    assert_parses_as("*p.x", "(Deref p).x");
    assert_parses_as("&x", "(AddrOf x)");
    assert_parses_as("a = b + 1", "(a Assign (b + 1))");
    assert_parses_as("c <- a + 1", "(c <- (a + 1))");
    assert_parses_as("a = <-c", "(a Assign (<- c))");
    assert_parses_as("等待 f(1) + 1", "((await f(1)) + 1)");
    assert_parses_as("a = 启动 工作(1)", "(a Assign (spawn 工作(1)))");
    assert_parses_as("1 - 2 - 3", "((1 - 2) - 3)");
    assert_parses_as("a % b / c", "((a % b) / c)");
    assert_parses_as("x >> 2 ^ y", "((x >> 2) ^ y)");
}

#[test]
fn postfix_forms() {
    assert_parses_as("f(1, 2)(3)", "f(1, 2)(3)");
    assert_parses_as("c.翻倍().翻倍().读()", "c.翻倍().翻倍().读()");
    assert_parses_as("a[i][j]", "a[i][j]");
    assert_parses_as("甲.乙.丙", "甲.乙.丙");
    assert_parses_as("段.长度", "段.长度");
    assert_parses_as("字符串::字节长度(s)", "字符串::字节长度(s)");
    assert_parses_as("未来::就绪(2.5)", "未来::就绪(2.5)");
    assert_parses_as("颜色::红", "颜色::红");
    assert_parses_as("打印行（1，2）", "打印行(1, 2)");
    assert_parses_as("数学.最大(1.0, 2.0)", "数学.最大(1.0, 2.0)");
    assert_parses_as("字符串.字节长度(s)", "字符串.字节长度(s)");
    let call: CallExpr = first("较大::<字符串>(\"梨\", \"桃\");");
    let Some(Expr::Path(p)) = call.callee() else { panic!() };
    assert_eq!(p.generic_args().unwrap().types().count(), 1);
    first::<CallExpr>("较大::<整数>（1，2）;");
}

#[test]
fn literals() {
    let values: Vec<Literal> = parse_ok(
        "变量 a = [0, 007, 2.5, \"s\\n\", `r\\n`, '中', '\\t', 真, 假, 9223372036854775807];",
    )
    .syntax()
    .descendants()
    .filter_map(Literal::cast)
    .collect();
    assert_eq!(values[0].int_value(), Some(0));
    assert_eq!(values[1].int_value(), Some(7));
    assert_eq!(values[2].float_value(), Some(2.5));
    assert_eq!(values[3].string_value().as_deref(), Some("s\n"));
    assert_eq!(values[4].kind(), Some(LiteralKind::RawStr));
    assert_eq!(values[4].string_value().as_deref(), Some("r\\n"));
    assert_eq!(values[5].char_value(), Some('中'));
    assert_eq!(values[6].char_value(), Some('\t'));
    assert_eq!(values[7].bool_value(), Some(true));
    assert_eq!(values[8].bool_value(), Some(false));
    assert_eq!(values[9].int_value(), Some(i64::MAX));
    // Too large for i64: reported by the lexer; the literal has no value.
    let p = parse_err("变量 a = 9223372036854775808;");
    assert!(messages(&p)[0].contains("does not fit in 64 bits"));
    let l = p.syntax().descendants().find_map(Literal::cast).unwrap();
    assert_eq!(l.kind(), Some(LiteralKind::Int));
    assert_eq!(l.int_value(), None);
    first::<Literal>("变量 a = 0000000000000000000000001;");
}

#[test]
fn arrays_and_constructors() {
    let a: ArrayExpr = first("变量 a = [1, 2, 3,];");
    assert_eq!(a.elements().count(), 3);
    first::<ArrayExpr>("变量 a = [];");
    let n: ArrayNewExpr = first("变量 名单 = 数组<字符串>(2);");
    assert!(n.elem_ty().is_some() && n.length().is_some());
    let c: ChanNewExpr = first("变量 c = 通道<整数>(8);");
    assert!(c.capacity().is_some());
    let c: ChanNewExpr = first("变量 c = 通道<字符串>();");
    assert!(c.elem_ty().is_some() && c.capacity().is_none());
    first::<ArrayNewExpr>("变量 a = 数组<整数>（n）;");
}

#[test]
fn struct_literals() {
    let s: StructLit = first("变量 c = 新建 配置 { 宽: 1024, 标题: \"窗口\" };");
    assert_eq!(s.ty().unwrap().text(), "配置");
    let names: Vec<_> = s.fields().map(|f| f.name().unwrap().text()).collect();
    assert_eq!(names, ["宽", "标题"]);
    let s: StructLit = first("变量 乙 = 新建 配置 { ..甲, 标题: \"大窗\" };");
    assert!(s.spread().is_some());
    assert_eq!(s.fields().count(), 1);
    let s: StructLit = first("变量 p = 新建 对<浮点数> { 左: 1.5, 右: 2.0 };");
    assert_eq!(s.ty().unwrap().type_args().count(), 1);
    first::<StructLit>("变量 e = 新建 空结构 {};");
    let s: StructLit = first("变量 m = 新建 消息 { 类型: 1, 结果: 2 };");
    assert_eq!(s.fields().count(), 2);
    // A struct literal followed by a field access.
    assert_parses_as("新建 点 { x: 1 }.x", "新建 点 { x: 1 }.x");
}

#[test]
fn closures() {
    let c: ClosureExpr = first("变量 f = 闭包(x: 整数, y: 整数): 整数 { 返回 x + y; };");
    assert!(!c.is_bar_form());
    assert_eq!(c.params().count(), 2);
    assert!(c.ret_type().is_some());
    let c: ClosureExpr = first("变量 f = 闭包 [弱 自身, 其他] (x: 整数) { };");
    let caps: Vec<Capture> = c.captures().collect();
    assert!(caps[0].is_weak() && !caps[1].is_weak());
    assert_eq!(caps[0].name().unwrap().text(), "自身");
    let c: ClosureExpr = first("变量 f = 闭包() { 次数 = 次数 + 1; };");
    assert_eq!(c.params().count(), 0);
    let c: ClosureExpr = first("变量 f = |a: 整数, b| { 打印行(a); };");
    assert!(c.is_bar_form());
    let params: Vec<Param> = c.params().collect();
    assert!(params[0].ty().is_some() && params[1].ty().is_none());
    let c: ClosureExpr = first("变量 f = || { };");
    assert_eq!(c.params().count(), 0);
    assert!(c.body().is_some());
    first::<ClosureExpr>("变量 f = 闭包（x：整数）【 返回 x； 】;");
}

#[test]
fn template_strings() {
    let t: TemplateString = first("打印行(f\"{名}：{x * 3}，{好}\");");
    let parts: Vec<TemplatePart> = t.parts().collect();
    assert_eq!(parts.len(), 5);
    let TemplatePart::Hole(h) = &parts[2] else { panic!() };
    assert!(matches!(h.expr(), Some(Expr::Binary(_))));
    assert_eq!(parts[1].text_value().as_deref(), Some("："));
    assert!(!t.is_dollar_form());

    let t: TemplateString = first("打印行(\"半径=${x / 4}\");");
    assert!(t.is_dollar_form());
    let parts: Vec<TemplatePart> = t.parts().collect();
    assert_eq!(parts.len(), 2);

    let t: TemplateString = first("打印行(模板\"括号：\\{原样\\}\");");
    let parts: Vec<TemplatePart> = t.parts().collect();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].text_value().as_deref(), Some("括号：{原样}"));

    let t: TemplateString = first("打印行(模版\"你好，｛名字｝！\");");
    assert_eq!(t.parts().filter(|p| matches!(p, TemplatePart::Hole(_))).count(), 1);

    // Holes hold any expression: calls with string arguments, struct literals, nested templates.
    let t: TemplateString =
        first("打印行(f\"{连接(\"a\", \"b\")}-{新建 点 {x: 1}.x}-{f\"{内}\"}\");");
    let holes: Vec<Expr> = t
        .parts()
        .filter_map(|p| match p {
            TemplatePart::Hole(h) => h.expr(),
            _ => None,
        })
        .collect();
    assert_eq!(holes.len(), 3);
    assert!(matches!(holes[0], Expr::Call(_)));
    assert!(matches!(holes[1], Expr::Field(_)));
    assert!(matches!(holes[2], Expr::Template(_)));

    // `\${` in a plain string is literal; plain `{` stays text.
    let l: Literal = first("打印行(\"价格 \\${x} {y}\");");
    assert_eq!(l.string_value().as_deref(), Some("价格 ${x} {y}"));
}

#[test]
fn casts() {
    assert_parses_as("3.99 作为 整数", "(3.99 as 整数)");
    assert_parses_as("(\"41\" 作为 整数) + 1", "((\"41\" as 整数) + 1)");
}

#[test]
fn non_associative_operators_are_errors() {
    let p = parse_err("变量 x = a < b < c;");
    assert!(messages(&p)[0].contains("cannot be chained"), "{:?}", messages(&p));
    let p = parse_err("变量 x = a == b != c;");
    assert!(messages(&p)[0].contains("cannot be chained"));
    let p = parse_err("变量 x = y 作为 整数 作为 浮点数;");
    assert!(messages(&p)[0].contains("作为"));
    let p = parse_err("变量 x = y 作为 整数 + 1;");
    assert!(messages(&p)[0].contains("作为"));
}

#[test]
fn invalid_assignment_target() {
    let p = parse_err("f() = 1;");
    assert!(messages(&p)[0].contains("assignment target"));
    assert_eq!(p.errors[0].range, rowan::TextRange::new(0.into(), 3.into()));
    parse_err("1 += 2;");
}

#[test]
fn reserved_words_usable_as_names_in_expressions() {
    assert_parses_as("长度(名单)", "长度(名单)");
    assert_parses_as("结果 + 类型", "(结果 + 类型)");
    parse_ok("函数 f(类型: 整数, 结果: 字符串) { 打印行(类型, 结果); }");
}
