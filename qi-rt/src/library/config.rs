//! The `配置` module (builtins.md §G.3, §G.4): TOML and INI files read as JSON text and
//! written from it. Nothing here raises (§G.1): reading gives `""` when the file cannot
//! be read, is not UTF-8 or is not valid TOML/INI; writing gives 0 on success and -1 when
//! the JSON is not an object the format can hold or the file cannot be written (nothing
//! is written then).
//!
//! JSON is compact and keeps the document's order. The mappings:
//! * TOML → JSON: tables are objects, arrays arrays, strings, integers, booleans as
//!   themselves, floats as numbers (`inf`, `-inf`, `nan`, which JSON lacks, as those
//!   strings), datetimes as strings in their TOML form (`1979-05-27T07:32:00Z`,
//!   `1979-05-27`, `07:32:00`).
//! * JSON → TOML: the same backwards (so a datetime read as a string is written as a
//!   string); `null` (TOML has none) and integers beyond 64-bit signed fail.
//! * INI → JSON: keys before the first section are members of the top object, each
//!   section is an object member; every value is a string. Values are taken literally
//!   (no backslash escapes), surrounding quotes are removed, `;` and `#` start comment
//!   lines. A repeated key keeps its first place and its last value; a repeated section
//!   is merged into its first; a section named like a key before the sections replaces it.
//! * JSON → INI: scalar members are the keys before the first section (whatever their
//!   place in the object), object members are sections whose members must be scalars;
//!   numbers and booleans are written as their JSON text. Arrays, nested objects, `null`,
//!   and text that reading the file back would not give unchanged (a line break in a
//!   value, `=` in a key, spaces around a value …) fail.

use std::fs;

use ini::{EscapePolicy, Ini, LineSeparator, ParseOption, Properties, WriteOption};
use serde_json::{Map, Number, Value as Json};

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// The file's text; `None` when it cannot be read or is not UTF-8.
fn read_text(path: &str) -> Option<String> {
    String::from_utf8(fs::read(path).ok()?).ok()
}

/// The JSON object text `json`; `None` when it is not valid JSON or not an object.
fn json_object(json: &str) -> Option<Map<String, Json>> {
    match serde_json::from_str(json).ok()? {
        Json::Object(map) => Some(map),
        _ => None,
    }
}

// ---- TOML -----------------------------------------------------------------------------

