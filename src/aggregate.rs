//! From simulated blocks to results: the monthly distribution table, the
//! per-run records and the headline figures with their Monte Carlo errors.
//!
//! [`Aggregator`] is an engine [`Sink`]: it receives blocks in block order
//! and reduces them in that order, so its output is the same at any thread
//! count. Per-month quantiles are exact while `runs × months × metrics`
//! values fit in [`EXACT_BUDGET_VALUES`]; above that they come from a
//! [`LogHistogram`] sketch of each value's deviation from a per-column
//! center (error ≤ [`SKETCH_RELATIVE_ERROR`] of that deviation),
//! which the manifest records. Means and standard deviations are always
//! exact (two-pass per block, Chan merge across blocks).

use crate::engine::{Block, Sink};
use crate::model::RunSummary;
use crate::stats::{self, DenseSketch, LogHistogram, Moments, QUANTILES, SKETCH_RELATIVE_ERROR};
use rayon::prelude::*;
use serde::Serialize;

/// Most per-month values kept for exact quantiles (8 bytes each: 400 MB).
pub const EXACT_BUDGET_VALUES: u64 = 50_000_000;

/// How per-month quantiles are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum QuantileMethod {
    /// Type-7 interpolation between exact order statistics.
    Exact,
    /// Type-7 interpolation on a log-linear histogram's bucket midpoints.
    Sketch { relative_error: f64 },
}

impl QuantileMethod {
    /// The method used for `runs` runs of `months` months of `metrics` monthly metrics.
    pub(crate) fn for_size(runs: u64, months: u32, metrics: usize) -> QuantileMethod {
        if runs.saturating_mul(u64::from(months)).saturating_mul(metrics as u64) <= EXACT_BUDGET_VALUES {
            QuantileMethod::Exact
        } else {
            QuantileMethod::Sketch { relative_error: SKETCH_RELATIVE_ERROR }
        }
    }
}

enum Store {
    Exact(Vec<f64>),
    /// Blocks go into `dense` (made when the first block arrives, with the
    /// column's floor); shards into `merged`.
    Sketch {
        dense: Option<Box<DenseSketch>>,
        merged: LogHistogram,
    },
}

struct Column {
    moments: Moments,
    store: Store,
}

/// One row of the monthly table.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyRow {
    pub metric: String,
    /// 1-based month.
    pub month: u32,
    pub mean: f64,
    pub sd: f64,
    pub se_mean: f64,
    /// Quantiles at [`QUANTILES`].
    pub q: [f64; 7],
}

/// Reduces blocks into monthly columns and the per-run figures the
/// headline needs. The per-run records themselves are kept only for a shard
/// file ([`Aggregator::for_shard`]); a whole run streams them to disk.
pub struct Aggregator {
    months: usize,
    /// Monthly metric names, in column order.
    names: Vec<String>,
    method: QuantileMethod,
    /// `[metric][month]`.
    columns: Vec<Column>,
    pub figures: RunFigures,
    /// Per-run records and uncertain input values (`[run][input]`), kept
    /// for shard files only.
    kept: Option<(Vec<RunSummary>, Vec<f64>)>,
    pub n_inputs: usize,
    next_block: Option<u64>,
    /// Per-block moments `[block][column]`, kept only for shard outputs: a
    /// merge replays them in global block order, reproducing the single-run
    /// reduction exactly.
    block_moments: Option<Vec<Vec<Moments>>>,
    /// Per-column centers (block 0's column means; see
    /// [`Aggregator::set_centers`]); empty until the first block arrives.
    centers: Vec<f64>,
    /// Per-column floors: deviations from the center below this count as 0.
    floors: Vec<f64>,
}

