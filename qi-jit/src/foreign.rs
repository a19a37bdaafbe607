//! Calls of C functions declared in `外部` blocks (language.md §5.10, docs/FFI.md): a
//! direct call with the platform's C calling convention to the resolved address, with
//! §5.10's mapping of each argument and of the result.

use crate::runtime_calls::{self, clif_type};
use crate::translate::{Linker, Translator};
use cranelift_codegen::ir::{self as clif, types, InstBuilder};
use qi_ir::{CType, Operand};

/// The machine type a C type travels as.
fn c_abi(t: &CType) -> Option<clif::Type> {
    Some(match t {
        CType::Void => return None,
        CType::I64 | CType::Bool | CType::Str | CType::Ptr => types::I64,
        CType::F64 => types::F64,
        CType::I32 | CType::U32 => types::I32,
    })
}

impl<L: Linker> Translator<'_, '_, L> {
    pub(crate) fn call_foreign(
        &mut self,
        id: qi_ir::ForeignId,
        args: &[Operand],
    ) -> Option<clif::Value> {
        let f = &self.module.foreign.functions[id.index()];
        let mut sig = clif::Signature::new(self.b.func.signature.call_conv);
        let mut vals = Vec::with_capacity(args.len());
        // NUL-terminated copies of the string arguments, freed after the call.
        let mut copies = Vec::new();
        for (a, t) in args.iter().zip(&f.params) {
            let v = self.operand(a);
            let v = match t {
                CType::Bool => self.b.ins().uextend(types::I64, v),
                CType::I32 | CType::U32 => self.b.ins().ireduce(types::I32, v),
                CType::Str => {
                    let c = self.call_rt(runtime_calls::FFI_CSTR, &[v]).expect("returns");
                    copies.push(c);
                    c
                }
                CType::I64 | CType::F64 | CType::Ptr | CType::Void => v,
            };
            sig.params.push(clif::AbiParam::new(c_abi(t).expect("a parameter has a value")));
            vals.push(v);
        }
        if let Some(t) = c_abi(&f.ret) {
            sig.returns.push(clif::AbiParam::new(t));
        }
        let ret = f.ret.clone();
        let sigref = self.b.import_signature(sig);
        let addr = self.linker.foreign_addr(id);
        let addr = self.b.ins().iconst(types::I64, addr);
        let call = self.b.ins().call_indirect(sigref, addr, &vals);
        let result = self.b.inst_results(call).first().copied();
        for c in copies {
            self.call_rt(runtime_calls::FFI_CSTR_FREE, &[c]);
        }
        let r = result?;
        Some(match ret {
            CType::Bool => {
                let nonzero = self.b.ins().icmp_imm_s(
                    cranelift_codegen::ir::condcodes::IntCC::NotEqual,
                    r,
                    0,
                );
                debug_assert_eq!(clif_type(&qi_ir::Type::Bool), Some(types::I8));
                nonzero
            }
            CType::I32 => self.b.ins().sextend(types::I64, r),
            CType::U32 => self.b.ins().uextend(types::I64, r),
            CType::Str => self.call_rt(runtime_calls::FFI_STR_FROM_C, &[r]).expect("returns"),
            CType::I64 | CType::F64 | CType::Ptr | CType::Void => r,
        })
    }
}
