//! Name resolution, type checking and lowering to IR, in one pass over the AST.
//!
//! The checker is type-directed lowering: every expression is checked and lowered at
//! once, so the IR can only contain what the type rules accepted. All errors of a file
//! are reported (lowering continues past an error with the failing expression dropped);
//! when there is any error no module is produced.
//!
//! Passes: (1) collect function signatures, so calls need no declaration order;
//! (2) check global initialisers in file order, which fixes the globals' types;
//! (3) check and lower every function body; (4) synthesise `main`.

mod append;
mod arrays;
mod body;
mod calls;
mod channels;
mod closures;
mod enums;
mod exceptions;
mod expr;
mod foreign;
mod futures;
mod generators;
mod generics;
mod imports;
mod library;
mod lines;
mod matching;
mod ops;
mod pointers;
mod recorder;
mod reflect;
mod select;
mod spawn;
mod structs;
mod sync;
mod types;

use crate::builder::FnBuilder;
use crate::ir::*;
use lines::LineIndex;
use qi_syntax::ast::{self, AstNode};
use qi_syntax::{Diagnostic, Severity, Text};
use rowan::TextRange;
use std::collections::HashMap;

/// The result of checking a file: the IR (if there were no errors) and every diagnostic
/// (errors and warnings).
pub struct CheckOutput {
    pub module: Option<Module>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A declared function, as callers see it.
struct FnSig {
    name: String,
    params: Vec<ParamSig>,
    ret: Type,
    decl: ast::FnDecl,
    /// Type parameters bound while the body is lowered (generic instances only).
    subst: Vec<(String, Type)>,
    /// The file that declares it.
    file: u32,
    /// The last parameter is variadic (`名...: T`, an array of `T` in the body).
    variadic: bool,
}

struct ParamSig {
    name: String,
    ty: Type,
    default: Option<ast::Expr>,
}

#[derive(Clone)]
struct GlobalVar {
    id: GlobalId,
    ty: Type,
    is_const: bool,
    poisoned: bool,
}

pub(crate) struct Checker<'a> {
    /// Line tables of the program's files, by file id.
    lines: Vec<LineIndex<'a>>,
    /// The file whose code is being checked now (diagnostics and locations refer to it).
    file: u32,
    /// Per file: its package (`包 名;`, or the file name without extension).
    packages: Vec<String>,
    /// Per file: names usable as qualifiers (`包名.f`, `别名.f`) → package.
    qualifiers: Vec<HashMap<String, String>>,
    /// Per file: standard-library modules by the alias `导入 标准库.X 作为 别名;` gave them.
    std_aliases: Vec<HashMap<String, &'static crate::library::Module>>,
    /// Per file: names imported selectively (`导入 路径::{名}`) → package.
    selected: Vec<HashMap<String, String>>,
    diagnostics: Vec<Diagnostic>,
    /// The errors in `diagnostics`, to report each once (in constant time per error).
    reported: std::collections::HashSet<Diagnostic>,
    strings: Vec<String>,
    string_ids: HashMap<String, StrId>,
    sigs: Vec<FnSig>,
    fns_by_name: HashMap<String, Vec<FuncId>>,
    globals: Vec<Global>,
    /// Globals visible so far (a global initialiser sees only the globals above it).
    global_scope: HashMap<String, GlobalVar>,
    structs: Vec<structs::StructInfo>,
    struct_by_name: HashMap<String, StructId>,
    enums: Vec<enums::EnumInfo>,
    enum_by_name: HashMap<String, EnumId>,
    layouts: Vec<Layout>,
    /// Methods by receiver struct and name.
    methods: HashMap<(StructId, String), FuncId>,
    /// Signatures of generic instances (their ids come after `main`).
    instance_sigs: HashMap<FuncId, FnSig>,
    /// Instances whose bodies still have to be lowered.
    pending_instances: Vec<FuncId>,
    /// Type parameter bindings in force (while lowering a generic instance).
    type_subst: Vec<(String, Type)>,
    generics: generics::Generics,
    /// Functions whose declaration was rejected: calls to them are not reported again.
    rejected_fns: std::collections::HashSet<String>,
    /// Functions created while lowering: closure bodies and function-value trampolines.
    lifted: closures::Lifted,
    /// The `外部` blocks' libraries and C functions.
    foreign: Foreign,
    foreign_by_name: HashMap<String, ForeignId>,
    /// The tables for editors, when asked for (`check_program_indexed`; recorder.rs).
    index: Option<crate::index::Index>,
    /// Does the program call a `反射` function? Only then is `Module::reflection` made
    /// (every signature as text: about 2 % of checking a program of 400 functions).
    uses_reflection: bool,
}

