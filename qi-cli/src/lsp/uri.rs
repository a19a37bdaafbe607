//! Document URIs and file paths: the documents an editor opens are `file:` URIs, whose
//! path (percent-decoded) is where their imports are looked up from.

use lsp_types::Uri;
use std::path::{Path, PathBuf};

/// The file a URI names; a URI of another scheme (an unsaved `untitled:` buffer) is used
/// as it is, a name without a directory of its own.
pub fn to_path(uri: &Uri) -> PathBuf {
    let is_file = uri.scheme().is_some_and(|s| s.as_str().eq_ignore_ascii_case("file"));
    if !is_file {
        return PathBuf::from(uri.as_str());
    }
    let decoded = uri.path().as_estr().decode();
    PathBuf::from(String::from_utf8_lossy(decoded.as_bytes()).into_owned())
}

/// The `file:` URI of a path (made absolute from the current directory).
pub fn from_path(path: &str) -> Uri {
    let absolute = std::path::absolute(Path::new(path)).unwrap_or_else(|_| PathBuf::from(path));
    let mut text = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            text.push(byte as char);
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.parse().unwrap_or_else(|_| "file:///".parse().expect("a valid URI"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_paths_round_trip() {
        let uri = from_path("/tmp/项目/主 程序.qi");
        assert_eq!(
            uri.as_str(),
            "file:///tmp/%E9%A1%B9%E7%9B%AE/%E4%B8%BB%20%E7%A8%8B%E5%BA%8F.qi"
        );
        assert_eq!(to_path(&uri), PathBuf::from("/tmp/项目/主 程序.qi"));
    }
}
