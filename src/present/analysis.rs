//! Analysis results as tables for files (`export::table::Table`, columns as in
//! docs/analysis.md) and as text for the terminal.

use crate::analysis::diff::{Change, DiffRow};
use crate::analysis::sensitivity::SensitivityRow;
use crate::analysis::stress::StressRow;
use crate::analysis::vary::{Solution, Status, SweepRow};
use crate::export::table::Table;
use crate::figure::FigureValue;
use crate::num::number;
use crate::present::text::{difference_text, figure_text, figure_value, grid, se_value};

fn texts<T>(rows: &[T], f: impl Fn(&T) -> String) -> Vec<String> {
    rows.iter().map(f).collect()
}

fn numbers<T>(rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Vec<Option<f64>> {
    rows.iter().map(f).collect()
}

/// `x ± se` (or a bound, an interval: [`figure_text`]), as a cell.
fn cell(v: &FigureValue, probability: bool) -> String {
    figure_text(v, probability)
}

/// `stress.<ext>`: `stress, figure, base, base_se, value, value_se, diff,
/// diff_se, unpaired_se`.
pub(crate) fn stress_table(rows: &[StressRow]) -> Table {
    Table::default()
        .text("stress", texts(rows, |r| r.stress.clone()))
        .text("figure", texts(rows, |r| r.figure.clone()))
        .number("base", numbers(rows, |r| r.base.estimate))
        .number("base_se", numbers(rows, |r| r.base.se))
        .number("value", numbers(rows, |r| r.value.estimate))
        .number("value_se", numbers(rows, |r| r.value.se))
        .number("diff", numbers(rows, |r| r.diff.diff))
        .number("diff_se", numbers(rows, |r| r.diff.se))
        .number("unpaired_se", numbers(rows, |r| r.unpaired_se))
}

pub(crate) fn stress_text(rows: &[StressRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.stress.clone(),
                r.figure.clone(),
                cell(&r.base, r.probability),
                cell(&r.value, r.probability),
                difference_text(&r.diff, r.probability),
                r.unpaired_se.map_or(String::new(), |u| se_value(u, r.probability)),
            ]
        })
        .collect();
    grid(&["stress", "figure", "base", "stressed", "difference (paired)", "unpaired"], &body, &[false, false, true, true, true, true])
}

/// `diff.<ext>`: `figure, old, old_se, new, new_se, diff, diff_se,
/// unpaired_se`.
pub(crate) fn diff_table(rows: &[DiffRow]) -> Table {
    Table::default()
        .text("figure", texts(rows, |r| r.figure.clone()))
        .number("old", numbers(rows, |r| r.old.estimate))
        .number("old_se", numbers(rows, |r| r.old.se))
        .number("new", numbers(rows, |r| r.new.estimate))
        .number("new_se", numbers(rows, |r| r.new.se))
        .number("diff", numbers(rows, |r| r.diff.diff))
        .number("diff_se", numbers(rows, |r| r.diff.se))
        .number("unpaired_se", numbers(rows, |r| r.unpaired_se))
}

fn diff_cells(r: &DiffRow) -> Vec<String> {
    vec![
        r.figure.clone(),
        cell(&r.old, r.probability),
        cell(&r.new, r.probability),
        difference_text(&r.diff, r.probability),
        r.unpaired_se.map_or(String::new(), |u| se_value(u, r.probability)),
    ]
}

fn change_cells(c: &Change) -> Vec<String> {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    vec![c.path.clone(), or_none(&c.old), or_none(&c.new)]
}

const DIFF_HEADERS: [&str; 5] = ["figure", "old", "new", "difference (paired)", "unpaired"];

/// The changed inputs, then the figures.
pub(crate) fn diff_text(changes: &[Change], rows: &[DiffRow]) -> String {
    let mut out = if changes.is_empty() {
        "no input or setting differs\n".to_string()
    } else {
        let body: Vec<Vec<String>> = changes.iter().map(change_cells).collect();
        grid(&["changed", "old", "new"], &body, &[false, false, false])
    };
    out.push('\n');
    let body: Vec<Vec<String>> = rows.iter().map(diff_cells).collect();
    out + &grid(&DIFF_HEADERS, &body, &[false, true, true, true, true])
}

/// The same as GitHub Markdown, for a pull-request comment: `title` heads
/// it, `note` follows the tables.
pub(crate) fn diff_markdown(title: &str, changes: &[Change], rows: &[DiffRow], note: &str) -> String {
    let row = |cells: Vec<String>| format!("| {} |\n", cells.iter().map(|c| crate::present::markdown::text(c)).collect::<Vec<_>>().join(" | "));
    let mut out = format!("## {title}\n\n");
    if changes.is_empty() {
        out += "No input or setting differs.\n";
    } else {
        out += "| changed | old | new |\n|---|---|---|\n";
        out += &changes.iter().map(|c| row(change_cells(c))).collect::<String>();
    }
    out += "\n| figure | old | new | difference (paired) | unpaired |\n|---|--:|--:|--:|--:|\n";
    out += &rows.iter().map(|r| row(diff_cells(r))).collect::<String>();
    out + "\n" + note + "\n"
}

/// `sensitivity.<ext>`: `figure, input, spearman, spearman_se, low_at,
/// high_at, low, high, swing, swing_se, variance_share`.
pub(crate) fn sensitivity_table(rows: &[SensitivityRow]) -> Table {
    Table::default()
        .text("figure", texts(rows, |r| r.figure.clone()))
        .text("input", texts(rows, |r| r.input.clone()))
        .number("spearman", numbers(rows, |r| r.spearman))
        .number("spearman_se", numbers(rows, |r| r.spearman_se))
        .number("low_at", numbers(rows, |r| Some(r.low_at)))
        .number("high_at", numbers(rows, |r| Some(r.high_at)))
        .number("low", numbers(rows, |r| r.low.estimate))
        .number("high", numbers(rows, |r| r.high.estimate))
        .number("swing", numbers(rows, |r| r.swing.diff))
        .number("swing_se", numbers(rows, |r| r.swing.se))
        .number("variance_share", numbers(rows, |r| r.variance_share))
}

