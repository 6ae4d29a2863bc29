//! The report's words, charts and tables from [`Facts`], and the two
//! documents (HTML and Markdown) from the templates in `templates/`
//! (minijinja; HTML auto-escaped, charts inserted as trusted SVG).

use super::Facts;
use super::svg::{self, BAND_INNER, BAND_OUTER, CONTRAST, Chart, LINE};
use super::words::{Lang, Numbers};
use crate::analysis::sensitivity::SensitivityRow;
use crate::figure::Figure;
use crate::scenario::Scenario;
use crate::stats;
use serde::Serialize;

/// What the command line adds: the language, a date to print (never the
/// clock's), and the command that reproduces the report.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub date: Option<String>,
    pub command: String,
}

/// The finished report: two documents and the charts the Markdown links.
pub struct Rendered {
    pub html: String,
    pub markdown: String,
    /// `(file name, svg)`, for `charts/`.
    pub charts: Vec<(String, String)>,
}

#[derive(Serialize, Clone)]
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
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
    table: Option<Table>,
    /// The chart's numbers, collapsed under "Data".
    data: Option<Table>,
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
    reproduce: Table,
    command: String,
    footer: String,
}

/// Text for this report: numbers, money and the two languages.
struct Ctx<'a> {
    sc: &'a Scenario,
    f: &'a Facts,
    n: Numbers,
    lang: Lang,
}

impl Ctx<'_> {
    fn t<'s>(&self, en: &'s str, zh: &'s str) -> &'s str {
        self.lang.pick(en, zh)
    }

    fn h(&self) -> u32 {
        self.sc.months
    }

    fn month(&self, m: f64) -> String {
        format!("{m:.0}")
    }

    fn quantiles(&self, metric: &str) -> Vec<[f64; 7]> {
        let mut rows: Vec<_> = self.f.results.monthly.iter().filter(|m| m.metric == metric).collect();
        rows.sort_by_key(|m| m.month);
        rows.iter().map(|m| m.q).collect()
    }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows }
}

/// Renders the report.
pub fn render(sc: &Scenario, facts: &Facts, opts: &Options) -> anyhow::Result<Rendered> {
    let c = Ctx { sc, f: facts, n: Numbers::new(opts.lang, sc.currency.as_deref(), sc.runs), lang: opts.lang };
    let mut sections = vec![key_figures(&c), averages(&c)];
    sections.push(fan(&c, "cash", "cash", c.t("Cash", "现金"), true));
    sections.push(survival(&c));
    sections.push(fan(&c, "customers", "customers", c.t("Customers", "客户数"), false));
    sections.push(fan(&c, "mrr", "mrr", c.t("Monthly recurring revenue (MRR)", "月度经常性收入（MRR）"), false));
    sections.push(final_cash(&c));
    sections.extend(tornado(&c));
    sections.extend(stresses(&c));
    sections.extend(accuracy(&c));
    sections.push(inputs(&c));
    sections.push(unit_economics(&c));
    let charts: Vec<(String, String)> =
        sections.iter().filter_map(|s| s.chart.as_ref().map(|ch| (ch.file.trim_start_matches("charts/").to_string(), ch.svg.clone() + "\n"))).collect();
    let page = Page {
        lang: opts.lang.code(),
        title: format!("{} — {}", sc.name, c.t("risk report", "风险报告")),
        subtitle: subtitle(&c),
        date: opts.date.clone(),
        findings: findings(&c),
        sections,
        data_label: c.t("Data", "数据").into(),
        findings_label: c.t("Findings", "主要结论").into(),
        reproduce_label: c.t("How to reproduce this report", "如何复现本报告").into(),
        reproduce: reproduce(&c),
        command: opts.command.clone(),
        footer: c
            .t(
                "± is one Monte Carlo standard error. Every figure comes from the simulation above; rerunning the command gives the same file.",
                "± 为一个蒙特卡洛标准误。所有数字均来自上述模拟；重新运行该命令会得到完全相同的文件。",
            )
            .into(),
    };
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("md", |s: String| crate::present::markdown::text(&s));
    env.add_filter("code", |s: String| crate::present::markdown::code(&s));
    env.add_filter("fence", |s: String| crate::present::markdown::block(&s, "sh"));
    // HTML escaping of the five characters that need it; minijinja's own
    // also writes `/` as `&#x2f;`, which makes paths in the page unreadable
    // as source and unsearchable.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(s) if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() => {
            out.write_str(&svg::esc(s)).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing the page"))
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.add_template("report.html", include_str!("../../templates/report.html"))?;
    env.add_template("report.md", include_str!("../../templates/report.md"))?;
    let html = env.get_template("report.html")?.render(&page)?;
    let markdown = env.get_template("report.md")?.render(&page)?;
    Ok(Rendered { html, markdown, charts })
}

fn subtitle(c: &Ctx) -> String {
    let runs = crate::num::number(c.sc.runs as f64, 0);
    match c.lang {
        Lang::En => format!("{runs} simulated futures of {} months · seed {}", c.h(), c.sc.seed),
        Lang::Zh => format!("{runs} 个模拟未来 · {} 个月 · 随机种子 {}", c.h(), c.sc.seed),
    }
}

