//! The deepest programs the parser's nesting limit (`qi_syntax::MAX_DEPTH`) admits go
//! through the checker, the optimiser and the IR printer within a fixed stack:
//! every pass after the parser recurses at most as deep as the tree, and the tree is
//! bounded. (`qi` runs these passes on a 256 MiB stack; this shows the margin.)

use qi_syntax::MAX_DEPTH;

/// The stack the passes must fit in here, in an unoptimised test build: an eighth of the
/// 256 MiB stack `qi` gives the front end (32 MiB is enough for 1024 levels today).
const STACK: usize = 32 << 20;

fn check_print_optimise(src: &str) -> Result<(), String> {
    let parse = qi_syntax::parse(src);
    if !parse.errors.is_empty() {
        return Err(format!("syntax errors: {:?}", parse.errors));
    }
    let out = qi_ir::check(&parse.tree(), src, "deep.qi");
    let Some(mut module) = out.module else {
        return Err(format!("diagnostics: {:?}", out.diagnostics));
    };
    let text = module.to_string();
    qi_ir::opt::optimize(&mut module);
    if text.is_empty() || module.to_string().is_empty() {
        return Err("empty IR".into());
    }
    Ok(())
}

/// `入口` whose body is `body`.
fn entry(body: &str) -> String {
    format!("函数 入口() {{ {body} }}")
}

/// Deepest programs of every kind of nesting (each is rejected with one level more,
/// checked in qi-syntax and qi-cli tests).
fn deepest_programs() -> Vec<(&'static str, String)> {
    let max = MAX_DEPTH as usize;
    let chain = |term: &str, op: &str, n: usize| vec![term; n].join(op);
    let let_x = |e: String| entry(&format!("变量 x = {e}; 打印行(x);"));
    vec![
        ("sum", let_x(chain("1", "+", max - 1))),
        ("strings", let_x(chain("\"a\"", "+", max - 1))),
        ("and", let_x(chain("真", "&&", max - 1))),
        ("or", let_x(chain("假", " 或 ", max - 1))),
        ("comparisons", let_x(chain("1 < 2", " && ", max - 2))),
        ("bits", let_x(chain("1", " << ", max - 1))),
        ("parens", let_x(format!("{}1{}", "(".repeat(max - 2), ")".repeat(max - 2)))),
        ("prefix", let_x(format!("{}真", "!".repeat(max - 2)))),
        ("blocks", entry(&format!("{}打印行(1);{}", "{ ".repeat(max - 3), " }".repeat(max - 3)))),
        (
            "ifs",
            entry(&format!("{}打印行(1);{}", "如果 真 { ".repeat(max - 3), " }".repeat(max - 3))),
        ),
        (
            "else_ifs",
            entry(&format!(
                "变量 i = 3; 如果 i == 0 {{ 打印行(0); }}{}",
                (1..=max - 4)
                    .map(|k| format!(" 否则 如果 i == {k} {{ 打印行({k}); }}"))
                    .collect::<String>()
            )),
        ),
        (
            "calls",
            format!(
                "函数 f(x: 整数): 整数 {{ 返回 x; }} {}",
                entry(&format!("打印行({}1{});", "f(".repeat(max - 3), ")".repeat(max - 3)))
            ),
        ),
    ]
}

#[test]
fn the_deepest_programs_fit_in_a_small_stack() {
    for (what, src) in deepest_programs() {
        let result = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || check_print_optimise(&src))
            .unwrap()
            .join()
            .expect("no panic");
        assert_eq!(result, Ok(()), "{what}");
    }
}
