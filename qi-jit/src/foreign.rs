//! Calls of C functions declared in `外部` blocks (language.md §5.10, docs/FFI.md): a
//! direct call with the platform's C calling convention to the resolved address, with
//! §5.10's mapping of each argument and of the result; and the trampolines through which
//! C calls Qi functions back (`qi_rt::ffi::callbacks`).

use crate::runtime_calls::{self, clif_type};
use crate::translate::{slot_offset, Linker, Translator};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self as clif, types, InstBuilder, MemFlagsData};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;
use qi_ir::{CType, CallbackSig, Operand};

/// The machine type a scalar C type travels as (a struct travels as its fields).
fn c_abi(t: &CType) -> Option<clif::Type> {
    Some(match t {
        CType::Void | CType::Struct(_) => return None,
        CType::I64 | CType::Bool | CType::Str | CType::Ptr | CType::Callback(_) => types::I64,
        CType::F64 => types::F64,
        CType::I32 | CType::U32 => types::I32,
    })
}

impl<L: Linker> Translator<'_, '_, L> {
    pub(crate) fn call_foreign(
        &mut self,
        id: qi_ir::ForeignId,
        args: &[Operand],
        callbacks: bool,
    ) -> Option<clif::Value> {
        let f = &self.module.foreign.functions[id.index()];
        let mut sig = clif::Signature::new(self.b.func.signature.call_conv);
        let mut vals = Vec::with_capacity(args.len());
        // NUL-terminated copies of the string arguments, freed after the call.
        let mut copies = Vec::new();
        for (a, t) in args.iter().zip(&f.params) {
            let v = self.operand(a);
            if let CType::Struct(st) = t {
                // By value: each field as a scalar argument (borrowed record).
                for (k, field) in st.fields.iter().enumerate() {
                    let ty = c_abi(field).expect("struct fields are scalars");
                    let x =
                        self.b.ins().load(ty, MemFlagsData::trusted(), v, slot_offset(k as u32));
                    sig.params.push(clif::AbiParam::new(ty));
                    vals.push(x);
                }
                continue;
            }
            let v = match t {
                CType::Bool => self.b.ins().uextend(types::I64, v),
                CType::I32 | CType::U32 => self.b.ins().ireduce(types::I32, v),
                CType::Str => {
                    let c = self.call_rt(runtime_calls::FFI_CSTR, &[v]).expect("returns");
                    copies.push((v, c));
                    c
                }
                CType::I64
                | CType::F64
                | CType::Ptr
                | CType::Callback(_)
                | CType::Struct(_)
                | CType::Void => v,
            };
            sig.params.push(clif::AbiParam::new(c_abi(t).expect("a parameter has a value")));
            vals.push(v);
        }
        match &f.ret {
            CType::Struct(st) => {
                for field in &st.fields {
                    let ty = c_abi(field).expect("struct fields are scalars");
                    sig.returns.push(clif::AbiParam::new(ty));
                }
            }
            t => {
                if let Some(t) = c_abi(t) {
                    sig.returns.push(clif::AbiParam::new(t));
                }
            }
        }
        let ret = f.ret.clone();
        let sigref = self.b.import_signature(sig);
        let addr = self.linker.foreign_addr(id);
        let addr = self.b.ins().iconst(types::I64, addr);
        // Callbacks run Qi code with this function's stack limit.
        let previous = callbacks.then(|| {
            let limit = self.b.ins().get_pinned_reg(types::I64);
            self.call_rt(runtime_calls::FFI_CALLBACKS_BEGIN, &[limit]).expect("returns")
        });
        // The monitor must not signal the worker while C runs: a blocking call would
        // return early with EINTR.
        self.call_rt(runtime_calls::FFI_ENTER, &[]);
        let call = self.b.ins().call_indirect(sigref, addr, &vals);
        let results = self.b.inst_results(call).to_vec();
        let result = results.first().copied();
        self.call_rt(runtime_calls::FFI_LEAVE, &[]);
        for (s, c) in copies {
            self.call_rt(runtime_calls::FFI_CSTR_FREE, &[s, c]);
        }
        if let Some(previous) = previous {
            // A callback threw: raise it now that the C frames are gone (before the
            // result is converted, so a returned string is not copied for nothing).
            let threw =
                self.call_rt(runtime_calls::FFI_CALLBACKS_END, &[previous]).expect("returns");
            self.unwind_on(threw);
        }
        if let CType::Struct(st) = &ret {
            // A fresh record (owned) holding the returned fields.
            let desc = self.linker.record_desc(st.layout);
            let desc = self.b.ins().iconst(types::I64, desc);
            let obj = self.call_rt(runtime_calls::RECORD_NEW, &[desc]).expect("returns");
            for (k, v) in results.iter().enumerate() {
                self.b.ins().store(MemFlagsData::trusted(), *v, obj, slot_offset(k as u32));
            }
            return Some(obj);
        }
        let r = result?;
        Some(match ret {
            CType::Bool => {
                let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
                debug_assert_eq!(clif_type(&qi_ir::Type::Bool), Some(types::I8));
                nonzero
            }
            CType::I32 => self.b.ins().sextend(types::I64, r),
            CType::U32 => self.b.ins().uextend(types::I64, r),
            CType::Str => self.call_rt(runtime_calls::FFI_STR_FROM_C, &[r]).expect("returns"),
            CType::I64
            | CType::F64
            | CType::Ptr
            | CType::Callback(_)
            | CType::Struct(_)
            | CType::Void => r,
        })
    }
}

