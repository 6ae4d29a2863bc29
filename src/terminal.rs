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
}
