//! Conformance suite of the `qi` command.
//!
//! Every `tests/programs/**/*.qi` file is one test. The harness runs
//! `qi run <path relative to tests/programs>` with the current directory set to
//! `tests/programs`, and compares what the program did with the sibling expectation
//! files. See `tests/README.md` for the full conventions; in short:
//!
//! * `<name>.out`    — exact expected stdout (missing: stdout must be empty);
//! * `<name>.err`    — exact expected stderr (missing: stderr is not compared);
//! * `<name>.status` — expected exit status (missing: 1 if `.err` exists, else 0);
//! * `<name>.in`     — fed to the program's stdin (missing: empty stdin);
//! * header directives in `//` comment lines of the program:
//!   `// qi-args: a b c`        extra program arguments (whitespace separated),
//!   `// qi-env: KEY=VALUE`     extra environment variable (one per line, repeatable),
//!   `// qi-cmd: check --syntax` replaces the `run` subcommand,
//!   `// qi-stderr: ignore`     never compare (nor bless) stderr for this program,
//!   `// qi-leaks: allowed`     the program keeps objects alive on purpose (reference cycles),
//!   `// qi-max-rss-mb: N`      fail if the program's peak resident memory exceeds N MiB.
//!
//! Programs under `concurrency/` are two tests each, run with `QI_WORKERS=1` and with
//! `QI_WORKERS=4` (names suffixed ` [1 worker]` / ` [4 workers]`); both must match the same
//! expectation files.
//!
//! Every program run with `qi run` also gets `QI_LEAK_REPORT=1` (unless it sets the
//! variable itself): when it ends normally, the harness takes the report line off stderr
//! and fails the test unless every count is zero — reference counting must free
//! everything of every cycle-free program.
//!
//! A program with none of `.out`, `.err`, `.status` is *pending* and fails.
//!
//! `QI_BLESS=1 cargo test -p qi-cli --test conformance [FILTER]` writes the actual
//! stdout/stderr/status into the expectation files instead of comparing. Blessed
//! files are whatever the implementation printed — review every one of them by hand
//! (`git diff tests/programs`) before committing.
//!
//! `QI_CONFORMANCE_TIMEOUT=<seconds>` overrides the 30 s per-program time limit.
//! `QI_CONFORMANCE_JIT=<mode>` runs every program with `QI_JIT=<mode>` against the same
//! expectation files; without it the programs run in the default mode (`auto`: tiering).
//! `conformance_eager` and `conformance_stress` run the suite with `QI_JIT=eager` and
//! `QI_JIT=stress`; `conformance_interp` with `QI_JIT=off` (the interpreter tier);
//! `conformance_unoptimised` does the same on the IR as lowered (`QI_NO_OPT=1`), so the
//! IR optimisations are checked against every program.
//! Under `QI_BLESS=1` only the `[1 worker]` run of a `concurrency/` program blesses; its
//! `[4 workers]` run is ignored (run again without `QI_BLESS` to check it).

use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

/// Default per-program time limit.
const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// How many lines of context the diff shows around the first difference.
const DIFF_CONTEXT: usize = 3;
/// Longest stderr excerpt shown in a failure message.
const MAX_STDERR_SHOWN: usize = 4000;
/// Programs under this directory run once per entry of `CONCURRENCY_WORKERS`.
const CONCURRENCY_DIR: &str = "concurrency/";
/// The `QI_WORKERS` values a concurrency program is run with (one trial each).
const CONCURRENCY_WORKERS: &[u32] = &[1, 4];

/// Programs (by name prefix) `conformance_unoptimised` does not run, with the reason.
#[allow(dead_code)] // Only `conformance_unoptimised` reads it; every suite includes this file.
pub const UNOPTIMISED_NOT_YET: &[(&str, &str)] = &[
    (
        "exceptions/stack_overflow_uncaught",
        "pins QI_JIT=eager: its trace counts how many frames of the optimised code fit",
    ),
    (
        "concurrency/failures/stack_overflow_in_thread_uncaught",
        "pins QI_JIT=eager: its trace counts how many frames of the optimised code fit",
    ),
    (
        "concurrency/futures/recursion_overflow_uncaught",
        "pins QI_JIT=eager: its trace counts how many frames of the optimised code fit",
    ),
];

/// The `QI_JIT` mode every program runs with (`None`: the default).
static JIT_MODE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// More environment for every program, set before `run_suite` (`conformance_unoptimised`:
/// `QI_NO_OPT=1`); a program's own `// qi-env:` lines still win.
pub static EXTRA_ENV: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
    std::sync::OnceLock::new();

