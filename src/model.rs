//! One simulated future: the monthly equations of DESIGN §3.
//!
//! [`simulate_run`] takes the scenario, the seed and the run index and
//! writes that run's monthly path and per-run summary. All randomness comes
//! from [`crate::rng::stream`]`(seed, run, input key)`; each input draws
//! only from its own stream, so the order in which inputs are drawn within
//! a month does not change any value.
//!
//! Conventions (see docs/model.md):
//! - `churn_rate` is the month's churn probability `c_t = clamp(base·m(a_t), 0, 1)`.
//! - Binomial churn acts on the whole number of customers, `round(customers_{t−1})`.
//! - With `on_default = "stop"`, every month after the default month has no
//!   customers, flows, revenue, costs or churn; cash and accuracy keep their
//!   last values.

use crate::accuracy;
use crate::counts::{self, unit};
use crate::dist::Dist;
use crate::rng::{Stream, stream};
use crate::sampling::Sampler;
use crate::scenario::{InputId, Link, Noise, OnDefault, Op, Per, Scenario, Stress, Target};
use rand_distr::Distribution;

/// Monthly metrics, in output order. `alive` is 1 while the run has not
/// defaulted (cash has stayed ≥ 0 up to and including that month), else 0.
pub const METRICS: [&str; 11] = ["customers", "new_customers", "churned", "churn_rate", "accuracy", "mrr", "arr", "costs", "profit", "cash", "alive"];
/// Customers and expected arrivals are capped here (10^15, far beyond any
/// market) so that explosive growth inputs cannot overflow to infinity.
pub const MAX_CUSTOMERS: f64 = 1e15;

/// Number of monthly metrics.
pub const N_METRICS: usize = METRICS.len();

#[allow(missing_docs)]
pub mod metric {
    pub const CUSTOMERS: usize = 0;
    pub const NEW: usize = 1;
    pub const CHURNED: usize = 2;
    pub const CHURN_RATE: usize = 3;
    pub const ACCURACY: usize = 4;
    pub const MRR: usize = 5;
    pub const ARR: usize = 6;
    pub const COSTS: usize = 7;
    pub const PROFIT: usize = 8;
    pub const CASH: usize = 9;
    pub const ALIVE: usize = 10;
}

/// Per-run results (DESIGN §3.1). Months are 1-based; `None` = never.
///
/// A month is *profitable* when it has revenue and `profit ≥ 0` (a month
/// with neither revenue nor costs is not). [`RUN_FIELDS`] lists the fields
/// in output order with how to read and write each; the per-run table, the
/// shard files and the figure language all go through it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunSummary {
    pub default_month: Option<u32>,
    /// Breakeven: the month from which the company stays in profit — the
    /// first profitable month `m` such that profit summed over `m..=t` is
    /// ≥ 0 for every `t` up to the horizon. A lumpy cost (a retraining) may
    /// make a later month a loss without undoing it, as long as the months
    /// since `m` have earned it. `None` when no month qualifies.
    pub breakeven_month: Option<u32>,
    /// The first profitable month, whatever follows it.
    pub first_profit_month: Option<u32>,
    pub final_customers: f64,
    pub final_mrr: f64,
    pub final_arr: f64,
    pub final_cash: f64,
    /// Lowest `cash_t` over months 1..=H.
    pub min_cash: f64,
    /// First month at which `min_cash` is reached.
    pub min_cash_month: u32,
    pub total_revenue: f64,
    pub total_profit: f64,
    pub funding_received: f64,
    /// Paid CAC: total marketing spend ÷ paid customers acquired
    /// (Σ spend_t ÷ cac_t). `None` without marketing spend.
    pub cac_paid: Option<f64>,
    /// Blended CAC: total marketing spend ÷ all new customers, organic and
    /// referred included. `None` without marketing spend or new customers.
    pub cac_blended: Option<f64>,
    /// ARPA × gross margin ÷ average monthly churn (see docs/model.md).
    pub ltv: Option<f64>,
    /// LTV ÷ paid CAC.
    pub ltv_cac_paid: Option<f64>,
    /// LTV ÷ blended CAC.
    pub ltv_cac_blended: Option<f64>,
    /// Paid CAC ÷ (ARPA × gross margin), in months.
    pub payback_months: Option<f64>,
}

