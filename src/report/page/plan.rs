//! A plan's own sections: its segments, year by year, and MRR movements
//! (only for a file with segments, usage, a team, seasonality or a drawn month).

use super::{Ctx, Section, pct, table};
use crate::report::facts::plan::{PlanFacts, Year};
use crate::report::words::{self, Lang};

/// The plan's sections, in page order.
pub(super) fn sections(c: &Ctx) -> Vec<Section> {
    let Some(p) = &c.f.plan else { return vec![] };
    let mut out = vec![];
    if !p.segments.is_empty() {
        out.push(segments(c, p));
    }
    out.push(years(c, p));
    out.push(movements(c, p));
    out
}

/// Key-figure rows: NRR, gross margin and burn multiple (medians ± SE).
pub(super) fn key_rows(c: &Ctx) -> Vec<Vec<String>> {
    let Some(p) = &c.f.plan else { return vec![] };
    let w = c.w;
    let labels = [w.nrr_median, w.gross_margin_median, w.burn_multiple_median];
    // NRR and gross margin as percentages; the burn multiple as a ratio.
    let percent = [true, true, false];
    let mut rows: Vec<Vec<String>> =
        labels.iter().zip(&p.investor).zip(percent).map(|((label, v), pc)| vec![label.to_string(), c.n.figure(v, pc, false)]).collect();
    if let Some(row) = rows.last_mut().filter(|_| p.burning.not_burning.estimate.is_some_and(|s| s > 0.0)) {
        *row = vec![w.burn_multiple.to_string(), burn_multiple(c, p, &row[1])];
    }
    rows
}

/// The burn multiple's cell when some futures are not burning: with their
/// share ([`words::burn_multiple_cell`]).
fn burn_multiple(c: &Ctx, p: &PlanFacts, median_all: &str) -> String {
    let b = &p.burning;
    let share = b.not_burning.estimate.unwrap_or(0.0);
    let not_burning = c.n.share_se(b.not_burning.estimate, b.not_burning.se);
    let when_burning = c.n.figure(&b.median_when_burning, false, false);
    words::burn_multiple_cell(c.lang, &not_burning, median_all, &when_burning, share >= 0.5)
}

/// `median (p10–p90)`.
fn spread(q: &[f64; 3], f: &dyn Fn(f64) -> String) -> String {
    format!("{} ({}–{})", f(q[1]), f(q[0]), f(q[2]))
}

fn segments(c: &Ctx, p: &PlanFacts) -> Section {
    let w = c.w;
    let (count, money) = (|x: f64| c.n.count(x), |x: f64| c.n.money_short(x));
    let rows = p
        .segments
        .iter()
        .map(|s| vec![c.names.segment(&s.name).to_string(), spread(&s.customers, &count), spread(&s.mrr, &money), spread(&s.churn, &pct)])
        .collect();
    let customers = super::words::customers_in(c.lang, c.h());
    let mrr = super::words::mrr_in(c.lang, c.h());
    Section {
        id: "segments".into(),
        heading: w.segments_heading.into(),
        intro: vec![w.segments_intro.into()],
        chart: None,
        table: Some(table(&[w.segment_header, &customers, &mrr, w.monthly_churn], rows)),
        data: None,
    }
}

/// The year's label: "Year 1 (months 1–12)".
fn year_label(lang: Lang, y: &Year) -> String {
    let from = 12 * (y.year - 1) + 1;
    match lang {
        Lang::En => format!("Year {} (months {from}–{})", y.year, y.month),
        Lang::Zh => format!("第 {} 年（第 {from}–{} 月）", y.year, y.month),
    }
}

fn years(c: &Ctx, p: &PlanFacts) -> Section {
    let w = c.w;
    let money = |x: f64| c.n.money_short(x);
    let count = |x: f64| c.n.count(x);
    let measures: [(&str, &dyn Fn(f64) -> String); 7] = [
        (w.revenue, &money),
        (w.gross_margin, &pct),
        (w.operating_costs, &money),
        (w.net_burn, &money),
        (w.ending_cash, &money),
        (w.customers_row, &count),
        (w.arr, &money),
    ];
    let mut rows = vec![];
    for (k, (name, f)) in measures.iter().enumerate() {
        let plan: Vec<String> = p.years.iter().map(|y| f(y.plan[k])).collect();
        let median: Vec<String> = p.years.iter().map(|y| f(y.q[k][1])).collect();
        // One value when every future agrees (a fixed cost): `$4.40M`, not `$4.40M–$4.40M`.
        let spread = |lo: String, hi: String| if lo == hi { lo } else { format!("{lo}–{hi}") };
        let range: Vec<String> = p.years.iter().map(|y| spread(f(y.q[k][0]), f(y.q[k][2]))).collect();
        let label = |what: &str| match c.lang {
            Lang::En => format!("{name}, {what}"),
            Lang::Zh => format!("{name}（{what}）"),
        };
        rows.push([vec![label(w.on_averages)], plan].concat());
        rows.push([vec![label(w.simulated_median)], median].concat());
        rows.push([vec![label(w.simulated_range)], range].concat());
    }
    let labels: Vec<String> = p.years.iter().map(|y| year_label(c.lang, y)).collect();
    let headers: Vec<&str> = std::iter::once(w.year_figure).chain(labels.iter().map(String::as_str)).collect();
    Section {
        id: "years".into(),
        heading: w.years_heading.into(),
        intro: vec![w.years_intro.into()],
        chart: None,
        table: Some(table(&headers, rows)),
        data: None,
    }
}

fn movements(c: &Ctx, p: &PlanFacts) -> Section {
    let w = c.w;
    let rows = p
        .movements
        .iter()
        .map(|m| {
            let from = 12 * (m.year - 1) + 1;
            let label = match c.lang {
                Lang::En => format!("Year {} (from month {from})", m.year),
                Lang::Zh => format!("第 {} 年（自第 {from} 月）", m.year),
            };
            [label, c.n.money(m.start), c.n.money(m.new), c.n.money(m.expansion), c.n.money(m.contraction), c.n.money(m.churned), c.n.money(m.end)].to_vec()
        })
        .collect();
    let headers = [w.year, w.mrr_start, w.new_mrr, w.expansion_mrr, w.contraction_mrr, w.churned_mrr, w.mrr_end];
    Section {
        id: "movements".into(),
        heading: w.movements_heading.into(),
        intro: vec![w.movements_intro.into()],
        chart: None,
        table: Some(table(&headers, rows)),
        data: None,
    }
}