/// A terminal tornado per figure: inputs by |swing|, a bar to scale.
pub(crate) fn sensitivity_text(rows: &[SensitivityRow]) -> String {
    let mut out = String::new();
    let mut start = 0;
    while start < rows.len() {
        let end = rows[start..].iter().position(|r| r.figure != rows[start].figure).map_or(rows.len(), |k| start + k);
        let block = &rows[start..end];
        let widest = block.iter().filter_map(|r| r.swing.diff.map(f64::abs)).fold(0.0, f64::max);
        let body: Vec<Vec<String>> = block
            .iter()
            .map(|r| {
                let width = r.swing.diff.map_or(0, |s| if widest > 0.0 { (20.0 * s.abs() / widest).round() as usize } else { 0 });
                vec![
                    r.input.clone(),
                    spearman_cell(r.spearman, r.spearman_se),
                    format!("{} → {}", number(r.low_at, decimals(r.low_at)), number(r.high_at, decimals(r.high_at))),
                    format!("{} → {}", figure_value(r.low.estimate, None, r.probability), figure_value(r.high.estimate, None, r.probability)),
                    difference_text(&r.swing, r.probability),
                    "█".repeat(width.max(usize::from(r.swing.diff.is_some_and(|s| s != 0.0)))),
                    r.variance_share.map_or("—".into(), |v| format!("{:.0}%", 100.0 * v)),
                ]
            })
            .collect();
        out += &format!("{}\n", block[0].figure);
        out += &grid(
            &["input", "spearman", "p10 → p90 of input", "figure at p10 → p90", "swing (paired)", "", "variance share"],
            &body,
            &[false, true, true, true, true, false, true],
        );
        start = end;
    }
    out
}

/// A value as short as it can be written to 6 significant decimals.
fn plain(x: f64) -> String {
    crate::num::trimmed(x, 6)
}

/// `ρ ± se` with two significant digits of the error (at least 2 decimals).
fn spearman_cell(rho: Option<f64>, se: Option<f64>) -> String {
    let Some(rho) = rho else { return "—".into() };
    match se.filter(|s| *s > 0.0) {
        Some(se) => {
            let d = (1.0 - se.log10().floor()).clamp(2.0, 4.0) as usize;
            format!("{rho:+.d$} ± {se:.d$}")
        }
        None => format!("{rho:+.2}"),
    }
}

/// Decimals for showing an input value.
fn decimals(x: f64) -> usize {
    match x.abs() {
        a if a >= 100.0 => 0,
        a if a >= 1.0 => 2,
        _ => 4,
    }
}

/// `sweep.<ext>`: `value, figure, estimate, se, diff, diff_se`.
pub(crate) fn sweep_table(rows: &[SweepRow]) -> Table {
    Table::default()
        .number("value", numbers(rows, |r| Some(r.value)))
        .text("figure", texts(rows, |r| r.figure.clone()))
        .number("estimate", numbers(rows, |r| r.estimate.estimate))
        .number("se", numbers(rows, |r| r.estimate.se))
        .number("diff", numbers(rows, |r| r.diff.diff))
        .number("diff_se", numbers(rows, |r| r.diff.se))
}

pub(crate) fn sweep_text(vary: &str, rows: &[SweepRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![number(r.value, decimals(r.value)), r.figure.clone(), cell(&r.estimate, r.probability), difference_text(&r.diff, r.probability)])
        .collect();
    grid(&[vary, "figure", "estimate", "vs first value (paired)"], &body, &[true, false, true, true])
}

pub(crate) fn solution_text(s: &Solution, probability: bool) -> String {
    let at = |p: &crate::analysis::vary::Point| format!("{} at {} = {}", figure_text(&p.value, probability), s.vary, number(p.at, decimals(p.at)));
    match s.status {
        Status::Solved => format!(
            "{} holds for {} {} {} (bisection to [{}, {}], {} evaluations of {} runs, seed {})\n  there: {}\n",
            s.target,
            s.vary,
            if s.holds == Some("above") { ">=" } else { "<=" },
            plain(s.value.unwrap_or(f64::NAN)),
            plain(s.bracket[0]),
            plain(s.bracket[1]),
            s.evaluations,
            number(s.runs as f64, 0),
            s.seed,
            s.achieved_value().map_or("—".into(), |v| figure_text(&v, probability)),
        ),
        Status::Unmet => {
            format!("{} cannot be met for {} in [{}, {}]:\n  {}\n  {}\n", s.target, s.vary, s.range[0].at, s.range[1].at, at(&s.range[0]), at(&s.range[1]),)
        }
        Status::MetEverywhere => format!(
            "{} holds across the whole range of {} (the boundary lies outside [{}, {}]):\n  {}\n  {}\n",
            s.target,
            s.vary,
            s.range[0].at,
            s.range[1].at,
            at(&s.range[0]),
            at(&s.range[1]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_cells_show_their_error() {
        assert_eq!(spearman_cell(Some(-0.2912), Some(0.0093)), "-0.2912 ± 0.0093");
        assert_eq!(spearman_cell(Some(0.13), Some(0.012)), "+0.130 ± 0.012");
        assert_eq!(spearman_cell(Some(0.13), Some(0.12)), "+0.13 ± 0.12");
        assert_eq!(spearman_cell(Some(0.4712), Some(0.0017)), "+0.4712 ± 0.0017");
        assert_eq!(spearman_cell(None, None), "—");
    }
}
