//! Token-level mutations of the conformance programs.

use proptest::prelude::*;
use qi_syntax::SyntaxKind;
use std::sync::OnceLock;

/// A program as its tokens' texts, and the indices of the non-trivia tokens.
pub struct Tokens {
    pub name: String,
    pub texts: Vec<String>,
    pub significant: Vec<usize>,
    pub stdin: Vec<String>,
    pub args: Vec<String>,
}

pub fn tokenize(p: &super::Program) -> Tokens {
    let src = &p.source;
    let (tokens, _) = qi_syntax::lexer::lex(src);
    let texts: Vec<String> = tokens.iter().map(|t| t.text(src).to_string()).collect();
    assert_eq!(texts.concat(), *src, "tokens of {} do not cover the text", p.name);
    let significant = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !SyntaxKind::is_trivia(t.kind))
        .map(|(i, _)| i)
        .collect();
    Tokens {
        name: p.name.clone(),
        texts,
        significant,
        stdin: p.stdin.clone(),
        args: p.args.clone(),
    }
}

/// Every program the checker accepts, tokenized (computed once per test binary).
pub fn corpus() -> &'static [Tokens] {
    static CORPUS: OnceLock<Vec<Tokens>> = OnceLock::new();
    CORPUS.get_or_init(|| super::programs().iter().map(tokenize).collect())
}

#[derive(Clone, Debug)]
pub enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    /// Replace token `.0` by the text of token `.1`.
    Replace(usize, usize),
    /// Insert a fragment before token `.0`.
    Insert(usize, &'static str),
}

/// A random mutation; token indices are taken modulo the number of significant tokens.
pub fn mutation(fragments: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let i = any::<usize>();
    prop_oneof![
        3 => i.prop_map(Mutation::Delete),
        2 => i.prop_map(Mutation::Duplicate),
        2 => (i, any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        2 => (i, any::<usize>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        1 => (i, proptest::sample::select(fragments)).prop_map(|(a, f)| Mutation::Insert(a, f)),
    ]
}

pub fn apply(t: &Tokens, muts: &[Mutation]) -> String {
    let mut texts = t.texts.clone();
    let sig = &t.significant;
    if sig.is_empty() {
        return texts.concat();
    }
    let at = |k: usize| sig[k % sig.len()];
    for m in muts {
        match *m {
            Mutation::Delete(a) => texts[at(a)].clear(),
            Mutation::Duplicate(a) => {
                let s = texts[at(a)].clone();
                texts[at(a)] = format!("{s} {s}");
            }
            Mutation::Swap(a, b) => texts.swap(at(a), at(b)),
            Mutation::Replace(a, b) => texts[at(a)] = t.texts[at(b)].clone(),
            Mutation::Insert(a, f) => texts[at(a)] = format!("{f} {}", texts[at(a)]),
        }
    }
    texts.concat()
}
