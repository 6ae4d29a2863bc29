//! The numbers of a plan's own sections (a file with segments, usage, a
//! team, seasonality or a drawn month): the segment table, MRR movements by
//! year and the year-by-year table, each from the monthly table, the
//! per-run values [`super::gather`] collects and the plan on averages.

use crate::aggregate::MonthlyRow;
use crate::figure::{Figure, FigureValue, Metric};
use crate::model::Month;
use crate::scenario::Scenario;
use crate::stats;

/// Monthly flows kept per run, for the years' quantiles.
const FLOWS: [&str; 4] = ["revenue", "cogs", "costs", "collected"];

/// Investor metrics shown among the key figures (medians over runs).
pub const INVESTOR: [&str; 3] = ["nrr", "gross_margin", "burn_multiple"];

/// A plan's sections, as numbers.
pub struct PlanFacts {
    pub segments: Vec<SegmentFacts>,
    /// MRR movements by year (means over runs, which add up).
    pub movements: Vec<Movements>,
    pub years: Vec<Year>,
    /// Medians of [`INVESTOR`], in that order.
    pub investor: Vec<FigureValue>,
    /// The burn multiple split at 0 (not burning), which a plain median
    /// hides when most futures are not burning (`0 (95%: 0)`).
    pub burning: Burning,
}

/// The share of futures not burning over the last 12 months (burn
/// multiple 0, `P(burn_multiple == 0)`) and the median burn multiple of
/// the others.
pub struct Burning {
    pub not_burning: FigureValue,
    pub median_when_burning: FigureValue,
}

impl Burning {
    fn of(sc: &Scenario, burn_multiple: &[f64]) -> Burning {
        let figure = |text: &str| Figure::parse(text, &sc.catalog()).expect("a plan's figure");
        let burning: Vec<f64> = burn_multiple.iter().copied().filter(|&x| x > 0.0).collect();
        Burning {
            not_burning: figure("P(burn_multiple == 0)").estimate(burn_multiple),
            median_when_burning: figure("median(burn_multiple)").estimate(&burning),
        }
    }
}

/// One segment at the horizon: p10, p50, p90.
pub struct SegmentFacts {
    pub name: String,
    pub customers: [f64; 3],
    pub mrr: [f64; 3],
    /// Its monthly churn input's draws.
    pub churn: [f64; 3],
}

/// One year's MRR bridge: start + new + expansion − contraction − churned = end.
pub struct Movements {
    pub year: u32,
    pub start: f64,
    pub new: f64,
    pub expansion: f64,
    pub contraction: f64,
    pub churned: f64,
    pub end: f64,
}

/// The measures of the year-by-year table, in order.
pub const MEASURES: usize = 7;

/// One year: revenue, gross margin, operating costs, net burn, ending cash,
/// customers, ARR — on the plan's averages, and p10, p50, p90 over runs.
pub struct Year {
    pub year: u32,
    /// Its last month.
    pub month: u32,
    pub plan: [f64; MEASURES],
    pub q: [[f64; 3]; MEASURES],
}

/// The extra per-run values a plan's sections need: monthly flows, then
/// the investor metrics.
pub fn metrics(sc: &Scenario) -> Vec<Metric> {
    let schema = sc.schema();
    let mut out = vec![];
    for name in FLOWS {
        let metric = schema.monthly_index(name).expect("a plan's metric");
        out.extend((1..=sc.months).map(|month| Metric::Monthly { metric, name: name.to_string(), month }));
    }
    out.extend(INVESTOR.iter().map(|n| Metric::Run(schema.run_index(n).expect("a plan's per-run field"))));
    out
}

