//! Operating-system errors (`std::io::Error`) in the message language: the one place that
//! turns an errno or an `io::ErrorKind` into Chinese or English text, for every message
//! of the CLI and the runtime that shows one (`无法读取文件 …: 是一个目录`).

use std::io::{Error, ErrorKind};

/// The error as text in the message language (Chinese, or English when `english`).
pub fn describe(err: &Error, english: bool) -> String {
    let (zh, en) = match err.raw_os_error() {
        Some(code) => match errno_text(code) {
            Some(text) => text,
            None => return unknown_errno(code, err, english),
        },
        None => kind_text(err.kind()).unwrap_or(("输入输出错误", "input/output error")),
    };
    if english {
        en.to_owned()
    } else {
        zh.to_owned()
    }
}

/// [`describe`] in the language chosen by `QI_LANG`/`LANG` (`crate::lang`).
pub fn describe_for_user(err: &Error) -> String {
    describe(err, crate::lang::english())
}

/// An errno without a translation: its number, and in English the system's own text.
fn unknown_errno(code: i32, err: &Error, english: bool) -> String {
    if english {
        err.to_string()
    } else {
        format!("操作系统错误（错误码 {code}）")
    }
}

/// (Chinese, English) for the errno values a file or a standard stream can give.
fn errno_text(code: i32) -> Option<(&'static str, &'static str)> {
    Some(match code {
        libc::ENOENT => ("没有这个文件或目录", "no such file or directory"),
        libc::EISDIR => ("是一个目录", "is a directory"),
        libc::ENOTDIR => ("路径中有一部分不是目录", "not a directory"),
        libc::EACCES => ("没有权限", "permission denied"),
        libc::EPERM => ("不允许的操作", "operation not permitted"),
        libc::ENOSPC => ("设备上没有空间", "no space left on device"),
        libc::EDQUOT => ("超出磁盘配额", "disk quota exceeded"),
        libc::EFBIG => ("文件太大", "file too large"),
        libc::EROFS => ("文件系统是只读的", "read-only file system"),
        libc::EIO => ("输入输出错误", "input/output error"),
        libc::EPIPE => ("管道的读取端已关闭", "broken pipe"),
        libc::EBADF => ("文件描述符无效（可能已关闭）", "bad file descriptor (closed?)"),
        libc::ENAMETOOLONG => ("文件名太长", "file name too long"),
        libc::ELOOP => ("符号链接层数太多", "too many levels of symbolic links"),
        libc::EMFILE | libc::ENFILE => ("打开的文件太多", "too many open files"),
        libc::ENOMEM => ("内存不足", "out of memory"),
        libc::EAGAIN => ("资源暂时不可用", "resource temporarily unavailable"),
        libc::EINVAL => ("参数无效", "invalid argument"),
        libc::ENXIO => ("没有这个设备或地址", "no such device or address"),
        libc::ENODEV => ("没有这个设备", "no such device"),
        libc::ETXTBSY => ("文件正忙", "text file busy"),
        libc::EBUSY => ("设备或资源正忙", "device or resource busy"),
        libc::EEXIST => ("文件已存在", "file exists"),
        libc::ECONNRESET => ("连接被对方重置", "connection reset by peer"),
        _ => return None,
    })
}

/// (Chinese, English) for errors that carry no errno (made by Rust code).
fn kind_text(kind: ErrorKind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        ErrorKind::NotFound => ("没有这个文件或目录", "no such file or directory"),
        ErrorKind::PermissionDenied => ("没有权限", "permission denied"),
        ErrorKind::IsADirectory => ("是一个目录", "is a directory"),
        ErrorKind::NotADirectory => ("路径中有一部分不是目录", "not a directory"),
        ErrorKind::BrokenPipe => ("管道的读取端已关闭", "broken pipe"),
        ErrorKind::StorageFull => ("设备上没有空间", "no space left on device"),
        ErrorKind::WriteZero => ("写入了零字节", "wrote zero bytes"),
        ErrorKind::UnexpectedEof => ("意外的文件结尾", "unexpected end of file"),
        ErrorKind::InvalidData => ("数据无效", "invalid data"),
        ErrorKind::OutOfMemory => ("内存不足", "out of memory"),
        ErrorKind::Interrupted => ("操作被中断", "operation interrupted"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values_in_both_languages() {
        let dir = Error::from_raw_os_error(libc::EISDIR);
        assert_eq!(describe(&dir, false), "是一个目录");
        assert_eq!(describe(&dir, true), "is a directory");
        let missing = Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(describe(&missing, false), "没有这个文件或目录");
        assert_eq!(describe(&missing, true), "no such file or directory");
        let full = Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(describe(&full, false), "设备上没有空间");
        assert_eq!(describe(&full, true), "no space left on device");
    }

    #[test]
    fn errors_without_errno_use_their_kind() {
        let e = Error::from(ErrorKind::NotFound);
        assert_eq!(describe(&e, false), "没有这个文件或目录");
        assert_eq!(describe(&Error::other("x"), true), "input/output error");
    }

    #[test]
    fn unknown_errno_keeps_its_number() {
        // An errno no system uses.
        let e = Error::from_raw_os_error(4095);
        assert_eq!(describe(&e, false), "操作系统错误（错误码 4095）");
        assert!(describe(&e, true).contains("4095"), "{}", describe(&e, true));
    }
}
