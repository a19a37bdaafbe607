//! Translation of the concurrency builtins (channels, `选择`, futures, synchronisation)
//! and of the stores that publish objects to other green threads.
//!
//! Values of any Qi type cross the runtime as 64 bits (`qi_ir::Bits`): floats by their
//! IEEE bits, booleans and characters zero-extended.

use crate::runtime_calls::{self, RtFn};
use crate::translate::{Linker, Translator};
use cranelift_codegen::ir::{self as clif, types, InstBuilder, MemFlagsData};
use qi_ir::{Bits, Builtin, Type};

/// Is `op` one of the concurrency builtins (translated here)?
pub fn is_green(op: Builtin) -> bool {
    use Builtin::*;
    matches!(
        op,
        Spawn
            | ChanNew(_)
            | ChanSend(_)
            | ChanRecv(_)
            | ChanRecvOk
            | ChanTake(_)
            | ChanClose
            | SelectBegin
            | SelectRecv
            | SelectSend(_)
            | SelectWait
            | WaitGroupNew
            | WaitGroupAdd
            | WaitGroupDone
            | WaitGroupWait
            | MutexNew
            | MutexLock
            | MutexUnlock
            | MutexTryLock
            | Sleep
            | Yield
            | TimeMs
            | TimerNew
            | RunAll
            | Step
            | TimerExpired
            | TimerStop
            | FutureNew(_)
            | FutureSpawn
            | FutureComplete(_)
            | FutureReady(_)
            | FutureFailed(_)
            | Await(_)
            | GenNew(_)
            | GenResume
            | GenTake(_)
            | GenYield(_)
    )
}

impl<L: Linker> Translator<'_, '_, L> {
    /// A value as 64 bits.
    fn as_bits(&mut self, v: clif::Value) -> clif::Value {
        let ty = self.b.func.dfg.value_type(v);
        if ty == types::F64 {
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), v)
        } else if ty.bits() < 64 {
            self.b.ins().uextend(types::I64, v)
        } else {
            v
        }
    }

    /// 64 bits as a value of the kind `bits`.
    fn bits_as(&mut self, v: clif::Value, bits: Bits) -> Option<clif::Value> {
        Some(match bits {
            Bits::Float => self.b.ins().bitcast(types::F64, MemFlagsData::new(), v),
            Bits::Bool => self.b.ins().ireduce(types::I8, v),
            Bits::Char => self.b.ins().ireduce(types::I32, v),
            Bits::Int | Bits::Object => v,
            Bits::Void => return None,
        })
    }

    fn objects_flag(&mut self, bits: Bits) -> clif::Value {
        self.b.ins().iconst(types::I8, (bits == Bits::Object) as i64)
    }

    pub(crate) fn green_builtin(
        &mut self,
        op: Builtin,
        mut args: Vec<clif::Value>,
        loc: qi_ir::Loc,
    ) -> Option<clif::Value> {
        use Builtin::*;
        let f: RtFn = runtime_calls::builtin(op);
        // The value argument travels as bits; element kinds become the objects flag.
        match op {
            ChanSend(_) | SelectSend(_) | FutureComplete(_) => args[1] = self.as_bits(args[1]),
            GenYield(_) => args[0] = self.as_bits(args[0]),
            FutureReady(b) => {
                args[0] = self.as_bits(args[0]);
                let flag = self.objects_flag(b);
                args.push(flag);
            }
            FutureSpawn => {
                // The future's body runs as if called here: it inherits the stack left.
                let sp = self.b.ins().get_stack_pointer(types::I64);
                let limit = self.b.ins().get_pinned_reg(types::I64);
                let left = self.b.ins().isub(sp, limit);
                args.push(left);
            }
            ChanNew(b) | FutureFailed(b) | FutureNew(b) | GenNew(b) => {
                let flag = self.objects_flag(b);
                args.push(flag);
            }
            _ => {}
        }
        if f.raising {
            let (file, line) = self.loc_values(loc);
            args.push(file);
            args.push(line);
        }
        let fref = self.rt_ref(f);
        let call = self.b.ins().call(fref, &args);
        let results = self.b.inst_results(call).to_vec();
        if f.raising {
            self.unwind_on(results[1]);
        }
        let value = results.first().copied();
        match op {
            ChanRecv(b) | ChanTake(b) | Await(b) | GenTake(b) => {
                self.bits_as(value.expect("a result"), b)
            }
            _ => match op.result() {
                Some(Type::Void) => None,
                _ => value,
            },
        }
    }

    /// Storing object `v` into `container`: when the container is shared between green
    /// threads, `v` (and all it reaches) must be shared too before it becomes visible.
    pub(crate) fn publish_into(&mut self, container: clif::Value, v: clif::Value) {
        let flags = self.b.ins().uload8(
            types::I32,
            MemFlagsData::trusted(),
            container,
            qi_rt::object::FLAGS_OFFSET,
        );
        let shared = self.b.ins().band_imm_u(flags, qi_rt::object::FLAG_SHARED as i64);
        let publish = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(publish);
        self.b.ins().brif(shared, publish, &[], done, &[]);
        self.b.switch_to_block(publish);
        self.call_rt(runtime_calls::PUBLISH, &[v]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }
}
