//! The report's sections, charts and tables laid out from the numbers of
//! [`Facts`] (computed in [`super::facts`]) in the words of [`super::words`],
//! and the two documents (HTML and Markdown) from the templates in
//! `templates/` (minijinja; HTML auto-escaped, charts inserted as trusted SVG).

mod backtest;
mod plan;

use super::facts::{AccuracyFacts, Facts, Histogram};
use super::svg::{self, BAND_INNER, BAND_OUTER, CONTRAST, Chart, LINE};
use super::words::{self, Lang, Numbers, Words};
use crate::analysis::sensitivity::SensitivityRow;
use crate::scenario::Scenario;
use serde::Serialize;

/// What the command line adds: the language, a date to print (never the
/// clock's), and the command that reproduces the report.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub lang: Lang,
    pub date: Option<String>,
    pub command: String,
}

/// The finished report: two documents and the charts the Markdown links.
pub(crate) struct Rendered {
    pub html: String,
    pub markdown: String,
    /// `(file name, svg)`, for `charts/`.
    pub charts: Vec<(String, String)>,
}

#[derive(Serialize, Clone)]
struct TableView {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per row, a tooltip (the row's figure in the figure language, to
    /// copy into a command); empty for none.
    titles: Vec<String>,
}

#[derive(Serialize)]
struct ChartRef {
    file: String,
    title: String,
    svg: String,
}

#[derive(Serialize)]
struct Section {
    id: String,
    heading: String,
    intro: Vec<String>,
    chart: Option<ChartRef>,
    /// Shown in full.
    table: Option<TableView>,
    /// The chart's numbers, collapsed under "Data".
    data: Option<TableView>,
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    title: String,
    subtitle: String,
    date: Option<String>,
    findings: Vec<String>,
    sections: Vec<Section>,
    data_label: String,
    findings_label: String,
    reproduce_label: String,
    reproduce: TableView,
    command: String,
    footer: String,
}

/// What a section needs: the scenario, its numbers, how to write numbers
/// and money, and the words in the report's language.
struct Ctx<'a> {
    sc: &'a Scenario,
    f: &'a Facts,
    n: Numbers,
    lang: Lang,
    w: &'static Words,
    /// The plan's segment and role names in `lang`.
    names: words::PlanNames,
    /// The scenario's figure names, to read figures back into words.
    catalog: crate::figure::Catalog,
}

impl Ctx<'_> {
    fn h(&self) -> u32 {
        self.sc.months
    }

    fn month(&self, m: f64) -> String {
        format!("{m:.0}")
    }

    /// The scenario's name in the report's language (`name_zh` in
    /// Chinese, when the file gives one).
    fn name(&self) -> &str {
        words::in_lang(self.lang, &self.sc.name, self.sc.name_zh.as_deref())
    }

    /// A stress's name in the report's language.
    fn stress_name<'a>(&'a self, name: &'a str) -> &'a str {
        words::in_lang(self.lang, name, self.sc.stresses.iter().find(|s| s.name == name).and_then(|s| s.name_zh.as_deref()))
    }

    /// An input's dotted path in the report's words.
    fn input_name(&self, path: &str) -> String {
        words::input_name_in(path, self.lang, &self.names)
    }

    /// An input's words alone, without its path: for a chart's labels.
    fn input_words(&self, path: &str) -> String {
        words::input_words_in(path, self.lang, &self.names)
    }

    /// An input's value as its kind reads: a rate or share (written as a
    /// fraction) in percent, `2.13%`; anything else as [`Numbers::value`].
    fn input_value(&self, path: &str, x: f64) -> String {
        let fraction = self.sc.inputs.iter().find(|i| i.path == path).is_some_and(|i| i.domain.fraction);
        if fraction && x.is_finite() && x != 0.0 {
            let percent = 100.0 * x;
            let decimals = (2 - percent.abs().log10().floor() as i64).clamp(0, 6) as usize;
            return crate::num::trimmed(percent, decimals) + "%";
        }
        self.n.value(x)
    }

    /// An axis title for money, with its currency: "Cash (USD)", "现金（美元）".
    fn money_title(&self, name: &str) -> String {
        words::money_title(self.lang, name, self.sc.currency.as_deref())
    }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> TableView {
    TableView { headers: headers.iter().map(|h| h.to_string()).collect(), rows, titles: vec![] }
}

/// A figure of the figure language in the report's words (the text as it
/// is if it does not parse).
fn figure_cell(c: &Ctx, text: &str) -> String {
    crate::figure::Figure::parse(text, &c.catalog).map_or_else(|_| text.to_string(), |f| words::figure_words(&f, c.lang, &c.names, &|x| c.n.value(x)))
}

/// HTML text whose figures a line never breaks inside: `¥301万 ± 5万` joined
/// by no-break spaces, and a minus kept on its number (`-¥149.4万`) by a
/// word joiner (U+2060, invisible), since a line may otherwise break after
/// a hyphen. Only a minus that starts a word is joined, so a date or a file
/// name (`q3-2026`) is left as it is.
fn unbroken(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut starts_word = true;
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '-' && starts_word && chars.peek().is_some_and(|&n| n.is_ascii_digit() || "¥$€£".contains(n)) {
            out.push('\u{2060}');
        }
        starts_word = c.is_whitespace() || c == '(' || c == '（';
    }
    out.replace(" ± ", "\u{a0}±\u{a0}")
}

