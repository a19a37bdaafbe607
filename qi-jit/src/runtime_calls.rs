//! The runtime entry points generated code calls, with their native signatures.
//!
//! This table is the only place that knows how an IR operation maps onto a `qi-rt` symbol;
//! the future interpreter tier calls the same functions, so both tiers share one runtime.

use cranelift_codegen::ir::{types, AbiParam, Signature, Type as ClifType};
use cranelift_codegen::isa::CallConv;
use qi_ir::{Builtin, LibId, LibType, Type};
use std::sync::OnceLock;

/// A runtime function: symbol name, parameter and result machine types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RtFn {
    pub symbol: &'static str,
    pub params: &'static [ClifType],
    pub ret: Option<ClifType>,
    /// Returns `qi_rt::green::Raising`: the result and a raised flag, two `I64`s. Such
    /// functions take the source position (file, line) as their last two parameters.
    pub raising: bool,
}

const I64: ClifType = types::I64;
const F64: ClifType = types::F64;
const I8: ClifType = types::I8;
const I32: ClifType = types::I32;

const fn rt(symbol: &'static str, params: &'static [ClifType], ret: Option<ClifType>) -> RtFn {
    RtFn { symbol, params, ret, raising: false }
}

/// A runtime function that may raise (see `RtFn::raising`); `params` include the
/// trailing file and line.
const fn raising(symbol: &'static str, params: &'static [ClifType]) -> RtFn {
    RtFn { symbol, params, ret: Some(I64), raising: true }
}

pub const PUBLISH: RtFn = rt("qi_publish", &[I64], None);
pub const RETAIN: RtFn = rt("qi_retain", &[I64], None);
pub const RELEASE: RtFn = rt("qi_release", &[I64], None);
pub const OSR_OBJECT: RtFn = rt("qi_osr_object", &[I64], Some(I64));
pub const STR_CMP: RtFn = rt("qi_str_cmp", &[I64, I64], Some(I64));
pub const FLOAT_REM: RtFn = rt("qi_float_rem", &[F64, F64], Some(F64));
pub const RECORD_NEW: RtFn = rt("qi_record_new", &[I64], Some(I64));
pub const ARRAY_NEW: RtFn = raising("qi_array_new", &[I64, I32, I32, I32]);
pub const RAISE_STACK_OVERFLOW: RtFn = rt("qi_raise_stack_overflow", &[I32, I32], None);
/// The raises that report values take them through memory (`qi_rt::exception`): the
/// first parameter is the address of one word per value.
pub const RAISE_INDEX: RtFn = rt("qi_raise_index", &[I64, I32, I32], None);
pub const RAISE_DIV_ZERO: RtFn = rt("qi_raise_div_zero", &[I32, I32], None);
pub const RAISE_UNINIT_GLOBAL: RtFn = rt("qi_raise_uninit_global", &[I64, I32, I32], None);
pub const RAISE_FLOAT_TO_INT: RtFn = rt("qi_raise_float_to_int", &[I64, I32, I32], None);
pub const RAISE_INT_TO_CHAR: RtFn = rt("qi_raise_int_to_char", &[I64, I32, I32], None);
/// Foreign calls (`crate::foreign`): a NUL-terminated copy of a string argument, its
/// release, and a returned `char*` copied into a string.
/// The element kind `qi_array_new` takes for an array of `elem` (both tiers pass it),
/// with `qi_rt::array::ELEM_MAY_CYCLE` when such arrays may be part of a reference cycle.
pub fn array_elem_kind(elem: &qi_ir::Type, cyclic: &qi_ir::cycles::Cyclic) -> u32 {
    if *elem == qi_ir::Type::Bool {
        qi_rt::array::ELEM_BYTE as u32
    } else if elem.is_rc() {
        let may_cycle = if cyclic.array(elem) { qi_rt::array::ELEM_MAY_CYCLE } else { 0 };
        qi_rt::array::ELEM_OBJECT as u32 | may_cycle
    } else {
        qi_rt::array::ELEM_SCALAR as u32
    }
}

