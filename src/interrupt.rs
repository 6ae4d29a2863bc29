//! Ctrl-C. The first press asks the simulation to stop at the next wave of
//! blocks (a few milliseconds); the command then fails with [`Interrupted`],
//! whose staged files are dropped unwritten ([`crate::pipeline::fs`]), and the
//! binary exits 130, the shell's code for SIGINT. A second press exits at
//! once, for a run stuck outside the simulation.
//!
//! The flag is process-wide, as a signal is; the engine only reads it.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit code of an interrupted command (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

/// The error of a command stopped by Ctrl-C.
#[derive(Debug, thiserror::Error)]
#[error("interrupted (Ctrl-C); no output was written")]
pub struct Interrupted;

/// Installs the Ctrl-C handler (SIGINT and SIGTERM); once per process.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_CODE));
        }
    })?;
    Ok(())
}

/// `Err(Interrupted)` once Ctrl-C was pressed.
pub fn check() -> Result<(), Interrupted> {
    if REQUESTED.load(Ordering::Relaxed) { Err(Interrupted) } else { Ok(()) }
}

/// Set while a newer request waits to replace the simulation running now
/// (`runway serve`: a change on the page cancels the update of the one
/// before). Process-wide like Ctrl-C: one simulation runs at a time there.
static SUPERSEDED: AtomicBool = AtomicBool::new(false);

/// The error of a simulation stopped for a newer one.
#[derive(Debug, thiserror::Error)]
#[error("stopped for a newer request")]
pub struct Superseded;

/// Asks the running simulation to stop at its next wave of blocks.
pub fn supersede() {
    SUPERSEDED.store(true, Ordering::SeqCst);
}

/// Lets simulations run again (the newest request calls it before its own).
pub fn resume() {
    SUPERSEDED.store(false, Ordering::SeqCst);
}

/// `Err(Superseded)` once a newer request asked for the simulation to stop.
pub fn superseded() -> Result<(), Superseded> {
    if SUPERSEDED.load(Ordering::Relaxed) { Err(Superseded) } else { Ok(()) }
}