fn toml_to_json(v: toml::Value) -> Json {
    match v {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => Number::from_f64(f).map_or_else(
            || Json::String(if f.is_nan() { "nan".into() } else { format!("{f}") }),
            Json::Number,
        ),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn json_to_toml(v: Json) -> Option<toml::Value> {
    Some(match v {
        Json::Null => return None,
        Json::Bool(b) => toml::Value::Boolean(b),
        Json::Number(n) if n.is_f64() => toml::Value::Float(n.as_f64()?),
        Json::Number(n) => toml::Value::Integer(n.as_i64()?),
        Json::String(s) => toml::Value::String(s),
        Json::Array(a) => {
            toml::Value::Array(a.into_iter().map(json_to_toml).collect::<Option<_>>()?)
        }
        Json::Object(m) => toml::Value::Table(json_to_toml_table(m)?),
    })
}

fn json_to_toml_table(m: Map<String, Json>) -> Option<toml::Table> {
    m.into_iter().map(|(k, v)| Some((k, json_to_toml(v)?))).collect()
}

/// The TOML document `text` as JSON text; `None` when it is not TOML.
pub fn toml_text_to_json(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    Some(toml_to_json(toml::Value::Table(table)).to_string())
}

/// The JSON object text `json` as a TOML document; `None` when it cannot be one.
pub fn json_to_toml_text(json: &str) -> Option<String> {
    toml::to_string(&json_to_toml_table(json_object(json)?)?).ok()
}

/// `读取TOML(路径)`.
pub fn read_toml(path: &str) -> Option<String> {
    toml_text_to_json(&read_text(path)?)
}

/// `写入TOML(路径, JSON文本)`.
pub fn write_toml(path: &str, json: &str) -> Option<()> {
    fs::write(path, json_to_toml_text(json)?).ok()
}

// ---- INI ------------------------------------------------------------------------------

/// How INI text is read (and what a written file must read back as).
fn ini_parse_option() -> ParseOption {
    ParseOption { enabled_quote: true, enabled_escape: false, ..ParseOption::default() }
}

/// The INI document `ini` as a JSON object.
fn ini_to_json(ini: &Ini) -> Map<String, Json> {
    let mut top = Map::new();
    for (section, props) in ini.iter() {
        let pairs = props.iter().map(|(k, v)| (k.to_owned(), Json::String(v.to_owned())));
        match section {
            None => top.extend(pairs),
            Some(name) => match top.get_mut(name) {
                Some(Json::Object(merged)) => merged.extend(pairs),
                _ => {
                    top.insert(name.to_owned(), Json::Object(pairs.collect()));
                }
            },
        }
    }
    top
}

/// The INI text `text` as JSON text; `None` when it is not INI.
pub fn ini_text_to_json(text: &str) -> Option<String> {
    let ini = Ini::load_from_str_opt(text, ini_parse_option()).ok()?;
    Some(Json::Object(ini_to_json(&ini)).to_string())
}

/// A scalar JSON value as an INI value.
fn ini_value(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) => Some(v.to_string()),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

/// The JSON object text `json` as INI text; `None` when INI cannot hold it exactly.
pub fn json_to_ini_text(json: &str) -> Option<String> {
    let object = json_object(json)?;
    let mut ini = Ini::new();
    // Keys outside sections first: INI has no place for them after one.
    for (k, v) in object.iter().filter(|(_, v)| !v.is_object()) {
        ini.with_general_section().set(k, ini_value(v)?);
    }
    for (name, v) in &object {
        if let Json::Object(members) = v {
            // Through `entry`, so that an empty object is an empty section.
            let section = ini.entry(Some(name.clone())).or_insert_with(Properties::new);
            for (k, v) in members {
                section.insert(k, ini_value(v)?);
            }
        }
    }
    let mut out = Vec::new();
    let opt = WriteOption {
        escape_policy: EscapePolicy::Nothing,
        line_separator: LineSeparator::CR,
        ..WriteOption::default()
    };
    ini.write_to_opt(&mut out, opt).ok()?;
    let text = String::from_utf8(out).ok()?;
    // Whatever the format cannot hold (a line break in a value, `=` in a key, spaces
    // around a value, a leading quote …) would come back different: refuse it.
    let expected: Map<String, Json> = object
        .iter()
        .filter(|(_, v)| !v.is_object())
        .chain(object.iter().filter(|(_, v)| v.is_object()))
        .map(|(k, v)| (k.clone(), stringified(v)))
        .collect();
    let back = Ini::load_from_str_opt(&text, ini_parse_option()).ok()?;
    (ini_to_json(&back) == expected).then_some(text)
}

/// `v` with every scalar as the string INI keeps of it.
fn stringified(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), stringified(v))).collect())
        }
        v => Json::String(ini_value(v).unwrap_or_default()),
    }
}

/// `读取INI(路径)`.
pub fn read_ini(path: &str) -> Option<String> {
    ini_text_to_json(&read_text(path)?)
}

/// `写入INI(路径, JSON文本)`.
pub fn write_ini(path: &str, json: &str) -> Option<()> {
    fs::write(path, json_to_ini_text(json)?).ok()
}

/// 0 for `Some`, -1 for `None`.
fn status(r: Option<()>) -> i64 {
    if r.is_some() {
        0
    } else {
        -1
    }
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object (the entry-point contract of
// `crate`); a null reads as "".

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `读取TOML(路径)` → JSON text, `""` on failure.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_config_read_toml(path: *const Str) -> *mut Str {
    guard(|| new_str(&read_toml(text!(path)).unwrap_or_default()))
}

/// `写入TOML(路径, JSON文本)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_config_write_toml(path: *const Str, json: *const Str) -> i64 {
    guard(|| status(write_toml(text!(path), text!(json))))
}

/// `读取INI(路径)` → JSON text, `""` on failure.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_config_read_ini(path: *const Str) -> *mut Str {
    guard(|| new_str(&read_ini(text!(path)).unwrap_or_default()))
}

