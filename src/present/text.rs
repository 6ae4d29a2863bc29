//! Text for the terminal: the headline table printed after a run, a figure
//! with its error (`4.0% ± 0.2%`, `22 (95%: 22–23)`), and aligned grids.
//! Plain number formatting is [`crate::num`]'s.

use crate::aggregate::{Estimate, Headline, MonthMedian, Spread};
use crate::analysis::point::MonthOne;
use crate::figure::{Difference, FigureValue};
use crate::num::{number, trimmed};
use std::fmt::Write;

/// A value and its error, digits following the error ([`crate::num::with_error`]).
fn est(e: &Estimate, decimals: usize) -> (String, String) {
    match (e.estimate, e.se) {
        (Some(x), Some(se)) => {
            let (value, error) = crate::num::with_error(x, se, decimals);
            (value, format!("± {error}"))
        }
        (Some(x), None) => (number(x, decimals), String::new()),
        (None, _) => ("—".into(), String::new()),
    }
}

/// A share of `n` runs: `4.0% ± 0.2%` with as many decimals as the error
/// needs, or, when no run (or every run) had the event, the 95% bound
/// `1 − 0.05^(1/n)` (about 3/n) instead of a misleading `0.0% ± 0.0%`.
pub fn share(e: &Estimate, n: u64) -> (String, String) {
    let (Some(p), Some(se)) = (e.estimate, e.se) else { return ("—".into(), String::new()) };
    let bound = 1.0 - 0.05f64.powf(1.0 / n.max(1) as f64);
    // One significant digit, rounded away from the estimate.
    let digits = |x: f64| (-(100.0 * x).log10().floor()).clamp(0.0, 6.0) as usize;
    let up = |x: f64| {
        let d = digits(x);
        ((100.0 * x) * 10f64.powi(d as i32)).ceil() / 10f64.powi(d as i32)
    };
    if p == 0.0 {
        return (format!("< {}%", trimmed(up(bound), digits(bound))), "(95% upper bound)".into());
    }
    if p == 1.0 {
        let d = digits(bound);
        let low = 100.0 - up(bound);
        return (format!("> {}%", trimmed(low, d)), "(95% lower bound)".into());
    }
    let text = figure_value(Some(p), Some(se), true);
    let (value, err) = text.split_once(' ').unwrap_or((&text, ""));
    (value.to_string(), err.to_string())
}

/// A median month with its 95% interval: `23  95%: 22–23`.
fn month(m: &MonthMedian, horizon: u32) -> (String, String) {
    let show = |x: Option<f64>| x.map_or(format!("after {horizon}"), |x| number(x, 0));
    let value = m.estimate.map_or_else(|| format!("after {horizon}"), |x| number(x, 0));
    let interval = match (m.low95, m.high95) {
        (lo, hi) if lo == hi => format!("95%: {}", show(lo)),
        (lo, hi) => format!("95%: {}–{}", show(lo), show(hi)),
    };
    (value, interval)
}

