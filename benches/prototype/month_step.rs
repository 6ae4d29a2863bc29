//! The month step specialised to one plan's shape, two ways: a measurement
//! of the "state as arrays" lever, not the engine.
//!
//! The engine steps a group of 128 runs through each month together, but
//! each run keeps its own state (`src/model/run.rs`: heap vectors of
//! inputs, segments and rounds) and goes through the month's general
//! equations on its own, every option of the scenario checked again in
//! every run-month. Both versions here write the same monthly paths from
//! the same streams with the equations specialised to `saas-baseline`'s
//! shape:
//!
//! - [`arrays_group`]: structure of arrays, one array per quantity and
//!   each equation a loop over the group's runs;
//! - [`structs_group`]: array of structures, one small struct per run
//!   (its state and its inputs), the run's equations in one pass.
//!
//! They cover only plans shaped like `saas-baseline` (one monthly-billed
//! segment, the classic metrics, a linear accuracy link without retraining
//! or steps, no marketing, team, usage, rounds, one-offs, schedules,
//! per-month inputs or stress, `on_default = "continue"`, inputs drawn
//! independently); [`check`] says whether a plan is one, and the bench
//! asserts that both write the engine's monthly paths bit for bit before
//! timing them.

use rand_distr::Distribution;
use runway::counts::lanes::{self, Streams};
use runway::model::Plan;
use runway::rng::stream;
use runway::scenario::{Link, Noise, OnDefault, Scenario};
use std::ops::Range;

/// The cap on customers and arrivals (the engine's `MAX_CUSTOMERS`).
const MAX_CUSTOMERS: f64 = 1e15;

/// Whether the prototype covers `sc`.
pub fn check(sc: &Scenario, plan: &Plan) -> bool {
    let seg = &sc.segments[..];
    let acc = sc.accuracy.as_ref();
    seg.len() == 1
        && seg[0].annual.is_none()
        && seg[0].expansion.is_none()
        && seg[0].usage.is_none()
        && !sc.extended
        && sc.team.is_empty()
        && sc.funding.is_empty()
        && sc.costs.one_off.is_empty()
        && sc.acquisition.marketing.is_none()
        && sc.acquisition.seasonality.is_none()
        && sc.inputs.iter().all(|i| i.schedule.is_empty() && i.per == runway::scenario::Per::Run)
        && sc.on_default == OnDefault::Continue
        && sc.churn.noise == Noise::Random
        && sc.acquisition.noise == Noise::Random
        && acc.is_some_and(|a| matches!(a.link, Link::Linear { .. }) && a.retrain.is_none() && a.steps.is_empty())
        && plan.n_monthly() == 11
}

/// Each input's value in every run of the group, `[input][run]`.
fn inputs(sc: &Scenario, runs: Range<u64>) -> Vec<Vec<f64>> {
    sc.inputs
        .iter()
        .map(|input| match input.dist.support() {
            (lo, hi) if lo == hi => vec![lo; (runs.end - runs.start) as usize],
            _ => runs.clone().map(|run| input.dist.sample(&mut stream(sc.seed, run, input.key))).collect(),
        })
        .collect()
}

/// Half away from zero for `x ≥ 0` (the engine's `round_nonneg`).
#[inline(always)]
fn round_nonneg(x: f64) -> f64 {
    let t = x as i64 as f64;
    if x - t >= 0.5 { t + 1.0 } else { t }
}

