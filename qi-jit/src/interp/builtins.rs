//! Builtins and library functions: the runtime function of `runtime_calls::builtin`,
//! called with the arguments laid out as compiled code passes them (`green` for the
//! concurrency builtins' extra arguments).

use super::ops::Raised;
use super::thread::Thread;
use super::Interpreted;
use crate::runtime_calls;
use qi_ir::{Bits, Builtin, Loc, Operand};

/// The most arguments a builtin call passes (its operands and the extras below).
const MAX_ARGS: usize = 12;

impl Interpreted {
    pub(super) fn builtin(
        &self,
        thread: &mut Thread,
        base: usize,
        op: Builtin,
        args: &[Operand],
        loc: Loc,
    ) -> Result<u64, Raised> {
        use Builtin::*;
        let f = runtime_calls::builtin(op);
        let mut vals = [0u64; MAX_ARGS];
        let mut n = 0;
        let mut push = |v: u64| {
            vals[n] = v;
            n += 1;
        };
        for a in args {
            push(self.operand(thread, base, a));
        }
        // Element kinds become the objects flag; an eager future's body inherits the
        // stack left, as if called here.
        match op {
            FutureReady(b) | ChanNew(b) | FutureFailed(b) | FutureNew(b) | GenNew(b) => {
                push((b == Bits::Object) as u64)
            }
            FutureSpawn => push(thread.stack_left() as u64),
            _ => {}
        }
        if f.raising {
            push(loc.file as u64);
            push(loc.line as u64);
        }
        // SAFETY: the operands the IR gives this builtin, with the extras compiled code
        // adds, as its runtime function expects.
        let r = unsafe { self.native(f).call(&vals[..n]) };
        if r.raised || matches!(op, Throw | ThrowCaused | ExcRethrow) {
            // The exception is pending.
            return Err(Raised);
        }
        Ok(match op {
            ChanRecv(b) | ChanTake(b) | Await(b) | GenTake(b) => from_bits(r.value, b),
            _ => r.value,
        })
    }
}

/// A value that travelled as 64 bits, as a local of kind `bits` holds it.
fn from_bits(v: u64, bits: Bits) -> u64 {
    match bits {
        Bits::Bool => v & 0xff,
        Bits::Char => v & 0xffff_ffff,
        Bits::Void => 0,
        Bits::Int | Bits::Float | Bits::Object => v,
    }
}
