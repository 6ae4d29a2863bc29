//! The headline table printed after a run.

use crate::aggregate::{Estimate, Headline, Spread};
use std::fmt::Write;

/// Formats a number with thousands separators and `decimals` decimals.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `x` with `decimals` decimals, trailing zeros (and a bare point) dropped:
/// `12.5`, `0.02`, `3`.
pub fn trimmed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn est(e: &Estimate, decimals: usize) -> (String, String) {
    match (e.estimate, e.se) {
        (Some(x), Some(se)) => (number(x, decimals), format!("± {}", number(se, decimals))),
        (Some(x), None) => (number(x, decimals), String::new()),
        (None, _) => ("—".into(), String::new()),
    }
}

fn pct(e: &Estimate) -> (String, String) {
    match (e.estimate, e.se) {
        (Some(p), Some(se)) => (format!("{:.1}%", 100.0 * p), format!("± {:.1}%", 100.0 * se)),
        _ => ("—".into(), String::new()),
    }
}

/// The headline figures as an aligned table; `±` is one Monte Carlo
/// standard error.
pub fn headline_table(h: &Headline, title: &str, currency: Option<&str>) -> String {
    let cur = currency.map(|c| format!(" [{c}]")).unwrap_or_default();
    let mut rows: Vec<(String, (String, String))> = vec![
        (format!("P(default by month {})", h.months), pct(&h.p_default)),
        ("P(default by month 12)".into(), pct(&h.p_default_12)),
        ("P(default by month 24)".into(), pct(&h.p_default_24)),
    ];
    let mut spread = |name: &str, s: &Spread, decimals| {
        rows.push((format!("{name} P10"), est(&s.p10, decimals)));
        rows.push((format!("{name} P50"), est(&s.p50, decimals)));
        rows.push((format!("{name} P90"), est(&s.p90, decimals)));
    };
    spread(&format!("final cash{cur}"), &h.final_cash, 0);
    spread(&format!("final ARR{cur}"), &h.final_arr, 0);
    spread("final customers", &h.final_customers, 0);
    rows.push(("median breakeven month".into(), est(&h.median_breakeven_month, 0)));
    rows.push(("P(breakeven within horizon)".into(), pct(&h.p_breakeven)));
    rows.push((format!("funding need{cur} mean"), est(&h.funding_need.mean, 0)));
    rows.push((format!("funding need{cur} P90"), est(&h.funding_need.p90, 0)));

    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1 .0.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(out, "{title}: {} runs × {} months (± = 1 Monte Carlo standard error)", number(h.runs as f64, 0), h.months);
    for (name, (value, se)) in &rows {
        let pad0 = w0 - name.chars().count();
        let pad1 = w1 - value.chars().count();
        let _ = writeln!(out, "  {name}{}  {}{value}  {se}", " ".repeat(pad0), " ".repeat(pad1));
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// Decimals that show a figure to about its error: for a share, 1 decimal
/// of a percent, or 2 when the error is below 0.1%; for a number, none from
/// 100 up, else enough for two significant digits of the error (a whole
/// number without an error shows none).
fn figure_decimals(x: f64, se: Option<f64>, probability: bool) -> usize {
    if probability {
        return if se.is_some_and(|s| s < 0.001) || (x != 0.0 && x.abs() < 0.001) { 2 } else { 1 };
    }
    if x.abs() >= 100.0 {
        return 0;
    }
    match se.filter(|s| *s > 0.0) {
        Some(s) => (1.0 - s.log10().floor()).clamp(0.0, 4.0) as usize,
        None if x.fract() == 0.0 => 0,
        None => if x.abs() >= 1.0 { 2 } else { 4 },
    }
}

fn show(x: f64, decimals: usize, probability: bool) -> String {
    if probability { format!("{:.*}%", decimals, 100.0 * x) } else { number(x, decimals) }
}

/// A figure as `x ± se` (a share as a percentage); `—` when undefined.
pub fn figure_value(x: Option<f64>, se: Option<f64>, probability: bool) -> String {
    let Some(x) = x else { return "—".into() };
    let d = figure_decimals(x, se, probability);
    match se {
        Some(se) => format!("{} ± {}", show(x, d, probability), show(se, d, probability)),
        None => show(x, d, probability),
    }
}

/// A standard error alone, `± se`, with the decimals [`figure_value`]
/// would give it.
pub fn se_value(se: f64, probability: bool) -> String {
    format!("± {}", show(se, figure_decimals(se, Some(se), probability), probability))
}

/// Like [`figure_value`], with an explicit `+` on positive values (a difference).
pub fn signed_figure_value(x: Option<f64>, se: Option<f64>, probability: bool) -> String {
    let text = figure_value(x, se, probability);
    if x.is_some_and(|x| x > 0.0) { format!("+{text}") } else { text }
}

/// An aligned text table: a header row, then `rows`; `right[i]` right-aligns
/// column i. Trailing spaces are trimmed.
pub fn grid(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let width = |i: usize| {
        rows.iter().map(|r| r[i].chars().count()).chain([headers[i].chars().count()]).max().unwrap_or(0)
    };
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
    fn numbers_are_grouped() {
        assert_eq!(number(1234567.0, 0), "1,234,567");
        assert_eq!(number(-1234.5, 1), "-1,234.5");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.2, 0), "0");
        assert_eq!(number(0.25, 2), "0.25");
    }

    #[test]
    fn figures_show_their_error() {
        assert_eq!(figure_value(Some(0.04), Some(0.002), true), "4.0% ± 0.2%");
        assert_eq!(figure_value(Some(0.0003), Some(0.0002), true), "0.03% ± 0.02%");
        assert_eq!(figure_value(Some(4467430.2), Some(51468.0), false), "4,467,430 ± 51,468");
        assert_eq!(signed_figure_value(Some(12.5), None, false), "+12.50");
        assert_eq!(figure_value(Some(19.0), Some(0.0), false), "19 ± 0");
        assert_eq!(figure_value(Some(0.0), Some(0.19), false), "0.00 ± 0.19");
        assert_eq!(figure_value(None, None, false), "—");
        assert_eq!(se_value(0.004, true), "± 0.4%");
        assert_eq!(se_value(66_675.2, false), "± 66,675");
    }

    #[test]
    fn grids_align() {
        let t = grid(&["a", "bb"], &[vec!["xxx".into(), "1".into()]], &[false, true]);
        assert_eq!(t, "  a     bb\n  xxx    1\n");
    }
}
