//! Loading the libraries of a program's `外部` blocks before it runs: a library or C
//! function that cannot be found is reported at its declaration, with what the loader
//! said (docs/FFI.md).

use qi_syntax::{Diagnostic, Text};

/// The diagnostics for what `qi_jit::resolve_foreign` could not find.
pub fn diagnostics(module: &qi_ir::Module, errors: &[qi_jit::ForeignError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| {
            let f = &module.foreign.functions[e.id.index()];
            let (lib, msg) = (&e.library, &e.message);
            if e.library_missing {
                let decl = &module.foreign.libs[f.lib as usize];
                let text = Text::new(
                    format!("无法加载外部库 \"{lib}\"：{msg}"),
                    format!("cannot load foreign library \"{lib}\": {msg}"),
                );
                Diagnostic::error(decl.range, text).in_file(decl.file)
            } else {
                let name = &e.function;
                let text = Text::new(
                    format!("外部库 \"{lib}\" 里找不到函数 {name}：{msg}"),
                    format!("function {name} not found in foreign library \"{lib}\": {msg}"),
                );
                Diagnostic::error(f.range, text).in_file(f.file)
            }
        })
        .collect()
}
