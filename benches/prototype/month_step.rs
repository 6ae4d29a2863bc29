//! The month step specialised to one plan's shape, two ways: a measurement
//! of the "state as arrays" lever, not the engine.
//!
//! The engine steps a group of runs through each month together, but each
//! run keeps its own state (`src/model/run.rs`: heap vectors of inputs,
//! segments and rounds) and goes through the month's general equations on
//! its own, every option of the scenario checked again in every run-month.
//! Both versions here write the same monthly paths and summaries from the
//! same streams, with the equations specialised to `saas-baseline`'s shape:
//!
//! - [`arrays_group`]: structure of arrays, one array per quantity and
//!   each equation a loop over the group's runs;
//! - [`structs_group`]: array of structures, one small struct per run
//!   (its state and its inputs), the run's equations in one pass.
//!
//! They cover only the unstressed plans [`check`] accepts, shaped like
//! `saas-baseline`; the bench asserts that both write the engine's monthly
//! paths and summaries bit for bit before timing them.

use rand_distr::Distribution;
use runway::counts::lanes::{self, Streams};
use runway::model::{CLASSIC_METRICS, RunSummary};
use runway::rng::stream;
use runway::scenario::{InputId, Link, Noise, OnDefault, Per, Sampling, Scenario};
use std::ops::Range;

/// The cap on customers and arrivals (the engine's `MAX_CUSTOMERS`).
const MAX_CUSTOMERS: f64 = 1e15;

/// A feature the prototypes need, and whether a scenario has it.
type Need = (&'static str, fn(&Scenario) -> bool);

/// `Ok` when the prototypes cover `sc` (unstressed); else the first
/// feature of the plan they lack.
pub fn check(sc: &Scenario) -> Result<(), String> {
    // In order: a test may rely on those before it (one segment first).
    let needs: [Need; 11] = [
        ("one segment", |sc| sc.segments.len() == 1),
        ("monthly billing only, without expansion or usage", |sc| {
            sc.segments[0].annual.is_none() && sc.segments[0].expansion.is_none() && sc.segments[0].usage.is_none()
        }),
        ("the classic metrics", |sc| !sc.extended && sc.schema().n_monthly() == CLASSIC_METRICS),
        ("no team", |sc| sc.team.is_empty()),
        ("no funding rounds or one-off costs", |sc| sc.funding.is_empty() && sc.costs.one_off.is_empty()),
        ("no marketing or seasonality", |sc| sc.acquisition.marketing.is_none() && sc.acquisition.seasonality.is_none()),
        ("per-run inputs without schedules", |sc| sc.inputs.iter().all(|i| i.schedule.is_empty() && i.per == Per::Run)),
        ("independent sampling", |sc| sc.sampling == Sampling::Random && sc.correlation.is_none()),
        ("on_default = \"continue\"", |sc| sc.on_default == OnDefault::Continue),
        ("binomial churn and Poisson arrivals", |sc| sc.churn.noise == Noise::Random && sc.acquisition.noise == Noise::Random),
        ("a linear accuracy link without retraining or steps", |sc| {
            sc.accuracy.as_ref().is_some_and(|a| matches!(a.link, Link::Linear { .. }) && a.retrain.is_none() && a.steps.is_empty())
        }),
    ];
    match needs.iter().find(|(_, holds)| !holds(sc)) {
        Some((what, _)) => Err(format!("the month-step prototypes need {what}; `{}` has not", sc.name)),
        None => Ok(()),
    }
}

/// Each input's value in every run of the group, `[input][run]`, drawn as
/// the engine draws them under independent sampling (fixed inputs are not
/// drawn: their support is one value).
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

/// The inputs a month reads, for one run or (as slices) for the group.
struct Ids {
    churn: InputId,
    new: InputId,
    growth: InputId,
    referral: InputId,
    price: InputId,
    annual_increase: InputId,
    per_customer: InputId,
    revenue_share: InputId,
    fixed: InputId,
    fixed_growth: InputId,
    drift: InputId,
    elasticity: InputId,
    reference: f64,
}

impl Ids {
    fn of(sc: &Scenario) -> Ids {
        let (seg, costs) = (&sc.segments[0], &sc.costs);
        let a = sc.accuracy.as_ref().expect("checked: accuracy");
        let Link::Linear { elasticity } = a.link else { unreachable!("checked: a linear link") };
        Ids {
            churn: seg.churn,
            new: seg.new,
            growth: seg.growth,
            referral: sc.acquisition.referral,
            price: seg.price,
            annual_increase: sc.annual_increase,
            per_customer: costs.per_customer,
            revenue_share: costs.revenue_share,
            fixed: costs.fixed,
            fixed_growth: costs.fixed_growth,
            drift: a.drift,
            elasticity,
            reference: a.reference,
        }
    }
}

/// What the bench compares with the engine's [`RunSummary`], bit for bit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub default_month: Option<u32>,
    pub breakeven_month: Option<u32>,
    pub first_profit_month: Option<u32>,
    pub min_cash: f64,
    pub min_cash_month: u32,
    pub total_revenue: f64,
    pub total_profit: f64,
    pub final_cash: f64,
    pub final_customers: f64,
    pub final_mrr: f64,
    /// The unit economics' lifetime value, from the run's totals (the
    /// engine's formula: ARPA × margin ÷ churn).
    pub ltv: Option<f64>,
}