/// What a shard hands to `merge`: everything an [`Aggregator`] absorbed.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardState {
    pub method: QuantileMethod,
    pub months: u32,
    /// `[block][column]`.
    pub block_moments: Vec<Vec<Moments>>,
    /// Exact per-column values (in run order) or per-column sketches.
    pub exact: Vec<Vec<f64>>,
    pub sketches: Vec<LogHistogram>,
    pub runs: Vec<RunSummary>,
    pub inputs: Vec<f64>,
    pub n_inputs: usize,
    /// Sketch centers (see [`Aggregator::set_centers`]).
    pub centers: Vec<f64>,
}

impl Aggregator {
    /// An aggregator for `names` monthly metrics over `months` months.
    pub fn new(months: u32, names: Vec<String>, expected_runs: u64, n_inputs: usize) -> Aggregator {
        let method = QuantileMethod::for_size(expected_runs, months, names.len());
        Aggregator::with_method(months, names, method, expected_runs, n_inputs)
    }

    /// An aggregator for part of a run (a shard): `method` is chosen from
    /// the whole run's size, `expected_runs` is this part's.
    pub fn with_method(months: u32, names: Vec<String>, method: QuantileMethod, expected_runs: u64, n_inputs: usize) -> Aggregator {
        let columns = (0..names.len() * months as usize)
            .map(|_| Column {
                moments: Moments::default(),
                store: match method {
                    QuantileMethod::Exact => Store::Exact(Vec::with_capacity(expected_runs as usize)),
                    QuantileMethod::Sketch { .. } => Store::Sketch { dense: None, merged: LogHistogram::default() },
                },
            })
            .collect();
        Aggregator {
            months: months as usize,
            names,
            method,
            columns,
            figures: RunFigures::with_capacity(expected_runs as usize),
            kept: None,
            n_inputs,
            next_block: None,
            block_moments: None,
            centers: vec![],
            floors: vec![],
        }
    }

    /// Per-column centers: the column means of block 0 (`pilot`), the same
    /// for every shard. A run that starts at block 0 sets them from that
    /// block when it arrives; a shard that starts later must simulate
    /// block 0 and call this first. Moments are summed as deviations from them (see
    /// [`stats::summarize`]), and sketches histogram those deviations, so
    /// their relative error applies to `|x − center|`, not `|x|`: a narrow
    /// distribution far from 0 (month-1 cash, say) keeps its shape.
    pub fn set_centers(&mut self, pilot: &Block) {
        let pilot: Vec<Moments> = (0..self.columns.len()).map(|c| Moments::of(pilot.column(c / self.months, c % self.months))).collect();
        self.centers = pilot.iter().map(|m| m.mean).collect();
        self.floors = pilot.iter().map(|m| stats::center_floor(m.mean, m.sd())).collect();
    }

    /// Moves what the dense sketches counted into the merged histograms.
    fn fold_sketches(&mut self) {
        for col in &mut self.columns {
            if let Store::Sketch { dense, merged } = &mut col.store {
                if let Some(d) = dense.take() {
                    merged.merge(&d.to_histogram());
                }
            }
        }
    }

    /// Uses the sketch centers a shard was built with (a merge takes them
    /// from its first shard; [`Aggregator::absorb_shard`] checks the rest).
    pub(crate) fn adopt_centers(&mut self, centers: &[f64]) {
        self.centers = centers.to_vec();
    }

    /// Keep each block's moments and the per-run records, for
    /// [`Aggregator::into_shard`].
    pub fn for_shard(&mut self) {
        self.block_moments = Some(vec![]);
        self.keep_runs();
    }

    /// Keep the per-run records and input values in memory.
    pub fn keep_runs(&mut self) {
        self.kept = Some((vec![], vec![]));
    }

