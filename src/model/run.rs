//! One run, month by month: [`simulate_run`] sets up a [`Run`], steps it
//! through the horizon with [`Run::month`] and writes each [`Month`] to the
//! block's paths.
//!
//! A month is a fixed sequence of named parts (docs/model.md): inputs in force
//! ([`Run::begin_month`]), growth factors, accuracy and its churn
//! multiplier, churn, acquisition, customers, revenue, costs, cash and
//! default, then the run's running totals ([`Run::tally`]).

use super::{MAX_CUSTOMERS, Month, N_METRICS, Plan, RunSummary, StressPlan};
use crate::accuracy;
use crate::counts::{self, unit};
use crate::dist::Dist;
use crate::rng::{Stream, stream};
use crate::scenario::{InputId, Link, Noise, OnDefault, Op, Per, Scenario};
use rand_distr::Distribution;

/// Simulates run `run` of `sc` under `plan`.
///
/// The monthly values of run `r` of a block go to
/// `paths[(metric · months + month) · stride + r]` (column-major, so a
/// block's column for one (metric, month) is contiguous); `inputs` receives
/// the values of the reported inputs (for `per = "month"` inputs: the
/// average of the run's monthly values; for stressed ones: the value in
/// force at the horizon; for scheduled ones: the first step's value, unless
/// a stress replaced the schedule). An empty `paths` records no months
/// (for callers that read only the summaries and inputs).
pub fn simulate_run(sc: &Scenario, plan: &Plan, run: u64, paths: &mut [f64], stride: usize, r: usize, inputs: &mut [f64]) -> RunSummary {
    let h = sc.months as usize;
    let record = !paths.is_empty();
    debug_assert!(!record || paths.len() >= N_METRICS * h * stride);
    let mut state = Run::start(sc, plan, run);
    for t in 1..=sc.months {
        let month = state.month(t);
        if record {
            let ti = (t - 1) as usize;
            for (m, x) in month.values().into_iter().enumerate() {
                paths[(m * h + ti) * stride + r] = x;
            }
        }
    }
    state.finish(inputs)
}

/// A per-month input's source: its stream, the distribution it draws from
/// and the `*k`/`+k` a stress applies to each draw.
struct Draw<'a> {
    i: usize,
    rng: Stream,
    dist: &'a Dist,
    op: Option<&'a Op>,
}

/// Compounded growth of the monthly amounts since month 1 (and of the price
/// since year 1).
struct Growth {
    organic: f64,
    spend: f64,
    fixed: f64,
    price: f64,
}

/// One run in progress: everything that carries from one month to the next.
struct Run<'a> {
    sc: &'a Scenario,
    plan: &'a Plan,
    run: u64,
    /// Every input's value in force this month, by input index.
    v: Vec<f64>,
    /// The uniforms the per-run inputs were drawn from (NaN where an input
    /// was drawn by its own sampler), for stress replacements.
    u: Vec<f64>,
    /// Each scheduled input's first-step value, once a later step replaces it.
    held: Vec<f64>,
    draws: Vec<Draw<'a>>,
    /// Sums of the monthly values of the averaged inputs.
    sums: Vec<f64>,
    /// Whether each funding round arrives.
    paid: Vec<bool>,
    churn_rng: Stream,
    new_rng: Stream,
    /// Link parameters in force: reference accuracy and table scale.
    reference: f64,
    table_scale: f64,
    customers: f64,
    cash: f64,
    /// The run's accuracy after retraining, and this month's.
    acc0: f64,
    acc: f64,
    growth: Growth,
    s: RunSummary,
    totals: Totals,
    /// Defaulted under `on_default = "stop"`: nothing happens any more.
    dead: bool,
    /// The breakeven candidate: its month and the profit summed since.
    stays: Option<(u32, f64)>,
    /// (customers, mrr) of the last month simulated.
    last: (f64, f64),
}

