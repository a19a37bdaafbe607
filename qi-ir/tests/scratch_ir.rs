#[test]
fn dump() {
    let src = std::fs::read_to_string("/tmp/ir.qi").unwrap();
    let p = qi_syntax::parse(&src);
    let out = qi_ir::check(&p.tree(), &src, "t.qi");
    for d in &out.diagnostics { println!("{}", d.message.zh); }
    let m = out.module.unwrap();
    println!("{m}");
    let mut o = m.clone();
    qi_ir::opt::optimize(&mut o);
    println!("=========== optimized\n{o}");
}