#[allow(dead_code)] // Not the entry point where this file is included (`conformance_interp`).
fn main() {
    run_suite(std::env::var("QI_CONFORMANCE_JIT").ok().filter(|m| !m.is_empty()), &[]);
}

/// Run the suite with `QI_JIT=jit` (if given); the programs of the `skip` lists (by name
/// prefix, e.g. [`UNOPTIMISED_NOT_YET`]) are ignored trials.
pub fn run_suite(jit: Option<String>, skip: &[&[(&str, &str)]]) {
    JIT_MODE.set(jit).expect("the suite runs once");
    let not_yet = |name: &str| {
        skip.iter().any(|list| list.iter().any(|(prefix, _)| name.starts_with(prefix)))
    };
    let args = Arguments::from_args();
    let root = programs_dir();
    let mut files = Vec::new();
    collect_qi_files(&root, &mut files);
    files.sort();

    let bless = matches!(std::env::var("QI_BLESS").as_deref(), Ok(v) if !v.is_empty() && v != "0");
    let qi = PathBuf::from(env!("CARGO_BIN_EXE_qi"));

    let mut trials = Vec::new();
    for file in files {
        let rel = relative_slash_path(&root, &file);
        let name = rel.strip_suffix(".qi").unwrap_or(&rel).to_string();
        let kind = name.split('/').next().unwrap_or("").to_string();
        if !rel.starts_with(CONCURRENCY_DIR) {
            let (root, qi) = (root.clone(), qi.clone());
            let ignored = not_yet(&name);
            trials.push(
                Trial::test(name, move || run_case(&qi, &root, &rel, None, bless))
                    .with_kind(kind)
                    .with_ignored_flag(ignored),
            );
            continue;
        }
        // Green-thread programs: once on one worker, once on several. Both runs must match
        // the same expectation files. When blessing, only the first run writes them (two
        // runs writing the same files at once would race); the others are skipped.
        for (i, &workers) in CONCURRENCY_WORKERS.iter().enumerate() {
            let trial_name =
                format!("{name} [{workers} worker{}]", if workers == 1 { "" } else { "s" });
            let (root, qi, rel) = (root.clone(), qi.clone(), rel.clone());
            trials.push(
                Trial::test(trial_name, move || run_case(&qi, &root, &rel, Some(workers), bless))
                    .with_kind(kind.clone())
                    .with_ignored_flag((bless && i > 0) || not_yet(&name)),
            );
        }
    }

    libtest_mimic::run(&args, trials).exit();
}

/// `tests/programs`, found relative to the `qi-cli` crate that owns this test.
fn programs_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("programs");
    dir.canonicalize().unwrap_or(dir)
}

fn collect_qi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // `lib/` and `qi_packages/` hold files that programs import, not programs.
            if path.file_name().is_some_and(|n| n == "lib" || n == "qi_packages") {
                continue;
            }
            collect_qi_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "qi") {
            out.push(path);
        }
    }
}

/// `file` relative to `root`, with `/` separators on every platform.
fn relative_slash_path(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Settings read from the `// qi-…:` comment lines of a program.
#[derive(Default, Debug)]
struct Directives {
    args: Vec<String>,
    env: Vec<(String, String)>,
    cmd: Option<Vec<String>>,
    ignore_stderr: bool,
    leaks_allowed: bool,
    /// `// qi-max-rss-mb: N`: the peak resident memory allowed, in MiB.
    max_rss_mib: Option<u64>,
}

fn parse_directives(source: &str) -> Result<Directives, String> {
    let mut d = Directives::default();
    for (i, line) in source.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        let Some(comment) = line.strip_prefix("//") else { continue };
        let comment = comment.trim_start();
        let Some(rest) = comment.strip_prefix("qi-") else { continue };
        let Some((key, value)) = rest.split_once(':') else { continue };
        let value = value.trim();
        match key.trim() {
            "args" => d.args.extend(value.split_whitespace().map(str::to_string)),
            "env" => {
                let Some((k, v)) = value.split_once('=') else {
                    return Err(format!(
                        "line {}: `// qi-env:` needs KEY=VALUE, got `{value}`",
                        i + 1
                    ));
                };
                d.env.push((k.trim().to_string(), v.trim().to_string()));
            }
            "cmd" => {
                let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
                if words.is_empty() {
                    return Err(format!("line {}: `// qi-cmd:` is empty", i + 1));
                }
                d.cmd = Some(words);
            }
            "stderr" => match value {
                "ignore" => d.ignore_stderr = true,
                other => return Err(format!("line {}: unknown `// qi-stderr: {other}`", i + 1)),
            },
            "leaks" => match value {
                "allowed" => d.leaks_allowed = true,
                other => return Err(format!("line {}: unknown `// qi-leaks: {other}`", i + 1)),
            },
            "max-rss-mb" => match value.parse::<u64>() {
                Ok(n) if n > 0 => d.max_rss_mib = Some(n),
                _ => {
                    return Err(format!(
                    "line {}: `// qi-max-rss-mb:` needs a positive number of MiB, got `{value}`",
                    i + 1
                ))
                }
            },
            // `qi fmt`'s directive (docs/FORMAT.md): nothing for the runner to do.
            "fmt" if value == "off" => {}
            other => return Err(format!("line {}: unknown directive `// qi-{other}:`", i + 1)),
        }
    }
    Ok(d)
}

