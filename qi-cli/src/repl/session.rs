//! The session: declarations and variables kept from input to input, and how one input
//! is checked and run exactly once (docs/ARCHITECTURE.md, "The interactive session").
//!
//! Each input becomes a program: the declarations so far (files of earlier inputs with
//! their statements blanked), the session's variables as globals (a generated file), and
//! the input's statements as the body of `入口`. The engine runs `入口` itself as the
//! program's main function — so no global initialiser runs — with the global slots
//! holding the values the previous program left (`Interpreted::run_with_globals`). A
//! top-level `变量 x = e;` of the input is run as the assignment `x = e;` to a new
//! global, whose type a first check of the input finds.

use super::parts::{FnKey, Parts};
use super::program::{blank, edit, Program, Unit, ENTRY_OPEN};
use super::{show, texts};
use qi_ir::{Module, Type};
use qi_syntax::{Lang, Severity};
use rowan::TextRange;

/// Names the session's own code uses (users' names do not start with `_会话`).
const RESULT: &str = "_会话结果";
const PLACEHOLDER: &str = "_会话占位";
const PROBE: &str = "_会话变量";
const ZERO: &str = "_会话零值";
/// The file of the session's variables.
const GLOBALS_FILE: &str = "<会话>";

/// A session variable: a global of every program, whose value moves from one program to
/// the next.
struct Var {
    name: String,
    ty: Type,
    /// The value (an object word is owned by the session).
    word: u64,
}

/// The declarations of one earlier input.
struct Decls {
    name: String,
    input: String,
    /// The input with its statements and replaced functions blanked.
    text: String,
    functions: Vec<(FnKey, TextRange)>,
    /// Its standard-library imports (as written), which every later file repeats.
    imports: Vec<String>,
}

pub struct Session {
    lang: Lang,
    inputs: u32,
    decls: Vec<Decls>,
    vars: Vec<Var>,
}

/// What the first check found out about an input's statements.
struct Types {
    /// The type of each variable it declares (by `Parts::variable_names`).
    vars: Vec<(String, Type)>,
    /// The type of the value it shows (not `空`).
    value: Option<Type>,
}

impl Session {
    pub fn new(lang: Lang) -> Session {
        Session { lang, inputs: 0, decls: Vec::new(), vars: Vec::new() }
    }

    fn input_name(&self) -> String {
        match self.lang {
            Lang::Zh => format!("<输入{}>", self.inputs),
            Lang::En => format!("<input {}>", self.inputs),
        }
    }

    /// Check and run one input; every problem is reported and the session goes on.
    pub fn eval(&mut self, input: &str) {
        self.inputs += 1;
        let name = self.input_name();
        let completed = with_final_semicolon(input);
        let input = completed.as_deref().unwrap_or(input);
        let parse = qi_syntax::parse(input);
        let files = [(name.as_str(), input)];
        if super::program::report(&files, &parse.errors, self.lang) {
            return;
        }
        let parts = Parts::of(&parse.tree());
        if super::program::report(&files, &parts.errors, self.lang) {
            return;
        }
        let Some(types) = self.types(&name, input, &parts) else { return };
        let kept = self.kept_functions(&parts);
        let new_vars = types.vars.clone();
        if let Some(d) = self.read_before_retyped(input, &parts, &new_vars) {
            super::program::report(&[(name.as_str(), input)], &[d], self.lang);
            return;
        }
        let run = self.run_program(&name, input, &parts, &kept, &new_vars, &types);
        let checked = run.check();
        if run.report(&checked.diagnostics, self.lang) {
            return;
        }
        let Some(mut module) = checked.module else { return };
        if let Err(errors) = qi_jit::resolve_foreign(&module) {
            run.report(&crate::foreign::diagnostics(&module, &errors), self.lang);
            return;
        }
        let Some(entry) = module.functions.iter().position(|f| f.name == "入口") else {
            return internal("no 入口 in the session program");
        };
        module.main = qi_ir::FuncId(entry as u32);
        let words = self.initial_words(&module, &new_vars);
        let Some((outcome, after)) = run_module(&module, &words) else { return };
        let finished = outcome == qi_rt::sched::Outcome::Finished;
        outcome.report();
        qi_rt::output::flush_all();
        let result = self.keep_values(&module, new_vars, after);
        if let Some((word, ty)) = result {
            if finished {
                let line = format!("{} : {}", show::value(word, &ty, &module), ty);
                qi_rt::output::write_stdout(format!("{line}\n").as_bytes());
            }
            release(word, &ty);
        }
        self.keep_decls(name, input, &parts, kept);
    }