fn estimate_of(c: &Ctx, text: &str, values: &[f64]) -> crate::figure::FigureValue {
    Figure::parse(text, &c.sc.catalog()).expect("report figures parse").estimate(values)
}

fn findings(c: &Ctx) -> Vec<String> {
    let h = c.h();
    let hl = &c.f.results.headline;
    let min_cash = estimate_of(c, "p10(min_cash)", c.f.run_values("min_cash"));
    let exact = min_cash.se == Some(0.0);
    let mut out = vec![match (c.lang, exact) {
        (Lang::En, false) => {
            format!("In 9 of 10 simulated futures the lowest cash over the {h} months stays above {}.", c.n.money_se(min_cash.estimate, min_cash.se))
        }
        (Lang::Zh, false) => format!("在 9/10 的模拟未来中，{h} 个月内的最低现金保持在 {} 以上。", c.n.money_se(min_cash.estimate, min_cash.se)),
        (Lang::En, true) => {
            format!("Every simulated future is the same here: the lowest cash over the {h} months is {}.", c.n.money(min_cash.estimate.unwrap_or(f64::NAN)))
        }
        (Lang::Zh, true) => format!("本计划的所有模拟未来完全相同：{h} 个月内的最低现金为 {}。", c.n.money(min_cash.estimate.unwrap_or(f64::NAN))),
    }];
    let p = c.n.share_se(hl.p_default.estimate, hl.p_default.se);
    out.push(match c.lang {
        Lang::En => format!("The company runs out of cash by month {h} in {p} of futures."),
        Lang::Zh => format!("到第 {h} 个月，公司在 {p} 的未来中耗尽现金。"),
    });
    out.push(averages_finding(c, &p));
    out.extend(driver_finding(c));
    for s in c.f.stresses.iter().filter(|s| s.probability) {
        let (v, d) = (c.n.share_se(s.value.estimate, s.value.se), c.n.points_se(s.diff.diff, s.diff.se));
        out.push(match c.lang {
            Lang::En => {
                format!("If \u{201c}{}\u{201d}, the chance of running out of cash by month {h} becomes {v} ({d} against the plan as written).", s.stress)
            }
            Lang::Zh => format!("如果「{}」，到第 {h} 个月耗尽现金的概率变为 {v}（较原计划 {d}）。", s.stress),
        });
    }
    if let Some((per_point, se, lo, hi)) = accuracy_worth(c) {
        let amount = c.n.money_se(Some(per_point.abs()), Some(se));
        out.push(match (c.lang, per_point >= 0.0) {
            (Lang::En, true) => format!("Each point of model accuracy adds about {amount} to median final cash (between {lo:.1}% and {hi:.1}% accuracy)."),
            (Lang::En, false) => format!("Each point of model accuracy takes about {amount} from median final cash (between {lo:.1}% and {hi:.1}% accuracy)."),
            (Lang::Zh, true) => format!("模型准确率每提高 1 个百分点，期末现金中位数约增加 {amount}（准确率 {lo:.1}% 至 {hi:.1}% 之间）。"),
            (Lang::Zh, false) => format!("模型准确率每提高 1 个百分点，期末现金中位数约减少 {amount}（准确率 {lo:.1}% 至 {hi:.1}% 之间）。"),
        });
    }
    out
}

/// The plan on its averages against the median future: "the flaw of
/// averages" only when the two differ by more than 2 standard errors, or
/// the plan never runs out of cash while futures clearly do.
fn averages_finding(c: &Ctx, p_default: &str) -> String {
    let hl = &c.f.results.headline;
    let a = &c.f.averages;
    let plan_end = *a.cash.last().unwrap_or(&f64::NAN);
    let (median, se) = (hl.final_cash.p50.estimate.unwrap_or(f64::NAN), hl.final_cash.p50.se.unwrap_or(0.0));
    let gap = (plan_end - median).abs() > 2.0 * se && se > 0.0;
    let defaults = hl.p_default.estimate.unwrap_or(0.0) - 2.0 * hl.p_default.se.unwrap_or(0.0) > 0.0;
    let (plan_s, median_s) = (c.n.money(plan_end), c.n.money_se(hl.final_cash.p50.estimate, hl.final_cash.p50.se));
    match (c.lang, a.default_month, gap || defaults) {
        (Lang::En, None, true) => format!(
            "On its averages the plan never runs out of cash and ends with {plan_s}; the median future ends with {median_s}, and {p_default} of futures run out of cash: the flaw of averages."
        ),
        (Lang::En, None, false) => {
            format!("On its averages the plan never runs out of cash and ends with {plan_s}; the median future ({median_s}) agrees with it within its error.")
        }
        (Lang::En, Some(m), _) => format!("On its averages the plan runs out of cash in month {m}; the median future ends with {median_s}."),
        (Lang::Zh, None, true) => format!(
            "按平均值计算，该计划从不耗尽现金，期末现金为 {plan_s}；而中位数情景的期末现金为 {median_s}，且有 {p_default} 的未来会耗尽现金——这就是“平均值陷阱”。"
        ),
        (Lang::Zh, None, false) => format!("按平均值计算，该计划从不耗尽现金，期末现金为 {plan_s}；中位数情景（{median_s}）在误差范围内与之一致。"),
        (Lang::Zh, Some(m), _) => format!("按平均值计算，该计划在第 {m} 个月耗尽现金；中位数情景的期末现金为 {median_s}。"),
    }
}