impl<'a> Checker<'a> {
    fn error(&mut self, range: TextRange, zh: impl Into<String>, en: impl Into<String>) {
        let d = Diagnostic::error(range, Text::new(zh, en)).in_file(self.file);
        // A generic body checked once per instance reports the same error each time.
        if self.reported.insert(d.clone()) {
            self.diagnostics.push(d);
        }
    }

    fn warning(&mut self, range: TextRange, zh: impl Into<String>, en: impl Into<String>) {
        let mut d = Diagnostic::error(range, Text::new(zh, en)).in_file(self.file);
        d.severity = Severity::Warning;
        self.diagnostics.push(d);
    }

    /// Report a construct that parses but that this version cannot run yet.
    fn unsupported(&mut self, range: TextRange, what_zh: &str, what_en: &str) {
        self.error(range, format!("暂不支持：{what_zh}"), format!("not supported yet: {what_en}"));
    }

    fn intern(&mut self, s: &str) -> StrId {
        if let Some(id) = self.string_ids.get(s) {
            return *id;
        }
        let id = StrId(self.strings.len() as u32);
        self.strings.push(s.to_string());
        self.string_ids.insert(s.to_string(), id);
        id
    }

    /// The signature of a declared function or a generic instance.
    fn sig(&self, id: FuncId) -> &FnSig {
        self.sigs.get(id.index()).unwrap_or_else(|| &self.instance_sigs[&id])
    }

    fn loc(&self, range: TextRange) -> Loc {
        Loc { file: self.file, line: self.lines[self.file as usize].line(range.start()) }
    }

    /// 1-based column, in characters, where `range` starts (as diagnostics count it).
    fn column(&self, range: TextRange) -> u32 {
        self.lines[self.file as usize].column(range.start())
    }
}

/// One source file of a program.
pub struct SourceUnit<'a> {
    /// As shown to users (`file:line:column`).
    pub name: &'a str,
    pub text: &'a str,
    pub tree: ast::SourceFile,
    /// Where each of its imports of user code leads: (range of the `导入` declaration,
    /// index of the imported unit). Filled by the driver, which loads the files.
    pub imports: Vec<(TextRange, u32)>,
}

/// Check a one-file program (the text `text`, shown to users as `file_name`).
pub fn check(file: &ast::SourceFile, text: &str, file_name: &str) -> CheckOutput {
    check_program(&[SourceUnit { name: file_name, text, tree: file.clone(), imports: Vec::new() }])
}

/// Check a program: `units[0]` is the entry file, the others the files it imports
/// (directly or not). Only the entry file's `入口` runs.
pub fn check_program(units: &[SourceUnit]) -> CheckOutput {
    check_units(units, None).0
}

/// Check a program as `check_program` does, and keep what the checker learnt: types,
/// resolved names, locals and struct members (for `qi lsp`).
pub fn check_program_indexed(units: &[SourceUnit]) -> (CheckOutput, crate::index::Index) {
    let (output, index) = check_units(units, Some(crate::index::Index::default()));
    (output, index.unwrap_or_default())
}

