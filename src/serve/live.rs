//! One update of the live page: the edited plan simulated on the file's
//! seed, beside the file's own plan on the same runs (common random
//! numbers), so each key figure's change comes with its paired error; the
//! cash fan over the file's, the survival curves, the drivers of median
//! final cash and the plan's assertions decided as `runway check` decides
//! them. Figures are the ones `runway stress` prints by default, in the
//! report's words and number rules.

use crate::analysis::check::{self, Rules, Status};
use crate::analysis::sensitivity::{self, SensitivityRow};
use crate::analysis::{Collected, Progress, collect, default_figures, metrics_of};
use crate::figure::{Figure, Metric};
use crate::model::Plan;
use crate::model::units::{Unit, unit_of_figure};
use crate::report::svg::{BAND_INNER, BAND_OUTER, CONTRAST, Chart, LINE};
use crate::report::words::{self, Lang, Numbers, PlanNames};
use crate::scenario::Scenario;
use serde::Serialize;

/// Runs of the quick first result (or all of them, when fewer): the
/// first runs of the full set, so the full result refines it.
pub const QUICK_RUNS: u64 = 2_000;

/// Runs the drivers are ranked on, in the file's plan and the edited one
/// alike: a tornado simulates the plan twice per uncertain input, so on
/// all runs of a plan with thirty such inputs it takes seconds.
pub const DRIVER_RUNS: u64 = 2_000;

/// The file's plan, simulated once over all its runs.
pub struct Baseline {
    pub sc: Scenario,
    figures: Vec<Figure>,
    /// Per figure of [`figures_and_metrics`], the index of its metric in `values`.
    index: Vec<usize>,
    values: Collected,
    /// Inputs by how much they move median final cash, most first
    /// (on [`DRIVER_RUNS`]).
    drivers: Vec<SensitivityRow>,
}

/// One key figure: the file's plan, the edited one and the change.
#[derive(Debug, Serialize)]
pub struct FigureRow {
    /// The figure in the figure language (`P(default_month <= 24)`).
    pub figure: String,
    pub label: String,
    pub base: String,
    pub value: String,
    pub change: String,
    /// The numbers behind the text, for tests and tools.
    pub base_estimate: Option<f64>,
    pub estimate: Option<f64>,
    pub diff: Option<f64>,
    pub diff_se: Option<f64>,
    /// `better` or `worse` when the change is more than 2 standard errors
    /// from 0 (lower is better for a chance of default and a breakeven
    /// month, higher for money); `None` otherwise.
    pub verdict: Option<&'static str>,
}

/// Whether a clear change of `figure` by `diff` is good news.
fn verdict(figure: &str, diff: Option<f64>, se: Option<f64>) -> Option<&'static str> {
    let d = diff?;
    if d == 0.0 || d.abs() <= 2.0 * se.unwrap_or(0.0) {
        return None;
    }
    let lower_is_better = figure.starts_with("P(default_month") || figure.contains("_month)");
    Some(if (d < 0.0) == lower_is_better { "better" } else { "worse" })
}

/// An input's place among the drivers of median final cash.
#[derive(Debug, Serialize)]
pub struct DriverRow {
    pub input: String,
    pub label: String,
    /// Median final cash from the input at its p10 to at its p90.
    pub swing: String,
    pub rank: usize,
    /// Its rank in the file's plan (`None`: not uncertain there).
    pub file_rank: Option<usize>,
}

/// What moves median final cash: the table's rows and the tornado (SVG).
#[derive(Debug, Serialize)]
pub struct Drivers {
    pub rows: Vec<DriverRow>,
    pub chart: String,
}

/// An assertion and its verdict on the edited plan.
#[derive(Debug, Serialize)]
pub struct CheckRow {
    pub name: String,
    pub expect: String,
    pub value: String,
    pub status: Status,
}

/// Everything the page redraws after a change.
#[derive(Debug, Serialize)]
pub struct Update {
    pub runs: u64,
    pub quick: bool,
    pub stress: Option<String>,
    pub figures: Vec<FigureRow>,
    pub fan: String,
    pub survival: String,
    pub checks: Vec<CheckRow>,
}

fn quiet() -> Progress<'static> {
    Progress::new(&|_| {})
}

