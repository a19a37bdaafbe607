//! Calling a runtime entry point by address with arguments known only at run time.
//!
//! The interpreter calls the same `qi-rt` functions as generated code, through the same
//! `RtFn` table (`runtime_calls`). Their parameters are 64-bit integers (also pointers,
//! and booleans and characters zero-extended) and doubles; their results one integer,
//! one double, or a `Raising` pair. On the C calling conventions qi targets (x86-64
//! System V, AArch64 AAPCS64) integer and floating-point arguments are assigned to their
//! own register sequences independently, the caller removes stack arguments, and a
//! two-word struct of integers comes back in the first two integer result registers. So
//! one function type with `INT_ARGS` integer and `FLOAT_ARGS` double parameters calls
//! any entry point whose integer and double parameters, each in their order, are a
//! prefix of those: the callee ignores the registers it does not declare.

use crate::runtime_calls::RtFn;
use cranelift_codegen::ir::types;

/// Integer (and pointer) parameters a runtime function may have.
pub const INT_ARGS: usize = 8;
/// Double parameters a runtime function may have.
pub const FLOAT_ARGS: usize = 8;

#[repr(C)]
struct Pair {
    first: u64,
    second: u64,
}

type IntCall = unsafe extern "C" fn(
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
) -> Pair;

type FloatCall = unsafe extern "C" fn(
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
) -> f64;

/// A runtime function ready to be called: its address, and how its arguments and
/// result travel, worked out once from its signature (the interpreter calls runtime
/// functions tens of thousands of times while a large program starts; reading the
/// signature's types on every call was most of the cost of a call).
#[derive(Clone, Copy)]
pub struct NativeFn {
    addr: *const u8,
    /// Bit `k` set: parameter `k` is a double (else an integer, in the next integer
    /// register).
    float_params: u16,
    /// Per integer parameter, in order: the bits it occupies (narrow ones are passed
    /// zero-extended, as `runtime_calls::signature` declares them for generated code).
    int_masks: [u64; INT_ARGS],
    result: ResultKind,
    #[cfg(debug_assertions)]
    sig: RtFn,
}

/// How a runtime function's result comes back.
#[derive(Clone, Copy)]
enum ResultKind {
    None,
    /// An integer in the bits of this mask.
    Int(u64),
    Float,
    /// A `Raising` pair: the result and whether an exception is pending.
    Raising,
}

// SAFETY: the address of a runtime function, valid for the life of the process.
unsafe impl Send for NativeFn {}
// SAFETY: as above; calling it needs no exclusive access.
unsafe impl Sync for NativeFn {}

/// What a runtime function gave back: its result (0 for none; a boolean or character
/// result zero-extended) and, for a raising one, whether an exception is now pending.
#[derive(Clone, Copy)]
pub struct Returned {
    pub value: u64,
    pub raised: bool,
}

impl NativeFn {
    /// `sig` is the entry point's signature, `addr` its address (`qi_rt::symbols`).
    /// `None` when the signature has more parameters of a kind than one call carries.
    pub fn new(addr: *const u8, sig: RtFn) -> Option<NativeFn> {
        let floats = sig.params.iter().filter(|t| **t == types::F64).count();
        let ints = sig.params.len() - floats;
        if ints > INT_ARGS || floats > FLOAT_ARGS {
            return None;
        }
        let mut float_params = 0u16;
        let mut int_masks = [0u64; INT_ARGS];
        let mut ni = 0;
        for (k, t) in sig.params.iter().enumerate() {
            if *t == types::F64 {
                float_params |= 1 << k;
            } else {
                int_masks[ni] = width_mask(*t);
                ni += 1;
            }
        }
        let result = match sig.ret {
            _ if sig.raising => ResultKind::Raising,
            None => ResultKind::None,
            Some(types::F64) => ResultKind::Float,
            Some(t) => ResultKind::Int(width_mask(t)),
        };
        Some(NativeFn {
            addr,
            float_params,
            int_masks,
            result,
            #[cfg(debug_assertions)]
            sig,
        })
    }

