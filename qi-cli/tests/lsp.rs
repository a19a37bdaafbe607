//! `qi lsp` driven as an editor drives it: the real process, JSON-RPC messages with
//! `Content-Length` framing on its standard input and output.

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long to wait for a message before calling the server stuck (only a failing run
/// waits this long).
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications read while waiting for a response.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
            .arg("lsp")
            .env("QI_LANG", "zh")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("qi lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, incoming, pending: VecDeque::new(), next_id: 1 }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        self.incoming.recv_timeout(PATIENCE).expect("the server answers")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            self.pending.push_back(message);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_wanted) {
            let m = self.pending.remove(i).unwrap();
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.receive();
            if is_wanted(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push_back(m);
        }
    }

    fn initialize(&mut self) -> Value {
        let result = self.request("initialize", json!({"processId": null, "capabilities": {}}));
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "qi", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    fn at(&mut self, method: &str, uri: &str, (line, character): (u32, u32)) -> Value {
        let position = json!({"line": line, "character": character});
        self.request(method, json!({"textDocument": {"uri": uri}, "position": position}))
    }

    /// `shutdown` then `exit`: the server ends with status 0.
    fn shut_down(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `file:` URI of a path (percent-encoding every byte outside the unreserved set).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// (line, UTF-16 column) of the `nth` (0-based) occurrence of `needle` in `text`, plus
/// `extra` characters.
fn position_of(text: &str, needle: &str, nth: usize, extra: u32) -> (u32, u32) {
    let offset = text.match_indices(needle).nth(nth).expect("needle in text").0;
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].encode_utf16().count() as u32;
    (line, column + extra)
}

const TOOLS: &str = "函数 倍(数: 整数): 整数 {\n    返回 数 * 2;\n}\n";

const MAIN: &str = r#"导入 ./工具;

结构体 点 {
    横: 整数,
    纵: 整数,
}

枚举 颜色 {
    红,
    绿,
}

实现 点 {
    函数 长度平方(): 整数 {
        返回 自己.横 * 自己.横 + 自己.纵 * 自己.纵;
    }
}

变量 计数 = 0;

函数 加(甲: 整数, 乙: 整数): 整数 {
    返回 甲 + 乙;
}

函数 入口() {
    变量 p = 新建 点 { 横: 3, 纵: 4 };
    变量 和 = 加(p.横, 2);
    变量 色 = 颜色.红;
    打印行(和 + p.长度平方() + 工具.倍(2) + 计数);
}
"#;

/// A project of two files, the main one open in the server.
fn open_project(name: &str) -> (Client, String, PathBuf) {
    let dir = scratch(name);
    std::fs::write(dir.join("工具.qi"), TOOLS).unwrap();
    std::fs::write(dir.join("主.qi"), MAIN).unwrap();
    let uri = file_uri(&dir.join("主.qi"));
    let mut client = Client::start();
    client.initialize();
    client.open(&uri, MAIN);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    (client, uri, dir)
}

fn hover_text(hover: &Value) -> String {
    hover["contents"]["value"].as_str().expect("a hover").to_string()
}

#[test]
fn initialize_announces_the_features() {
    let mut client = Client::start();
    let result = client.initialize();
    let caps = &result["capabilities"];
    assert_eq!(caps["textDocumentSync"], json!(1), "full sync");
    assert_eq!(caps["hoverProvider"], json!(true));
    assert_eq!(caps["definitionProvider"], json!(true));
    assert_eq!(caps["completionProvider"]["triggerCharacters"], json!(["."]));
    assert_eq!(caps["documentSymbolProvider"], json!(true));
    assert_eq!(caps["documentFormattingProvider"], json!(true));
    client.shut_down();
}

#[test]
fn diagnostics_on_open_and_after_a_fix() {
    let dir = scratch("diagnostics");
    let uri = file_uri(&dir.join("错.qi"));
    // The error is after an astral character: its column counts it as two UTF-16 units.
    let broken = "函数 入口() {\n    变量 s = \"𝄞\"; 变量 x = 未知;\n}\n";
    let mut client = Client::start();
    client.initialize();
    client.open(&uri, broken);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    // What `qi check` says of the same file.
    assert_eq!(d["message"], "未声明的变量: 未知");
    std::fs::write(dir.join("错.qi"), broken).unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["check", dir.join("错.qi").to_str().unwrap()])
        .env("QI_LANG", "zh")
        .output()
        .unwrap();
    let printed = String::from_utf8(check.stderr).unwrap();
    assert!(printed.contains("错误: 未声明的变量: 未知"), "{printed}");
    assert_eq!(d["severity"], 1);
    let range = json!({"start": {"line": 1, "character": 24}, "end": {"line": 1, "character": 26}});
    assert_eq!(d["range"], range);
    // Fixed: the diagnostics are cleared.
    client.change(&uri, 2, "函数 入口() {\n    变量 s = \"𝄞\"; 变量 x = 1;\n}\n");
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    // A syntax error is reported as `qi check` reports it, in English with QI_LANG=en too.
    client.change(&uri, 3, "函数 入口() {\n    变量 = 1;\n}\n");
    let diagnostics = client.diagnostics(&uri);
    assert!(!diagnostics.is_empty());
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 1);
    client.shut_down();
}