/// `写入INI(路径, JSON文本)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_config_write_ini(path: *const Str, json: *const Str) -> i64 {
    guard(|| status(write_ini(text!(path), text!(json))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_reads_as_ordered_json() {
        let doc = r#"
"名字" = "奇"
b = 1
a = [1.5, true, "x"]
when = 1979-05-27T07:32:00Z
day = 1979-05-27
at = 07:32:00
big = inf
odd = nan

["服务器"]
"端口" = 8080
[["项"]]
x = 1
[["项"]]
x = 2
"#;
        assert_eq!(
            toml_text_to_json(doc).unwrap(),
            r#"{"名字":"奇","b":1,"a":[1.5,true,"x"],"when":"1979-05-27T07:32:00Z","day":"1979-05-27","at":"07:32:00","big":"inf","odd":"nan","服务器":{"端口":8080},"项":[{"x":1},{"x":2}]}"#
        );
        assert_eq!(toml_text_to_json("").unwrap(), "{}");
        assert_eq!(toml_text_to_json("a = "), None);
        // Bare keys are ASCII (TOML 1.1); others are quoted.
        assert_eq!(toml_text_to_json("名字 = 1"), None);
        assert_eq!(toml_text_to_json("\"名字\" = 1").unwrap(), r#"{"名字":1}"#);
        assert_eq!(toml_text_to_json("a = -inf").unwrap(), r#"{"a":"-inf"}"#);
        assert_eq!(toml_text_to_json("a = 1\na = 2"), None);
    }

    #[test]
    fn json_writes_as_toml_and_reads_back() {
        let json = r#"{"z":1,"名字":"奇","f":2.5,"list":[1,2],"表":{"k":"v","n":{"deep":true}},"arr":[{"x":1}]}"#;
        let text = json_to_toml_text(json).unwrap();
        assert_eq!(toml_text_to_json(&text).unwrap(), json);
        for bad in [
            "[1]",
            "1",
            "nope",
            r#"{"a":null}"#,
            r#"{"a":[1,null]}"#,
            r#"{"a":18446744073709551615}"#,
        ] {
            assert_eq!(json_to_toml_text(bad), None, "{bad}");
        }
        assert_eq!(json_to_toml_text("{}").unwrap(), "");
    }

    #[test]
    fn ini_reads_in_order_with_the_top_keys_first() {
        let doc = "; 注释\ntop = 1\n# another\n[服务器]\n端口 = 8080\nhost=\"  a b  \"\npath = C:\\temp\n\n[空]\n[服务器]\nhost = c\n";
        assert_eq!(
            ini_text_to_json(doc).unwrap(),
            r#"{"top":"1","服务器":{"端口":"8080","host":"c","path":"C:\\temp"},"空":{}}"#
        );
        assert_eq!(ini_text_to_json("").unwrap(), "{}");
        assert_eq!(ini_text_to_json("a=1\na=2\nb=3").unwrap(), r#"{"a":"2","b":"3"}"#);
        assert_eq!(ini_text_to_json("[没有结尾"), None);
        assert_eq!(ini_text_to_json("=1"), None);
    }

    #[test]
    fn json_writes_as_ini_and_reads_back() {
        let json = r#"{"节":{"k":"v","n":3,"b":false},"top":"t","二":{}}"#;
        let text = json_to_ini_text(json).unwrap();
        assert_eq!(text, "top=t\n\n[节]\nk=v\nn=3\nb=false\n[二]\n");
        assert_eq!(
            ini_text_to_json(&text).unwrap(),
            r#"{"top":"t","节":{"k":"v","n":"3","b":"false"},"二":{}}"#
        );
        for bad in [
            "[]",
            "nope",
            r#"{"a":null}"#,
            r#"{"a":[1]}"#,
            r#"{"s":{"deep":{}}}"#,
            r#"{"a":"line\nbreak"}"#,
            r#"{"a=b":"1"}"#,
            r#"{"a":" spaced "}"#,
            r#"{"a":"\"quoted"}"#,
            r#"{"s]":{"k":"v"}}"#,
            r#"{"":"v"}"#,
        ] {
            assert_eq!(json_to_ini_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn files_fail_quietly() {
        let dir = std::env::temp_dir().join(format!("qi-config-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = |n: &str| dir.join(n).to_str().unwrap().to_owned();
        assert_eq!(read_toml(&p("none.toml")), None);
        assert_eq!(read_ini(&p("none.ini")), None);
        fs::write(p("bin.ini"), b"a=\xff\n").unwrap();
        assert_eq!(read_ini(&p("bin.ini")), None);
        assert_eq!(write_toml(&p("no/dir/x.toml"), "{}"), None);
        assert_eq!(write_ini(&p("bad.ini"), "[]"), None);
        assert!(!dir.join("bad.ini").exists(), "nothing written on failure");
        assert_eq!(write_ini(&p("ok.ini"), r#"{"a":"1"}"#), Some(()));
        assert_eq!(read_ini(&p("ok.ini")).unwrap(), r#"{"a":"1"}"#);
        fs::remove_dir_all(&dir).unwrap();
    }
}
