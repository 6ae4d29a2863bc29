//! One run, month by month: [`simulate_run`] sets up a [`Run`], steps it
//! through the horizon with [`Run::month`] and writes each [`Month`] to the
//! block's paths.
//!
//! A month is a fixed sequence of named parts (docs/model.md): inputs in force
//! ([`Run::begin_month`]), growth factors, accuracy and its churn
//! multiplier, churn, acquisition, customers, revenue, costs, cash and
//! default, then the run's running totals ([`Run::tally`]).

use super::draws::Draws;
use super::tier::{Tier, TierInputs, TierMonth};
use super::{CLASSIC_METRICS, MAX_CUSTOMERS, Month, Plan, RunSummary, StressPlan};
use crate::accuracy;
use crate::counts::{self, unit};
use crate::dist::Dist;
use crate::rng::{Stream, stream};
use crate::scenario::{EventMonth, InputId, Link, Noise, OnDefault, Op, Per, Scenario, Segment, whole_month};
use rand_distr::Distribution;
use std::ops::Range;

/// Simulates runs `runs` of `sc` under `plan`, every run of the group
/// through a month before any goes on to the next, so that the month's
/// count draws (churn, arrivals) run side by side ([`Draws`]). A run's
/// numbers do not depend on the group it is simulated in.
///
/// The monthly values of the group's run `i` go to
/// `paths[(metric · months + month) · stride + r0 + i]` (column-major, so a
/// block's column for one (metric, month) is contiguous); `inputs` receives
/// the values of the reported inputs, `[run][input]` (for `per = "month"`
/// inputs: the average of the run's monthly values; for stressed ones: the
/// value in force at the horizon; for scheduled ones: the first step's
/// value, unless a stress replaced the schedule). An empty `paths` records
/// no months (for callers that read only the summaries and inputs).
pub fn simulate_runs(sc: &Scenario, plan: &Plan, runs: Range<u64>, paths: &mut [f64], stride: usize, r0: usize, inputs: &mut [f64]) -> Vec<RunSummary> {
    let h = sc.months as usize;
    let record = !paths.is_empty();
    debug_assert!(!record || paths.len() >= plan.n_monthly * h * stride);
    let mut states: Vec<Run> = runs.clone().map(|run| Run::start(sc, plan, run)).collect();
    let mut draws = Draws::new(sc, runs);
    let len = states.len();
    // The group's month, `[metric][run]`, copied into `paths` a row at a time.
    let mut tile = vec![0.0; if record { plan.n_monthly * len } else { 0 }];
    for t in 1..=sc.months {
        for st in &mut states {
            st.month_start(t);
        }
        draws.month(|i, k| states[i].draw(k));
        for (i, st) in states.iter_mut().enumerate() {
            let month = st.month_end(t, |k| draws.drawn(k, i));
            if record {
                st.record(&month, &mut tile, i, len);
            }
        }
        if record {
            for (m, row) in tile.chunks_exact(len).enumerate() {
                let at = (m * h + (t - 1) as usize) * stride + r0;
                super::paths::stream_copy(row, &mut paths[at..at + len]);
            }
        }
    }
    super::paths::stream_fence();
    let n_inputs = plan.n_reported();
    states.into_iter().enumerate().map(|(i, st)| st.finish(&mut inputs[i * n_inputs..(i + 1) * n_inputs])).collect()
}

