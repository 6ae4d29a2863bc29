//! Criterion benchmarks (throughput in run-months per second).
//!
//! - `engine/*`: whole simulations (all runs, aggregation, headline figures;
//!   no file output) of the built-in example and of `saas-baseline`, at 10k
//!   and 1M runs.
//! - `draw_floor/*`: the random draws `saas-baseline` needs — its per-run
//!   parameters, then per month one binomial churn draw with the same `n`
//!   and `p` and one Poisson arrival draw with the same mean — and no other
//!   model logic, on the same streams, blocks, groups, threads and
//!   samplers as the engine: the limit the engine can approach.
//! - `draws/*`: one million exact binomial (then Poisson) draws on one
//!   thread from one stream, over the parameter arrays `benches/draws.py`
//!   gives numpy's `Generator.binomial` / `.poisson`; `benches/draws.sh`
//!   runs both and prints nanoseconds per draw side by side. The `-lanes`
//!   pair makes the same draws as the engine does, 1,000 runs' streams
//!   side by side (`counts::lanes`).
//! - `month_step/*`: one block of `saas-baseline` on one thread, at 36
//!   months and at one: the engine, the month step specialised to that
//!   plan's shape as structure of arrays and as array of structures
//!   (`benches/prototype/`, checked bit for bit against the engine), and
//!   the draws alone.
//! - `block/*`: one block of 1,024 runs simulated on one thread (the model
//!   step alone: no aggregation, no other threads), the figure to
//!   compare before and after a change to `src/model/`.
//! - `aggregate/*`: reducing already simulated blocks into the monthly table.
//! - `quantile/*`: one quantile-function evaluation per family (what a
//!   correlated input, or any under `sampling = "lhs"`, costs per run) and
//!   one Latin hypercube stratum.
//! - `analysis/*`: `stress` (base + 2 stresses, 8 figures) and
//!   `sensitivity` (base + 2 × 6 held inputs, 2 figures) of the built-in
//!   example at its default 10,000 runs, without file output.
//!
//! Run: `cargo bench --bench engine` (add `-- engine/saas` to filter).

#[path = "prototype/month_step.rs"]
mod month_step;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand_distr::Distribution;
use rayon::prelude::*;
use runway::aggregate::{Aggregator, QuantileMethod};
use runway::counts::{self, lanes, lanes::Streams};
use runway::engine::{BLOCK_RUNS, GROUP_RUNS, Sink, simulate_block};
use runway::model::{Plan, simulate_runs};
use runway::rng::{key_of, stream};
use runway::scenario::{self, Overrides, Scenario};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn load(path: Option<&str>, runs: u64) -> Scenario {
    let o = Overrides { runs: Some(runs), ..Overrides::default() };
    match path {
        Some(p) => scenario::load(Path::new(p), o).expect("scenario"),
        None => scenario::builtin(o).expect("built-in"),
    }
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    for (name, path) in [("builtin", None), ("saas-baseline", Some("scenarios/saas-baseline.toml"))] {
        for runs in [10_000u64, 1_000_000] {
            let sc = load(path, runs);
            g.throughput(Throughput::Elements(runs * u64::from(sc.months)));
            if runs >= 1_000_000 {
                g.sample_size(10).measurement_time(Duration::from_secs(60));
            } else {
                g.sample_size(20).measurement_time(Duration::from_secs(10));
            }
            g.bench_with_input(BenchmarkId::new(name, runs), &sc, |b, sc| b.iter(|| black_box(runway::pipeline::simulate(sc, &mut |_| {}).expect("runs"))));
        }
    }
    g.finish();
}

fn block(c: &mut Criterion) {
    let mut g = c.benchmark_group("block");
    // ai-api: three segments with annual prepay, usage, a team and a drawn
    // round month; ai-api-one-segment: the same plan with its pro tier alone.
    let plans = [
        ("builtin", None),
        ("saas-baseline", Some("scenarios/saas-baseline.toml")),
        ("ai-api", Some("scenarios/ai-api.toml")),
        ("ai-api-one-segment", Some("benches/ai-api-one-segment.toml")),
    ];
    for (name, path) in plans {
        let sc = load(path, BLOCK_RUNS);
        let plan = Plan::new(&sc);
        g.throughput(Throughput::Elements(BLOCK_RUNS * u64::from(sc.months)));
        g.sample_size(40).measurement_time(Duration::from_secs(8));
        g.bench_function(name, |b| b.iter(|| black_box(simulate_block(&sc, &plan, 0, 0..BLOCK_RUNS))));
    }
    g.finish();
}