/// Renders the report.
pub(crate) fn render(sc: &Scenario, facts: &Facts, opts: &Options) -> anyhow::Result<Rendered> {
    let c = Ctx {
        sc,
        f: facts,
        n: Numbers::new(opts.lang, sc.currency.as_deref(), sc.runs),
        lang: opts.lang,
        w: opts.lang.words(),
        names: words::PlanNames::of(sc, opts.lang),
        catalog: sc.catalog(),
    };
    let w = c.w;
    let mut sections = vec![key_figures(&c)];
    sections.extend(notes(&c));
    sections.push(averages(&c));
    sections.extend(plan::sections(&c));
    sections.push(fan(&c, "cash", "cash", w.cash, true));
    sections.push(survival(&c));
    sections.push(fan(&c, "customers", "customers", w.customers, false));
    sections.push(fan(&c, "mrr", "mrr", w.mrr, false));
    sections.push(final_cash(&c));
    sections.extend(tornado(&c));
    sections.extend(stresses(&c));
    sections.extend(checks(&c));
    sections.extend(accuracy(&c));
    sections.extend(backtest::sections(&c));
    sections.push(inputs(&c));
    sections.push(unit_economics(&c));
    let charts: Vec<(String, String)> =
        sections.iter().filter_map(|s| s.chart.as_ref().map(|ch| (ch.file.trim_start_matches("charts/").to_string(), ch.svg.clone() + "\n"))).collect();
    let page = Page {
        lang: opts.lang.code(),
        title: format!("{} — {}", c.name(), w.risk_report),
        subtitle: words::subtitle(c.lang, &crate::num::number(sc.runs as f64, 0), c.h(), sc.seed),
        date: opts.date.clone(),
        findings: findings(&c),
        sections,
        data_label: w.data.into(),
        findings_label: w.findings.into(),
        reproduce_label: w.reproduce.into(),
        reproduce: reproduce(&c),
        command: opts.command.clone(),
        footer: w.footer.into(),
    };
    documents(&page).map(|(html, markdown)| Rendered { html, markdown, charts })
}

/// The page through the two templates: `(html, markdown)`.
fn documents(page: &Page) -> anyhow::Result<(String, String)> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("md", |s: String| crate::present::markdown::text(&s));
    env.add_filter("code", |s: String| crate::present::markdown::code(&s));
    env.add_filter("fence", |s: String| crate::present::markdown::block(&s, "sh"));
    // HTML escaping of the five characters that need it; minijinja's own
    // also writes `/` as `&#x2f;`, which makes paths in the page unreadable
    // as source and unsearchable. A value and its error are kept on one
    // line (no-break spaces around `±`): a narrow printed cell breaks
    // between words, never inside `¥301万 ± 5万`.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(s) if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() => {
            out.write_str(&unbroken(&svg::esc(s))).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing the page"))
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.add_template("report.html", include_str!("../../templates/report.html"))?;
    env.add_template("report.md", include_str!("../../templates/report.md"))?;
    let html = env.get_template("report.html")?.render(page)?;
    let markdown = env.get_template("report.md")?.render(page)?;
    Ok((html, markdown))
}

fn findings(c: &Ctx) -> Vec<String> {
    let h = c.h();
    let hl = &c.f.results.headline;
    let min_cash = c.f.lowest_cash_p10(c.sc);
    let same = min_cash.se == Some(0.0);
    let amount = if same { c.n.money(min_cash.estimate.unwrap_or(f64::NAN)) } else { c.n.money_se(min_cash.estimate, min_cash.se) };
    let mut out = vec![words::lowest_cash_finding(c.lang, h, &amount, same)];
    let p = c.n.share_se(hl.p_default.estimate, hl.p_default.se);
    out.push(words::runs_out_finding(c.lang, h, &p));
    out.push(averages_finding(c, &p));
    out.extend(groups_findings(c));
    out.extend(driver_finding(c));
    for s in c.f.stresses.iter().filter(|s| s.probability) {
        let (v, d) = (c.n.share_se(s.value.estimate, s.value.se), c.n.points_se(s.diff.diff, s.diff.se));
        out.push(words::stress_finding(c.lang, c.stress_name(&s.stress), h, &v, &d));
    }
    if let Some(worth) = c.f.accuracy_worth() {
        let amount = c.n.money_se(Some(worth.per_point.abs()), Some(worth.se));
        let first_step = c.sc.accuracy.as_ref().and_then(|a| a.steps.first()).map(|&(month, _)| month);
        out.push(words::accuracy_finding(c.lang, &amount, (worth.from, worth.to), worth.per_point >= 0.0, first_step));
    }
    out
}

