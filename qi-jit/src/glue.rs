//! The C boundary of interpreted code: the only native code `--jit=off` generates.
//!
//! The interpreter cannot call a C function of an `外部` block itself (its arguments go in
//! registers chosen by the C signature, structs travel as their fields, strings as
//! NUL-terminated copies), and C cannot call an interpreted function (it needs a C
//! function pointer). So an interpreted program with `外部` blocks gets, before it runs,
//! one small `JITModule` holding:
//!
//! * per C function, a *wrapper*: a one-instruction Qi function (`CallForeign` of its
//!   parameters, returning the result) translated by the same `Translator` as compiled
//!   code, so the mapping of arguments and result, `FFI_ENTER`/`FFI_LEAVE` around the
//!   call (blocking C on green threads) and the raising of what a callback threw are the
//!   compiled tier's own; and its native adapter (`tiers::codegen`), which the
//!   interpreter calls with the arguments in a word array, as it calls compiled code;
//! * per callback (Qi function, C signature), the trampoline of compiled code
//!   (`foreign::define_trampoline`) calling the function's interpreter stub
//!   (`tiers::codegen`), which interprets it (or runs its compiled code under `auto`).
//!
//! None of it is Qi code: the program's functions all stay interpreted.

use crate::tiers::codegen::Gen;
use crate::tiers::AdapterFn;
use crate::{foreign, runtime_calls, translate, JitError, Options};
use cranelift_codegen::ir::{self as clif, UserFuncName};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module as _};
use qi_ir::{CType, CallbackSig, Inst, LocalDecl, LocalId, Operand, Terminator, Type, Value};
use std::collections::HashMap;

/// The generated C boundary of one interpreted program (never freed: the program is
/// leaked when it runs).
pub struct Glue {
    _jit: JITModule,
    /// The resolved address of each C function, by `ForeignId` (compiled code under
    /// `auto` calls them directly).
    pub foreign: Vec<usize>,
    /// The adapter of each C function's wrapper, by `ForeignId`.
    calls: Vec<AdapterFn>,
    /// (Qi function, C signature) → the address of its trampoline.
    callbacks: HashMap<(qi_ir::FuncId, CallbackSig), usize>,
}

impl Glue {
    /// The adapter through which the interpreter calls C function `f`.
    pub fn call(&self, f: qi_ir::ForeignId) -> AdapterFn {
        self.calls[f.index()]
    }

    /// The C function pointer through which C calls Qi function `f` with `sig`.
    pub fn callback(&self, f: qi_ir::FuncId, sig: &CallbackSig) -> usize {
        self.callbacks[&(f, sig.clone())]
    }
}

/// The Qi function wrapping C function `id`: its parameters are the C parameters' Qi
/// types, its one instruction the call, its result the call's.
fn wrapper(module: &qi_ir::Module, id: qi_ir::ForeignId) -> qi_ir::Function {
    let f = &module.foreign.functions[id.index()];
    let params: Vec<Type> = f.params.iter().map(CType::qi_type).collect();
    let ret = f.ret.qi_type();
    let mut locals: Vec<LocalDecl> =
        params.iter().map(|ty| LocalDecl { ty: ty.clone(), name: None }).collect();
    let loc = module.functions[module.main.index()].loc;
    let call = Value::CallForeign {
        func: id,
        args: (0..params.len()).map(|i| Operand::Local(LocalId(i as u32))).collect(),
        callbacks: f.params.iter().any(|p| matches!(p, CType::Callback(_))),
        loc,
    };
    let (inst, term) = if ret == Type::Void {
        (Inst::Effect(call), Terminator::Return(None))
    } else {
        let result = LocalId(locals.len() as u32);
        locals.push(LocalDecl { ty: ret.clone(), name: None });
        (
            Inst::Assign { dst: result, value: call },
            Terminator::Return(Some(Operand::Local(result))),
        )
    };
    qi_ir::Function {
        name: format!("外部 {}", f.name),
        params,
        ret,
        locals,
        blocks: vec![qi_ir::Block { insts: vec![inst], term, unwind: None }],
        loc,
    }
}

/// Every (Qi function, C signature) the program passes to C as a callback.
fn callbacks(module: &qi_ir::Module) -> Vec<(qi_ir::FuncId, CallbackSig)> {
    let mut found = Vec::new();
    for inst in module.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.insts) {
        if let Inst::Assign { value: Value::Callback { func, sig }, .. }
        | Inst::Effect(Value::Callback { func, sig }) = inst
        {
            let pair = (*func, (**sig).clone());
            if !found.contains(&pair) {
                found.push(pair);
            }
        }
    }
    found
}

/// What the wrappers' translation links to: runtime functions, record descriptors (of
/// structs returned by value) and the C functions.
struct GlueLinker<'a> {
    jit: &'a mut JITModule,
    rt_funcs: HashMap<&'static str, FuncId>,
    call_conv: cranelift_codegen::isa::CallConv,
    descs: &'a [Box<qi_rt::record::RecordDesc>],
    foreign: &'a [usize],
}

