//! Helpers of the checker tests (`check.rs`, `check_concurrency.rs`): checking a
//! program and rendering its diagnostics with positions, finding functions, variables
//! and instructions in the IR.

use qi_ir::validate::validate;
use qi_ir::*;
use qi_syntax::Severity;

/// `line:col` of a byte offset.
pub fn line_col(src: &str, offset: usize) -> String {
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{line}:{col}")
}

/// Check `src` (which must parse without errors) and render every diagnostic as
/// `L:C-L:C 中文 | English`, warnings prefixed with `warning `, sorted by position.
pub fn check_src(src: &str) -> (Option<Module>, Vec<String>) {
    let parse = qi_syntax::parse(src);
    assert!(
        parse.errors.is_empty(),
        "test program has syntax errors: {:?}\n{src}",
        super::messages(&parse.errors)
    );
    let out = check(&parse.tree(), src, "t.qi");
    let mut ds: Vec<(usize, usize, String)> = out
        .diagnostics
        .iter()
        .map(|d| {
            let (s, e): (usize, usize) = (d.range.start().into(), d.range.end().into());
            let kind = if d.severity == Severity::Warning { "warning " } else { "" };
            (
                s,
                e,
                format!(
                    "{kind}{}-{} {} | {}",
                    line_col(src, s),
                    line_col(src, e),
                    d.message.zh,
                    d.message.en
                ),
            )
        })
        .collect();
    ds.sort_by_key(|d| (d.0, d.1));
    let has_error = out.diagnostics.iter().any(|d| d.severity == Severity::Error);
    if has_error {
        assert!(out.module.is_none(), "a module was produced despite errors");
    }
    (out.module, ds.into_iter().map(|d| d.2).collect())
}

/// The diagnostics of a rejected program.
pub fn errors(src: &str) -> Vec<String> {
    let (m, ds) = check_src(src);
    assert!(m.is_none(), "expected the program to be rejected:\n{src}");
    ds
}

#[track_caller]
pub fn assert_errors(src: &str, expected: &[&str]) {
    let got = errors(src);
    let want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "\n{src}\n--- got:\n{}\n", got.join("\n"));
}

/// An accepted program's (valid) IR.
#[track_caller]
pub fn accept(src: &str) -> Module {
    let (m, ds) = check_src(src);
    assert!(ds.is_empty(), "unexpected diagnostics for\n{src}\n{}", ds.join("\n"));
    let m = m.expect("accepted programs have a module");
    validate(&m).unwrap();
    m
}

/// In `入口() { … }`.
pub fn in_entry(body: &str) -> String {
    format!("函数 入口() {{\n{body}\n}}\n")
}

pub fn func_id(m: &Module, name: &str) -> FuncId {
    FuncId(
        m.functions
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("no function {name}")) as u32,
    )
}

pub fn func<'m>(m: &'m Module, name: &str) -> &'m Function {
    &m.functions[func_id(m, name).index()]
}

pub fn text(m: &Module, name: &str) -> String {
    print::function_text(m, func_id(m, name))
}

/// The local of the Qi variable `name` (the last one of that name).
pub fn var(f: &Function, name: &str) -> LocalId {
    let i = f
        .locals
        .iter()
        .rposition(|l| l.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no variable {name}"));
    LocalId(i as u32)
}

pub fn insts(f: &Function) -> impl Iterator<Item = (usize, &Inst)> {
    f.blocks.iter().enumerate().flat_map(|(b, blk)| blk.insts.iter().map(move |i| (b, i)))
}

/// Blocks containing a call of `callee`.
pub fn blocks_calling(f: &Function, callee: FuncId) -> Vec<usize> {
    insts(f)
        .filter(|(_, i)| {
            matches!(i, Inst::Assign { value: Value::Call { func, .. }, .. } | Inst::Effect(Value::Call { func, .. }) if *func == callee)
        })
        .map(|(b, _)| b)
        .collect()
}

pub fn reachable_from(f: &Function, start: usize, avoiding: Option<usize>) -> Vec<bool> {
    let mut seen = vec![false; f.blocks.len()];
    let mut stack = vec![start];
    while let Some(b) = stack.pop() {
        if Some(b) == avoiding || std::mem::replace(&mut seen[b], true) {
            continue;
        }
        stack.extend(f.blocks[b].term.successors().map(|s| s.index()));
    }
    seen
}
