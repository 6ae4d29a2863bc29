//! The backtest section (`runway report --history`): the plan started at a
//! past month's actual state, its customers forecast against what happened,
//! and each metric's coverage, PIT, CRPS and verdict.

use super::{ChartRef, Ctx, Section, table};
use crate::analysis::backtest::{MonthScore, Summary};
use crate::report::facts::BacktestFacts;
use crate::report::svg::{BAND_INNER, BAND_OUTER, CONTRAST, Chart, LINE};
use crate::report::words;

/// The section, when the report was asked for one.
pub(super) fn sections(c: &Ctx) -> Vec<Section> {
    let Some(b) = &c.f.backtest else { return vec![] };
    let w = c.w;
    let months = b.scores.summaries.first().map_or(0, |s| s.months);
    let rows = b.scores.summaries.iter().map(|s| row(c, s)).collect();
    let headers = [w.backtest_metric, w.inside_50, w.inside_90, w.mean_pit, w.mean_crps, w.verdict_header];
    vec![Section {
        id: "backtest".into(),
        heading: w.backtest_heading.into(),
        intro: vec![words::backtest_intro(c.lang, &b.scores.from, months, b.refit)],
        chart: Some(chart(c, b)),
        table: Some(table(&headers, rows)),
        data: None,
    }]
}

fn metric_name(c: &Ctx, metric: &str) -> String {
    let w = c.w;
    match metric {
        "customers" => w.customers.into(),
        "new_customers" => w.metric_new_customers.into(),
        "churn" => w.metric_churn.into(),
        "mrr" => c.money_title(w.mrr),
        _ => c.money_title(w.cash),
    }
}

fn row(c: &Ctx, s: &Summary) -> Vec<String> {
    let percent = |x: f64| format!("{:.0}%", 100.0 * x);
    let crps = crate::present::backtest::churn_crps(s).unwrap_or_else(|| match s.metric {
        "mrr" | "cash" => c.n.money(s.mean_crps),
        _ => c.n.count(s.mean_crps),
    });
    let (below, share) = s.off_side().unwrap_or((false, 0.0));
    let verdict = words::backtest_verdict(c.lang, s.verdict, s.held(), s.months, below, &percent(share));
    vec![metric_name(c, s.metric), percent(s.cover_50), percent(s.cover_90), format!("{:.2}", s.mean_pit), crps, verdict]
}

/// Customers from the start month: the forecast's bands and median, and the
/// history's actual customers.
fn chart(c: &Ctx, b: &BacktestFacts) -> ChartRef {
    let w = c.w;
    let rows: Vec<&MonthScore> = b.scores.rows.iter().filter(|r| r.metric == "customers").collect();
    let months: Vec<f64> = rows.iter().map(|r| f64::from(r.plan_month)).collect();
    let col = |k: usize| rows.iter().map(|r| r.bands[k]).collect::<Vec<f64>>();
    let actual: Vec<f64> = rows.iter().map(|r| r.actual).collect();
    let all = col(0).into_iter().chain(col(4)).chain(actual.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let x_hi = months.last().copied().unwrap_or(1.0).max(2.0);
    let mut ch = Chart::new((1.0, x_hi), (lo, hi), (w.month_after_start, w.customers), &|v| c.month(v), &|v| c.n.axis(v));
    ch.band(&months, &col(0), &col(4), BAND_OUTER);
    ch.band(&months, &col(1), &col(3), BAND_INNER);
    ch.line(&months, &col(2), LINE, 2.5, "");
    ch.line(&months, &actual, CONTRAST, 2.5, "");
    ch.legend(BAND_OUTER, "", w.p5_p95);
    ch.legend(BAND_INNER, "", w.p25_p75);
    ch.legend(LINE, "", w.median);
    ch.legend(CONTRAST, "", w.actual);
    let title = format!("{}{}", w.customers, w.backtest_chart_title);
    ChartRef { file: "charts/backtest.svg".into(), title: title.clone(), svg: ch.finish("backtest", &title, w.backtest_chart_desc) }
}
