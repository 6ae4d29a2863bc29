//! Runs many simulated futures in parallel, deterministically.
//!
//! Runs are cut into blocks of [`BLOCK_RUNS`] consecutive run indices. Blocks
//! are simulated in parallel with rayon, in *waves* of a bounded number of
//! blocks, and handed to a [`Sink`] strictly in block order. A run's numbers
//! depend only on (seed, run index, input), and every reduction a sink makes
//! happens in block order, so results are byte-identical at any thread count.
//! Memory is bounded by the wave size, not by the number of runs.
//!
//! The engine knows nothing of tables, files or the command line.

use crate::model::{Plan, RunSummary, simulate_runs};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::ops::Range;

/// Runs per block: the unit of parallel work and of reduction.
/// Part of the reduction order, hence of the output bytes: changing it is a
/// value-breaking change (bump `rng::STREAM_VERSION`).
pub const BLOCK_RUNS: u64 = 1024;

/// Runs stepped through the months together within a block: their count
/// draws run side by side. Not part of the output: a run's numbers do not
/// depend on its group.
pub const GROUP_RUNS: u64 = 128;

/// Blocks simulated per wave, per thread, at most.
const BLOCKS_PER_THREAD: usize = 8;
/// Path bytes a wave may hold, at most (but at least one block per thread).
const WAVE_BYTES: usize = 96 << 20;

/// Blocks per wave for `blocks` blocks of `months`-month runs on `threads`
/// threads: large waves let a sink reduce each column over many blocks at
/// once (its per-column state stays in cache), within [`WAVE_BYTES`]; a
/// small run gets at least eight waves, so that path buffers are reused
/// rather than freshly allocated and faulted in.
fn wave_blocks(blocks: usize, columns: usize, threads: usize) -> usize {
    let block_bytes = BLOCK_RUNS as usize * columns.max(1) * 8;
    (WAVE_BYTES / block_bytes).min(blocks / 8).clamp(threads, threads * BLOCKS_PER_THREAD)
}

/// The simulated runs `first_run..first_run + len`.
#[derive(Debug, Clone)]
pub struct Block {
    /// Global index of this block (`first_run / BLOCK_RUNS`).
    pub index: u64,
    pub first_run: u64,
    pub len: usize,
    pub months: usize,
    pub summaries: Vec<RunSummary>,
    /// Uncertain input values, `[run][input]`, `len × n_inputs`.
    pub inputs: Vec<f64>,
    pub n_inputs: usize,
    /// Monthly paths, column-major: `[metric][month][run]`, so
    /// [`Block::column`] is contiguous; empty for a sink that does not
    /// need them ([`Sink::needs_paths`]).
    pub paths: Vec<f64>,
}

impl Block {
    /// Monthly value of `metric` at 0-based month `t` for the block's `r`-th run.
    #[inline]
    pub fn value(&self, r: usize, metric: usize, t: usize) -> f64 {
        self.paths[(metric * self.months + t) * self.len + r]
    }

    /// The block's values of `metric` at 0-based month `t`, in run order.
    #[inline]
    pub fn column(&self, metric: usize, t: usize) -> &[f64] {
        let start = (metric * self.months + t) * self.len;
        &self.paths[start..start + self.len]
    }

    /// The uncertain input values of the block's `r`-th run.
    pub fn inputs_of(&self, r: usize) -> &[f64] {
        &self.inputs[r * self.n_inputs..(r + 1) * self.n_inputs]
    }
}

/// Receives blocks in increasing block order, a wave of consecutive blocks
/// at a time. It may use the rayon pool inside `absorb` (the aggregator
/// reduces each (metric, month) column over the whole wave in parallel), as
/// long as its result does not depend on how work is split between threads.
pub trait Sink {
    fn absorb(&mut self, blocks: &[Block]) -> anyhow::Result<()>;

    /// Whether this sink reads the blocks' monthly paths. A sink that only
    /// reads per-run summaries and inputs (a sensitivity or stress figure on
    /// per-run metrics) gets blocks with empty `paths`, and the runs skip
    /// their eleven stores a month.
    fn needs_paths(&self) -> bool {
        true
    }
}

/// Simulates one block.
pub fn simulate_block(sc: &Scenario, plan: &Plan, index: u64, runs: Range<u64>) -> Block {
    simulate_block_into(sc, plan, index, runs, Vec::new(), true)
}

/// Simulates one block into `paths`, a buffer from an earlier block: every
/// element is overwritten, so it is neither cleared nor freshly faulted in.
/// Without `with_paths` the block's `paths` stay empty.
fn simulate_block_into(sc: &Scenario, plan: &Plan, index: u64, runs: Range<u64>, mut paths: Vec<f64>, with_paths: bool) -> Block {
    let months = sc.months as usize;
    let len = (runs.end - runs.start) as usize;
    let n_inputs = plan.n_reported();
    paths.resize(if with_paths { len * plan.n_monthly() * months } else { 0 }, 0.0);
    let mut inputs = vec![0.0; len * n_inputs];
    let mut summaries = Vec::with_capacity(len);
    for start in runs.clone().step_by(GROUP_RUNS as usize) {
        let group = start..(start + GROUP_RUNS).min(runs.end);
        let r = (start - runs.start) as usize;
        let ins = &mut inputs[r * n_inputs..(r + (group.end - group.start) as usize) * n_inputs];
        summaries.extend(simulate_runs(sc, plan, group, &mut paths, len, r, ins));
    }
    Block { index, first_run: runs.start, len, months, summaries, inputs, n_inputs, paths }
}

/// Simulates the runs in `runs` (run indices whose start is a multiple of
/// [`BLOCK_RUNS`]; usually a sub-range of `0..sc.runs`, but a run's values
/// depend only on its index, so `runway check` extends past it) and feeds
/// the blocks to `sink` in order.
/// `progress` is called with the number of runs done after each wave.
/// Fails with [`crate::interrupt::Interrupted`] at the first wave after
/// Ctrl-C, and with [`crate::interrupt::Superseded`] after a newer request
/// of `runway serve` asked it to stop.
pub fn simulate<S: Sink>(sc: &Scenario, plan: &Plan, runs: Range<u64>, sink: &mut S, progress: &mut dyn FnMut(u64)) -> anyhow::Result<()> {
    assert!(runs.start % BLOCK_RUNS == 0, "run ranges start on a block boundary");
    let blocks: Vec<(u64, Range<u64>)> =
        (runs.start..runs.end).step_by(BLOCK_RUNS as usize).map(|start| (start / BLOCK_RUNS, start..(start + BLOCK_RUNS).min(runs.end))).collect();
    let wave = wave_blocks(blocks.len(), plan.n_monthly() * sc.months as usize, rayon::current_num_threads().max(1));
    let with_paths = sink.needs_paths();
    let mut done = 0;
    // Path buffers of absorbed blocks, reused by the next wave.
    let mut spare: Vec<Vec<f64>> = Vec::with_capacity(wave);
    for chunk in blocks.chunks(wave) {
        crate::interrupt::check()?;
        crate::interrupt::superseded()?;
        let buffers: Vec<Vec<f64>> = chunk.iter().map(|_| spare.pop().unwrap_or_default()).collect();
        let simulated: Vec<Block> =
            chunk.par_iter().zip(buffers).map(|((index, r), buffer)| simulate_block_into(sc, plan, *index, r.clone(), buffer, with_paths)).collect();
        sink.absorb(&simulated)?;
        done += simulated.iter().map(|b| b.len as u64).sum::<u64>();
        spare.extend(simulated.into_iter().map(|b| b.paths));
        progress(done);
    }
    Ok(())
}
