//! What a command prints, decided in one place by `--quiet`:
//!
//! | what                                              | where  | default | `--quiet` |
//! |---------------------------------------------------|--------|---------|-----------|
//! | errors and warnings                               | stderr | yes     | yes       |
//! | the closing line (`wrote …`: what went where)     | stdout | yes     | yes       |
//! | findings: the headline, tables, extra figures     | stdout | yes     | no        |
//! | notes (what a command does not evaluate, …)       | stderr | yes     | no        |
//! | the progress bar (and `RUNWAY_STDERR=json` lines) | stderr | yes     | no        |
//!
//! `check` keeps its failing assertions under `--quiet` ([`Voice::quiet`]
//! chooses them over its tables); `validate` keeps one line per file.
//! Commands print through a [`Voice`] rather than `print!`, so the rule
//! cannot drift between them.

use std::fmt::Display;

/// How much a command says: everything, or (`--quiet`) errors, warnings
/// and its closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Voice {
    quiet: bool,
}

impl Voice {
    pub fn new(quiet: bool) -> Voice {
        Voice { quiet }
    }

    /// Whether `--quiet` was given.
    pub fn quiet(self) -> bool {
        self.quiet
    }

    /// Findings on standard output (a headline, a table; `text` ends its
    /// own lines): not with `--quiet`.
    pub fn show(self, text: impl Display) {
        if !self.quiet {
            write_stdout(&text.to_string());
        }
    }

    /// The closing line on standard output (what was written where), or
    /// any other line that `--quiet` keeps: always.
    pub fn done(self, line: impl Display) {
        write_stdout(&format!("{line}\n"));
    }

    /// A note on standard error: not with `--quiet`.
    pub fn note(self, line: impl Display) {
        if !self.quiet {
            eprintln!("note: {line}");
        }
    }

    /// A warning on standard error: always.
    pub fn warn(self, line: impl Display) {
        eprintln!("warning: {line}");
    }

    /// Whether progress is reported (a bar, or JSON lines).
    pub fn progress(self) -> bool {
        !self.quiet
    }
}

/// Writes `text` to standard output, where a reader that went away
/// (`runway run | head`) ends the output quietly, as in every Unix filter,
/// instead of a panic: the command's files are already written. Another
/// failure (a full disk behind a redirection) is said on standard error.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => eprintln!("warning: could not write to standard output: {e}"),
        _ => {}
    }
}
