//! Statements: variables, conditionals, loops, jumps, match, select, exceptions,
//! spawn, assignment and sends.

mod common;

use common::{first, parse_ok, shape};
use qi_syntax::ast::*;
use qi_syntax::debug_tree;

fn body_stmts(src: &str) -> Vec<Stmt> {
    let f: FnDecl = first(src);
    f.body().unwrap().stmts().collect()
}

#[test]
fn let_forms() {
    let stmts = body_stmts("函数 f() { 变量 计数 = 0; 变量 名字: 字符串 = \"奇\"; 变量 待定: 浮点数; 常量 上限: 整数 = 10; 变量 长度 = 3; }");
    let lets: Vec<LetStmt> = stmts
        .into_iter()
        .map(|s| match s {
            Stmt::Let(l) => l,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(lets[0].ty().is_none() && lets[0].init().is_some());
    assert!(lets[1].ty().is_some() && lets[1].init().is_some());
    assert!(lets[2].ty().is_some() && lets[2].init().is_none());
    assert!(lets[3].is_const());
    assert_eq!(lets[4].name().unwrap().text(), "长度");
}

#[test]
fn if_else_chains() {
    let i: IfStmt = first("如果 a { } 否则 如果 b { 打印行(1); } 否则 { }");
    assert!(i.cond().is_some());
    assert!(i.then_branch().is_some());
    let Some(ElseBranch::If(inner)) = i.else_branch() else { panic!() };
    assert_eq!(inner.then_branch().unwrap().stmts().count(), 1);
    assert!(matches!(inner.else_branch(), Some(ElseBranch::Block(_))));
    // The glued spelling.
    let i: IfStmt = first("如果 a { } 否则如果 b { }");
    assert!(matches!(i.else_branch(), Some(ElseBranch::If(_))));
    // Parenthesised condition, and a condition that is a bare name before `{`.
    parse_ok("如果 (x > 1) { }");
    assert_eq!(shape("如果 x { }"), "SOURCE_FILE(IF_STMT(PATH_EXPR(NAME_REF) BLOCK))");
    // Chinese block brackets.
    parse_ok("如果 真 【 打印行(1)； 】 否则 【 】");
}

/// The parser builds `否则 如果` chains in a loop (no recursion), and each link is one
/// level of the nesting limit (the tree nests them): 1000 links are fine, 3000 are
/// reported once, without overflowing the stack either way.
#[test]
fn long_else_if_chain_is_not_recursive() {
    let chain = |links: usize| {
        let mut src = String::from("如果 x == 0 { }");
        for i in 1..=links {
            src.push_str(&format!(" 否则 如果 x == {i} {{ }}"));
        }
        src
    };
    parse_ok(&chain(1000));
    let src = chain(3000);
    let p = qi_syntax::parse(&src);
    assert_eq!(p.syntax().to_string(), src);
    assert_eq!(common::messages(&p), ["nesting is too deep (at most 1024 levels)"]);
}

#[test]
fn while_loop() {
    let w: WhileStmt = first("当 i < 10 { i += 1; }");
    assert!(matches!(w.cond(), Some(Expr::Binary(_))));
    assert_eq!(w.body().unwrap().stmts().count(), 1);
}

#[test]
fn for_loops() {
    let f: ForStmt = first("对于 i 在 0..5 { }");
    assert_eq!(f.binding().unwrap().text(), "i");
    assert_eq!(f.range_kind(), Some(RangeKind::DotDot));
    assert!(f.iterable().is_some() && f.range_end().is_some());
    let f: ForStmt = first("对于 i 在 0 直到 长度(a) { }");
    assert_eq!(f.range_kind(), Some(RangeKind::Until));
    assert!(matches!(f.range_end(), Some(Expr::Call(_))));
    let f: ForStmt = first("对于 i 在 1 到 n + 1 { }");
    assert_eq!(f.range_kind(), Some(RangeKind::To));
    assert!(f.range_kind().unwrap().is_inclusive());
    let f: ForStmt = first("对于 词 在 [\"甲\", \"乙\"] { 打印(词); }");
    assert!(f.range_kind().is_none());
    assert!(matches!(f.iterable(), Some(Expr::Array(_))));
    let f: ForStmt = first("对于 (x 在 列) { }");
    assert!(matches!(f.iterable(), Some(Expr::Path(_))));
    parse_ok("对于（x 在 列）【 】");
    let f: ForStmt = first("对于 _ 在 0..3 { }");
    assert!(f.is_wildcard());
}

#[test]
fn jumps() {
    let stmts = body_stmts("函数 f(): 整数 { 当 真 { 跳出; 继续； } 返回; 返回 1 + 2; }");
    let Stmt::While(w) = &stmts[0] else { panic!() };
    let inner: Vec<Stmt> = w.body().unwrap().stmts().collect();
    assert!(matches!(inner[0], Stmt::Break(_)));
    assert!(matches!(inner[1], Stmt::Continue(_)));
    let Stmt::Return(r) = &stmts[1] else { panic!() };
    assert!(r.expr().is_none());
    let Stmt::Return(r) = &stmts[2] else { panic!() };
    assert!(r.expr().is_some());
}

#[test]
fn match_arms_and_patterns() {
    let src = "匹配 e {
        按键(k) 如果 k == 13 => { 返回 \"回车\"; }
        移动(x, _) => { 返回 \"横移\" + x; }
        0 => 打印行(\"零\"),
        1 | 2 => 打印行(\"少\");
        颜色.红 => x；
        颜色::绿 => { }
        -1 => { }
        \"字\" => { }
        真 => { }
        其它 如果 其它 < 10 => { }
        _ => 打印行(\"多\")
    };";
    let m: MatchStmt = first(src);
    let arms: Vec<MatchArm> = m.arms().collect();
    assert_eq!(arms.len(), 11);
    let Some(Pat::Variant(v)) = arms[0].pat() else { panic!() };
    assert_eq!(v.name().unwrap().text(), "按键");
    assert_eq!(v.fields().count(), 1);
    assert!(arms[0].guard().is_some());
    assert!(matches!(arms[0].body(), Some(MatchArmBody::Block(_))));
    let Some(Pat::Variant(v)) = arms[1].pat() else { panic!() };
    let fields: Vec<Pat> = v.fields().collect();
    assert!(matches!(fields[1], Pat::Wildcard(_)));
    assert!(matches!(arms[2].pat(), Some(Pat::Literal(_))));
    assert!(matches!(arms[2].body(), Some(MatchArmBody::Expr(Expr::Call(_)))));
    let Some(Pat::Or(or)) = arms[3].pat() else { panic!() };
    assert_eq!(or.alternatives().count(), 2);
    let Some(Pat::Path(p)) = arms[4].pat() else { panic!() };
    assert_eq!(p.segments().count(), 2);
    assert!(matches!(arms[5].pat(), Some(Pat::Path(_))));
    let Some(Pat::Literal(l)) = arms[6].pat() else { panic!() };
    assert!(l.is_negative());
    let Some(Pat::Ident(i)) = arms[9].pat() else { panic!() };
    assert_eq!(i.name().unwrap().text(), "其它");
    assert!(matches!(arms[10].pat(), Some(Pat::Wildcard(_))));
}

#[test]
fn select_cases() {
    let src = "选择 {
        情况 n := <-甲: 打印行(n); 打印行(2);
        情况 <-乙: 打印行(\"乙\");
        情况 丙 <- 42: 打印行(\"发\");
        情况 超时(200): 打印行(\"超时\");
        默认: 打印行(\"都空\");
    }";
    let s: SelectStmt = first(src);
    let cases: Vec<SelectCase> = s.cases().collect();
    assert_eq!(cases.len(), 5);
    let Some(SelectCaseKind::Recv { binding: Some(b), recv }) = cases[0].kind() else { panic!() };
    assert_eq!(b.text(), "n");
    assert!(recv.chan().is_some());
    assert_eq!(cases[0].stmts().count(), 2);
    assert!(matches!(cases[1].kind(), Some(SelectCaseKind::Recv { binding: None, .. })));
    let Some(SelectCaseKind::Send(send)) = cases[2].kind() else { panic!() };
    assert!(send.chan().is_some() && send.value().is_some());
    assert!(matches!(cases[3].kind(), Some(SelectCaseKind::Timeout(Some(_)))));
    assert!(matches!(cases[4].kind(), Some(SelectCaseKind::Default)));
    assert_eq!(cases[4].stmts().count(), 1);
}

#[test]
fn try_catch_finally() {
    let t: TryStmt =
        first("尝试 { 抛出 \"x\"; } 捕获 错 { 打印行(错); } 最终 { 打印行(\"收尾\"); }");
    assert!(t.body().is_some());
    assert_eq!(t.catch_clause().unwrap().name().unwrap().text(), "错");
    assert!(t.finally_clause().unwrap().body().is_some());
    let t: TryStmt = first("尝试 { } 捕获 { }");
    assert!(t.catch_clause().unwrap().name().is_none());
    let t: TryStmt = first("尝试 { } 捕获 e: 某类型 { }");
    assert!(t.catch_clause().unwrap().ty().is_some());
    let t: TryStmt = first("尝试 { } 最终 { }");
    assert!(t.catch_clause().is_none() && t.finally_clause().is_some());
    let throw: ThrowStmt = first("抛出 404;");
    assert!(throw.expr().is_some());
}

#[test]
fn spawn_and_channel_statements() {
    let s: SpawnStmt = first("启动 工作(1, 通道甲);");
    assert!(matches!(s.expr(), Some(Expr::Call(_))));
    let e: ExprStmt = first("信道 <- 42;");
    assert!(matches!(e.expr(), Some(Expr::Send(_))));
    let l: LetStmt = first("变量 v = <-信道;");
    assert!(matches!(l.init(), Some(Expr::Recv(_))));
    let e: ExprStmt = first("等待 让出();");
    assert!(matches!(e.expr(), Some(Expr::Await(_))));
}

#[test]
fn assignments() {
    for (src, op) in [
        ("x = 1;", AssignOp::Assign),
        ("x += 1;", AssignOp::Add),
        ("x -= 1;", AssignOp::Sub),
        ("x *= 1;", AssignOp::Mul),
        ("x /= 1;", AssignOp::Div),
        ("x %= 1;", AssignOp::Rem),
    ] {
        let a: AssignExpr = first(src);
        assert_eq!(a.op().unwrap().0, op, "{src}");
        assert!(a.target().is_some() && a.value().is_some());
    }
    let a: AssignExpr = first("对象.字段 = 数组[i] + 1;");
    assert!(matches!(a.target(), Some(Expr::Field(_))));
    let a: AssignExpr = first("a.b.c = 1;");
    assert!(matches!(a.target(), Some(Expr::Field(_))));
    let a: AssignExpr = first("数组[0] = 100;");
    assert!(matches!(a.target(), Some(Expr::Index(_))));
    // Right associative.
    let a: AssignExpr = first("a = b = 1;");
    assert!(matches!(a.value(), Some(Expr::Assign(_))));
}

#[test]
fn blocks_and_empty_statements() {
    let stmts = body_stmts("函数 f() { { 变量 a = 1; } ; 匹配 x { _ => {} }; }");
    assert!(matches!(stmts[0], Stmt::Block(_)));
    assert!(matches!(stmts[1], Stmt::Match(_)));
    assert_eq!(stmts.len(), 2);
}

#[test]
fn comments_are_trivia() {
    let src = "// 行注释\n/* 块 /* 嵌套 */ 注释 */ 变量 a = 1; /// 文档\n/** x */";
    let file = parse_ok(src).tree();
    assert_eq!(file.globals().count(), 1);
}

#[test]
fn debug_tree_format() {
    let p = parse_ok("返回 1;");
    assert_eq!(
        debug_tree(&p.syntax()),
        "SOURCE_FILE@0..9\n  RETURN_STMT@0..9\n    RETURN_KW@0..6 \"返回\"\n    WHITESPACE@6..7 \" \"\n    LITERAL@7..8\n      INT@7..8 \"1\"\n    SEMI@8..9 \";\"\n"
    );
}
