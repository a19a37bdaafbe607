//! Throughput check: lexing + parsing a 10,000-line file. Timing assertions are only
//! meaningful in release builds, so the test is ignored by default; run it with
//! `cargo test -p qi-syntax --release --test perf -- --ignored`.

use std::time::Instant;

const UNIT: &str = r#"函数 造计数器(起: 整数): 函数(整数): 整数 {
    返回 闭包(步: 整数): 整数 { 返回 起 + 步; };
}
类型 点 { 横: 整数, 纵: 整数 }
函数 入口() {
    变量 基 = 10;
    变量 表 = [1, 2, 3];
    对于 i 在 0..长度(表) { 基 += 表[i] * 2 + (i << 1); }
    如果 基 > 3 且 基 < 100 { 打印行(f"基={基}：{表[0]}"); } 否则 { 打印行("小${基}"); }
    匹配 基 { 0 => 打印行("零"), 1 | 2 => { 打印行("少"); } _ => {} }
    变量 p = 新建 点 { 横: 1, 纵: 2 };
    尝试 { 抛出 "x"; } 捕获 e { 打印行(e); }
}
"#;

#[test]
#[ignore]
fn ten_thousand_lines() {
    let lines = UNIT.lines().count();
    let src = UNIT.repeat(10_000 / lines + 1);
    let start = Instant::now();
    let parse = qi_syntax::parse(&src);
    let elapsed = start.elapsed();
    assert!(parse.errors.is_empty());
    eprintln!("{} lines, {} bytes: {:?}", src.lines().count(), src.len(), elapsed);
    assert!(elapsed.as_millis() < 50, "parsing took {elapsed:?}");
}

#[test]
#[ignore]
fn lexing_share() {
    let src = UNIT.repeat(10_000 / UNIT.lines().count() + 1);
    for _ in 0..3 {
        let start = Instant::now();
        let (tokens, _) = qi_syntax::lexer::lex(&src);
        let lexed = start.elapsed();
        let start = Instant::now();
        let parse = qi_syntax::parse(&src);
        eprintln!("{} tokens: lex {:?}, lex+parse {:?}", tokens.len(), lexed, start.elapsed());
        drop(parse);
    }
}
