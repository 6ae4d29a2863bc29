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
use crate::rng::{stream, Stream};
use crate::scenario::{InputId, Link, Noise, OnDefault, Per, Scenario};
use rand_distr::Distribution;

/// Monthly metrics, in output order. `alive` is 1 while the run has not
/// defaulted (cash has stayed ≥ 0 up to and including that month), else 0.
pub const METRICS: [&str; 11] = [
    "customers",
    "new_customers",
    "churned",
    "churn_rate",
    "accuracy",
    "mrr",
    "arr",
    "costs",
    "profit",
    "cash",
    "alive",
];
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
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunSummary {
    pub default_month: Option<u32>,
    pub breakeven_month: Option<u32>,
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
    /// Blended CAC: total marketing spend ÷ total new customers. `None`
    /// without marketing spend or without new customers.
    pub cac: Option<f64>,
    /// ARPA × gross margin ÷ average monthly churn (see docs/model.md).
    pub ltv: Option<f64>,
    pub ltv_cac: Option<f64>,
    /// CAC ÷ (ARPA × gross margin), in months.
    pub payback_months: Option<f64>,
}

/// The scenario prepared for fast runs: which inputs need a random stream.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Uncertain per-run inputs: (index, stream key).
    per_run: Vec<(usize, u64)>,
    /// Per-month inputs: (index, stream key).
    per_month: Vec<(usize, u64)>,
    /// Values of the fixed inputs (others are overwritten per run/month).
    fixed: Vec<f64>,
    /// Indices of the inputs reported per run (uncertain ones), in order.
    reported: Vec<usize>,
    churn_noise_key: u64,
    new_noise_key: u64,
}