    /// Call with `args`, one 64-bit value per parameter in order (doubles by their
    /// bits).
    ///
    /// # Safety
    /// The arguments are valid for the entry point's contract (live objects where it
    /// takes objects, and so on), as when generated code calls it.
    pub unsafe fn call(&self, args: &[u64]) -> Returned {
        #[cfg(debug_assertions)]
        debug_assert_eq!(args.len(), self.sig.params.len(), "arguments of {}", self.sig.symbol);
        let mut ints = [0u64; INT_ARGS];
        let mut floats = [0f64; FLOAT_ARGS];
        let (mut ni, mut nf) = (0, 0);
        for (k, a) in args.iter().enumerate() {
            if self.float_params & (1 << k) != 0 {
                floats[nf] = f64::from_bits(*a);
                nf += 1;
            } else {
                ints[ni] = *a & self.int_masks[ni];
                ni += 1;
            }
        }
        let [i0, i1, i2, i3, i4, i5, i6, i7] = ints;
        let [f0, f1, f2, f3, f4, f5, f6, f7] = floats;
        if let ResultKind::Float = self.result {
            // SAFETY: `addr` is an `extern "C"` runtime function whose parameters are a
            // prefix of each kind's sequence here (module comment) and whose result is a
            // double; the caller vouches for the arguments.
            let call = unsafe { std::mem::transmute::<*const u8, FloatCall>(self.addr) };
            // SAFETY: as above.
            let r = unsafe { call(i0, i1, i2, i3, i4, i5, i6, i7, f0, f1, f2, f3, f4, f5, f6, f7) };
            return Returned { value: r.to_bits(), raised: false };
        }
        // SAFETY: as above, for an integer, pair or no result (the second register of the
        // pair is only read for raising functions, which return one).
        let call = unsafe { std::mem::transmute::<*const u8, IntCall>(self.addr) };
        // SAFETY: as above.
        let r = unsafe { call(i0, i1, i2, i3, i4, i5, i6, i7, f0, f1, f2, f3, f4, f5, f6, f7) };
        match self.result {
            ResultKind::None => Returned { value: 0, raised: false },
            ResultKind::Raising => Returned { value: r.first, raised: r.second != 0 },
            ResultKind::Int(mask) => Returned { value: r.first & mask, raised: false },
            ResultKind::Float => unreachable!("returned above"),
        }
    }
}

/// The bits of a 64-bit register a value of machine type `t` occupies.
fn width_mask(t: cranelift_codegen::ir::Type) -> u64 {
    match t.bits() {
        8 => 0xff,
        32 => 0xffff_ffff,
        _ => u64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime_calls::{self, builtin};
    use qi_ir::Builtin;

    fn native(f: RtFn) -> NativeFn {
        let addr = qi_rt::symbols().find(|(n, _)| *n == f.symbol).expect("known").1;
        NativeFn::new(addr, f).expect("fits")
    }

    /// Every entry point the engine uses fits one call.
    #[test]
    fn every_builtin_and_library_row_fits() {
        let rows = qi_ir::library::rows().map(|(id, _)| builtin(Builtin::Library(id)));
        for f in rows.chain([builtin(Builtin::StrLen), runtime_calls::FLOAT_REM]) {
            native(f);
        }
    }

    #[test]
    fn integer_double_and_mixed_calls() {
        let rem = native(runtime_calls::FLOAT_REM);
        // SAFETY: plain numbers.
        let r = unsafe { rem.call(&[7.5f64.to_bits(), 2.0f64.to_bits()]) };
        assert_eq!(f64::from_bits(r.value), 1.5);
        let s = native(builtin(Builtin::IntToStr));
        let len = native(builtin(Builtin::StrLen));
        // SAFETY: a fresh string, measured then released.
        unsafe {
            let text = s.call(&[(-42i64) as u64]).value;
            assert_eq!(len.call(&[text]).value, 3);
            qi_rt::qi_release(text as *mut qi_rt::Header);
        }
    }
}
