//! `runway validate`: parse and check scenarios without running them.

use super::{Failure, Voice};
use crate::num;
use crate::present::text;
use crate::scenario::{self, Overrides, Scenario};
use std::path::PathBuf;

/// Checks each file, printing its `FILE: ok (…)` line and what it holds
/// (not with `quiet`), or its problems (a JSON line each with
/// `RUNWAY_STDERR=json`).
pub fn validate(paths: &[PathBuf], quiet: bool) -> Result<u8, Failure> {
    let voice = Voice::new(quiet);
    let mut failed = 0;
    for p in paths {
        match scenario::load(p, Overrides::default()) {
            Ok(sc) => {
                for w in &sc.warnings {
                    voice.warn(format_args!("{}: {w}", sc.source.path.display()));
                }
                voice.done(ok_line(&sc));
                voice.show(validated(&sc));
            }
            Err(e) if super::protocol::json() => {
                eprintln!("{}", super::protocol::error_line(&e.into(), 2));
                failed += 1;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed > 0 { 2 } else { 0 })
}

/// The one line `validate` prints for a valid scenario even with
/// `--quiet`: its file and size.
fn ok_line(sc: &Scenario) -> String {
    let uncertain = crate::analysis::point::describe(sc).into_iter().filter(|i| i.uncertain).count();
    format!(
        "{}: ok ({} months, {} runs, {} inputs of which {uncertain} uncertain)",
        sc.source.path.display(),
        sc.months,
        num::number(sc.runs as f64, 0),
        sc.inputs.len()
    )
}

/// The rest of `validate`'s report on a valid scenario: its segments and
/// team, its uncertain inputs with the 5–95% range of their draws, and
/// what `run` does not evaluate.
fn validated(sc: &Scenario) -> String {
    use std::fmt::Write;
    let uncertain: Vec<_> = crate::analysis::point::describe(sc).into_iter().filter(|i| i.uncertain).collect();
    let mut out = plan_lines(sc);
    let rows: Vec<Vec<String>> = uncertain
        .iter()
        .map(|i| {
            let per = if i.per_month { "each month" } else { "each run" };
            vec![i.path.clone(), crate::num::significant(i.p5, 3), crate::num::significant(i.median, 3), crate::num::significant(i.p95, 3), per.into()]
        })
        .collect();
    if !rows.is_empty() {
        out += &text::grid(&["uncertain input", "5%", "median", "95%", "drawn"], &rows, &[false, true, true, true, false]);
    }
    for p in sc.correlation.iter().flat_map(|c| &c.pairs) {
        let achieved = if (p.achieved - p.requested).abs() > 5e-4 { format!(" (asked {}, repaired)", p.requested) } else { String::new() };
        let _ = writeln!(out, "  correlated: {} ~ {}, rank {}{achieved}", p.between[0], p.between[1], crate::num::trimmed(p.achieved, 3));
    }
    if sc.sampling == crate::scenario::Sampling::LatinHypercube {
        let _ = writeln!(out, "  sampling: Latin hypercube over the runs (printed errors are conservative)");
    }
    if let Some(line) = super::run::unevaluated(sc) {
        let _ = writeln!(out, "  note: {line}");
    }
    out
}

/// A plan's segments and team in words (nothing for a classic file).
fn plan_lines(sc: &Scenario) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for seg in sc.segments.iter().filter(|_| sc.segmented) {
        let annual = seg.customers_annual.map_or(String::new(), |a| format!(" ({} prepaid a year)", shown(sc, a)));
        let _ = write!(
            out,
            "  segment {}: {} customers{annual} at {} a month, churn {} a month",
            seg.name,
            shown(sc, seg.customers),
            shown(sc, seg.price),
            shown(sc, seg.churn)
        );
        let _ = write!(out, ", {} new a month", shown(sc, seg.new));
        if let Some(e) = seg.expansion {
            let _ = write!(out, ", expansion {} a month", shown(sc, e));
        }
        if let Some(a) = &seg.annual {
            let _ = write!(out, ", {} of new customers prepay a year at {} off", shown(sc, a.share), shown(sc, a.discount));
        }
        if let Some(u) = &seg.usage {
            let _ = write!(out, ", {} units a month ({} included)", shown(sc, u.units), shown(sc, u.included));
        }
        out.push('\n');
    }
    for role in &sc.team {
        let count = sc.input(role.count);
        let steps: String = count.schedule.iter().map(|&(m, id)| format!(", {} from month {m}", shown(sc, id))).collect();
        let _ = writeln!(out, "  team {}: {} people{steps}, at {} a month each", role.role, shown(sc, role.count), shown(sc, role.salary));
    }
    out
}

/// An input's value, or the 5–95% range of an uncertain one.
fn shown(sc: &Scenario, id: crate::scenario::InputId) -> String {
    let d = &sc.input(id).dist;
    match d.as_fixed() {
        Some(v) => num::significant(v, 4),
        None => format!("{}–{}", num::significant(d.quantile(0.05), 3), num::significant(d.quantile(0.95), 3)),
    }
}
