//! qi-jit: the execution engine. Runs a checked IR module, either compiled to native code
//! with Cranelift or interpreted (`interp`); `engine` chooses by the tier mode.
//!
//! Calling convention: every Qi function is a native (System V) function whose parameters
//! and result are the machine types of `runtime_calls::clif_type`; objects are passed as
//! pointers, borrowed by the callee, and returned owned.

mod engine;
mod foreign;
mod glue;
mod green;
mod interp;
mod runtime_calls;
pub mod stats;
mod stubs;
mod tiers;
mod translate;

use cranelift_codegen::ir::{self as clif, InstBuilder, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module as _};
use runtime_calls::{clif_type, RtFn};
use std::collections::HashMap;
use std::fmt;

pub use engine::{prepare, EngineError, Runnable, Tier};
pub use tiers::Policy;

/// A compilation failure inside the engine. This indicates a bug in qi (the checker should
/// have rejected the program), so it is reported as an internal error.
#[derive(Debug)]
pub struct JitError(pub String);

impl fmt::Display for JitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JIT: {}", self.0)
    }
}

impl std::error::Error for JitError {}

/// Engine options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run Cranelift's IR verifier (slow; on in debug builds and tests).
    pub verify: bool,
    /// Print each function's machine code to stderr (`qi run --emit=asm`).
    pub disasm: bool,
    /// Run the optimised IR (`qi_ir::opt`); off, the IR as lowered (`qi run --no-opt`,
    /// to test the optimisations against).
    pub optimize: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { verify: cfg!(debug_assertions), disasm: false, optimize: true }
    }
}

/// A compiled program: native code for every function, ready to run.
pub struct Program {
    module: JITModule,
    /// Entry stubs green threads start through (see `stubs`).
    entry: qi_rt::sched::Entry,
    /// `[start, end)` of every compiled Qi function: where a green thread can be
    /// interrupted for preemption (not the entry stubs, which run before the pinned
    /// register holds the stack limit).
    code: Vec<(usize, usize)>,
    /// Backing store for the globals; generated code holds its slot addresses.
    _globals: Box<[u64]>,
    /// Record descriptors; generated code holds their addresses (boxed: an address must
    /// not move when the vector grows).
    #[allow(clippy::vec_box)]
    _descs: Vec<Box<qi_rt::record::RecordDesc>>,
    /// What `反射` shows of the program, registered with the runtime when it runs.
    reflection: qi_rt::library::reflect::ProgramInfo,
}

impl Program {
    /// Run the program's `main` (global initialisers, then `入口`) as the first green
    /// thread, on `QI_WORKERS` (default: one per core) worker threads, until it ends.
    pub fn run(self) -> qi_rt::sched::Outcome {
        self.run_on(qi_rt::sched::workers_from_env())
    }

    /// Like `run`, on `workers` worker threads. The program's code, globals and record
    /// descriptors are never freed: green threads abandoned when `入口` returns may still
    /// be running on the workers until the process ends.
    pub fn run_on(self, workers: qi_rt::sched::Workers) -> qi_rt::sched::Outcome {
        qi_rt::library::reflect::register(self.reflection.clone());
        let program: &'static Program = Box::leak(Box::new(self));
        qi_rt::sched::interrupt::register_code(&program.code);
        // Kept reachable from a static, so memory checkers see it as in use, not lost.
        RUN_PROGRAMS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(program as *const Program as usize);
        qi_rt::sched::run_program(program.entry, workers)
    }

    /// Release the machine code of a program that was not run. Dropping a `JITModule`
    /// alone does not free it.
    pub fn free(self) {
        // SAFETY: nothing was run, so no function pointer into this module is in use.
        unsafe { self.module.free_memory() }
    }
}

/// Addresses of the programs that ran (they are never freed).
static RUN_PROGRAMS: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