    /// The first words of the globals of the program that runs an input declaring
    /// `new_vars`: the variables it does not declare again, then its variables (one
    /// declared again with its type keeps its value until assigned), then the value shown.
    fn initial_words(&self, module: &Module, new_vars: &[(String, Type)]) -> Vec<u64> {
        let again = |v: &&Var| new_vars.iter().any(|(n, _)| *n == v.name);
        let mut words: Vec<u64> = self.vars.iter().filter(|v| !again(v)).map(|v| v.word).collect();
        for (n, ty) in new_vars {
            let old = self.vars.iter().find(|v| v.name == *n && same_type(&v.ty, ty));
            let global = &module.globals[words.len()];
            words.push(match old {
                Some(v) => v.word,
                None if global.ty.null_until_initialised() => unset_object(),
                None => 0,
            });
        }
        if let Some(result) = module.globals.get(words.len()) {
            words.push(if result.ty.null_until_initialised() { unset_object() } else { 0 });
        }
        words
    }

    /// After the run: the variables take the words of their globals (`after`, in the
    /// order of `initial_words`); those declared again with another type release their
    /// old values. Returns the value shown (owned) with its type.
    fn keep_values(
        &mut self,
        module: &Module,
        new_vars: Vec<(String, Type)>,
        mut after: Vec<u64>,
    ) -> Option<(u64, Type)> {
        for word in &mut after {
            if *word == unset_object() {
                // Not assigned (the input ended before): read later, it raises as an
                // uninitialised global.
                *word = 0;
            }
        }
        let again = |v: &Var| new_vars.iter().any(|(n, _)| *n == v.name);
        let (redeclared, mut vars): (Vec<Var>, Vec<Var>) =
            std::mem::take(&mut self.vars).into_iter().partition(again);
        for old in redeclared {
            // Its value moved on to the new global unless the type changed.
            if !new_vars.iter().any(|(n, ty)| *n == old.name && same_type(ty, &old.ty)) {
                release(old.word, &old.ty);
            }
        }
        for (var, word) in vars.iter_mut().zip(&after) {
            var.word = *word;
        }
        // Types as this program's module has them (ids of generic instances differ from
        // one program to the next).
        for (name, _) in new_vars {
            let i = vars.len();
            vars.push(Var { name, ty: module.globals[i].ty.clone(), word: after[i] });
        }
        let i = vars.len();
        self.vars = vars;
        module.globals.get(i).map(|g| (after[i], g.ty.clone()))
    }

    /// `:type 表达式`: the type of an expression, without running it.
    pub fn show_type(&mut self, expr: &str) {
        let expr = expr.trim_end().trim_end_matches([';', '；']);
        let name = texts::type_input_name(self.lang);
        let files = [(name, expr)];
        // As a statement (`;` after it), as it is checked.
        let parse = qi_syntax::parse(&format!("{expr};"));
        if super::program::report(&files, &parse.errors, self.lang) {
            return;
        }
        // All of it is the statement (no declarations).
        let whole = TextRange::up_to(rowan::TextSize::of(expr));
        let parts = Parts { stmts: vec![whole], ..Parts::default() };
        let open = format!("{ENTRY_OPEN}变量 {RESULT} = ");
        let probe = self.program_with_entry(name, expr, &open, ";\n}\n", &parts, None);
        let checked = probe.check();
        if let Some(module) = &checked.module {
            if let Some(ty) = local_type(module, RESULT) {
                qi_rt::output::write_stdout(format!("{ty}\n").as_bytes());
            }
            return;
        }
        // Not a value: `空` if it is a correct statement.
        let plain = self.program_with_entry(name, expr, ENTRY_OPEN, ";\n}\n", &parts, None);
        let checked = plain.check();
        if !plain.report(&checked.diagnostics, self.lang) {
            qi_rt::output::write_stdout("空\n".as_bytes());
        }
    }