    /// The per-run records and input values kept so far (see
    /// [`Aggregator::keep_runs`]).
    pub(crate) fn take_runs(&mut self) -> (Vec<RunSummary>, Vec<f64>) {
        self.kept.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Everything absorbed so far, for a shard file.
    pub fn into_shard(mut self) -> ShardState {
        self.fold_sketches();
        let (runs, inputs) = self.take_runs();
        let (mut exact, mut sketches) = (vec![], vec![]);
        for col in self.columns {
            match col.store {
                Store::Exact(v) => exact.push(v),
                Store::Sketch { merged, .. } => sketches.push(merged),
            }
        }
        ShardState {
            method: self.method,
            months: self.months as u32,
            block_moments: self.block_moments.unwrap_or_default(),
            exact,
            sketches,
            runs,
            inputs,
            n_inputs: self.n_inputs,
            centers: self.centers,
        }
    }

    /// Absorbs a shard's state; shards must come in order of their runs.
    /// Replays the per-block moment merges in block order, so the result is
    /// identical to absorbing the blocks themselves. Hands back the shard's
    /// per-run records and input values, to be written.
    pub fn absorb_shard(&mut self, shard: ShardState) -> anyhow::Result<(Vec<RunSummary>, Vec<f64>)> {
        anyhow::ensure!(shard.method == self.method && shard.months as usize == self.months, "shards disagree on their layout");
        anyhow::ensure!(shard.n_inputs == self.n_inputs, "shards disagree on their input columns");
        anyhow::ensure!(shard.centers.iter().map(|c| c.to_bits()).eq(self.centers.iter().map(|c| c.to_bits())), "shards disagree on their sketch centers");
        for block in &shard.block_moments {
            anyhow::ensure!(block.len() == self.columns.len(), "a shard block has the wrong number of columns");
            for (col, m) in self.columns.iter_mut().zip(block) {
                col.moments.merge(m);
            }
        }
        let mut exact = shard.exact.into_iter();
        let mut sketches = shard.sketches.into_iter();
        for col in &mut self.columns {
            match &mut col.store {
                Store::Exact(v) => v.extend(exact.next().ok_or_else(|| anyhow::anyhow!("a shard lacks columns"))?),
                Store::Sketch { merged, .. } => merged.merge(&sketches.next().ok_or_else(|| anyhow::anyhow!("a shard lacks columns"))?),
            }
        }
        shard.runs.iter().for_each(|r| self.figures.push(r));
        Ok((shard.runs, shard.inputs))
    }

    pub fn method(&self) -> QuantileMethod {
        self.method
    }

    /// The monthly table, `[metric][month]` order.
    pub fn monthly(&mut self) -> Vec<MonthlyRow> {
        self.fold_sketches();
        let months = self.months;
        let (centers, names) = (&self.centers, &self.names);
        self.columns
            .par_iter_mut()
            .enumerate()
            .map(|(i, col)| {
                let q: Vec<f64> = match &mut col.store {
                    Store::Exact(v) => stats::quantiles(v, &QUANTILES),
                    Store::Sketch { merged, .. } => {
                        let c = centers.get(i).copied().unwrap_or(0.0);
                        QUANTILES.iter().map(|&p| merged.quantile(p) + c).collect()
                    }
                };
                MonthlyRow {
                    metric: names[i / months].clone(),
                    month: (i % months + 1) as u32,
                    mean: col.moments.mean,
                    sd: col.moments.sd(),
                    se_mean: col.moments.se_mean(),
                    q: q.try_into().expect("seven quantiles"),
                }
            })
            .collect()
    }
}

/// A column's per-block moments (empty unless kept for a shard), or its first
/// non-finite value as (block in the wave, run in the block).
type ColumnReduction = Result<Vec<Moments>, (usize, usize)>;

impl Aggregator {
    /// Sets the sketch centers from the run's first block (the pilot, see
    /// [`Aggregator::set_centers`]) if they are not set yet, and checks that
    /// the blocks follow the last one absorbed without a gap.
    fn check_wave(&mut self, blocks: &[Block]) -> anyhow::Result<()> {
        if self.centers.is_empty() {
            // The run's first block is the pilot (see `set_centers`).
            match blocks.first() {
                Some(b) if b.index == 0 => self.set_centers(b),
                Some(b) => anyhow::bail!("block {} arrived before the sketch centers were set", b.index),
                None => {}
            }
        }
        for block in blocks {
            if let Some(next) = self.next_block {
                anyhow::ensure!(block.index == next, "blocks out of order: got {}, expected {next}", block.index);
            }
            self.next_block = Some(block.index + 1);
        }
        Ok(())
    }