/// The metrics an update collects: the key figures', the default month and
/// cash at the end of every month.
fn figures_and_metrics(sc: &Scenario) -> (Vec<Figure>, Vec<Metric>, Vec<usize>) {
    let catalog = sc.catalog();
    let figures = default_figures(&catalog);
    let mut all = figures.clone();
    all.push(Figure::parse("median(default_month)", &catalog).expect("a run metric"));
    all.extend((1..=sc.months).map(|m| Figure::parse(&format!("median(cash[{m}])"), &catalog).expect("a monthly metric")));
    let (metrics, index) = metrics_of(&all);
    (figures, metrics, index)
}

impl Baseline {
    /// Simulates the file's plan over all its runs, and its drivers.
    pub fn new(sc: Scenario) -> anyhow::Result<Baseline> {
        let (figures, metrics, index) = figures_and_metrics(&sc);
        let values = collect(&sc, &Plan::new(&sc), &metrics, 0..sc.runs, &quiet())?;
        let drivers = drivers(&first_runs(&sc, DRIVER_RUNS))?;
        Ok(Baseline { sc, figures, index, values, drivers })
    }

    /// `edited` (the file with the page's edits, at the runs to show) with
    /// the file's stress `stress` on, against the file's plan.
    pub fn update(&self, edited: &Scenario, stress: Option<&str>, lang: Lang) -> anyhow::Result<Update> {
        let runs = edited.runs.min(self.sc.runs);
        let plan = match stress {
            Some(name) => Plan::stressed(edited, edited.stress(name).ok_or_else(|| anyhow::anyhow!("no stress named `{name}` in the plan"))?),
            None => Plan::new(edited),
        };
        // Each plan's figures by its own catalogue (an edit may add metrics,
        // as a drawn round month does); the figures are the same texts.
        let (_, metrics, index) = figures_and_metrics(edited);
        let values = collect(edited, &plan, &metrics, 0..runs, &quiet())?;
        let edit: Vec<&[f64]> = index.iter().map(|&k| &values.values[k][..]).collect();
        let base: Vec<&[f64]> = self.index.iter().map(|&k| &self.values.values[k][..runs as usize]).collect();
        let n = Numbers::new(lang, edited.currency.as_deref(), runs);
        let names = PlanNames::of(edited, lang);
        let figures = self.figure_rows(&base, &edit, &n, &names, lang);
        // After the key figures: the default month, then cash by month.
        let k = self.figures.len();
        let cash = |columns: &[&[f64]]| columns[k + 1..].iter().map(|c| quantiles(c)).collect::<Vec<_>>();
        let fan = fan(&cash(&edit), &cash(&base), edited, lang, &n);
        let survival = survival(edit[k], base[k], edited.months, lang);
        let checks = checks(edited, lang, &n, &names)?;
        Ok(Update { runs, quick: runs < self.sc.runs, stress: stress.map(str::to_string), figures, fan, survival, checks })
    }

    /// The key figures from each plan's per-run values (`base[i]` and
    /// `edit[i]` for figure `i`).
    fn figure_rows(&self, base: &[&[f64]], edit: &[&[f64]], n: &Numbers, names: &PlanNames, lang: Lang) -> Vec<FigureRow> {
        self.figures
            .iter()
            .zip(base.iter().zip(edit))
            .map(|(f, (&base, &edited))| {
                let (b, v, d) = (f.estimate(base), f.estimate(edited), f.difference(base, edited));
                let probability = f.is_probability();
                let money = unit_of_figure(&f.to_string()) == Unit::Money;
                let change = n.difference(&d, probability, money);
                let change = if d.diff.is_some_and(|x| x > 0.0) && !change.starts_with('+') { format!("+{change}") } else { change };
                FigureRow {
                    figure: f.to_string(),
                    label: words::capitalised(&words::figure_words(f, lang, names, &|x| n.value(x))),
                    base: n.figure(&b, probability, money),
                    value: n.figure(&v, probability, money),
                    change,
                    base_estimate: b.estimate,
                    estimate: v.estimate,
                    diff: d.diff,
                    diff_se: d.se,
                    verdict: verdict(&f.to_string(), d.diff, d.se),
                }
            })
            .collect()
    }

