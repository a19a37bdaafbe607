//! `qi fmt` (qi_syntax::format): the input/expected pairs of `tests/fmt/`, and over every
//! `.qi` file under `tests/` and over generated programs with random whitespace and
//! comments: formatting keeps the tokens and comments (only whitespace and empty
//! statements change) and formatting twice gives the same text.

use proptest::prelude::*;
use qi_syntax::format::{format, kept_tokens};
use std::path::{Path, PathBuf};

fn repo_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn qi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            qi_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "qi") {
            out.push(path);
        }
    }
}

/// Formats `text` (which parses) and checks the two properties; the formatted text.
fn check_properties(name: &str, text: &str) -> Result<String, String> {
    let formatted = format(text).map_err(|e| format!("{name}: not formatted: {e:?}"))?;
    let before = kept_tokens(&qi_syntax::parse(text).syntax());
    let reparsed = qi_syntax::parse(&formatted);
    if reparsed.has_errors() {
        return Err(format!("{name}: formatted text has syntax errors:\n{formatted}"));
    }
    let after = kept_tokens(&reparsed.syntax());
    if before != after {
        let at = before.iter().zip(&after).position(|(a, b)| a != b).unwrap_or(before.len());
        return Err(format!(
            "{name}: tokens differ at {at}: {:?} / {:?}\n{formatted}",
            before.get(at),
            after.get(at)
        ));
    }
    let again = format(&formatted).map_err(|e| format!("{name}: second pass: {e:?}"))?;
    if again != formatted {
        return Err(format!("{name}: not idempotent:\n--- once\n{formatted}--- twice\n{again}"));
    }
    Ok(formatted)
}

#[test]
fn input_expected_pairs() {
    let dir = repo_tests().join("fmt");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".in"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no pairs in {}", dir.display());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().replace(".in", "");
        let expected_path = dir.join(format!("{name}.out.qi"));
        let text = std::fs::read_to_string(input).unwrap();
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no {}", name, expected_path.display()));
        match check_properties(&name, &text) {
            Ok(formatted) if formatted == expected => {}
            Ok(formatted) => {
                failures.push(format!("{name}: expected\n{expected}--- got\n{formatted}---"))
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn files_with_syntax_errors_are_refused() {
    let errors = format("函数 入口() { 打印行(1 }").unwrap_err();
    assert!(!errors.is_empty());
}

#[test]
fn every_qi_file_under_tests_keeps_its_tokens_and_is_a_fixpoint() {
    let mut files = Vec::new();
    qi_files(&repo_tests(), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue }; // not UTF-8 on purpose
        if qi_syntax::parse(&text).has_errors() {
            continue; // syntax errors on purpose: refused (see above)
        }
        checked += 1;
        if let Err(e) = check_properties(&file.display().to_string(), &text) {
            failures.push(e);
        }
    }
    assert!(checked > 500, "only {checked} files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `program` with its whitespace replaced at random and block comments added between
/// tokens (`choices` drives both).
fn respace(program: &str, choices: &[u8]) -> String {
    const SPACES: [&str; 6] = [" ", "\n", "\n\n\n", "  \t", " \n    ", "\n/* 注 */ "];
    let (tokens, _) = qi_syntax::lexer::lex(program);
    let mut out = String::new();
    let mut choice = choices.iter().cycle();
    for token in tokens {
        let text = token.text(program);
        if token.kind == qi_syntax::SyntaxKind::WHITESPACE {
            let pick = *choice.next().unwrap_or(&0) as usize;
            out.push_str(SPACES[pick % SPACES.len()]);
            if pick.is_multiple_of(7) {
                out.push_str("// 行注释\n");
            }
        } else {
            out.push_str(text);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_programs_keep_their_tokens_and_are_fixpoints(
        data in proptest::collection::vec(any::<u8>(), 64..512),
        choices in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let program = qi_fuzz_gen::generate(&data);
        prop_assume!(!qi_syntax::parse(&program).has_errors());
        check_properties("generated", &program).map_err(TestCaseError::fail)?;
        let respaced = respace(&program, &choices);
        prop_assert!(!qi_syntax::parse(&respaced).has_errors(), "respaced:\n{}", respaced);
        check_properties("respaced", &respaced).map_err(TestCaseError::fail)?;
    }
}
