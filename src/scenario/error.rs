//! Errors from reading and validating a scenario. Each names the file, the
//! line, the dotted key, the bad value and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a scenario, located in its file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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

impl ScenarioError {
    /// The file the error is about, as shown in its message.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ScenarioError::Read { path, .. }
            | ScenarioError::TooBig { path, .. }
            | ScenarioError::Syntax { path, .. }
            | ScenarioError::Invalid { path, .. } => path,
        }
    }

    /// Every problem, located: a syntax error is one problem at its line
    /// (key empty when the parser could not name one), a file that cannot be
    /// read is one problem without a line.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ScenarioError::Invalid { problems, .. } => problems.clone(),
            ScenarioError::Syntax { line, message, .. } => {
                let (key, message) = match message.split_once(": ") {
                    Some((k, m)) if !k.contains(' ') => (k.to_string(), m.to_string()),
                    _ => (String::new(), message.clone()),
                };
                vec![Problem { line: (*line > 0).then_some(*line), key, value: String::new(), message }]
            }
            ScenarioError::Read { error, .. } => {
                vec![Problem { line: None, key: String::new(), value: String::new(), message: format!("cannot read the scenario: {error}") }]
            }
            ScenarioError::TooBig { size, max, .. } => {
                vec![Problem {
                    line: None,
                    key: String::new(),
                    value: String::new(),
                    message: format!("the file is {size} bytes; scenarios may be at most {max} bytes"),
                }]
            }
        }
    }
}

/// Several files' errors at once (`runway check` reads every file before
/// running any): each file's problems stay attached to it.
#[derive(Debug, thiserror::Error)]
#[error("{}\n{} of {} could not be read; nothing was run", errors.iter().map(|e| format!("error: {e}")).collect::<Vec<_>>().join("\n"), errors.len(), crate::num::count_of(*total, "file", "files"))]
pub struct ScenarioErrors {
    pub errors: Vec<ScenarioError>,
    /// How many files were given.
    pub total: usize,
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