pub const FFI_CSTR: RtFn = rt("qi_ffi_cstr", &[I64], Some(I64));
pub const FFI_CSTR_FREE: RtFn = rt("qi_ffi_cstr_free", &[I64, I64], None);
pub const FFI_STR_FROM_C: RtFn = rt("qi_ffi_str_from_c", &[I64], Some(I64));
/// Callbacks from C (`crate::foreign`, `qi_rt::ffi::callbacks`).
pub const FFI_CALLBACKS_BEGIN: RtFn = rt("qi_ffi_callbacks_begin", &[I64], Some(I64));
pub const FFI_CALLBACKS_END: RtFn = rt("qi_ffi_callbacks_end", &[I64], Some(I8));
pub const FFI_CALLBACK_ENTER: RtFn = rt("qi_ffi_callback_enter", &[], Some(I64));
/// Around every foreign call: the worker is inside C (no preemption signal).
pub const FFI_ENTER: RtFn = rt("qi_ffi_enter", &[], None);
pub const FFI_LEAVE: RtFn = rt("qi_ffi_leave", &[], None);

/// The runtime function implementing a builtin.
pub fn builtin(op: Builtin) -> RtFn {
    use Builtin::*;
    match op {
        Concat => raising("qi_str_concat", &[I64, I64, I32, I32]),
        Append => raising("qi_str_append", &[I64, I64, I32, I32]),
        IntToStr => rt("qi_str_from_int", &[I64], Some(I64)),
        FloatToStr => rt("qi_str_from_float", &[F64], Some(I64)),
        BoolToStr => rt("qi_str_from_bool", &[I8], Some(I64)),
        CharToStr => rt("qi_str_from_char", &[I32], Some(I64)),
        StrToInt => rt("qi_str_to_int", &[I64], Some(I64)),
        StrToFloat => rt("qi_str_to_float", &[I64], Some(F64)),
        StrLen => rt("qi_str_len", &[I64], Some(I64)),
        PrintStr => rt("qi_print_str", &[I64], None),
        PrintStrLine => rt("qi_print_str_line", &[I64], None),
        PrintInt => rt("qi_print_int", &[I64], None),
        PrintFloat => rt("qi_print_float", &[F64], None),
        PrintBool => rt("qi_print_bool", &[I8], None),
        PrintChar => rt("qi_print_char", &[I32], None),
        PrintSpace => rt("qi_print_space", &[], None),
        PrintNewline => rt("qi_print_newline", &[], None),
        Args => rt("qi_args", &[], Some(I64)),
        Input => rt("qi_input", &[], Some(I64)),
        InputPrompt => rt("qi_input_prompt", &[I64], Some(I64)),
        Library(f) => library(f),
        Throw => rt("qi_throw", &[I64, I64, I64], None),
        ThrowCaused => rt("qi_throw_caused", &[I64, I64, I64, I64], None),
        ExcTake => rt("qi_exc_take", &[], Some(I64)),
        ExcRethrow => rt("qi_exc_rethrow", &[I64], None),
        ExcMessage => rt("qi_exc_message", &[I64], Some(I64)),
        ExcLocation => rt("qi_exc_location", &[I64], Some(I64)),
        ExcCause => rt("qi_exc_cause", &[I64], Some(I64)),
        ExcTrace => rt("qi_exc_trace", &[I64, I64, I64], None),
        Spawn => rt("qi_spawn", &[I64], None),
        ChanNew(_) => raising("qi_chan_new", &[I64, I8, I32, I32]),
        ChanSend(_) => raising("qi_chan_send", &[I64, I64, I32, I32]),
        ChanRecv(_) => rt("qi_chan_recv", &[I64], Some(I64)),
        ChanRecvOk => rt("qi_chan_recv_ok", &[I64], Some(I8)),
        ChanTake(_) => rt("qi_chan_take", &[], Some(I64)),
        ChanClose => raising("qi_chan_close", &[I64, I32, I32]),
        SelectBegin => rt("qi_select_begin", &[], None),
        SelectRecv => rt("qi_select_recv", &[I64], None),
        SelectSend(_) => rt("qi_select_send", &[I64, I64], None),
        SelectWait => raising("qi_select_wait", &[I64, I8, I32, I32]),
        WaitGroupNew => rt("qi_wg_new", &[], Some(I64)),
        WaitGroupAdd => raising("qi_wg_add", &[I64, I64, I32, I32]),
        WaitGroupDone => raising("qi_wg_done", &[I64, I32, I32]),
        WaitGroupWait => raising("qi_wg_wait", &[I64, I32, I32]),
        MutexNew => rt("qi_mutex_new", &[], Some(I64)),
        MutexLock => raising("qi_mutex_lock", &[I64, I32, I32]),
        MutexUnlock => raising("qi_mutex_unlock", &[I64, I32, I32]),
        MutexTryLock => raising("qi_mutex_try_lock", &[I64, I32, I32]),
        Sleep => rt("qi_sleep", &[I64], None),
        Yield => rt("qi_yield", &[], None),
        TimeMs => rt("qi_time_ms", &[], Some(I64)),
        TimerNew => rt("qi_timer_new", &[I64], Some(I64)),
        RunAll => rt("qi_run_all", &[], None),
        Step => rt("qi_step", &[], Some(I64)),
        TimerExpired => raising("qi_timer_expired", &[I64, I32, I32]),
        TimerStop => raising("qi_timer_stop", &[I64, I32, I32]),
        FutureNew(_) => rt("qi_future_new", &[I8], Some(I64)),
        FutureSpawn => rt("qi_future_spawn", &[I64, I64, I64], None),
        FutureComplete(_) => rt("qi_future_complete", &[I64, I64], None),
        FutureReady(_) => rt("qi_future_ready", &[I64, I8], Some(I64)),
        FutureFailed(_) => rt("qi_future_failed", &[I64, I8], Some(I64)),
        Await(_) => raising("qi_await", &[I64, I32, I32]),
        GenNew(_) => rt("qi_gen_new", &[I64, I8], Some(I64)),
        GenResume => raising("qi_gen_resume", &[I64, I32, I32]),
        GenTake(_) => rt("qi_gen_take", &[I64], Some(I64)),
        GenYield(_) => raising("qi_gen_yield", &[I64, I32, I32]),
    }
}