pub(crate) fn isa(opts: &Options) -> Result<OwnedTargetIsa, JitError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v).map_err(|e| JitError(format!("setting {k}={v}: {e}")))
    };
    set(&mut flags, "opt_level", "speed")?;
    set(&mut flags, "enable_verifier", if opts.verify { "true" } else { "false" })?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // The outline probestack symbol cannot be resolved inside a JIT module.
    set(&mut flags, "probestack_strategy", "inline")?;
    // r15 holds the current stack's limit (see `translate::Translator::stack_check`).
    set(&mut flags, "enable_pinned_reg", "true")?;
    let builder = cranelift_native::builder().map_err(|e| JitError(e.to_string()))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| JitError(e.to_string()))
}

struct ModuleLinker<'m> {
    jit: &'m mut JITModule,
    qi_funcs: &'m [FuncId],
    rt_funcs: HashMap<&'static str, FuncId>,
    strings: Vec<Option<i64>>,
    /// Runtime descriptors of the record layouts (addresses), built on first use.
    descs: Vec<Option<i64>>,
    /// The descriptors themselves; the program keeps them alive (boxed: stable addresses).
    #[allow(clippy::vec_box)]
    owned_descs: Vec<Box<qi_rt::record::RecordDesc>>,
    module: &'m qi_ir::Module,
    globals: *mut u64,
    call_conv: CallConv,
    /// Addresses of the `外部` functions, by `ForeignId`.
    foreign: Vec<usize>,
    /// Callback trampolines declared so far: (Qi function, C signature) → the
    /// trampoline, defined after the Qi functions.
    callbacks: Vec<(qi_ir::FuncId, qi_ir::CallbackSig, FuncId)>,
}

impl translate::Linker for ModuleLinker<'_> {
    fn qi_func(&mut self, b: &mut FunctionBuilder, f: qi_ir::FuncId) -> clif::FuncRef {
        self.jit.declare_func_in_func(self.qi_funcs[f.index()], b.func)
    }

    fn rt_func(&mut self, b: &mut FunctionBuilder, f: RtFn) -> clif::FuncRef {
        runtime_func_ref(self.jit, &mut self.rt_funcs, self.call_conv, b, f)
    }

    fn str_literal(&mut self, s: qi_ir::StrId) -> i64 {
        *self.strings[s.index()]
            .get_or_insert_with(|| qi_rt::new_immortal_str(&self.module.strings[s.index()]) as i64)
    }

    fn record_desc(&mut self, l: qi_ir::LayoutId) -> i64 {
        let module = self.module;
        let owned = &mut self.owned_descs;
        *self.descs[l.index()].get_or_insert_with(|| {
            let desc = record_desc(module, l);
            let addr = &*desc as *const qi_rt::record::RecordDesc as i64;
            owned.push(desc);
            addr
        })
    }

    fn global_name(&mut self, g: qi_ir::GlobalId) -> i64 {
        qi_rt::new_immortal_str(&self.module.globals[g.index()].name) as i64
    }

    fn foreign_addr(&mut self, f: qi_ir::ForeignId) -> i64 {
        self.foreign[f.index()] as i64
    }

    fn callback(
        &mut self,
        b: &mut FunctionBuilder,
        f: qi_ir::FuncId,
        sig: &qi_ir::CallbackSig,
    ) -> clif::Value {
        let existing = self.callbacks.iter().find(|(g, s, _)| *g == f && s == sig);
        let id = match existing {
            Some((_, _, id)) => *id,
            None => {
                let n = self.callbacks.len();
                let csig = foreign::trampoline_signature(sig, self.call_conv);
                let id = self
                    .jit
                    .declare_function(&format!("qi#callback#{n}"), Linkage::Local, &csig)
                    .expect("a fresh name");
                self.callbacks.push((f, sig.clone(), id));
                id
            }
        };
        let fref = self.jit.declare_func_in_func(id, b.func);
        b.ins().func_addr(clif::types::I64, fref)
    }

    fn global_slot(&mut self, g: qi_ir::GlobalId) -> i64 {
        // SAFETY (pointer arithmetic only): `g` indexes the globals array of this module.
        self.globals.wrapping_add(g.index()) as i64
    }
}

