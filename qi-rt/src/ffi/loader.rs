//! Loading the libraries of `外部 "名"` blocks and resolving their C functions.
//!
//! Each library is opened once per process and never closed (generated code keeps the
//! addresses of its functions for as long as the process lives), so every file of a
//! program naming the same library shares one handle.

use libloading::os::unix::Library;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Why a library or a function could not be found: the loader's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError(pub String);

/// Opened libraries by the name the program wrote.
fn libraries() -> &'static Mutex<HashMap<String, &'static Library>> {
    static LIBS: OnceLock<Mutex<HashMap<String, &'static Library>>> = OnceLock::new();
    LIBS.get_or_init(Default::default)
}

/// The files tried, in order, for a library name: `""` is the process itself (`None`),
/// a name with a `/` or `.so` is a file name or path as written, and a short name `x`
/// is `libx.so` (the development link, present when headers are installed) and then
/// the run-time names the systems ship (`libm.so.6`, `libc.so.6`, `libz.so.1`).
pub fn candidates(name: &str) -> Vec<Option<String>> {
    if name.is_empty() {
        return vec![None];
    }
    if name.contains('/') || name.contains(".so") {
        return vec![Some(name.to_string())];
    }
    let mut files = vec![Some(format!("lib{name}.so"))];
    let soname = match name {
        "c" | "m" | "dl" | "pthread" | "rt" => Some(6),
        "z" => Some(1),
        _ => None,
    };
    if let Some(v) = soname {
        files.push(Some(format!("lib{name}.so.{v}")));
    }
    files
}

/// The library `name` (see [`candidates`]), opened on first use.
pub fn library(name: &str) -> Result<&'static Library, LoadError> {
    let mut libs = libraries().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(lib) = libs.get(name) {
        return Ok(lib);
    }
    let mut first_error = None;
    for file in candidates(name) {
        let opened = match &file {
            None => Ok(Library::this()),
            // SAFETY: loading a library runs its initialisers. The program asked for this
            // library by name in an `外部` block; what its code does is the program's
            // responsibility (docs/FFI.md: foreign code is trusted).
            Some(f) => unsafe { Library::new(f) },
        };
        match opened {
            Ok(lib) => {
                let lib: &'static Library = Box::leak(Box::new(lib));
                libs.insert(name.to_string(), lib);
                return Ok(lib);
            }
            Err(e) => {
                first_error.get_or_insert(loader_message(&e));
            }
        }
    }
    Err(LoadError(first_error.unwrap_or_default()))
}

/// The address of C function `symbol` of library `lib`.
pub fn function(lib: &str, symbol: &str) -> Result<usize, LoadError> {
    let library = library(lib)?;
    // SAFETY: the symbol is only looked up here, as an untyped address; generated code
    // calls it with the signature the `外部` block declares (docs/FFI.md: a wrong
    // declaration is undefined behaviour, as in C).
    let found = unsafe { library.get::<*const u8>(symbol) };
    match found {
        Ok(sym) => {
            let addr = sym.into_raw() as usize;
            if addr == 0 {
                return Err(LoadError(format!("{symbol}: null address")));
            }
            Ok(addr)
        }
        Err(e) => Err(LoadError(loader_message(&e))),
    }
}

/// What `dlerror` said (libloading's own text is only "dlopen failed" and keeps the
/// system's message as the error's source).
fn loader_message(e: &libloading::Error) -> String {
    use std::error::Error as _;
    match e.source() {
        Some(source) => source.to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_try_the_development_link_then_the_soname() {
        assert_eq!(candidates("z"), vec![Some("libz.so".into()), Some("libz.so.1".into())]);
        assert_eq!(candidates("m"), vec![Some("libm.so".into()), Some("libm.so.6".into())]);
        assert_eq!(candidates("foo"), vec![Some("libfoo.so".into())]);
        assert_eq!(candidates("./x.so"), vec![Some("./x.so".into())]);
        assert_eq!(candidates(""), vec![None]);
    }

    #[test]
    fn the_c_library_and_the_process_resolve_strlen() {
        let from_c = function("c", "strlen").expect("libc");
        let from_self = function("", "strlen").expect("process");
        assert_eq!(from_c, from_self);
        // One handle per name.
        assert!(std::ptr::eq(library("c").unwrap(), library("c").unwrap()));
    }

    #[test]
    fn a_missing_library_or_symbol_says_what_the_loader_said() {
        let e = library("qi_no_such_library").unwrap_err();
        assert!(e.0.contains("libqi_no_such_library.so"), "{e:?}");
        let e = function("c", "qi_no_such_function").unwrap_err();
        assert!(e.0.contains("qi_no_such_function"), "{e:?}");
    }
}