    /// Reduces every (metric, month) column over the wave's blocks, columns
    /// in parallel (see [`reduce_column`]).
    fn reduce_columns(&mut self, blocks: &[Block]) -> Vec<ColumnReduction> {
        let months = self.months;
        let (centers, floors) = (&self.centers, &self.floors);
        let keep = self.block_moments.is_some();
        self.columns
            .par_iter_mut()
            .enumerate()
            .map(|(c, col)| {
                let center = centers.get(c).copied().unwrap_or(0.0);
                let floor = floors.get(c).copied().unwrap_or(0.0);
                reduce_column(col, (c / months, c % months), blocks, center, floor, keep)
            })
            .collect()
    }

    /// Appends the wave's per-block moments, `[block][column]`, when they are
    /// kept for a shard. Every column must have reduced without a bad value.
    fn keep_block_moments(&mut self, reduced: Vec<ColumnReduction>, blocks: usize) {
        if let Some(kept) = &mut self.block_moments {
            let per_column: Vec<Vec<Moments>> = reduced.into_iter().map(|r| r.expect("checked")).collect();
            for b in 0..blocks {
                kept.push(per_column.iter().map(|col| col[b]).collect());
            }
        }
    }

    /// Adds the wave's runs to the headline figures and, when kept, their
    /// per-run records and input values.
    fn add_runs(&mut self, blocks: &[Block]) {
        for block in blocks {
            block.summaries.iter().for_each(|r| self.figures.push(r));
            if let Some((runs, inputs)) = &mut self.kept {
                runs.extend_from_slice(&block.summaries);
                inputs.extend_from_slice(&block.inputs);
            }
        }
    }
}

/// Reduces one column (`metric`, 0-based month `t`) over the wave's blocks in
/// block order: stores its values (exact) or counts their deviations from
/// `center` (sketch, made with `floor` on first use), and merges each block's
/// moments into the column's. `keep`: also return each block's moments.
fn reduce_column(col: &mut Column, (metric, t): (usize, usize), blocks: &[Block], center: f64, floor: f64, keep: bool) -> ColumnReduction {
    let mut kept = Vec::with_capacity(if keep { blocks.len() } else { 0 });
    for (b, block) in blocks.iter().enumerate() {
        let values = block.column(metric, t);
        let moments = match &mut col.store {
            Store::Exact(v) => {
                v.extend_from_slice(values);
                stats::summarize(values, center, None)
            }
            Store::Sketch { dense, .. } => {
                let d = dense.get_or_insert_with(|| Box::new(DenseSketch::new(floor)));
                stats::summarize(values, center, Some(d))
            }
        }
        .map_err(|r| (b, r))?;
        col.moments.merge(&moments);
        if keep {
            kept.push(moments);
        }
    }
    Ok(kept)
}

/// Fails on the first non-finite value of the wave in run order (then metric
/// order), naming its run, month, metric and value.
fn check_finite(reduced: &[ColumnReduction], blocks: &[Block], months: usize, names: &[String]) -> anyhow::Result<()> {
    let mut first_bad: Option<(usize, usize, usize)> = None;
    for (c, r) in reduced.iter().enumerate() {
        if let Err((b, r)) = r {
            let at = (*b, *r, c);
            first_bad = Some(first_bad.map_or(at, |f| f.min(at)));
        }
    }
    if let Some((b, r, c)) = first_bad {
        let (metric, t) = (c / months, c % months);
        anyhow::bail!(
            "run {} month {}: {} = {}; the inputs make numbers overflow (check growth rates, prices and amounts)",
            blocks[b].first_run + r as u64,
            t + 1,
            names[metric],
            blocks[b].value(r, metric, t)
        );
    }
    Ok(())
}

impl Sink for Aggregator {
    /// Reduces each (metric, month) column over the whole wave, columns in
    /// parallel: a column's moments merge its blocks in block order, and
    /// its sketch (integer counts) and exact values are touched by one task
    /// only, so nothing depends on the thread count.
    fn absorb(&mut self, blocks: &[Block]) -> anyhow::Result<()> {
        self.check_wave(blocks)?;
        let reduced = self.reduce_columns(blocks);
        check_finite(&reduced, blocks, self.months, &self.names)?;
        self.keep_block_moments(reduced, blocks.len());
        self.add_runs(blocks);
        Ok(())
    }
}

/// A figure and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// `null` when undefined (e.g. the median breakeven month when fewer
    /// than half the runs break even).
    pub estimate: Option<f64>,
    pub se: Option<f64>,
}