/// Simulates run `run` alone (see [`simulate_runs`]; `r` is its place in
/// `paths`).
pub fn simulate_run(sc: &Scenario, plan: &Plan, run: u64, paths: &mut [f64], stride: usize, r: usize, inputs: &mut [f64]) -> RunSummary {
    simulate_runs(sc, plan, run..run + 1, paths, stride, r, inputs).pop().expect("one run")
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
/// since year 1); `lift` is this month's price-increase factor.
struct Growth {
    spend: f64,
    fixed: f64,
    price: f64,
    lift: f64,
}

/// What a month carries from before its count draws to after them.
#[derive(Default, Clone, Copy)]
struct Carry {
    /// The run has not stopped: the month goes on.
    live: bool,
    retrain_cost: f64,
    spend: f64,
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
    /// Each funding round's month and whether it arrives.
    rounds: Vec<(u32, bool)>,
    /// Each one-off cost's month.
    one_offs: Vec<u32>,
    /// Link parameters in force: reference accuracy and table scale.
    reference: f64,
    table_scale: f64,
    tiers: Vec<Tier<'a>>,
    /// This month's values per segment.
    tier_months: Vec<TierMonth>,
    /// This month's inputs per segment, and what else the month carries
    /// from before its count draws to after them.
    pending: Vec<TierInputs>,
    carry: Carry,
    team: Team,
    customers: f64,
    cash: f64,
    /// Prepaid revenue not yet recognised.
    deferred: f64,
    /// The run's accuracy after retraining, and this month's.
    acc0: f64,
    acc: f64,
    growth: Growth,
    s: RunSummary,
    totals: Totals,
    window: Window,
    /// Defaulted under `on_default = "stop"`: nothing happens any more.
    dead: bool,
    /// The breakeven candidate: its month and the profit summed since.
    stays: Option<(u32, f64)>,
    /// (customers, mrr) of the last month simulated.
    last: (f64, f64),
    /// MRR at the end of the previous month (month 0: the starting MRR).
    mrr_prev: f64,
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
        let (tiers, deferred) = start_tiers(sc, &v, run);
        let customers = tiers.iter().map(Tier::customers).sum();
        let mrr_prev = tiers.iter().map(Tier::mrr).sum();
        let acc0 = sc.accuracy.as_ref().map_or(1.0, |a| v[a.initial.index()]);
        let months = round_months(sc, plan, &v, 1);
        Run {
            sc,
            plan,
            run,
            cash: v[sc.start_cash.index()],
            customers,
            deferred,
            acc0,
            acc: acc0,
            held: vec![f64::NAN; plan.schedules.len()],
            sums: vec![0.0; plan.averaged.len()],
            rounds: funding_paid(sc, plan, run, &months),
            one_offs: sc.costs.one_off.iter().map(|(m, _)| event_month(*m, &v)).collect(),
            reference,
            table_scale,
            tier_months: if sc.segmented { vec![TierMonth::default(); tiers.len()] } else { vec![] },
            pending: vec![TierInputs::default(); tiers.len()],
            carry: Carry::default(),
            tiers,
            team: Team::new(sc.team.len()),
            growth: Growth { spend: 1.0, fixed: 1.0, price: 1.0, lift: 1.0 },
            s: RunSummary { min_cash: f64::INFINITY, ..RunSummary::default() },
            totals: Totals::default(),
            window: Window::new(sc.months),
            dead: false,
            stays: None,
            last: (0.0, 0.0),
            mrr_prev,
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

    /// Month `t` (1-based), in the order of docs/model.md, up to its
    /// count draws: inputs in force, growth, accuracy, marketing and each
    /// segment's inputs ([`Run::pending`]).
    #[inline(always)]
    fn month_start(&mut self, t: u32) {
        self.begin_month(t);
        if self.dead {
            self.carry = Carry::default();
            return;
        }
        self.grow(t);
        let (multiplier, retrain_cost) = self.accuracy(t);
        let (spend, paid_new) = self.marketing();
        // Churn acts on start-of-month customers.
        self.totals.exposure += self.customers;
        let sc = self.sc;
        let season = sc.acquisition.seasonality.as_ref().map(|s| s[((sc.start_month - 1 + t - 1) % 12) as usize]);
        for k in 0..self.tiers.len() {
            self.pending[k] = self.segment_inputs(k, multiplier, paid_new, season);
        }
        self.carry = Carry { live: true, retrain_cost, spend };
    }

    /// Segment `k`'s count draws this month (see [`Tier::draws`]); `None`
    /// once the run has stopped.
    #[inline(always)]
    fn draw(&self, k: usize) -> Option<(u64, f64, f64)> {
        self.carry.live.then(|| self.tiers[k].draws(&self.pending[k], (self.sc.churn.noise, self.sc.acquisition.noise)))
    }

    /// The rest of month `t`, given each segment's draws (`drawn(k)`:
    /// churned, arrivals): customers, revenue, costs, cash and default.
    #[inline(always)]
    fn month_end(&mut self, t: u32, drawn: impl Fn(usize) -> (f64, f64)) -> Month {
        if !self.carry.live {
            self.last = (0.0, 0.0);
            self.stays = None;
            self.tier_months.fill(TierMonth::default());
            return Month { accuracy: self.acc, cash: self.cash, ..Month::default() };
        }
        let Carry { spend, retrain_cost, .. } = self.carry;
        let book = self.segments(t, drawn);
        self.customers = book.customers;
        let revenue = book.mrr + book.overage;
        let (team, headcount) = self.team.month(self.sc, &self.v, t);
        let (cogs, costs) = self.costs(t, revenue, book.usage_cost, spend, retrain_cost, team);
        let profit = revenue - costs;
        let funding = self.funding(t);
        self.cash += (book.collected - costs) + funding;
        self.deferred += book.annual_cash - book.annual_mrr;
        let m = Month {
            customers: self.customers,
            accuracy: self.acc,
            costs,
            profit,
            cash: self.cash,
            deferred_revenue: self.deferred,
            headcount,
            ..book.month(revenue, cogs, costs, self.sc.extended)
        };
        if self.sc.extended {
            self.window.add(t, &m, self.mrr_prev);
        }
        self.tally(t, Flows { new: book.new, spend, churned: book.churned, variable: cogs, mrr: revenue, profit, funding });
        self.last = (self.customers, book.mrr);
        self.mrr_prev = book.mrr;
        Month { alive: if self.s.default_month.is_none() { 1.0 } else { 0.0 }, ..m }
    }

    /// Writes month `m` to `out` at `at` (its first metric's place), a
    /// metric every `step`.
    #[inline(always)]
    fn record(&self, m: &Month, out: &mut [f64], at: usize, step: usize) {
        let n = self.plan.plan_metrics;
        if n == CLASSIC_METRICS {
            // A classic file: a constant number of stores (the loop unrolls).
            for (j, x) in m.classic().into_iter().enumerate() {
                out[at + j * step] = x;
            }
        } else {
            for (j, x) in m.values().into_iter().enumerate().take(n) {
                out[at + j * step] = x;
            }
        }
        if self.plan.n_monthly > n {
            for (j, x) in self.segment_values().enumerate() {
                out[at + (n + j) * step] = x;
            }
        }
    }

    /// Every segment's month: the totals over segments.
    #[inline(always)]
    fn segments(&mut self, t: u32, drawn: impl Fn(usize) -> (f64, f64)) -> Book {
        let mut book = Book::default();
        if self.tiers.len() == 1 {
            // One segment (every classic file): no loop to carry.
            self.segment(0, t, drawn(0), &mut book);
            return book;
        }
        for k in 0..self.tiers.len() {
            self.segment(k, t, drawn(k), &mut book);
        }
        book.churn_rate = book.weighted_churn();
        book
    }

    /// Segment `k`'s inputs this month.
    #[inline(always)]
    fn segment_inputs(&self, k: usize, multiplier: f64, paid_new: f64, season: Option<f64>) -> TierInputs {
        let sc = self.sc;
        let seg = self.tiers[k].seg;
        let start = self.tiers[k].customers();
        let organic = self.x(seg.new) * self.tiers[k].organic;
        let organic = season.map_or(organic, |s| organic * s);
        let raw = organic + self.x(sc.acquisition.referral) * start + seg.paid_share * paid_new;
        // NaN (e.g. 0 × an overflowed growth factor) must reach the
        // aggregator's finite check; f64::min would turn it into the cap.
        let lambda = if raw.is_nan() { raw } else { raw.min(MAX_CUSTOMERS) };
        TierInputs {
            churn: (self.x(seg.churn) * multiplier).clamp(0.0, 1.0),
            lambda,
            price: self.x(seg.price),
            growth: self.growth.price,
            lift: self.growth.lift,
            expansion: seg.expansion.map_or(0.0, |e| self.x(e)),
            annual_share: seg.annual.as_ref().map_or(0.0, |a| self.x(a.share)),
            discount: seg.annual.as_ref().map_or(0.0, |a| self.x(a.discount)),
        }
    }

    /// Segment `k`'s month, given its draws, added to `book`.
    #[inline(always)]
    fn segment(&mut self, k: usize, t: u32, drawn: (f64, f64), book: &mut Book) {
        let sc = self.sc;
        let (seg, inputs) = (self.tiers[k].seg, self.pending[k]);
        let start = self.tiers[k].customers();
        let m = self.tiers[k].month(t, &inputs, drawn, (sc.churn.noise, sc.acquisition.noise), sc.extended);
        let (overage, usage_cost) = self.usage(seg, m.customers);
        book.add(&m, inputs.churn, start, overage, usage_cost, sc.extended);
        if sc.segmented {
            self.tier_months[k] = m;
        }
    }

    /// A segment's usage this month for `customers`: (overage revenue, usage cost).
    #[inline(always)]
    fn usage(&self, seg: &Segment, customers: f64) -> (f64, f64) {
        match (&self.sc.usage, &seg.usage) {
            (Some(u), Some(su)) => {
                let units = self.x(su.units);
                let over = (units - self.x(su.included)).max(0.0) / u.per * self.x(u.overage_price);
                (customers * over, customers * (units / u.per * self.x(u.cost)))
            }
            _ => (0.0, 0.0),
        }
    }

    /// Inputs in force for month `t`: a stress starting now, this month's
    /// per-month draws, schedule steps; adds the averaged inputs' values.
    #[inline(always)]
    fn begin_month(&mut self, t: u32) {
        if let Some(st) = self.plan.stress.as_ref().filter(|s| s.from == t && t > 1) {
            let before = self.sc.accuracy.as_ref().map(|a| self.v[a.initial.index()]);
            apply_patches(st, self.sc.seed, self.run, &mut self.v, &self.u, &mut self.draws);
            (self.reference, self.table_scale) = st.reference.unwrap_or((self.reference, self.table_scale));
            self.reschedule(t);
            if let (Some(a), Some(before)) = (&self.sc.accuracy, before) {
                // The run's accuracy changes; the drift so far is kept (and
                // a planned model change so far, by the stress's shift).
                let initial = self.v[a.initial.index()];
                if self.acc0 == before {
                    self.acc += initial - self.acc0;
                    self.acc0 = initial;
                } else {
                    self.acc += initial - before;
                    self.acc0 += initial - before;
                }
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

    /// Rounds and one-off costs still to come when a stress starts in month
    /// `t` take their stressed months (never earlier than `t`).
    fn reschedule(&mut self, t: u32) {
        let months = round_months(self.sc, self.plan, &self.v, t);
        for ((month, _), m) in self.rounds.iter_mut().zip(months) {
            if *month >= t {
                *month = m.max(t);
            }
        }
        for (month, (m, _)) in self.one_offs.iter_mut().zip(&self.sc.costs.one_off) {
            if *month >= t {
                *month = event_month(*m, &self.v).max(t);
            }
        }
    }

    /// Compounds the monthly growth rates from month 2 on, and the yearly
    /// price increase at the start of each year after the first.
    #[inline(always)]
    fn grow(&mut self, t: u32) {
        let sc = self.sc;
        if t > 1 {
            for k in 0..self.tiers.len() {
                self.tiers[k].organic *= 1.0 + self.x(self.tiers[k].seg.growth);
            }
            self.growth.fixed *= 1.0 + self.x(sc.costs.fixed_growth);
            if let Some(m) = &sc.acquisition.marketing {
                self.growth.spend *= 1.0 + self.x(m.spend_growth);
            }
        }
        self.growth.lift = 1.0;
        if year_starts(t) {
            self.growth.lift = 1.0 + self.x(sc.annual_increase);
            self.growth.price *= self.growth.lift;
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
        // A planned model change: from now on its level is the run's accuracy.
        if let Some(&(_, level)) = a.steps.iter().find(|(m, _)| *m == t) {
            self.acc0 = self.x(level);
            self.acc = self.acc0;
        }
        let multiplier = match &a.link {
            Link::Linear { elasticity } => accuracy::linear(self.acc, self.reference, self.x(*elasticity)),
            Link::Logistic { steepness } => accuracy::logistic(self.acc, self.reference, self.x(*steepness)),
            Link::Table { points, .. } => accuracy::table(self.acc, points, self.table_scale),
        };
        (multiplier, retrain_cost)
    }

    /// Marketing this month: (spend, expected paid arrivals).
    #[inline(always)]
    fn marketing(&mut self) -> (f64, f64) {
        let acq = &self.sc.acquisition;
        let spend = acq.marketing.as_ref().map_or(0.0, |m| self.x(m.spend) * self.growth.spend);
        let paid_new = acq.marketing.as_ref().map_or(0.0, |m| spend / self.x(m.cac));
        self.totals.paid += paid_new;
        (spend, paid_new)
    }

    /// The month's costs for end-of-month customers: (cost of revenue, all costs).
    #[inline(always)]
    fn costs(&self, t: u32, revenue: f64, usage_cost: f64, spend: f64, retrain_cost: f64, team: f64) -> (f64, f64) {
        let c = &self.sc.costs;
        let cogs = self.customers * self.x(c.per_customer) + self.x(c.revenue_share) * revenue + usage_cost;
        let one_off: f64 = c.one_off.iter().zip(&self.one_offs).filter(|(_, m)| **m == t).map(|((_, id), _)| self.x(*id)).sum();
        (cogs, self.x(c.fixed) * self.growth.fixed + cogs + spend + retrain_cost + one_off + team)
    }

    /// Funding that arrives in month `t`.
    #[inline(always)]
    fn funding(&self, t: u32) -> f64 {
        self.sc.funding.iter().zip(&self.rounds).filter(|(_, (m, p))| *p && *m == t).map(|(r, _)| self.x(r.amount)).sum()
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
        self.window.investor_metrics(&mut s);
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
        // A plan's rounds: the month each paid, empty (NaN) if it did not.
        for (j, &(month, paid)) in self.rounds.iter().enumerate().take(inputs.len().saturating_sub(plan.reported.len())) {
            let stopped_before = self.sc.on_default == OnDefault::Stop && s.default_month.is_some_and(|d| d < month);
            inputs[plan.funding_month_column(j)] = if paid && month <= months && !stopped_before { f64::from(month) } else { f64::NAN };
        }
        s
    }

    /// This month's per-segment values, in [`crate::model::SEGMENT_METRICS`] order.
    fn segment_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.tier_months.iter().flat_map(|m| [m.customers, m.mrr, m.new, m.churned])
    }
}

/// Each segment at month 0 (customers rounded to whole ones under binomial
/// churn), and the prepaid revenue its annual customers have not used.
fn start_tiers<'a>(sc: &'a Scenario, v: &[f64], run: u64) -> (Vec<Tier<'a>>, f64) {
    let whole = |x: f64| if sc.churn.noise == Noise::Random { counts::round_nonneg(x.max(0.0)) } else { x };
    let mut deferred = 0.0;
    let tiers = sc
        .segments
        .iter()
        .map(|seg| {
            let customers = whole(v[seg.customers.index()]);
            let annual = seg.customers_annual.map_or(0.0, |a| whole(v[a.index()]).min(customers));
            let list = v[seg.price.index()];
            let annual_price = seg.annual.as_ref().map_or(list, |a| list * (1.0 - v[a.discount.index()]));
            let (tier, d) = Tier::start(seg, sc.seed, run, customers, annual, annual_price, list);
            deferred += d;
            tier
        })
        .collect();
    (tiers, deferred)
}

/// Whether month `t` starts a year after the first (13, 25, …): when
/// yearly price increases and raises apply.
fn year_starts(t: u32) -> bool {
    t > 12 && (t - 1) % 12 == 0
}

/// A drawn or written event month.
fn event_month(m: EventMonth, v: &[f64]) -> u32 {
    match m {
        EventMonth::Fixed(m) => m,
        EventMonth::Drawn(id) => whole_month(v[id.index()]),
    }
}

/// Each round's month in force from month `from`: as written or drawn, then
/// moved by a stress on `funding.N.month` that starts by then.
fn round_months(sc: &Scenario, plan: &Plan, v: &[f64], from: u32) -> Vec<u32> {
    sc.funding
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let m = event_month(r.month, v);
            match plan.stress.as_ref().filter(|st| st.from <= from && m >= st.from).and_then(|st| st.months.iter().find(|(k, _)| *k == j)) {
                Some((_, op)) => whole_month(op.apply(f64::from(m))),
                None => m,
            }
        })
        .collect()
}

/// The month's totals over segments.
#[derive(Default)]
struct Book {
    customers: f64,
    churned: f64,
    new: f64,
    mrr: f64,
    new_mrr: f64,
    expansion_mrr: f64,
    contraction_mrr: f64,
    churned_mrr: f64,
    overage: f64,
    usage_cost: f64,
    collected: f64,
    annual_cash: f64,
    annual_mrr: f64,
    /// One segment's churn probability; with several, Σ c·start (then
    /// weighted by `start`).
    churn_rate: f64,
    start: f64,
    weighted: f64,
}

impl Book {
    #[inline(always)]
    fn add(&mut self, m: &TierMonth, churn: f64, start: f64, overage: f64, usage_cost: f64, extended: bool) {
        self.customers += m.customers;
        self.churned += m.churned;
        self.new += m.new;
        self.mrr += m.mrr;
        self.churn_rate = churn;
        self.start += start;
        self.weighted += churn * start;
        self.collected += (m.mrr - m.annual_mrr) + overage + m.annual_cash;
        if !extended {
            return;
        }
        self.new_mrr += m.new_mrr;
        // A residual below rounding is no movement.
        let moved = if m.moved_mrr.abs() <= 1e-9 * m.mrr.abs() { 0.0 } else { m.moved_mrr };
        self.expansion_mrr += moved.max(0.0);
        self.contraction_mrr += (-moved).max(0.0);
        self.churned_mrr += m.churned_mrr;
        self.overage += overage;
        self.usage_cost += usage_cost;
        self.annual_cash += m.annual_cash;
        self.annual_mrr += m.annual_mrr;
    }
}

impl Book {
    /// With several segments: the churn probability weighted by each
    /// segment's start-of-month customers.
    fn weighted_churn(&self) -> f64 {
        if self.start > 0.0 { self.weighted / self.start } else { 0.0 }
    }

    /// The month's flows and revenue (the rest is filled by the caller).
    #[inline(always)]
    fn month(&self, revenue: f64, cogs: f64, costs: f64, extended: bool) -> Month {
        let classic =
            Month { new_customers: self.new, churned: self.churned, churn_rate: self.churn_rate, mrr: self.mrr, arr: 12.0 * self.mrr, ..Month::default() };
        if !extended {
            return classic;
        }
        Month {
            new_customers: self.new,
            churned: self.churned,
            churn_rate: self.churn_rate,
            mrr: self.mrr,
            arr: 12.0 * self.mrr,
            new_mrr: self.new_mrr,
            expansion_mrr: self.expansion_mrr,
            contraction_mrr: self.contraction_mrr,
            churned_mrr: self.churned_mrr,
            revenue,
            cogs,
            gross_margin: if revenue > 0.0 { 1.0 - cogs / revenue } else { 0.0 },
            collected: self.collected,
            burn: costs - self.collected,
            ..Month::default()
        }
    }
}

/// The team's headcount and raises by role.
struct Team {
    /// Each role's people last month.
    heads: Vec<f64>,
    /// Each role's compounded yearly raises.
    raises: Vec<f64>,
}

impl Team {
    fn new(roles: usize) -> Team {
        Team { heads: vec![0.0; roles], raises: vec![1.0; roles] }
    }

    /// Month `t`'s payroll and hiring costs, and its headcount. The month-1
    /// team is the starting team: hiring costs start with month 2.
    #[inline(always)]
    fn month(&mut self, sc: &Scenario, v: &[f64], t: u32) -> (f64, f64) {
        let (mut cost, mut heads) = (0.0, 0.0);
        for (k, role) in sc.team.iter().enumerate() {
            let n = counts::round_nonneg(v[role.count.index()].max(0.0));
            if year_starts(t) {
                self.raises[k] *= 1.0 + v[role.raise.index()];
            }
            let before = if t == 1 { n } else { self.heads[k] };
            cost += n * v[role.salary.index()] * self.raises[k] + v[role.hire_cost.index()] * (n - before).max(0.0);
            self.heads[k] = n;
            heads += n;
        }
        (cost, heads)
    }
}

/// The last 12 months of the horizon (all of it when shorter), summed for
/// the investor metrics (docs/model.md, "Investor metrics").
struct Window {
    /// First month of the window.
    from: u32,
    nrr: f64,
    grr: f64,
    /// Months with revenue at their start (the ratios are defined).
    retained: u32,
    /// Months of the window the company was alive.
    months: u32,
    revenue: f64,
    cogs: f64,
    burn: f64,
    gained: f64,
    lost: f64,
    /// MRR before the window, and at its end.
    mrr_before: f64,
    mrr_end: f64,
}

impl Window {
    fn new(months: u32) -> Window {
        let from = months.saturating_sub(12) + 1;
        Window { from, nrr: 1.0, grr: 1.0, retained: 0, months: 0, revenue: 0.0, cogs: 0.0, burn: 0.0, gained: 0.0, lost: 0.0, mrr_before: 0.0, mrr_end: 0.0 }
    }

    #[inline(always)]
    fn add(&mut self, t: u32, m: &Month, mrr_prev: f64) {
        if t < self.from {
            return;
        }
        if self.months == 0 {
            self.mrr_before = mrr_prev;
        }
        self.months += 1;
        if mrr_prev > 0.0 {
            self.nrr *= 1.0 + (m.expansion_mrr - m.contraction_mrr - m.churned_mrr) / mrr_prev;
            self.grr *= 1.0 - (m.contraction_mrr + m.churned_mrr) / mrr_prev;
            self.retained += 1;
        }
        self.revenue += m.revenue;
        self.cogs += m.cogs;
        self.burn += m.burn;
        self.gained += m.new_mrr + m.expansion_mrr;
        self.lost += m.churned_mrr + m.contraction_mrr;
        self.mrr_end = m.mrr;
    }

    /// NRR, GRR, gross margin, burn multiple and quick ratio into `s`.
    fn investor_metrics(&self, s: &mut RunSummary) {
        // A run that stopped before the window has none of them.
        if self.months == 0 {
            return;
        }
        let finite = |x: f64| Some(x).filter(|x| x.is_finite());
        (s.nrr, s.grr) = if self.retained > 0 { (finite(self.nrr), finite(self.grr)) } else { (None, None) };
        s.gross_margin = (self.revenue > 0.0).then(|| 1.0 - self.cogs / self.revenue).and_then(finite);
        let net_new_arr = 12.0 * (self.mrr_end - self.mrr_before);
        s.burn_multiple = if self.burn <= 0.0 { Some(0.0) } else { (net_new_arr > 0.0).then(|| self.burn / net_new_arr).and_then(finite) };
        s.quick_ratio = (self.lost > 0.0).then(|| self.gained / self.lost).and_then(finite);
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
fn funding_paid(sc: &Scenario, plan: &Plan, run: u64, months: &[u32]) -> Vec<(u32, bool)> {
    sc.funding
        .iter()
        .zip(months)
        .enumerate()
        .map(|(j, (r, &month))| {
            let p = match &plan.stress {
                Some(st) if month >= st.from => st.funding[j],
                _ => r.probability,
            };
            (month, p >= 1.0 || (p > 0.0 && unit(&mut stream(sc.seed, run, r.key)) < p))
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
