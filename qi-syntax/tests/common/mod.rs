//! Helpers shared by the parser tests.
#![allow(dead_code)]

use qi_syntax::ast::AstNode;
use qi_syntax::{debug_tree, parse, Parse};

/// Parses `src`, asserting the tree is lossless and there are no errors.
pub fn parse_ok(src: &str) -> Parse {
    let parse = parse(src);
    assert_eq!(parse.syntax().to_string(), src, "tree is not lossless");
    assert!(
        parse.errors.is_empty(),
        "unexpected errors for {src:?}:\n{}\n{}",
        parse
            .errors
            .iter()
            .map(|e| format!("{:?} {}", e.range, e.message.en))
            .collect::<Vec<_>>()
            .join("\n"),
        debug_tree(&parse.syntax())
    );
    parse
}

/// Parses `src` (expecting errors), asserting losslessness; returns the parse.
pub fn parse_err(src: &str) -> Parse {
    let parse = parse(src);
    assert_eq!(parse.syntax().to_string(), src, "tree is not lossless");
    assert!(
        !parse.errors.is_empty(),
        "expected errors for {src:?}\n{}",
        debug_tree(&parse.syntax())
    );
    parse
}

/// The first node of view type `N` in the tree of `src` (which must parse cleanly).
pub fn first<N: AstNode>(src: &str) -> N {
    parse_ok(src).syntax().descendants().find_map(N::cast).expect("node not found")
}

/// The tree dump without ranges and whitespace, as compact `KIND(children…)` text.
pub fn shape(src: &str) -> String {
    let parse = parse(src);
    let mut out = String::new();
    write_shape(&parse.syntax(), &mut out);
    out
}

fn write_shape(node: &qi_syntax::SyntaxNode, out: &mut String) {
    out.push_str(&format!("{:?}", node.kind()));
    let children: Vec<_> = node.children().collect();
    if !children.is_empty() {
        out.push('(');
        for (i, child) in children.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write_shape(child, out);
        }
        out.push(')');
    }
}

/// Text of the messages (English) of a parse's errors.
pub fn messages(parse: &Parse) -> Vec<String> {
    parse.errors.iter().map(|e| e.message.en.clone()).collect()
}
