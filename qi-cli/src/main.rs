//! `qi`: run, check, format and test Qi programs, and an interactive session.
// The unit tests of this crate run under the test harness's own `main`.
#![cfg_attr(not(test), no_main)]

#[cfg(feature = "mimalloc")]
mod allocator;
mod deep_stack;
mod fmt;
mod foreign;
mod help;
mod loader;
mod log;
mod lsp;
mod render;
mod repl;
mod source_files;
mod stats;
mod test;
mod usage_error;

use clap::{Parser, Subcommand, ValueEnum};
use qi_syntax::{Diagnostic, Lang};
use std::path::PathBuf;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

/// qi — a fast runtime for the Qi programming language (奇语).
#[derive(Parser, Debug)]
#[command(
    name = "qi",
    version,
    about = "qi — a fast runtime for the Qi programming language (奇语)",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check and run a program: `qi run 程序.qi [参数…]`, `qi run - < 程序.qi`,
    /// `qi run -e '打印行(1 + 1);'`.
    ///
    /// Green threads run on one worker thread per core; `QI_WORKERS=n` sets the number.
    /// Exit status: 0 normal end, 1 rejected program (or one `--jit` cannot run), 2 uncaught
    /// exception or deadlock, 64 usage error,
    /// 74 output could not be written; a closed pipe on the output ends `qi` quietly by
    /// SIGPIPE (status 141 in a shell).
    Run {
        /// Print an intermediate form instead of running.
        #[arg(long, value_enum)]
        emit: Option<Emit>,
        /// Run (or `--emit ir`) the IR as lowered, without the IR optimisations: for
        /// testing the optimisations against (also `QI_NO_OPT=1`).
        #[arg(long)]
        no_opt: bool,
        /// Print the number of live heap objects by kind to stderr at exit
        /// (also `QI_LEAK_REPORT=1`).
        #[arg(long)]
        leak_report: bool,
        /// How functions run: `auto` (the default) interprets them and compiles hot ones
        /// with Cranelift, `eager` compiles every function before `入口` starts, `off`
        /// interprets them all, `stress` compiles each at its first call or loop and
        /// waits for it (testing) (also `QI_JIT=…`).
        #[arg(long, value_enum)]
        jit: Option<JitMode>,
        /// At exit, print to stderr how many functions were interpreted and compiled,
        /// the compile time, and when the program first printed (and, when any ran, the
        /// cycle collections and their pauses).
        #[arg(long)]
        stats: bool,
        /// Log the engine's events to stderr (each tier-up with its reason, compile time
        /// and code size): a level such as `debug`, or filter directives such as
        /// `qi::tier=debug` (also `QI_LOG=…`).
        #[arg(long, value_name = "LEVEL")]
        log: Option<String>,
        /// Calls plus loop iterations after which `auto` compiles a function (also
        /// `QI_JIT_THRESHOLD=…`; testing and measuring).
        #[arg(long)]
        jit_threshold: Option<u32>,
        /// Run this code as the body of an implicit `入口` instead of a file (what would be
        /// the file is then the program's first argument).
        #[arg(short = 'e', long = "eval", value_name = "CODE")]
        eval: Option<String>,
        /// The program's entry file; `-` reads the program from standard input.
        #[arg(required_unless_present = "eval")]
        file: Option<PathBuf>,
        /// Arguments passed to the program (`命令行参数()`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Report every diagnostic of a program without running it.
    Check {
        /// Only parse: report syntax errors (works for any Qi file).
        #[arg(long)]
        syntax: bool,
        /// The file to check; `-` reads it from standard input.
        file: PathBuf,
    },
    /// Format Qi files in place with the one canonical layout (docs/FORMAT.md).
    ///
    /// Exit status: 0 done (or, with `--check`, nothing to change), 1 a file would change
    /// (`--check`) or has syntax errors (it is reported and left as it is).
    Fmt {
        /// Change nothing: list the files that would change and exit with 1 if any.
        #[arg(long)]
        check: bool,
        /// Files or directories (their `.qi` files); `-` formats standard input to standard
        /// output. None: every `.qi` file under the current directory.
        files: Vec<PathBuf>,
    },
    /// An interactive session: declarations and statements entered line by line, values
    /// shown with their types, variables kept between inputs (`:help`, `:type 表达式`,
    /// `:quit`).
    ///
    /// Line editing and history when standard input is a terminal; otherwise inputs are
    /// read line by line without prompts. Exit status: 0.
    Repl,
    /// A Language Server Protocol server on standard input and output, for editors:
    /// diagnostics as `qi check` reports them, hover, go to definition, completion,
    /// document symbols and formatting as `qi fmt` does it.
    Lsp,
    /// Run the test functions of a project (docs/TESTING.md): in the `.qi` files under its
    /// `测试/` or `tests/` directories and its `…_测试.qi` files, the functions whose name
    /// starts with `测试` and that take no parameters, each in a process of its own.
    ///
    /// Exit status: 0 every test passed, 1 a test failed (or a test file is rejected).
    Test {
        /// A project directory (default: the current one) or one test file.
        path: Option<PathBuf>,
        /// Run only this test function of PATH, in test mode (how `qi test` runs each test).
        #[arg(long, hide = true, value_name = "FUNCTION", requires = "path")]
        run_one: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum, Debug)]