/// How a per-run field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `Option<u32>`, a month or never; reads as +∞ when never.
    Month,
    /// `u32`.
    Count,
    /// `f64`.
    Amount,
    /// `Option<f64>`, undefined for some runs; reads as NaN when undefined.
    Ratio,
}

/// One per-run field: its name, kind, and how to read and write it as an
/// `f64` (never = +∞, undefined = NaN).
#[derive(Clone, Copy)]
pub struct RunField {
    pub name: &'static str,
    pub kind: FieldKind,
    pub get: fn(&RunSummary) -> f64,
    pub set: fn(&mut RunSummary, f64),
}

fn month_of(x: f64) -> Option<u32> {
    x.is_finite().then_some(x as u32)
}

fn ratio_of(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

macro_rules! fields {
    ($($name:ident: $kind:ident),* $(,)?) => {
        /// The per-run fields in output order (DESIGN §3.1).
        pub const RUN_FIELDS: &[RunField] = &[$(RunField {
            name: stringify!($name),
            kind: FieldKind::$kind,
            get: |r| fields!(@get $kind, r.$name),
            set: |r, x| r.$name = fields!(@set $kind, x),
        }),*];
    };
    (@get Month, $e:expr) => { $e.map_or(f64::INFINITY, f64::from) };
    (@get Count, $e:expr) => { f64::from($e) };
    (@get Amount, $e:expr) => { $e };
    (@get Ratio, $e:expr) => { $e.unwrap_or(f64::NAN) };
    (@set Month, $x:expr) => { month_of($x) };
    (@set Count, $x:expr) => { $x as u32 };
    (@set Amount, $x:expr) => { $x };
    (@set Ratio, $x:expr) => { ratio_of($x) };
}

fields! {
    default_month: Month,
    breakeven_month: Month,
    first_profit_month: Month,
    final_customers: Amount,
    final_mrr: Amount,
    final_arr: Amount,
    final_cash: Amount,
    min_cash: Amount,
    min_cash_month: Count,
    total_revenue: Amount,
    total_profit: Amount,
    funding_received: Amount,
    cac_paid: Ratio,
    cac_blended: Ratio,
    ltv: Ratio,
    ltv_cac_paid: Ratio,
    ltv_cac_blended: Ratio,
    payback_months: Ratio,
}

/// The field named `name`.
pub fn run_field(name: &str) -> Option<usize> {
    RUN_FIELDS.iter().position(|f| f.name == name)
}

/// The scenario prepared for fast runs: which inputs need a random stream,
/// and the stress (if any) to apply on the same streams.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Draws the uncertain per-run inputs.
    sampler: Sampler,
    /// Per-month inputs: (index, stream key).
    per_month: Vec<(usize, u64)>,
    /// Values of the fixed inputs (others are overwritten per run/month).
    fixed: Vec<f64>,
    /// Indices of the inputs reported per run (uncertain or stressed ones),
    /// in order.
    reported: Vec<usize>,
    /// The reported inputs drawn monthly in the base or under the stress,
    /// reported as the average of their monthly values: (column, input).
    averaged: Vec<(usize, usize)>,
    churn_noise_key: u64,
    new_noise_key: u64,
    /// Scheduled inputs and their later steps: (input, [(month, step input)]).
    schedules: Vec<(usize, Vec<(u32, usize)>)>,
    stress: Option<StressPlan>,
}

