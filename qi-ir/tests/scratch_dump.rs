use qi_syntax::Severity;
fn lc(src: &str, off: usize) -> String {
    let before = &src[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{line}:{col}")
}
fn diags(src: &str) -> Vec<String> {
    let p = qi_syntax::parse(src);
    let mut v: Vec<String> = p.errors.iter().map(|d| format!("PARSE {} {}", lc(src, d.range.start().into()), d.message.zh)).collect();
    let out = qi_ir::check(&p.tree(), src, "t.qi");
    for d in &out.diagnostics {
        let s: usize = d.range.start().into();
        let e: usize = d.range.end().into();
        let k = if d.severity == Severity::Error { "E" } else { "W" };
        v.push(format!("{k} {}-{} {} | {}", lc(src, s), lc(src, e), d.message.zh, d.message.en));
    }
    v.push(format!("module: {}", out.module.is_some()));
    v
}
#[test]
fn dump() {
    let src = std::fs::read_to_string("/tmp/snips.txt").unwrap();
    for snip in src.split("\n====\n") {
        println!("----\n{snip}");
        for d in diags(snip) { println!("  {d}"); }
    }
}