fn check_units(
    units: &[SourceUnit],
    index: Option<crate::index::Index>,
) -> (CheckOutput, Option<crate::index::Index>) {
    let mut c = Checker {
        lines: units.iter().map(|u| LineIndex::new(u.text)).collect(),
        file: 0,
        packages: units.iter().map(package_of).collect(),
        qualifiers: vec![HashMap::new(); units.len()],
        std_aliases: vec![HashMap::new(); units.len()],
        selected: vec![HashMap::new(); units.len()],
        diagnostics: Vec::new(),
        reported: Default::default(),
        strings: Vec::new(),
        string_ids: HashMap::new(),
        sigs: Vec::new(),
        fns_by_name: HashMap::new(),
        globals: Vec::new(),
        global_scope: HashMap::new(),
        structs: Vec::new(),
        struct_by_name: HashMap::new(),
        enums: Vec::new(),
        enum_by_name: HashMap::new(),
        layouts: Vec::new(),
        methods: HashMap::new(),
        lifted: closures::Lifted::default(),
        rejected_fns: Default::default(),
        instance_sigs: HashMap::new(),
        pending_instances: Vec::new(),
        type_subst: Vec::new(),
        generics: Default::default(),
        foreign: Foreign::default(),
        foreign_by_name: HashMap::new(),
        index,
        uses_reflection: false,
    };
    c.collect_items(units);
    let main_id = FuncId(c.sigs.len() as u32);
    // Lifted functions are numbered after `main`, in the order they are finished.
    c.lifted.first_id = main_id.0 + 1;
    let mut main = FnBuilder::new("<全局初始化>".into(), vec![], Type::Void, Loc::default());
    // An exception escaping a global initialiser or `入口` leaves `main`.
    let main_unwind = main.new_block();
    main.push_handler(main_unwind);
    // Globals: the entry file first, then the imported files sorted by path (language.md §1).
    let mut order: Vec<usize> = (1..units.len()).collect();
    order.sort_by_key(|&i| units[i].name);
    for i in std::iter::once(0).chain(order) {
        c.file = i as u32;
        for g in units[i].tree.globals() {
            body::lower_global(&mut c, &mut main, main_id, &g);
        }
    }
    let mut functions: Vec<Function> = Vec::with_capacity(c.sigs.len() + 1);
    for id in 0..c.sigs.len() {
        let f = body::lower_function(&mut c, FuncId(id as u32));
        functions.push(f);
    }
    // Generic instances requested so far (and any they request in turn).
    while let Some(id) = c.pending_instances.pop() {
        let f = body::lower_function(&mut c, id);
        c.fill_function(id, f);
    }
    c.file = 0;
    c.prefill_globals(&mut main);
    let entry = c.finish_main(&units[0].tree, &mut main);
    functions.push(main.finish());
    let extra = std::mem::take(&mut c.lifted.functions);
    let complete = extra.iter().all(Option::is_some);
    functions.extend(extra.into_iter().flatten());
    if !complete {
        c.error(
            TextRange::empty(0.into()),
            "内部错误：有函数未生成",
            "internal error: a function was not generated",
        );
    }
    let diagnostics = std::mem::take(&mut c.diagnostics);
    c.record_members();
    let index = c.index.take();
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let module = (!has_errors && entry).then(move || {
        let structs = c.struct_defs();
        let enums = c.enum_defs();
        let (cyclic, frozen) = crate::cycles::analyze(&structs, &enums, &c.layouts, &functions);
        Module {
            reflection: if c.uses_reflection { c.reflection() } else { Reflection::default() },
            structs,
            enums,
            cyclic,
            frozen,
            functions,
            globals: c.globals,
            strings: c.strings,
            main: main_id,
            files: units.iter().map(|u| u.name.to_string()).collect(),
            layouts: c.layouts,
            foreign: c.foreign,
        }
    });
    (CheckOutput { module, diagnostics }, index)
}

/// A free function named `入口` (a method of that name is an ordinary method).
fn is_entry_point(f: &ast::FnDecl) -> bool {
    f.receiver().is_none() && f.name().is_some_and(|n| n.text() == "入口")
}

/// The package a file belongs to: its `包` line, else its file name without extension.
fn package_of(u: &SourceUnit) -> String {
    if let Some(p) = u.tree.package().and_then(|p| p.path()) {
        return p.text();
    }
    let base = u.name.rsplit(['/', '\\']).next().unwrap_or(u.name);
    base.strip_suffix(".qi").unwrap_or(base).to_string()
}