enum JitMode {
    /// Interpret, compile hot functions in the background.
    Auto,
    /// Compile every function at its first call or loop iteration, waiting for it.
    Stress,
    /// Compile every function before the program starts.
    Eager,
    /// Interpret every function.
    Off,
}

impl JitMode {
    fn tier(self) -> qi_jit::Tier {
        match self {
            JitMode::Auto => qi_jit::Tier::Mixed(qi_jit::Policy::auto()),
            JitMode::Stress => qi_jit::Tier::Mixed(qi_jit::Policy::stress()),
            JitMode::Eager => qi_jit::Tier::Eager,
            JitMode::Off => qi_jit::Tier::Off,
        }
    }
}

/// A variable that names no tier mode, threshold or wait.
enum Bad {
    Mode(String),
    Threshold(String),
    Wait(String),
}

/// The tier mode: `--jit`, else `QI_JIT`, else auto; the threshold of `auto`:
/// `--jit-threshold`, else `QI_JIT_THRESHOLD`; how long the green thread that made a
/// function hot waits for its batch: `QI_JIT_WAIT_US` (microseconds; measuring, and tests
/// that need the batch done when the call returns).
fn tier(flag: Option<JitMode>, threshold: Option<u32>) -> Result<qi_jit::Tier, Bad> {
    let mode = match flag {
        Some(mode) => mode.tier(),
        None => match std::env::var("QI_JIT") {
            Err(_) => qi_jit::Tier::Mixed(qi_jit::Policy::auto()),
            Ok(v) if v.is_empty() => qi_jit::Tier::Mixed(qi_jit::Policy::auto()),
            Ok(v) => qi_jit::Tier::parse(&v).ok_or(Bad::Mode(v))?,
        },
    };
    let threshold = match (threshold, std::env::var("QI_JIT_THRESHOLD")) {
        (Some(n), _) => Some(n),
        (None, Ok(v)) if !v.is_empty() => {
            Some(v.parse().ok().filter(|n| *n > 0).ok_or(Bad::Threshold(v))?)
        }
        _ => None,
    };
    let wait = match std::env::var("QI_JIT_WAIT_US") {
        Ok(v) if !v.is_empty() => {
            Some(v.parse().map(std::time::Duration::from_micros).map_err(|_| Bad::Wait(v))?)
        }
        _ => None,
    };
    Ok(match mode {
        qi_jit::Tier::Mixed(policy) => qi_jit::Tier::Mixed(qi_jit::Policy {
            threshold: threshold.map_or(policy.threshold, |n| n.max(1)),
            wait: wait.unwrap_or(policy.wait),
        }),
        mode => mode,
    })
}

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Emit {
    /// The typed mid-level IR that runs: after the IR optimisations (unless `--no-opt`).
    Ir,
    /// The typed mid-level IR as lowered from the source, before the optimisations.
    IrRaw,
    /// The machine code of every function (to stderr).
    Asm,
}

/// The process's entry, called by the C library in place of std's `main` shim
/// (`#![no_main]`). std's set-up of the main thread read `/proc/self/maps` with `sscanf`
/// to place a guard for a stack overflow message, about a sixth of the instructions
/// `hello` ran (benches/README.md, "Start-up on one thread"); `qi`'s deep recursion runs
/// on stacks of its own (`deep_stack`, green threads with their own limit checks). The
/// rest of that set-up is done here: closed standard descriptors get `/dev/null` (so no
/// file `qi` opens becomes its output), `SIGPIPE` is ignored (a closed pipe is a write
/// error, which `qi_rt::stdio` turns into the signal's default end), and a panic ends
/// the process with status 101.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd { fd, events: 0, revents: 0 });
    // SAFETY: `fds` is a valid array of three `pollfd`s; a zero timeout does not block.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } > 0 {
        for p in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
            // SAFETY: a constant C string; the descriptor opened fills the lowest closed
            // one, which is `p.fd` (lower ones were handled first).
            let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            debug_assert!(fd == -1 || fd == p.fd);
        }
    }
    // SAFETY: setting a signal's disposition to `SIG_IGN` has no preconditions.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    std::panic::catch_unwind(qi_main).map_or(101, libc::c_int::from)
}

