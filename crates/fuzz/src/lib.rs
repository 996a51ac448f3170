//! Fuzzing of every parser that reads outside input, with proptest (stable Rust: no cargo-fuzz).
//!
//! Each target (tests/targets.rs) is a check over one input text: it must not panic, and a
//! refusal must carry the parser's own explanation. Inputs are hostile JSON values, edits of the
//! real examples (the seed corpus) and byte-level cuts of their text; see [`inputs`].
//!
//! The seed corpus is kept by reference (tests/fixtures/arm, public/demo/scenario.json) plus
//! `corpus/<target>/` for seeds of our own and every failing input a run finds, which the
//! runner writes there so it is replayed by every later run, `cargo test` included.

pub mod inputs;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// The repository root (the fixtures and the demo scenario live there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of `corpus/<target>/`, sorted, as (name, text).
pub fn corpus(target: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap_or_default())).collect()
}

/// `FUZZ_SECONDS` (set by `make fuzz`): the time budget of each target. Unset, a target runs
/// one small batch, so `cargo test --workspace` stays fast.
fn budget() -> Option<Duration> {
    let seconds = std::env::var("FUZZ_SECONDS").ok()?;
    Some(Duration::from_secs(seconds.trim().parse().expect("FUZZ_SECONDS must be a whole number of seconds")))
}

/// Runs `check` over the seeds (named, e.g. the fixture files), the target's corpus, then
/// generated inputs until the budget is spent. A failure (a panic or a broken property) is
/// shrunk by proptest, written to the corpus and fails the test.
pub fn fuzz<S>(target: &str, seeds: &[(String, String)], inputs: S, check: impl Fn(&str) -> Result<(), String>)
where
    S: Strategy<Value = String>,
{
    let started = Instant::now();
    let known = corpus(target);
    for (name, text) in seeds.iter().chain(&known) {
        match catch_unwind(AssertUnwindSafe(|| check(text))) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("{target}: {name}: {why}"),
            Err(_) => panic!("{target}: {name}: panicked (message above)"),
        }
    }
    let budget = budget();
    let batch = if budget.is_some() { 256 } else { 24 };
    let mut cases = 0u64;
    loop {
        // A fresh runner per batch: a new random seed, no persistence of its own (the corpus is).
        let config = Config { cases: batch, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new(config);
        match runner.run(&inputs, |input| check(&input).map_err(TestCaseError::fail)) {
            Ok(()) => {}
            Err(TestError::Fail(why, input)) => {
                let saved = save(target, &input);
                panic!("{target}: {why}\nminimal input saved to {saved} (replayed by every run):\n{input}");
            }
            Err(TestError::Abort(why)) => panic!("{target}: aborted: {why}"),
        }
        cases += u64::from(batch);
        if budget.is_none_or(|b| started.elapsed() >= b) {
            break;
        }
    }
    eprintln!(
        "fuzz {target}: {} seed and corpus inputs, {cases} generated cases, {:.1?}, no failure",
        seeds.len() + known.len(),
        started.elapsed()
    );
}

fn save(target: &str, input: &str) -> String {
    // FNV-1a: a stable name, so the same minimal input is saved once.
    let hash = input.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let path = dir.join(format!("found-{hash:016x}.txt"));
    let _ = std::fs::create_dir_all(&dir);
    match std::fs::write(&path, input) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(nowhere: {e})"),
    }
}