/// One block of saas-baseline on one thread four ways, each group of
/// `GROUP_RUNS` runs into the same preallocated paths: the engine's month
/// step (`model::simulate_runs`, which also computes every summary, the
/// unit economics and the reported inputs, and writes the paths with
/// non-temporal stores), the month step specialised to the plan's shape
/// as structure of arrays and as array of structures
/// (`prototype/month_step.rs`, each asserted to write the engine's paths
/// and summaries bit for bit), and the draws alone (`draw_floor_group`);
/// at the plan's 36 months and at one (what a run costs whatever its
/// length).
fn month_step(c: &mut Criterion) {
    type Group = fn(&Scenario, std::ops::Range<u64>, &mut [f64], usize, usize) -> Vec<month_step::Summary>;
    let mut g = c.benchmark_group("month_step");
    let groups = || (0..BLOCK_RUNS).step_by(GROUP_RUNS as usize).map(|r| r..(r + GROUP_RUNS).min(BLOCK_RUNS));
    let len = BLOCK_RUNS as usize;
    for months in [36, 1] {
        let o = Overrides { runs: Some(BLOCK_RUNS), months: Some(months), ..Overrides::default() };
        let sc = scenario::load(Path::new("scenarios/saas-baseline.toml"), o).expect("scenario");
        month_step::check(&sc).expect("the prototypes cover saas-baseline");
        let plan = Plan::new(&sc);
        let mut paths = vec![f64::NAN; len * plan.n_monthly() * months as usize];
        let mut inputs = vec![0.0; len * plan.n_reported()];
        let mut engine = |paths: &mut [f64]| {
            let at = |r: u64| r as usize * plan.n_reported();
            let mut summaries = Vec::with_capacity(len);
            for r in groups() {
                summaries.extend(simulate_runs(&sc, &plan, r.clone(), paths, len, r.start as usize, &mut inputs[at(r.start)..at(r.end)]));
            }
            summaries
        };
        let expected: Vec<month_step::Summary> = engine(&mut paths).iter().map(month_step::Summary::of).collect();
        let expected_paths = paths.clone();
        g.throughput(Throughput::Elements(BLOCK_RUNS * u64::from(months)));
        g.sample_size(40).measurement_time(Duration::from_secs(8));
        g.bench_function(BenchmarkId::new("engine", months), |b| b.iter(|| black_box(engine(&mut paths))));
        let block = |group: Group, paths: &mut [f64]| groups().flat_map(|r| group(&sc, r.clone(), paths, len, r.start as usize)).collect::<Vec<_>>();
        for (name, group) in [("arrays", month_step::arrays_group as Group), ("structs", month_step::structs_group)] {
            paths.fill(f64::NAN);
            let summaries = block(group, &mut paths);
            assert!(expected_paths.iter().zip(&paths).all(|(a, b)| a.to_bits() == b.to_bits()), "{name} writes the engine's paths bit for bit");
            assert!(expected.iter().zip(&summaries).all(|(a, b)| a.same(b)), "{name} gives the engine's summaries bit for bit");
            g.bench_function(BenchmarkId::new(name, months), |b| b.iter(|| black_box(block(group, &mut paths))));
        }
        let draws = || groups().map(|r| draw_floor_group(&sc, r)).sum::<f64>();
        g.bench_function(BenchmarkId::new("draws", months), |b| b.iter(|| black_box(draws())));
    }
    g.finish();
}

