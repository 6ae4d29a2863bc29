//! Resource limits, checked before anything is allocated.

/// Largest scenario file, in bytes.
pub(crate) const MAX_FILE_BYTES: u64 = 1 << 20;
/// Longest horizon, in months (50 years).
pub(crate) const MAX_MONTHS: u32 = 600;
/// Most simulated futures in one process.
pub(crate) const MAX_RUNS: u64 = 10_000_000;
/// Most run-months in one process (e.g. 10M runs × 100 months).
pub(crate) const MAX_RUN_MONTHS: u64 = 1_000_000_000;
/// Most entries in one funding, one-off, stress or assertion list.
pub(crate) const MAX_LIST: usize = 1_000;

/// Characters `[scenario] notes` may hold: a page or two of assumptions.
pub(crate) const MAX_NOTES: usize = 20_000;
/// Largest per-run table, as records: a run streams it to disk, but a
/// shard keeps its slice in memory for its shard file, and the files
/// themselves should stay of a sensible size.
pub const MAX_TABLE_BYTES: u64 = 8 << 30;

/// Most run-months one command may simulate over all its simulations
/// (`stress` with many stresses, `sensitivity` with many inputs, a
/// `sweep`, `solve`, `check` up to `--max-runs`, `report`): about 20
/// minutes on 2 cores at ~8 million run-months a second, so a plan from
/// an untrusted pull request cannot keep CI busy for hours.
pub const MAX_COMMAND_RUN_MONTHS: u64 = 10_000_000_000;

/// An error naming the work (`what`) and what to lower when
/// `simulations` of `runs × months` each exceed [`MAX_COMMAND_RUN_MONTHS`].
pub fn check_command(what: &str, simulations: u64, runs: u64, months: u32) -> anyhow::Result<()> {
    let total = simulations.saturating_mul(runs).saturating_mul(u64::from(months));
    anyhow::ensure!(
        total <= MAX_COMMAND_RUN_MONTHS,
        "{what} would simulate {simulations} × {runs} runs × {months} months = {total:.2e} run-months, more than one command may ({:.0e}, about 20 minutes on 2 cores); use --runs with fewer runs{}",
        MAX_COMMAND_RUN_MONTHS as f64,
        if simulations > 1 { " or fewer simulations" } else { "" },
        total = total as f64
    );
    Ok(())
}

/// Bytes one run takes in the per-run table as records: the fixed
/// columns (~176 bytes, rounded up) and 16 bytes per uncertain input.
pub(crate) fn per_run_table_bytes(uncertain_inputs: u64) -> u64 {
    300 + 16 * uncertain_inputs
}
