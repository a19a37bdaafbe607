//! The `JSON` functions on texts (builtins.md §G.4), pure and unit-tested: decoding,
//! finding JSON inside other text (`从文本`), string literals (`编码`), `a=1;b=x` pairs
//! (`从键值`) and enum tags (`枚举序号`). Parsing is `serde_json`'s (keys keep their
//! order, nesting is limited to `value::MAX_DEPTH` levels); the callers run these on the
//! side stack, since the parser recurses.

use serde_json::{Deserializer, Map, Value};

/// `解码(文本)`: the one JSON value the whole text is (surrounding whitespace allowed);
/// `None` when it is not JSON.
pub fn decode(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// `从文本(t)`: the JSON in a text that may hold other words around it, as a language
/// model's answer does (`结果：{"a":1}。`, a fenced code block): the whole text when it is
/// JSON, else the first object or array that parses starting at one of its `{` or `[`
/// (what follows it is ignored); `None` when there is none.
pub fn find_json(text: &str) -> Option<Value> {
    decode(text).or_else(|| {
        text.match_indices(['{', '['])
            .find_map(|(i, _)| Deserializer::from_str(&text[i..]).into_iter::<Value>().next()?.ok())
    })
}

/// `编码(s)`: the JSON string literal of a text, quoted and escaped (`"`, `\`, control
/// characters); other characters are kept as they are.
pub fn encode(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// `从键值("a=1;b=x")`: the compact JSON object of `;`-separated `key=value` pairs. Keys
/// and values are trimmed of whitespace and split at the first `=`; a value written as a
/// JSON number (`1`, `-2`, `2.5`, `1e3`) becomes that number, any other value a string
/// (`x`, `true`, `007`, `""` for a pair without `=`). Empty pairs are skipped; a repeated
/// key keeps its first place and takes the last value.
pub fn from_pairs(pairs: &str) -> String {
    let mut object = Map::new();
    for pair in pairs.split(';').filter(|p| !p.trim().is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = value.trim();
        let value = match decode(value) {
            Some(n @ Value::Number(_)) => n,
            _ => Value::String(value.to_owned()),
        };
        object.insert(key.trim().to_owned(), value);
    }
    Value::Object(object).to_string()
}

/// `枚举序号(值, 变体)`: the 0-based position of an enum value's variant among the
/// variant names, as Qi numbers payload-less enum values; -1 when it is not one of them.
/// `值` is the variant's name, bare (`绿`) or as JSON the way `serde` writes enums: a
/// string (`"绿"`) or an object with the variant as its one key (`{"绿":{…}}`). `变体` is
/// a JSON array of the names (`["红","绿"]`) or the names separated by commas (`红,绿`).
pub fn enum_tag(value: &str, variants: &str) -> i64 {
    let name = match decode(value) {
        Some(Value::String(s)) => s,
        Some(Value::Object(o)) if o.len() == 1 => o.keys().next().cloned().unwrap_or_default(),
        _ => value.trim().to_owned(),
    };
    let names: Vec<String> = match decode(variants) {
        Some(Value::Array(a)) => {
            a.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
        }
        _ => variants.split(',').map(|n| n.trim().to_owned()).collect(),
    };
    names.iter().position(|n| *n == name).map_or(-1, |i| i as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decode_takes_whole_texts_only() {
        assert_eq!(decode(" {\"b\":1,\"a\":[2]} "), Some(json!({"b": 1, "a": [2]})));
        assert_eq!(decode("3"), Some(json!(3)));
        assert_eq!(decode("{\"a\":1} x"), None);
        assert_eq!(decode("{\"a\":}"), None);
        assert_eq!(decode(""), None);
        assert_eq!(decode(&"[".repeat(200)), None);
    }

    #[test]
    fn decoded_keys_keep_their_order() {
        let v = decode(r#"{"z":1,"甲":2,"a":3}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"z":1,"甲":2,"a":3}"#);
    }

    #[test]
    fn find_json_looks_past_other_words() {
        assert_eq!(find_json("[1]"), Some(json!([1])));
        assert_eq!(find_json("结果：{\"a\":1}。"), Some(json!({"a": 1})));
        assert_eq!(find_json("```json\n[1, 2]\n```"), Some(json!([1, 2])));
        assert_eq!(find_json("见 [注] 与 {\"k\": [true]} 后"), Some(json!({"k": [true]})));
        assert_eq!(find_json("没有 { 也没有 ]"), None);
        assert_eq!(find_json(""), None);
    }

    #[test]
    fn encode_quotes_and_escapes() {
        assert_eq!(encode("奇"), "\"奇\"");
        assert_eq!(encode("a\"b\\c\n\t\u{1}"), r#""a\"b\\c\n\t\u0001""#);
        assert_eq!(encode(""), "\"\"");
    }

    #[test]
    fn pairs_become_an_object_with_numbers_typed() {
        assert_eq!(from_pairs("a=1;b=x"), r#"{"a":1,"b":"x"}"#);
        assert_eq!(
            from_pairs(" 名 = 奇 ; 价=2.5;负=-3;;大=1e3;真=true;码=007;式=a=b;空;"),
            r#"{"名":"奇","价":2.5,"负":-3,"大":1000.0,"真":"true","码":"007","式":"a=b","空":""}"#
        );
        assert_eq!(from_pairs("a=1;b=2;a=3"), r#"{"a":3,"b":2}"#);
        assert_eq!(from_pairs("n=1e400"), r#"{"n":"1e400"}"#);
        assert_eq!(from_pairs(""), "{}");
    }

    #[test]
    fn enum_tags_by_name() {
        assert_eq!(enum_tag("绿", "红,绿,蓝"), 1);
        assert_eq!(enum_tag("\"蓝\"", r#"["红","绿","蓝"]"#), 2);
        assert_eq!(enum_tag(r#"{"红":{"深":1}}"#, "红, 绿"), 0);
        assert_eq!(enum_tag("紫", "红,绿"), -1);
        assert_eq!(enum_tag("", "红"), -1);
    }
}
