//! Loading a program: the entry file and every file reachable through `导入`
//! (language.md §5.2). Each file is read and parsed once; import cycles are fine.

use qi_syntax::ast::{self, AstNode};
use qi_syntax::{Diagnostic, Lang, Text};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

pub struct LoadedFile {
    /// As shown to users: the entry path as given, imported files relative to it.
    pub name: String,
    pub text: String,
    pub parse: qi_syntax::Parse,
    /// (range of an `导入` declaration, index of the file it loads).
    pub imports: Vec<(rowan::TextRange, u32)>,
}

/// Why the program could not be loaded.
pub enum LoadError {
    /// A file cannot be read (message ready to print).
    Io(String),
    /// A file is not UTF-8: the file (its text decoded lossily, for showing the line) and a
    /// diagnostic at its first invalid byte.
    Encoding(Box<LoadedFile>, Diagnostic),
    /// Imports that lead nowhere, as diagnostics of the importing files.
    Imports(Vec<LoadedFile>, Vec<Diagnostic>),
}

pub fn load_program(entry: &Path) -> Result<Vec<LoadedFile>, LoadError> {
    let mut files: Vec<LoadedFile> = Vec::new();
    let mut index: HashMap<PathBuf, u32> = HashMap::new();
    let mut errors = Vec::new();
    let first = read(entry, entry.display().to_string())?;
    index.insert(canonical(entry), 0);
    files.push(first);
    let mut paths = vec![entry.to_path_buf()];
    let mut next = 0;
    while next < files.len() {
        let dir = paths[next].parent().map(Path::to_path_buf).unwrap_or_default();
        let tree = files[next].parse.tree();
        let mut resolved = Vec::new();
        for imp in tree.imports() {
            let Some(path) = imp.path() else { continue };
            if path.text().starts_with("标准库.") {
                continue; // the checker knows the standard library
            }
            let candidates = candidates(&dir, &path);
            match candidates.iter().find(|c| c.is_file()) {
                Some(found) => {
                    let key = canonical(found);
                    let id = match index.get(&key) {
                        Some(id) => *id,
                        None => {
                            let id = files.len() as u32;
                            files.push(read(found, display(found))?);
                            paths.push(found.clone());
                            index.insert(key, id);
                            id
                        }
                    };
                    resolved.push((imp.syntax().text_range(), id));
                }
                None => errors.push(not_found(&path, &candidates).in_file(next as u32)),
            }
        }
        files[next].imports = resolved;
        next += 1;
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(LoadError::Imports(files, errors))
    }
}

fn read(path: &Path, name: String) -> Result<LoadedFile, LoadError> {
    let lang = Lang::from_env();
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
        LoadError::Io(match lang {
            Lang::Zh => format!("错误: 无法读取文件 {name}: {reason}"),
            Lang::En => format!("error: cannot read file {name}: {reason}"),
        })
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Err(not_utf8(name, e)),
    };
    let parse = qi_syntax::parse(&text);
    Ok(LoadedFile { name, text, parse, imports: Vec::new() })
}

/// The error for a file that is not UTF-8, located at its first invalid byte.
fn not_utf8(name: String, e: std::string::FromUtf8Error) -> LoadError {
    let at = e.utf8_error().valid_up_to();
    let byte = e.as_bytes()[at];
    // The valid prefix is unchanged by lossy decoding, so `at` is the offset of the U+FFFD
    // that stands for the bad byte(s) in the text shown.
    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
    let start = rowan::TextSize::from(at as u32);
    let range = rowan::TextRange::at(start, rowan::TextSize::of('\u{FFFD}'));
    let diagnostic = Diagnostic::error(
        range,
        Text::new(
            format!("文件不是有效的 UTF-8 文本：这里的字节 0x{byte:02X} 无效"),
            format!("the file is not valid UTF-8 text: byte 0x{byte:02X} here is invalid"),
        ),
    );
    let parse = qi_syntax::parse("");
    LoadError::Encoding(Box::new(LoadedFile { name, text, parse, imports: Vec::new() }), diagnostic)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A path for messages: lexically normalised (`a/./b/../c` → `a/c`).
fn display(p: &Path) -> String {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.display().to_string()
}

/// The files an import may mean, in the order they are tried.
fn candidates(dir: &Path, path: &ast::ImportPath) -> Vec<PathBuf> {
    let text = path.text();
    if path.is_relative() {
        // `./a`, `../公共/格式`, `../../甲.乙`: '/' or '.' separate components.
        let mut base = dir.to_path_buf();
        let mut rest = text.as_str();
        loop {
            if let Some(r) = rest.strip_prefix("./") {
                rest = r;
            } else if let Some(r) = rest.strip_prefix("../") {
                base.push("..");
                rest = r;
            } else {
                break;
            }
        }
        let parts: Vec<&str> = rest.split(['/', '.']).filter(|s| !s.is_empty()).collect();
        let Some((last, dirs)) = parts.split_last() else { return Vec::new() };
        for d in dirs {
            base.push(d);
        }
        return vec![base.join(format!("{last}.qi")), base.join(last).join(format!("{last}.qi"))];
    }
    let segs: Vec<&str> = text.split(['.', '/']).filter(|s| !s.is_empty()).collect();
    let Some((&first, _)) = segs.split_first() else { return Vec::new() };
    let last = *segs.last().expect("non-empty");
    let joined: PathBuf = segs.iter().collect();
    let mut out = vec![
        dir.join(&joined).with_extension("qi"),
        dir.join(format!("{first}.qi")),
        dir.join(first).join(format!("{first}.qi")),
    ];
    // Package roots: QI_PACKAGES_PATH, ./qi_packages, then every ancestor's qi_packages.
    let mut roots: Vec<PathBuf> = std::env::var_os("QI_PACKAGES_PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    roots.push(PathBuf::from("qi_packages"));
    let mut ancestor = Some(dir);
    while let Some(a) = ancestor {
        roots.push(a.join("qi_packages"));
        ancestor = a.parent();
    }
    for root in roots {
        if segs.len() == 1 {
            out.push(root.join(first).join(format!("{first}.qi")));
            out.push(root.join(format!("{first}.qi")));
        } else {
            out.push(root.join(&joined).with_extension("qi"));
            out.push(root.join(&joined).join(format!("{last}.qi")));
        }
    }
    out
}

fn not_found(path: &ast::ImportPath, tried: &[PathBuf]) -> Diagnostic {
    let text = path.text();
    let shown: Vec<String> = tried.iter().take(3).map(|p| display(p)).collect();
    let message = if path.is_relative() {
        Text::new(
            format!("无法找到相对路径导入的模块: {text}（尝试了 {}）", shown.join("、")),
            format!(
                "cannot find the relatively imported module {text} (tried {})",
                shown.join(", ")
            ),
        )
    } else {
        Text::new(
            format!("无法找到导入模块: {text}（尝试了相对路径、包目录结构和第三方包路径）"),
            format!("cannot find the imported module {text} (tried relative paths, package directories and qi_packages)"),
        )
    };
    Diagnostic::error(path.syntax().text_range(), message)
}
