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

impl LoadedFile {
    /// The file as the checker takes it.
    pub fn unit(&self) -> qi_ir::SourceUnit<'_> {
        qi_ir::SourceUnit {
            name: &self.name,
            text: &self.text,
            tree: self.parse.tree(),
            imports: self.imports.clone(),
        }
    }
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

/// The program's entry file: a path, or text given on the command line or standard input.
pub struct Entry {
    /// The file's path, or for given text its name in messages (`<stdin>`, `<-e>`); its
    /// imports are looked up from the directory of this path.
    pub path: PathBuf,
    /// The text when it does not come from `path`.
    pub given: Option<Vec<u8>>,
}

impl Entry {
    /// The file named on the command line; `-` is standard input (read now, whole).
    pub fn from_arg(path: PathBuf) -> Result<Entry, String> {
        if path.as_os_str() != "-" {
            return Ok(Entry { path, given: None });
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|e| {
            let lang = Lang::from_env();
            let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
            match lang {
                Lang::Zh => format!("错误: 无法读取标准输入: {reason}"),
                Lang::En => format!("error: cannot read standard input: {reason}"),
            }
        })?;
        Ok(Entry { path: PathBuf::from("<stdin>"), given: Some(bytes) })
    }

    /// `qi run -e 代码`: the body of an implicit `入口`. The body is the file's second
    /// line (`函数 入口() {` is the first), which is where diagnostics point.
    pub fn eval(body: &str) -> Entry {
        let text = format!("函数 入口() {{\n{body}\n}}\n");
        Entry { path: PathBuf::from("<-e>"), given: Some(text.into_bytes()) }
    }

    /// The entry's bytes (read from its path unless given).
    pub fn bytes(&self) -> std::io::Result<Vec<u8>> {
        match &self.given {
            Some(bytes) => Ok(bytes.clone()),
            None => std::fs::read(&self.path),
        }
    }
}

pub fn load_program(entry: &Entry) -> Result<Vec<LoadedFile>, LoadError> {
    let mut files: Vec<LoadedFile> = Vec::new();
    let mut index: HashMap<PathBuf, u32> = HashMap::new();
    let mut errors = Vec::new();
    let first = match &entry.given {
        Some(bytes) => decode(bytes.clone(), entry.path.display().to_string())?,
        None => read(&entry.path, entry.path.display().to_string())?,
    };
    let entry = entry.path.as_path();
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
                    if index.is_empty() {
                        // Only a program with imports needs the entry's key (to find
                        // a file that imports it back); canonicalising it costs a
                        // system call per component of its path.
                        index.insert(canonical(entry), 0);
                    }
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
    decode(bytes, name)
}

/// A file's bytes as text, parsed.
fn decode(bytes: Vec<u8>, name: String) -> Result<LoadedFile, LoadError> {
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
    normalise(p).display().to_string()
}

/// `p` with `.` dropped and `名/..` folded away, lexically (`a/./b/../c` → `a/c`, `a/..`
/// → the empty path, `../x/../..` → `../..`).
fn normalise(p: &Path) -> PathBuf {
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
    out
}

/// The directory `dir` and every directory above it up to the file system's root, nearest
/// first, each named from the current directory (`modules/lib`, `modules`, the empty path,
/// `..`, `../..`, …): the walk goes on above the current directory, and the files found
/// keep relative names in messages. Ancestors are taken from the path as written (a
/// symbolic link's `..` is the directory holding the link).
fn ancestors(dir: &Path) -> Vec<PathBuf> {
    // The directory of `f.qi` is the empty path, which `absolute` rejects.
    let here = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let named = |p: &Path| p.components().filter(|c| matches!(c, Component::Normal(_))).count();
    let depth = match std::path::absolute(here) {
        Ok(a) => named(&normalise(&a)),
        Err(_) => named(dir),
    };
    let mut out = Vec::with_capacity(depth + 1);
    let mut up = dir.to_path_buf();
    for _ in 0..=depth {
        out.push(normalise(&up));
        up.push("..");
    }
    out
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
    for root in package_roots(dir) {
        // A package is a directory: `<root>/a/a.qi` (a file `<root>/a.qi` is not one).
        if segs.len() == 1 {
            out.push(root.join(first).join(format!("{first}.qi")));
        } else {
            out.push(root.join(&joined).with_extension("qi"));
            out.push(root.join(&joined).join(format!("{last}.qi")));
        }
    }
    out
}

/// Where packages are looked for, in this order (language.md §5.2): the `QI_PACKAGES_PATH`
/// roots, `./qi_packages`, `~/.qi/packages`, `/usr/local/lib/qi/packages`, then the
/// `qi_packages/` of the importing file's directory and of each directory above it,
/// nearest first.
fn package_roots(dir: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = std::env::var_os("QI_PACKAGES_PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    roots.push(PathBuf::from("qi_packages"));
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        roots.push(Path::new(&home).join(".qi").join("packages"));
    }
    roots.push(PathBuf::from("/usr/local/lib/qi/packages"));
    for a in ancestors(dir) {
        let root = a.join("qi_packages");
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
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

#[cfg(test)]
mod tests {
    use super::*;

    /// How many directories lie between the current directory and the root.
    fn depth_of_current_dir() -> usize {
        let cwd = std::env::current_dir().unwrap();
        cwd.components().filter(|c| matches!(c, Component::Normal(_))).count()
    }

    #[test]
    fn ancestors_of_a_file_in_the_current_directory_reach_the_root() {
        // `qi run f.qi`: the file's directory is the empty path.
        let found = ancestors(Path::new(""));
        assert_eq!(found.len(), depth_of_current_dir() + 1);
        assert_eq!(found[0], PathBuf::new());
        assert_eq!(found[1], PathBuf::from(".."));
        assert_eq!(found[2], PathBuf::from("../.."));
        let top = std::fs::canonicalize(found.last().unwrap()).unwrap();
        assert_eq!(top, PathBuf::from("/"));
    }

    #[test]
    fn ancestors_of_a_relative_directory_are_named_from_the_current_one() {
        let found = ancestors(Path::new("a/./b"));
        assert_eq!(found.len(), depth_of_current_dir() + 3);
        let first: Vec<&Path> = found.iter().take(4).map(PathBuf::as_path).collect();
        assert_eq!(first, [Path::new("a/b"), Path::new("a"), Path::new(""), Path::new("..")]);
    }

    #[test]
    fn ancestors_of_a_directory_above_the_current_one() {
        let found = ancestors(Path::new("../x"));
        assert_eq!(found.len(), depth_of_current_dir() + 1);
        assert_eq!(found[0], PathBuf::from("../x"));
        assert_eq!(found[1], PathBuf::from(".."));
    }

    #[test]
    fn ancestors_of_an_absolute_directory() {
        let found = ancestors(Path::new("/tmp/甲/乙"));
        let names: Vec<&Path> = found.iter().map(PathBuf::as_path).collect();
        assert_eq!(
            names,
            [Path::new("/tmp/甲/乙"), Path::new("/tmp/甲"), Path::new("/tmp"), Path::new("/")]
        );
    }
}
