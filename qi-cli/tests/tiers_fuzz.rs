//! Differential smoke test of the execution tiers: random well-typed programs
//! (`qi-fuzz-gen`, the generator of the cargo-fuzz target `fuzz/fuzz_targets/tiers.rs`)
//! run with `qi run` in every mode of `qi_fuzz_gen::MODES` (interpreter, eager JIT,
//! interpreter on the unoptimised IR) must agree exactly: stdout, stderr, exit status, and
//! no object left alive after a normal end.
//!
//! The programs: those of the seeds `0..QI_FUZZ_SEEDS` (default `DEFAULT_SEEDS`) and the
//! committed seed corpus of the fuzz target (`fuzz/seeds/tiers/`). A failure names the
//! seed or file and keeps the program in the temporary directory; see fuzz/README.md for
//! reproducing and minimising one.

use qi_fuzz_gen::{compare, generate, seed_bytes, SEED_BYTES};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Seeds run by default: a few seconds per hundred on two cores in a debug build.
const DEFAULT_SEEDS: usize = 300;
/// Generated programs end in milliseconds; this only catches a hang.
const LIMIT: Duration = Duration::from_secs(60);
/// Programs run at once (each run is one `qi` process).
const PARALLEL: usize = 2;

fn seed_count() -> usize {
    std::env::var("QI_FUZZ_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_SEEDS)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-tiers-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/tiers")
}

/// One program to compare: a name (for the report) and its generator input.
struct Case {
    name: String,
    bytes: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = (0..seed_count() as u64)
        .map(|seed| Case { name: format!("seed {seed}"), bytes: seed_bytes(seed, SEED_BYTES) })
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the committed seed corpus fuzz/seeds/tiers")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the seed corpus is empty");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        cases.push(Case { name: format!("corpus file {}", f.display()), bytes });
    }
    cases
}

#[test]
fn random_programs_run_identically_in_every_tier() {
    let qi = PathBuf::from(env!("CARGO_BIN_EXE_qi"));
    let dir = scratch();
    let cases = cases();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let ended = Mutex::new([0usize; 2]);
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let file = dir.join(format!("case{i}.qi"));
                std::fs::write(&file, generate(&case.bytes)).unwrap();
                match compare(&qi, &file, LIMIT) {
                    Ok(run) => {
                        let normal = run.status == Some(0);
                        ended.lock().unwrap()[usize::from(!normal)] += 1;
                        let _ = std::fs::remove_file(&file);
                    }
                    Err(m) => failures.lock().unwrap().push(format!(
                        "== {} (program kept in {}):\n{m}",
                        case.name,
                        file.display()
                    )),
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {}:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // The generator makes both kinds of end (a check on the generator, not on qi).
    let [normal, uncaught] = ended.into_inner().unwrap();
    eprintln!("{normal} programs ended normally, {uncaught} by an uncaught exception");
    if cases.len() >= 100 {
        assert!(normal > cases.len() / 4 && uncaught > cases.len() / 20, "{normal} / {uncaught}");
    }
}