impl Summary {
    /// The same fields of the engine's summary.
    pub fn of(s: &RunSummary) -> Summary {
        Summary {
            default_month: s.default_month,
            breakeven_month: s.breakeven_month,
            first_profit_month: s.first_profit_month,
            min_cash: s.min_cash,
            min_cash_month: s.min_cash_month,
            total_revenue: s.total_revenue,
            total_profit: s.total_profit,
            final_cash: s.final_cash,
            final_customers: s.final_customers,
            final_mrr: s.final_mrr,
            ltv: s.ltv,
        }
    }

    /// Equal to the bit (NaN included).
    pub fn same(&self, other: &Summary) -> bool {
        let bits = |s: &Summary| {
            let f = [s.min_cash, s.total_revenue, s.total_profit, s.final_cash, s.final_customers, s.final_mrr, s.ltv.unwrap_or(f64::NAN)].map(f64::to_bits);
            (s.default_month, s.breakeven_month, s.first_profit_month, s.min_cash_month, s.ltv.is_some(), f)
        };
        bits(self) == bits(other)
    }
}

/// A run's flows summed over its months, for its lifetime value.
#[derive(Clone, Copy, Default)]
struct Totals {
    churned: f64,
    customer_months: f64,
    variable_costs: f64,
    /// Start-of-month customers summed: the exposure to churn.
    exposure: f64,
}

impl Totals {
    /// ARPA × margin ÷ churn, where each is positive (docs/model.md, "Unit
    /// economics"), in the engine's order of operations.
    fn ltv(&self, total_revenue: f64) -> Option<f64> {
        let positive = |x: f64| (x > 0.0 && x.is_finite()).then_some(x);
        let arpa = positive(self.customer_months).map(|cm| total_revenue / cm);
        let margin = positive(total_revenue).map(|r| (r - self.variable_costs) / r);
        let churn = positive(self.exposure).map(|e| self.churned / e).and_then(positive);
        arpa.zip(margin).map(|(a, g)| a * g).zip(churn).map(|(u, c)| u / c)
    }
}

/// A run's default, breakeven, first profitable month and lowest cash so far.
#[derive(Clone, Copy)]
struct Marks {
    default_month: Option<u32>,
    /// The breakeven candidate: its month and the profit summed since.
    stays: Option<(u32, f64)>,
    first_profit_month: Option<u32>,
    min_cash: f64,
    min_cash_month: u32,
}

impl Marks {
    const START: Marks = Marks { default_month: None, stays: None, first_profit_month: None, min_cash: f64::INFINITY, min_cash_month: 0 };

    /// Month `t` with its end-of-month cash, MRR and profit.
    #[inline(always)]
    fn month(&mut self, t: u32, cash: f64, mrr: f64, profit: f64) {
        if cash < 0.0 && self.default_month.is_none() {
            self.default_month = Some(t);
        }
        self.stays = match self.stays {
            Some((m, sum)) => Some((m, sum + profit)).filter(|&(_, s)| s >= 0.0),
            None => (mrr > 0.0 && profit >= 0.0).then_some((t, profit)),
        };
        if mrr > 0.0 && profit >= 0.0 {
            self.first_profit_month.get_or_insert(t);
        }
        if cash < self.min_cash {
            (self.min_cash, self.min_cash_month) = (cash, t);
        }
    }
}

/// Whether month `t` starts a year after the first (13, 25, …).
fn year_starts(t: u32) -> bool {
    t > 12 && (t - 1) % 12 == 0
}

/// The group's churn and arrival streams, and this month's draws.
struct Counts {
    churn: Streams,
    arrivals: Streams,
    n: Vec<u64>,
    p: Vec<f64>,
    lambda: Vec<f64>,
    churned: Vec<u64>,
    new: Vec<f64>,
}

