//! Generators: `协程 函数`, `让出 值;`, `启动协程 f(…)` and `当 变量 x = e { … }`, and the
//! words `协程`, `让出`, `启动协程` staying ordinary names everywhere else.

mod common;

use common::{first, parse_ok};
use qi_syntax::ast::*;

fn body_stmts(src: &str) -> Vec<Stmt> {
    let f: FnDecl = first(src);
    f.body().unwrap().stmts().collect()
}

#[test]
fn generator_declaration() {
    let f: FnDecl = first("协程 函数 数(n: 整数): 整数 { 让出 n; }");
    assert!(f.is_generator());
    assert_eq!(f.name().unwrap().text(), "数");
    let f: FnDecl = first("函数 数(): 整数 { 返回 1; }");
    assert!(!f.is_generator());
    // `公开 协程 函数` at top level.
    let file = parse_ok("公开 协程 函数 数(): 整数 { 让出 1; }").tree();
    let Some(Item::Fn(f)) = file.items().next() else { panic!("a function") };
    assert!(f.is_generator());
}

#[test]
fn yield_statements_in_a_generator() {
    let stmts = body_stmts("协程 函数 f(): 整数 { 让出 1; 让出(2); 让出 -3; 让出 x + 1; }");
    assert_eq!(stmts.len(), 4);
    for s in &stmts {
        let Stmt::Yield(y) = s else { panic!("{s:?}") };
        assert!(y.expr().is_some());
    }
}

#[test]
fn yield_stays_a_name_outside_generators() {
    // Calls, arithmetic and assignment with a variable or function named `让出`.
    let stmts = body_stmts("函数 f() { 让出(1); 让出 - 1; 让出 = 2; 让出 += 1; 让出.x(); }");
    assert_eq!(stmts.len(), 5);
    assert!(stmts.iter().all(|s| matches!(s, Stmt::Expr(_))), "{stmts:?}");
    // A name after it can only be a yield (reported by the checker outside 协程 函数).
    let stmts = body_stmts("函数 f() { 让出 值; }");
    assert!(matches!(stmts[0], Stmt::Yield(_)));
    // Even in a generator, `让出 = 1;` assigns the variable.
    let stmts = body_stmts("协程 函数 f(): 整数 { 让出 = 1; }");
    assert!(matches!(stmts[0], Stmt::Expr(_)));
}

#[test]
fn generator_words_stay_names() {
    let stmts =
        body_stmts("函数 f() { 变量 协程 = 1; 协程 = 2; 变量 启动协程 = 协程 + 1; 启动协程(3); }");
    assert_eq!(stmts.len(), 4);
    assert!(!stmts.iter().any(|s| matches!(s, Stmt::Yield(_) | Stmt::Item(_))), "{stmts:?}");
}

#[test]
fn start_generator_expression() {
    let e: GenStartExpr = first("函数 f() { 变量 g = 启动协程 数(1); }");
    assert!(matches!(e.expr(), Some(Expr::Call(_))));
}

#[test]
fn while_binding() {
    let w: WhileStmt = first("函数 f() { 当 变量 x = 恢复(g) { 打印行(x); } }");
    assert_eq!(w.binding().unwrap().text(), "x");
    assert!(matches!(w.cond(), Some(Expr::Call(_))));
    assert!(w.body().is_some());
    let w: WhileStmt = first("函数 f() { 当 x < 3 { } }");
    assert!(w.binding().is_none());
}