impl<'a> Checker<'a> {
    /// Pass 1: imports, type names, field and variant types, then function signatures;
    /// everything else at top level is either a global (pass 2), ignored (`包`), or not
    /// supported yet.
    fn collect_items(&mut self, units: &[SourceUnit]) {
        for (i, u) in units.iter().enumerate() {
            self.file = i as u32;
            for imp in u.tree.imports() {
                self.declare_import(&imp, units);
            }
        }
        // Type names first: signatures and fields may mention any of them.
        for (i, u) in units.iter().enumerate() {
            self.file = i as u32;
            for item in u.tree.items() {
                match item {
                    ast::Item::Struct(s) => self.declare_struct(s),
                    ast::Item::Enum(e) => self.declare_enum(e),
                    ast::Item::Trait(t) => self.declare_trait(t),
                    _ => {}
                }
            }
        }
        for id in 0..self.structs.len() {
            self.file = self.structs[id].file;
            self.define_struct_fields(StructId(id as u32));
        }
        for id in 0..self.enums.len() {
            self.file = self.enums[id].file;
            self.define_enum_variants(EnumId(id as u32));
        }
        for (i, u) in units.iter().enumerate() {
            self.file = i as u32;
            for stmt in u.tree.stmts() {
                match stmt {
                    // Only the entry file's `入口` is the entry point; the others (a file's
                    // own `入口` for running it alone) are ignored (language.md §1).
                    ast::Stmt::Item(ast::Item::Fn(f)) if i != 0 && is_entry_point(&f) => {}
                    ast::Stmt::Item(ast::Item::Fn(f)) => self.declare_function(f, None),
                    ast::Stmt::Item(ast::Item::Impl(i)) => self.declare_impl(i),
                    ast::Stmt::Item(
                        ast::Item::Package(_)
                        | ast::Item::Import(_)
                        | ast::Item::Struct(_)
                        | ast::Item::Enum(_)
                        | ast::Item::Trait(_)
                        | ast::Item::Extern(_),
                    )
                    | ast::Stmt::Let(_) => {}
                    ast::Stmt::Item(item) => {
                        let (zh, en) = match item {
                            ast::Item::Export(_) => ("导出", "exports"),
                            _ => unreachable!(),
                        };
                        self.unsupported(item.syntax().text_range(), zh, en);
                    }
                    other => {
                        self.warning(
                            other.syntax().text_range(),
                            "顶层语句不会执行：请把它写进 `入口` 或其他函数",
                            "top-level statement is never executed: move it into `入口` or another function",
                        );
                    }
                }
            }
        }
        // After every Qi function: a C name clashing with one is found whatever the order.
        for (i, u) in units.iter().enumerate() {
            self.file = i as u32;
            for item in u.tree.items() {
                if let ast::Item::Extern(block) = item {
                    self.declare_foreign_block(&block);
                }
            }
        }
        for (i, u) in units.iter().enumerate() {
            self.file = i as u32;
            for imp in u.tree.imports() {
                self.check_selected_imports(&imp);
            }
        }
    }

    /// `实现 类型 { 函数 … }`: methods whose receiver is called `自己`.
    fn declare_impl(&mut self, i: ast::ImplDecl) {
        let Some(self_ty) = i.self_ty() else { return };
        let Some(ty) = self.resolve_type(&self_ty) else { return };
        let Type::Struct(s) = ty else {
            self.error(
                self_ty.syntax().text_range(),
                "只能为结构体实现方法",
                "methods can only be implemented for structs",
            );
            return;
        };
        if let Some(trait_ty) = i.trait_ty() {
            self.declare_trait_impl(&i, &trait_ty, s.id);
            return;
        }
        for m in i.methods() {
            self.declare_function(m, Some((s.id, "自己".to_string())));
        }
    }

