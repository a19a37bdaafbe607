//! Running one program with `qi run` in several modes, and comparing the runs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A way to run a program: a name and the `qi run` options.
pub struct Mode {
    pub name: &'static str,
    pub args: &'static [&'static str],
}

/// The modes compared, the reference first. `--no-opt` runs the IR as lowered, so the
/// comparison also checks the IR optimisations. (A new tier mode is one more line.)
pub const MODES: &[Mode] = &[
    Mode { name: "interpreter", args: &["--jit=off"] },
    Mode { name: "eager JIT", args: &["--jit=eager"] },
    Mode { name: "interpreter, unoptimised IR", args: &["--jit=off", "--no-opt"] },
    Mode {
        name: "stress (every function compiled at its first call or loop)",
        args: &["--jit=stress"],
    },
];

/// What one run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    /// Without the leak report line (`[qi] 存活对象: …`).
    pub stderr: Vec<u8>,
    /// `None`: killed by a signal, or by the time limit (`timed_out`).
    pub status: Option<i32>,
    /// The leak report after a normal end (every count must be 0).
    pub live: Option<String>,
    pub timed_out: bool,
}

/// How the runs of a program differ, or what is wrong with one of them.
#[derive(Debug)]
pub struct Mismatch {
    pub description: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

/// Run `file` with the `qi` binary at `qi` in every mode of `MODES`; `Ok` with the
/// reference run when all agree: same stdout, stderr and exit status, no object left
/// alive after a normal end, nothing killed, and the program accepted by the checker
/// (a rejected program is a bug of the generator).
pub fn compare(qi: &Path, file: &Path, limit: Duration) -> Result<RunResult, Mismatch> {
    let reference = run(qi, file, &MODES[0], limit)?;
    check_alone(&MODES[0], &reference)?;
    for mode in &MODES[1..] {
        let other = run(qi, file, mode, limit)?;
        check_alone(mode, &other)?;
        if other != reference {
            return Err(Mismatch {
                description: format!(
                    "{} and {} differ\n{}",
                    MODES[0].name,
                    mode.name,
                    describe_difference(&reference, &other)
                ),
            });
        }
    }
    Ok(reference)
}

fn check_alone(mode: &Mode, r: &RunResult) -> Result<(), Mismatch> {
    let fail = |what: String| Err(Mismatch { description: format!("{}: {what}", mode.name) });
    if r.timed_out {
        return fail("did not end in time (generated programs always end)".into());
    }
    match r.status {
        Some(0) | Some(2) => {}
        Some(1) => {
            return fail(format!(
                "the program was rejected (a bug of the generator)\n{}",
                String::from_utf8_lossy(&r.stderr)
            ))
        }
        other => {
            return fail(format!("exit status {other:?}\n{}", String::from_utf8_lossy(&r.stderr)))
        }
    }
    if let Some(live) = &r.live {
        let all_zero =
            live.split_whitespace().filter_map(|w| w.split_once('=')).all(|(_, n)| n == "0");
        if !all_zero {
            return fail(format!("objects left alive: {live}"));
        }
    }
    Ok(())
}

fn describe_difference(a: &RunResult, b: &RunResult) -> String {
    let mut out = String::new();
    if a.status != b.status {
        out.push_str(&format!("exit status {:?} vs {:?}\n", a.status, b.status));
    }
    for (what, x, y) in [("stdout", &a.stdout, &b.stdout), ("stderr", &a.stderr, &b.stderr)] {
        if x != y {
            let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            let first = x.lines().zip(y.lines()).position(|(p, q)| p != q);
            let at = first.unwrap_or_else(|| x.lines().count().min(y.lines().count()));
            out.push_str(&format!(
                "{what} differs at line {}:\n  {:?}\n  {:?}\n",
                at + 1,
                x.lines().nth(at).unwrap_or("<end>"),
                y.lines().nth(at).unwrap_or("<end>")
            ));
        }
    }
    if a.live != b.live {
        out.push_str(&format!("live objects {:?} vs {:?}\n", a.live, b.live));
    }
    out
}

const LEAK_ZH: &str = "[qi] 存活对象: ";

/// Run `qi run <mode args> file` in a clean environment (Chinese messages, the leak
/// report on, one worker), killed after `limit`.
pub fn run(qi: &Path, file: &Path, mode: &Mode, limit: Duration) -> Result<RunResult, Mismatch> {
    let dir = std::env::temp_dir();
    let stem = format!("qi-tiers-{}-{:?}", std::process::id(), std::thread::current().id())
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");
    let (out_path, err_path) = (dir.join(format!("{stem}.out")), dir.join(format!("{stem}.err")));
    let io =
        |e: std::io::Error| Mismatch { description: format!("cannot run {}: {e}", qi.display()) };
    let mut cmd = Command::new(qi);
    cmd.arg("run").args(mode.args).arg(file);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QI_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LANG", "C.UTF-8")
        .env("QI_LEAK_REPORT", "1")
        .env("QI_WORKERS", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).map_err(io)?)
        .stderr(std::fs::File::create(&err_path).map_err(io)?);
    let mut child = cmd.spawn().map_err(io)?;
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().map_err(io)? {
            break (status.code(), false);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = std::fs::read(&out_path).map_err(io)?;
    let mut stderr = std::fs::read(&err_path).map_err(io)?;
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    let mut live = None;
    let text = String::from_utf8_lossy(&stderr).into_owned();
    if let Some(at) = text.rfind(LEAK_ZH) {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        live = Some(text[at + LEAK_ZH.len()..end].trim_end().to_string());
        stderr = format!("{}{}", &text[..at], &text[end..]).into_bytes();
    }
    Ok(RunResult { stdout, stderr, status, live, timed_out })
}