/// What one run of the program produced.
struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `Some(code)` for a normal exit, `None` when killed by a signal.
    code: Option<i32>,
    status_text: String,
    timed_out: bool,
    /// Peak resident set size of the `qi` process in KiB, when the platform reports it.
    peak_rss_kib: Option<u64>,
}

/// Runs one program and compares what it did with its expectation files. `workers`, when
/// set, is passed as `QI_WORKERS` (programs under `concurrency/`).
fn run_case(
    qi: &Path,
    root: &Path,
    rel: &str,
    workers: Option<u32>,
    bless: bool,
) -> Result<(), Failed> {
    match (run_case_inner(qi, root, rel, workers, bless), workers) {
        (Err(failed), Some(n)) => {
            Err(format!("[QI_WORKERS={n}] {}", failed.message().unwrap_or("")).into())
        }
        (result, _) => result,
    }
}

fn run_case_inner(
    qi: &Path,
    root: &Path,
    rel: &str,
    workers: Option<u32>,
    bless: bool,
) -> Result<(), Failed> {
    let qi_path = root.join(rel);
    let base = qi_path.with_extension("");
    let sibling = |ext: &str| PathBuf::from(format!("{}.{ext}", base.display()));
    let (out_path, err_path, status_path, in_path) =
        (sibling("out"), sibling("err"), sibling("status"), sibling("in"));

    // Lossy: a few programs hold invalid UTF-8 on purpose (what `qi` reports about it).
    let source = fs::read(&qi_path).map_err(|e| format!("cannot read {rel}: {e}"))?;
    let source = String::from_utf8_lossy(&source);
    let directives = parse_directives(&source).map_err(|e| format!("{rel}: {e}"))?;

    let expected_out = read_optional(&out_path)?;
    let expected_err = if directives.ignore_stderr { None } else { read_optional(&err_path)? };
    let expected_status = match read_optional(&status_path)? {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Some(text.trim().parse::<i32>().map_err(|_| {
                format!("{}: not an integer exit status: {:?}", status_path.display(), text.trim())
            })?)
        }
        None => None,
    };
    let pending = expected_out.is_none() && !err_path.exists() && expected_status.is_none();
    if pending && !bless {
        return Err(format!(
            "pending: {rel} has no expectation files (none of {name}.out, {name}.err, {name}.status \
             exists); write them, or run with QI_BLESS=1 and review the result by hand",
            name = base.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        )
        .into());
    }

    let stdin = read_optional(&in_path)?.unwrap_or_default();
    let outcome = run_qi(qi, root, rel, &directives, workers, stdin)?;

    if outcome.timed_out {
        return Err(format!(
            "{rel}: killed after {} s (hang or runaway program)\n{}",
            timeout().as_secs(),
            stderr_excerpt(&outcome.stderr)
        )
        .into());
    }

    let (outcome, leaks) = take_leak_report(outcome, &directives);

    if bless {
        return bless_case(&outcome, &directives, &out_path, &err_path, &status_path);
    }

    let mut report = String::new();
    if let Some(limit) = directives.max_rss_mib {
        match outcome.peak_rss_kib {
            Some(kib) if kib > limit * 1024 => {
                let _ = writeln!(
                    report,
                    "peak resident memory {:.1} MiB exceeds the limit of {limit} MiB (`// qi-max-rss-mb:`)",
                    kib as f64 / 1024.0
                );
            }
            Some(_) => {}
            None => {
                let _ = writeln!(
                    report,
                    "`// qi-max-rss-mb:` cannot be checked: no peak RSS on this platform"
                );
            }
        }
    }
    if let Some(line) = leaks {
        if outcome.code == Some(0) && !directives.leaks_allowed && !all_zero(&line) {
            let _ = writeln!(report, "objects still alive at the end: {line}");
        }
    }
    let want_out = expected_out.unwrap_or_default();
    if outcome.stdout != want_out {
        let _ = writeln!(report, "stdout differs:");
        report.push_str(&diff(&want_out, &outcome.stdout));
    }
    if let Some(want_err) = &expected_err {
        if &outcome.stderr != want_err {
            let _ = writeln!(report, "stderr differs:");
            report.push_str(&diff(want_err, &outcome.stderr));
        }
    }
    let want_status = expected_status.unwrap_or(if expected_err.is_some() { 1 } else { 0 });
    if outcome.code != Some(want_status) {
        let _ = writeln!(
            report,
            "exit status differs: expected {want_status}, got {}",
            outcome.status_text
        );
    }
    if report.is_empty() {
        return Ok(());
    }
    if expected_err.is_none() || !report.contains("stderr differs") {
        report.push_str(&stderr_excerpt(&outcome.stderr));
    }
    Err(format!("{rel}\n{report}").into())
}