/// Simulates runs `runs` and writes their monthly values to `paths` as the
/// engine does (`[metric][month][run]`, `stride` runs a row, the group's
/// first run at `r0`); returns a sum over the runs' summaries (lowest cash,
/// default, breakeven and first-profit months, totals), so that they are
/// computed too.
pub fn arrays_group(sc: &Scenario, runs: Range<u64>, paths: &mut [f64], stride: usize, r0: usize) -> f64 {
    let len = (runs.end - runs.start) as usize;
    let h = sc.months as usize;
    let v = inputs(sc, runs.clone());
    let x = |id: runway::scenario::InputId| v[id.index()].as_slice();
    let (seg, a, costs) = (&sc.segments[0], sc.accuracy.as_ref().expect("accuracy"), &sc.costs);
    let Link::Linear { elasticity } = a.link else { unreachable!("checked") };
    let reference = a.reference;
    // State, one array per quantity.
    let mut monthly: Vec<f64> = x(seg.customers).iter().map(|&c| round_nonneg(c.max(0.0))).collect();
    let mut cash = x(sc.start_cash).to_vec();
    let mut acc = x(a.initial).to_vec();
    let (mut organic, mut fixed_growth, mut price_growth) = (vec![1.0; len], vec![1.0; len], vec![1.0; len]);
    let (mut min_cash, mut min_month) = (vec![f64::INFINITY; len], vec![0u32; len]);
    let (mut default_month, mut first_profit) = (vec![0u32; len], vec![0u32; len]);
    let (mut stays_month, mut stays_sum) = (vec![0u32; len], vec![0.0; len]);
    let (mut t_new, mut t_churned, mut t_months, mut t_var, mut t_exposure) = (vec![0.0; len], vec![0.0; len], vec![0.0; len], vec![0.0; len], vec![0.0; len]);
    let (mut revenue_sum, mut profit_sum) = (vec![0.0; len], vec![0.0; len]);
    let mut tile: [Vec<f64>; 11] = std::array::from_fn(|_| vec![0.0; len]);
    // The month's parameters and draws.
    let (mut n, mut p, mut lambda) = (vec![0u64; len], vec![0.0; len], vec![0.0; len]);
    let (mut churned, mut new) = (vec![0u64; len], vec![0.0; len]);
    let streams = |key: u64| runs.clone().map(|run| stream(sc.seed, run, key)).collect::<Streams>();
    let (mut churn_rng, mut new_rng) = (streams(seg.keys.churn), streams(seg.keys.new));
    let (churn_in, new_in, growth_in, referral) = (x(seg.churn), x(seg.new), x(seg.growth), x(sc.acquisition.referral));
    let (per_customer, revenue_share, fixed, fixed_g) = (x(costs.per_customer), x(costs.revenue_share), x(costs.fixed), x(costs.fixed_growth));
    let (price, drift, el, increase) = (x(seg.price), x(a.drift), x(elasticity), x(sc.annual_increase));
    for t in 1..=sc.months {
        if t > 1 {
            for i in 0..len {
                organic[i] *= 1.0 + growth_in[i];
                fixed_growth[i] *= 1.0 + fixed_g[i];
            }
        }
        if t > 12 && (t - 1) % 12 == 0 {
            for i in 0..len {
                price_growth[i] *= 1.0 + increase[i];
            }
        }
        for i in 0..len {
            acc[i] = (acc[i] - drift[i]).max(0.0);
            let multiplier = (1.0 + el[i] * (reference - acc[i])).max(0.0);
            let start = monthly[i];
            t_exposure[i] += start;
            let raw = new_in[i] * organic[i] + referral[i] * start;
            lambda[i] = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
            p[i] = (churn_in[i] * multiplier).clamp(0.0, 1.0);
            n[i] = round_nonneg(start) as u64;
        }
        lanes::binomial_each(&mut churn_rng, &n, &p, &mut churned);
        lanes::poisson_each(&mut new_rng, &lambda, &mut new);
        // The month's values, `[metric][run]`: the rows of `paths`.
        let [customers, arrivals, gone, rate, accuracy, mrr, arr, costs, profit, cash_row, alive] = &mut tile;
        for i in 0..len {
            let (lost, arrived) = (churned[i] as f64, if lambda[i].is_nan() { lambda[i] } else { new[i] });
            let next = monthly[i] - lost + arrived;
            monthly[i] = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
            let c = monthly[i];
            let m = c * price[i] * price_growth[i];
            // The engine adds the plan's absent parts as zeros; an exact zero
            // changes no sum here, so they are left out.
            let cogs = c * per_customer[i] + revenue_share[i] * m;
            let cost = fixed[i] * fixed_growth[i] + cogs;
            cash[i] += m - cost;
            (customers[i], arrivals[i], gone[i], rate[i], accuracy[i]) = (c, arrived, lost, p[i], acc[i]);
            (mrr[i], arr[i], costs[i], profit[i], cash_row[i]) = (m, 12.0 * m, cost, m - cost, cash[i]);
            t_new[i] += arrived;
            t_churned[i] += lost;
            t_months[i] += c;
            t_var[i] += cogs;
            revenue_sum[i] += m;
            profit_sum[i] += m - cost;
        }
        for i in 0..len {
            let (m, pr, c) = (mrr[i], profit[i], cash[i]);
            if c < 0.0 && default_month[i] == 0 {
                default_month[i] = t;
            }
            if stays_month[i] > 0 {
                stays_sum[i] += pr;
                if stays_sum[i].is_nan() || stays_sum[i] < 0.0 {
                    stays_month[i] = 0;
                }
            } else if m > 0.0 && pr >= 0.0 {
                (stays_month[i], stays_sum[i]) = (t, pr);
            }
            if m > 0.0 && pr >= 0.0 && first_profit[i] == 0 {
                first_profit[i] = t;
            }
            if c < min_cash[i] {
                (min_cash[i], min_month[i]) = (c, t);
            }
            alive[i] = if default_month[i] == 0 { 1.0 } else { 0.0 };
        }
        for (m, row) in tile.iter().enumerate() {
            let at = (m * h + (t - 1) as usize) * stride + r0;
            paths[at..at + len].copy_from_slice(row);
        }
    }
    let totals = [&t_new, &t_churned, &t_months, &t_var, &t_exposure, &revenue_sum, &profit_sum, &stays_sum];
    min_cash.iter().sum::<f64>()
        + totals.iter().map(|t| t.iter().sum::<f64>()).sum::<f64>()
        + min_month.iter().chain(&default_month).chain(&first_profit).map(|&m| f64::from(m)).sum::<f64>()
}