/// Final cash, ARR and customers in two groups of futures, each when it
/// falls into two ([`crate::aggregate::Groups`]): each group's share and median.
fn groups_findings(c: &Ctx) -> Vec<String> {
    let hl = &c.f.results.headline;
    let w = c.w;
    // Money, or a count of customers.
    let figures =
        [(w.final_cash_groups, &hl.final_cash, true), (w.final_arr_groups, &hl.final_arr, true), (w.final_customers_groups, &hl.final_customers, false)];
    let share = |s: f64| format!("{:.0}%", 100.0 * s);
    figures
        .iter()
        .filter_map(|&(name, spread, money)| {
            let shown = |e: &crate::aggregate::Estimate| {
                if money { c.n.money_se(e.estimate, e.se) } else { crate::present::text::figure_value(e.estimate, e.se, false) }
            };
            let g = spread.groups.as_ref()?;
            let (high, low) = ((share(g.high.share), shown(&g.high.median)), (share(g.low.share), shown(&g.low.median)));
            let groups = words::Groups { figure: name, why: g.explained_by, high: (&high.0, &high.1), low: (&low.0, &low.1) };
            Some(words::groups_finding(c.lang, &groups, &shown(&spread.p50), g.median_between()))
        })
        .collect()
}

/// The plan on its averages against the median future ("the flaw of
/// averages" when [`Facts::averages_mislead`]).
fn averages_finding(c: &Ctx, p_default: &str) -> String {
    let hl = &c.f.results.headline;
    let (plan_s, median_s) = (c.n.money_short(c.f.averages.final_cash()), c.n.money_se(hl.final_cash.p50.estimate, hl.final_cash.p50.se));
    words::averages_finding(c.lang, c.f.averages.default_month, c.f.averages_mislead(), &plan_s, &median_s, p_default)
}

/// The input that moves median final cash most, named alone only when its
/// swing is clearly ahead of the next ([`Facts::driver`]).
fn driver_finding(c: &Ctx) -> Option<String> {
    let d = c.f.driver()?;
    let name = c.input_name(&d.top.input);
    let swing = c.n.money_se(d.top.swing.diff.map(f64::abs), d.top.swing.se);
    if d.top.two_valued && d.alone {
        let t = d.top;
        let values = (c.input_value(&t.input, t.low_at), c.input_value(&t.input, t.high_at));
        let at = (c.n.money_se(t.low.estimate, t.low.se), c.n.money_se(t.high.estimate, t.high.se));
        return Some(words::driver_two_values_finding(c.lang, &name, (&values.0, &values.1), (&at.0, &at.1), &swing));
    }
    let second = d.second.map(|r| c.input_name(&r.input)).unwrap_or_default();
    Some(words::driver_finding(c.lang, &name, &second, &swing, d.rises, d.alone))
}

fn key_figures(c: &Ctx) -> Section {
    let (hl, n, w) = (&c.f.results.headline, &c.n, c.w);
    let mut rows: Vec<Vec<String>> = runway_rows(c);
    for d in &hl.p_default_by {
        rows.push(vec![words::p_default_by(c.lang, d.month), n.share_se(d.p.estimate, d.p.se)]);
    }
    let money = |label: &str, e: &crate::aggregate::Estimate| vec![label.to_string(), n.money_se(e.estimate, e.se)];
    rows.push(money(w.final_cash_p10, &hl.final_cash.p10));
    rows.push(money(w.final_cash_median, &hl.final_cash.p50));
    rows.push(money(w.final_cash_p90, &hl.final_cash.p90));
    rows.push(money(w.final_arr_median, &hl.final_arr.p50));
    let customers = &hl.final_customers.p50;
    rows.push(vec![w.final_customers_median.into(), crate::present::text::figure_value(customers.estimate, customers.se, false)]);
    let month = |metric: &str| c.f.median(c.sc, metric).estimate.map_or(w.not_within_horizon.into(), |m| format!("{m:.0}"));
    rows.push(vec![w.breakeven_month.into(), month("breakeven_month")]);
    rows.push(vec![w.first_profit_month.into(), month("first_profit_month")]);
    rows.push(vec![w.p_breakeven.into(), n.share_se(hl.p_breakeven.estimate, hl.p_breakeven.se)]);
    rows.push(money(w.funding_need, &hl.funding_need.mean));
    rows.extend(plan::key_rows(c));
    Section {
        id: "key".into(),
        heading: w.key_heading.into(),
        intro: vec![w.key_intro.into()],
        chart: None,
        table: Some(table(&[w.figure_header, w.value_se], rows)),
        data: None,
    }
}

/// `[scenario] notes`: the plan's assumptions in its own words, one
/// paragraph per block of lines (a blank line between two).
fn notes(c: &Ctx) -> Option<Section> {
    let zh = c.sc.notes_zh.as_deref().filter(|_| c.lang == Lang::Zh);
    let text = zh.or(c.sc.notes.as_deref())?;
    let paragraphs: Vec<String> =
        text.replace("\r\n", "\n").split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()).collect();
    (!paragraphs.is_empty()).then(|| Section { id: "notes".into(), heading: c.w.notes_heading.into(), intro: paragraphs, chart: None, table: None, data: None })
}

