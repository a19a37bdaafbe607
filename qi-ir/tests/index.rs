//! The checker's tables for editors (`check_program_indexed`): recording them changes
//! nothing the checker decides, and they say what each name resolved to.

mod common;

use qi_ir::index::DefKind;
use qi_ir::SourceUnit;
use rowan::TextSize;

fn units<'a>(src: &'a str, tree: &qi_syntax::ast::SourceFile) -> Vec<SourceUnit<'a>> {
    vec![SourceUnit { name: "t.qi", text: src, tree: tree.clone(), imports: Vec::new() }]
}

#[test]
fn recording_changes_neither_diagnostics_nor_ir() {
    common::on_front_end_stack(|| {
        let programs = common::all_programs();
        assert!(programs.len() > 100, "the corpus is there");
        for p in programs.iter().filter(|p| !common::imports_user_code(&p.source)) {
            let parse = qi_syntax::parse(&p.source);
            let tree = parse.tree();
            let plain = qi_ir::check_program(&units(&p.source, &tree));
            let (indexed, _) = qi_ir::check_program_indexed(&units(&p.source, &tree));
            assert_eq!(plain.diagnostics, indexed.diagnostics, "{}", p.name);
            assert_eq!(
                plain.module.map(|m| m.to_string()),
                indexed.module.map(|m| m.to_string()),
                "{}",
                p.name
            );
        }
    });
}

#[test]
fn uses_resolve_to_their_declarations() {
    let src = "结构体 点 { 横: 整数 }\n\
               函数 取(p: 点): 整数 { 返回 p.横; }\n\
               函数 入口() {\n    变量 q = 新建 点 { 横: 1 };\n    打印行(取(q));\n}\n";
    let parse = qi_syntax::parse(src);
    let tree = parse.tree();
    let (out, index) = qi_ir::check_program_indexed(&units(src, &tree));
    assert!(out.diagnostics.is_empty());
    let at = |needle: &str, nth: usize| {
        TextSize::from(src.match_indices(needle).nth(nth).unwrap().0 as u32)
    };
    let target_of = |offset: TextSize| {
        let r = index.reference_at(0, offset).expect("a reference");
        (r.kind, r.target.range.start())
    };
    assert_eq!(target_of(at("q)", 0)), (DefKind::Local, at("q =", 0)));
    assert_eq!(target_of(at("取(q", 0)), (DefKind::Function, at("取(p", 0)));
    assert_eq!(target_of(at("p.横", 0)), (DefKind::Local, at("p: 点", 0)));
    assert_eq!(target_of(at("横;", 0)), (DefKind::Field, at("横: 整数", 0)));
    assert_eq!(target_of(at("点 {", 1)), (DefKind::Struct, at("点 {", 0)));
    let (_, ty) = index.type_at(0, at("取(q", 0)).unwrap();
    assert_eq!(ty.to_string(), "整数");
    let q = index.locals.iter().find(|l| l.name == "q").unwrap();
    assert_eq!(q.ty.to_string(), "点");
}

#[test]
fn closure_captures_and_catch_variables_resolve_to_their_declarations() {
    let src =
        "函数 入口() {\n    变量 n = 2;\n    变量 f = 闭包(x: 整数): 整数 { 返回 x * n; };\n    \
               尝试 { 抛出 \"坏\"; } 捕获 e { 打印行(e, f(1)); }\n}\n";
    let parse = qi_syntax::parse(src);
    assert!(parse.errors.is_empty(), "{:?}", parse.errors);
    let tree = parse.tree();
    let (out, index) = qi_ir::check_program_indexed(&units(src, &tree));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let at = |needle: &str| TextSize::from(src.find(needle).unwrap() as u32);
    let target_of =
        |offset: TextSize| index.reference_at(0, offset).map(|r| r.target.range.start());
    // Inside the closure: its parameter, and the captured variable of 入口.
    assert_eq!(target_of(at("x * n")), Some(at("x: 整数")));
    assert_eq!(target_of(at("n; }")), Some(at("n = 2")));
    assert_eq!(target_of(at("e, f")), Some(at("e {")));
    assert_eq!(target_of(at("f(1)")), Some(at("f = ")));
}