/// The draws of saas-baseline's runs `runs` with no model logic beyond
/// carrying `n`, made as the engine makes them: the per-run parameters run
/// by run, then month by month the group's churn and arrival draws side by
/// side (`counts::lanes`, the engine's groups of `GROUP_RUNS` runs).
fn draw_floor_group(sc: &Scenario, runs: std::ops::Range<u64>) -> f64 {
    let input = |path: &str| sc.inputs.iter().find(|i| i.path == path).expect(path);
    let [churn_in, new_in, cost_in, accuracy_in] = ["churn.base", "acquisition.new", "costs.per_customer", "accuracy.measured"].map(input);
    let len = (runs.end - runs.start) as usize;
    let (mut p, mut lam, mut n) = (Vec::with_capacity(len), Vec::with_capacity(len), vec![1000.0f64; len]);
    let mut extra = 0.0;
    for run in runs.clone() {
        let draw = |input: &scenario::Input| input.dist.sample(&mut stream(sc.seed, run, input.key));
        let churn = draw(churn_in);
        lam.push(draw(new_in));
        extra += draw(cost_in);
        let accuracy = draw(accuracy_in);
        p.push((churn * (1.0 + 2.0 * (0.92 - accuracy))).clamp(0.0, 1.0));
    }
    let streams = |key: &str| runs.clone().map(|run| stream(sc.seed, run, key_of(key))).collect::<Streams>();
    let (mut churn_rng, mut new_rng) = (streams("churn.noise"), streams("acquisition.noise"));
    let (mut whole, mut churned, mut new) = (vec![0u64; len], vec![0u64; len], vec![0.0; len]);
    for _ in 0..sc.months {
        for (w, &x) in whole.iter_mut().zip(&n) {
            *w = x as u64;
        }
        lanes::binomial_each(&mut churn_rng, &whole, &p, &mut churned);
        lanes::poisson_each(&mut new_rng, &lam, &mut new);
        for i in 0..len {
            n[i] += new[i] - churned[i] as f64;
        }
    }
    n.iter().sum::<f64>() + extra
}

/// The parameter arrays of `benches/draws.py` (integer arithmetic, so both
/// sides build them bit for bit alike): binomial `(n, p)` and Poisson means
/// over saas-baseline's range.
fn draw_params(draws: u64) -> (Vec<(u64, f64)>, Vec<f64>) {
    let binomial = (0..draws).map(|i| (1000 + (i * 7919) % 9001, 0.02 + 0.05 * (((i * 104_729) % 1000) as f64 + 0.5) / 1000.0)).collect();
    let poisson = (0..draws).map(|i| 250.0 + 400.0 * (((i * 7919) % 1000) as f64 + 0.5) / 1000.0).collect();
    (binomial, poisson)
}

fn draws(c: &mut Criterion) {
    const DRAWS: u64 = 1_000_000;
    let mut g = c.benchmark_group("draws");
    let (binomial, poisson) = draw_params(DRAWS);
    g.throughput(Throughput::Elements(DRAWS)).sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("binomial", |b| {
        b.iter(|| {
            let mut rng = stream(1, 0, key_of("draws.binomial"));
            black_box(binomial.iter().map(|&(n, p)| counts::binomial(&mut rng, n, p)).sum::<u64>())
        })
    });
    g.bench_function("poisson", |b| {
        b.iter(|| {
            let mut rng = stream(1, 0, key_of("draws.poisson"));
            black_box(poisson.iter().map(|&lam| counts::poisson(&mut rng, lam)).sum::<f64>())
        })
    });
    // The same draws made as the engine makes them: one stream per run, a
    // draw per run at a time, side by side (counts::lanes; AVX2 where the
    // CPU has it), for 1,000 runs (a divisor of the million).
    const GROUP: usize = 1000;
    let groups = || (0..GROUP as u64).map(|r| stream(1, r, key_of("draws.lanes"))).collect::<Streams>();
    let (n, p): (Vec<u64>, Vec<f64>) = binomial.iter().copied().unzip();
    g.bench_function("binomial-lanes", |b| {
        b.iter(|| {
            let (mut streams, mut out, mut sum) = (groups(), vec![0; GROUP], 0);
            for (n, p) in n.chunks_exact(GROUP).zip(p.chunks_exact(GROUP)) {
                lanes::binomial_each(&mut streams, n, p, &mut out);
                sum += out.iter().sum::<u64>();
            }
            black_box(sum)
        })
    });
    g.bench_function("poisson-lanes", |b| {
        b.iter(|| {
            let (mut streams, mut out, mut sum) = (groups(), vec![0.0; GROUP], 0.0);
            for lam in poisson.chunks_exact(GROUP) {
                lanes::poisson_each(&mut streams, lam, &mut out);
                sum += out.iter().sum::<f64>();
            }
            black_box(sum)
        })
    });
    g.finish();
}