/// A reference from `b`'s function to runtime entry point `f`, declared in `jit` on its
/// first use (`declared` remembers it; both linkers use this).
pub(crate) fn runtime_func_ref(
    jit: &mut JITModule,
    declared: &mut HashMap<&'static str, FuncId>,
    call_conv: CallConv,
    b: &mut FunctionBuilder,
    f: RtFn,
) -> clif::FuncRef {
    let id = match declared.get(f.symbol) {
        Some(id) => *id,
        None => {
            let sig = runtime_calls::signature(f, call_conv);
            let id = jit
                .declare_function(f.symbol, Linkage::Import, &sig)
                .expect("runtime symbols have one signature each");
            declared.insert(f.symbol, id);
            id
        }
    };
    jit.declare_func_in_func(id, b.func)
}

/// The runtime descriptor of a record layout (both tiers make records through it).
fn record_desc(module: &qi_ir::Module, l: qi_ir::LayoutId) -> Box<qi_rt::record::RecordDesc> {
    let layout = &module.layouts[l.index()];
    let kind = match layout.kind {
        qi_ir::LayoutKind::Struct => qi_rt::ObjKind::Struct,
        qi_ir::LayoutKind::Enum => qi_rt::ObjKind::Enum,
        qi_ir::LayoutKind::Closure => qi_rt::ObjKind::Closure,
    };
    let objects: Vec<u32> = layout
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.owns_object())
        .map(|(i, _)| i as u32)
        .collect();
    qi_rt::record::new_desc(kind, layout.slots.len() as u32, objects, module.cyclic.layout(l))
}

pub(crate) fn qi_signature(f: &qi_ir::Function, call_conv: CallConv) -> clif::Signature {
    let mut sig = clif::Signature::new(call_conv);
    for p in &f.params {
        if let Some(t) = clif_type(p) {
            sig.params.push(clif::AbiParam::new(t));
        }
    }
    if let Some(t) = clif_type(&f.ret) {
        sig.returns.push(clif::AbiParam::new(t));
    }
    // Every Qi function also returns a status: 1 when it leaves by an exception.
    sig.returns.push(clif::AbiParam::new(clif::types::I8));
    sig
}

/// A library or C function of an `外部` block that could not be found.
#[derive(Debug)]
pub struct ForeignError {
    /// Index into `module.foreign.functions` of the first function affected.
    pub id: qi_ir::ForeignId,
    pub library: String,
    pub function: String,
    /// True when the library itself could not be loaded (else the symbol is missing).
    pub library_missing: bool,
    /// What the loader said.
    pub message: String,
}

/// Load the libraries of the program's `外部` blocks and find the address of each C
/// function (each library is loaded once per process). The driver calls this before
/// compiling, to report a missing library or function at its declaration; `compile`
/// calls it again (the handles are cached).
pub fn resolve_foreign(module: &qi_ir::Module) -> Result<Vec<usize>, Vec<ForeignError>> {
    use qi_rt::ffi::loader;
    let mut addrs = Vec::with_capacity(module.foreign.functions.len());
    let mut errors: Vec<ForeignError> = Vec::new();
    for (i, f) in module.foreign.functions.iter().enumerate() {
        let lib = &module.foreign.libs[f.lib as usize].name;
        let error = |library_missing, message| ForeignError {
            id: qi_ir::ForeignId(i as u32),
            library: lib.clone(),
            function: f.name.clone(),
            library_missing,
            message,
        };
        if let Err(e) = loader::library(lib) {
            // One error per library, not per function.
            if !errors.iter().any(|x| x.library_missing && &x.library == lib) {
                errors.push(error(true, e.0));
            }
            continue;
        }
        match loader::function(lib, &f.name) {
            Ok(addr) => addrs.push(addr),
            Err(e) => errors.push(error(false, e.0)),
        }
    }
    if errors.is_empty() {
        Ok(addrs)
    } else {
        Err(errors)
    }
}