/// The plan's facts from `values` (what [`metrics`] collected, in order),
/// the monthly table, the plan on averages and each input's draws.
pub fn gather<'a>(
    sc: &Scenario,
    values: &[Vec<f64>],
    monthly: &[MonthlyRow],
    averages: &[Month],
    draws: impl Fn(crate::scenario::InputId) -> &'a [f64],
) -> PlanFacts {
    let h = sc.months as usize;
    let row = |metric: &str, month: usize| monthly.iter().find(|r| r.metric == metric && r.month as usize == month);
    let q3 = |metric: &str, month: usize| row(metric, month).map_or([f64::NAN; 3], |r| [r.q[1], r.q[3], r.q[5]]);
    let segments = sc
        .segments
        .iter()
        .filter(|_| sc.segmented)
        .map(|s| SegmentFacts {
            name: s.name.clone(),
            customers: q3(&format!("customers.{}", s.name), h),
            mrr: q3(&format!("mrr.{}", s.name), h),
            churn: quantiles3(draws(s.churn).to_vec()),
        })
        .collect();
    let mean = |metric: &str, month: usize| row(metric, month).map_or(0.0, |r| r.mean);
    let years: Vec<(u32, usize, usize)> = (0..h.div_ceil(12)).map(|y| (y as u32 + 1, 12 * y + 1, (12 * y + 12).min(h))).collect();
    let movements = years
        .iter()
        .map(|&(year, from, to)| {
            let sum = |metric: &str| (from..=to).map(|t| mean(metric, t)).sum::<f64>();
            let start = if from == 1 {
                mean("mrr", 1) - mean("new_mrr", 1) - mean("expansion_mrr", 1) + mean("contraction_mrr", 1) + mean("churned_mrr", 1)
            } else {
                mean("mrr", from - 1)
            };
            Movements {
                year,
                start,
                new: sum("new_mrr"),
                expansion: sum("expansion_mrr"),
                contraction: sum("contraction_mrr"),
                churned: sum("churned_mrr"),
                end: mean("mrr", to),
            }
        })
        .collect();
    let flow = |k: usize| &values[k * h..(k + 1) * h];
    let years = years.iter().map(|&(year, from, to)| self::year(year, from, to, [flow(0), flow(1), flow(2), flow(3)], averages, &q3)).collect();
    let investor = INVESTOR
        .iter()
        .enumerate()
        .map(|(k, n)| Figure::parse(&format!("median({n})"), &sc.catalog()).expect("a plan's figure").estimate(&values[FLOWS.len() * h + k]))
        .collect();
    let burn_multiple = INVESTOR.iter().position(|&n| n == "burn_multiple").expect("an investor metric");
    let burning = Burning::of(sc, &values[FLOWS.len() * h + burn_multiple]);
    PlanFacts { segments, movements, years, investor, burning }
}

/// Year `year` (months `from..=to`): per-run sums of the flows, the stocks
/// at its last month.
fn year(year: u32, from: usize, to: usize, flows: [&[Vec<f64>]; 4], averages: &[Month], q3: &dyn Fn(&str, usize) -> [f64; 3]) -> Year {
    let runs = flows[0][0].len();
    let sum = |k: usize, r: usize| (from..=to).map(|t| flows[k][t - 1][r]).sum::<f64>();
    let per_run = |f: &dyn Fn(usize) -> f64| quantiles3((0..runs).map(f).filter(|x| x.is_finite()).collect());
    let margin = |revenue: f64, cogs: f64| if revenue > 0.0 { 1.0 - cogs / revenue } else { f64::NAN };
    let q = [
        per_run(&|r| sum(0, r)),
        per_run(&|r| margin(sum(0, r), sum(1, r))),
        per_run(&|r| sum(2, r) - sum(1, r)),
        per_run(&|r| sum(2, r) - sum(3, r)),
        q3("cash", to),
        q3("customers", to),
        q3("arr", to),
    ];
    let a = &averages[from - 1..to];
    let total = |f: fn(&Month) -> f64| a.iter().map(f).sum::<f64>();
    let last = &averages[to - 1];
    let plan = [
        total(|m| m.revenue),
        margin(total(|m| m.revenue), total(|m| m.cogs)),
        total(|m| m.costs - m.cogs),
        total(|m| m.burn),
        last.cash,
        last.customers,
        last.arr,
    ];
    Year { year, month: to as u32, plan, q }
}

/// p10, p50, p90 (type 7) of `values`; NaN when empty.
fn quantiles3(mut values: Vec<f64>) -> [f64; 3] {
    if values.is_empty() {
        return [f64::NAN; 3];
    }
    values.sort_unstable_by(f64::total_cmp);
    [0.1, 0.5, 0.9].map(|p| stats::quantile_sorted(&values, p))
}
