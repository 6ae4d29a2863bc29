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

use crate::model::{simulate_run, Plan, RunSummary, N_METRICS};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::ops::Range;

/// Runs per block: the unit of parallel work and of reduction.
/// Part of the reduction order, hence of the output bytes: changing it is a
/// value-breaking change (bump `rng::STREAM_VERSION`).
pub const BLOCK_RUNS: u64 = 1024;

/// Blocks simulated per wave, per thread.
const BLOCKS_PER_THREAD: usize = 4;

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
    /// [`Block::column`] is contiguous.
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

/// Receives blocks in increasing block order.
///
/// [`Sink::prepare`] runs on the worker threads, in parallel, right after a
/// block is simulated: it should do the per-value work (e.g. a block's
/// moments and histogram). [`Sink::absorb`] then runs on one thread, in
/// block order, and should only merge.
pub trait Sink: Sync {
    /// What `prepare` hands to `absorb`.
    type Partial: Send;
    fn prepare(&self, block: &Block) -> Self::Partial;
    fn absorb(&mut self, block: &Block, partial: Self::Partial) -> anyhow::Result<()>;
}

/// Simulates one block.
pub fn simulate_block(sc: &Scenario, plan: &Plan, index: u64, runs: Range<u64>) -> Block {
    let months = sc.months as usize;
    let len = (runs.end - runs.start) as usize;
    let n_inputs = plan.n_reported();
    let mut paths = vec![0.0; len * N_METRICS * months];
    let mut inputs = vec![0.0; len * n_inputs];
    let mut summaries = Vec::with_capacity(len);
    for (r, run) in runs.clone().enumerate() {
        let ins = &mut inputs[r * n_inputs..(r + 1) * n_inputs];
        summaries.push(simulate_run(sc, plan, run, &mut paths, len, r, ins));
    }
    Block { index, first_run: runs.start, len, months, summaries, inputs, n_inputs, paths }
}

/// Simulates the runs in `runs` (a sub-range of `0..sc.runs`, whose start
/// is a multiple of [`BLOCK_RUNS`]) and feeds the blocks to `sink` in order.
/// `progress` is called with the number of runs done after each wave.
pub fn simulate<S: Sink>(
    sc: &Scenario,
    plan: &Plan,
    runs: Range<u64>,
    sink: &mut S,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    assert!(runs.start % BLOCK_RUNS == 0, "run ranges start on a block boundary");
    let blocks: Vec<(u64, Range<u64>)> = (runs.start..runs.end)
        .step_by(BLOCK_RUNS as usize)
        .map(|start| (start / BLOCK_RUNS, start..(start + BLOCK_RUNS).min(runs.end)))
        .collect();
    let wave = rayon::current_num_threads().max(1) * BLOCKS_PER_THREAD;
    let mut done = 0;
    for chunk in blocks.chunks(wave) {
        let shared: &S = sink;
        let simulated: Vec<(Block, S::Partial)> = chunk
            .par_iter()
            .map(|(index, r)| {
                let block = simulate_block(sc, plan, *index, r.clone());
                let partial = shared.prepare(&block);
                (block, partial)
            })
            .collect();
        for (block, partial) in simulated {
            done += block.len as u64;
            sink.absorb(&block, partial)?;
        }
        progress(done);
    }
    Ok(())
}
