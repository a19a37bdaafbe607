//! The two generated functions green threads start through. Each sets the green thread's
//! stack limit — its own stack pointer less the stack budget it is given — in the pinned
//! register (r15 on x86-64; generated prologues compare the stack pointer with it), calls
//! the program's main function or a closure `函数()`, restores the caller's register
//! (Rust code knows it as callee-saved) and returns the status. Counting the budget from
//! here, not from the top of the stack, leaves the runtime's own frames above out of
//! it: the depth at which a recursion overflows depends only on generated code. A context switch saves and restores the pinned register with the
//! other callee-saved ones, so every green thread keeps its own limit.
//!
//! This is the one place where Rust jumps into generated code.

use crate::JitError;
use cranelift_codegen::ir::{
    self as clif, types, AbiParam, InstBuilder, MemFlagsData, UserFuncName,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module as _};

pub struct StubIds {
    main: FuncId,
    closure: FuncId,
}

/// Declare and define both stubs; `main` is the program's main function.
pub fn define(
    jit: &mut JITModule,
    ctx: &mut cranelift_codegen::Context,
    fctx: &mut FunctionBuilderContext,
    main: FuncId,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
) -> Result<StubIds, JitError> {
    let err = |e: cranelift_module::ModuleError| JitError(e.to_string());

    // enter_main(budget) -> status
    let mut sig = clif::Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I8));
    let main_stub = jit.declare_function("qi#enter_main", Linkage::Local, &sig).map_err(err)?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(1, 0);
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let budget = b.block_params(entry)[0];
        let limit = limit_below_here(&mut b, budget);
        let saved = b.ins().get_pinned_reg(types::I64);
        b.ins().set_pinned_reg(limit);
        let callee = jit.declare_func_in_func(main, b.func);
        let call = b.ins().call(callee, &[]);
        let status = *b.inst_results(call).last().expect("status");
        b.ins().set_pinned_reg(saved);
        b.ins().return_(&[status]);
        b.seal_all_blocks();
        b.finalize(frontend);
    }
    jit.define_function(main_stub, ctx).map_err(err)?;
    jit.clear_context(ctx);

    // enter_closure(closure, budget) -> status
    let mut sig = clif::Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I8));
    let closure_stub =
        jit.declare_function("qi#enter_closure", Linkage::Local, &sig).map_err(err)?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(1, 1);
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let (closure, budget) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let limit = limit_below_here(&mut b, budget);
        let saved = b.ins().get_pinned_reg(types::I64);
        b.ins().set_pinned_reg(limit);
        // A closure `函数()`: code pointer in slot 0, called with the closure itself.
        let mut callee_sig = clif::Signature::new(call_conv);
        callee_sig.params.push(AbiParam::new(types::I64));
        callee_sig.returns.push(AbiParam::new(types::I8));
        let sigref = b.import_signature(callee_sig);
        let code = b.ins().load(
            types::I64,
            MemFlagsData::trusted(),
            closure,
            qi_rt::record::RECORD_SLOTS_OFFSET,
        );
        let call = b.ins().call_indirect(sigref, code, &[closure]);
        let status = b.inst_results(call)[0];
        b.ins().set_pinned_reg(saved);
        b.ins().return_(&[status]);
        b.seal_all_blocks();
        b.finalize(frontend);
    }
    jit.define_function(closure_stub, ctx).map_err(err)?;
    jit.clear_context(ctx);
    Ok(StubIds { main: main_stub, closure: closure_stub })
}

/// The stack limit `budget` bytes below the current stack pointer.
fn limit_below_here(b: &mut FunctionBuilder, budget: clif::Value) -> clif::Value {
    let sp = b.ins().get_stack_pointer(types::I64);
    b.ins().isub(sp, budget)
}

/// The finalized stubs as the runtime's entry points.
pub fn entry(jit: &JITModule, ids: StubIds) -> qi_rt::sched::Entry {
    let main = jit.get_finalized_function(ids.main);
    let closure = jit.get_finalized_function(ids.closure);
    // SAFETY: both were compiled above with exactly these native signatures (System V:
    // i64 parameters, an i8 status result) and stay mapped while the module lives.
    unsafe {
        qi_rt::sched::Entry {
            main: std::mem::transmute::<*const u8, qi_rt::sched::MainEntry>(main),
            closure: std::mem::transmute::<*const u8, qi_rt::sched::ClosureEntry>(closure),
        }
    }
}
