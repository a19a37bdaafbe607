//! Finding the Qi source files under a directory, for the commands that take a
//! directory (`qi fmt`, `qi test`).

use std::path::{Path, PathBuf};

/// Every `.qi` file under `dir`, in name order. Hidden directories and `target` are never
/// entered; other directories only when `enter` accepts their name.
pub fn qi_files(dir: &Path, enter: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(dir, enter, &mut files);
    files
}

fn collect(dir: &Path, enter: &dyn Fn(&str) -> bool, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && enter(&name) {
                collect(&path, enter, files);
            }
        } else if name.ends_with(".qi") {
            files.push(path);
        }
    }
}