/// A [`Stress`] prepared for [`simulate_run`].
#[derive(Debug, Clone)]
struct StressPlan {
    from: u32,
    /// Patched inputs: (index, stream key, op).
    inputs: Vec<(usize, u64, Op)>,
    /// Each round's probability when it falls in month `from` or later.
    funding: Vec<f64>,
    /// (reference accuracy, table-link scale) from month `from` on.
    reference: Option<(f64, f64)>,
    /// Scheduled inputs the stress replaces: their later steps stop
    /// applying from month `from` on.
    unscheduled: Vec<usize>,
}

impl Plan {
    /// The base scenario.
    pub fn new(sc: &Scenario) -> Plan {
        Plan::build(sc, None)
    }

    /// The base scenario with `stress` applied on the same random streams.
    pub fn stressed(sc: &Scenario, stress: &Stress) -> Plan {
        Plan::build(sc, Some(stress))
    }

    fn build(sc: &Scenario, stress: Option<&Stress>) -> Plan {
        let mut per_run = vec![];
        let mut per_month = vec![];
        let mut fixed = vec![0.0; sc.inputs.len()];
        for (i, input) in sc.inputs.iter().enumerate() {
            match (input.dist.as_fixed(), input.per) {
                (Some(v), _) => fixed[i] = v,
                (None, Per::Run) => per_run.push((i, input.key)),
                (None, Per::Month) => per_month.push((i, input.key)),
            }
        }
        let stress = stress.map(|st| StressPlan::new(sc, st));
        let patched = |i: usize| stress.as_ref().is_some_and(|s| s.inputs.iter().any(|p| p.0 == i));
        let monthly_patch = |i: usize| stress.as_ref().is_some_and(|s| s.inputs.iter().any(|p| p.0 == i && matches!(p.2, Op::Replace { per: Per::Month, .. })));
        let reported: Vec<usize> = (0..sc.inputs.len()).filter(|&i| sc.inputs[i].is_uncertain() || patched(i)).collect();
        let averaged = reported.iter().enumerate().filter(|&(_, &i)| per_month.iter().any(|p| p.0 == i) || monthly_patch(i)).map(|(k, &i)| (k, i)).collect();
        Plan {
            sampler: Sampler::new(sc, &per_run),
            per_month,
            fixed,
            reported,
            averaged,
            churn_noise_key: crate::rng::key_of("churn.noise"),
            new_noise_key: crate::rng::key_of("acquisition.noise"),
            schedules: sc
                .inputs
                .iter()
                .enumerate()
                .filter(|(_, i)| !i.schedule.is_empty())
                .map(|(k, i)| (k, i.schedule.iter().map(|&(m, id)| (m, id.index())).collect()))
                .collect(),
            stress,
        }
    }

    /// Dotted paths of the per-run input columns, in the order
    /// [`simulate_run`] writes them.
    pub fn reported_paths<'s>(&self, sc: &'s Scenario) -> Vec<&'s str> {
        self.reported.iter().map(|&i| sc.inputs[i].path.as_str()).collect()
    }

    /// Number of per-run input columns.
    pub fn n_reported(&self) -> usize {
        self.reported.len()
    }

    /// The column of input `id` among the per-run input values, if reported.
    pub fn reported_column(&self, id: InputId) -> Option<usize> {
        self.reported.iter().position(|&i| i == id.index())
    }

    /// True when the stress has replaced scheduled input `input` (index)
    /// by month `t`: its later steps no longer apply.
    fn schedule_ended(&self, input: usize, t: u32) -> bool {
        self.stress.as_ref().is_some_and(|s| t >= s.from && s.unscheduled.contains(&input))
    }

    /// The value of input `id` in every run when it is not reported
    /// (fixed and not stressed).
    pub fn fixed_value(&self, id: InputId) -> f64 {
        self.fixed[id.index()]
    }
}