impl<'a> Run<'a> {
    /// Draws the run's per-run inputs and funding rounds and sets the
    /// starting position.
    fn start(sc: &'a Scenario, plan: &'a Plan, run: u64) -> Run<'a> {
        let seed = sc.seed;
        let mut v = plan.fixed.clone();
        let mut u = plan.sampler.uniforms();
        plan.sampler.draw(sc, run, &mut v, &mut u);
        let mut draws: Vec<Draw> = plan.per_month.iter().map(|&(i, key)| Draw { i, rng: stream(seed, run, key), dist: &sc.inputs[i].dist, op: None }).collect();
        let (mut reference, mut table_scale) = link_params(sc);
        if let Some(st) = plan.stress.as_ref().filter(|s| s.from <= 1) {
            apply_patches(st, seed, run, &mut v, &u, &mut draws);
            (reference, table_scale) = st.reference.unwrap_or((reference, table_scale));
        }
        let mut customers = v[sc.start_customers.index()];
        if sc.churn.noise == Noise::Random {
            customers = counts::round_nonneg(customers.max(0.0));
        }
        let acc0 = sc.accuracy.as_ref().map_or(1.0, |a| v[a.initial.index()]);
        Run {
            sc,
            plan,
            run,
            cash: v[sc.start_cash.index()],
            customers,
            acc0,
            acc: acc0,
            held: vec![f64::NAN; plan.schedules.len()],
            sums: vec![0.0; plan.averaged.len()],
            paid: funding_paid(sc, plan, run),
            churn_rng: stream(seed, run, plan.churn_noise_key),
            new_rng: stream(seed, run, plan.new_noise_key),
            reference,
            table_scale,
            growth: Growth { organic: 1.0, spend: 1.0, fixed: 1.0, price: 1.0 },
            s: RunSummary { min_cash: f64::INFINITY, ..RunSummary::default() },
            totals: Totals::default(),
            dead: false,
            stays: None,
            last: (0.0, 0.0),
            v,
            u,
            draws,
        }
    }

    /// The value of input `id` in force.
    #[inline(always)]
    fn x(&self, id: InputId) -> f64 {
        self.v[id.index()]
    }

    /// Month `t` (1-based), in the order of docs/model.md.
    #[inline(always)]
    fn month(&mut self, t: u32) -> Month {
        self.begin_month(t);
        if self.dead {
            self.last = (0.0, 0.0);
            self.stays = None;
            return Month { accuracy: self.acc, cash: self.cash, ..Month::default() };
        }
        self.grow(t);
        let (multiplier, retrain_cost) = self.accuracy(t);
        let (churn_rate, churned) = self.churn(multiplier);
        let (spend, new) = self.acquire();
        // Customers: churn acts on start-of-month customers.
        self.totals.exposure += self.customers;
        let next = self.customers - churned + new;
        self.customers = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
        let mrr = self.customers * self.x(self.sc.price) * self.growth.price;
        let (variable, costs) = self.costs(t, mrr, spend, retrain_cost);
        let profit = mrr - costs;
        let funding = self.funding(t);
        self.cash += profit + funding;
        self.tally(t, Flows { new, spend, churned, variable, mrr, profit, funding });
        self.last = (self.customers, mrr);
        let alive = if self.s.default_month.is_none() { 1.0 } else { 0.0 };
        Month {
            customers: self.customers,
            new_customers: new,
            churned,
            churn_rate,
            accuracy: self.acc,
            mrr,
            arr: 12.0 * mrr,
            costs,
            profit,
            cash: self.cash,
            alive,
        }
    }

    /// Inputs in force for month `t`: a stress starting now, this month's
    /// per-month draws, schedule steps; adds the averaged inputs' values.
    #[inline(always)]
    fn begin_month(&mut self, t: u32) {
        if let Some(st) = self.plan.stress.as_ref().filter(|s| s.from == t && t > 1) {
            apply_patches(st, self.sc.seed, self.run, &mut self.v, &self.u, &mut self.draws);
            (self.reference, self.table_scale) = st.reference.unwrap_or((self.reference, self.table_scale));
            if let Some(a) = &self.sc.accuracy {
                // The run's accuracy changes; the drift so far is kept.
                let initial = self.v[a.initial.index()];
                self.acc += initial - self.acc0;
                self.acc0 = initial;
            }
        }
        for d in &mut self.draws {
            let x = d.dist.sample(&mut d.rng);
            self.v[d.i] = d.op.map_or(x, |op| op.apply(x));
        }
        step_schedules(self.plan, t, &mut self.v, &mut self.held);
        for (sum, &(_, i)) in self.sums.iter_mut().zip(&self.plan.averaged) {
            *sum += self.v[i];
        }
    }

    /// Compounds the monthly growth rates from month 2 on, and the yearly
    /// price increase at the start of each year after the first.
    #[inline(always)]
    fn grow(&mut self, t: u32) {
        let sc = self.sc;
        if t > 1 {
            self.growth.organic *= 1.0 + self.x(sc.acquisition.growth);
            self.growth.fixed *= 1.0 + self.x(sc.costs.fixed_growth);
            if let Some(m) = &sc.acquisition.marketing {
                self.growth.spend *= 1.0 + self.x(m.spend_growth);
            }
        }
        if t > 12 && (t - 1) % 12 == 0 {
            self.growth.price *= 1.0 + self.x(sc.annual_increase);
        }
    }

    /// Accuracy drifts, then retraining restores the run's accuracy:
    /// (churn multiplier, retraining cost this month).
    #[inline(always)]
    fn accuracy(&mut self, t: u32) -> (f64, f64) {
        let Some(a) = &self.sc.accuracy else { return (1.0, 0.0) };
        let mut retrain_cost = 0.0;
        self.acc = (self.acc - self.x(a.drift)).max(0.0);
        if let Some(r) = a.retrain.as_ref().filter(|r| t % r.every == 0) {
            self.acc = self.acc0;
            retrain_cost = self.x(r.cost);
        }
        let multiplier = match &a.link {
            Link::Linear { elasticity } => accuracy::linear(self.acc, self.reference, self.x(*elasticity)),
            Link::Logistic { steepness } => accuracy::logistic(self.acc, self.reference, self.x(*steepness)),
            Link::Table { points, .. } => accuracy::table(self.acc, points, self.table_scale),
        };
        (multiplier, retrain_cost)
    }

    /// Churn on start-of-month customers: (churn rate, customers lost).
    #[inline(always)]
    fn churn(&mut self, multiplier: f64) -> (f64, f64) {
        let c = (self.x(self.sc.churn.base) * multiplier).clamp(0.0, 1.0);
        let churned = if self.sc.churn.noise == Noise::Random {
            counts::binomial(&mut self.churn_rng, counts::round_nonneg(self.customers) as u64, c) as f64
        } else {
            self.customers * c
        };
        (c, churned)
    }

    /// Organic flow, referrals and paid arrivals: (marketing spend, new customers).
    #[inline(always)]
    fn acquire(&mut self) -> (f64, f64) {
        let acq = &self.sc.acquisition;
        let spend = acq.marketing.as_ref().map_or(0.0, |m| self.x(m.spend) * self.growth.spend);
        let paid_new = acq.marketing.as_ref().map_or(0.0, |m| spend / self.x(m.cac));
        self.totals.paid += paid_new;
        let raw = self.x(acq.new) * self.growth.organic + self.x(acq.referral) * self.customers + paid_new;
        // NaN (e.g. 0 × an overflowed growth factor) must reach the
        // aggregator's finite check; f64::min would turn it into the cap.
        let lambda = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
        let new = if !lambda.is_nan() && acq.noise == Noise::Random { counts::poisson(&mut self.new_rng, lambda) } else { lambda };
        (spend, new)
    }

    /// The month's costs for end-of-month customers: (variable costs, all costs).
    #[inline(always)]
    fn costs(&self, t: u32, mrr: f64, spend: f64, retrain_cost: f64) -> (f64, f64) {
        let c = &self.sc.costs;
        let variable = self.customers * self.x(c.per_customer) + self.x(c.revenue_share) * mrr;
        let one_off: f64 = c.one_off.iter().filter(|(m, _)| *m == t).map(|(_, id)| self.x(*id)).sum();
        (variable, self.x(c.fixed) * self.growth.fixed + variable + spend + retrain_cost + one_off)
    }

    /// Funding that arrives in month `t`.
    #[inline(always)]
    fn funding(&self, t: u32) -> f64 {
        self.sc.funding.iter().zip(&self.paid).filter(|(r, p)| **p && r.month == t).map(|(r, _)| self.x(r.amount)).sum()
    }

    /// Default, breakeven, lowest cash and the run's totals after month `t`.
    #[inline(always)]
    fn tally(&mut self, t: u32, f: Flows) {
        let s = &mut self.s;
        if self.cash < 0.0 && s.default_month.is_none() {
            s.default_month = Some(t);
            self.dead = self.sc.on_default == OnDefault::Stop;
        }
        self.stays = breakeven_step(self.stays, t, f.mrr, f.profit);
        if f.mrr > 0.0 && f.profit >= 0.0 {
            s.first_profit_month.get_or_insert(t);
        }
        if self.cash < s.min_cash {
            s.min_cash = self.cash;
            s.min_cash_month = t;
        }
        s.total_revenue += f.mrr;
        s.total_profit += f.profit;
        s.funding_received += f.funding;
        let totals = &mut self.totals;
        totals.new += f.new;
        totals.spend += f.spend;
        totals.churned += f.churned;
        totals.customer_months += self.customers;
        totals.variable_costs += f.variable;
    }

    /// The run's summary, and its reported inputs into `inputs`.
    fn finish(mut self, inputs: &mut [f64]) -> RunSummary {
        let (plan, months) = (self.plan, self.sc.months);
        let mut s = self.s;
        (s.final_customers, s.final_mrr) = self.last;
        s.final_arr = 12.0 * s.final_mrr;
        s.final_cash = self.cash;
        s.breakeven_month = self.stays.map(|(m, _)| m);
        self.totals.unit_economics(&mut s);
        // A scheduled input reports its first step's value; one a stress
        // replaced (its schedule ended) the replacement in force at the horizon.
        for ((i, _), held) in plan.schedules.iter().zip(&self.held).filter(|((i, _), h)| !h.is_nan() && !plan.schedule_ended(*i, months)) {
            self.v[*i] = *held;
        }
        for (slot, &i) in inputs.iter_mut().zip(&plan.reported) {
            *slot = self.v[i];
        }
        for (&(k, _), sum) in plan.averaged.iter().zip(&self.sums) {
            inputs[k] = sum / f64::from(months);
        }
        s
    }
}

/// A month's flows, for the run's totals.
struct Flows {
    new: f64,
    spend: f64,
    churned: f64,
    variable: f64,
    mrr: f64,
    profit: f64,
    funding: f64,
}

/// Whether each funding round of run `run` arrives: its probability (the
/// stress's from the stress's first month) against the round's own stream.
fn funding_paid(sc: &Scenario, plan: &Plan, run: u64) -> Vec<bool> {
    sc.funding
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let p = match &plan.stress {
                Some(st) if r.month >= st.from => st.funding[j],
                _ => r.probability,
            };
            p >= 1.0 || (p > 0.0 && unit(&mut stream(sc.seed, run, r.key)) < p)
        })
        .collect()
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
