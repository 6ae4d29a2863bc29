//! The plan at one point: a single run with every input fixed and no
//! noise — the one path a spreadsheet shows. Used for the month-1 profit
//! and loss under `runway run`'s headline (inputs at their medians) and the
//! report's "plan on its averages" (inputs at the means of their draws).
//!
//! Medians and 5–95% ranges of inputs are exact: the quantile function of
//! the input's distribution ([`Dist::quantile`], truncation included; the
//! generalised inverse `inf{x : F(x) ≥ p}` for discrete and empirical ones).

use crate::dist::Dist;
use crate::model::{self, Month, Plan};
use crate::scenario::{InputId, Noise, Per, Scenario};

/// Quantiles at `probs` of `dist`, exact ([`Dist::quantile`]).
pub fn quantiles(dist: &Dist, probs: &[f64]) -> Vec<f64> {
    if let Some(v) = dist.as_fixed() {
        return vec![v; probs.len()];
    }
    probs.iter().map(|&p| dist.quantile(p)).collect()
}

/// An input as written and the range of its draws.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRange {
    pub path: String,
    /// The distribution, e.g. `beta(alpha = 15.32, beta = 367.68)`.
    pub label: String,
    /// Drawn every month (else once per run).
    pub per_month: bool,
    pub uncertain: bool,
    pub p5: f64,
    pub median: f64,
    pub p95: f64,
}

/// Every input of `sc` with its 5%, 50% and 95% quantiles (see [`quantiles`]).
pub fn describe(sc: &Scenario) -> Vec<InputRange> {
    sc.inputs
        .iter()
        .map(|input| {
            let q = quantiles(&input.dist, &[0.05, 0.5, 0.95]);
            InputRange {
                path: input.path.clone(),
                label: input.dist.label().to_string(),
                per_month: input.per == Per::Month,
                uncertain: input.is_uncertain(),
                p5: q[0],
                median: q[1],
                p95: q[2],
            }
        })
        .collect()
}

/// `sc` with every input fixed at `value(input)`, drawn once per run,
/// churn and arrivals at their expected values, one run, no stresses or
/// assertions.
pub(crate) fn fixed_at(sc: &Scenario, value: impl Fn(InputId) -> f64) -> anyhow::Result<Scenario> {
    let mut d = sc.clone();
    d.runs = 1;
    d.stresses.clear();
    d.asserts.clear();
    d.acquisition.noise = Noise::None;
    d.churn.noise = Noise::None;
    for (i, input) in d.inputs.iter_mut().enumerate() {
        input.dist = Dist::fixed(value(InputId(i)))?;
        input.per = Per::Run;
    }
    Ok(d)
}

/// The monthly path of run 0 of `sc`: `path[month − 1]` (a classic
/// file's plan metrics, which it does not compute, read 0).
pub fn path(sc: &Scenario) -> Vec<Month> {
    let h = sc.months as usize;
    let plan = Plan::new(sc);
    let mut paths = vec![0.0; plan.n_monthly() * h];
    let mut inputs = vec![0.0; plan.n_reported()];
    model::simulate_run(sc, &plan, 0, &mut paths, 1, 0, &mut inputs);
    (0..h).map(|t| Month::from_values(std::array::from_fn(|m| if m < plan.plan_metrics { paths[m * h + t] } else { 0.0 }))).collect()
}

/// Month 1's profit and loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthOne {
    pub revenue: f64,
    pub costs: f64,
    pub profit: f64,
}

/// Month 1 of the plan with every input at its median, funding aside
/// (funding is cash, not profit).
pub fn month_one(sc: &Scenario) -> anyhow::Result<MonthOne> {
    let at = fixed_at(sc, |id| quantiles(&sc.input(id).dist, &[0.5])[0])?;
    let first = path(&at)[0];
    Ok(MonthOne { revenue: first.mrr, costs: first.costs, profit: first.profit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Overrides};

    #[test]
    fn month_one_of_a_fixed_plan_is_its_arithmetic() {
        // 100 customers at 50 with 10% churn and 20 new a month: month 1
        // has 100 − 10 + 20 = 110 customers, revenue 5,500; costs 3,000
        // fixed + 110 × 5 per customer = 3,550; profit 1,950.
        let text = r#"
            [scenario]
            name = "arithmetic"
            months = 12
            runs = 10
            seed = 1
            [start]
            cash = 1000
            customers = 100
            [pricing]
            price = 50
            [churn]
            base = { dist = "uniform", min = 0.05, max = 0.15 }
            [acquisition]
            new = 20
            [costs]
            fixed = 3000
            per_customer = 5
        "#;
        let sc = scenario::parse(text, std::path::Path::new("t.toml"), &scenario::FileSource::Dir(".".into()), Overrides::default()).unwrap();
        let m = month_one(&sc).unwrap();
        // The churn median is exactly 0.10: 10 of 100 leave, 20 arrive, and
        // 110 customers pay 50 and cost 5 each.
        assert!((m.revenue - 5_500.0).abs() < 1e-9, "{m:?}");
        assert!((m.costs - 3_550.0).abs() < 1e-9, "{m:?}");
        assert!((m.profit - (m.revenue - m.costs)).abs() < 1e-9);
    }
}
