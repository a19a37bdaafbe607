//! Running programs in the product's tiers from qi-ir's tests, through qi-jit's
//! child-process harness (`qi-jit/tests/common/mod.rs`): the program's source is the case
//! name, and a test binary that uses this needs a test `child_entry` calling `child_main`.

#[path = "../../../qi-jit/tests/common/mod.rs"]
pub mod child;

use child::{ChildOutput, MODES, MODE_ENV};

/// The program's arguments, one a line, for a child.
pub const ARGS_ENV: &str = "QI_IR_TEST_ARGS";

/// In a child: check the source given as the case name (`t.qi`) and run it; does nothing
/// in a normal test run.
pub fn child_main() {
    child::child_main(|src| {
        let args = std::env::var(ARGS_ENV).unwrap_or_default();
        let args = args.lines().map(str::to_string).collect();
        // On the front end's stack: mutated programs may nest as deep as the parser admits.
        let src = src.to_string();
        let module = super::on_front_end_stack(move || super::module_of(&src));
        child::Prepared { module, args }
    });
}

/// Run `src` (as `t.qi`) in every mode of `MODES` (the eager JIT, the interpreter, the
/// interpreter on the IR as lowered); every run must end the same way (stdout, stderr,
/// exit status) and free every object (after the clean-up of an uncaught exception too:
/// these programs keep no object in a global). Returns the run of the first mode.
#[track_caller]
pub fn run_everywhere(src: &str) -> ChildOutput {
    run_everywhere_with(src, &[])
}

/// `run_everywhere` with more environment (`QI_LANG=en`).
#[track_caller]
pub fn run_everywhere_with(src: &str, env: &[(&str, &str)]) -> ChildOutput {
    let runs: Vec<(&str, ChildOutput)> = MODES
        .iter()
        .map(|(mode, _, _)| {
            let env: Vec<(&str, &str)> =
                [(MODE_ENV, *mode)].into_iter().chain(env.iter().copied()).collect();
            (*mode, child::run_child(src, &env))
        })
        .collect();
    let (first_mode, first) = &runs[0];
    for (mode, run) in &runs {
        assert_eq!(run.live, Some([0; 6]), "{mode}: objects left alive\n{src}\n{}", run.stderr);
        assert!(
            matches!(run.status, Some(0 | 2)),
            "{mode}: status {:?}\n{src}\n{}",
            run.status,
            run.stderr
        );
        assert_eq!(
            (&run.stdout, &run.stderr, run.status),
            (&first.stdout, &first.stderr, first.status),
            "{mode} and {first_mode} differ\n{src}"
        );
    }
    runs.into_iter().next().unwrap().1
}

/// Run `src` in every mode (`run_everywhere`); it must end normally. Its stdout.
#[track_caller]
pub fn run(src: &str) -> String {
    let o = run_everywhere(src);
    assert_eq!(o.status, Some(0), "{src}\n{}", o.stderr);
    o.stdout
}