    /// The inputs that move the edited plan's median final cash most (at
    /// most 8), each with its rank in the file's plan, and their tornado.
    pub fn drivers(&self, edited: &Scenario, lang: Lang) -> anyhow::Result<Drivers> {
        let first = first_runs(edited, DRIVER_RUNS);
        let n = Numbers::new(lang, edited.currency.as_deref(), first.runs);
        let names = PlanNames::of(edited, lang);
        let all = drivers(&first)?;
        let top: Vec<&SensitivityRow> = all.iter().take(8).collect();
        let file_rank = |input: &str| self.drivers.iter().position(|r| r.input == input).map(|i| i + 1);
        let rows = top
            .iter()
            .enumerate()
            .map(|(i, r)| DriverRow {
                input: r.input.clone(),
                label: words::input_name_in(&r.input, lang, &names),
                swing: n.money_se(r.swing.diff, r.swing.se),
                rank: i + 1,
                file_rank: file_rank(&r.input),
            })
            .collect();
        let chart = if top.is_empty() { String::new() } else { tornado(&first, &top, lang, &n, &names)? };
        Ok(Drivers { rows, chart })
    }
}

/// `sc` on its first `runs` runs only.
fn first_runs(sc: &Scenario, runs: u64) -> Scenario {
    let mut first = sc.clone();
    first.runs = sc.runs.min(runs);
    first
}

/// The inputs of `sc` by how much they move its median final cash (the
/// report's tornado), most first; none when nothing is uncertain.
fn drivers(sc: &Scenario) -> anyhow::Result<Vec<SensitivityRow>> {
    if sensitivity::inputs(sc).is_empty() {
        return Ok(vec![]);
    }
    let figure = Figure::parse("median(final_cash)", &sc.catalog()).expect("a run metric");
    sensitivity::run(sc, &[figure], &quiet())
}

/// The report's tornado of `rows`, around `sc`'s median final cash.
fn tornado(sc: &Scenario, rows: &[&SensitivityRow], lang: Lang, n: &Numbers, names: &PlanNames) -> anyhow::Result<String> {
    let figure = Figure::parse("median(final_cash)", &sc.catalog()).expect("a run metric");
    let values = collect(sc, &Plan::new(sc), std::slice::from_ref(figure.metric()), 0..sc.runs, &quiet())?;
    let base = figure.estimate(&values.values[0]).estimate.unwrap_or(0.0);
    let w = lang.words();
    let label = |path: &str| words::input_words_in(path, lang, names);
    let title = words::money_title(lang, w.median_final_cash, sc.currency.as_deref());
    Ok(crate::report::page::tornado_svg(rows, base, &title, n, w, &label).finish("live-tornado", w.tornado_title, w.tornado_desc))
}

/// The plan's assertions decided on its runs as `runway check` decides
/// them at its first look (z = 2, no runs added).
fn checks(sc: &Scenario, lang: Lang, n: &Numbers, names: &PlanNames) -> anyhow::Result<Vec<CheckRow>> {
    if sc.asserts.is_empty() {
        return Ok(vec![]);
    }
    let checked = check::check(sc, &Rules { z: crate::report::facts::CHECK_Z, max_runs: sc.runs }, &quiet())?;
    let catalog = sc.catalog();
    Ok(checked
        .verdicts
        .iter()
        .zip(&sc.asserts)
        .map(|(v, a)| {
            let money = unit_of_figure(&v.figure) == Unit::Money;
            let label = Figure::parse(&v.figure, &catalog).map(|f| words::figure_words(&f, lang, names, &|x| n.value(x))).unwrap_or(v.figure.clone());
            CheckRow {
                name: words::in_lang(lang, &v.name, a.name_zh.as_deref()).to_string(),
                expect: format!("{label} {} {}", v.cmp, if v.probability { format!("{:.0}%", 100.0 * v.threshold) } else { n.value(v.threshold) }),
                value: n.figure(&v.value, v.probability, money),
                status: v.status,
            }
        })
        .collect())
}

/// p5, p25, p50, p75 and p95 of `values` (NaN for none).
fn quantiles(values: &[f64]) -> [f64; 5] {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| if v.is_empty() { f64::NAN } else { crate::stats::quantile_sorted(&v, p) })
}