#[test]
fn hover_shows_types_and_signatures() {
    let (mut client, uri, _dir) = open_project("hover");
    // A variable's use: its type.
    let at = position_of(MAIN, "和 +", 0, 0);
    assert_eq!(hover_text(&client.at("textDocument/hover", &uri, at)), "```qi\n变量 和: 整数\n```");
    // A call's callee: the function's signature.
    let at = position_of(MAIN, "加(p", 0, 0);
    assert_eq!(
        hover_text(&client.at("textDocument/hover", &uri, at)),
        "```qi\n函数 加(甲: 整数, 乙: 整数): 整数\n```"
    );
    // A method.
    let at = position_of(MAIN, "长度平方()", 1, 1);
    assert_eq!(
        hover_text(&client.at("textDocument/hover", &uri, at)),
        "```qi\n函数 长度平方(): 整数\n```"
    );
    // A field.
    let at = position_of(MAIN, "p.横", 0, 2);
    assert_eq!(hover_text(&client.at("textDocument/hover", &uri, at)), "```qi\n字段 横: 整数\n```");
    // An expression: the struct literal's type.
    let at = position_of(MAIN, "新建", 0, 0);
    assert_eq!(hover_text(&client.at("textDocument/hover", &uri, at)), "```qi\n点\n```");
    // A declaration's name.
    let at = position_of(MAIN, "变量 p", 0, 3);
    assert_eq!(hover_text(&client.at("textDocument/hover", &uri, at)), "```qi\n变量 p: 点\n```");
    client.shut_down();
}