/// One run's state and inputs, for [`structs_group`].
#[derive(Clone, Copy, Default)]
struct RunState {
    monthly: f64,
    cash: f64,
    acc: f64,
    organic: f64,
    fixed_growth: f64,
    price_growth: f64,
    min_cash: f64,
    min_month: u32,
    default_month: u32,
    first_profit: u32,
    stays_month: u32,
    stays_sum: f64,
    totals: [f64; 7],
    churn: f64,
    new: f64,
    growth: f64,
    referral: f64,
    per_customer: f64,
    revenue_share: f64,
    fixed: f64,
    fixed_g: f64,
    price: f64,
    drift: f64,
    el: f64,
    increase: f64,
}

/// [`arrays_group`] with each run's state and inputs in one struct (array
/// of structures), the layout the engine has, but its equations
/// specialised as there.
pub fn structs_group(sc: &Scenario, runs: Range<u64>, paths: &mut [f64], stride: usize, r0: usize) -> f64 {
    let len = (runs.end - runs.start) as usize;
    let h = sc.months as usize;
    let v = inputs(sc, runs.clone());
    let (seg, a, costs) = (&sc.segments[0], sc.accuracy.as_ref().expect("accuracy"), &sc.costs);
    let Link::Linear { elasticity } = a.link else { unreachable!("checked") };
    let reference = a.reference;
    let mut st: Vec<RunState> = (0..len)
        .map(|i| {
            let x = |id: runway::scenario::InputId| v[id.index()][i];
            RunState {
                monthly: round_nonneg(x(seg.customers).max(0.0)),
                cash: x(sc.start_cash),
                acc: x(a.initial),
                organic: 1.0,
                fixed_growth: 1.0,
                price_growth: 1.0,
                min_cash: f64::INFINITY,
                churn: x(seg.churn),
                new: x(seg.new),
                growth: x(seg.growth),
                referral: x(sc.acquisition.referral),
                per_customer: x(costs.per_customer),
                revenue_share: x(costs.revenue_share),
                fixed: x(costs.fixed),
                fixed_g: x(costs.fixed_growth),
                price: x(seg.price),
                drift: x(a.drift),
                el: x(elasticity),
                increase: x(sc.annual_increase),
                ..RunState::default()
            }
        })
        .collect();
    let mut tile: [Vec<f64>; 11] = std::array::from_fn(|_| vec![0.0; len]);
    let (mut n, mut p, mut lambda) = (vec![0u64; len], vec![0.0; len], vec![0.0; len]);
    let (mut churned, mut new) = (vec![0u64; len], vec![0.0; len]);
    let streams = |key: u64| runs.clone().map(|run| stream(sc.seed, run, key)).collect::<Streams>();
    let (mut churn_rng, mut new_rng) = (streams(seg.keys.churn), streams(seg.keys.new));
    for t in 1..=sc.months {
        for (i, r) in st.iter_mut().enumerate() {
            if t > 1 {
                r.organic *= 1.0 + r.growth;
                r.fixed_growth *= 1.0 + r.fixed_g;
            }
            if t > 12 && (t - 1) % 12 == 0 {
                r.price_growth *= 1.0 + r.increase;
            }
            r.acc = (r.acc - r.drift).max(0.0);
            let multiplier = (1.0 + r.el * (reference - r.acc)).max(0.0);
            let start = r.monthly;
            r.totals[4] += start;
            let raw = r.new * r.organic + r.referral * start;
            lambda[i] = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
            p[i] = (r.churn * multiplier).clamp(0.0, 1.0);
            n[i] = round_nonneg(start) as u64;
        }
        lanes::binomial_each(&mut churn_rng, &n, &p, &mut churned);
        lanes::poisson_each(&mut new_rng, &lambda, &mut new);
        for (i, r) in st.iter_mut().enumerate() {
            let (lost, arrived) = (churned[i] as f64, if lambda[i].is_nan() { lambda[i] } else { new[i] });
            let next = r.monthly - lost + arrived;
            r.monthly = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
            let c = r.monthly;
            let m = c * r.price * r.price_growth;
            let cogs = c * r.per_customer + r.revenue_share * m;
            let cost = r.fixed * r.fixed_growth + cogs;
            let profit = m - cost;
            r.cash += m - cost;
            if r.cash < 0.0 && r.default_month == 0 {
                r.default_month = t;
            }
            if r.stays_month > 0 {
                r.stays_sum += profit;
                if r.stays_sum.is_nan() || r.stays_sum < 0.0 {
                    r.stays_month = 0;
                }
            } else if m > 0.0 && profit >= 0.0 {
                (r.stays_month, r.stays_sum) = (t, profit);
            }
            if m > 0.0 && profit >= 0.0 && r.first_profit == 0 {
                r.first_profit = t;
            }
            if r.cash < r.min_cash {
                (r.min_cash, r.min_month) = (r.cash, t);
            }
            for (k, x) in [arrived, lost, c, cogs, m, profit].into_iter().enumerate() {
                r.totals[k] += x;
            }
            let values = [c, arrived, lost, p[i], r.acc, m, 12.0 * m, cost, profit, r.cash, if r.default_month == 0 { 1.0 } else { 0.0 }];
            for (row, value) in tile.iter_mut().zip(values) {
                row[i] = value;
            }
        }
        for (m, row) in tile.iter().enumerate() {
            let at = (m * h + (t - 1) as usize) * stride + r0;
            paths[at..at + len].copy_from_slice(row);
        }
    }
    st.iter().map(|r| r.min_cash + r.stays_sum + r.totals.iter().sum::<f64>() + f64::from(r.min_month + r.default_month + r.first_profit)).sum()
}