impl Plan {
    pub fn new(sc: &Scenario) -> Plan {
        let mut per_run = vec![];
        let mut per_month = vec![];
        let mut fixed = vec![0.0; sc.inputs.len()];
        let mut reported = vec![];
        for (i, input) in sc.inputs.iter().enumerate() {
            match (input.dist.as_fixed(), input.per) {
                (Some(v), _) => fixed[i] = v,
                (None, Per::Run) => per_run.push((i, input.key)),
                (None, Per::Month) => per_month.push((i, input.key)),
            }
            if input.is_uncertain() {
                reported.push(i);
            }
        }
        Plan {
            per_run,
            per_month,
            fixed,
            reported,
            churn_noise_key: crate::rng::key_of("churn.noise"),
            new_noise_key: crate::rng::key_of("acquisition.noise"),
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
}

/// Simulates run `run` of `sc`.
///
/// The monthly values of run `r` of a block go to
/// `paths[(metric · months + month) · stride + r]` (column-major, so a
/// block's column for one (metric, month) is contiguous); `inputs` receives
/// the values of the uncertain inputs (for `per = "month"` inputs: the
/// average of the run's draws).
pub fn simulate_run(
    sc: &Scenario,
    plan: &Plan,
    run: u64,
    paths: &mut [f64],
    stride: usize,
    r: usize,
    inputs: &mut [f64],
) -> RunSummary {
    let h = sc.months as usize;
    debug_assert!(paths.len() >= N_METRICS * h * stride);
    let seed = sc.seed;
    let mut v = plan.fixed.clone();
    for &(i, key) in &plan.per_run {
        v[i] = sc.inputs[i].dist.sample(&mut stream(seed, run, key));
    }
    let mut monthly: Vec<(usize, Stream, f64)> =
        plan.per_month.iter().map(|&(i, key)| (i, stream(seed, run, key), 0.0)).collect();
    let mut churn_rng = stream(seed, run, plan.churn_noise_key);
    let mut new_rng = stream(seed, run, plan.new_noise_key);
    let paid: Vec<bool> = sc
        .funding
        .iter()
        .map(|r| r.probability >= 1.0 || (r.probability > 0.0 && unit(&mut stream(seed, run, r.key)) < r.probability))
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
    let acc0 = sc.accuracy.as_ref().map_or(1.0, |a| v[at(a.initial)]);
    let mut acc = acc0;
    let (mut organic_f, mut spend_f, mut fixed_f, mut price_f) = (1.0, 1.0, 1.0, 1.0);

    let mut s = RunSummary { min_cash: f64::INFINITY, ..RunSummary::default() };
    let (mut total_new, mut total_spend, mut total_churned) = (0.0, 0.0, 0.0);
    let (mut customer_months, mut exposure, mut variable_costs) = (0.0, 0.0, 0.0);
    let mut dead = false;
    // (customers, mrr) of the last month simulated.
    let mut last = (0.0, 0.0);

    for t in 1..=h as u32 {
        let ti = (t - 1) as usize;
        for (i, rng, sum) in &mut monthly {
            let x = sc.inputs[*i].dist.sample(rng);
            v[*i] = x;
            *sum += x;
        }
        if dead {
            let rec = [0.0, 0.0, 0.0, 0.0, acc, 0.0, 0.0, 0.0, 0.0, cash, 0.0];
            for (m, x) in rec.into_iter().enumerate() {
                paths[(m * h + ti) * stride + r] = x;
            }
            last = (0.0, 0.0);
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
                Link::Linear { elasticity } => accuracy::linear(acc, a.reference, v[at(*elasticity)]),
                Link::Logistic { steepness } => accuracy::logistic(acc, a.reference, v[at(*steepness)]),
                Link::Table { points, scale } => accuracy::table(acc, points, *scale),
            };
        }

        // 2. Churn acts on start-of-month customers.
        let c = (v[at(sc.churn.base)] * multiplier).clamp(0.0, 1.0);
        let churned = if binomial_churn {
            counts::binomial(&mut churn_rng, counts::round_nonneg(customers) as u64, c) as f64
        } else {
            customers * c
        };

        // 3. Acquisition: organic flow, referrals, paid.
        let spend = acq.marketing.as_ref().map_or(0.0, |m| v[at(m.spend)] * spend_f);
        let paid_new = acq.marketing.as_ref().map_or(0.0, |m| spend / v[at(m.cac)]);
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
        exposure += customers;
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
        let funding: f64 =
            sc.funding.iter().zip(&paid).filter(|(r, p)| **p && r.month == t).map(|(r, _)| v[at(r.amount)]).sum();
        cash += profit + funding;

        // 8. Default.
        if cash < 0.0 && s.default_month.is_none() {
            s.default_month = Some(t);
            dead = stop;
        }
        if profit >= 0.0 && s.breakeven_month.is_none() {
            s.breakeven_month = Some(t);
        }
        if cash < s.min_cash {
            s.min_cash = cash;
            s.min_cash_month = t;
        }
        s.total_revenue += mrr;
        s.total_profit += profit;
        s.funding_received += funding;
        total_new += new;
        total_spend += spend;
        total_churned += churned;
        customer_months += customers;
        variable_costs += variable;

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

    // Unit economics over the horizon (docs/model.md, "Unit economics").
    let positive = |x: f64| (x > 0.0 && x.is_finite()).then_some(x);
    s.cac = (total_spend > 0.0).then(|| total_spend / total_new).filter(|x| x.is_finite());
    let arpa = positive(customer_months).map(|cm| s.total_revenue / cm);
    let margin = positive(s.total_revenue).map(|r| (r - variable_costs) / r);
    let churn = positive(exposure).map(|e| total_churned / e).and_then(positive);
    let unit_margin = arpa.zip(margin).map(|(a, g)| a * g);
    s.ltv = unit_margin.zip(churn).map(|(u, c)| u / c);
    s.ltv_cac = s.ltv.zip(s.cac.and_then(positive)).map(|(l, c)| l / c);
    s.payback_months = s.cac.zip(unit_margin.and_then(positive)).map(|(c, u)| c / u);

    let mut k = 0;
    for &i in &plan.reported {
        inputs[k] = match monthly.iter().find(|(j, _, _)| *j == i) {
            Some((_, _, sum)) => sum / h as f64,
            None => v[i],
        };
        k += 1;
    }
    s
}