    /// Check the input as written, with probes that find the types of the variables it
    /// declares and of the value it shows. Reports its diagnostics and gives `None` if it
    /// is rejected.
    fn types(&self, name: &str, input: &str, parts: &Parts) -> Option<Types> {
        let names = parts.variable_names();
        let probes: String = names
            .iter()
            .enumerate()
            .map(|(i, var)| format!("\n变量 {PROBE}{i} = {var};"))
            .collect();
        let statements = blank(input, &[&parts.decls[..], &parts.ignored[..]].concat());
        let with_value = |value: Option<TextRange>| {
            let edits: Vec<(TextRange, String)> = value
                .map(|v| (TextRange::empty(v.start()), format!("变量 {RESULT} = ")))
                .into_iter()
                .collect();
            let body = edit(&statements, &edits);
            self.program_with_entry(
                name,
                input,
                ENTRY_OPEN,
                &format!("{probes}\n}}\n"),
                parts,
                Some(body),
            )
        };
        let probed = with_value(parts.value);
        let checked = probed.check();
        let checked = match (checked.module.is_some(), parts.value) {
            (true, _) => checked,
            // Rejected with the value probe: either the value is `空` (the input is fine
            // without it) or the input itself is wrong (reported as written).
            (false, Some(_)) => {
                let plain = self.program_with_entry(name, input, ENTRY_OPEN, "\n}\n", parts, None);
                let checked = plain.check();
                if plain.report(&checked.diagnostics, self.lang) {
                    return None;
                }
                let without = with_value(None);
                let checked = without.check();
                if without.report(&checked.diagnostics, self.lang) {
                    return None;
                }
                checked
            }
            (false, None) => {
                let plain = self.program_with_entry(name, input, ENTRY_OPEN, "\n}\n", parts, None);
                let checked = plain.check();
                plain.report(&checked.diagnostics, self.lang);
                return None;
            }
        };
        // Warnings of the input as it was checked.
        let warnings: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .cloned()
            .collect();
        probed.report(&warnings, self.lang);
        let module = checked.module?;
        let mut vars = Vec::new();
        for (i, var) in names.into_iter().enumerate() {
            let ty = local_type(&module, &format!("{PROBE}{i}"))?;
            if let Some(why) = not_carried(&ty, &module, &mut Vec::new()) {
                let at = parts.lets.iter().find(|l| l.name == var).expect("declared").range;
                let d = qi_syntax::Diagnostic::error(at, texts::not_carried(&var, &ty, why));
                super::program::report(&[(name, input)], &[d], self.lang);
                return None;
            }
            vars.push((var, ty));
        }
        Some(Types { vars, value: local_type(&module, RESULT) })
    }

    /// The program of an input whose statements are `body` (default: the input with its
    /// declarations blanked), put between `open` and `close`; with the session's
    /// declarations and the input's own (`parts`), and its variables.
    fn program_with_entry(
        &self,
        name: &str,
        input: &str,
        open: &str,
        close: &str,
        parts: &Parts,
        body: Option<String>,
    ) -> Program {
        let kept = self.kept_functions(parts);
        let vars: Vec<(String, Type)> =
            self.vars.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
        let body =
            body.unwrap_or_else(|| blank(input, &[&parts.decls[..], &parts.ignored[..]].concat()));
        self.program(name, input, parts, &kept, &vars, None, open, &body, close, "")
    }

    /// The program that runs the input: its top-level declarations are assignments to the
    /// new globals, its value is stored into the result global.
    fn run_program(
        &self,
        name: &str,
        input: &str,
        parts: &Parts,
        kept: &[Vec<bool>],
        new_vars: &[(String, Type)],
        types: &Types,
    ) -> Program {
        let mut edits: Vec<(TextRange, String)> = Vec::new();
        let mut zero_fns = String::new();
        for (i, l) in parts.lets.iter().enumerate() {
            match l.init {
                Some(init) => {
                    edits.push((TextRange::new(l.range.start(), init), format!("{} = ", l.name)))
                }
                None => {
                    let ty = &types.vars.iter().find(|(n, _)| *n == l.name).expect("typed").1;
                    let t = type_text(ty);
                    edits.push((l.range, format!("{} = {ZERO}{i}();", l.name)));
                    zero_fns
                        .push_str(&format!("函数 {ZERO}{i}(): {t} {{ 变量 值: {t}; 返回 值; }}\n"));
                }
            }
        }
        if let (Some(v), Some(_)) = (parts.value, &types.value) {
            edits.push((TextRange::empty(v.start()), format!("{RESULT} = ")));
        }
        edits.sort_by_key(|(r, _)| r.start());
        let statements = blank(input, &[&parts.decls[..], &parts.ignored[..]].concat());
        let body = edit(&statements, &edits);
        let vars: Vec<(String, Type)> = self
            .vars
            .iter()
            .filter(|v| !new_vars.iter().any(|(n, _)| *n == v.name))
            .map(|v| (v.name.clone(), v.ty.clone()))
            .chain(new_vars.iter().cloned())
            .collect();
        let result = types.value.as_ref().map(|t| (RESULT.to_string(), t.clone()));
        self.program(name, input, parts, kept, &vars, result, ENTRY_OPEN, &body, "\n}\n", &zero_fns)
    }