/// Define the trampoline `id` through which C calls Qi function `target` (`qi_sig`, the
/// Qi calling convention) with C signature `sig`: it takes the stack limit of the foreign
/// call in progress, converts the arguments, calls the function, restores the caller's
/// pinned register, and returns the converted result — 0 when the function threw or an
/// earlier callback did (the exception stays pending for the foreign call's caller).
pub(crate) fn define_trampoline(
    b: &mut FunctionBuilder,
    target: clif::FuncRef,
    enter: clif::FuncRef,
    sig: &CallbackSig,
) {
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let run = b.create_block();
    let skip = b.create_block();
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let saved = b.ins().get_pinned_reg(types::I64);
    let call = b.ins().call(enter, &[]);
    let limit = b.inst_results(call)[0];
    b.ins().brif(limit, run, &[], skip, &[]);

    b.switch_to_block(run);
    b.ins().set_pinned_reg(limit);
    let args: Vec<clif::Value> = params
        .iter()
        .zip(&sig.params)
        .map(|(v, t)| match t {
            CType::I32 => b.ins().sextend(types::I64, *v),
            CType::U32 => b.ins().uextend(types::I64, *v),
            CType::Bool => b.ins().icmp_imm_s(IntCC::NotEqual, *v, 0),
            _ => *v,
        })
        .collect();
    let call = b.ins().call(target, &args);
    let results = b.inst_results(call).to_vec();
    b.ins().set_pinned_reg(saved);
    let (status, value) = results.split_last().expect("Qi functions return a status");
    match (c_abi(&sig.ret), value.first()) {
        (Some(ty), Some(v)) => {
            let v = match sig.ret {
                CType::I32 | CType::U32 => b.ins().ireduce(types::I32, *v),
                CType::Bool => b.ins().uextend(types::I64, *v),
                _ => *v,
            };
            let zero = zero_of(b, ty);
            let r = b.ins().select(*status, zero, v);
            b.ins().return_(&[r]);
        }
        _ => {
            b.ins().return_(&[]);
        }
    }

    b.switch_to_block(skip);
    match c_abi(&sig.ret) {
        Some(ty) => {
            let zero = zero_of(b, ty);
            b.ins().return_(&[zero]);
        }
        None => {
            b.ins().return_(&[]);
        }
    }
    b.seal_all_blocks();
}

fn zero_of(b: &mut FunctionBuilder, ty: clif::Type) -> clif::Value {
    if ty == types::F64 {
        b.ins().f64const(0.0)
    } else {
        b.ins().iconst(ty, 0)
    }
}

/// The C signature of a callback trampoline.
pub(crate) fn trampoline_signature(sig: &CallbackSig, call_conv: CallConv) -> clif::Signature {
    let mut s = clif::Signature::new(call_conv);
    for p in &sig.params {
        s.params.push(clif::AbiParam::new(c_abi(p).expect("callback parameters have values")));
    }
    if let Some(t) = c_abi(&sig.ret) {
        s.returns.push(clif::AbiParam::new(t));
    }
    s
}