/// The harness asked for the leak report (the program did not): take its line off
/// stderr so that the program's own stderr is compared.
fn take_leak_report(mut outcome: Outcome, directives: &Directives) -> (Outcome, Option<String>) {
    if !harness_leak_report(directives) {
        return (outcome, None);
    }
    let text = String::from_utf8_lossy(&outcome.stderr).into_owned();
    let Some(start) = text.rfind("[qi] 存活对象:").or_else(|| text.rfind("[qi] live objects:"))
    else {
        return (outcome, None);
    };
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
    let line = text[start..end].trim_end().to_string();
    outcome.stderr = format!("{}{}", &text[..start], &text[end..]).into_bytes();
    (outcome, Some(line))
}

fn harness_leak_report(directives: &Directives) -> bool {
    directives.cmd.is_none() && !directives.env.iter().any(|(k, _)| k == "QI_LEAK_REPORT")
}

/// `[qi] 存活对象: 字符串=0 数组=0 …`: is every count zero?
fn all_zero(line: &str) -> bool {
    line.split_whitespace().filter_map(|w| w.split_once('=')).all(|(_, n)| n == "0")
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn timeout() -> Duration {
    let secs = std::env::var("QI_CONFORMANCE_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    Duration::from_secs(secs)
}

fn run_qi(
    qi: &Path,
    root: &Path,
    rel: &str,
    directives: &Directives,
    workers: Option<u32>,
    stdin_bytes: Vec<u8>,
) -> Result<Outcome, String> {
    let mut cmd = Command::new(qi);
    match &directives.cmd {
        Some(words) => cmd.args(words),
        None => cmd.arg("run"),
    };
    cmd.arg(rel).args(&directives.args).current_dir(root);

    // A predictable environment: no QI_* settings leak in from the developer's shell,
    // messages default to Chinese.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QI_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANGUAGE");
    if harness_leak_report(directives) {
        cmd.env("QI_LEAK_REPORT", "1");
    }
    cmd.env("LANG", "C.UTF-8");
    if let Some(Some(mode)) = JIT_MODE.get() {
        cmd.env("QI_JIT", mode);
    }
    if let Some(n) = workers {
        cmd.env("QI_WORKERS", n.to_string());
    }
    for (k, v) in EXTRA_ENV.get().into_iter().flatten() {
        cmd.env(k, v);
    }
    for (k, v) in &directives.env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Own process group, so a timeout can kill anything the program started too.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }

    let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", qi.display()))?;

    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = thread::spawn(move || {
        // The program may exit without reading its input; a broken pipe is fine.
        let _ = stdin.write_all(&stdin_bytes);
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });

    let deadline = Instant::now() + timeout();
    let (status, timed_out, peak_rss_kib) = wait_with_deadline(&mut child, deadline)?;
    let _ = writer.join();
    // If the program left a grandchild holding the pipes open, the readers could block;
    // qi has no reason to do that, so plain joins are enough.
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();

    Ok(Outcome {
        stdout,
        stderr,
        code: status.code(),
        status_text: describe_status(&status),
        timed_out,
        peak_rss_kib,
    })
}

/// Waits for the program until `deadline`, then kills it (with its process group).
/// Returns its exit status, whether it was killed for the time limit, and its peak
/// resident memory in KiB.
///
/// On Unix the child is reaped with `wait4`, whose `rusage` gives the peak RSS of exactly
/// this process (`ru_maxrss`: KiB on Linux, bytes on macOS). `std`'s `Child` is not told
/// and must not be waited for or killed afterwards (its pid may be reused).
#[cfg(unix)]
fn wait_with_deadline(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Result<(ExitStatus, bool, Option<u64>), String> {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let mut timed_out = false;
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data; all-zero is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let flags = if timed_out { 0 } else { libc::WNOHANG };
        // SAFETY: valid pointers to locals; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == pid {
            let max_rss = u64::try_from(usage.ru_maxrss).unwrap_or(0);
            let kib = if cfg!(target_os = "macos") { max_rss / 1024 } else { max_rss };
            return Ok((ExitStatus::from_raw(status), timed_out, Some(kib)));
        }
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("waiting for qi: {e}"));
        }
        // Still running (WNOHANG).
        if Instant::now() >= deadline {
            timed_out = true;
            kill_tree(child);
            continue; // now wait (blocking) for it to die
        }
        thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(not(unix))]