/// The input that moves median final cash most, named alone only when its
/// swing is more than 2 standard errors ahead of the next.
fn driver_finding(c: &Ctx) -> Option<String> {
    let rows: Vec<_> = c.f.tornado.iter().filter(|r| !r.probability).collect();
    let top = rows.first()?;
    let size = |r: &&crate::analysis::sensitivity::SensitivityRow| r.swing.diff.map_or(0.0, f64::abs);
    let alone = rows.get(1).is_none_or(|next| size(top) - size(next) > 2.0 * top.swing.se.unwrap_or(0.0).hypot(next.swing.se.unwrap_or(0.0)));
    let name = super::words::input_name(&top.input, c.lang);
    let swing = c.n.money_se(top.swing.diff.map(f64::abs), top.swing.se);
    let rises = top.swing.diff.unwrap_or(0.0) >= 0.0;
    let second = rows.get(1).map(|r| super::words::input_name(&r.input, c.lang)).unwrap_or_default();
    Some(match (c.lang, alone) {
        (Lang::En, true) => format!(
            "Of the uncertain inputs, {name} moves median final cash most: from its p10 to its p90 it {} by {swing}.",
            if rises { "rises" } else { "falls" }
        ),
        (Lang::En, false) => format!(
            "Of the uncertain inputs, {name} and {second} move median final cash most (within each other's error): from its p10 to its p90 the first {} it by {swing}.",
            if rises { "raises" } else { "lowers" }
        ),
        (Lang::Zh, true) => {
            format!("在不确定的输入中，{name} 对期末现金中位数影响最大：从其 P10 到 P90，期末现金中位数{} {swing}。", if rises { "增加" } else { "减少" })
        }
        (Lang::Zh, false) => format!(
            "在不确定的输入中，{name} 与 {second} 对期末现金中位数影响最大（差异在误差范围内）：前者从 P10 到 P90 使期末现金中位数{} {swing}。",
            if rises { "增加" } else { "减少" }
        ),
    })
}

/// Median final cash per accuracy point (0.01) over the sweep, its error,
/// and the sweep's ends in percent.
fn accuracy_worth(c: &Ctx) -> Option<(f64, f64, f64, f64)> {
    let a = c.f.accuracy.as_ref()?;
    let rows: Vec<_> = a.sweep.iter().filter(|r| !r.probability).collect();
    let (first, last) = (rows.first()?, rows.last()?);
    let points = (last.value - first.value) * 100.0;
    if !(points > 0.0) {
        return None;
    }
    Some((last.diff.diff? / points, last.diff.se? / points, 100.0 * first.value, 100.0 * last.value))
}

fn key_figures(c: &Ctx) -> Section {
    let hl = &c.f.results.headline;
    let n = &c.n;
    let mut rows: Vec<Vec<String>> = vec![];
    for d in &hl.p_default_by {
        let m = d.month;
        rows.push(vec![format!("{} {m}", c.t("P(run out of cash) by month", "耗尽现金概率，截至第")) + c.t("", " 个月"), n.share_se(d.p.estimate, d.p.se)]);
    }
    let money = |label: &str, e: &crate::aggregate::Estimate| vec![label.to_string(), n.money_se(e.estimate, e.se)];
    rows.push(money(c.t("Final cash, p10", "期末现金 P10"), &hl.final_cash.p10));
    rows.push(money(c.t("Final cash, median", "期末现金中位数"), &hl.final_cash.p50));
    rows.push(money(c.t("Final cash, p90", "期末现金 P90"), &hl.final_cash.p90));
    rows.push(money(c.t("Final ARR, median", "期末 ARR 中位数"), &hl.final_arr.p50));
    rows.push(vec![
        c.t("Final customers, median", "期末客户数中位数").into(),
        format!("{} ± {}", n.count(hl.final_customers.p50.estimate.unwrap_or(f64::NAN)), n.count(hl.final_customers.p50.se.unwrap_or(f64::NAN))),
    ]);
    let be = estimate_of(c, "median(breakeven_month)", c.f.run_values("breakeven_month"));
    rows.push(vec![
        c.t("Breakeven month (stays in profit from then on), median", "盈亏平衡月份（此后累计保持盈利）中位数").into(),
        be.estimate.map_or(c.t("not within the horizon", "期内未实现").into(), |m| format!("{m:.0}")),
    ]);
    let first = estimate_of(c, "median(first_profit_month)", c.f.run_values("first_profit_month"));
    rows.push(vec![
        c.t("First profitable month, median", "首个盈利月份中位数").into(),
        first.estimate.map_or(c.t("not within the horizon", "期内未实现").into(), |m| format!("{m:.0}")),
    ]);
    rows.push(vec![c.t("P(breakeven within the horizon)", "期内实现盈亏平衡的概率").into(), n.share_se(hl.p_breakeven.estimate, hl.p_breakeven.se)]);
    rows.push(money(c.t("Funding need (max(0, −lowest cash)), mean", "资金缺口（max(0, −最低现金)）均值"), &hl.funding_need.mean));
    Section {
        id: "key".into(),
        heading: c.t("Key figures", "关键数字").into(),
        intro: vec![c.t("\u{201c}Run out of cash\u{201d}: cash below zero at the end of a month.", "“耗尽现金”：某月末现金低于零。").into()],
        chart: None,
        table: Some(table(&[c.t("Figure", "指标"), c.t("Value ± SE", "数值 ± 标准误")], rows)),
        data: None,
    }
}

