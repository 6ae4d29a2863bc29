//! What runway writes on standard error for a program that drives it: with
//! `RUNWAY_STDERR=json` (the Python package sets it), progress and a
//! failure are JSON objects, one per line, instead of a bar and a sentence.
//! Warnings and notes stay text lines (`warning: …`, `note: …`). The
//! objects (docs/python.md):
//!
//! - `{"progress": DONE, "total": TOTAL}`: runs finished, at most once per
//!   percent (none with `--quiet`);
//! - `{"error": MESSAGE, "exit_code": CODE, "scenarios": [{"file": FILE,
//!   "problems": [{"line", "key", "value", "message"}]}]}`: why the command
//!   failed, with every problem of every scenario that could not be read.

use crate::scenario::{ScenarioError, ScenarioErrors};
use serde_json::json;
use std::sync::OnceLock;

/// The environment variable that selects the protocol.
pub const ENV: &str = "RUNWAY_STDERR";

/// Whether standard error carries JSON lines (`RUNWAY_STDERR=json`).
pub fn json() -> bool {
    static JSON: OnceLock<bool> = OnceLock::new();
    *JSON.get_or_init(|| std::env::var(ENV).is_ok_and(|v| v == "json"))
}

/// A progress line: `done` of `total` runs finished.
pub fn progress_line(done: u64, total: u64) -> String {
    json!({ "progress": done, "total": total }).to_string()
}

/// The line describing a failure that ends the command with `code`.
pub fn error_line(error: &anyhow::Error, code: u8) -> String {
    let mut scenarios = Vec::new();
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<ScenarioError>() {
            scenarios.push(scenario_json(e));
        } else if let Some(all) = cause.downcast_ref::<ScenarioErrors>() {
            scenarios.extend(all.errors.iter().map(scenario_json));
        }
    }
    json!({ "error": format!("{error:#}"), "exit_code": code, "scenarios": scenarios }).to_string()
}

/// One scenario's error: its file and every problem.
pub fn scenario_json(e: &ScenarioError) -> serde_json::Value {
    json!({ "file": e.path().display().to_string(), "problems": e.problems() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Problem;
    use std::path::PathBuf;

    #[test]
    fn error_line_names_every_problem_of_every_file() {
        let problem = |line, key: &str| Problem { line: Some(line), key: key.into(), value: "2".into(), message: "must be below 1".into() };
        let errors = ScenarioErrors {
            errors: vec![
                ScenarioError::Invalid { path: PathBuf::from("a.toml"), problems: vec![problem(3, "churn.base"), problem(9, "pricing.price")] },
                ScenarioError::Syntax { path: PathBuf::from("b.toml"), line: 4, column: 2, message: "months: invalid type".into() },
            ],
            total: 3,
        };
        let line = error_line(&anyhow::Error::new(errors).context("loading"), 2);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["exit_code"], 2);
        assert_eq!(v["scenarios"][0]["file"], "a.toml");
        assert_eq!(v["scenarios"][0]["problems"][1]["key"], "pricing.price");
        assert_eq!(v["scenarios"][0]["problems"][1]["line"], 9);
        assert_eq!(v["scenarios"][1]["problems"][0]["key"], "months");
        assert_eq!(v["scenarios"][1]["problems"][0]["message"], "invalid type");
        assert!(v["error"].as_str().unwrap().starts_with("loading: error: a.toml: 2 problems"), "{}", v["error"]);
        assert!(!line.contains('\n'));
    }
}