/// Months of runway: the month cash runs out by in 1 future in 10 (the
/// p10 of each run's default month) and in half of them (the median), with
/// their 95% intervals; "never within the plan's months" when fewer
/// futures than that run out.
fn runway_rows(c: &Ctx) -> Vec<Vec<String>> {
    let d = c.f.run_values("default_month");
    [(c.w.runway_p10, "p10"), (c.w.runway_median, "median")]
        .into_iter()
        .map(|(label, q)| {
            let v = super::facts::estimate(c.sc, &format!("{q}(default_month)"), d);
            let shown = match v.estimate {
                None if v.runs > 0 => c.w.lasts_the_horizon.to_string(),
                _ => c.n.figure(&v, false, false),
            };
            vec![label.to_string(), shown]
        })
        .collect()
}

fn averages(c: &Ctx) -> Section {
    let (a, hl, w) = (&c.f.averages, &c.f.results.headline, c.w);
    let h = c.h() as usize;
    let default = match a.default_month {
        Some(m) => words::in_month(c.lang, m),
        None => w.never.into(),
    };
    let rows = vec![
        vec![w.final_cash_row.into(), c.n.money_short(a.cash[h - 1]), c.n.money_se(hl.final_cash.p50.estimate, hl.final_cash.p50.se)],
        vec![words::customers_in(c.lang, c.h()), c.n.count(a.customers[h - 1]), c.n.count(c.f.horizon_median("customers"))],
        vec![words::mrr_in(c.lang, c.h()), c.n.money_short(a.mrr[h - 1]), c.n.money_short(c.f.horizon_median("mrr"))],
        vec![w.runs_out.into(), default, format!("{} {}", c.n.share_se(hl.p_default.estimate, hl.p_default.se), w.of_futures)],
    ];
    Section {
        id: "averages".into(),
        heading: w.averages_heading.into(),
        intro: vec![w.averages_intro.into()],
        chart: None,
        table: Some(table(&[w.figure_header, w.plan_on_averages_header, w.simulated_futures], rows)),
        data: None,
    }
}

/// A fan chart in the manner of the Bank of England's: p5–p95 and p25–p75
/// bands, the median, and for cash the zero line, funding months and the
/// plan on its averages.
fn fan(c: &Ctx, metric: &str, id: &str, name: &str, money: bool) -> Section {
    let w = c.w;
    let q = c.f.quantiles(metric);
    let months: Vec<f64> = (1..=q.len()).map(|m| m as f64).collect();
    let col = |k: usize| q.iter().map(|r| r[k]).collect::<Vec<f64>>();
    let plan = match metric {
        "cash" => Some(&c.f.averages.cash),
        "customers" => Some(&c.f.averages.customers),
        "mrr" => Some(&c.f.averages.mrr),
        _ => None,
    };
    let all = col(0).into_iter().chain(col(6)).chain(plan.into_iter().flatten().copied()).chain(money.then_some(0.0));
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let title = if matches!(metric, "cash" | "mrr") { c.money_title(name) } else { name.to_string() };
    let mut ch = Chart::new((1.0, months.len() as f64), (lo, hi), (w.month, &title), &|v| c.month(v), &|v| c.n.axis(v));
    ch.band(&months, &col(0), &col(6), BAND_OUTER);
    ch.band(&months, &col(2), &col(4), BAND_INNER);
    ch.line(&months, &col(3), LINE, 2.5, "");
    if money {
        ch.hline(0.0, "#000000");
    }
    if metric == "cash" {
        for (window, label) in round_events(c) {
            ch.event(window.0, window.1, &label);
        }
    }
    if let Some(p) = plan {
        ch.line(&months, p, CONTRAST, 2.0, "7 4");
    }
    ch.legend(BAND_OUTER, "", w.p5_p95);
    ch.legend(BAND_INNER, "", w.p25_p75);
    ch.legend(LINE, "", w.median);
    if plan.is_some() {
        ch.legend(CONTRAST, "7 4", w.plan_on_averages_legend);
    }
    let title = format!("{name}{}", w.fan_title);
    let mut intro = vec![w.fan_desc.to_string()];
    if metric == "cash" && c.f.results.headline.final_cash.groups.is_some() {
        // The median line may jump where the futures part into two groups.
        intro.push(w.fan_groups.into());
    }
    Section {
        id: id.into(),
        heading: name.into(),
        intro,
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.clone(), svg: ch.finish(id, &title, w.fan_desc) }),
        table: None,
        data: Some(fan_data(c, &q, plan.map(Vec::as_slice), money)),
    }
}