fn averages(c: &Ctx) -> Section {
    let a = &c.f.averages;
    let hl = &c.f.results.headline;
    let h = c.h() as usize;
    let med = |metric: &str| c.quantiles(metric).last().map_or(f64::NAN, |q| q[3]);
    let default = match a.default_month {
        Some(m) => format!("{} {m}", c.t("month", "第")) + c.t("", " 个月"),
        None => c.t("never", "从不").into(),
    };
    let rows = vec![
        vec![c.t("Final cash", "期末现金").into(), c.n.money(a.cash[h - 1]), c.n.money_se(hl.final_cash.p50.estimate, hl.final_cash.p50.se)],
        vec![format!("{} {h}", c.t("Customers, month", "客户数，第")) + c.t("", " 个月"), c.n.count(a.customers[h - 1]), c.n.count(med("customers"))],
        vec![format!("{} {h}", c.t("MRR, month", "MRR，第")) + c.t("", " 个月"), c.n.money(a.mrr[h - 1]), c.n.money(med("mrr"))],
        vec![
            c.t("Runs out of cash", "耗尽现金").into(),
            default,
            format!("{} {}", c.n.share_se(hl.p_default.estimate, hl.p_default.se), c.t("of futures", "的未来")),
        ],
    ];
    Section {
        id: "averages".into(),
        heading: c.t("The plan on its averages, beside the distribution", "按平均值计算的计划与模拟分布").into(),
        intro: vec![c
            .t(
                "A spreadsheet plan puts every input at its expected value: one path, here each input at the mean of its draws, each funding round paid at its probability × its mean amount, customers as expected values. The dashed line on the cash chart is that path.",
                "电子表格式的计划把每个输入都取期望值，只得到一条路径：此处每个输入取其抽样均值，每轮融资按“概率 × 平均金额”计入，客户数取期望值。现金图中的虚线即为这条路径。",
            )
            .into()],
        chart: None,
        table: Some(table(&[c.t("Figure", "指标"), c.t("Plan on averages", "平均值计划"), c.t("Simulated futures (median, or share)", "模拟未来（中位数或占比）")], rows)),
        data: None,
    }
}

/// A fan chart in the manner of the Bank of England's: p5–p95 and p25–p75
/// bands, the median, and for cash the zero line, funding months and the
/// plan on its averages.
fn fan(c: &Ctx, metric: &str, id: &str, name: &str, money: bool) -> Section {
    let q = c.quantiles(metric);
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
    let mut ch = Chart::new((1.0, months.len() as f64), (lo, hi), (c.t("month", "月份"), name), &|v| c.month(v), &|v| c.n.axis(v));
    ch.band(&months, &col(0), &col(6), BAND_OUTER);
    ch.band(&months, &col(2), &col(4), BAND_INNER);
    ch.line(&months, &col(3), LINE, 2.5, "");
    if money {
        ch.hline(0.0, "#000000");
    }
    if metric == "cash" {
        for r in c.sc.funding.iter().filter(|r| r.month >= 1 && r.month <= c.h()) {
            ch.vline(f64::from(r.month), &format!("{} {:.0}%", c.t("round", "融资"), 100.0 * r.probability));
        }
    }
    if let Some(p) = plan {
        ch.line(&months, p, CONTRAST, 2.0, "7 4");
    }
    ch.legend(0, BAND_OUTER, "", c.t("p5–p95", "P5–P95"));
    ch.legend(1, BAND_INNER, "", c.t("p25–p75", "P25–P75"));
    ch.legend(2, LINE, "", c.t("median", "中位数"));
    if plan.is_some() {
        ch.legend(3, CONTRAST, "7 4", c.t("plan on its averages", "平均值计划"));
    }
    let title = format!("{name}{}", c.t(": fan chart by month", "：逐月扇形图"));
    let desc = c.t("Shaded bands: the middle 90% and 50% of simulated futures; dark line: the median.", "阴影带：模拟未来的中间 90% 与 50%；深色线：中位数。");
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
    let mut headers = vec![c.t("month", "月份"), "p5", "p25", c.t("median", "中位数"), "p75", "p95"];
    if plan.is_some() {
        headers.push(c.t("plan on averages", "平均值计划"));
    }
    Section {
        id: id.into(),
        heading: name.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.clone(), svg: ch.finish(id, &title, desc) }),
        table: None,
        data: Some(table(&headers, rows)),
    }
}