/// The headline figures as an aligned table, rows in time order; `±` is one
/// Monte Carlo standard error. `extra_months` adds P(default by month m)
/// rows (`--months-at`); `month_one` adds the plan's first month.
pub(crate) fn headline_table(h: &Headline, title: &str, currency: Option<&str>, extra_months: &[u32], month_one: Option<MonthOne>) -> String {
    let cur = currency.map(|c| format!(" [{c}]")).unwrap_or_default();
    let mut rows: Vec<(String, (String, String))> = vec![];
    let mut at: Vec<u32> = h.p_default_by.iter().map(|d| d.month).chain(extra_months.iter().copied()).collect();
    at.sort_unstable();
    at.dedup();
    for d in at.iter().filter_map(|&m| h.default_by(m)) {
        rows.push((format!("P(default by month {})", d.month), share(&d.p, h.runs)));
    }
    rows.push(("first profitable month, median".into(), month(&h.median_first_profit_month, h.months)));
    rows.push(("breakeven month, median".into(), month(&h.median_breakeven_month, h.months)));
    rows.push((format!("P(breakeven by month {})", h.months), share(&h.p_breakeven, h.runs)));
    let mut spread = |name: &str, s: &Spread, decimals| {
        rows.push((format!("{name} P10"), est(&s.p10, decimals)));
        rows.push((format!("{name} P50"), est(&s.p50, decimals)));
        rows.push((format!("{name} P90"), est(&s.p90, decimals)));
    };
    spread(&format!("final cash{cur}"), &h.final_cash, 0);
    spread(&format!("final ARR{cur}"), &h.final_arr, 0);
    spread("final customers", &h.final_customers, 0);
    rows.push((format!("funding need{cur} mean"), est(&h.funding_need.mean, 0)));
    rows.push((format!("funding need{cur} P90"), est(&h.funding_need.p90, 0)));

    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.0.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(out, "{title}: {} runs × {} months (± = 1 Monte Carlo standard error)", number(h.runs as f64, 0), h.months);
    if let Some(m) = month_one {
        let _ = writeln!(
            out,
            "  month 1 at the inputs' medians{cur}: revenue {}, costs {}, profit {}",
            number(m.revenue, 0),
            number(m.costs, 0),
            number(m.profit, 0)
        );
    }
    for (name, (value, se)) in &rows {
        let pad0 = w0 - name.chars().count();
        let pad1 = w1 - value.chars().count();
        let _ = writeln!(out, "  {name}{}  {}{value}  {se}", " ".repeat(pad0), " ".repeat(pad1));
    }
    let never = h.p_default.estimate.map_or(String::new(), |p| format!(" (0 in the {} of runs that never default)", pct_words(1.0 - p)));
    let _ = writeln!(
        out,
        "  default: cash below zero at the end of a month. breakeven: the month from which the company stays in profit (profit summed from it never turns negative to month {}).",
        h.months
    );
    let _ = writeln!(out, "  funding need: how far cash fell below zero at its lowest{never}.");
    for (figure, spread) in [("final cash", &h.final_cash), ("final ARR", &h.final_arr), ("the final customer count", &h.final_customers)] {
        if let Some(g) = &spread.groups {
            let _ = writeln!(out, "  {}", groups_note(figure, g));
        }
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The note under a figure whose runs fall into two groups: each group's
/// share (and what sets it apart, when one thing does) and median.
pub(crate) fn groups_note(figure: &str, g: &crate::aggregate::Groups) -> String {
    let (low, high) = match g.explained_by {
        Some("funding") => (" (no funding received)", " (funding received)"),
        Some("default") => (" (ran out of cash)", " (did not)"),
        _ => ("", ""),
    };
    let median = |e: &crate::aggregate::Estimate| {
        let (v, se) = est(e, 0);
        format!("{v} {se}")
    };
    let middle = if g.median_between() { " The P50 above sits at the edge of a group and describes neither well." } else { "" };
    format!(
        "note: {figure} falls into two groups of futures (split at {}; the split explains {:.0}% of its variance): {} of runs{high} have a median of {}; {}{low}, {}.{middle}",
        number(g.between, 0),
        100.0 * g.explained,
        pct_words(g.high.share),
        median(&g.high.median),
        pct_words(g.low.share),
        median(&g.low.median),
    )
}

/// A share in words: `96.0%`, `99.97%`, `100%`.
fn pct_words(p: f64) -> String {
    if p >= 1.0 {
        return "100%".into();
    }
    let d = if p > 0.999 { 2 } else { 1 };
    format!("{}%", trimmed(100.0 * p, d))
}

/// Decimals that show a figure to about its error: for a share, enough for
/// one significant digit of the error in percent (at least 1); for a number, none from
/// 100 up, else enough for two significant digits of the error (a whole
/// number without an error shows none).
fn figure_decimals(x: f64, se: Option<f64>, probability: bool) -> usize {
    if probability {
        return match se.filter(|s| *s > 0.0) {
            // One significant digit of the error, in percent: 0.2% → 1, 0.02% → 2.
            Some(s) => {
                // The error rounded to one significant digit first, so that
                // 0.00999% counts as 0.01% (2 decimals), not 3.
                let pct = 100.0 * s;
                let mag = pct.log10().floor();
                let mag = if (pct / 10f64.powf(mag)).round() >= 10.0 { mag + 1.0 } else { mag };
                (-mag).clamp(1.0, 4.0) as usize
            }
            None => {
                if x != 0.0 && x.abs() < 0.001 {
                    2
                } else {
                    1
                }
            }
        };
    }
    match se.and_then(crate::num::error_place) {
        Some(place) => (-place).clamp(0, 4) as usize,
        None if x.abs() >= 100.0 || x.fract() == 0.0 => 0,
        None => {
            if x.abs() >= 1.0 {
                2
            } else {
                4
            }
        }
    }
}

fn show(x: f64, decimals: usize, probability: bool) -> String {
    if probability { format!("{:.*}%", decimals, 100.0 * x) } else { number(x, decimals) }
}

/// A figure as `x ± se` (a share as a percentage), digits following the
/// error; `—` when undefined.
pub fn figure_value(x: Option<f64>, se: Option<f64>, probability: bool) -> String {
    let Some(x) = x else { return "—".into() };
    let d = figure_decimals(x, se, probability);
    match se {
        // A number with an error: both to the digit it supports.
        Some(e) if !probability && e > 0.0 => {
            let (value, error) = crate::num::with_error(x, e, d);
            format!("{value} ± {error}")
        }
        Some(e) => format!("{} ± {}", show(x, d, probability), show(e, d, probability)),
        None => show(x, d, probability),
    }
}

/// A figure as a reader should see it: `x ± se`; a share of no run (or of
/// every run) as its 95% bound ([`share`]); a tied quantile (a median
/// month) as its 95% interval, `23 (95%: 22–23)`, where a `±` would say
/// `± 0`; `never` for a quantile past every run's value; `—` when undefined.
pub fn figure_text(v: &FigureValue, probability: bool) -> String {
    match (v.estimate, v.interval()) {
        // Runs counted but no estimate: an order statistic past every value.
        (None, _) if v.runs > 0 => "never".into(),
        (Some(p), _) if probability && (p == 0.0 || p == 1.0) => {
            let (value, bound) = share(&Estimate { estimate: Some(p), se: v.se }, v.runs);
            format!("{value} {bound}").trim_end().to_string()
        }
        (Some(x), Some((lo, hi))) => {
            let show = |b: Option<f64>| b.map_or("never".to_string(), plain);
            let range = if lo == hi { show(lo) } else { format!("{}–{}", show(lo), show(hi)) };
            format!("{} (95%: {range})", plain(x))
        }
        (x, _) => figure_value(x, v.se, probability),
    }
}

/// A bound or value of a tied quantile: whole numbers (months, counts)
/// without decimals, a value between two tied ones (type-7 interpolation)
/// with one.
fn plain(x: f64) -> String {
    number(x, usize::from(x.fract() != 0.0 && x.abs() < 100.0))
}

/// A paired difference as [`signed_figure_value`] shows it, or, when a side
/// is a tied quantile, as its interval: `+6 (95%: +6)`, `+3 (95%: +2 to +4)`.
pub(crate) fn difference_text(d: &Difference, probability: bool) -> String {
    match (d.diff, d.interval()) {
        (Some(x), Some((Some(lo), Some(hi)))) => {
            let signed = |b: f64| if b > 0.0 { format!("+{}", plain(b)) } else { plain(b) };
            let range = if lo == hi { signed(lo) } else { format!("{} to {}", signed(lo), signed(hi)) };
            format!("{} (95%: {range})", signed(x))
        }
        _ => signed_figure_value(d.diff, d.se, probability),
    }
}

/// A standard error alone, `± se`, with the decimals [`figure_value`]
/// would give it.
pub(crate) fn se_value(se: f64, probability: bool) -> String {
    let d = figure_decimals(se, Some(se), probability);
    if probability || se <= 0.0 { format!("± {}", show(se, d, probability)) } else { format!("± {}", crate::num::with_error(se, se, d).1) }
}

/// Like [`figure_value`], with an explicit `+` on positive values (a difference).
pub fn signed_figure_value(x: Option<f64>, se: Option<f64>, probability: bool) -> String {
    let text = figure_value(x, se, probability);
    if x.is_some_and(|x| x > 0.0) { format!("+{text}") } else { text }
}

/// An aligned text table: a header row, then `rows`; `right[i]` right-aligns
/// column i. Trailing spaces are trimmed.
pub fn grid(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).chain([headers[i].chars().count()]).max().unwrap_or(0);
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = " ".repeat(widths[i] - c.chars().count());
                if right[i] { format!("{pad}{c}") } else { format!("{c}{pad}") }
            })
            .collect();
        format!("  {}", parts.join("   ")).trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for r in rows {
        out += &line(r.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_show_their_error() {
        assert_eq!(figure_value(Some(0.04), Some(0.002), true), "4.0% ± 0.2%");
        assert_eq!(figure_value(Some(0.0003), Some(0.0002), true), "0.03% ± 0.02%");
        assert_eq!(figure_value(Some(4467430.2), Some(51468.0), false), "4,470,000 ± 50,000");
        assert_eq!(signed_figure_value(Some(12.5), None, false), "+12.50");
        assert_eq!(figure_value(Some(19.0), Some(0.0), false), "19 ± 0");
        assert_eq!(figure_value(Some(0.0), Some(0.19), false), "0.00 ± 0.19");
        assert_eq!(figure_value(None, None, false), "—");
        assert_eq!(se_value(0.004, true), "± 0.4%");
        assert_eq!(se_value(66_675.2, false), "± 70,000");
        assert_eq!(figure_value(Some(0.0), Some(0.004), false), "0.000 ± 0.004");
    }

    #[test]
    fn figures_read_as_they_should() {
        let v = |estimate, se, runs, low95, high95| FigureValue { estimate, se, runs, low95, high95 };
        // A tied quantile (a median month): its interval, not `25 ± 0`.
        assert_eq!(figure_text(&v(Some(25.0), Some(0.0), 10_000, Some(25.0), Some(25.0)), false), "25 (95%: 25)");
        assert_eq!(figure_text(&v(Some(22.0), Some(0.46), 10_000, Some(22.0), Some(23.0)), false), "22 (95%: 22–23)");
        assert_eq!(figure_text(&v(Some(22.5), Some(0.5), 10_000, Some(22.0), Some(23.0)), false), "22.5 (95%: 22–23)");
        assert_eq!(figure_text(&v(Some(35.0), None, 10_000, Some(34.0), None), false), "35 (95%: 34–never)");
        assert_eq!(figure_text(&v(Some(1200.0), Some(3.0), 10_000, Some(1198.0), Some(1203.0)), false), "1,200 (95%: 1,198–1,203)");
        // No run with the event: the 95% upper bound, not `0.00% ± 0.01%`.
        assert_eq!(figure_text(&v(Some(0.0), Some(0.0001), 10_000, None, None), true), "< 0.03% (95% upper bound)");
        assert_eq!(figure_text(&v(Some(1.0), Some(0.0001), 10_000, None, None), true), "> 99.97% (95% lower bound)");
        // Everything else: `x ± se`; a quantile past every run: never.
        assert_eq!(figure_text(&v(Some(0.04), Some(0.002), 10_000, None, None), true), "4.0% ± 0.2%");
        assert_eq!(figure_text(&v(Some(4467430.2), Some(51468.0), 10_000, None, None), false), "4,470,000 ± 50,000");
        assert_eq!(figure_text(&v(None, None, 10_000, None, None), false), "never");
        assert_eq!(figure_text(&v(None, None, 0, None, None), false), "—");
        let d = |diff, low95, high95| Difference { diff: Some(diff), se: Some(0.5), low95, high95 };
        assert_eq!(difference_text(&d(6.0, Some(6.0), Some(6.0)), false), "+6 (95%: +6)");
        assert_eq!(difference_text(&d(-2.5, Some(-3.0), Some(-2.0)), false), "-2.5 (95%: -3 to -2)");
        assert_eq!(difference_text(&d(0.5, Some(-1.0), Some(1.0)), false), "+0.5 (95%: -1 to +1)");
        assert_eq!(difference_text(&d(3.0, None, None), false), "+3.0 ± 0.5");
    }

    #[test]
    fn shares_follow_their_error() {
        let e = |p: f64, se: f64| Estimate { estimate: Some(p), se: Some(se) };
        // 3 of 10,000: 0.03% ± 0.02%; 4.03% at 3M runs keeps its digits.
        assert_eq!(share(&e(0.0003, 0.000_22), 10_000), ("0.03%".into(), "± 0.02%".into()));
        assert_eq!(share(&e(0.0403, 0.000_113), 3_000_000), ("4.03%".into(), "± 0.01%".into()));
        assert_eq!(share(&e(0.04, 0.002), 10_000), ("4.0%".into(), "± 0.2%".into()));
        // An error just under 0.01% rounds to it: 2 decimals, not 3.
        assert_eq!(figure_value(Some(0.0), Some(0.000_099_9), true), "0.00% ± 0.01%");
        // No event in 10,000 runs: the 95% upper bound 1 − 0.05^(1/n) = 0.0300%.
        assert_eq!(share(&e(0.0, 0.0001), 10_000), ("< 0.03%".into(), "(95% upper bound)".into()));
        // ... in 300 runs: 0.994%, shown rounded up to one digit.
        assert_eq!(share(&e(0.0, 0.005), 300), ("< 1%".into(), "(95% upper bound)".into()));
        assert_eq!(share(&e(1.0, 0.0001), 10_000), ("> 99.97%".into(), "(95% lower bound)".into()));
    }

    #[test]
    fn grids_align() {
        let t = grid(&["a", "bb"], &[vec!["xxx".into(), "1".into()]], &[false, true]);
        assert_eq!(t, "  a     bb\n  xxx    1\n");
    }
}