/// Each funding round within the horizon once: its month, or the window
/// of months a drawn month can take, and a label with its odds ("round
/// 50%", "round 50%, months 12–20").
fn round_events(c: &Ctx) -> Vec<((f64, f64), String)> {
    let h = f64::from(c.h());
    c.sc.funding
        .iter()
        .filter_map(|r| {
            let (lo, hi) = match r.month {
                crate::scenario::EventMonth::Fixed(m) => (f64::from(m), f64::from(m)),
                crate::scenario::EventMonth::Drawn(id) => {
                    let (lo, hi) = c.sc.input(id).dist.support();
                    (lo.round().max(1.0), hi.round().min(h))
                }
            };
            if lo > h || hi < 1.0 {
                return None;
            }
            let odds = format!("{} {:.0}%", c.w.round, 100.0 * r.probability);
            let label = if hi > lo { words::round_window(c.lang, &odds, lo as u32, hi as u32) } else { odds };
            Some(((lo, hi), label))
        })
        .collect()
}

/// A fan chart's numbers: per month its p5, p25, median, p75 and p95, and
/// the plan on its averages when there is one.
fn fan_data(c: &Ctx, q: &[[f64; 7]], plan: Option<&[f64]>, money: bool) -> TableView {
    let w = c.w;
    let fmt = |v: f64| if money { c.n.money(v) } else { c.n.count(v) };
    let rows = q
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![format!("{}", i + 1), fmt(r[0]), fmt(r[2]), fmt(r[3]), fmt(r[4]), fmt(r[6])];
            row.extend(plan.map(|p| fmt(p[i])));
            row
        })
        .collect();
    let mut headers = vec![w.month, w.p5, w.p25, w.median, w.p75, w.p95];
    if plan.is_some() {
        headers.push(w.plan_on_averages);
    }
    table(&headers, rows)
}

fn survival(c: &Ctx) -> Section {
    let w = c.w;
    let s = c.f.survival(c.h());
    // Room below the lowest step, so that it does not lie on the axis.
    let lowest = (s.alive.iter().copied().fold(1.0, f64::min) - 0.03).clamp(0.0, 0.9);
    let mut ch = Chart::new((0.0, f64::from(c.h())), (lowest, 1.0), (w.month, w.share_with_cash), &|v| c.month(v), &|v| format!("{:.0}%", 100.0 * v));
    ch.steps(&s.months, &s.alive, LINE);
    let id = "survival";
    let (title, desc) = (w.survival_title, w.survival_desc);
    let rows =
        s.months.iter().zip(&s.alive).zip(&s.se).map(|((m, a), se)| vec![c.month(*m), format!("{:.2}%", 100.0 * a), format!("± {:.2}%", 100.0 * se)]).collect();
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(&[w.month, w.not_yet_out, w.se], rows)),
    }
}

fn final_cash(c: &Ctx) -> Section {
    let w = c.w;
    let fc = c.f.final_cash();
    let hist = &fc.histogram;
    let mut ch = Chart::new((hist.start, hist.end), (0.0, hist.top()), (&c.money_title(w.final_cash_axis), w.share_of_futures), &|x| c.n.axis(x), &|y| {
        format!("{:.0}%", 100.0 * y)
    });
    let mut hatched = false;
    for k in 0..hist.counts.len() {
        let a = hist.from(k);
        let below_zero = a + 0.5 * hist.width < 0.0;
        hatched |= below_zero && hist.share(k) > 0.0;
        ch.bar(a, a + hist.width, hist.share(k), BAND_INNER, below_zero);
    }
    let (below, below_se) = fc.below_zero;
    // A legend only for what is drawn: no hatched bar, no entry for one.
    if hatched {
        ch.legend(CONTRAST, "", &format!("{} {:.1}%", w.cash_below_zero, 100.0 * below));
    }
    let id = "final-cash";
    let (title, desc) = (w.final_cash_title, w.final_cash_desc);
    let rows = (0..hist.counts.len()).map(|k| vec![c.n.money(hist.from(k)), c.n.money(hist.from(k + 1)), format!("{:.2}%", 100.0 * hist.share(k))]).collect();
    let p = c.n.share_se(Some(below), Some(below_se));
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into(), format!("{}{p}", w.p_final_cash_below)],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(&[w.from, w.to, w.share], rows)),
    }
}

/// The tornado: median final cash with each of the (at most 8) most
/// influential inputs held at its p10 and at its p90; `None` without any.
fn tornado(c: &Ctx) -> Option<Section> {
    let rows: Vec<&SensitivityRow> = c.f.tornado.iter().filter(|r| !r.probability).take(8).collect();
    if rows.is_empty() {
        return None;
    }
    let id = "tornado";
    let (title, desc) = (c.w.tornado_title, c.w.tornado_desc);
    Some(Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: tornado_chart(c, &rows).finish(id, title, desc) }),
        table: Some(tornado_table(c, &rows)),
        data: None,
    })
}

/// The tornado's chart: one row of two bars per input, from the plan's median
/// final cash (currency units) to its value with the input at p10 and at p90,
/// top row first.
fn tornado_chart(c: &Ctx, rows: &[&SensitivityRow]) -> Chart {
    let base = c.f.results.headline.final_cash.p50.estimate.unwrap_or(0.0);
    tornado_svg(rows, base, &c.money_title(c.w.median_final_cash), &c.n, c.w, &|path| c.input_words(path))
}