/// `qi`'s command line, run: the exit status.
#[cfg_attr(test, allow(dead_code))]
fn qi_main() -> u8 {
    qi_rt::timing::mark_start();
    let lang = Lang::from_env();
    let cli = match help::parse(lang) {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    match cli.command {
        Command::Run {
            emit,
            no_opt,
            leak_report,
            jit,
            jit_threshold,
            stats,
            log,
            eval,
            file,
            mut args,
        } => {
            let entry = match (eval, file) {
                (Some(code), file) => {
                    // `qi run -e CODE a b`: `a` is the program's first argument.
                    args.splice(0..0, file.map(|f| f.to_string_lossy().into_owned()));
                    loader::Entry::eval(&code)
                }
                (None, Some(file)) => match loader::Entry::from_arg(file) {
                    Ok(entry) => entry,
                    Err(message) => {
                        qi_rt::output::write_stderr_line(&message);
                        return 1;
                    }
                },
                (None, None) => unreachable!("clap requires FILE without --eval"),
            };
            if let Err(message) = log::init(log.as_deref(), lang) {
                qi_rt::output::write_stderr_line(&message);
                return 1;
            }
            let leak_report =
                leak_report || std::env::var_os("QI_LEAK_REPORT").is_some_and(|v| v == "1");
            let optimize = !(no_opt || std::env::var_os("QI_NO_OPT").is_some_and(|v| v == "1"));
            let opts = qi_jit::Options { optimize, ..qi_jit::Options::default() };
            let tier = match tier(jit, jit_threshold) {
                Ok(tier) => tier,
                Err(bad) => {
                    qi_rt::output::write_stderr_line(&tier_error(lang, bad));
                    // Not run, like a rejected program.
                    return 1;
                }
            };
            let flags = RunFlags { emit, leak_report, stats };
            run(entry, args, flags, tier, opts, lang)
        }
        Command::Check { syntax, file } => {
            let entry = match loader::Entry::from_arg(file) {
                Ok(entry) => entry,
                Err(message) => {
                    qi_rt::output::write_stderr_line(&message);
                    return 1;
                }
            };
            run_on_qi_stack(move || check(&entry, syntax, lang)).unwrap_or(70)
        }
        Command::Fmt { check, files } => {
            run_on_qi_stack(move || fmt::run(check, files, lang)).unwrap_or(70)
        }
        Command::Repl => {
            run_on_qi_stack(move || repl::run(lang)).map_or(70, |status| {
                // Green threads of the last input may still run: end as `qi run` does.
                qi_rt::program::end_process(status)
            })
        }
        Command::Lsp => run_on_qi_stack(move || lsp::run(lang)).unwrap_or(70),
        Command::Test { path, run_one: Some(function) } => {
            test::run_one(path.expect("clap requires PATH with --run-one"), function, lang)
        }
        Command::Test { path, run_one: None } => test::run(path, lang),
    }
}

/// The message for a variable that names no tier mode, threshold or wait.
fn tier_error(lang: Lang, bad: Bad) -> String {
    match (lang, bad) {
        (Lang::En, Bad::Mode(v)) => {
            format!("qi: QI_JIT={v} is not a mode (auto, eager, off, stress)")
        }
        (Lang::Zh, Bad::Mode(v)) => {
            format!("qi: QI_JIT={v} 不是一种模式（auto、eager、off、stress）")
        }
        (Lang::En, Bad::Threshold(v)) => {
            format!("qi: QI_JIT_THRESHOLD={v} is not a positive number")
        }
        (Lang::Zh, Bad::Threshold(v)) => {
            format!("qi: QI_JIT_THRESHOLD={v} 不是正整数")
        }
        (Lang::En, Bad::Wait(v)) => {
            format!("qi: QI_JIT_WAIT_US={v} is not a number of microseconds")
        }
        (Lang::Zh, Bad::Wait(v)) => {
            format!("qi: QI_JIT_WAIT_US={v} 不是微秒数")
        }
    }
}

/// Print diagnostics to stderr; true if any of them is an error.
fn report(files: &[loader::LoadedFile], diagnostics: &[Diagnostic], lang: Lang) -> bool {
    if diagnostics.is_empty() {
        return false;
    }
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = Vec::new();
    let named: Vec<(&str, &str)> =
        files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    let errors = render::render_files(&mut out, &named, diagnostics, lang, color);
    qi_rt::output::write_stderr(&out);
    errors > 0
}

/// Load every file of the program and report its syntax errors (all files) and
/// unresolvable imports. `None` when something was reported as an error.
fn load(entry: &loader::Entry, lang: Lang) -> Option<Vec<loader::LoadedFile>> {
    let files = match loader::load_program(entry) {
        Ok(files) => files,
        Err(loader::LoadError::Io(msg)) => {
            qi_rt::output::write_stderr_line(&msg);
            return None;
        }
        Err(loader::LoadError::Encoding(file, diagnostic)) => {
            report(std::slice::from_ref(&*file), &[diagnostic], lang);
            return None;
        }
        Err(loader::LoadError::Imports(files, mut errors)) => {
            for (i, f) in files.iter().enumerate() {
                errors.extend(f.parse.errors.iter().cloned().map(|d| d.in_file(i as u32)));
            }
            report(&files, &errors, lang);
            return None;
        }
    };
    let syntax: Vec<Diagnostic> = files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.parse.errors.iter().cloned().map(move |d| d.in_file(i as u32)))
        .collect();
    if report(&files, &syntax, lang) {
        return None;
    }
    Some(files)
}