fn survival(c: &Ctx) -> Section {
    let d = c.f.run_values("default_month");
    let n = d.len().max(1) as f64;
    let months: Vec<f64> = (0..=c.h()).map(f64::from).collect();
    let alive: Vec<f64> = months.iter().map(|t| d.iter().filter(|m| **m > *t).count() as f64 / n).collect();
    let mut ch = Chart::new(
        (0.0, f64::from(c.h())),
        (alive.iter().copied().fold(1.0, f64::min).min(0.9), 1.0),
        (c.t("month", "月份"), c.t("share of futures with cash", "仍有现金的未来占比")),
        &|v| c.month(v),
        &|v| format!("{:.0}%", 100.0 * v),
    );
    ch.steps(&months, &alive, LINE);
    let id = "survival";
    let title = c.t("Survival: P(not yet out of cash) by month", "存活曲线：截至各月仍未耗尽现金的概率");
    let desc = c.t(
        "The share of simulated futures whose cash has stayed at or above zero through each month (the axis does not start at 0).",
        "截至每个月，现金始终不低于零的模拟未来所占比例（纵轴不从 0 开始）。",
    );
    let rows = months
        .iter()
        .zip(&alive)
        .map(|(m, a)| vec![c.month(*m), format!("{:.2}%", 100.0 * a), format!("± {:.2}%", 100.0 * stats::proportion_se(*a, d.len() as u64))])
        .collect();
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(&[c.t("month", "月份"), c.t("not yet out of cash", "仍未耗尽现金"), "SE"], rows)),
    }
}

fn final_cash(c: &Ctx) -> Section {
    let mut v: Vec<f64> = c.f.run_values("final_cash").iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_unstable_by(f64::total_cmp);
    let (lo, hi) = svg::widen(stats::quantile_sorted(&v, 0.01), stats::quantile_sorted(&v, 0.99));
    // About 30 bins of a round width, edges on multiples of it (so 0 is one).
    let (edges, _, _) = svg::ticks(lo, hi, 30);
    let width = edges.get(1).map_or(1.0, |e| e - edges[0]);
    let start = (lo / width).floor() * width;
    let bins = (((hi - start) / width).ceil() as usize).max(1);
    let first = (lo / width).floor();
    let counts: Vec<usize> = (0..bins)
        .map(|k| {
            let (a, b) = ((first + k as f64) * width, (first + k as f64 + 1.0) * width);
            v.iter().filter(|x| **x >= a && (**x < b || (k == bins - 1 && **x <= b))).count()
        })
        .collect();
    let total = v.len().max(1) as f64;
    let top = counts.iter().copied().max().unwrap_or(1) as f64 / total;
    let end = start + bins as f64 * width;
    let mut ch = Chart::new((start, end), (0.0, top), (c.t("final cash", "期末现金"), c.t("share of futures", "未来占比")), &|x| c.n.axis(x), &|y| {
        format!("{:.0}%", 100.0 * y)
    });
    for (k, n) in counts.iter().enumerate() {
        let a = start + k as f64 * width;
        ch.bar(a, a + width, *n as f64 / total, BAND_INNER, a + 0.5 * width < 0.0);
    }
    let below = c.f.run_values("final_cash").iter().filter(|x| **x < 0.0).count() as f64 / total;
    ch.legend(0, CONTRAST, "", &format!("{} {:.1}%", c.t("cash < 0:", "现金 < 0："), 100.0 * below));
    let id = "final-cash";
    let title = c.t("Distribution of final cash", "期末现金分布");
    let desc = c.t(
        "Share of simulated futures by final cash (1st to 99th percentile); hatched bars: below zero.",
        "按期末现金划分的模拟未来占比（第 1 至第 99 百分位）；斜线填充：低于零。",
    );
    let rows = counts
        .iter()
        .enumerate()
        .map(|(k, n)| vec![c.n.money(start + k as f64 * width), c.n.money(start + (k + 1) as f64 * width), format!("{:.2}%", 100.0 * *n as f64 / total)])
        .collect();
    let p = c.n.share_se(Some(below), Some(stats::proportion_se(below, total as u64)));
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into(), format!("{} {p}", c.t("P(final cash < 0) =", "P(期末现金 < 0) ="))],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(&[c.t("from", "自"), c.t("to", "至"), c.t("share", "占比")], rows)),
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
    let title = c.t("What drives median final cash (tornado)", "期末现金中位数的驱动因素（龙卷风图）");
    let desc = c.t(
        "Each input held at its own p10 (light) and p90 (dark), every other input random, on the same simulated futures.",
        "每个输入分别固定在其 P10（浅色）与 P90（深色），其余输入保持随机，使用相同的模拟未来。",
    );
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
    let ends = rows.iter().flat_map(|r| [r.low.estimate, r.high.estimate]).flatten().chain([base]);
    let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let span = (hi - lo).max(1.0);
    let k = rows.len() as f64;
    // One row of room above the bars for the legend.
    let mut ch =
        Chart::new((lo - 0.9 * span, hi + 0.1 * span), (-0.5, k + 0.9), (c.t("median final cash", "期末现金中位数"), ""), &|x| c.n.axis(x), &|_| {
            String::new()
        });
    for (i, r) in rows.iter().enumerate() {
        let y = k - 1.0 - i as f64;
        let (l, h) = (r.low.estimate.unwrap_or(base), r.high.estimate.unwrap_or(base));
        ch.hbar(base, l, y, 14.0, BAND_OUTER);
        ch.hbar(base, h, y, 14.0, BAND_INNER);
        ch.label(l.min(h) - 0.02 * span, y, &r.input, "end");
    }
    ch.vline(base, c.t("median", "中位数"));
    ch.legend(0, BAND_OUTER, "", c.t("input at its p10", "输入取 P10"));
    ch.legend(1, BAND_INNER, "", c.t("input at its p90", "输入取 P90"));
    ch
}