impl Counts {
    fn new(sc: &Scenario, runs: Range<u64>) -> Counts {
        let len = (runs.end - runs.start) as usize;
        let keys = sc.segments[0].keys;
        let streams = |key: u64| runs.clone().map(|run| stream(sc.seed, run, key)).collect::<Streams>();
        Counts {
            churn: streams(keys.churn),
            arrivals: streams(keys.new),
            n: vec![0; len],
            p: vec![0.0; len],
            lambda: vec![0.0; len],
            churned: vec![0; len],
            new: vec![0.0; len],
        }
    }

    /// Draws the month from `n`, `p` and `lambda`.
    fn draw(&mut self) {
        lanes::binomial_each(&mut self.churn, &self.n, &self.p, &mut self.churned);
        lanes::poisson_each(&mut self.arrivals, &self.lambda, &mut self.new);
    }

    /// Run `i`'s churned customers and arrivals (a NaN mean arrives as is).
    #[inline(always)]
    fn drawn(&self, i: usize) -> (f64, f64) {
        (self.churned[i] as f64, if self.lambda[i].is_nan() { self.lambda[i] } else { self.new[i] })
    }
}

/// Copies the month's values, `[metric][run]`, into the paths' rows for
/// month `t` (`[metric][month][run]`, `stride` runs a row, the group's
/// first run at `r0`).
fn write_rows(tile: &[Vec<f64>], paths: &mut [f64], months: usize, t: u32, stride: usize, r0: usize) {
    for (m, row) in tile.iter().enumerate() {
        let at = (m * months + (t - 1) as usize) * stride + r0;
        paths[at..at + row.len()].copy_from_slice(row);
    }
}

/// Structure of arrays: simulates runs `runs`, writes their monthly values
/// to `paths` as the engine does and returns their summaries.
pub fn arrays_group(sc: &Scenario, runs: Range<u64>, paths: &mut [f64], stride: usize, r0: usize) -> Vec<Summary> {
    let mut g = Arrays::start(sc, runs.clone());
    let mut counts = Counts::new(sc, runs);
    let mut tile = vec![vec![0.0; g.len]; CLASSIC_METRICS];
    for t in 1..=sc.months {
        g.month_start(t, &mut counts);
        counts.draw();
        g.month_end(t, &counts, &mut tile);
        write_rows(&tile, paths, sc.months as usize, t, stride, r0);
    }
    g.summaries()
}

/// A group's state and inputs, one array per quantity, `[run]`.
struct Arrays {
    len: usize,
    v: Vec<Vec<f64>>,
    ids: Ids,
    customers: Vec<f64>,
    cash: Vec<f64>,
    accuracy: Vec<f64>,
    /// Compounded growth of the organic flow, the fixed costs and the price.
    organic: Vec<f64>,
    fixed_growth: Vec<f64>,
    price_growth: Vec<f64>,
    marks: Vec<Marks>,
    totals: Vec<Totals>,
    revenue: Vec<f64>,
    profit: Vec<f64>,
    last_mrr: Vec<f64>,
}

impl Arrays {
    fn start(sc: &Scenario, runs: Range<u64>) -> Arrays {
        let len = (runs.end - runs.start) as usize;
        let v = inputs(sc, runs);
        let of = |id: InputId| v[id.index()].clone();
        let a = sc.accuracy.as_ref().expect("checked: accuracy");
        Arrays {
            len,
            customers: v[sc.segments[0].customers.index()].iter().map(|&c| round_nonneg(c.max(0.0))).collect(),
            cash: of(sc.start_cash),
            accuracy: of(a.initial),
            organic: vec![1.0; len],
            fixed_growth: vec![1.0; len],
            price_growth: vec![1.0; len],
            marks: vec![Marks::START; len],
            totals: vec![Totals::default(); len],
            revenue: vec![0.0; len],
            profit: vec![0.0; len],
            last_mrr: vec![0.0; len],
            ids: Ids::of(sc),
            v,
        }
    }

