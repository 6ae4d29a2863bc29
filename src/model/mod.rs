//! One simulated future: the monthly equations of docs/model.md.
//!
//! [`simulate_run`] takes the scenario, the seed and the run index and
//! writes that run's monthly path ([`Month`] by month) and per-run summary
//! ([`RunSummary`]); the month step itself is in `run.rs`. All randomness comes
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

use crate::sampling::Sampler;
use crate::scenario::{InputId, Op, Per, Scenario, Stress, Target};

mod draws;
pub mod metrics;
mod paths;
mod run;
mod tier;
pub mod units;

pub use metrics::*;
pub use run::{simulate_run, simulate_runs};

/// Customers and expected arrivals are capped here (10^15, far beyond any
/// market) so that explosive growth inputs cannot overflow to infinity.
pub(crate) const MAX_CUSTOMERS: f64 = 1e15;

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
    /// Scheduled inputs and their later steps: (input, [(month, step input)]).
    schedules: Vec<(usize, Vec<(u32, usize)>)>,
    stress: Option<StressPlan>,
    /// Monthly metrics written: the first `plan_metrics` of [`METRICS`],
    /// then the per-segment ones, `n_monthly` in all (see [`Schema`]).
    pub(crate) plan_metrics: usize,
    pub(crate) n_monthly: usize,
    /// Rounds whose paid month is a per-run column after the inputs.
    funding_months: usize,
}

/// A [`Stress`] prepared for [`simulate_run`].
#[derive(Debug, Clone)]
struct StressPlan {
    from: u32,
    /// Patched inputs: (index, stream key, op).
    inputs: Vec<(usize, u64, Op)>,
    /// Each round's probability when it falls in month `from` or later.
    funding: Vec<f64>,
    /// Rounds whose written month the stress moves: (round, op).
    months: Vec<(usize, Op)>,
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
        let schema = sc.schema();
        let averaged = reported.iter().enumerate().filter(|&(_, &i)| per_month.iter().any(|p| p.0 == i) || monthly_patch(i)).map(|(k, &i)| (k, i)).collect();
        Plan {
            sampler: Sampler::new(sc, &per_run),
            per_month,
            fixed,
            reported,
            averaged,
            schedules: sc
                .inputs
                .iter()
                .enumerate()
                .filter(|(_, i)| !i.schedule.is_empty())
                .map(|(k, i)| (k, i.schedule.iter().map(|&(m, id)| (m, id.index())).collect()))
                .collect(),
            stress,
            plan_metrics: schema.plan_metrics,
            n_monthly: schema.n_monthly(),
            funding_months: schema.funding_months,
        }
    }

    /// Number of monthly metrics each run writes.
    pub fn n_monthly(&self) -> usize {
        self.n_monthly
    }

    /// Dotted paths of the per-run input columns, in the order
    /// [`simulate_run`] writes them.
    pub fn reported_paths(&self, sc: &Scenario) -> Vec<String> {
        let inputs = self.reported.iter().map(|&i| sc.inputs[i].path.clone());
        inputs.chain((0..self.funding_months).map(Schema::funding_month)).collect()
    }

    /// Number of per-run columns after the summary: the reported inputs,
    /// then a plan's `funding_month_N`.
    pub fn n_reported(&self) -> usize {
        self.reported.len() + self.funding_months
    }

    /// The column of round `j`'s paid month among those columns.
    pub(crate) fn funding_month_column(&self, j: usize) -> usize {
        self.reported.len() + j
    }

    /// The column of input `id` among the per-run input values, if reported.
    pub(crate) fn reported_column(&self, id: InputId) -> Option<usize> {
        self.reported.iter().position(|&i| i == id.index())
    }

    /// True when the stress has replaced scheduled input `input` (index)
    /// by month `t`: its later steps no longer apply.
    fn schedule_ended(&self, input: usize, t: u32) -> bool {
        self.stress.as_ref().is_some_and(|s| t >= s.from && s.unscheduled.contains(&input))
    }

    /// The value of input `id` in every run when it is not reported
    /// (fixed and not stressed).
    pub(crate) fn fixed_value(&self, id: InputId) -> f64 {
        self.fixed[id.index()]
    }
}

impl StressPlan {
    fn new(sc: &Scenario, st: &Stress) -> StressPlan {
        let funding = sc.funding.iter().map(|r| r.probability).collect();
        let mut plan = StressPlan { from: st.from(), inputs: vec![], funding, months: vec![], reference: None, unscheduled: vec![] };
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
                Target::FundingMonth(j) => plan.months.push((j, p.op.clone())),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_metric_names_and_values_share_one_order() {
        // The order docs/model.md §2 and the monthly table promise, by hand.
        let names = ["customers", "new_customers", "churned", "churn_rate", "accuracy", "mrr", "arr", "costs", "profit", "cash", "alive"];
        assert_eq!(&METRICS[..CLASSIC_METRICS], names);
        let plan = [
            "new_mrr",
            "expansion_mrr",
            "contraction_mrr",
            "churned_mrr",
            "revenue",
            "cogs",
            "gross_margin",
            "collected",
            "deferred_revenue",
            "burn",
            "headcount",
        ];
        assert_eq!(&METRICS[CLASSIC_METRICS..], plan);
        let month = Month {
            customers: 1.0,
            new_customers: 2.0,
            churned: 3.0,
            churn_rate: 4.0,
            accuracy: 5.0,
            mrr: 6.0,
            arr: 7.0,
            costs: 8.0,
            profit: 9.0,
            cash: 10.0,
            alive: 11.0,
            new_mrr: 12.0,
            expansion_mrr: 13.0,
            contraction_mrr: 14.0,
            churned_mrr: 15.0,
            revenue: 16.0,
            cogs: 17.0,
            gross_margin: 18.0,
            collected: 19.0,
            deferred_revenue: 20.0,
            burn: 21.0,
            headcount: 22.0,
        };
        assert_eq!(month.values(), std::array::from_fn(|i| (i + 1) as f64));
        assert_eq!(Month::from_values(month.values()), month);
        const COSTS: usize = metric_index("costs").unwrap();
        assert_eq!((COSTS, metric_index("alive"), metric_index("cost")), (7, Some(10), None));
    }
}