    /// A function, or a method when `receiver` (struct, receiver name) is given by an
    /// `实现` block; Go-style receivers `函数 (自身 类型) 名(…)` are read from the declaration.
    fn declare_function(&mut self, f: ast::FnDecl, receiver: Option<(StructId, String)>) {
        let Some(name_node) = f.name() else { return };
        let name = name_node.text();
        let range = name_node.syntax().text_range();
        let receiver = match (receiver, f.receiver()) {
            (Some(r), _) => Some(r),
            (None, Some(r)) => {
                let rname = r.name().map(|n| n.text()).unwrap_or_else(|| "自身".into());
                match r.ty().and_then(|t| self.resolve_type(&t)) {
                    Some(Type::Struct(s)) => Some((s.id, rname)),
                    Some(_) => {
                        self.error(
                            r.syntax().text_range(),
                            "方法的接收者必须是结构体",
                            "a method receiver must be a struct",
                        );
                        return;
                    }
                    None => return,
                }
            }
            (None, None) => None,
        };
        if f.is_generator() && f.generic_param_list().is_some() {
            self.unsupported(range, "泛型协程函数", "generic 协程 functions");
            self.rejected_fns.insert(name);
            return;
        }
        if receiver.is_none() && self.declare_if_generic(&f, &name) {
            return;
        }
        if f.generic_param_list().is_some() {
            self.unsupported(range, "泛型方法", "generic methods");
            return;
        }
        if matches!(name.as_str(), "有" | "无" | "成" | "败") {
            self.error(
                range,
                format!("「{name}」是奇语内建构造子（选项/结果），不能用作函数名"),
                format!(
                    "`{name}` is a built-in constructor (选项/结果) and cannot name a function"
                ),
            );
            return;
        }
        let mut params = Vec::new();
        if let Some((sid, rname)) = &receiver {
            params.push(ParamSig {
                name: rname.clone(),
                ty: self.struct_type(*sid),
                default: None,
            });
        }
        let mut ok = true;
        let mut variadic = false;
        let n_params = f.params().count();
        for (i, p) in f.params().enumerate() {
            let pname = p.name().map(|n| n.text()).unwrap_or_default();
            if p.is_variadic() {
                // `名...: T` collects the surplus arguments into a 数组<T> (language.md §5.4).
                if i + 1 != n_params || p.default().is_some() {
                    self.error(
                        p.syntax().text_range(),
                        "变参必须是最后一个形参，且不能有默认值",
                        "a variadic parameter must be the last one and cannot have a default",
                    );
                    ok = false;
                    continue;
                }
                let elem = match p.ty().map(|t| self.resolve_type(&t)) {
                    Some(Some(t)) if t != Type::Void => t,
                    Some(None) => {
                        ok = false;
                        continue;
                    }
                    _ => Type::Int,
                };
                variadic = true;
                params.push(ParamSig {
                    name: pname,
                    ty: Type::Array(Box::new(elem)),
                    default: None,
                });
                continue;
            }
            let Some(ty) = self.param_type(&p) else {
                ok = false;
                continue;
            };
            // Defaults fill missing *trailing* arguments, so no required parameter may
            // follow one with a default.
            if p.default().is_none() && params.iter().any(|q: &ParamSig| q.default.is_some()) {
                self.error(
                    p.syntax().text_range(),
                    format!("形参 {pname} 必须有默认值：它前面的形参有默认值"),
                    format!("parameter {pname} needs a default value because an earlier parameter has one"),
                );
                ok = false;
                continue;
            }
            params.push(ParamSig { name: pname, ty, default: p.default() });
        }
        let ret = match f.ret_type().map(|t| self.resolve_type(&t)) {
            None => Type::Void,
            Some(Some(t)) => t,
            Some(None) => {
                self.rejected_fns.insert(name);
                return;
            }
        };
        if !ok {
            self.rejected_fns.insert(name);
            return;
        }
        // Calling a `协程 函数` declared `: T` makes a `协程<T>` (generators.rs).
        let ret = match self.generator_result(&f, ret) {
            Some(ret) => ret,
            None => {
                self.rejected_fns.insert(name);
                return;
            }
        };
        if let Some((sid, _)) = receiver {
            if self.methods.contains_key(&(sid, name.clone())) {
                let sname = self.structs[sid.index()].name.clone();
                self.error(
                    range,
                    format!("结构体 {sname} 的方法 {name} 重复定义"),
                    format!("method {name} of struct {sname} is defined twice"),
                );
                return;
            }
            let id = FuncId(self.sigs.len() as u32);
            let full = format!("{}.{name}", self.structs[sid.index()].name);
            self.sigs.push(FnSig {
                name: full,
                params,
                ret,
                decl: f,
                subst: Vec::new(),
                file: self.file,
                variadic,
            });
            self.methods.insert((sid, name), id);
            return;
        }
        // Overloads must differ in arity (language.md §5.4).
        let existing = self.fns_by_name.get(&name).cloned().unwrap_or_default();
        let has_defaults = params.iter().any(|p| p.default.is_some()) || variadic;
        let own_package = self.packages[self.file as usize].clone();
        for other in existing.iter().filter(|id| self.package_of_fn(**id) == own_package) {
            let o = &self.sigs[other.index()];
            let o_defaults = o.params.iter().any(|p| p.default.is_some()) || o.variadic;
            if o.params.len() == params.len() {
                self.error(
                    range,
                    format!("函数「{name}」重复定义：已有一个接收 {} 个参数的版本", params.len()),
                    format!("function `{name}` is defined twice with {} parameters", params.len()),
                );
                return;
            }
            if has_defaults || o_defaults {
                self.error(
                    range,
                    format!("重载函数「{name}」不支持默认参数或变参"),
                    format!(
                        "overloaded function `{name}` cannot have default or variadic parameters"
                    ),
                );
                return;
            }
            if o.ret != ret {
                self.error(
                    range,
                    format!(
                        "重载函数「{name}」各定义的返回类型必须一致（现有 {}，新增 {}）",
                        o.ret, ret
                    ),
                    format!(
                        "overloads of `{name}` must have the same return type ({} vs {})",
                        o.ret, ret
                    ),
                );
                return;
            }
        }
        let id = FuncId(self.sigs.len() as u32);
        self.sigs.push(FnSig {
            name: name.clone(),
            params,
            ret,
            decl: f,
            subst: Vec::new(),
            file: self.file,
            variadic,
        });
        self.fns_by_name.entry(name).or_default().push(id);
    }

