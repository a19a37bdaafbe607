//! Every ```qi block of the language spec (language.md, builtins.md) that is a real
//! program must parse without errors, and every block must round-trip losslessly.

use std::path::PathBuf;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec")
}

/// The ```qi blocks of a markdown file, with the 1-based line where each starts.
fn qi_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```qi") => {
                current = Some((index + 2, String::new()))
            }
            None => {}
            Some(_) if line.trim_start().starts_with("```") => blocks.push(current.take().unwrap()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    blocks
}

/// Grammar sketches, not programs: they use `…` as a placeholder for "code goes here"
/// (e.g. `函数 名(参数: 类型, …): 返回类型 { … }`). Real examples never contain `…`
/// outside string literals, so the rule is: skip a block iff `…` occurs outside quotes.
fn is_sketch(block: &str) -> bool {
    block.lines().any(|line| {
        let mut in_string = false;
        for c in line.chars() {
            match c {
                '"' => in_string = !in_string,
                '…' if !in_string => return true,
                _ => {}
            }
        }
        false
    })
}

#[test]
fn spec_examples_parse() {
    let dir = spec_dir();
    if !dir.is_dir() {
        eprintln!("spec directory {} not found; skipping", dir.display());
        return;
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in ["language.md", "builtins.md"] {
        let Ok(markdown) = std::fs::read_to_string(dir.join(file)) else { continue };
        for (line, block) in qi_blocks(&markdown) {
            let parse = qi_syntax::parse(&block);
            assert_eq!(parse.syntax().to_string(), block, "{file}:{line} not lossless");
            if is_sketch(&block) {
                eprintln!("skipping sketch at {file}:{line}");
                continue;
            }
            checked += 1;
            if !parse.errors.is_empty() {
                failures.push(format!("{file}:{line}: {:?}\n{block}", parse.errors));
            }
        }
    }
    assert!(checked > 30, "only {checked} spec examples found");
    assert!(
        failures.is_empty(),
        "{} spec examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