impl Estimate {
    fn of(estimate: f64, se: f64) -> Estimate {
        let ok = |x: f64| x.is_finite().then_some(x);
        Estimate { estimate: ok(estimate), se: ok(estimate).and(ok(se)) }
    }
}

/// The median of a month (whole numbers, "never" = +∞) with the 95%
/// interval of its order statistics (see [`stats::quantile_interval_sorted`]):
/// a ± would mislead where the median jumps between neighbouring months.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthMedian {
    /// `null` when at most half the runs reach the month.
    pub estimate: Option<f64>,
    /// The interval's ends; `null` for "never".
    pub low95: Option<f64>,
    pub high95: Option<f64>,
}

impl MonthMedian {
    fn of(sorted: &[f64]) -> MonthMedian {
        let ok = |x: f64| x.is_finite().then_some(x);
        let (lo, hi) = stats::quantile_interval_sorted(sorted, 0.5, 1.96);
        MonthMedian { estimate: ok(stats::quantile_sorted(sorted, 0.5)), low95: ok(lo), high95: ok(hi) }
    }
}

/// The share of runs that defaulted by a month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DefaultBy {
    pub month: u32,
    pub runs_defaulted: u64,
    #[serde(flatten)]
    pub p: Estimate,
}

/// P10, P50 and P90 of a per-run quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub p10: Estimate,
    pub p50: Estimate,
    pub p90: Estimate,
    pub mean: Estimate,
    /// When the runs fall into two groups ([`Groups::of`]; final cash, ARR
    /// and customers): each group's share and median, so that a median
    /// between them is not read as a typical future.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Groups>,
}

/// Two groups of futures in one figure: the split of the sorted runs that
/// explains the most variance (Otsu's threshold), kept when it explains at
/// least [`Groups::MIN_EXPLAINED`] of the variance with at least
/// [`Groups::MIN_SHARE`] of the runs on each side. A normal explains 0.64
/// at its best split, a uniform 0.75; two normals 5 standard deviations
/// apart 0.87; a round that comes or not, moving final cash by 30M when
/// each group spreads about 4M, 0.95.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Groups {
    /// Share of the variance the split explains (η², between-group sum of
    /// squares over the total).
    pub explained: f64,
    /// The value between the groups (midway between the last of the low
    /// group and the first of the high one).
    pub between: f64,
    pub low: Group,
    pub high: Group,
    /// What tells the groups apart, when one thing does for at least 95% of
    /// the runs: `funding` (the high group received funding, the low one
    /// did not) or `default` (the low group ran out of cash, the high one
    /// did not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained_by: Option<&'static str>,
}

/// One of the [`Groups`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Group {
    /// Share of the runs (0–1).
    pub share: f64,
    /// The group's median, with its standard error.
    pub median: Estimate,
}

impl Groups {
    pub const MIN_EXPLAINED: f64 = 0.84;
    pub const MIN_SHARE: f64 = 0.1;

    /// Whether the groups are near half and half (each 35–65% of runs), so
    /// that the median of all runs sits at the edge of one and describes
    /// neither well.
    pub fn median_between(&self) -> bool {
        (self.low.share - 0.5).abs() < 0.15
    }