/// A tornado of `rows` around `base` (median final cash), the x axis
/// titled `x_title`, each row labelled by `label` of its input's path:
/// the report's, and the live page's (`runway serve`).
pub(crate) fn tornado_svg(rows: &[&SensitivityRow], base: f64, x_title: &str, n: &Numbers, w: &Words, label: &dyn Fn(&str) -> String) -> Chart {
    let ends = rows.iter().flat_map(|r| [r.low.estimate, r.high.estimate]).flatten().chain([base]);
    let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let span = (hi - lo).max(1.0);
    let k = rows.len() as f64;
    // Room above the top bar for the median's label.
    let mut ch = Chart::new((lo - 0.9 * span, hi + 0.1 * span), (-0.5, k + 0.1), (x_title, ""), &|x| n.axis(x), &|_| String::new());
    for (i, r) in rows.iter().enumerate() {
        let y = k - 1.0 - i as f64;
        let (l, h) = (r.low.estimate.unwrap_or(base), r.high.estimate.unwrap_or(base));
        ch.hbar(base, l, y, 14.0, BAND_OUTER);
        ch.hbar(base, h, y, 14.0, BAND_INNER);
        ch.label(l.min(h) - 0.02 * span, y, &label(&r.input), "end");
    }
    ch.vline(base, w.median);
    ch.legend(BAND_OUTER, "", w.input_at_p10);
    ch.legend(BAND_INNER, "", w.input_at_p90);
    ch
}

/// The tornado's table: per input, its p10 → p90 values, median final cash at
/// each (with standard errors), the swing between them and its variance share.
fn tornado_table(c: &Ctx, rows: &[&SensitivityRow]) -> TableView {
    let w = c.w;
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                c.input_name(&r.input),
                if r.two_valued {
                    words::either(c.lang, &c.input_value(&r.input, r.low_at), &c.input_value(&r.input, r.high_at))
                } else {
                    format!("{} → {}", c.input_value(&r.input, r.low_at), c.input_value(&r.input, r.high_at))
                },
                c.n.money_se(r.low.estimate, r.low.se),
                c.n.money_se(r.high.estimate, r.high.se),
                c.n.money_se(r.swing.diff, r.swing.se),
                r.variance_share.map_or("—".into(), |v| if v > 0.0 && v < 0.005 { "< 1%".into() } else { format!("{:.0}%", 100.0 * v) }),
            ]
        })
        .collect();
    table(&[w.input, w.p10_to_p90, w.at_p10, w.at_p90, w.swing, w.variance_share], table_rows)
}

fn stresses(c: &Ctx) -> Option<Section> {
    if c.f.stresses.is_empty() {
        return None;
    }
    let w = c.w;
    let rows =
        c.f.stresses
            .iter()
            .map(|r| {
                let fmt = |v: &crate::figure::FigureValue| c.n.figure(v, r.probability, !r.probability);
                let diff = c.n.difference(&r.diff, r.probability, !r.probability);
                vec![c.stress_name(&r.stress).to_string(), figure_cell(c, &r.figure), fmt(&r.base), fmt(&r.value), diff]
            })
            .collect();
    let mut t = table(&[w.stress, w.figure, w.plan, w.stressed, w.difference], rows);
    t.titles = c.f.stresses.iter().map(|r| r.figure.clone()).collect();
    Some(Section { id: "stresses".into(), heading: w.stresses_heading.into(), intro: vec![w.stresses_intro.into()], chart: None, table: Some(t), data: None })
}

/// The plan's `[[assert]]`s with their verdicts on the report's runs
/// ([`crate::report::facts::CHECK_Z`]): name, simulation, figure and its
/// value, target, verdict; the row's title is the assertion as written.
fn checks(c: &Ctx) -> Option<Section> {
    use crate::model::units::Unit;
    let checked = c.f.checks.as_ref()?;
    let w = c.w;
    let rows =
        c.sc.asserts
            .iter()
            .zip(&checked.verdicts)
            .map(|(a, v)| {
                let figure = figure_cell(c, &v.figure);
                // An unnamed rule is named by its figure.
                let name = words::in_lang(c.lang, a.name.as_deref().unwrap_or(&figure), a.name_zh.as_deref()).to_string();
                let on = a.stress.as_deref().map_or(w.plan, |s| c.stress_name(s)).to_string();
                let unit = crate::model::units::unit_of_figure(&v.figure);
                let (percent, money) = (unit == Unit::Percent, unit == Unit::Money);
                let value = c.n.figure(&v.value, percent, money);
                let threshold = match unit {
                    Unit::Percent => crate::num::trimmed(100.0 * v.threshold, 3) + "%",
                    Unit::Money => c.n.money_short(v.threshold),
                    _ => c.n.value(v.threshold),
                };
                let target = format!("{} {threshold}", words::cmp_words(a.target.cmp, c.lang));
                let verdict = match v.status {
                    crate::analysis::check::Status::Pass => w.passed,
                    crate::analysis::check::Status::Fail => w.failed,
                    crate::analysis::check::Status::Undecided => w.undecided,
                };
                vec![name, on, figure, value, target, verdict.to_string()]
            })
            .collect();
    let mut t = table(&[w.check, w.simulated_on, w.figure, w.value_se, w.target, w.verdict], rows);
    t.titles = c.sc.asserts.iter().map(|a| a.expect.clone()).collect();
    Some(Section { id: "checks".into(), heading: w.checks_heading.into(), intro: vec![w.checks_intro.into()], chart: None, table: Some(t), data: None })
}