/// Load, parse and check; on success the program's files and its IR module.
fn front_end(
    entry: &loader::Entry,
    lang: Lang,
) -> Option<(Vec<loader::LoadedFile>, qi_ir::Module)> {
    let files = load(entry, lang)?;
    let units: Vec<qi_ir::SourceUnit> = files.iter().map(loader::LoadedFile::unit).collect();
    let checked = qi_ir::check_program(&units);
    if report(&files, &checked.diagnostics, lang) {
        return None;
    }
    Some((files, checked.module?))
}

/// What `qi run` does besides running.
struct RunFlags {
    emit: Option<Emit>,
    leak_report: bool,
    stats: bool,
}

fn run(
    entry: loader::Entry,
    args: Vec<String>,
    flags: RunFlags,
    tier: qi_jit::Tier,
    opts: qi_jit::Options,
    lang: Lang,
) -> u8 {
    let RunFlags { emit, leak_report, stats } = flags;
    if leak_report {
        qi_rt::enable_live_counts();
    }
    qi_rt::set_args(args);
    // Load, check and compile on a deep stack; the program runs on green threads (the
    // first on this thread, as long as it is the only one).
    let outcome = run_on_qi_stack(move || {
        let Some((files, module)) = front_end(&entry, lang) else { return Stage::Compiled(1) };
        match emit {
            Some(Emit::IrRaw) => {
                qi_rt::output::write_stdout(module.to_string().as_bytes());
                return Stage::Compiled(0);
            }
            // What both tiers run (`qi_jit::prepare`).
            Some(Emit::Ir) => {
                return match qi_ir::opt::runnable(module, opts.optimize) {
                    Ok(runnable) => {
                        qi_rt::output::write_stdout(runnable.to_string().as_bytes());
                        Stage::Compiled(0)
                    }
                    Err(e) => {
                        qi_rt::output::write_stderr_line(&format!("qi: internal error: {e}"));
                        Stage::Compiled(70)
                    }
                };
            }
            Some(Emit::Asm) => {
                let opts = qi_jit::Options { disasm: true, ..opts };
                return match qi_jit::compile(&module, &opts) {
                    Ok(_) => Stage::Compiled(0),
                    Err(e) => {
                        qi_rt::output::write_stderr_line(&format!("qi: internal error: {e}"));
                        Stage::Compiled(70)
                    }
                };
            }
            None => {}
        }
        // The libraries of `外部` blocks load before anything runs.
        if let Err(errors) = qi_jit::resolve_foreign(&module) {
            report(&files, &foreign::diagnostics(&module, &errors), lang);
            return Stage::Compiled(1);
        }
        let file_names = module.files.clone();
        match qi_jit::prepare(module, tier, &opts) {
            Ok(program) => {
                qi_rt::exception::set_file_names(file_names);
                // Nothing reads the sources or syntax trees again, and the process ends
                // with the program: not freeing them saves freeing every node (about
                // 1.5 ms of a 5,000-line program; benches/README.md).
                keep_until_exit(files);
                Stage::Ran(program.run().report())
            }
            Err(e) if e.is_internal() => {
                qi_rt::output::write_stderr_line(&format!("qi: internal error: {e}"));
                Stage::Compiled(70)
            }
            Err(e) => {
                let english = matches!(lang, Lang::En);
                qi_rt::output::write_stderr_line(&format!("qi: {}", e.message(english)));
                Stage::Compiled(1)
            }
        }
    });
    let status = match outcome {
        Some(Stage::Compiled(status)) => return status,
        Some(Stage::Ran(status)) => status,
        None => 70,
    };
    if status == 0 && leak_report {
        qi_rt::finish();
        print_leak_report(lang);
    }
    if stats {
        stats::print(lang);
    }
    // Other green threads may still be running on the workers: end the process without
    // running exit-time destructors under their feet (output is flushed first).
    qi_rt::program::end_process(status)
}