/// The tornado's table: per input, its p10 → p90 values, median final cash at
/// each (with standard errors), the swing between them and its variance share.
fn tornado_table(c: &Ctx, rows: &[&SensitivityRow]) -> Table {
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                super::words::input_name(&r.input, c.lang),
                format!("{} → {}", c.n.value(r.low_at), c.n.value(r.high_at)),
                c.n.money_se(r.low.estimate, r.low.se),
                c.n.money_se(r.high.estimate, r.high.se),
                c.n.money_se(r.swing.diff, r.swing.se),
                r.variance_share.map_or("—".into(), |v| format!("{:.0}%", 100.0 * v)),
            ]
        })
        .collect();
    table(
        &[
            c.t("input", "输入"),
            c.t("p10 → p90", "P10 → P90"),
            c.t("at p10", "取 P10 时"),
            c.t("at p90", "取 P90 时"),
            c.t("swing", "变化幅度"),
            c.t("variance share", "方差占比"),
        ],
        table_rows,
    )
}

fn stresses(c: &Ctx) -> Option<Section> {
    if c.f.stresses.is_empty() {
        return None;
    }
    let rows =
        c.f.stresses
            .iter()
            .map(|r| {
                let fmt = |v: &crate::figure::FigureValue| c.n.figure(v, r.probability, !r.probability);
                let diff = c.n.difference(&r.diff, r.probability, !r.probability);
                vec![r.stress.clone(), r.figure.clone(), fmt(&r.base), fmt(&r.value), diff]
            })
            .collect();
    Some(Section {
        id: "stresses".into(),
        heading: c.t("Stress tests", "压力测试").into(),
        intro: vec![c.t("The plan's own [[stress]] scenarios, run on the same simulated futures as the plan (common random numbers): the difference is the stress's effect, with its paired error.", "计划文件中的 [[stress]] 情景，与原计划使用相同的模拟未来（共同随机数）：差值即该压力的影响，附配对标准误。").into()],
        chart: None,
        table: Some(table(&[c.t("stress", "压力情景"), c.t("figure", "指标"), c.t("plan", "原计划"), c.t("stressed", "压力下"), c.t("difference", "差值")], rows)),
        data: None,
    })
}

fn accuracy(c: &Ctx) -> Vec<Section> {
    let Some(a) = &c.f.accuracy else { return vec![] };
    let mut out = vec![accuracy_draws(c, a), churn_multiplier(c, a)];
    out.extend(accuracy_worth_table(c, a));
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The accuracy each future draws.
fn accuracy_draws(c: &Ctx, a: &super::AccuracyFacts) -> Section {
    let (lo, hi) = (a.multiplier.first().map_or(0.0, |p| p.0), a.multiplier.last().map_or(1.0, |p| p.0));
    let bins = 25usize;
    let width = (hi - lo) / bins as f64;
    let share = |k: usize| {
        let (x0, x1) = (lo + k as f64 * width, lo + (k + 1) as f64 * width);
        a.draws.iter().filter(|x| **x >= x0 && (**x < x1 || (k == bins - 1 && **x <= x1))).count() as f64 / a.draws.len().max(1) as f64
    };
    let counts: Vec<f64> = (0..bins).map(share).collect();
    let top = counts.iter().copied().fold(0.0, f64::max);
    let mut ch = Chart::new((lo, hi), (0.0, top.max(1e-9)), (c.t("model accuracy", "模型准确率"), c.t("share of futures", "未来占比")), &pct, &|y| {
        format!("{:.0}%", 100.0 * y)
    });
    for (k, s) in counts.iter().enumerate() {
        ch.bar(lo + k as f64 * width, lo + (k + 1) as f64 * width, *s, BAND_INNER, false);
    }
    ch.vline(a.reference, c.t("reference", "基准"));
    let id = "accuracy";
    let title = c.t("Model accuracy across the simulated futures", "各模拟未来中的模型准确率");
    let desc = c.t(
        "Each simulated future draws the model's accuracy once, as the plan states it (from a measured classification report, its posterior).",
        "每个模拟未来按计划的设定抽取一次模型准确率（若来自实测分类报告，则为其后验分布）。",
    );
    let q = |p: f64| pct(stats::quantile_sorted(&a.draws, p));
    Section {
        id: id.into(),
        heading: c.t("Model accuracy and what it is worth", "模型准确率及其价值").into(),
        intro: vec![
            desc.into(),
            format!("{} {} – {} · {} {}", c.t("5–95% range:", "5%–95% 范围："), q(0.05), q(0.95), c.t("reference accuracy", "基准准确率"), pct(a.reference)),
        ],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(
            &[c.t("from", "自"), c.t("share", "占比")],
            counts.iter().enumerate().map(|(k, s)| vec![format!("{:.2}%", 100.0 * (lo + k as f64 * width)), format!("{:.2}%", 100.0 * s)]).collect(),
        )),
    }
}