/// The runtime function of a library function, from its row (`qi_ir::library`).
pub fn library(f: LibId) -> RtFn {
    static TABLE: OnceLock<Vec<RtFn>> = OnceLock::new();
    TABLE.get_or_init(|| qi_ir::library::rows().map(|(_, row)| library_rt_fn(row)).collect())
        [f.0 as usize]
}

fn library_rt_fn(row: &'static qi_ir::LibFn) -> RtFn {
    let location: &[LibType] = if row.located { &qi_ir::library::LOCATION_PARAMS } else { &[] };
    let mut params: Vec<ClifType> =
        row.params.iter().chain(location).map(|t| lib_clif_type(*t).unwrap_or(I64)).collect();
    if row.raises {
        // The call's file and line, as every raising entry point takes them.
        params.extend([I32, I32]);
    }
    // Built once per row for the life of the process (the table is a static).
    let params: &'static [ClifType] = Vec::leak(params);
    if row.raises {
        return raising(row.symbol, params);
    }
    rt(row.symbol, params, lib_clif_type(row.ret))
}

/// Machine type of a library parameter or result; `None` for `空`.
fn lib_clif_type(t: LibType) -> Option<ClifType> {
    clif_type(&t.ty())
}

/// Native signature of a runtime function (small integers are zero-extended, as Rust's
/// `extern "C"` callees expect).
pub fn signature(f: RtFn, call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    let param =
        |t: ClifType| if t.bits() < 32 { AbiParam::new(t).uext() } else { AbiParam::new(t) };
    sig.params.extend(f.params.iter().map(|t| param(*t)));
    if let Some(r) = f.ret {
        sig.returns.push(AbiParam::new(r));
    }
    if f.raising {
        sig.returns.push(AbiParam::new(I64));
    }
    sig
}

