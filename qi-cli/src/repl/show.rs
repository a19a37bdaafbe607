//! Showing a value the session holds (a word of a global slot) as Qi-like text, by its
//! static type: numbers, booleans and characters as `打印行` prints them, strings and
//! characters quoted, arrays as `[1, 2]`, structs as `点 { x: 1, y: 2 }`, enums by their
//! variant. Reading objects follows the runtime's layouts (qi-rt `string`, `array`,
//! `record`).

use qi_ir::{Module, Type};
use qi_rt::array::{Array, ARRAY_DATA_OFFSET, ELEM_BYTE};
use qi_rt::record::RECORD_SLOTS_OFFSET;

/// Nesting shown before `…` (values may be deep or cyclic).
const MAX_DEPTH: usize = 6;
/// Elements of an array shown before `…`.
const MAX_ELEMENTS: usize = 100;

/// The text of the value `word` of type `ty`.
///
/// `word` must be a value of `ty` that stays alive while this runs: the program that made
/// it has ended and the session owns it.
pub fn value(word: u64, ty: &Type, module: &Module) -> String {
    let mut out = String::new();
    write(&mut out, word, ty, module, 0);
    out
}

fn write(out: &mut String, word: u64, ty: &Type, module: &Module, depth: usize) {
    match ty {
        Type::Void => out.push('空'),
        Type::Int | Type::Ptr => out.push_str(&(word as i64).to_string()),
        Type::Float => out.push_str(&float(f64::from_bits(word))),
        Type::Bool => out.push_str(if word & 0xff != 0 { "真" } else { "假" }),
        Type::Char => {
            let c = char::from_u32(word as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
            out.push('\'');
            out.push(c);
            out.push('\'');
        }
        Type::Str => {
            out.push('"');
            // SAFETY: a string value is null or a live string (per `value`).
            out.push_str(unsafe { qi_rt::string::str_as_str(word as *const qi_rt::string::Str) });
            out.push('"');
        }
        _ if depth >= MAX_DEPTH => out.push('…'),
        Type::Array(elem) => array(out, word, elem, module, depth),
        Type::Struct(s) => {
            let def = &module.structs[s.id.index()];
            out.push_str(&def.name);
            if word == 0 {
                out.push_str(" {}");
                return;
            }
            out.push_str(" { ");
            for (i, (name, field_ty)) in def.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push_str(": ");
                write(out, slot(word, i), field_ty, module, depth + 1);
            }
            out.push_str(" }");
        }
        Type::Enum { e, boxed, nullable } => {
            let def = &module.enums[e.id.index()];
            // `选项<对象>`: the object itself, or null for `无`.
            let (tag, payload_at) = match (nullable, boxed) {
                (true, _) => (usize::from(word != 0), None),
                (false, true) if word == 0 => return out.push('…'),
                (false, true) => (slot(word, 0) as usize, Some(1)),
                (false, false) => (word as usize, None),
            };
            let Some(variant) = def.variants.get(tag) else { return out.push('…') };
            // `选项` and `结果` read as their constructors (`有(1)`, `无`).
            if !def.name.starts_with("选项<") && !def.name.starts_with("结果<") {
                out.push_str(&def.name);
                out.push('.');
            }
            out.push_str(&variant.name);
            if variant.payload.is_empty() {
                return;
            }
            out.push('(');
            for (i, payload_ty) in variant.payload.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let w = match payload_at {
                    Some(first) => slot(word, first + i),
                    None => word,
                };
                write(out, w, payload_ty, module, depth + 1);
            }
            out.push(')');
        }
        Type::Fn(_) => out.push_str("<函数>"),
        Type::Chan(_) => out.push_str("<通道>"),
        Type::Future(_) => out.push_str("<未来>"),
        Type::Gen(_) => out.push_str("<协程>"),
        Type::Exception => out.push_str("<异常>"),
    }
}

fn array(out: &mut String, word: u64, elem: &Type, module: &Module, depth: usize) {
    out.push('[');
    if word != 0 {
        let p = word as *const Array;
        // SAFETY: a non-null array value is a live array (per `value`); its length and
        // element kind are in its header.
        let (len, kind) = unsafe { ((*p).len as usize, (*p).header.aux) };
        for i in 0..len.min(MAX_ELEMENTS) {
            if i > 0 {
                out.push_str(", ");
            }
            // SAFETY: `i` is below the length; elements are one byte (`ELEM_BYTE`) or
            // eight after the array's prefix.
            let w = unsafe {
                let data = (p as *const u8).add(ARRAY_DATA_OFFSET as usize);
                if kind == ELEM_BYTE {
                    u64::from(*data.add(i))
                } else {
                    (data as *const u64).add(i).read()
                }
            };
            write(out, w, elem, module, depth + 1);
        }
        if len > MAX_ELEMENTS {
            out.push_str(", …");
        }
    }
    out.push(']');
}

/// Slot `i` of the live record `word`.
fn slot(word: u64, i: usize) -> u64 {
    // SAFETY: callers pass a live record of a type with more than `i` slots (a struct's
    // fields, an enum variant's tag and payload), each 8 bytes after the record's prefix.
    unsafe { ((word as *const u8).add(RECORD_SLOTS_OFFSET as usize) as *const u64).add(i).read() }
}

/// A float as `打印行` prints it (integral values keep `.0`).
fn float(x: f64) -> String {
    let mut out = Vec::new();
    qi_rt::format::fmt_float(x, &mut out);
    String::from_utf8(out).expect("float text is ASCII")
}