    /// The groups of `sorted` (ascending, finite), if it falls into two.
    pub fn of(sorted: &[f64]) -> Option<(Groups, usize)> {
        let n = sorted.len();
        if n < 100 {
            return None;
        }
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let total: f64 = sorted.iter().map(|x| (x - mean).powi(2)).sum();
        if !(total > 0.0) || !total.is_finite() {
            return None;
        }
        let (lo, hi) = ((Self::MIN_SHARE * n as f64).ceil() as usize, ((1.0 - Self::MIN_SHARE) * n as f64).floor() as usize);
        let mut below = sorted[..lo].iter().sum::<f64>();
        let sum = mean * n as f64;
        let mut best = (0.0, lo);
        for k in lo..=hi.min(n - 1) {
            // Split before index k: the low group is sorted[..k].
            let (n1, n2) = (k as f64, (n - k) as f64);
            let d = below / n1 - (sum - below) / n2;
            let between = n1 * n2 / n as f64 * d * d;
            if between > best.0 && sorted[k] > sorted[k - 1] {
                best = (between, k);
            }
            below += sorted[k];
        }
        let explained = best.0 / total;
        if explained < Self::MIN_EXPLAINED {
            return None;
        }
        let k = best.1;
        let group =
            |g: &[f64]| Group { share: g.len() as f64 / n as f64, median: Estimate::of(stats::quantile_sorted(g, 0.5), stats::quantile_se_sorted(g, 0.5)) };
        let groups = Groups { explained, between: 0.5 * (sorted[k - 1] + sorted[k]), low: group(&sorted[..k]), high: group(&sorted[k..]), explained_by: None };
        Some((groups, k))
    }
}

/// The headline figures (docs/model.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    pub runs: u64,
    pub months: u32,
    /// P(cash < 0 in some month ≤ horizon).
    pub p_default: Estimate,
    /// P(default by month m) at months 12, 18, 24 and the horizon (those
    /// within it), ascending; [`Headline::default_by`] gives any other month.
    pub p_default_by: Vec<DefaultBy>,
    pub final_cash: Spread,
    pub final_arr: Spread,
    pub final_customers: Spread,
    /// Median over all runs of the breakeven month (from which every month
    /// is profitable), "never" counting as +∞.
    pub median_breakeven_month: MonthMedian,
    /// Share of runs that break even (stay profitable) by the horizon.
    pub p_breakeven: Estimate,
    /// Median of the first profitable month, "never" counting as +∞.
    pub median_first_profit_month: MonthMedian,
    /// Funding need per run: max(0, −min cash); 0 for every run that never
    /// defaults.
    pub funding_need: Spread,
    /// Runs that defaulted in each month 1..=H (index m − 1).
    #[serde(skip)]
    defaults_in: Vec<u64>,
}

impl Headline {
    /// P(default by month `m`), for `m` in 1..=H.
    pub fn default_by(&self, m: u32) -> Option<DefaultBy> {
        (1..=self.months).contains(&m).then(|| {
            let k: u64 = self.defaults_in[..m as usize].iter().sum();
            DefaultBy { month: m, runs_defaulted: k, p: share(k, self.runs) }
        })
    }
}

/// A share of `n` runs with its (Agresti–Coull) standard error.
fn share(k: u64, n: u64) -> Estimate {
    let p = k as f64 / n.max(1) as f64;
    Estimate::of(p, stats::proportion_se(p, n))
}

fn spread(mut values: Vec<f64>) -> Spread {
    let m = Moments::of(&values);
    values.sort_unstable_by(f64::total_cmp);
    spread_of_sorted(&values, &m)
}

/// The spread of `sorted` values whose moments (taken in run order) are `m`.
fn spread_of_sorted(sorted: &[f64], m: &Moments) -> Spread {
    let at = |p| Estimate::of(stats::quantile_sorted(sorted, p), stats::quantile_se_sorted(sorted, p));
    Spread { p10: at(0.1), p50: at(0.5), p90: at(0.9), mean: Estimate::of(m.mean, m.se_mean()), groups: None }
}

