//! Errors from reading and validating a scenario. Each names the file, the
//! line, the dotted key, the bad value and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a scenario, located in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line of the offending value, when known.
    pub line: Option<usize>,
    /// Dotted key path, e.g. `churn.base` or `funding.0.month`.
    pub key: String,
    /// The value as written (TOML), or empty when the key is missing.
    pub value: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}", self.key)?;
        if !self.value.is_empty() {
            write!(f, " = {}", self.value)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{}: cannot read the scenario: {error}", shown(path))]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{}: the file is {size} bytes; scenarios may be at most {max} bytes", shown(path))]
    TooBig { path: PathBuf, size: u64, max: u64 },
    #[error("{}:{line}:{column}: {message}", shown(path))]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: {} problem{}:\n{}", shown(path), problems.len(), if problems.len() == 1 { "" } else { "s" }, list(path, problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

/// A scenario's path as errors name it: the built-in example is no file the
/// user has, so it is named as what it is (its line numbers are those of
/// `scenarios/sentiment-saas.toml` in runway's sources).
fn shown(path: &std::path::Path) -> String {
    if path == std::path::Path::new(super::BUILTIN_NAME) {
        "the built-in example (scenarios/sentiment-saas.toml in runway's sources)".into()
    } else {
        path.display().to_string()
    }
}

fn list(path: &std::path::Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| match p.line {
            Some(line) => {
                let rest = Problem { line: None, ..p.clone() };
                format!("  {}:{line}: {rest}", shown(path))
            }
            None => format!("  {}: {p}", shown(path)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