    /// Growth, accuracy and the count draws' parameters of month `t`.
    fn month_start(&mut self, t: u32, counts: &mut Counts) {
        let x = |id: InputId| self.v[id.index()].as_slice();
        let ids = &self.ids;
        if t > 1 {
            for ((organic, fixed), (g, fg)) in self.organic.iter_mut().zip(&mut self.fixed_growth).zip(x(ids.growth).iter().zip(x(ids.fixed_growth))) {
                *organic *= 1.0 + g;
                *fixed *= 1.0 + fg;
            }
        }
        if year_starts(t) {
            for (price, increase) in self.price_growth.iter_mut().zip(x(ids.annual_increase)) {
                *price *= 1.0 + increase;
            }
        }
        let (drift, elasticity, churn, new, referral) = (x(ids.drift), x(ids.elasticity), x(ids.churn), x(ids.new), x(ids.referral));
        for i in 0..self.len {
            self.accuracy[i] = (self.accuracy[i] - drift[i]).max(0.0);
            let multiplier = (1.0 + elasticity[i] * (ids.reference - self.accuracy[i])).max(0.0);
            let start = self.customers[i];
            self.totals[i].exposure += start;
            let raw = new[i] * self.organic[i] + referral[i] * start;
            counts.lambda[i] = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
            counts.p[i] = (churn[i] * multiplier).clamp(0.0, 1.0);
            counts.n[i] = round_nonneg(start) as u64;
        }
    }

    /// Customers, revenue, costs and cash of month `t` into `tile`
    /// (`[metric][run]`), and the runs' marks and totals.
    fn month_end(&mut self, t: u32, counts: &Counts, tile: &mut [Vec<f64>]) {
        let x = |id: InputId| self.v[id.index()].as_slice();
        let ids = &self.ids;
        let (price, per_customer, revenue_share, fixed) = (x(ids.price), x(ids.per_customer), x(ids.revenue_share), x(ids.fixed));
        let [customers, arrivals, gone, rate, accuracy, mrr, arr, costs, profit, cash, alive] = tile else { unreachable!("the classic metrics") };
        for i in 0..self.len {
            let (lost, arrived) = counts.drawn(i);
            let next = self.customers[i] - lost + arrived;
            self.customers[i] = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
            let c = self.customers[i];
            let m = c * price[i] * self.price_growth[i];
            // The engine adds the plan's absent parts as zeros; an exact zero
            // changes none of these sums (none of them can be −0.0).
            let cogs = c * per_customer[i] + revenue_share[i] * m;
            let cost = fixed[i] * self.fixed_growth[i] + cogs;
            self.cash[i] += m - cost;
            (customers[i], arrivals[i], gone[i], rate[i], accuracy[i]) = (c, arrived, lost, counts.p[i], self.accuracy[i]);
            (mrr[i], arr[i], costs[i], profit[i], cash[i]) = (m, 12.0 * m, cost, m - cost, self.cash[i]);
            let totals = &mut self.totals[i];
            (totals.churned, totals.customer_months, totals.variable_costs) = (totals.churned + lost, totals.customer_months + c, totals.variable_costs + cogs);
            self.revenue[i] += m;
            self.profit[i] += m - cost;
            self.last_mrr[i] = m;
        }
        for i in 0..self.len {
            self.marks[i].month(t, cash[i], mrr[i], profit[i]);
            alive[i] = if self.marks[i].default_month.is_none() { 1.0 } else { 0.0 };
        }
    }

    fn summaries(&self) -> Vec<Summary> {
        (0..self.len)
            .map(|i| summary(&self.marks[i], &self.totals[i], self.revenue[i], self.profit[i], self.cash[i], self.customers[i], self.last_mrr[i]))
            .collect()
    }
}

/// A run's summary from its marks, totals and last month.
fn summary(marks: &Marks, totals: &Totals, revenue: f64, profit: f64, cash: f64, customers: f64, mrr: f64) -> Summary {
    Summary {
        default_month: marks.default_month,
        breakeven_month: marks.stays.map(|(m, _)| m),
        first_profit_month: marks.first_profit_month,
        min_cash: marks.min_cash,
        min_cash_month: marks.min_cash_month,
        total_revenue: revenue,
        total_profit: profit,
        final_cash: cash,
        final_customers: customers,
        final_mrr: mrr,
        ltv: totals.ltv(revenue),
    }
}

/// One run's state and inputs, for [`structs_group`].
#[derive(Clone, Copy)]
struct RunState {
    customers: f64,
    cash: f64,
    accuracy: f64,
    organic: f64,
    fixed_growth: f64,
    price_growth: f64,
    marks: Marks,
    totals: Totals,
    revenue: f64,
    profit: f64,
    last_mrr: f64,
    x: RunInputs,
}

/// One run's values of the inputs a month reads.
#[derive(Clone, Copy)]
struct RunInputs {
    churn: f64,
    new: f64,
    growth: f64,
    referral: f64,
    price: f64,
    annual_increase: f64,
    per_customer: f64,
    revenue_share: f64,
    fixed: f64,
    fixed_growth: f64,
    drift: f64,
    elasticity: f64,
    reference: f64,
}

