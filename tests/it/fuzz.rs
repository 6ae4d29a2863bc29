//! Fuzzing the scenario reader and validator, and the figure parser
//! (issue 11): on arbitrary text and on mutations of the example scenarios
//! they must return a value or an error, never panic, hang or allocate
//! without bound. A scenario that survives mutation and still validates is
//! also simulated (64 runs), so the engine sees the odd values the validator
//! lets through.
//!
//! A mutation harness on the project's own seeded generator (stable Rust:
//! cargo-fuzz needs nightly): 1–4 edits a case, among byte flips, inserted
//! bytes, deleted, doubled or swapped lines, truncation, and numbers
//! replaced by extremes (0, −1, 1e308, NaN, 2^64, …). `FUZZ_CASES` cases
//! run in the suite; `RUNWAY_FUZZ_CASES=1000000 cargo test --release --test
//! it fuzz -- --nocapture` runs a longer campaign (docs/hardening.md). A
//! failing case is written to the test's scratch folder and named in the
//! failure.

use crate::scratch;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use runway::figure::Figure;
use runway::scenario::{self, FileSource, Overrides};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Cases per example scenario in the test suite.
const FUZZ_CASES: u64 = 400;

fn cases() -> u64 {
    std::env::var("RUNWAY_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(FUZZ_CASES)
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "18446744073709551616",
    "4294967296",
    "1e15",
    "100000000",
    "\"\"",
    "[]",
    "{}",
    "-0.0",
];

/// A random position in `text` on a character boundary.
fn boundary(text: &str, rng: &mut impl Rng) -> usize {
    let mut at = rng.random_range(0..=text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One random edit of `text`.
fn mutate(text: &str, rng: &mut impl Rng) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    match rng.random_range(0..7) {
        0 if !text.is_empty() => {
            // One byte to any byte (kept as text, lossily).
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.random_range(0..bytes.len());
            bytes[at] = rng.random();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        1 if !lines.is_empty() => {
            lines.remove(rng.random_range(0..n));
            lines.join("\n")
        }
        2 if !lines.is_empty() => {
            let at = rng.random_range(0..n);
            lines.insert(at, lines[at]);
            lines.join("\n")
        }
        3 if !lines.is_empty() => {
            lines.swap(rng.random_range(0..n), rng.random_range(0..n));
            lines.join("\n")
        }
        4 => text[..boundary(text, rng)].to_string(),
        5 => {
            // One number replaced by an extreme.
            let bytes = text.as_bytes();
            let starts: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())).collect();
            if starts.is_empty() {
                return text.to_string();
            }
            let at = starts[rng.random_range(0..starts.len())];
            let end = (at..bytes.len()).find(|&i| !(bytes[i].is_ascii_alphanumeric() || b"._-+".contains(&bytes[i]))).unwrap_or(bytes.len());
            format!("{}{}{}", &text[..at], EXTREMES[rng.random_range(0..EXTREMES.len())], &text[end..])
        }
        _ => {
            let at = boundary(text, rng);
            const JUNK: &[u8] = b" =[]{}\",.#\n-0123456789aez";
            let junk: String = (0..rng.random_range(1..9)).map(|_| char::from(JUNK[rng.random_range(0..JUNK.len())])).collect();
            format!("{}{junk}{}", &text[..at], &text[at..])
        }
    }
}

/// Reads, validates and, when valid, simulates `text`: whether it was
/// valid, or `Err` with the panic's message if anything panicked.
fn survive(text: &str) -> Result<bool, String> {
    let overrides = Overrides { runs: Some(64), ..Overrides::default() };
    catch_unwind(AssertUnwindSafe(|| {
        let path = Path::new("scenarios/fuzzed.toml");
        if let Ok(sc) = scenario::parse(text, path, &FileSource::Dir("scenarios".into()), overrides) {
            // Bounded: 64 runs of at most the validator's month limit.
            let _ = runway::pipeline::simulate(&sc, &mut |_| {});
            let catalog = sc.catalog();
            for a in &sc.asserts {
                let _ = Figure::parse(&a.expect, &catalog);
            }
            return true;
        }
        false
    }))
    .map_err(|e| e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default())
}

fn fail(name: &str, case: u64, text: &str, why: &str) -> ! {
    let file = scratch("fuzz").join(format!("{name}-{case}.toml"));
    std::fs::write(&file, text).unwrap();
    panic!("{name}, case {case}: panicked ({why}); input saved to {}", file.display());
}

#[test]
fn fuzz_scenarios_never_panic() {
    let n = cases();
    let (mut found, mut valid) = (None, 0);
    for name in ["sentiment-saas", "saas-baseline", "b2b-api", "bootstrapped-saas", "article-formula", "starter"] {
        let original = std::fs::read_to_string(format!("scenarios/{name}.toml")).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0xF022 ^ name.len() as u64);
        for case in 0..n {
            let mut text = original.clone();
            for _ in 0..rng.random_range(1..=4) {
                text = mutate(&text, &mut rng);
            }
            match survive(&text) {
                Ok(ok) => valid += u64::from(ok),
                Err(why) => {
                    found = Some((name, case, text, why));
                    break;
                }
            }
        }
        if found.is_some() {
            break;
        }
    }
    if let Some((name, case, text, why)) = found {
        fail(name, case, &text, &why);
    }
    println!("fuzz: {} mutated scenarios read, {valid} of them valid and simulated", 6 * n);
}

#[test]
fn fuzz_arbitrary_text_and_figures_never_panic() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0xF1_6E);
    let sc = scenario::load(Path::new("scenarios/sentiment-saas.toml"), Overrides::default()).unwrap();
    let catalog = sc.catalog();
    let figures = ["median(cash[12])", "P(default_month <= 18)", "p90(final_cash) >= 1e6", "mean(customers[end]) > 0", "sd(churn.base)"];
    let mut found = None;
    for case in 0..cases() * 4 {
        // Bytes drawn from TOML's and the figure language's alphabet.
        let len = rng.random_range(0..200);
        const ALPHABET: &[u8] = b"[]{}=\"'.,#\n -+0123456789eE_abcdinmpstuxyzP()<>!*%";
        let text: String = (0..len).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
        let figure = mutate(figures[rng.random_range(0..figures.len())], &mut rng);
        let result = survive(&text).and_then(|_| {
            catch_unwind(AssertUnwindSafe(|| {
                let _ = Figure::parse(&figure, &catalog);
                let _ = runway::figure::Target::parse(&figure, &catalog);
            }))
            .map_err(|_| format!("figure {figure:?}"))
        });
        if let Err(why) = result {
            found = Some((case, format!("{text}\n# figure: {figure}"), why));
            break;
        }
    }
    if let Some((case, text, why)) = found {
        fail("arbitrary", case, &text, &why);
    }
}
