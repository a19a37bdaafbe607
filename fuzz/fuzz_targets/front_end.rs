//! Arbitrary bytes through the lexer, parser and checker: nothing may panic, and the
//! syntax tree must reproduce the input exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parse = qi_syntax::parse(text);
        assert_eq!(parse.syntax().to_string(), text, "syntax tree is not lossless");
        let _ = qi_ir::check(&parse.tree(), text, "fuzz.qi");
    }
});