/// Array of structures: [`arrays_group`] with each run's state and inputs
/// in one struct, the layout the engine has, but its equations specialised
/// as there.
pub fn structs_group(sc: &Scenario, runs: Range<u64>, paths: &mut [f64], stride: usize, r0: usize) -> Vec<Summary> {
    let (v, ids) = (inputs(sc, runs.clone()), Ids::of(sc));
    let mut group: Vec<RunState> = (0..(runs.end - runs.start) as usize).map(|i| RunState::start(sc, &ids, &v, i)).collect();
    let mut counts = Counts::new(sc, runs);
    let mut tile = vec![vec![0.0; group.len()]; CLASSIC_METRICS];
    for t in 1..=sc.months {
        for (i, run) in group.iter_mut().enumerate() {
            (counts.n[i], counts.p[i], counts.lambda[i]) = run.month_start(t);
        }
        counts.draw();
        for (i, run) in group.iter_mut().enumerate() {
            let values = run.month_end(t, counts.drawn(i), counts.p[i]);
            for (row, value) in tile.iter_mut().zip(values) {
                row[i] = value;
            }
        }
        write_rows(&tile, paths, sc.months as usize, t, stride, r0);
    }
    group.iter().map(|r| summary(&r.marks, &r.totals, r.revenue, r.profit, r.cash, r.customers, r.last_mrr)).collect()
}

impl RunState {
    /// Run `i` of the group at month 0, from the group's inputs `v`.
    fn start(sc: &Scenario, ids: &Ids, v: &[Vec<f64>], i: usize) -> RunState {
        let x = |id: InputId| v[id.index()][i];
        let a = sc.accuracy.as_ref().expect("checked: accuracy");
        RunState {
            customers: round_nonneg(x(sc.segments[0].customers).max(0.0)),
            cash: x(sc.start_cash),
            accuracy: x(a.initial),
            organic: 1.0,
            fixed_growth: 1.0,
            price_growth: 1.0,
            marks: Marks::START,
            totals: Totals::default(),
            revenue: 0.0,
            profit: 0.0,
            last_mrr: 0.0,
            x: RunInputs {
                churn: x(ids.churn),
                new: x(ids.new),
                growth: x(ids.growth),
                referral: x(ids.referral),
                price: x(ids.price),
                annual_increase: x(ids.annual_increase),
                per_customer: x(ids.per_customer),
                revenue_share: x(ids.revenue_share),
                fixed: x(ids.fixed),
                fixed_growth: x(ids.fixed_growth),
                drift: x(ids.drift),
                elasticity: x(ids.elasticity),
                reference: ids.reference,
            },
        }
    }

    /// Growth and accuracy of month `t`: the count draws' `(n, p, λ)`.
    #[inline(always)]
    fn month_start(&mut self, t: u32) -> (u64, f64, f64) {
        let x = self.x;
        if t > 1 {
            self.organic *= 1.0 + x.growth;
            self.fixed_growth *= 1.0 + x.fixed_growth;
        }
        if year_starts(t) {
            self.price_growth *= 1.0 + x.annual_increase;
        }
        self.accuracy = (self.accuracy - x.drift).max(0.0);
        let multiplier = (1.0 + x.elasticity * (x.reference - self.accuracy)).max(0.0);
        let start = self.customers;
        self.totals.exposure += start;
        let raw = x.new * self.organic + x.referral * start;
        let lambda = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
        (round_nonneg(start) as u64, (x.churn * multiplier).clamp(0.0, 1.0), lambda)
    }

    /// The rest of month `t` given its draws (churned, arrivals) and churn
    /// probability `p`: the month's classic values.
    #[inline(always)]
    fn month_end(&mut self, t: u32, (lost, arrived): (f64, f64), p: f64) -> [f64; CLASSIC_METRICS] {
        let x = self.x;
        let next = self.customers - lost + arrived;
        self.customers = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
        let c = self.customers;
        let m = c * x.price * self.price_growth;
        let cogs = c * x.per_customer + x.revenue_share * m;
        let cost = x.fixed * self.fixed_growth + cogs;
        let profit = m - cost;
        self.cash += m - cost;
        self.marks.month(t, self.cash, m, profit);
        let totals = &mut self.totals;
        (totals.churned, totals.customer_months, totals.variable_costs) = (totals.churned + lost, totals.customer_months + c, totals.variable_costs + cogs);
        self.revenue += m;
        self.profit += profit;
        self.last_mrr = m;
        let alive = if self.marks.default_month.is_none() { 1.0 } else { 0.0 };
        [c, arrived, lost, p, self.accuracy, m, 12.0 * m, cost, profit, self.cash, alive]
    }
}