/// Machine type of a Qi value; `None` for `空`.
pub fn clif_type(t: &Type) -> Option<ClifType> {
    // Integers, payload-less enums (their tag) and every object pointer are 64-bit.
    Some(match t {
        Type::Void => return None,
        Type::Float => F64,
        Type::Bool => I8,
        Type::Char => I32,
        _ => I64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use qi_ir::Bits;
    use qi_rt::AbiType;

    fn abi(t: AbiType) -> ClifType {
        match t {
            AbiType::I64 | AbiType::Ptr | AbiType::Raising => I64,
            AbiType::F64 => F64,
            AbiType::U32 => I32,
            AbiType::U8 => I8,
        }
    }

    /// Every builtin's and every library row's declared signature matches the runtime's entry point of that name.
    #[test]
    fn builtin_signatures_match_the_runtime() {
        use Builtin::*;
        let b = Bits::Int;
        let all = [
            Concat,
            Append,
            IntToStr,
            FloatToStr,
            BoolToStr,
            CharToStr,
            StrToInt,
            StrToFloat,
            StrLen,
            PrintStr,
            PrintStrLine,
            PrintInt,
            PrintFloat,
            PrintBool,
            PrintChar,
            PrintSpace,
            PrintNewline,
            Args,
            Input,
            InputPrompt,
            Throw,
            ThrowCaused,
            ExcTake,
            ExcRethrow,
            ExcMessage,
            ExcLocation,
            ExcCause,
            ExcTrace,
            Spawn,
            ChanNew(b),
            ChanSend(b),
            ChanRecv(b),
            ChanRecvOk,
            ChanTake(b),
            ChanClose,
            SelectBegin,
            SelectRecv,
            SelectSend(b),
            SelectWait,
            WaitGroupNew,
            WaitGroupAdd,
            WaitGroupDone,
            WaitGroupWait,
            MutexNew,
            MutexLock,
            MutexUnlock,
            MutexTryLock,
            Sleep,
            Yield,
            TimeMs,
            TimerNew,
            TimerExpired,
            TimerStop,
            RunAll,
            Step,
            FutureNew(b),
            FutureSpawn,
            FutureComplete(b),
            FutureReady(b),
            FutureFailed(b),
            Await(b),
            GenNew(b),
            GenResume,
            GenTake(b),
            GenYield(b),
        ];
        let library = qi_ir::library::rows().map(|(id, _)| Library(id));
        let table = qi_rt::entry_points();
        for op in all.into_iter().chain(library) {
            let f = builtin(op);
            let e = table
                .iter()
                .find(|e| e.name == f.symbol)
                .unwrap_or_else(|| panic!("{} is not a runtime entry point", f.symbol));
            let params: Vec<ClifType> = e.params.iter().map(|t| abi(*t)).collect();
            assert_eq!(params, f.params, "parameters of {}", f.symbol);
            assert_eq!(e.ret.map(abi), f.ret, "result of {}", f.symbol);
            assert_eq!(e.ret == Some(AbiType::Raising), f.raising, "raising flag of {}", f.symbol);
        }
    }

    /// The runtime functions of foreign calls match their entry points.
    #[test]
    fn foreign_call_helpers_match_the_runtime() {
        let table = qi_rt::entry_points();
        for f in [
            FFI_CSTR,
            FFI_CSTR_FREE,
            FFI_STR_FROM_C,
            FFI_CALLBACKS_BEGIN,
            FFI_CALLBACKS_END,
            FFI_CALLBACK_ENTER,
            FFI_ENTER,
            FFI_LEAVE,
        ] {
            let e = table.iter().find(|e| e.name == f.symbol).expect("an entry point");
            let params: Vec<ClifType> = e.params.iter().map(|t| abi(*t)).collect();
            assert_eq!(params, f.params, "parameters of {}", f.symbol);
            assert_eq!(e.ret.map(abi), f.ret, "result of {}", f.symbol);
        }
    }
}