impl StressPlan {
    fn new(sc: &Scenario, st: &Stress) -> StressPlan {
        let funding = sc.funding.iter().map(|r| r.probability).collect();
        let mut plan = StressPlan { from: st.from(), inputs: vec![], funding, reference: None, unscheduled: vec![] };
        for p in &st.patches {
            match p.target {
                Target::Input(id) => {
                    plan.inputs.push((id.index(), sc.input(id).key, p.op.clone()));
                    let steps = &sc.input(id).schedule;
                    match p.op {
                        // `*k` and `+k` change every step of a schedule.
                        Op::Scale(_) | Op::Shift(_) => plan.inputs.extend(steps.iter().map(|&(_, s)| (s.index(), sc.input(s).key, p.op.clone()))),
                        Op::Replace { .. } if !steps.is_empty() && !p.first_step_only => plan.unscheduled.push(id.index()),
                        Op::Replace { .. } => {}
                    }
                }
                Target::FundingProbability(j) => plan.funding[j] = p.op.apply(plan.funding[j]).clamp(0.0, 1.0),
                Target::Reference => {
                    let base = sc.accuracy.as_ref().map_or(0.0, |a| a.reference);
                    let r = p.op.apply(base);
                    let scale = crate::scenario::stress::table_scale(sc.accuracy.as_ref(), r).unwrap_or(1.0);
                    plan.reference = Some((r, scale));
                }
            }
        }
        plan
    }
}

/// A per-month input's source: its stream, the distribution it draws from
/// and the `*k`/`+k` a stress applies to each draw.
struct Draw<'a> {
    i: usize,
    rng: Stream,
    dist: &'a Dist,
    op: Option<&'a Op>,
}

/// Applies a stress's input patches to the run's values: at setup when the
/// stress starts at month 1, else at the start of its first month.
/// Replacements draw from a fresh copy of the input's own stream, so a
/// replaced per-run input sees the same random numbers the base drew; an
/// input the base drew through its quantile function (correlated, or under
/// Latin hypercube sampling) maps the same uniform `u[i]` through the
/// replacement's, keeping its rank among the runs.
fn apply_patches<'a>(st: &'a StressPlan, seed: u64, run: u64, v: &mut [f64], u: &[f64], draws: &mut Vec<Draw<'a>>) {
    for (i, key, op) in &st.inputs {
        let i = *i;
        match op {
            Op::Scale(_) | Op::Shift(_) => match draws.iter_mut().find(|d| d.i == i) {
                Some(d) => d.op = Some(op),
                None => v[i] = op.apply(v[i]),
            },
            Op::Replace { dist, per } => {
                draws.retain(|d| d.i != i);
                let mut rng = stream(seed, run, *key);
                match per {
                    Per::Run => v[i] = u.get(i).filter(|x| !x.is_nan()).map_or_else(|| dist.sample(&mut rng), |&x| dist.quantile(x)),
                    Per::Month => draws.push(Draw { i, rng, dist, op: None }),
                }
            }
        }
    }
}

/// Puts each scheduled input's step for month `t` in force: `v[input]`
/// takes the value of the latest step starting at or before `t` (the first
/// step is the input itself, so nothing changes before the second). A
/// stress that replaces the input ends its schedule from the stress's
/// first month. `held` keeps the first step's value for the per-run table.
fn step_schedules(plan: &Plan, t: u32, v: &mut [f64], held: &mut [f64]) {
    for ((input, steps), held) in plan.schedules.iter().zip(held) {
        if plan.schedule_ended(*input, t) {
            continue;
        }
        if let Some(&(_, step)) = steps.iter().rev().find(|(m, _)| *m <= t) {
            if held.is_nan() {
                *held = v[*input];
            }
            v[*input] = v[step];
        }
    }
}

/// The link parameters in force: (reference accuracy, table scale).
fn link_params(sc: &Scenario) -> (f64, f64) {
    match &sc.accuracy {
        Some(a) => (a.reference, if let Link::Table { scale, .. } = &a.link { *scale } else { 1.0 }),
        None => (1.0, 1.0),
    }
}

