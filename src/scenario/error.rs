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
    #[error("{}: cannot read the scenario: {error}", path.display())]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{}: the file is {size} bytes; scenarios may be at most {max} bytes", path.display())]
    TooBig { path: PathBuf, size: u64, max: u64 },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: {} problem{}:\n{}", path.display(), problems.len(), if problems.len() == 1 { "" } else { "s" }, list(path, problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

/// How errors name the built-in example: it is no file the user has (its
/// line numbers are those of `scenarios/sentiment-saas.toml` in runway's
/// sources).
const BUILTIN_SHOWN: &str = "the built-in example (scenarios/sentiment-saas.toml in runway's sources)";

impl ScenarioError {
    /// The same error about the built-in example, which it names as such
    /// instead of by a path (a user's own file at that path keeps its path).
    pub(super) fn in_builtin(self) -> ScenarioError {
        let path = PathBuf::from(BUILTIN_SHOWN);
        match self {
            ScenarioError::Read { error, .. } => ScenarioError::Read { path, error },
            ScenarioError::TooBig { size, max, .. } => ScenarioError::TooBig { path, size, max },
            ScenarioError::Syntax { line, column, message, .. } => ScenarioError::Syntax { path, line, column, message },
            ScenarioError::Invalid { problems, .. } => ScenarioError::Invalid { path, problems },
        }
    }
}

fn list(path: &std::path::Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| match p.line {
            Some(line) => {
                let rest = Problem { line: None, ..p.clone() };
                format!("  {}:{line}: {rest}", path.display())
            }
            None => format!("  {}: {p}", path.display()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