fn accuracy(c: &Ctx) -> Vec<Section> {
    let Some(a) = &c.f.accuracy else { return vec![] };
    let mut out = vec![accuracy_draws(c, a), churn_multiplier(c, a)];
    // Planned model changes: the accuracy's path month by month.
    if c.sc.accuracy.as_ref().is_some_and(|a| !a.steps.is_empty()) {
        out.push(fan(c, "accuracy", "accuracy-path", c.w.accuracy_path, false));
    }
    out.extend(accuracy_worth_table(c, a));
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The accuracy each future draws.
fn accuracy_draws(c: &Ctx, a: &AccuracyFacts) -> Section {
    let w = c.w;
    let hist = a.histogram();
    let id = "accuracy";
    let (title, desc) = (w.accuracy_title, w.accuracy_desc);
    let (q05, q95) = a.middle_90();
    Section {
        id: id.into(),
        heading: w.accuracy_heading.into(),
        intro: vec![desc.into(), format!("{} {} – {} · {} {}", w.range_5_95_label, pct(q05), pct(q95), w.reference_accuracy, pct(a.reference))],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: accuracy_chart(c, a, &hist).finish(id, title, desc) }),
        table: None,
        data: Some(table(
            &[w.from, w.share],
            (0..hist.counts.len()).map(|k| vec![format!("{:.2}%", 100.0 * hist.from(k)), format!("{:.2}%", 100.0 * hist.share(k))]).collect(),
        )),
    }
}

/// The histogram of the drawn accuracy, with the reference marked.
fn accuracy_chart(c: &Ctx, a: &AccuracyFacts, hist: &Histogram) -> Chart {
    let w = c.w;
    let mut ch =
        Chart::new((hist.start, hist.end), (0.0, hist.top().max(1e-9)), (w.model_accuracy, w.share_of_futures), &pct, &|y| format!("{:.0}%", 100.0 * y));
    for k in 0..hist.counts.len() {
        ch.bar(hist.from(k), hist.from(k + 1), hist.share(k), BAND_INNER, false);
    }
    ch.vline(a.reference, w.reference);
    ch
}

/// The churn multiplier the link implies over the accuracy range.
fn churn_multiplier(c: &Ctx, a: &AccuracyFacts) -> Section {
    let w = c.w;
    let xs: Vec<f64> = a.multiplier.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = a.multiplier.iter().map(|p| p.1).collect();
    let (ylo, yhi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| (l.min(*y), h.max(*y)));
    let mut ch = Chart::new(a.range(), (ylo.min(0.9), yhi.max(1.1)), (w.model_accuracy, w.churn_multiplier), &pct, &|y| format!("×{y:.2}"));
    ch.line(&xs, &ys, LINE, 2.5, "");
    ch.hline(1.0, "#000000");
    ch.vline(a.reference, w.reference);
    let id = "churn-multiplier";
    let (title, desc) = (w.churn_title, w.churn_desc);
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(&[w.accuracy, w.multiplier], a.multiplier.iter().step_by(4).map(|(x, m)| vec![pct(*x), format!("×{m:.3}")]).collect())),
    }
}

/// The sweep over accuracy, when the draws vary.
fn accuracy_worth_table(c: &Ctx, a: &AccuracyFacts) -> Option<Section> {
    if a.sweep.is_empty() {
        return None;
    }
    let w = c.w;
    let rows = a
        .sweep
        .iter()
        .map(|r| {
            let v = c.n.figure(&r.estimate, r.probability, !r.probability);
            // The first value is the reference: no difference from itself.
            let reference = r.value == a.sweep[0].value;
            let d = if reference { "—".to_string() } else { c.n.difference(&r.diff, r.probability, !r.probability) };
            vec![pct(r.value), figure_cell(c, &r.figure), v, d]
        })
        .collect();
    let mut t = table(&[w.accuracy, w.figure, w.value, w.difference], rows);
    t.titles = a.sweep.iter().map(|r| r.figure.clone()).collect();
    let mut intro = vec![w.worth_intro.to_string()];
    // With planned model changes the sweep moves the accuracy before the
    // first of them only; say so, or the worth reads as the later level's.
    if let Some(&(month, _)) = c.sc.accuracy.as_ref().and_then(|a| a.steps.first()) {
        intro.push(words::worth_before_steps(c.lang, month));
    }
    if let Some(worth) = c.f.accuracy_worth() {
        intro.push(format!("{} {}", w.worth_per_point, c.n.money_se(Some(worth.per_point), Some(worth.se))));
    }
    Some(Section { id: "accuracy-worth".into(), heading: w.worth_heading.into(), intro, chart: None, table: Some(t), data: None })
}