/// Compile every function of `module` to native code.
pub fn compile(module: &qi_ir::Module, opts: &Options) -> Result<Program, JitError> {
    let runnable =
        qi_ir::opt::runnable(module.clone(), opts.optimize).map_err(|e| JitError(e.to_string()))?;
    let module = &runnable;
    let isa = isa(opts)?;
    let call_conv = isa.default_call_conv();
    let frontend = isa.frontend_config();
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.symbols(qi_rt::symbols());
    let mut jit = JITModule::new(builder);
    let mut globals: Box<[u64]> = vec![0u64; module.globals.len().max(1)].into_boxed_slice();

    let mut ids = Vec::with_capacity(module.functions.len());
    for (i, f) in module.functions.iter().enumerate() {
        let sig = qi_signature(f, call_conv);
        // Qi names may repeat across scopes and files; the index keeps symbols unique.
        let id = jit
            .declare_function(&format!("{}#{i}", f.name), Linkage::Local, &sig)
            .map_err(|e| JitError(e.to_string()))?;
        ids.push(id);
    }

    let mut ctx = jit.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let mut code_sizes = Vec::with_capacity(module.functions.len());
    let publish_stores = translate::uses_green_threads(module);
    let foreign = resolve_foreign(module).map_err(|errors| {
        let e = &errors[0];
        JitError(format!("{} ({}): {}", e.function, e.library, e.message))
    })?;
    let mut linker = ModuleLinker {
        jit: &mut jit,
        qi_funcs: &ids,
        rt_funcs: HashMap::new(),
        strings: vec![None; module.strings.len()],
        descs: vec![None; module.layouts.len()],
        owned_descs: Vec::new(),
        module,
        globals: globals.as_mut_ptr(),
        call_conv,
        foreign,
        callbacks: Vec::new(),
    };
    for (i, f) in module.functions.iter().enumerate() {
        let started = std::time::Instant::now();
        ctx.func.signature = qi_signature(f, call_conv);
        ctx.func.name = UserFuncName::user(0, i as u32);
        let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        translate::Translator::new(module, f, b, &mut linker, publish_stores).translate(frontend);
        ctx.set_disasm(opts.disasm);
        linker
            .jit
            .define_function(ids[i], &mut ctx)
            .map_err(|e| JitError(format!("{}: {e:?}", f.name)))?;
        let size = ctx.compiled_code().map_or(0, |c| c.code_info().total_size as usize);
        code_sizes.push(size);
        stats::compiled(&f.name, stats::Reason::Eager, None, started.elapsed(), size);
        if opts.disasm {
            if let Some(code) = ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!("; {}\n{code}", f.name);
            }
        }
        linker.jit.clear_context(&mut ctx);
    }
    // The callback trampolines (not among `code`: C frames lie under them, so they
    // must not be preempted).
    let callbacks = std::mem::take(&mut linker.callbacks);
    for (n, (target, sig, id)) in callbacks.iter().enumerate() {
        ctx.func.signature = foreign::trampoline_signature(sig, call_conv);
        ctx.func.name = UserFuncName::user(2, n as u32);
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let target = translate::Linker::qi_func(&mut linker, &mut b, *target);
        let enter =
            translate::Linker::rt_func(&mut linker, &mut b, runtime_calls::FFI_CALLBACK_ENTER);
        foreign::define_trampoline(&mut b, target, enter, sig);
        b.finalize(frontend);
        linker.jit.define_function(*id, &mut ctx).map_err(|e| JitError(format!("{e:?}")))?;
        linker.jit.clear_context(&mut ctx);
    }
    let descs = std::mem::take(&mut linker.owned_descs);
    let stub_ids = stubs::define(
        &mut jit,
        &mut ctx,
        &mut fctx,
        ids[module.main.index()],
        call_conv,
        frontend,
    )?;
    jit.finalize_definitions().map_err(|e| JitError(e.to_string()))?;
    let entry = stubs::entry(&jit, stub_ids);
    let code = ids
        .iter()
        .zip(&code_sizes)
        .map(|(id, size)| {
            let start = jit.get_finalized_function(*id) as usize;
            (start, start + size)
        })
        .collect();
    let reflection = qi_rt::library::reflect::ProgramInfo {
        functions: module.reflection.functions.clone(),
        structs: module.reflection.structs.clone(),
        enums: module.reflection.enums.clone(),
    };
    Ok(Program { module: jit, entry, code, _globals: globals, _descs: descs, reflection })
}
