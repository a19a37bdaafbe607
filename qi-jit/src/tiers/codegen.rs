//! The two generated crossings of a function between the tiers.
//!
//! * Its *interpreter stub* has the function's Qi signature, so compiled code calls it as
//!   it calls compiled functions: it stores the arguments, widened to 64-bit words, in a
//!   stack array and calls `crossing::interp_entry` with the function's index, the array,
//!   a result word and the pinned stack limit.
//! * Its *native adapter* (`crossing::AdapterFn`) is how Rust calls its compiled code:
//!   it loads the arguments from such an array by machine type, sets the pinned register
//!   to the stack limit it is given, calls, restores the register and stores the result
//!   widened.

use crate::runtime_calls::clif_type;
use crate::JitError;
use cranelift_codegen::ir::{self as clif, types, AbiParam, InstBuilder, MemFlagsData};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module as _};

/// What both generators need.
pub struct Gen<'a> {
    pub jit: &'a mut JITModule,
    pub ctx: &'a mut cranelift_codegen::Context,
    pub fctx: &'a mut FunctionBuilderContext,
    pub call_conv: CallConv,
    pub frontend: TargetFrontendConfig,
}

/// `v` (of machine type `t`) as a 64-bit word, as the interpreter keeps locals.
fn widen(b: &mut FunctionBuilder, v: clif::Value, t: clif::Type) -> clif::Value {
    if t == types::I8 || t == types::I32 {
        b.ins().uextend(types::I64, v)
    } else {
        v
    }
}

impl Gen<'_> {
    /// Define the interpreter stub of `func` (function number `index`).
    pub fn stub(&mut self, func: &qi_ir::Function, index: usize) -> Result<FuncId, JitError> {
        let sig = crate::qi_signature(func, self.call_conv);
        let id = self
            .jit
            .declare_function(&format!("qi#stub#{index}"), Linkage::Local, &sig)
            .map_err(|e| JitError(e.to_string()))?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = clif::UserFuncName::user(3, index as u32);
        let mut b = FunctionBuilder::new(&mut self.ctx.func, self.fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let n = func.params.len();
        let words =
            clif::StackSlotData::new(clif::StackSlotKind::ExplicitSlot, 8 * (n as u32 + 1), 3);
        let slot = b.create_sized_stack_slot(words);
        let mut next = params.iter();
        for (i, p) in func.params.iter().enumerate() {
            let word = match clif_type(p) {
                Some(t) => {
                    let v = *next.next().expect("a parameter per typed local");
                    widen(&mut b, v, t)
                }
                None => b.ins().iconst(types::I64, 0),
            };
            b.ins().stack_store(types::I64, word, slot, 8 * i as i32);
        }
        let args = b.ins().stack_addr(types::I64, slot, 0);
        let result = b.ins().stack_addr(types::I64, slot, 8 * n as i32);
        let index = b.ins().iconst(types::I64, index as i64);
        let limit = b.ins().get_pinned_reg(types::I64);
        let mut entry_sig = clif::Signature::new(self.call_conv);
        entry_sig.params.extend([AbiParam::new(types::I64); 4]);
        entry_sig.returns.push(AbiParam::new(types::I8));
        let entry_sig = b.import_signature(entry_sig);
        let target = super::crossing::interp_entry as *const () as i64;
        let target = b.ins().iconst(types::I64, target);
        let call = b.ins().call_indirect(entry_sig, target, &[index, args, result, limit]);
        let status = b.inst_results(call)[0];
        let mut returns = Vec::new();
        if let Some(t) = clif_type(&func.ret) {
            returns.push(b.ins().stack_load(types::I64, t, slot, 8 * n as i32));
        }
        returns.push(status);
        b.ins().return_(&returns);
        b.seal_all_blocks();
        b.finalize(self.frontend);
        self.define(id)
    }

    /// Define the native adapter of `func`, whose code is `code` (function number
    /// `index`); for its on-stack-replacement variant entered at block `osr_block`, the
    /// arguments are the frame's locals and their address is the variant's one parameter.
    pub fn adapter(
        &mut self,
        func: &qi_ir::Function,
        index: usize,
        code: FuncId,
        osr_block: Option<u32>,
    ) -> Result<FuncId, JitError> {
        let osr = osr_block.is_some();
        let mut sig = clif::Signature::new(self.call_conv);
        sig.params.extend([AbiParam::new(types::I64); 3]);
        sig.returns.push(AbiParam::new(types::I8));
        let id = self
            .jit
            .declare_function(
                // A name per variant: a function has several.
                &match osr_block {
                    Some(block) => format!("qi#osr_adapter#{index}#{block}"),
                    None => format!("qi#adapter#{index}"),
                },
                Linkage::Local,
                &sig,
            )
            .map_err(|e| JitError(e.to_string()))?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = clif::UserFuncName::user(if osr { 6 } else { 4 }, index as u32);
        let callee = self.jit.declare_func_in_func(code, &mut self.ctx.func);
        let mut b = FunctionBuilder::new(&mut self.ctx.func, self.fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let (args, result, limit) =
            (b.block_params(entry)[0], b.block_params(entry)[1], b.block_params(entry)[2]);
        let mut values = Vec::new();
        if osr {
            values.push(args);
        }
        for (i, p) in func.params.iter().enumerate().filter(|_| !osr) {
            if let Some(t) = clif_type(p) {
                // The low bytes of the word (little-endian targets).
                values.push(b.ins().load(t, MemFlagsData::trusted(), args, 8 * i as i32));
            }
        }
        let saved = b.ins().get_pinned_reg(types::I64);
        b.ins().set_pinned_reg(limit);
        let call = b.ins().call(callee, &values);
        let results = b.inst_results(call).to_vec();
        b.ins().set_pinned_reg(saved);
        let (status, value) = results.split_last().expect("Qi functions return a status");
        if let (Some(v), Some(t)) = (value.first(), clif_type(&func.ret)) {
            let word = widen(&mut b, *v, t);
            b.ins().store(MemFlagsData::trusted(), word, result, 0);
        }
        b.ins().return_(&[*status]);
        b.seal_all_blocks();
        b.finalize(self.frontend);
        self.define(id)
    }

    fn define(&mut self, id: FuncId) -> Result<FuncId, JitError> {
        self.jit.define_function(id, self.ctx).map_err(|e| JitError(format!("{e:?}")))?;
        self.jit.clear_context(self.ctx);
        Ok(id)
    }
}