/// Simulates run `run` of `sc` under `plan`.
///
/// The monthly values of run `r` of a block go to
/// `paths[(metric · months + month) · stride + r]` (column-major, so a
/// block's column for one (metric, month) is contiguous); `inputs` receives
/// the values of the reported inputs (for `per = "month"` inputs: the
/// average of the run's monthly values; for stressed ones: the value in
/// force at the horizon; for scheduled ones: the first step's value, unless
/// a stress replaced the schedule).
pub fn simulate_run(sc: &Scenario, plan: &Plan, run: u64, paths: &mut [f64], stride: usize, r: usize, inputs: &mut [f64]) -> RunSummary {
    let h = sc.months as usize;
    debug_assert!(paths.len() >= N_METRICS * h * stride);
    let seed = sc.seed;
    let mut v = plan.fixed.clone();
    let mut u = plan.sampler.uniforms();
    plan.sampler.draw(sc, run, &mut v, &mut u);
    // Each scheduled input's first-step value, once a later step replaces it.
    let mut held: Vec<f64> = plan.schedules.iter().map(|_| f64::NAN).collect();
    let mut draws: Vec<Draw> = plan.per_month.iter().map(|&(i, key)| Draw { i, rng: stream(seed, run, key), dist: &sc.inputs[i].dist, op: None }).collect();
    // Sums of the monthly values of the averaged inputs.
    let mut sums = vec![0.0; plan.averaged.len()];
    let from = plan.stress.as_ref().map_or(u32::MAX, |s| s.from);
    let (mut reference, mut table_scale) = link_params(sc);
    if let Some(st) = plan.stress.as_ref().filter(|s| s.from <= 1) {
        apply_patches(st, seed, run, &mut v, &u, &mut draws);
        (reference, table_scale) = st.reference.unwrap_or((reference, table_scale));
    }
    let mut churn_rng = stream(seed, run, plan.churn_noise_key);
    let mut new_rng = stream(seed, run, plan.new_noise_key);
    let paid: Vec<bool> = sc
        .funding
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let p = match &plan.stress {
                Some(st) if r.month >= st.from => st.funding[j],
                _ => r.probability,
            };
            p >= 1.0 || (p > 0.0 && unit(&mut stream(seed, run, r.key)) < p)
        })
        .collect();

    let at = |id: InputId| id.index();
    let acq = &sc.acquisition;
    let stop = sc.on_default == OnDefault::Stop;
    let binomial_churn = sc.churn.noise == Noise::Random;
    let poisson_new = acq.noise == Noise::Random;

    let mut customers = v[at(sc.start_customers)];
    if binomial_churn {
        customers = counts::round_nonneg(customers.max(0.0));
    }
    let mut cash = v[at(sc.start_cash)];
    let mut acc0 = sc.accuracy.as_ref().map_or(1.0, |a| v[at(a.initial)]);
    let mut acc = acc0;
    let (mut organic_f, mut spend_f, mut fixed_f, mut price_f) = (1.0, 1.0, 1.0, 1.0);

    let mut s = RunSummary { min_cash: f64::INFINITY, ..RunSummary::default() };
    let mut totals = Totals::default();
    let mut dead = false;
    // The breakeven candidate: its month and the profit summed since.
    let mut stays: Option<(u32, f64)> = None;
    // (customers, mrr) of the last month simulated.
    let mut last = (0.0, 0.0);

    for t in 1..=h as u32 {
        let ti = (t - 1) as usize;
        if t == from && t > 1 {
            let st = plan.stress.as_ref().expect("from is set by a stress");
            apply_patches(st, seed, run, &mut v, &u, &mut draws);
            (reference, table_scale) = st.reference.unwrap_or((reference, table_scale));
            if let Some(a) = &sc.accuracy {
                // The run's accuracy changes; the drift so far is kept.
                acc += v[at(a.initial)] - acc0;
                acc0 = v[at(a.initial)];
            }
        }
        for d in &mut draws {
            let x = d.dist.sample(&mut d.rng);
            v[d.i] = d.op.map_or(x, |op| op.apply(x));
        }
        step_schedules(plan, t, &mut v, &mut held);
        for (sum, &(_, i)) in sums.iter_mut().zip(&plan.averaged) {
            *sum += v[i];
        }
        if dead {
            let rec = [0.0, 0.0, 0.0, 0.0, acc, 0.0, 0.0, 0.0, 0.0, cash, 0.0];
            for (m, x) in rec.into_iter().enumerate() {
                paths[(m * h + ti) * stride + r] = x;
            }
            last = (0.0, 0.0);
            stays = None;
            continue;
        }
        if t > 1 {
            organic_f *= 1.0 + v[at(acq.growth)];
            fixed_f *= 1.0 + v[at(sc.costs.fixed_growth)];
            if let Some(m) = &acq.marketing {
                spend_f *= 1.0 + v[at(m.spend_growth)];
            }
        }
        if t > 12 && (t - 1) % 12 == 0 {
            price_f *= 1.0 + v[at(sc.annual_increase)];
        }

        // 1. Accuracy: drift, then retraining restores the run's accuracy.
        let mut retrain_cost = 0.0;
        let mut multiplier = 1.0;
        if let Some(a) = &sc.accuracy {
            acc = (acc - v[at(a.drift)]).max(0.0);
            if let Some(r) = &a.retrain {
                if t % r.every == 0 {
                    acc = acc0;
                    retrain_cost = v[at(r.cost)];
                }
            }
            multiplier = match &a.link {
                Link::Linear { elasticity } => accuracy::linear(acc, reference, v[at(*elasticity)]),
                Link::Logistic { steepness } => accuracy::logistic(acc, reference, v[at(*steepness)]),
                Link::Table { points, .. } => accuracy::table(acc, points, table_scale),
            };
        }

        // 2. Churn acts on start-of-month customers.
        let c = (v[at(sc.churn.base)] * multiplier).clamp(0.0, 1.0);
        let churned = if binomial_churn { counts::binomial(&mut churn_rng, counts::round_nonneg(customers) as u64, c) as f64 } else { customers * c };

        // 3. Acquisition: organic flow, referrals, paid.
        let spend = acq.marketing.as_ref().map_or(0.0, |m| v[at(m.spend)] * spend_f);
        let paid_new = acq.marketing.as_ref().map_or(0.0, |m| spend / v[at(m.cac)]);
        totals.paid += paid_new;
        let raw = v[at(acq.new)] * organic_f + v[at(acq.referral)] * customers + paid_new;
        // NaN (e.g. 0 × an overflowed growth factor) must reach the
        // aggregator's finite check; f64::min would turn it into the cap.
        let lambda = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
        let new = if lambda.is_nan() {
            lambda
        } else if poisson_new {
            counts::poisson(&mut new_rng, lambda)
        } else {
            lambda
        };

        // 4. Customers.
        totals.exposure += customers;
        let next = customers - churned + new;
        let customers_next = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
        customers = customers_next;

        // 5. Revenue.
        let mrr = customers * v[at(sc.price)] * price_f;

        // 6. Costs.
        let variable = customers * v[at(sc.costs.per_customer)] + v[at(sc.costs.revenue_share)] * mrr;
        let one_off: f64 = sc.costs.one_off.iter().filter(|(m, _)| *m == t).map(|(_, id)| v[at(*id)]).sum();
        let costs = v[at(sc.costs.fixed)] * fixed_f + variable + spend + retrain_cost + one_off;

        // 7. Cash.
        let profit = mrr - costs;
        let funding: f64 = sc.funding.iter().zip(&paid).filter(|(r, p)| **p && r.month == t).map(|(r, _)| v[at(r.amount)]).sum();
        cash += profit + funding;

        // 8. Default.
        if cash < 0.0 && s.default_month.is_none() {
            s.default_month = Some(t);
            dead = stop;
        }
        stays = breakeven_step(stays, t, mrr, profit);
        if mrr > 0.0 && profit >= 0.0 {
            s.first_profit_month.get_or_insert(t);
        }
        if cash < s.min_cash {
            s.min_cash = cash;
            s.min_cash_month = t;
        }
        s.total_revenue += mrr;
        s.total_profit += profit;
        s.funding_received += funding;
        totals.new += new;
        totals.spend += spend;
        totals.churned += churned;
        totals.customer_months += customers;
        totals.variable_costs += variable;

        let alive = if s.default_month.is_none() { 1.0 } else { 0.0 };
        let rec = [customers, new, churned, c, acc, mrr, 12.0 * mrr, costs, profit, cash, alive];
        for (m, x) in rec.into_iter().enumerate() {
            paths[(m * h + ti) * stride + r] = x;
        }
        last = (customers, mrr);
    }

    (s.final_customers, s.final_mrr) = last;
    s.final_arr = 12.0 * s.final_mrr;
    s.final_cash = cash;
    s.breakeven_month = stays.map(|(m, _)| m);
    totals.unit_economics(&mut s);

    // A scheduled input reports its first step's value; one a stress
    // replaced (its schedule ended) the replacement in force at the horizon.
    for ((i, _), held) in plan.schedules.iter().zip(held).filter(|((i, _), h)| !h.is_nan() && !plan.schedule_ended(*i, sc.months)) {
        v[*i] = held;
    }
    for (slot, &i) in inputs.iter_mut().zip(&plan.reported) {
        *slot = v[i];
    }
    for (&(k, _), sum) in plan.averaged.iter().zip(&sums) {
        inputs[k] = sum / h as f64;
    }
    s
}