fn check(entry: &loader::Entry, syntax_only: bool, lang: Lang) -> u8 {
    let ok = if syntax_only {
        // Only this file, whatever it imports: `--syntax` works for any Qi file.
        match entry.bytes().map(String::from_utf8) {
            Ok(Ok(text)) => {
                let parse = qi_syntax::parse(&text);
                let file = loader::LoadedFile {
                    name: entry.path.display().to_string(),
                    text,
                    parse,
                    imports: Vec::new(),
                };
                !report(std::slice::from_ref(&file), &file.parse.errors, lang)
            }
            _ => load(entry, lang).is_some(),
        }
    } else {
        let checked = front_end(entry, lang);
        let ok = checked.is_some();
        // The process ends right after: leave the syntax trees and the IR to the OS
        // rather than free them node by node (as `run` does).
        keep_until_exit(checked);
        ok
    };
    if ok {
        0
    } else {
        1
    }
}

/// The stack that loads, checks and compiles (see `qi_ir::FRONT_END_STACK`).
/// The program itself runs on green threads with their own stacks (qi-rt `sched::stack`).
const QI_STACK_SIZE: usize = qi_ir::FRONT_END_STACK;

/// How far `qi run` got: the program ran (other green threads may still be running,
/// so the process must end through `qi_rt::program::end_process`), or it stopped before
/// (rejected, or `--emit`).
enum Stage {
    Compiled(u8),
    Ran(u8),
}

/// Run the compiler (and the program) on a large stack (`deep_stack`); `None` if it
/// panicked or the stack could not be had (then a message was written).
fn run_on_qi_stack<T: 'static>(f: impl FnOnce() -> T + 'static) -> Option<T> {
    deep_stack::run(QI_STACK_SIZE, f)
}

/// `--leak-report`: live heap objects by kind, and live library handles (lists, maps,
/// JSON values … not yet freed), one line on stderr.
fn print_leak_report(lang: Lang) {
    // Exceptions, channels, futures and generators only appear when some are alive (they
    // are rare, and the line keeps the shape programs and tests know).
    let counts: Vec<String> = qi_rt::live_counts()
        .into_iter()
        .filter(|(kind, n)| {
            !matches!(
                kind,
                qi_rt::ObjKind::Exception
                    | qi_rt::ObjKind::Channel
                    | qi_rt::ObjKind::Future
                    | qi_rt::ObjKind::Generator
            ) || *n > 0
        })
        .map(|(kind, n)| match lang {
            Lang::Zh => format!("{}={n}", kind.name_zh()),
            Lang::En => format!("{}={n}", kind.name()),
        })
        .chain(
            // Handles appear only when some are live (most programs hold none).
            qi_rt::handles::live_handle_counts().into_iter().filter(|(_, n)| *n > 0).map(
                |(kind, n)| match lang {
                    Lang::Zh => format!("{}={n}", kind.name_zh()),
                    Lang::En => format!("{}={n}", kind.name()),
                },
            ),
        )
        .collect();
    let label = match lang {
        Lang::Zh => "存活对象",
        Lang::En => "live objects",
    };
    qi_rt::output::write_stderr_line(&format!("[qi] {label}: {}", counts.join(" ")));
}

/// Leaves `value` to the OS when the process ends, instead of freeing it node by node
/// (benches/README.md: about 1.5 ms of a 5,000-line program). Its address stays in a
/// static, so leak checkers (tests/valgrind.sh) see it as still reachable, not lost.
fn keep_until_exit<T>(value: T) {
    static KEPT: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());
    let address = Box::into_raw(Box::new(value)) as usize;
    KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(address);
}
