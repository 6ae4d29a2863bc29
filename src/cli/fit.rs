//! `runway fit HISTORY.csv`: the plan's inputs from the company's own
//! months, as a TOML snippet to paste (each quantity with a comment naming
//! the months and counts it rests on) and a table of estimates.

use super::{Failure, voice::Voice};
use crate::fit::{self, Acquisition, Fitted, history::History};
use crate::num::number;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// A history CSV: month (YYYY-MM), customers, new_customers,
    /// churned_customers, and optionally paid_customers, marketing_spend,
    /// mrr, cash, expansion_mrr, contraction_mrr and churned_mrr
    /// (docs/fit.md).
    pub history: PathBuf,
    /// Write the TOML snippet here (else to standard output, the table to
    /// standard error).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print only errors, warnings and the `wrote` line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn fit(args: FitArgs) -> Result<u8, Failure> {
    let voice = Voice::new(args.quiet);
    let file = args.history.display().to_string();
    let histories = History::read_segments(&args.history)?;
    let fits: Vec<(Option<String>, Fitted)> = histories.iter().map(|(name, h)| (name.clone(), fit::fit(h))).collect();
    let (snippet, table) = match &fits[..] {
        [(None, fitted)] => (snippet(fitted, &file), table(fitted)),
        _ => {
            let named: Vec<(&str, &Fitted)> = fits.iter().map(|(n, f)| (n.as_deref().expect("every row names a segment"), f)).collect();
            let tables = named.iter().map(|(n, f)| format!("segment {n}\n{}", table(f))).collect::<Vec<_>>().join("\n");
            (segment_snippet(&named, &file), tables)
        }
    };
    for ((name, fitted), (_, h)) in fits.iter().zip(&histories) {
        for warning in warnings(fitted).into_iter().chain(fit::data_warnings(h)) {
            voice.warn(name.as_ref().map_or(warning.clone(), |n| format!("segment {n}: {warning}")));
        }
    }
    match &args.out {
        Some(path) => {
            if path.exists() && !args.force {
                return Err(anyhow::anyhow!("{} exists; give --force to replace it", path.display()).into());
            }
            std::fs::write(path, &snippet).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            voice.show(table);
            voice.done(format_args!("wrote {}", path.display()));
        }
        None => {
            if !args.quiet {
                eprint!("{table}");
            }
            print!("{snippet}");
        }
    }
    Ok(0)
}

/// What the fit rests on that a reader should weigh.
fn warnings(f: &Fitted) -> Vec<String> {
    let mut out = vec![];
    if f.months < 12 {
        out.push(format!("only {} months of history: the intervals are wide, and a season cannot be told from a trend", f.months));
    }
    let (b, se) = f.churn.trend;
    if (b / se).abs() >= fit::Z_TREND {
        let way = if b < 0.0 { "falling" } else { "rising" };
        out.push(format!("churn is {way} over the history (logit slope {b:+.4} ± {se:.4} a month); the fit is its average, not applied as a trend"));
    }
    out
}

/// The TOML snippet: `[churn]` and `[acquisition]` keys with comments.
pub fn snippet(f: &Fitted, file: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Fitted by `runway fit {file}` from {} months, {} to {}.", f.months, f.first, f.last);
    s += "[churn]\n";
    s += &churn_lines(f, "base");
    s += "\n[acquisition]\n";
    s += &acquisition_lines(f, true);
    if let Some(cac) = &f.cac {
        let _ = writeln!(s, "\n[acquisition.marketing]");
        let _ = writeln!(s, "# Spend ÷ paid customers over {} months: lognormal of the monthly ratios.", cac.months);
        let _ = writeln!(s, "cac = {}", f.quantity("cac").expect("the history has spend and paid customers"));
    }
    if f.expansion.is_some() {
        let _ = writeln!(s);
        s += &expansion_lines(f, "# A segment's key: put it in each [[segment]] it describes.\n# expansion");
    }
    s
}

/// The snippet of a history with a `segment` column: a `[[segment]]` per
/// segment with its customers at the history's end, churn, organic
/// acquisition and expansion (a segment's price is not in a history).
pub fn segment_snippet(fits: &[(&str, &Fitted)], file: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Fitted by `runway fit {file}`: a segment table for each segment of the history.");
    for (name, f) in fits {
        let _ = writeln!(s, "\n[[segment]]\nname = \"{name}\"");
        let _ = writeln!(s, "# {} months, {} to {}; the plan's month 1 is the month after {}.", f.months, f.first, f.last, f.last);
        let _ = writeln!(s, "customers = {}   # at the end of {}", f.last_customers, f.last);
        let _ = writeln!(s, "# price = …   # the segment's list price: a history does not hold it");
        s += &churn_lines(f, "churn");
        s += &acquisition_lines(f, false);
        if f.expansion.is_some() {
            s += &expansion_lines(f, "expansion");
        }
    }
    s
}

/// Churn's comments and `key = …`.
fn churn_lines(f: &Fitted, key: &str) -> String {
    let c = &f.churn;
    let mut s = String::new();
    let _ =
        writeln!(s, "# {} churned of {} customers at risk: Beta posterior of the monthly rate (Jeffreys prior).", number(c.churned, 0), number(c.at_risk, 0));
    match c.tau {
        None => {
            let _ = writeln!(s, "# Months vary as binomial counts do (Pearson X² = {:.1} on {} df, p = {:.2}).", c.x2, c.df, c.p_dispersion);
        }
        Some(tau) => {
            let _ = writeln!(
                s,
                "# Months vary more than binomial counts (Pearson X² = {:.1} on {} df, p = {:.3}): between-month sd {:.4}, drawn each month.",
                c.x2, c.df, c.p_dispersion, tau
            );
        }
    }
    let _ = writeln!(s, "{key} = {}", c.quantity());
    s
}