/// One month of the breakeven search: the candidate month and the profit
/// summed since it. A candidate whose sum turns negative is dropped, and so
/// is every month between it and now (each of their sums is smaller), so
/// the next profitable month starts a new one.
fn breakeven_step(stays: Option<(u32, f64)>, t: u32, mrr: f64, profit: f64) -> Option<(u32, f64)> {
    match stays {
        Some((m, sum)) => Some((m, sum + profit)).filter(|&(_, s)| s >= 0.0),
        None => (mrr > 0.0 && profit >= 0.0).then_some((t, profit)),
    }
}

/// Flows summed over a run's months, for its unit economics.
#[derive(Default)]
struct Totals {
    new: f64,
    /// Expected paid arrivals, Σ spend_t ÷ cac_t.
    paid: f64,
    spend: f64,
    churned: f64,
    customer_months: f64,
    /// Start-of-month customers summed: the exposure to churn.
    exposure: f64,
    variable_costs: f64,
}

impl Totals {
    /// Unit economics over the horizon (docs/model.md, "Unit economics").
    fn unit_economics(&self, s: &mut RunSummary) {
        let positive = |x: f64| (x > 0.0 && x.is_finite()).then_some(x);
        let per = |n: f64| (self.spend > 0.0).then(|| self.spend / n).filter(|x| x.is_finite());
        (s.cac_paid, s.cac_blended) = (per(self.paid), per(self.new));
        let arpa = positive(self.customer_months).map(|cm| s.total_revenue / cm);
        let margin = positive(s.total_revenue).map(|r| (r - self.variable_costs) / r);
        let churn = positive(self.exposure).map(|e| self.churned / e).and_then(positive);
        let unit_margin = arpa.zip(margin).map(|(a, g)| a * g);
        s.ltv = unit_margin.zip(churn).map(|(u, c)| u / c);
        let ltv_over = |cac: Option<f64>| s.ltv.zip(cac.and_then(positive)).map(|(l, c)| l / c);
        (s.ltv_cac_paid, s.ltv_cac_blended) = (ltv_over(s.cac_paid), ltv_over(s.cac_blended));
        s.payback_months = s.cac_paid.zip(unit_margin.and_then(positive)).map(|(c, u)| c / u);
    }
}