impl translate::Linker for GlueLinker<'_> {
    fn qi_func(&mut self, _: &mut FunctionBuilder, _: qi_ir::FuncId) -> clif::FuncRef {
        unreachable!("a wrapper calls no Qi function")
    }

    fn rt_func(&mut self, b: &mut FunctionBuilder, f: runtime_calls::RtFn) -> clif::FuncRef {
        crate::runtime_func_ref(self.jit, &mut self.rt_funcs, self.call_conv, b, f)
    }

    fn str_literal(&mut self, _: qi_ir::StrId) -> i64 {
        unreachable!("a wrapper has no literal")
    }

    fn global_slot(&mut self, _: qi_ir::GlobalId) -> i64 {
        unreachable!("a wrapper uses no global")
    }

    fn record_desc(&mut self, l: qi_ir::LayoutId) -> i64 {
        &*self.descs[l.index()] as *const qi_rt::record::RecordDesc as i64
    }

    fn global_name(&mut self, _: qi_ir::GlobalId) -> i64 {
        unreachable!("a wrapper uses no global")
    }

    fn foreign_addr(&mut self, f: qi_ir::ForeignId) -> i64 {
        self.foreign[f.index()] as i64
    }

    fn callback(
        &mut self,
        _: &mut FunctionBuilder,
        _: qi_ir::FuncId,
        _: &CallbackSig,
    ) -> clif::Value {
        unreachable!("a wrapper makes no callback")
    }
}

/// Generate the C boundary of `module` (which declares C functions or passes callbacks),
/// against the interpreter's record descriptors `descs`.
pub fn build(
    module: &qi_ir::Module,
    descs: &[Box<qi_rt::record::RecordDesc>],
    publish_stores: bool,
) -> Result<Glue, JitError> {
    let foreign = crate::resolve_foreign(module).map_err(|errors| {
        let e = &errors[0];
        JitError(format!("{} ({}): {}", e.function, e.library, e.message))
    })?;
    let isa = crate::isa(&Options::default())?;
    let call_conv = isa.default_call_conv();
    let frontend = isa.frontend_config();
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.symbols(qi_rt::symbols());
    let mut jit = JITModule::new(builder);
    let mut ctx = jit.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let err = |e: cranelift_module::ModuleError| JitError(format!("{e:?}"));

    // The wrappers and their adapters.
    let mut adapters = Vec::with_capacity(module.foreign.functions.len());
    let mut rt_funcs = HashMap::new();
    for i in 0..module.foreign.functions.len() {
        let f = wrapper(module, qi_ir::ForeignId(i as u32));
        let sig = crate::qi_signature(&f, call_conv);
        let id =
            jit.declare_function(&format!("qi#foreign#{i}"), Linkage::Local, &sig).map_err(err)?;
        ctx.func.signature = sig;
        ctx.func.name = UserFuncName::user(7, i as u32);
        let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let mut linker = GlueLinker {
            jit: &mut jit,
            rt_funcs: std::mem::take(&mut rt_funcs),
            call_conv,
            descs,
            foreign: &foreign,
        };
        translate::Translator::new(module, &f, b, &mut linker, publish_stores).translate(frontend);
        rt_funcs = linker.rt_funcs;
        jit.define_function(id, &mut ctx).map_err(|e| JitError(format!("{}: {e:?}", f.name)))?;
        jit.clear_context(&mut ctx);
        let mut gen = Gen { jit: &mut jit, ctx: &mut ctx, fctx: &mut fctx, call_conv, frontend };
        adapters.push(gen.adapter(&f, i, id, None)?);
    }

    // The callbacks: a stub per Qi function, a trampoline per (function, signature).
    let mut stubs: HashMap<qi_ir::FuncId, FuncId> = HashMap::new();
    let mut trampolines = Vec::new();
    for (n, (func, sig)) in callbacks(module).into_iter().enumerate() {
        let stub = match stubs.get(&func) {
            Some(stub) => *stub,
            None => {
                let mut gen =
                    Gen { jit: &mut jit, ctx: &mut ctx, fctx: &mut fctx, call_conv, frontend };
                let stub = gen.stub(&module.functions[func.index()], func.index())?;
                stubs.insert(func, stub);
                stub
            }
        };
        let csig = foreign::trampoline_signature(&sig, call_conv);
        let id = jit
            .declare_function(&format!("qi#callback#{n}"), Linkage::Local, &csig)
            .map_err(err)?;
        ctx.func.signature = csig;
        ctx.func.name = UserFuncName::user(2, n as u32);
        let target = jit.declare_func_in_func(stub, &mut ctx.func);
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let enter = crate::runtime_func_ref(
            &mut jit,
            &mut rt_funcs,
            call_conv,
            &mut b,
            runtime_calls::FFI_CALLBACK_ENTER,
        );
        foreign::define_trampoline(&mut b, target, enter, &sig);
        b.finalize(frontend);
        jit.define_function(id, &mut ctx).map_err(err)?;
        jit.clear_context(&mut ctx);
        trampolines.push(((func, sig), id));
    }

    jit.finalize_definitions().map_err(|e| JitError(e.to_string()))?;
    let calls = adapters
        .into_iter()
        .map(|id| {
            let code = jit.get_finalized_function(id);
            // SAFETY: `id` is an adapter made by `Gen::adapter`, whose signature is
            // `AdapterFn`'s; the module is finalized and never freed.
            unsafe { std::mem::transmute::<*const u8, AdapterFn>(code) }
        })
        .collect();
    let callbacks = trampolines
        .into_iter()
        .map(|(key, id)| (key, jit.get_finalized_function(id) as usize))
        .collect();
    Ok(Glue { _jit: jit, foreign, calls, callbacks })
}