/// The spread of a final figure (cash, ARR, customers), with its
/// [`Groups`] when it falls into two, and what tells them apart when one
/// thing does: whether the run received funding, or ran out of cash. One
/// sorted copy serves both; a run is in the high group when its value is
/// above the low group's last.
fn grouped_spread(values: Vec<f64>, funded: &[bool], defaulted: &[u16]) -> Spread {
    let m = Moments::of(&values);
    let mut sorted = values.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut s = spread_of_sorted(&sorted, &m);
    if !sorted.iter().all(|x| x.is_finite()) {
        return s;
    }
    s.groups = Groups::of(&sorted).map(|(mut g, k)| {
        let cut = sorted[k - 1];
        let agree = |high_has: &dyn Fn(usize) -> bool| {
            let matching = values.iter().enumerate().filter(|&(i, &v)| (v > cut) == high_has(i)).count();
            matching as f64 >= 0.95 * values.len() as f64
        };
        g.explained_by = if agree(&|i| funded[i]) {
            Some("funding")
        } else if agree(&|i| defaulted[i] == 0) {
            Some("default")
        } else {
            None
        };
        g
    });
    s
}

/// What the headline figures need of each run, in run order: four numbers
/// and three months, 38 bytes a run (380 MB at the 10-million-run limit),
/// while the full per-run records stream to disk.
#[derive(Debug, Clone, Default)]
pub struct RunFigures {
    final_cash: Vec<f64>,
    final_arr: Vec<f64>,
    final_customers: Vec<f64>,
    /// max(0, −min cash).
    funding_need: Vec<f64>,
    /// Breakeven, first profitable and default months, 0 for never
    /// (months are at most 600).
    breakeven: Vec<u16>,
    first_profit: Vec<u16>,
    default: Vec<u16>,
    /// Whether the run received any funding (what may split final cash in two).
    funded: Vec<bool>,
}

fn month_code(m: Option<u32>) -> u16 {
    m.map_or(0, |m| u16::try_from(m).unwrap_or(u16::MAX))
}