    /// Before any initialiser runs, every global holds its type's zero value (an
    /// initialiser may call a function that reads a later global, README item 10).
    /// Globals of types without a zero value stay null; reading one before its
    /// initialiser ran is a runtime error (the engine checks those reads).
    fn prefill_globals(&mut self, main: &mut FnBuilder) {
        let mut prefill = Vec::new();
        for (i, g) in self.globals.clone().iter().enumerate() {
            let Type::Array(elem) = &g.ty else { continue };
            let t = main.new_local(g.ty.clone(), None);
            let value = Value::NewArray {
                elem: (**elem).clone(),
                len: Operand::Int(0),
                loc: Loc::default(),
            };
            prefill.push(Inst::Assign { dst: t, value });
            prefill.push(Inst::SetGlobal { global: GlobalId(i as u32), value: Operand::Local(t) });
        }
        main.func.blocks[0].insts.splice(0..0, prefill);
    }

    /// Call `入口` (with zero values for any parameters it declares), then release the
    /// globals so that a finished program holds no objects. Returns false if there is no
    /// `入口`.
    fn finish_main(&mut self, file: &ast::SourceFile, main: &mut FnBuilder) -> bool {
        // Only the entry file's `入口` runs (language.md §1).
        let entry = self
            .fns_by_name
            .get("入口")
            .and_then(|ids| ids.iter().copied().find(|id| self.sig(*id).file == 0));
        let Some(entry) = entry else {
            let at = file.syntax().text_range();
            let start = TextRange::empty(at.start());
            self.error(start, "未找到 入口() 函数", "no `入口()` function found");
            return false;
        };
        let sig = self.sig(entry);
        let param_tys: Vec<Type> = sig.params.iter().map(|p| p.ty.clone()).collect();
        let loc = self.loc(sig.decl.syntax().text_range());
        let ret = sig.ret.clone();
        let mut args = Vec::new();
        let mut arrays = Vec::new();
        for ty in &param_tys {
            let t = main.new_local(ty.clone(), None);
            let zero = types::zero_value(self, ty).unwrap_or(Value::Use(Operand::Null));
            main.assign(t, zero);
            if ty.is_rc() {
                arrays.push(t);
            }
            args.push(Operand::Local(t));
        }
        let call = Value::Call { func: entry, args, loc };
        // `入口` is the outermost frame of a stack trace; `main` adds none.
        main.set_trace_name(None);
        if ret.is_rc() {
            let t = main.new_local(ret, None);
            main.assign(t, call);
            main.push(Inst::Release(t));
        } else {
            main.push(Inst::Effect(call));
        }
        for t in arrays {
            main.push(Inst::Release(t));
        }
        for (i, g) in self.globals.iter().enumerate() {
            if g.ty.is_rc() {
                let t = main.new_local(g.ty.clone(), None);
                main.assign(t, Value::Global(GlobalId(i as u32)));
                main.push(Inst::Release(t));
            }
        }
        main.terminate(Terminator::Return(None));
        if let Some(u) = main.base_handler() {
            main.switch_to(u);
            main.terminate(Terminator::Unwind);
        }
        true
    }
}