    /// The files of a program: the entry file (`open`, `body`, `close`), the globals, the
    /// earlier inputs' declarations (with `kept` telling which functions stay), the
    /// input's declarations.
    #[allow(clippy::too_many_arguments)]
    fn program(
        &self,
        name: &str,
        input: &str,
        parts: &Parts,
        kept: &[Vec<bool>],
        vars: &[(String, Type)],
        result: Option<(String, Type)>,
        open: &str,
        body: &str,
        close: &str,
        extra: &str,
    ) -> Program {
        let own_imports: Vec<String> =
            parts.imports.iter().map(|r| input[*r].to_string()).collect();
        let earlier_imports: Vec<String> =
            self.decls.iter().flat_map(|d| d.imports.iter().cloned()).collect();
        let all_imports = [&earlier_imports[..], &own_imports[..]].concat();
        let imports = |except: &[String]| -> String {
            all_imports.iter().filter(|i| !except.contains(i)).map(|i| format!("\n{i}")).collect()
        };
        let mut units = Vec::new();
        let entry = format!("{open}{body}{close}{}", imports(&[]));
        // Diagnostics point into the input, or into the body when edits moved its bytes.
        let shown = if body.len() == input.len() { input } else { body };
        units.push(Unit::from_input(name, shown, entry, open.len()));
        let mut globals = String::new();
        for (var, ty) in vars.iter().chain(result.iter()) {
            let t = type_text(ty);
            globals.push_str(&format!("变量 {var}: {t} = {PLACEHOLDER}::<{t}>();\n"));
        }
        globals.push_str(&format!("函数 {PLACEHOLDER}<T>(): T {{ 抛出 \"{PLACEHOLDER}\"; }}\n"));
        globals.push_str(extra);
        globals.push_str(&imports(&[]));
        units.push(Unit::generated(GLOBALS_FILE, globals));
        for (d, kept) in self.decls.iter().zip(kept) {
            let replaced: Vec<TextRange> =
                d.functions.iter().zip(kept).filter(|(_, k)| !**k).map(|((_, r), _)| *r).collect();
            let text = format!("{}{}", blank(&d.text, &replaced), imports(&d.imports));
            units.push(Unit::from_input(&d.name, &d.input, text, 0));
        }
        let own = blank(input, &[&parts.stmts[..], &parts.ignored[..]].concat());
        let text = format!("{own}{}", imports(&own_imports));
        units.push(Unit::from_input(name, input, text, 0));
        Program { units }
    }

    /// For each earlier input, which of its functions stay (those the input does not
    /// declare again).
    fn kept_functions(&self, parts: &Parts) -> Vec<Vec<bool>> {
        self.decls
            .iter()
            .map(|d| {
                d.functions
                    .iter()
                    .map(|(key, _)| !parts.functions.iter().any(|(k, _)| k == key))
                    .collect()
            })
            .collect()
    }

    /// An error if the input uses a variable it declares again with another type before
    /// that declaration: the checks of the input see the old variable there, the program
    /// that runs it the new one.
    fn read_before_retyped(
        &self,
        input: &str,
        parts: &Parts,
        new_vars: &[(String, Type)],
    ) -> Option<qi_syntax::Diagnostic> {
        let (tokens, _) = qi_syntax::lexer::lex(input);
        for (var, ty) in new_vars {
            if !self.vars.iter().any(|v| v.name == *var && !same_type(&v.ty, ty)) {
                continue;
            }
            let decl = parts.lets.iter().find(|l| l.name == *var).expect("declared");
            let name_end = decl.init.unwrap_or(decl.range.end());
            let used = tokens.iter().find(|t| {
                t.kind == qi_syntax::SyntaxKind::IDENT
                    && t.text(input) == var
                    && (t.range.end() <= decl.range.start()
                        || (decl.init.is_some()
                            && t.range.start() >= name_end
                            && t.range.end() <= decl.range.end()))
            });
            if let Some(used) = used {
                return Some(qi_syntax::Diagnostic::error(
                    used.range,
                    texts::read_before_retyped(var),
                ));
            }
        }
        None
    }