#[test]
fn definition_of_each_kind_of_name() {
    let (mut client, uri, dir) = open_project("definition");
    let tools = file_uri(&dir.join("工具.qi"));
    let mut check = |use_at: (u32, u32), target_uri: &str, target: (u32, u32)| {
        let found = client.at("textDocument/definition", &uri, use_at);
        assert_eq!(found["uri"], target_uri, "{use_at:?}: {found}");
        let start = &found["range"]["start"];
        assert_eq!(
            (start["line"].as_u64().unwrap() as u32, start["character"].as_u64().unwrap() as u32),
            target,
            "{use_at:?}"
        );
    };
    // Variable: `和` used in 打印行 → its declaration.
    check(position_of(MAIN, "和 +", 0, 0), &uri, position_of(MAIN, "和 =", 0, 0));
    // Parameter.
    check(position_of(MAIN, "甲 +", 0, 0), &uri, position_of(MAIN, "甲:", 0, 0));
    // Function.
    check(position_of(MAIN, "加(p", 0, 0), &uri, position_of(MAIN, "加(甲", 0, 0));
    // Struct field (read, and in a method through 自己).
    check(position_of(MAIN, "p.横", 0, 2), &uri, position_of(MAIN, "横: 整数", 0, 0));
    check(position_of(MAIN, "自己.纵", 0, 3), &uri, position_of(MAIN, "纵: 整数", 0, 0));
    // Method.
    check(position_of(MAIN, "p.长度平方", 0, 2), &uri, position_of(MAIN, "长度平方", 0, 0));
    // Enum variant.
    check(position_of(MAIN, "颜色.红", 0, 3), &uri, position_of(MAIN, "红,", 0, 0));
    // Struct in a literal's type is resolved as a type.
    check(position_of(MAIN, "新建 点", 0, 3), &uri, position_of(MAIN, "点 {", 0, 0));
    // Global.
    check(position_of(MAIN, "计数)", 0, 0), &uri, position_of(MAIN, "计数 =", 0, 0));
    // Imported module: the import's path and a qualifier lead to the file.
    check(position_of(MAIN, "./工具", 0, 2), &tools, (0, 0));
    check(position_of(MAIN, "工具.倍", 0, 0), &tools, (0, 0));
    // A function of the imported module.
    check(position_of(MAIN, "工具.倍", 0, 3), &tools, (0, 3));
    client.shut_down();
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion.as_array().or_else(|| completion["items"].as_array()).unwrap();
    items.iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn completion_of_members_modules_and_names_in_scope() {
    let (mut client, uri, _dir) = open_project("completion");
    // Fields and methods after `p.` (typed while the line does not check).
    let typing = MAIN.replace("    打印行(和", "    p.\n    打印行(和");
    client.change(&uri, 2, &typing);
    client.diagnostics(&uri);
    let at = position_of(&typing, "p.\n", 0, 2);
    let found = labels(&client.at("textDocument/completion", &uri, at));
    assert_eq!(found, ["横", "纵", "长度平方"]);
    // Library functions after `数学.`.
    let typing = MAIN.replace("    打印行(和", "    数学.\n    打印行(和");
    client.change(&uri, 3, &typing);
    client.diagnostics(&uri);
    let at = position_of(&typing, "数学.", 0, 3);
    let found = labels(&client.at("textDocument/completion", &uri, at));
    assert!(found.contains(&"开方".to_string()), "{found:?}");
    assert!(!found.contains(&"打印行".to_string()), "{found:?}");
    // Functions of an imported file after its name.
    let typing = MAIN.replace("    打印行(和", "    工具.\n    打印行(和");
    client.change(&uri, 4, &typing);
    client.diagnostics(&uri);
    let at = position_of(&typing, "工具.\n", 0, 3);
    assert_eq!(labels(&client.at("textDocument/completion", &uri, at)), ["倍"]);
    // Names in scope in 入口's body, before its last line: the locals above, not the
    // parameters of 加, then the program's functions, types and globals.
    client.change(&uri, 5, MAIN);
    client.diagnostics(&uri);
    let at = position_of(MAIN, "    打印行(和", 0, 4);
    let found = labels(&client.at("textDocument/completion", &uri, at));
    for name in ["p", "和", "色", "加", "入口", "点", "颜色", "计数", "倍", "数学"] {
        assert!(found.contains(&name.to_string()), "{name} in {found:?}");
    }
    assert!(!found.contains(&"甲".to_string()), "{found:?}");
    client.shut_down();
}

#[test]
fn document_symbols_and_formatting() {
    let (mut client, uri, _dir) = open_project("symbols");
    let symbols =
        client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
    let names: Vec<(String, u64)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["kind"].as_u64().unwrap()))
        .collect();
    // Struct 23, enum 10, object 19 (the impl block), variable 13, function 12.
    let expected =
        [("点", 23), ("颜色", 10), ("实现 点", 19), ("计数", 13), ("加", 12), ("入口", 12)];
    let expected: Vec<(String, u64)> = expected.iter().map(|(n, k)| (n.to_string(), *k)).collect();
    assert_eq!(names, expected);
    let point = &symbols[0];
    let fields: Vec<&str> =
        point["children"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(fields, ["横", "纵"]);
    let method = &symbols[2]["children"][0];
    assert_eq!((method["name"].as_str(), method["kind"].as_u64()), (Some("长度平方"), Some(6)));
    assert_eq!(method["detail"], "函数 长度平方(): 整数");
    // Formatting: one edit with what `qi fmt` writes; none for a formatted text.
    let format = |client: &mut Client| {
        client.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
    };
    assert_eq!(format(&mut client), json!([]));
    let messy = "函数   入口( ) {打印行( 1+2 );}\n";
    client.change(&uri, 2, messy);
    client.diagnostics(&uri);
    let edits = format(&mut client);
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(edits[0]["newText"], "函数 入口() { 打印行(1 + 2); }\n");
    assert_eq!(edits[0]["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(edits[0]["range"]["end"], json!({"line": 1, "character": 0}));
    client.shut_down();
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut client = Client::start();
    client.initialize();
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}
