//! The one place where Rust jumps into generated code.

/// Call a compiled `extern "C" fn() -> u8` and return its status.
///
/// # Safety
/// `code` must point to finalized machine code of a function with no parameters whose only
/// result is a `u8` status, compiled for the host calling convention, that stays mapped
/// during the call.
pub unsafe fn call_main(code: *const u8) -> u8 {
    // SAFETY: guaranteed by the caller (see above).
    let f: extern "C" fn() -> u8 = unsafe { std::mem::transmute(code) };
    f()
}