/// The churn multiplier the link implies over the accuracy range.
fn churn_multiplier(c: &Ctx, a: &super::AccuracyFacts) -> Section {
    let xs: Vec<f64> = a.multiplier.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = a.multiplier.iter().map(|p| p.1).collect();
    let (ylo, yhi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| (l.min(*y), h.max(*y)));
    let (lo, hi) = (xs.first().copied().unwrap_or(0.0), xs.last().copied().unwrap_or(1.0));
    let mut ch = Chart::new(
        (lo, hi),
        (ylo.min(0.9), yhi.max(1.1)),
        (c.t("model accuracy", "模型准确率"), c.t("churn multiplier", "流失率乘数")),
        &pct,
        &|y| format!("×{y:.2}"),
    );
    ch.line(&xs, &ys, LINE, 2.5, "");
    ch.hline(1.0, "#000000");
    ch.vline(a.reference, c.t("reference", "基准"));
    let id = "churn-multiplier";
    let title = c.t("Churn multiplier implied by accuracy", "准确率对应的流失率乘数");
    let desc = c.t(
        "Monthly churn is churn.base × this multiplier at the run's accuracy; 1 at the reference accuracy.",
        "每月流失率 = churn.base × 该乘数（按该次模拟的准确率）；在基准准确率处为 1。",
    );
    Section {
        id: id.into(),
        heading: title.into(),
        intro: vec![desc.into()],
        chart: Some(ChartRef { file: format!("charts/{id}.svg"), title: title.into(), svg: ch.finish(id, title, desc) }),
        table: None,
        data: Some(table(
            &[c.t("accuracy", "准确率"), c.t("multiplier", "乘数")],
            a.multiplier.iter().step_by(4).map(|(x, m)| vec![pct(*x), format!("×{m:.3}")]).collect(),
        )),
    }
}

/// The sweep over accuracy, when the draws vary.
fn accuracy_worth_table(c: &Ctx, a: &super::AccuracyFacts) -> Option<Section> {
    if a.sweep.is_empty() {
        return None;
    }
    let rows = a
        .sweep
        .iter()
        .map(|r| {
            let v = c.n.figure(&r.estimate, r.probability, !r.probability);
            let d = c.n.difference(&r.diff, r.probability, !r.probability);
            vec![pct(r.value), r.figure.clone(), v, d]
        })
        .collect();
    let mut intro = vec![
        c.t(
            "Every simulated future re-run with the model's accuracy set to each value (same futures otherwise); differences from the first value are paired.",
            "将每个模拟未来的模型准确率分别设为下列数值重新模拟（其余不变）；与第一个数值的差为配对差。",
        )
        .to_string(),
    ];
    if let Some((per, se, _, _)) = accuracy_worth(c) {
        intro.push(format!(
            "{} {}",
            c.t("Per point of accuracy, median final cash:", "每个百分点准确率对应的期末现金中位数变化："),
            c.n.money_se(Some(per), Some(se))
        ));
    }
    Some(Section {
        id: "accuracy-worth".into(),
        heading: c.t("What a point of accuracy is worth", "每个百分点准确率的价值").into(),
        intro,
        chart: None,
        table: Some(table(&[c.t("accuracy", "准确率"), c.t("figure", "指标"), c.t("value", "数值"), c.t("difference", "差值")], rows)),
        data: None,
    })
}

