//! Helpers shared by the integration tests of qi-ir: the conformance programs, checking
//! Qi source, token mutations. (The IR validator is in the product, `qi_ir::validate`;
//! programs run in the product's tiers through qi-jit's child harness.)
#![allow(dead_code)]

pub mod checking;
pub mod mutate;
pub mod tiers;

use std::path::{Path, PathBuf};

/// Parse and check `src`; panics (with the diagnostics) unless it is accepted.
pub fn module_of(src: &str) -> qi_ir::Module {
    let parse = qi_syntax::parse(src);
    assert!(parse.errors.is_empty(), "syntax errors in\n{src}\n{:?}", messages(&parse.errors));
    let out = qi_ir::check(&parse.tree(), src, "t.qi");
    match out.module {
        Some(m) => m,
        None => panic!("rejected:\n{src}\n{:?}", messages(&out.diagnostics)),
    }
}

/// [`module_of`], optimised by `opt::optimize` and validated.
pub fn optimized_module_of(src: &str) -> qi_ir::Module {
    let mut m = module_of(src);
    qi_ir::opt::optimize(&mut m);
    qi_ir::validate::validate(&m).unwrap();
    m
}

/// The `checked` flag of every array access in function `name`, in block order
/// (asserting that a block ending in an unchecked access has lost its unwind edge).
pub fn access_checks(m: &qi_ir::Module, name: &str) -> Vec<bool> {
    let f = m.functions.iter().find(|f| f.name == name).expect("function");
    let mut checks = Vec::new();
    for b in &f.blocks {
        for (k, inst) in b.insts.iter().enumerate() {
            let checked = match inst {
                qi_ir::Inst::Assign { value: qi_ir::Value::Index { checked, .. }, .. }
                | qi_ir::Inst::SetIndex { checked, .. } => *checked,
                _ => continue,
            };
            if !checked && k + 1 == b.insts.len() {
                assert!(b.unwind.is_none(), "an unchecked access cannot raise");
            }
            checks.push(checked);
        }
    }
    checks
}

pub fn messages(ds: &[qi_syntax::Diagnostic]) -> Vec<String> {
    ds.iter().map(|d| format!("{:?} {}", d.range, d.message.zh)).collect()
}

/// One program of `tests/programs` (outside `errors/`).
pub struct Program {
    /// Path below `tests/programs`, with `/`.
    pub name: String,
    pub source: String,
    /// Expected stdout (`.out`; none means empty).
    pub out: Option<String>,
    /// Expected stderr (`.err`), if any.
    pub err: Option<String>,
    /// Expected exit status: 0, 2 for an uncaught exception (or a fatal run-time error), 1
    /// for a program the checker must reject (such programs also live outside `errors/`).
    pub status: i32,
    /// No expectation file at all (none of `.out`, `.err`, `.status`): the conformance
    /// suite reports the program as pending.
    pub pending: bool,
    /// Lines of its standard input (`.in`), without line ends.
    pub stdin: Vec<String>,
    /// Its arguments (`// qi-args:` lines).
    pub args: Vec<String>,
    /// Run with English messages (`// qi-env: QI_LANG=en`).
    pub english: bool,
}

/// Runs `f` on a thread with the stack `qi` gives the front end (`qi_ir::FRONT_END_STACK`):
/// the conformance programs include the deepest nesting the parser admits.
pub fn on_front_end_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new().stack_size(qi_ir::FRONT_END_STACK).spawn(f);
    match thread.expect("spawn a test thread").join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("programs")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // `errors/`: rejected programs; `lib/`, `qi_packages/`: files that programs
            // import, not programs.
            if p.file_name().is_some_and(|n| n == "errors" || n == "lib" || n == "qi_packages") {
                continue;
            }
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "qi") {
            out.push(p);
        }
    }
}

/// Every one-file program the checker accepts (outside `errors/`, exit status not 1, no
/// import of user code — loading those is the driver's job), sorted.
pub fn programs() -> Vec<Program> {
    all_programs().into_iter().filter(|p| p.status != 1 && !imports_user_code(&p.source)).collect()
}

/// Programs under `concurrency/` use green threads, channels, `选择` and futures: their
/// output may interleave differently from run to run, so the differential tests of
/// mutated programs skip them (the conformance runner checks them in every tier, with
/// one worker and with four). The checker tests still cover them.
pub fn needs_threads(name: &str) -> bool {
    name.starts_with("concurrency/")
}

/// Does the program import other files (`导入 ./工具;`, `导入 计数器;`)? Standard-library
/// imports (`导入 标准库.数学;`) need no other file.
pub fn imports_user_code(source: &str) -> bool {
    source.lines().any(|l| {
        let l = l.trim_start().trim_start_matches("公开").trim_start();
        l.strip_prefix("导入").is_some_and(|rest| !rest.trim_start().starts_with("标准库"))
    })
}

/// Every program outside `errors/`, sorted by name.
pub fn all_programs() -> Vec<Program> {
    let root = programs_dir();
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(files.len() > 50, "expected the conformance programs under {}", root.display());
    files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let source = std::fs::read_to_string(&path).unwrap();
            let sibling = |ext: &str| path.with_extension(ext);
            let out = std::fs::read_to_string(sibling("out")).ok();
            let err = std::fs::read_to_string(sibling("err")).ok();
            let status_file = std::fs::read_to_string(sibling("status")).ok();
            let pending = out.is_none() && err.is_none() && status_file.is_none();
            // As in the conformance suite: `.status`, else 1 when there is a `.err`, else 0.
            let status = status_file
                .map(|s| s.trim().parse().unwrap())
                .unwrap_or(if err.is_some() { 1 } else { 0 });
            let stdin = std::fs::read(sibling("in")).map(|b| stdin_lines(&b)).unwrap_or_default();
            let args = source
                .lines()
                .filter_map(|l| l.trim().strip_prefix("// qi-args:"))
                .flat_map(|a| a.split_whitespace().map(str::to_string))
                .collect();
            let english = source.lines().any(|l| {
                l.trim().strip_prefix("// qi-env:").is_some_and(|e| e.trim() == "QI_LANG=en")
            });
            Program { name, source, out, err, status, pending, stdin, args, english }
        })
        .collect()
}

/// Split standard input into the lines `输入()` returns: one line end (`\n` or `\r\n`)
/// stripped, a last line without line end kept.
pub fn stdin_lines(bytes: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').map(|i| i + 1).unwrap_or(rest.len());
        let mut line = &rest[..end];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        lines.push(String::from_utf8_lossy(line).into_owned());
        rest = &rest[end..];
    }
    lines
}