fn inputs(c: &Ctx) -> Section {
    let w = c.w;
    let rows =
        c.f.inputs
            .iter()
            .map(|&id| {
                let input = c.sc.input(id);
                let per = if input.per == crate::scenario::Per::Month { w.monthly_draw } else { "" };
                let value = |x: f64| c.input_value(&input.path, x);
                let range = match input.dist.as_fixed() {
                    Some(v) => value(v),
                    None => {
                        let (lo, hi) = c.f.input_range(c.sc, id);
                        format!("{} – {}", value(lo), value(hi))
                    }
                };
                // As the file wrote it (on one line), else the distribution.
                let written = input.written.as_deref().map_or_else(|| input.dist.label().to_string(), |t| t.split_whitespace().collect::<Vec<_>>().join(" "));
                vec![c.input_name(&input.path), format!("{written}{per}"), range]
            })
            .collect();
    let mut intro = vec![w.inputs_intro.to_string()];
    intro.extend(correlations(c));
    Section {
        id: "inputs".into(),
        heading: w.inputs_heading.into(),
        intro,
        chart: None,
        table: Some(table(&[w.input, w.as_written, w.range_5_95], rows)),
        data: None,
    }
}

/// One sentence per correlated pair (the rank correlation used).
fn correlations(c: &Ctx) -> Vec<String> {
    c.sc.correlation
        .iter()
        .flat_map(|k| &k.pairs)
        .map(|p| words::correlation(c.lang, &c.input_name(&p.between[0]), &c.input_name(&p.between[1]), p.achieved, &crate::num::trimmed(p.achieved, 3)))
        .collect()
}

fn unit_economics(c: &Ctx) -> Section {
    let w = c.w;
    let row = |name: &str, metric: &str, money: bool, convention: &str| {
        let v = c.f.median(c.sc, metric);
        let value = c.n.figure(&v, false, money);
        let over = if v.runs < c.sc.runs { format!(" ({} {})", crate::num::number(v.runs as f64, 0), w.runs_with_value) } else { String::new() };
        vec![name.to_string(), value + &over, convention.to_string()]
    };
    let rows = vec![
        row(w.ltv, "ltv", true, w.ltv_convention),
        row(w.paid_cac, "cac_paid", true, w.paid_cac_convention),
        row(w.blended_cac, "cac_blended", true, w.blended_cac_convention),
        row(w.ltv_cac_paid, "ltv_cac_paid", false, w.ltv_cac_paid_convention),
        row(w.ltv_cac_blended, "ltv_cac_blended", false, w.ltv_cac_blended_convention),
        row(w.payback, "payback_months", false, w.payback_convention),
    ];
    Section {
        id: "unit-economics".into(),
        heading: w.unit_heading.into(),
        intro: vec![w.unit_intro.into()],
        chart: None,
        table: Some(table(&[w.figure, w.median_se, w.convention], rows)),
        data: None,
    }
}

/// Where the scenario came from: its path, or for the built-in example
/// (no file the reader has) the words that say so.
fn source_of(c: &Ctx) -> String {
    if c.sc.source.builtin { c.w.builtin.into() } else { c.sc.source.path.display().to_string() }
}

fn reproduce(c: &Ctx) -> TableView {
    let w = c.w;
    let rows = vec![
        vec![w.scenario.into(), format!("{} ({})", c.name(), source_of(c))],
        vec![w.seed.into(), c.sc.seed.to_string()],
        vec![w.runs.into(), crate::num::number(c.sc.runs as f64, 0)],
        vec![w.version.into(), format!("{} ({} {})", env!("CARGO_PKG_VERSION"), w.stream, crate::rng::STREAM_VERSION)],
        vec![w.sha256.into(), c.sc.source.sha256.clone()],
    ];
    table(&["", ""], rows)
}

#[cfg(test)]
mod tests {
    use crate::report::svg;

    #[test]
    fn figures_do_not_break_inside() {
        use super::unbroken;
        assert_eq!(unbroken("a -¥149万 ± 2万"), "a -\u{2060}¥149万\u{a0}±\u{a0}2万");
        assert_eq!(unbroken("-3 (−2)"), "-\u{2060}3 (−2)");
        // A minus inside a word is a hyphen: a date, a file name.
        assert_eq!(unbroken("2026-11-30 q3-2026.toml"), "2026-11-30 q3-2026.toml");
    }

    #[test]
    fn colours_differ_in_lightness() {
        // Bands, median and the plan line stay apart in greyscale print.
        let luma = |hex: &str| {
            let v = u32::from_str_radix(&hex[1..], 16).unwrap();
            let (r, g, b) = ((v >> 16) & 255, (v >> 8) & 255, v & 255);
            0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64
        };
        let l: Vec<f64> = [svg::BAND_OUTER, svg::BAND_INNER, svg::CONTRAST, svg::LINE].iter().map(|c| luma(c)).collect();
        assert!(l.windows(2).all(|w| w[0] - w[1] > 25.0), "{l:?}");
    }
}