    /// After an input ran: keep its declarations, and forget the functions it replaced.
    fn keep_decls(&mut self, name: String, input: &str, parts: &Parts, kept: Vec<Vec<bool>>) {
        for (d, kept) in self.decls.iter_mut().zip(kept) {
            let replaced: Vec<TextRange> =
                d.functions.iter().zip(&kept).filter(|(_, k)| !**k).map(|((_, r), _)| *r).collect();
            d.text = blank(&d.text, &replaced);
            let mut i = 0;
            d.functions.retain(|_| {
                i += 1;
                kept[i - 1]
            });
        }
        if parts.decls.is_empty() {
            return;
        }
        self.decls.push(Decls {
            name,
            input: input.to_string(),
            text: blank(input, &[&parts.stmts[..], &parts.ignored[..]].concat()),
            functions: parts.functions.clone(),
            imports: parts.imports.iter().map(|r| input[*r].to_string()).collect(),
        });
    }
}

/// The first value of a new variable whose type has no zero value: an immortal object, so
/// that the release of the old value when the declaration assigns it does nothing. (Such a
/// global that is null counts as not initialised, and the assignment reads it for that
/// release.) Nothing else reads it: the variable is new, so the input cannot use it before
/// its declaration (`read_before_retyped`).
fn unset_object() -> u64 {
    static UNSET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *UNSET.get_or_init(|| qi_rt::new_immortal_str("") as u64)
}

/// `input` with a `;` after its last statement when it lacks one (and then parses): a
/// session's line need not end with one.
fn with_final_semicolon(input: &str) -> Option<String> {
    if qi_syntax::parse(input).errors.is_empty() {
        return None;
    }
    let end = input.trim_end().len();
    let completed = format!("{};{}", &input[..end], &input[end..]);
    qi_syntax::parse(&completed).errors.is_empty().then_some(completed)
}

/// Run `module` (whose main function is the session's `入口`) in the default tier with
/// the global slots holding `words`; the outcome and the slots' words at the end.
fn run_module(module: &Module, words: &[u64]) -> Option<(qi_rt::sched::Outcome, Vec<u64>)> {
    qi_rt::exception::set_file_names(module.files.clone());
    let tier = qi_jit::Tier::Mixed(qi_jit::Policy::auto());
    match qi_jit::prepare(module.clone(), tier, &qi_jit::Options::default()) {
        Ok(qi_jit::Runnable::Interpreted(program)) => {
            Some(program.run_with_globals(qi_rt::sched::workers_from_env(), words))
        }
        Ok(qi_jit::Runnable::Compiled(_)) => {
            internal("the session's tier compiled the program");
            None
        }
        Err(e) => {
            internal(&e.to_string());
            None
        }
    }
}

fn internal(message: &str) {
    qi_rt::output::write_stderr_line(&format!("qi: internal error: {message}"));
}

/// The type of the local `name` of the session's `入口` (a probe).
fn local_type(module: &Module, name: &str) -> Option<Type> {
    let entry = module.functions.iter().find(|f| f.name == "入口")?;
    entry.locals.iter().rev().find(|l| l.name.as_deref() == Some(name)).map(|l| l.ty.clone())
}

/// Do two types, maybe of different programs, name the same type?
fn same_type(a: &Type, b: &Type) -> bool {
    a.zh() == b.zh()
}

/// A type as Qi source: `>>` would lex as a shift, so nested closings get a space.
fn type_text(ty: &Type) -> String {
    let mut text = ty.zh();
    while text.contains(">>") {
        text = text.replace(">>", "> >");
    }
    text
}

/// Why a value of `ty` cannot outlive the program that made it, if it cannot: a function
/// value points into that program's code, and channels and futures belong to its green
/// threads. Struct fields and enum payloads count (`seen`: the types looked into).
fn not_carried(ty: &Type, module: &Module, seen: &mut Vec<Type>) -> Option<texts::NotCarried> {
    if seen.contains(ty) {
        return None;
    }
    seen.push(ty.clone());
    match ty {
        // A generator runs a closure of the program that made it.
        Type::Fn(_) | Type::Gen(_) => Some(texts::NotCarried::Function),
        Type::Chan(_) | Type::Future(_) | Type::Exception => Some(texts::NotCarried::Thread),
        Type::Array(elem) => not_carried(elem, module, seen),
        Type::Struct(s) => {
            let fields = &module.structs[s.id.index()].fields;
            fields.iter().find_map(|(_, t)| not_carried(t, module, seen))
        }
        Type::Enum { e, .. } => {
            let variants = &module.enums[e.id.index()].variants;
            variants.iter().flat_map(|v| &v.payload).find_map(|t| not_carried(t, module, seen))
        }
        _ => None,
    }
}

/// Release the session's reference to `word`, a value of `ty`.
fn release(word: u64, ty: &Type) {
    if ty.is_rc() && word != 0 {
        // SAFETY: the session owns one reference to each object value it holds.
        unsafe { qi_rt::object::qi_release(word as *mut qi_rt::object::Header) };
    }
}
