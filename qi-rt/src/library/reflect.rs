//! The `反射` module (builtins.md §G.3, §G.4): the functions, structs and enums of the
//! running program, read from the description the engine registers before the program
//! starts ([`register`]; the compiler decides what it holds, see qi-ir
//! `check/reflect.rs`). Nothing here raises (§G.1): a name the program does not declare
//! gives `""` or 0, an index out of range `""`.

use parking_lot::RwLock;

use crate::array::{new_string_array, Array};
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// What the program declares, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramInfo {
    /// (name, signature text), each name once (overloads' signatures one per line).
    pub functions: Vec<(String, String)>,
    /// (name, fields text).
    pub structs: Vec<(String, String)>,
    pub enums: Vec<String>,
}

static INFO: RwLock<ProgramInfo> =
    RwLock::new(ProgramInfo { functions: Vec::new(), structs: Vec::new(), enums: Vec::new() });

/// Registers the description of the program about to run (replacing an earlier one).
pub fn register(info: ProgramInfo) {
    *INFO.write() = info;
}

/// The text paired with `name`, `""` when there is none.
fn text_of(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap_or_default()
}

/// The name at index `i`, `""` out of range.
fn name_at(pairs: &[(String, String)], i: i64) -> String {
    usize::try_from(i).ok().and_then(|i| pairs.get(i)).map(|(n, _)| n.clone()).unwrap_or_default()
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(n, _)| n.as_str()).collect()
}

// ---- entry points ---------------------------------------------------------------------

/// `函数列表()` → the program's function names.
pub extern "C" fn qi_reflect_function_list() -> *mut Array {
    guard(|| new_string_array(&names(&INFO.read().functions)))
}

/// `有函数(名)` → 1/0.
///
/// # Safety
/// `name` is null or a live string object.
pub unsafe extern "C" fn qi_reflect_has_function(name: *const Str) -> i64 {
    // SAFETY: per the caller.
    let name = unsafe { str_as_str(name) };
    guard(|| i64::from(INFO.read().functions.iter().any(|(n, _)| n == name)))
}

/// `函数签名(名)` → its signature text (`函数 加(a: 整数, b: 整数): 整数`), `""` if none.
///
/// # Safety
/// `name` is null or a live string object.
pub unsafe extern "C" fn qi_reflect_function_signature(name: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let name = unsafe { str_as_str(name) };
    guard(|| new_str(&text_of(&INFO.read().functions, name)))
}

/// `函数数量()`.
pub extern "C" fn qi_reflect_function_count() -> i64 {
    guard(|| INFO.read().functions.len() as i64)
}

/// `函数名(i)` → the `i`-th function name, `""` out of range.
pub extern "C" fn qi_reflect_function_name(i: i64) -> *mut Str {
    guard(|| new_str(&name_at(&INFO.read().functions, i)))
}

/// `结构体列表()` → the program's struct names.
pub extern "C" fn qi_reflect_struct_list() -> *mut Array {
    guard(|| new_string_array(&names(&INFO.read().structs)))
}

/// `结构体字段(名)` → its fields text (`x: 整数, y: 浮点数`), `""` if none.
///
/// # Safety
/// `name` is null or a live string object.
pub unsafe extern "C" fn qi_reflect_struct_fields(name: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let name = unsafe { str_as_str(name) };
    guard(|| new_str(&text_of(&INFO.read().structs, name)))
}

/// `结构体数量()`.
pub extern "C" fn qi_reflect_struct_count() -> i64 {
    guard(|| INFO.read().structs.len() as i64)
}

/// `结构体名(i)` → the `i`-th struct name, `""` out of range.
pub extern "C" fn qi_reflect_struct_name(i: i64) -> *mut Str {
    guard(|| new_str(&name_at(&INFO.read().structs, i)))
}

/// `枚举列表()` → the program's enum names.
pub extern "C" fn qi_reflect_enum_list() -> *mut Array {
    guard(|| new_string_array(&INFO.read().enums))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let functions = vec![
            ("加".to_owned(), "函数 加(a: 整数, b: 整数): 整数".to_owned()),
            ("入口".to_owned(), "函数 入口()".to_owned()),
        ];
        assert_eq!(text_of(&functions, "加"), "函数 加(a: 整数, b: 整数): 整数");
        assert_eq!(text_of(&functions, "减"), "");
        assert_eq!(name_at(&functions, 1), "入口");
        assert_eq!(name_at(&functions, 2), "");
        assert_eq!(name_at(&functions, -1), "");
        assert_eq!(name_at(&functions, i64::MIN), "");
        assert_eq!(names(&functions), ["加", "入口"]);
    }
}