fn draw_floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("draw_floor");
    for runs in [10_000u64, 1_000_000] {
        let sc = load(Some("scenarios/saas-baseline.toml"), runs);
        g.throughput(Throughput::Elements(runs * u64::from(sc.months)));
        if runs >= 1_000_000 {
            g.sample_size(10).measurement_time(Duration::from_secs(40));
        } else {
            g.sample_size(20).measurement_time(Duration::from_secs(10));
        }
        g.bench_with_input(BenchmarkId::new("saas-baseline", runs), &sc, |b, sc| {
            b.iter(|| {
                let blocks: Vec<u64> = (0..sc.runs.div_ceil(BLOCK_RUNS)).collect();
                let total: f64 = blocks
                    .par_iter()
                    .map(|&blk| {
                        let end = ((blk + 1) * BLOCK_RUNS).min(sc.runs);
                        (blk * BLOCK_RUNS..end).step_by(GROUP_RUNS as usize).map(|r| draw_floor_group(sc, r..(r + GROUP_RUNS).min(end))).sum::<f64>()
                    })
                    .collect::<Vec<f64>>()
                    .iter()
                    .sum();
                black_box(total)
            })
        });
    }
    g.finish();
}

fn aggregate(c: &mut Criterion) {
    let mut g = c.benchmark_group("aggregate");
    let runs = 100_000u64;
    let sc = load(Some("scenarios/saas-baseline.toml"), runs);
    let plan = Plan::new(&sc);
    let blocks: Vec<_> = (0..runs.div_ceil(BLOCK_RUNS)).map(|b| simulate_block(&sc, &plan, b, b * BLOCK_RUNS..((b + 1) * BLOCK_RUNS).min(runs))).collect();
    g.throughput(Throughput::Elements(runs * u64::from(sc.months)));
    g.sample_size(10);
    // Exact quantiles (what 100k runs get) and the sketch (what runs above
    // the exact budget get, here forced on the same blocks).
    let sketch = QuantileMethod::Sketch { relative_error: runway::stats::SKETCH_RELATIVE_ERROR };
    for (name, method) in [("monthly-table", QuantileMethod::Exact), ("monthly-sketch", sketch)] {
        g.bench_function(BenchmarkId::new(name, runs), |b| {
            b.iter(|| {
                let mut agg = Aggregator::with_method(sc.months, sc.schema().monthly, method, runs, plan.n_reported());
                for wave in blocks.chunks(16) {
                    agg.absorb(wave).expect("in order");
                }
                black_box(agg.monthly())
            })
        });
    }
    g.finish();
}

fn analysis(c: &mut Criterion) {
    use runway::analysis::{self, Progress, sensitivity, stress};
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    let sc = load(None, 10_000);
    let catalog = sc.catalog();
    let report = |_: u64| {};
    let stresses: Vec<_> = sc.stresses.iter().collect();
    let figures = analysis::default_figures(&catalog);
    g.bench_function("stress/builtin", |b| b.iter(|| black_box(stress::run(&sc, &stresses, &figures, &Progress::new(&report)).expect("stress"))));
    let outcome = analysis::outcome_figures(&catalog);
    g.bench_function("sensitivity/builtin", |b| b.iter(|| black_box(sensitivity::run(&sc, &outcome, &Progress::new(&report)).expect("sensitivity"))));
    g.finish();
}

fn quantile(c: &mut Criterion) {
    use runway::dist::Dist;
    let mut g = c.benchmark_group("quantile");
    let dists = [
        ("beta-15-368", Dist::beta_mean_sd(0.04, 0.01).unwrap()),
        ("beta-6998-642", Dist::beta(6998.0, 642.0).unwrap()),
        ("gamma-9", Dist::gamma(9.0, 1.0).unwrap()),
        ("lognormal", Dist::lognormal_p5_p95(250.0, 650.0).unwrap()),
        ("normal-truncated", Dist::normal(6.0, 1.0).unwrap().truncated(Some(0.0), None).unwrap()),
    ];
    let us: Vec<f64> = (0..1000).map(|i| (f64::from(i) + 0.5) / 1000.0).collect();
    for (name, d) in &dists {
        g.throughput(Throughput::Elements(us.len() as u64));
        g.bench_function(*name, |b| b.iter(|| us.iter().map(|&u| d.quantile(black_box(u))).sum::<f64>()));
    }
    let strata = runway::lhs::Strata::new(42, key_of("churn.base"), 1_000_000);
    g.bench_function("lhs-stratum", |b| b.iter(|| (0..1000u64).map(|r| strata.uniform(black_box(r), 0.5)).sum::<f64>()));
    g.finish();
}

criterion_group!(benches, engine, block, month_step, draws, draw_floor, aggregate, analysis, quantile);
criterion_main!(benches);
