//! Strings at the C boundary. A Qi string has no NUL terminator of its own
//! (`crate::string`), but literals (immortal strings) are laid out with a NUL after their
//! bytes: such a `字符串` argument is passed as is, with no copy. Any other string is
//! passed as a NUL-terminated copy made before the call and freed after it; a returned `char*` is copied into a new Qi string (the C side keeps
//! ownership of its buffer).

use crate::guard::guard;
use crate::object::FLAG_IMMORTAL;
use crate::string::{new_str, str_bytes, Str, STR_DATA_OFFSET};
use std::ffi::{c_char, CStr};

/// A NUL-terminated `const char*` for `s` (null → `""`): the string's own bytes when a
/// NUL follows them (a literal), else a `malloc`ed copy; either way given back to
/// [`qi_ffi_cstr_free`] after the call. A string holding a NUL byte reads as shorter on
/// the C side, as in C.
///
/// # Safety
/// `s` is null or a live string object.
#[no_mangle]
pub unsafe extern "C" fn qi_ffi_cstr(s: *const Str) -> *mut c_char {
    // SAFETY: generated code passes null or a live string it holds for the call.
    if let Some(p) = unsafe { nul_terminated_data(s) } {
        return p as *mut c_char;
    }
    guard(|| {
        // SAFETY: generated code passes null or a live string it holds for the call.
        let bytes = unsafe { str_bytes(s) };
        // SAFETY: malloc of a non-zero size; null is checked below.
        let p = unsafe { libc::malloc(bytes.len() + 1) } as *mut u8;
        if p.is_null() {
            crate::error::runtime_error(
                "内存不足：无法为外部函数的字符串参数分配空间".into(),
                "out of memory: cannot allocate a string argument of a foreign function".into(),
            );
        }
        // SAFETY: `p` holds `len + 1` bytes; the source is the string's `len` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
        }
        p as *mut c_char
    })
}

/// The bytes of `s` when a NUL follows them (immortal strings: literals and the
/// runtime's constants, `crate::literal`), so C may read them in place; null gives the
/// empty constant's.
///
/// # Safety
/// `s` is null or a live string object.
unsafe fn nul_terminated_data(s: *const Str) -> Option<*const u8> {
    let s = if s.is_null() { crate::literal::empty_str() as *const Str } else { s };
    // SAFETY: `s` is live; an immortal string is never freed and never changed, and
    // `crate::literal` lays every one out with a NUL after its bytes.
    unsafe {
        ((*s).header.flags & FLAG_IMMORTAL != 0)
            .then(|| (s as *const u8).add(STR_DATA_OFFSET as usize))
    }
}

/// Ends the use of `p`, which [`qi_ffi_cstr`] gave for `s`: frees it when it is a copy.
///
/// # Safety
/// `p` came from `qi_ffi_cstr(s)` and is given back once; `s` is still live.
#[no_mangle]
pub unsafe extern "C" fn qi_ffi_cstr_free(s: *const Str, p: *mut c_char) {
    // SAFETY: per the caller: `s` is still live, so the check gives what `qi_ffi_cstr`
    // saw, and a copy (malloc) is freed once, after the call.
    unsafe {
        if nul_terminated_data(s) != Some(p as *const u8) {
            libc::free(p as *mut libc::c_void)
        }
    }
}

/// A new Qi string holding the text of the C string `p`; a null `char*` gives `""`, and
/// bytes that are not UTF-8 become U+FFFD (docs/FFI.md).
///
/// # Safety
/// `p` is null or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn qi_ffi_str_from_c(p: *const c_char) -> *mut Str {
    guard(|| {
        if p.is_null() {
            return new_str("");
        }
        // SAFETY: the foreign function returned a NUL-terminated string (its declared
        // result type is `字符串`); it stays valid while it is copied here.
        let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
        new_str(&String::from_utf8_lossy(bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::string::str_as_str;

    #[test]
    fn a_string_goes_to_c_and_back() {
        let s = new_str("奇语 abc");
        // SAFETY: `s` is a live string; `c` is its NUL-terminated copy, freed once;
        // `back` is a live string; the test owns both strings.
        unsafe {
            let c = qi_ffi_cstr(s);
            assert_ne!(c as *const u8, str_bytes(s).as_ptr(), "a heap string is copied");
            assert_eq!(CStr::from_ptr(c).to_str().unwrap(), "奇语 abc");
            let back = qi_ffi_str_from_c(c);
            assert_eq!(str_as_str(back), "奇语 abc");
            qi_ffi_cstr_free(s, c);
            crate::object::qi_release(back as _);
            crate::object::qi_release(s as _);
        }
    }

    #[test]
    fn literals_are_passed_in_place() {
        let lit = crate::literal::new_immortal_str("字面量 lit");
        // SAFETY: immortal strings live forever; `c` is given back once.
        unsafe {
            let c = qi_ffi_cstr(lit);
            assert_eq!(c as *const u8, str_bytes(lit).as_ptr(), "no copy");
            assert_eq!(CStr::from_ptr(c).to_str().unwrap(), "字面量 lit");
            qi_ffi_cstr_free(lit, c);
            let t = crate::literal::bool_str(true);
            let c = qi_ffi_cstr(t);
            assert_eq!(CStr::from_ptr(c).to_str().unwrap(), "真");
            qi_ffi_cstr_free(t, c);
        }
    }

    #[test]
    fn null_is_the_empty_string_both_ways() {
        // SAFETY: null is accepted both ways; `c` is the copy, freed once.
        unsafe {
            let c = qi_ffi_cstr(std::ptr::null());
            assert_eq!(*c, 0);
            qi_ffi_cstr_free(std::ptr::null(), c);
            assert_eq!(str_as_str(qi_ffi_str_from_c(std::ptr::null())), "");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_replaced() {
        let c = b"a\xffb\0";
        // SAFETY: `c` is NUL-terminated; `s` is a live string the test owns.
        unsafe {
            let s = qi_ffi_str_from_c(c.as_ptr() as *const c_char);
            assert_eq!(str_as_str(s), "a\u{fffd}b");
            crate::object::qi_release(s as _);
        }
    }
}