/// Months coded by [`month_code`], sorted, "never" as +∞.
fn sorted_months(codes: &[u16]) -> Vec<f64> {
    let mut v: Vec<f64> = codes.iter().map(|&m| if m == 0 { f64::INFINITY } else { f64::from(m) }).collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

impl RunFigures {
    fn with_capacity(runs: usize) -> RunFigures {
        let v = || Vec::with_capacity(runs);
        let m = || Vec::with_capacity(runs);
        RunFigures {
            final_cash: v(),
            final_arr: v(),
            final_customers: v(),
            funding_need: v(),
            breakeven: m(),
            first_profit: m(),
            default: m(),
            funded: Vec::with_capacity(runs),
        }
    }

    /// Adds the next run.
    pub fn push(&mut self, r: &RunSummary) {
        self.final_cash.push(r.final_cash);
        self.final_arr.push(r.final_arr);
        self.final_customers.push(r.final_customers);
        self.funding_need.push((-r.min_cash).max(0.0));
        self.breakeven.push(month_code(r.breakeven_month));
        self.first_profit.push(month_code(r.first_profit_month));
        self.default.push(month_code(r.default_month));
        self.funded.push(r.funding_received > 0.0);
    }

    pub fn len(&self) -> usize {
        self.final_cash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.final_cash.is_empty()
    }

    /// The headline figures of these runs.
    pub fn headline(self, months: u32) -> Headline {
        let n = self.len() as u64;
        let mut defaults_in = vec![0u64; months as usize];
        for &m in self.default.iter().filter(|&&m| m > 0) {
            defaults_in[usize::from(m).min(months as usize) - 1] += 1;
        }
        let breakeven = sorted_months(&self.breakeven);
        let breakevens = breakeven.iter().filter(|m| m.is_finite()).count() as u64;
        let median_breakeven_month = MonthMedian::of(&breakeven);
        drop(breakeven);
        let median_first_profit_month = MonthMedian::of(&sorted_months(&self.first_profit));
        let (funded, default) = (&self.funded, &self.default);
        let ((final_cash, final_arr), (final_customers, funding_need)) = rayon::join(
            || rayon::join(|| grouped_spread(self.final_cash, funded, default), || grouped_spread(self.final_arr, funded, default)),
            || rayon::join(|| grouped_spread(self.final_customers, funded, default), || spread(self.funding_need)),
        );
        let mut h = Headline {
            runs: n,
            months,
            p_default: share(defaults_in.iter().sum(), n),
            p_default_by: vec![],
            final_cash,
            final_arr,
            final_customers,
            median_breakeven_month,
            p_breakeven: share(breakevens, n),
            median_first_profit_month,
            funding_need,
            defaults_in,
        };
        let mut at: Vec<u32> = [12, 18, 24, months].into_iter().filter(|&m| m <= months).collect();
        at.dedup();
        h.p_default_by = at.into_iter().filter_map(|m| h.default_by(m)).collect();
        h
    }
}

#[cfg(test)]
mod tests {
    use super::Groups;
    use crate::dist::inverse::standard_normal_quantile as z;

    /// `n` evenly spaced quantiles of a normal (no randomness: the test
    /// is about the split, not about sampling).
    fn normal(n: usize, mean: f64, sd: f64) -> Vec<f64> {
        (0..n).map(|i| mean + sd * z((i as f64 + 0.5) / n as f64)).collect()
    }

    fn sorted(mut v: Vec<f64>) -> Vec<f64> {
        v.sort_unstable_by(f64::total_cmp);
        v
    }

    #[test]
    fn a_round_that_comes_or_not_splits_final_cash_in_two() {
        // Half the futures around 10.5M, half around 40.5M, each spread 4M.
        let runs = sorted([normal(5_000, 10.5e6, 4e6), normal(5_000, 40.5e6, 4e6)].concat());
        let (g, k) = Groups::of(&runs).expect("two groups");
        assert_eq!(k, 5_000);
        assert!((g.low.share - 0.5).abs() < 1e-12 && (g.high.share - 0.5).abs() < 1e-12);
        // Each group's median is its centre (the tails that cross the split
        // are under 1e-4 of either group).
        assert!((g.low.median.estimate.unwrap() - 10.5e6).abs() < 2e4, "{g:?}");
        assert!((g.high.median.estimate.unwrap() - 40.5e6).abs() < 2e4, "{g:?}");
        assert!((g.between - 25.5e6).abs() < 1e6);
        // η² of two normals d = 7.5 sd apart: (d/2)² / ((d/2)² + 1) = 0.934.
        assert!((g.explained - 0.934).abs() < 0.005, "{}", g.explained);
    }

    #[test]
    fn one_hump_or_a_flat_spread_is_one_group() {
        // Best splits explain 0.64 of a normal, 0.75 of a uniform, 0.81 of
        // two normals 4 sd apart: all below the 0.84 needed.
        assert!(Groups::of(&sorted(normal(10_000, 0.0, 1.0))).is_none());
        assert!(Groups::of(&(0..10_000).map(|i| i as f64).collect::<Vec<_>>()).is_none());
        assert!(Groups::of(&sorted([normal(5_000, 0.0, 1.0), normal(5_000, 4.0, 1.0)].concat())).is_none());
        // A small group (5%) far away is a tail, not a group.
        assert!(Groups::of(&sorted([normal(9_500, 0.0, 1.0), normal(500, 50.0, 1.0)].concat())).is_none());
        // Too few runs to tell.
        assert!(Groups::of(&sorted([normal(40, 0.0, 1.0), normal(40, 40.0, 1.0)].concat())).is_none());
    }
}