fn wait_with_deadline(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Result<(ExitStatus, bool, Option<u64>), String> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((status, false, None)),
            Ok(None) => {
                if Instant::now() >= deadline {
                    kill_tree(child);
                    let status = child.wait().map_err(|e| format!("waiting for qi: {e}"))?;
                    return Ok((status, true, None));
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("waiting for qi: {e}")),
        }
    }
}

/// Kills the program and, on Unix, its whole process group.
fn kill_tree(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return code.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("no exit code (killed by signal {sig})");
        }
    }
    "no exit code".to_string()
}

fn bless_case(
    outcome: &Outcome,
    directives: &Directives,
    out_path: &Path,
    err_path: &Path,
    status_path: &Path,
) -> Result<(), Failed> {
    let Some(code) = outcome.code else {
        return Err(format!(
            "cannot bless: the program ended without an exit code ({})",
            outcome.status_text
        )
        .into());
    };
    write_or_remove(out_path, &outcome.stdout)?;
    let has_err = if directives.ignore_stderr {
        false
    } else {
        write_or_remove(err_path, &outcome.stderr)?;
        !outcome.stderr.is_empty()
    };
    let implied = if has_err { 1 } else { 0 };
    if code == implied {
        if status_path.exists() {
            fs::remove_file(status_path).map_err(|e| format!("{}: {e}", status_path.display()))?;
        }
    } else {
        fs::write(status_path, format!("{code}\n"))
            .map_err(|e| format!("{}: {e}", status_path.display()))?;
    }
    Ok(())
}

fn write_or_remove(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        if path.exists() {
            fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    } else {
        fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A compact diff: the first differing line with a few lines of context from both sides.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let exp_lines: Vec<&str> = exp.split_inclusive('\n').collect();
    let act_lines: Vec<&str> = act.split_inclusive('\n').collect();
    let first = exp_lines
        .iter()
        .zip(act_lines.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(exp_lines.len().min(act_lines.len()));

    let mut s = String::new();
    let _ = writeln!(
        s,
        "  first difference at line {} (expected {} lines, got {} lines)",
        first + 1,
        exp_lines.len(),
        act_lines.len()
    );
    let start = first.saturating_sub(DIFF_CONTEXT);
    for (i, line) in exp_lines.iter().enumerate().take(first).skip(start) {
        let _ = writeln!(s, "  {:>4}   {}", i + 1, show_line(line));
    }
    let end_exp = (first + DIFF_CONTEXT + 1).min(exp_lines.len());
    let end_act = (first + DIFF_CONTEXT + 1).min(act_lines.len());
    for (i, line) in exp_lines.iter().enumerate().take(end_exp).skip(first) {
        let _ = writeln!(s, "  {:>4} - {}", i + 1, show_line(line));
    }
    if first >= exp_lines.len() {
        let _ = writeln!(s, "       - <end of expected output>");
    }
    for (i, line) in act_lines.iter().enumerate().take(end_act).skip(first) {
        let _ = writeln!(s, "  {:>4} + {}", i + 1, show_line(line));
    }
    if first >= act_lines.len() {
        let _ = writeln!(s, "       + <end of actual output>");
    }
    s
}

/// One output line, with its line end made visible when it is not a plain `\n`.
fn show_line(line: &str) -> String {
    match line.strip_suffix('\n') {
        Some(body) if !body.ends_with('\r') => {
            let quoted = format!("{body:?}");
            quoted[1..quoted.len() - 1].replace("\\\"", "\"")
        }
        _ => format!("{line:?}  (no plain \\n line end)"),
    }
}

fn stderr_excerpt(stderr: &[u8]) -> String {
    if stderr.is_empty() {
        return "stderr: <empty>\n".to_string();
    }
    let text = String::from_utf8_lossy(stderr);
    let mut shown: String = text.chars().take(MAX_STDERR_SHOWN).collect();
    if shown.len() < text.len() {
        shown.push_str("\n… (stderr truncated)");
    }
    let mut s = String::from("stderr:\n");
    for line in shown.lines() {
        let _ = writeln!(s, "  | {line}");
    }
    s
}
