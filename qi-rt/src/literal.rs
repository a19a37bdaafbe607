//! Immortal string constants: source literals (interned, leaked) and a few
//! strings the runtime itself returns often (`""`, `真`, `假`), which live in
//! statics so that producing them allocates nothing.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::object::{Header, ObjKind, FLAG_IMMORTAL};
use crate::string::{Str, STR_DATA_OFFSET};

/// A string object laid out in a static: the 16-byte string prefix followed
/// directly by its bytes, exactly like a heap string, and a NUL (as every immortal
/// string has: C functions read literals in place, `crate::ffi::strings`).
#[repr(C)]
struct StaticStr<const N: usize> {
    prefix: Str,
    bytes: [u8; N],
    nul: u8,
}

const _: () = assert!(std::mem::offset_of!(StaticStr<3>, bytes) == STR_DATA_OFFSET as usize);

const fn static_str<const N: usize>(s: &str) -> StaticStr<N> {
    let src = s.as_bytes();
    assert!(src.len() == N);
    let mut bytes = [0u8; N];
    let mut i = 0;
    while i < N {
        bytes[i] = src[i];
        i += 1;
    }
    StaticStr {
        prefix: Str { header: Header::immortal(ObjKind::Str, 0), len: N as u64 },
        bytes,
        nul: 0,
    }
}

static EMPTY: StaticStr<0> = static_str("");
static TRUE: StaticStr<3> = static_str("真");
static FALSE: StaticStr<3> = static_str("假");

/// Reference counting never writes to an immortal object (it checks the flag
/// first), so handing out `*mut` to these statics is sound.
fn static_ptr<const N: usize>(s: &'static StaticStr<N>) -> *mut Str {
    s as *const StaticStr<N> as *mut Str
}

/// The immortal empty string.
pub fn empty_str() -> *mut Str {
    static_ptr(&EMPTY)
}

/// The immortal `真` or `假`.
pub fn bool_str(b: bool) -> *mut Str {
    if b {
        static_ptr(&TRUE)
    } else {
        static_ptr(&FALSE)
    }
}

/// Interned literals, text → object address (addresses are stored as usize
/// because raw pointers are not `Send`; the objects are never freed).
fn interned() -> &'static Mutex<HashMap<Box<str>, usize>> {
    static TABLE: OnceLock<Mutex<HashMap<Box<str>, usize>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The immortal string object for a literal. The same text always gives the
/// same pointer, so the JIT can embed it as a constant at compile time.
pub fn new_immortal_str(s: &str) -> *mut Str {
    if s.is_empty() {
        return empty_str();
    }
    let mut table = interned().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&addr) = table.get(s) {
        return addr as *mut Str;
    }
    // Literals live for the whole program; being immortal, they are not
    // "live objects" of the leak report either.
    let p = crate::string::new_nul_terminated_str(s.as_bytes(), FLAG_IMMORTAL);
    table.insert(s.into(), p as usize);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::live_count;
    use crate::string::str_as_str;
    use crate::test_support::{exclusive, release, retain};

    #[test]
    fn interning_returns_the_same_pointer() {
        let a = new_immortal_str("你好");
        let b = new_immortal_str(&String::from("你好"));
        assert_eq!(a, b);
        assert_ne!(a, new_immortal_str("你好!"));
        assert_eq!(new_immortal_str(""), empty_str());
        // SAFETY: immortal strings are always live.
        assert_eq!(unsafe { str_as_str(a) }, "你好");
    }

    #[test]
    fn release_never_frees_immortals() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let p = new_immortal_str("常量 literal");
        assert_eq!(live_count(ObjKind::Str), before, "literals are not counted");
        for _ in 0..5 {
            release(p);
        }
        retain(p);
        // SAFETY: immortal strings are always live.
        assert_eq!(unsafe { str_as_str(p) }, "常量 literal");
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn static_constants() {
        for (p, text) in [(empty_str(), ""), (bool_str(true), "真"), (bool_str(false), "假")] {
            retain(p);
            release(p);
            release(p);
            // SAFETY: static strings are always live.
            assert_eq!(unsafe { str_as_str(p) }, text);
        }
    }
}