fn inputs(c: &Ctx) -> Section {
    let rows =
        c.f.inputs
            .iter()
            .map(|&id| {
                let input = c.sc.input(id);
                let per = if input.per == crate::scenario::Per::Month { c.t(", drawn afresh every month", "，每月重新抽取") } else { "" };
                let range = match input.dist.as_fixed() {
                    Some(v) => c.n.value(v),
                    None => {
                        let mut v = c.f.input_values(id).to_vec();
                        v.sort_unstable_by(f64::total_cmp);
                        format!("{} – {}", c.n.value(stats::quantile_sorted(&v, 0.05)), c.n.value(stats::quantile_sorted(&v, 0.95)))
                    }
                };
                vec![super::words::input_name(&input.path, c.lang), format!("{}{per}", input.dist.label()), range]
            })
            .collect();
    let mut intro = vec![
        c.t(
            "Each input as the plan states it, and the range its draws covered (5th to 95th percentile; for monthly inputs, of each run's average).",
            "计划中每个输入的设定，以及其抽样覆盖的范围（第 5 至第 95 百分位；按月抽取的输入取每次模拟的平均值）。",
        )
        .to_string(),
    ];
    intro.extend(correlations(c));
    Section {
        id: "inputs".into(),
        heading: c.t("Every input", "全部输入").into(),
        intro,
        chart: None,
        table: Some(table(&[c.t("input", "输入"), c.t("as written", "设定"), c.t("5–95% range", "5%–95% 范围")], rows)),
        data: None,
    }
}

/// One sentence per correlated pair (the rank correlation used).
fn correlations(c: &Ctx) -> Vec<String> {
    let name = |p: &str| super::words::input_name(p, c.lang);
    c.sc.correlation
        .iter()
        .flat_map(|k| &k.pairs)
        .map(|p| {
            let rank = crate::num::trimmed(p.achieved, 3);
            match c.lang {
                super::words::Lang::En => super::words::capitalised(&format!(
                    "{} and {} move together across futures: rank correlation {rank}.",
                    name(&p.between[0]),
                    name(&p.between[1])
                )),
                super::words::Lang::Zh => format!("{}与{}在各次模拟中相关：秩相关系数 {rank}。", name(&p.between[0]), name(&p.between[1])),
            }
        })
        .collect()
}

fn unit_economics(c: &Ctx) -> Section {
    let row = |name: &str, metric: &str, money: bool, convention: &str| {
        let v = estimate_of(c, &format!("median({metric})"), c.f.run_values(metric));
        let value = c.n.figure(&v, false, money);
        let over = if v.runs < c.sc.runs {
            format!(" ({} {})", crate::num::number(v.runs as f64, 0), c.t("runs with a value", "次模拟有值"))
        } else {
            String::new()
        };
        vec![name.to_string(), value + &over, convention.to_string()]
    };
    let rows = vec![
        row("LTV", "ltv", true, c.t("ARPA × gross margin ÷ average monthly churn", "ARPA × 毛利率 ÷ 平均月流失率")),
        row(c.t("Paid CAC", "付费获客成本"), "cac_paid", true, c.t("marketing spend ÷ paid customers", "营销支出 ÷ 付费获得的客户")),
        row(
            c.t("Blended CAC", "混合获客成本"),
            "cac_blended",
            true,
            c.t("marketing spend ÷ all new customers (organic and referred included)", "营销支出 ÷ 全部新客户（含自然增长与推荐）"),
        ),
        row(c.t("LTV/CAC (paid)", "LTV/CAC（付费）"), "ltv_cac_paid", false, c.t("LTV ÷ paid CAC", "LTV ÷ 付费获客成本")),
        row(c.t("LTV/CAC (blended)", "LTV/CAC（混合）"), "ltv_cac_blended", false, c.t("LTV ÷ blended CAC", "LTV ÷ 混合获客成本")),
        row(c.t("Payback (months)", "回收期（月）"), "payback_months", false, c.t("paid CAC ÷ (ARPA × gross margin)", "付费获客成本 ÷ (ARPA × 毛利率)")),
    ];
    Section {
        id: "unit-economics".into(),
        heading: c.t("Unit economics", "单位经济效益").into(),
        intro: vec![
            c.t("Medians over the simulated futures, with the conventions used (docs/model.md §2.1).", "模拟未来的中位数及所用口径（docs/model.md §2.1）。")
                .into(),
        ],
        chart: None,
        table: Some(table(&[c.t("figure", "指标"), c.t("median ± SE", "中位数 ± 标准误"), c.t("convention", "口径")], rows)),
        data: None,
    }
}

/// Where the scenario came from: its path, or for the built-in example
/// (no file the reader has) the words that say so.
fn source_of(c: &Ctx) -> String {
    if c.sc.source.builtin { c.t("built-in example", "内置示例").into() } else { c.sc.source.path.display().to_string() }
}

fn reproduce(c: &Ctx) -> Table {
    let rows = vec![
        vec![c.t("scenario", "情景").into(), format!("{} ({})", c.sc.name, source_of(c))],
        vec![c.t("seed", "随机种子").into(), c.sc.seed.to_string()],
        vec![c.t("runs", "模拟次数").into(), c.sc.runs.to_string()],
        vec![c.t("runway version", "runway 版本").into(), format!("{} (stream {})", env!("CARGO_PKG_VERSION"), crate::rng::STREAM_VERSION)],
        vec![c.t("scenario SHA-256", "情景文件 SHA-256").into(), c.sc.source.sha256.clone()],
    ];
    table(&["", ""], rows)
}

#[cfg(test)]
mod tests {
    use crate::report::svg;

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