/// The edited plan's cash fan (bands and median) over the file's (its
/// median and p5–p95 dashed).
fn fan(edited: &[[f64; 5]], file: &[[f64; 5]], sc: &Scenario, lang: Lang, n: &Numbers) -> String {
    let w = lang.words();
    let months: Vec<f64> = (1..=edited.len()).map(|m| m as f64).collect();
    let col = |q: &[[f64; 5]], k: usize| q.iter().map(|r| r[k]).collect::<Vec<f64>>();
    let all = [edited, file].into_iter().flat_map(|q| col(q, 0).into_iter().chain(col(q, 4))).chain([0.0]);
    let (lo, hi) = all.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let title = words::money_title(lang, lang.pick("Cash", "现金"), sc.currency.as_deref());
    let mut ch = Chart::new((1.0, months.len() as f64), (lo, hi), (w.month, &title), &|v| format!("{v:.0}"), &|v| n.axis(v));
    ch.band(&months, &col(edited, 0), &col(edited, 4), BAND_OUTER);
    ch.band(&months, &col(edited, 1), &col(edited, 3), BAND_INNER);
    ch.line(&months, &col(edited, 2), LINE, 2.5, "");
    ch.hline(0.0, "#000000");
    ch.line(&months, &col(file, 2), CONTRAST, 2.0, "7 4");
    ch.line(&months, &col(file, 0), CONTRAST, 1.0, "3 3");
    ch.line(&months, &col(file, 4), CONTRAST, 1.0, "3 3");
    ch.legend(BAND_OUTER, "", w.p5_p95);
    ch.legend(BAND_INNER, "", w.p25_p75);
    ch.legend(LINE, "", w.median);
    ch.legend(CONTRAST, "7 4", lang.pick("the file's plan: median, p5 and p95", "文件中的计划：中位数、P5 与 P95"));
    let desc = lang.pick("Cash by month: the edited plan's futures over the file's plan's", "各月现金：修改后的计划与文件中的计划");
    ch.finish("live-cash", &title, desc)
}

/// The share of futures not yet out of cash by month, the edited plan's
/// (solid) over the file's (dashed).
fn survival(edited: &[f64], file: &[f64], months: u32, lang: Lang) -> String {
    let w = lang.words();
    let times: Vec<f64> = (0..=months).map(f64::from).collect();
    let (a, b) = (crate::stats::survival(edited, &times), crate::stats::survival(file, &times));
    let lowest = (a.iter().chain(&b).copied().fold(1.0, f64::min) - 0.03).clamp(0.0, 0.9);
    let mut ch = Chart::new((0.0, f64::from(months)), (lowest, 1.0), (w.month, w.share_with_cash), &|v| format!("{v:.0}"), &|v| format!("{:.0}%", 100.0 * v));
    // A step line as a polyline: each value holds until the next month.
    let stepped = |ys: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let xs = times.iter().zip(times.iter().skip(1)).flat_map(|(t, next)| [*t, *next]).collect();
        (xs, ys.iter().take(times.len() - 1).flat_map(|y| [*y, *y]).collect())
    };
    let (xb, yb) = stepped(&b);
    ch.line(&xb, &yb, CONTRAST, 2.0, "7 4");
    ch.steps(&times, &a, LINE);
    ch.legend(LINE, "", lang.pick("edited plan", "修改后的计划"));
    ch.legend(CONTRAST, "7 4", lang.pick("the file's plan", "文件中的计划"));
    ch.finish("live-survival", w.survival_title, w.survival_title)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_clear_change_is_good_or_bad_news_by_its_figure() {
        use super::verdict;
        assert_eq!(verdict("P(default_month <= 24)", Some(-0.02), Some(0.005)), Some("better"));
        assert_eq!(verdict("P(default_month <= 24)", Some(0.02), Some(0.005)), Some("worse"));
        assert_eq!(verdict("median(final_cash)", Some(-5.0), Some(1.0)), Some("worse"));
        assert_eq!(verdict("median(breakeven_month)", Some(-6.0), Some(0.0)), Some("better"));
        // Within 2 standard errors of no change: no verdict.
        assert_eq!(verdict("median(final_cash)", Some(1.9), Some(1.0)), None);
        assert_eq!(verdict("median(final_cash)", Some(0.0), Some(0.0)), None);
    }
}