/// Organic acquisition's comments, `new` and `growth`, and with
/// `season` the seasonality when one was found.
fn acquisition_lines(f: &Fitted, season: bool) -> String {
    let mut s = String::new();
    let quantity = |column: &str| f.quantity(column).expect("a history always gives churn, new and growth");
    match &f.acquisition {
        Acquisition::Flat { total, months, growth } => {
            let _ = writeln!(
                s,
                "# {} organic new customers over {months} months; growth {:+.2}% ± {:.2}% a month is not told from 0 (z < {}): a flat flow, Gamma posterior of its mean.",
                number(*total, 0),
                100.0 * growth.0,
                100.0 * growth.1,
                fit::Z_TREND
            );
        }
        Acquisition::Growing { z, .. } => {
            let _ = writeln!(
                s,
                "# Organic new customers: Poisson regression on the month (growth z = {z:.1}); the level at the plan's month 1, the month after {}.",
                f.last
            );
        }
    }
    let _ = writeln!(s, "new = {}", quantity("new"));
    let _ = writeln!(s, "growth = {}", quantity("growth"));
    if let Some(found) = f.seasonality.as_ref().filter(|x| x.found && season) {
        let _ = writeln!(
            s,
            "# Seasonal: month terms in the regression save a deviance of {:.1} on 11 df (p = {:.2e}); `new` is an average month.",
            found.lr, found.p
        );
        let _ = writeln!(
            s,
            "# Multipliers by calendar month, January first; the plan's month 1 is the month after {}: set [scenario] start_month = {}.",
            f.last, found.start_month
        );
        let m: Vec<String> = found.multipliers.iter().map(|x| format!("{x:.3}")).collect();
        let _ = writeln!(s, "seasonality = [{}]", m.join(", "));
    }
    s
}

/// Expansion's comments and `key = …` (`key` may start a comment).
fn expansion_lines(f: &Fitted, key: &str) -> String {
    let e = f.expansion.as_ref().expect("the caller checked");
    let mut s = String::new();
    let _ = writeln!(s, "# Net expansion of kept customers' MRR over {} months: (expansion − contraction) ÷ (last month's MRR − churned MRR),", e.months);
    let _ = writeln!(s, "# {:.2}% a month on average, month-to-month sd {:.2}%.", 100.0 * e.mean, 100.0 * e.sd);
    let _ = writeln!(s, "{key} = {}", e.quantity());
    s
}

/// The table: parameter, estimate, 90% interval, months used.
fn table(f: &Fitted) -> String {
    let mut rows: Vec<[String; 4]> = vec![];
    let c = &f.churn;
    let (lo, hi) = c.interval();
    rows.push(["monthly churn".into(), pct(c.mean()), format!("{} – {}", pct(lo), pct(hi)), f.months.to_string()]);
    if let Some(tau) = c.tau {
        rows.push(["  between-month sd".into(), pct(tau), "—".into(), f.months.to_string()]);
    }
    match &f.acquisition {
        Acquisition::Flat { total, months, .. } => {
            let d = crate::dist::Dist::gamma(total + 0.5, 1.0 / months).expect("shape, scale > 0");
            rows.push([
                "new customers a month".into(),
                number(total / months, 1),
                format!("{} – {}", number(d.quantile(0.05), 1), number(d.quantile(0.95), 1)),
                f.months.to_string(),
            ]);
        }
        Acquisition::Growing { mu, sigma, growth, growth_sd, .. } => {
            let at = |z: f64| number((mu + z * sigma).exp(), 1);
            rows.push(["new customers, plan month 1".into(), at(0.0), format!("{} – {}", at(-1.6449), at(1.6449)), f.months.to_string()]);
            rows.push([
                "growth a month".into(),
                pct(*growth),
                format!("{} – {}", pct(growth - 1.6449 * growth_sd), pct(growth + 1.6449 * growth_sd)),
                f.months.to_string(),
            ]);
        }
    }
    if let Some(season) = &f.seasonality {
        let found = if season.found { "found" } else { "none" };
        rows.push(["seasonality of new customers".into(), found.into(), format!("p = {:.2}", season.p), f.months.to_string()]);
    }
    if let Some(cac) = &f.cac {
        let at = |z: f64| number((cac.mu + z * cac.sigma).exp(), 0);
        rows.push(["cost per paid customer (median)".into(), at(0.0), format!("{} – {}", at(-1.6449), at(1.6449)), cac.months.to_string()]);
    }
    if let Some(e) = &f.expansion {
        let (lo, hi) = (e.mean - 1.6449 * e.se, e.mean + 1.6449 * e.se);
        rows.push(["net expansion a month".into(), pct(e.mean), format!("{} – {}", pct(lo), pct(hi)), e.months.to_string()]);
    }
    let mut out = format!("{:<32} {:>12} {:>24} {:>7}\n", "parameter", "estimate", "90% interval", "months");
    for r in rows {
        let _ = writeln!(out, "{:<32} {:>12} {:>24} {:>7}", r[0], r[1], r[2], r[3]);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}
