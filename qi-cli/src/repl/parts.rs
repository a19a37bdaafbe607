//! What one input is made of: its declarations (kept for later inputs), its statements
//! (run once, as the body of the session's `入口`), the variables it declares at its top
//! level (kept as the session's variables), and the expression whose value is shown.

use qi_syntax::ast::{self, AstNode};
use qi_syntax::{Diagnostic, Text};
use rowan::TextRange;

/// A free function, by what makes a declaration replace an earlier one: its name and
/// number of parameters (overloads differ in arity, language.md §5.4).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FnKey {
    pub name: String,
    pub params: usize,
}

/// A top-level `变量`/`常量` declaration of the input.
pub struct Let {
    pub name: String,
    /// The whole statement.
    pub range: TextRange,
    /// Where its initial value starts (`None`: declared without one).
    pub init: Option<rowan::TextSize>,
}

#[derive(Default)]
pub struct Parts {
    /// Declarations: functions, types, `实现`, `特性`, `外部`, standard-library imports.
    pub decls: Vec<TextRange>,
    /// Everything else at top level (run in `入口`).
    pub stmts: Vec<TextRange>,
    /// `包` lines: meaningless in a session, left out of both.
    pub ignored: Vec<TextRange>,
    /// The free functions it declares, which replace earlier ones with the same key.
    pub functions: Vec<(FnKey, TextRange)>,
    /// Its `导入 标准库.…;` declarations (later inputs see them too).
    pub imports: Vec<TextRange>,
    pub lets: Vec<Let>,
    /// The expression of its last statement when that is an expression statement and not
    /// an assignment: its value is shown.
    pub value: Option<TextRange>,
    /// What a session cannot take (declaring `入口`, importing files).
    pub errors: Vec<Diagnostic>,
}

impl Parts {
    pub fn of(tree: &ast::SourceFile) -> Parts {
        let mut parts = Parts::default();
        let mut last_is_value = None;
        for stmt in tree.stmts() {
            let range = stmt.syntax().text_range();
            last_is_value = None;
            match stmt {
                ast::Stmt::Item(ast::Item::Package(_)) => parts.ignored.push(range),
                ast::Stmt::Item(ast::Item::Import(import)) => {
                    let std = import.path().is_some_and(|p| p.text().starts_with("标准库."));
                    if !std {
                        parts.errors.push(Diagnostic::error(
                            range,
                            Text::new(
                                "会话里只能导入标准库模块（`导入 标准库.模块;`）",
                                "a session can only import standard-library modules (`导入 标准库.模块;`)",
                            ),
                        ));
                    }
                    parts.imports.push(range);
                    parts.decls.push(range);
                }
                ast::Stmt::Item(ast::Item::Fn(f)) => {
                    parts.function(&f);
                    parts.decls.push(range);
                }
                ast::Stmt::Item(_) => parts.decls.push(range),
                ast::Stmt::Let(s) => {
                    if let Some(name) = s.name() {
                        let init = s.init().map(|e| e.syntax().text_range().start());
                        parts.lets.push(Let { name: name.text(), range, init });
                    }
                    parts.stmts.push(range);
                }
                ast::Stmt::Expr(s) => {
                    last_is_value = s
                        .expr()
                        .filter(|e| !matches!(e, ast::Expr::Assign(_)))
                        .map(|e| e.syntax().text_range());
                    parts.stmts.push(range);
                }
                _ => parts.stmts.push(range),
            }
        }
        parts.value = last_is_value;
        parts
    }

    fn function(&mut self, f: &ast::FnDecl) {
        let Some(name) = f.name() else { return };
        if f.receiver().is_some() {
            return;
        }
        let range = f.syntax().text_range();
        if name.text() == "入口" {
            self.errors.push(Diagnostic::error(
                name.syntax().text_range(),
                Text::new(
                    "会话里不能声明 `入口`：每次输入本身就是 `入口` 的函数体",
                    "`入口` cannot be declared in a session: each input is itself the body of `入口`",
                ),
            ));
            return;
        }
        let key = FnKey { name: name.text(), params: f.params().count() };
        self.functions.push((key, range));
    }

    /// The names its top-level declarations give to session variables, each once, in the
    /// order of their first declaration.
    pub fn variable_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for l in &self.lets {
            if !names.contains(&l.name) {
                names.push(l.name.clone());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Parts {
        Parts::of(&qi_syntax::parse(text).tree())
    }

    #[test]
    fn declarations_and_statements_are_told_apart() {
        let p = parts("函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }\n变量 x = 加(1, 2);\nx + 1");
        assert_eq!(p.decls.len(), 1);
        assert_eq!(p.stmts.len(), 2);
        assert_eq!(p.functions[0].0, FnKey { name: "加".into(), params: 2 });
        assert_eq!(p.variable_names(), ["x"]);
        assert!(p.value.is_some());
        assert!(p.errors.is_empty());
    }

    #[test]
    fn an_assignment_or_a_declaration_last_shows_nothing() {
        assert!(parts("变量 x = 1;").value.is_none());
        assert!(parts("x = 2").value.is_none());
        assert!(parts("1 + 1; x = 2;").value.is_none());
        assert!(parts("x = 2; x").value.is_some());
    }

    #[test]
    fn entry_points_and_file_imports_are_refused() {
        assert_eq!(parts("函数 入口() {}").errors.len(), 1);
        assert_eq!(parts("导入 ./工具;").errors.len(), 1);
        assert!(parts("导入 标准库.数学;").errors.is_empty());
    }
}
