//! What a founder sees (issue 12): the headline's exact text, checked by
//! hand on a plan whose every future is the same; breakeven against the
//! first profitable month; paid against blended CAC; output folders named
//! after the file; the xlsx workbook; and errors in words for people.

use crate::{XlsxCell, parse, runway, runway_ok, scratch, stderr, stdout, xlsx_cells, xlsx_part, xlsx_ref, xlsx_sheet};
use runway::model::RunSummary;
use runway::scenario::Overrides;

/// 100 customers at 50 a month, 10% churn, 20 new a month, costs 3,000 +
/// 5 a customer, no noise: customers follow c_t = 200 − 100·0.9^t.
const STEADY: &str = r#"
[scenario]
name = "Steady"
currency = "USD"
months = 12
runs = 100
seed = 1
[start]
cash = 1000
customers = 100
[pricing]
price = 50
[churn]
base = 0.1
noise = "none"
[acquisition]
new = 20
noise = "none"
[costs]
fixed = 3000
per_customer = 5
"#;

#[test]
fn the_headline_of_a_plan_worked_by_hand() {
    // Month 1: 100 − 10 + 20 = 110 customers, revenue 5,500, costs 3,000 +
    // 550 = 3,550, profit 1,950. Month 12: c = 200 − 100·0.9^12 =
    // 171.757, ARR = 12 · 50 · c = 103,054; cash = 1,000 + Σ(45·c_t − 3,000)
    // = 1,000 + 45 · 1,754.187 − 36,000 = 43,938. Every month is profitable:
    // breakeven and first profit in month 1. No run defaults: the 95% upper
    // bound 1 − 0.05^(1/100) = 2.95%, shown as < 3%; P(breakeven) = 100%,
    // shown as its lower bound > 97%.
    let dir = scratch("founder-headline");
    let file = dir.join("steady.toml");
    std::fs::write(&file, STEADY).unwrap();
    let o = runway_ok(&["run", file.to_str().unwrap(), "--months-at", "6,3", "--out", dir.join("o").to_str().unwrap()]);
    let expected = "\
Steady: 100 runs × 12 months (± = 1 Monte Carlo standard error)
  month 1 at the inputs' medians [USD]: revenue 5,500, costs 3,550, profit 1,950
  P(default by month 3)              < 3%  (95% upper bound)
  P(default by month 6)              < 3%  (95% upper bound)
  P(default by month 12)             < 3%  (95% upper bound)
  first profitable month, median        1  95%: 1
  breakeven month, median               1  95%: 1
  P(breakeven by month 12)          > 97%  (95% lower bound)
  final cash [USD] P10             43,938  ± 0
  final cash [USD] P50             43,938  ± 0
  final cash [USD] P90             43,938  ± 0
  final ARR [USD] P10             103,054  ± 0
  final ARR [USD] P50             103,054  ± 0
  final ARR [USD] P90             103,054  ± 0
  final customers P10                 172  ± 0
  final customers P50                 172  ± 0
  final customers P90                 172  ± 0
  funding need [USD] mean               0  ± 0
  funding need [USD] P90                0  ± 0
  default: cash below zero at the end of a month. breakeven: the month from which the company stays in profit (profit summed from it never turns negative to month 12).
  funding need: how far cash fell below zero at its lowest (0 in the 100% of runs that never default).
";
    let text = stdout(&o);
    assert!(text.starts_with(expected), "got:\n{text}\nexpected:\n{expected}");
    // Months outside the horizon are refused.
    let bad = runway(&["run", file.to_str().unwrap(), "--months-at", "13", "--out", dir.join("o").to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--months-at 13: must be a month from 1 to the horizon, 12"), "{}", stderr(&bad));
}

#[test]
fn the_builtin_headline_rows_run_in_time_order() {
    let dir = scratch("founder-builtin");
    let o = runway_ok(&["run", "--runs", "2000", "--out", dir.join("o").to_str().unwrap()]);
    let text = stdout(&o);
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} missing:\n{text}"));
    assert!(at("P(default by month 12)") < at("P(default by month 18)"));
    assert!(at("P(default by month 18)") < at("P(default by month 24)"));
    assert!(at("P(default by month 24)") < at("P(default by month 36)"));
    assert_eq!(text.matches("P(default by month 36)").count(), 1);
    // The built-in example's stresses and assertions are named, not ignored.
    assert!(
        stderr(&o).contains("note: 2 [[stress]] entries and 5 [[assert]] entries are not evaluated by `run`; use `runway stress` and `runway check FILE`"),
        "{}",
        stderr(&o)
    );
    // The median month shows its interval, never a bare ± 0.
    let line = text.lines().find(|l| l.contains("breakeven month, median")).unwrap();
    assert!(line.contains("95%: ") && !line.contains('±'), "{line}");
}

/// One run of `text`, in memory.
fn runs_of(text: &str) -> Vec<RunSummary> {
    let sc = parse(text, Overrides::default());
    runway::pipeline::simulate_in_memory(&sc, &mut |_| {}).unwrap().runs
}

#[test]
fn breakeven_is_the_month_from_which_every_month_is_profitable() {
    // Profitable in month 1 (45 · 110 − 3,000 = 1,950), then fixed costs
    // grow 20% a month: by month 12 they sum to 3,000 · (1.2^12 − 1)/0.2 =
    // 118,742 against 45 · Σc_t = 78,938 of margin, so the profit summed
    // since month 1 turns negative, and no later month is profitable
    // (month 12: 3,000 · 1.2^11 = 22,289 of costs against 7,729).
    let rising = STEADY.replace("per_customer = 5", "per_customer = 5\nfixed_growth = 0.2");
    let r = runs_of(&rising)[0];
    assert_eq!(r.first_profit_month, Some(1));
    assert_eq!(r.breakeven_month, None, "{r:?}");
    // A lumpy cost does not undo breakeven: 5,000 more in month 10 makes it
    // a loss (45 · 165.13 − 8,000 = −569), but the months since month 1
    // have earned far more, so breakeven stays at month 1.
    let lumpy = STEADY.replace("per_customer = 5", "per_customer = 5\none_off = [{ month = 10, amount = 5000 }]");
    let r = runs_of(&lumpy)[0];
    assert_eq!((r.first_profit_month, r.breakeven_month), (Some(1), Some(1)), "{r:?}");
    // Losses first, then profits for good: fixed costs of 7,000 against
    // 45·c_t − 7,000 ≥ 0 once c_t ≥ 155.6, i.e. 200 − 100·0.9^t ≥ 155.6,
    // 0.9^t ≤ 0.444, t ≥ 7.7: month 8.
    let late = STEADY.replace("fixed = 3000", "fixed = 7000").replace("cash = 1000", "cash = 100000");
    let r = runs_of(&late)[0];
    assert_eq!((r.first_profit_month, r.breakeven_month), (Some(8), Some(8)), "{r:?}");
    // No revenue and no costs is not breaking even.
    let idle = STEADY.replace("customers = 100", "customers = 0").replace("new = 20", "new = 0").replace("fixed = 3000", "fixed = 0");
    let r = runs_of(&idle)[0];
    assert_eq!((r.first_profit_month, r.breakeven_month), (None, None), "{r:?}");
}

#[test]
fn paid_cac_is_spend_over_paid_customers_and_blended_counts_everyone() {
    // 10,000 a month of marketing at a CAC of 500 brings 20 paid customers
    // a month; 20 organic come too. Paid CAC 500; blended 10,000 / 40 = 250.
    let text = STEADY.replace("[churn]", "[acquisition.marketing]\nspend = 10000\ncac = 500\n[churn]");
    let r = runs_of(&text)[0];
    assert!((r.cac_paid.unwrap() - 500.0).abs() < 1e-9, "{r:?}");
    assert!((r.cac_blended.unwrap() - 250.0).abs() < 1e-9, "{r:?}");
    let ltv = r.ltv.unwrap();
    assert!((r.ltv_cac_paid.unwrap() - ltv / 500.0).abs() < 1e-9);
    assert!((r.ltv_cac_blended.unwrap() - ltv / 250.0).abs() < 1e-9);
    // The old name points to the two new ones.
    let sc = parse(&text, Overrides::default());
    let err = runway::figure::Figure::parse("median(cac)", &sc.catalog()).unwrap_err();
    assert!(err.message.contains("cac_paid") && err.message.contains("cac_blended"), "{err}");
}

#[test]
fn results_go_to_a_folder_named_after_the_file_and_replacing_another_plan_is_a_warning() {
    let dir = scratch("founder-folders");
    std::fs::write(dir.join("a.toml"), STEADY).unwrap();
    std::fs::write(dir.join("b.toml"), STEADY).unwrap();
    let run = |file: &str, extra: &[&str]| {
        let mut args = vec!["run", file, "--quiet"];
        args.extend_from_slice(extra);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_runway")).args(&args).current_dir(&dir).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    // Same [scenario] name, two files: two folders.
    run("a.toml", &[]);
    run("b.toml", &[]);
    assert!(dir.join("out/a/summary.json").exists() && dir.join("out/b/summary.json").exists());
    // Default format: CSV, which Excel and Python's standard library open.
    assert!(dir.join("out/a/runs.csv").exists() && dir.join("out/a/monthly.csv").exists());
    // Re-running a plan into its own folder says nothing; another plan into
    // it says so, even with --quiet: results are lost.
    assert!(!stderr(&run("a.toml", &[])).contains("held the results"));
    let o = run("b.toml", &["--out", "out/a"]);
    assert!(stderr(&o).contains("warning: out/a held the results of a.toml; they are replaced by those of b.toml"), "{}", stderr(&o));
}

#[test]
fn xlsx_is_one_workbook_with_summary_monthly_and_runs() {
    let dir = scratch("founder-xlsx");
    let file = dir.join("steady.toml");
    std::fs::write(&file, STEADY).unwrap();
    let out = |name: &str| dir.join(name);
    for name in ["x1", "x2"] {
        let o = runway_ok(&["run", file.to_str().unwrap(), "--format", "xlsx", "--out", out(name).to_str().unwrap(), "--quiet"]);
        assert!(stdout(&o).contains("results.xlsx and summary.json"), "{}", stdout(&o));
    }
    let book = out("x1").join("results.xlsx");
    // The same run twice gives the same bytes (the document date is fixed).
    assert_eq!(std::fs::read(&book).unwrap(), std::fs::read(out("x2").join("results.xlsx")).unwrap());
    assert!(!out("x1").join("runs.xlsx").exists() && !out("x1").join("monthly.csv").exists());
    let workbook = xlsx_part(&book, "xl/workbook.xml");
    for sheet in ["summary", "monthly", "monthly (wide)", "runs"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{workbook}");
    }
    // Runs: a header and 100 rows; its final_cash column holds 43,938.396.
    let runs = xlsx_sheet(&book, "runs");
    assert_eq!(runs.matches("<row ").count(), 101);
    assert!(runs.contains("<v>43938.39"), "final cash in the runs sheet");
    // Monthly: a header and 11 metrics × 12 months.
    assert_eq!(xlsx_sheet(&book, "monthly").matches("<row ").count(), 1 + 11 * 12);
    // Monthly (wide): a header and 12 months.
    assert_eq!(xlsx_sheet(&book, "monthly (wide)").matches("<row ").count(), 1 + 12);
    // Summary: the headline and the inputs, as text and numbers.
    let strings = xlsx_part(&book, "xl/sharedStrings.xml");
    for s in ["P(default by month 12)", "breakeven month, median", "final cash P50", "churn.base"] {
        assert!(strings.contains(s), "{s} not in the summary sheet");
    }
}

/// The monthly table of `monthly.csv` as (metric, month, p50), in file order.
fn monthly_medians(csv: &std::path::Path) -> Vec<(String, usize, f64)> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (metric, month, p50) = (at("metric"), at("month"), at("p50"));
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[metric].to_string(), cells[month].parse().unwrap(), cells[p50].parse().unwrap())
        })
        .collect()
}

#[test]
fn xlsx_wide_monthly_sheet_holds_the_long_tables_medians() {
    // A plan with segments: every metric, segment ones included.
    let dir = scratch("founder-xlsx-wide");
    for format in ["csv", "xlsx"] {
        runway_ok(&["run", "scenarios/ai-api.toml", "--runs", "300", "--format", format, "--out", dir.join(format).to_str().unwrap(), "--quiet", "--no-runs"]);
    }
    let long = monthly_medians(&dir.join("csv/monthly.csv"));
    let book = dir.join("xlsx/results.xlsx");
    let mut metrics: Vec<&str> = long.iter().map(|(m, _, _)| m.as_str()).collect();
    metrics.dedup();
    let months = long.iter().map(|(_, t, _)| *t).max().unwrap();
    assert!(metrics.len() > 11 && metrics.iter().any(|m| m.contains('.')), "{metrics:?}");
    let sheet = xlsx_sheet(&book, "monthly (wide)");
    assert_eq!(sheet.matches("<row ").count(), 1 + months, "a header and one row per month");
    // The header row and the month column stay in view; so do the long sheet's metric and month.
    assert!(sheet.contains(r#"<pane xSplit="1" ySplit="1""#), "{sheet}");
    assert!(xlsx_sheet(&book, "monthly").contains(r#"<pane xSplit="2" ySplit="1""#));
    let cells = xlsx_cells(&book, "monthly (wide)");
    let text = |r: usize, c: usize| cells.get(&xlsx_ref(r, c)).and_then(|x| x.text.clone());
    assert_eq!(text(0, 0).as_deref(), Some("month"));
    for (k, m) in metrics.iter().enumerate() {
        assert_eq!(text(0, k + 1), Some(format!("{m} p50")));
    }
    assert_eq!(text(0, metrics.len() + 1), None, "one column per metric");
    for (m, t, p50) in &long {
        let k = metrics.iter().position(|x| x == m).unwrap();
        assert_eq!(cells[&xlsx_ref(*t, 0)].number, Some(*t as f64));
        let cell = cells.get(&xlsx_ref(*t, k + 1)).unwrap_or_else(|| panic!("{m} month {t}"));
        let x = cell.number.unwrap_or_else(|| panic!("{m} month {t}: {cell:?}"));
        assert!((x - p50).abs() <= 1e-12 * p50.abs(), "{m} month {t}: {x} in the workbook, {p50} in monthly.csv");
    }
}

#[test]
fn xlsx_cells_are_numbers_shown_as_percentages_money_months_and_ratios() {
    let dir = scratch("founder-xlsx-formats");
    runway_ok(&["run", "scenarios/ai-api.toml", "--runs", "300", "--format", "xlsx", "--out", dir.to_str().unwrap(), "--quiet"]);
    let book = dir.join("results.xlsx");
    let styles = xlsx_part(&book, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.0%""#) && styles.contains(r##"formatCode="#,##0""##), "{styles}");
    // A number in its format (never a number written as text).
    let shown = |cell: Option<&XlsxCell>, format: &str, what: &str| {
        let cell = cell.unwrap_or_else(|| panic!("{what}: no cell"));
        assert!(cell.number.is_some() && cell.text.is_none(), "{what}: {cell:?}");
        assert_eq!(cell.format, format, "{what}");
    };
    // Summary: the figure in column B of the row named in column A.
    let summary = xlsx_cells(&book, "summary");
    let row_of = |label: &str| {
        let r = summary.iter().find(|(_, c)| c.text.as_deref() == Some(label)).unwrap_or_else(|| panic!("{label}")).0;
        r.trim_start_matches('A').parse::<usize>().unwrap() - 1
    };
    for (label, format) in
        [("P(default by month 12)", "0.0%"), ("final cash P50", "#,##0"), ("final customers P50", "#,##0"), ("breakeven month, median", "0"), ("runs", "#,##0")]
    {
        shown(summary.get(&xlsx_ref(row_of(label), 1)), format, label);
    }
    // Its standard error as the figure.
    shown(summary.get(&xlsx_ref(row_of("P(default by month 12)"), 2)), "0.0%", "P(default) standard error");
    // A table's cell by row and column header.
    let column = |cells: &std::collections::HashMap<String, XlsxCell>, header: &str| {
        (0..)
            .map(|c| cells.get(&xlsx_ref(0, c)))
            .take_while(Option::is_some)
            .position(|c| c.unwrap().text.as_deref() == Some(header))
            .unwrap_or_else(|| panic!("{header}"))
    };
    let wide = xlsx_cells(&book, "monthly (wide)");
    for (header, format) in
        [("month", "0"), ("cash p50", "#,##0"), ("mrr.pro p50", "#,##0"), ("churn_rate p50", "0.0%"), ("customers p50", "#,##0"), ("gross_margin p50", "0.0%")]
    {
        shown(wide.get(&xlsx_ref(6, column(&wide, header))), format, header);
    }
    // Long: each row's figures (mean, sd, quantiles) in its metric's unit.
    let long = xlsx_cells(&book, "monthly");
    let row_of_metric = |metric: &str| (1..).find(|r| long[&xlsx_ref(*r, 0)].text.as_deref() == Some(metric)).unwrap();
    for (metric, format) in [("churn_rate", "0.0%"), ("cash", "#,##0"), ("alive", "0.0%")] {
        let r = row_of_metric(metric);
        for header in ["mean", "sd", "se_mean", "p5", "p50", "p95"] {
            shown(long.get(&xlsx_ref(r, column(&long, header))), format, &format!("{metric} {header}"));
        }
        shown(long.get(&xlsx_ref(r, column(&long, "month"))), "0", "month");
    }
    // Runs: by column.
    let runs = xlsx_cells(&book, "runs");
    for (header, format) in [("final_cash", "#,##0"), ("min_cash_month", "0"), ("ltv_cac_blended", "0.00"), ("final_customers", "#,##0"), ("nrr", "0.0%")] {
        shown(runs.get(&xlsx_ref(1, column(&runs, header))), format, header);
    }
    assert_eq!(runs[&xlsx_ref(1, 0)].format, "General", "the run's number");
}

#[test]
fn xlsx_analysis_tables_show_each_row_in_its_figures_unit() {
    let dir = scratch("founder-xlsx-sweep");
    let args = ["sweep", "scenarios/saas-baseline.toml", "--vary", "churn.base", "--range", "0.03..0.05", "--steps", "2", "--runs", "300"];
    runway_ok(
        &[&args[..], &["--metric", "P(default_month <= 36)", "--metric", "median(final_cash)", "--format", "xlsx", "--out", dir.to_str().unwrap(), "--quiet"]]
            .concat(),
    );
    let cells = xlsx_cells(&dir.join("sweep.xlsx"), "table");
    let header: Vec<String> = (0..6).map(|c| cells[&xlsx_ref(0, c)].text.clone().unwrap()).collect();
    assert_eq!(header, ["value", "figure", "estimate", "se", "diff", "diff_se"]);
    for r in 1..=4 {
        let figure = cells[&xlsx_ref(r, 1)].text.clone().unwrap();
        let format = if figure.starts_with("P(") { "0.0%" } else { "#,##0" };
        for c in 2..6 {
            let cell = &cells[&xlsx_ref(r, c)];
            assert!(cell.number.is_some(), "{figure}: {cell:?}");
            assert_eq!(cell.format, format, "{figure}, {}", header[c]);
        }
        // The swept input's value as written.
        assert_eq!(cells[&xlsx_ref(r, 0)].format, "General");
    }
}

/// Runs `validate` on `text` (a scenario file) and returns (exit code, stderr, stdout).
fn validate(name: &str, text: &str) -> (Option<i32>, String, String) {
    let dir = scratch(name);
    let file = dir.join("plan.toml");
    std::fs::write(&file, text).unwrap();
    let o = runway(&["validate", file.to_str().unwrap()]);
    (o.status.code(), stderr(&o), stdout(&o))
}

#[test]
fn percentages_written_for_fractions_get_a_hint() {
    let text = STEADY
        .replace("price = 50", "price = 50\nannual_increase = 5")
        .replace("base = 0.1", "base = 1.7")
        .replace("per_customer = 5", "per_customer = 5\nrevenue_share = 3\n[[funding]]\nmonth = 3\namount = 1000\nprobability = 50");
    let (code, err, _) = validate("founder-percent", &text);
    assert_eq!(code, Some(2), "{err}");
    for (key, hint) in [
        ("pricing.annual_increase", "did you mean 0.05?"),
        ("churn.base", "did you mean 0.017?"),
        ("costs.revenue_share", "did you mean 0.03?"),
        ("funding.0.probability", "did you mean 0.5?"),
    ] {
        let line = err.lines().find(|l| l.contains(key)).unwrap_or_else(|| panic!("{key} not named:\n{err}"));
        assert!(line.contains(hint) && line.contains("fraction"), "{line}");
    }
    // A distribution that is mostly above 1 is refused too.
    let wild = STEADY.replace("base = 0.1", "base = { dist = \"lognormal\", p5 = 1, p95 = 1e300 }");
    let (code, err, _) = validate("founder-wild", &wild);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("churn.base") && err.contains("above 1 (100%)"), "{err}");
}

#[test]
fn type_errors_are_in_words_and_validate_names_the_uncertain_inputs() {
    let (code, err, _) = validate("founder-words", &STEADY.replace("months = 12", "months = \"36\""));
    assert_eq!(code, Some(2));
    assert!(err.contains("scenario.months: expected a whole number of months, e.g. 36, not the text \"36\" (remove the quotes)"), "{err}");
    let uncertain = STEADY.replace("base = 0.1", "base = { dist = \"uniform\", min = 0.05, max = 0.15 }");
    let (code, err, out) = validate("founder-validate", &uncertain);
    assert_eq!(code, Some(0), "{err}");
    // Uniform(0.05, 0.15): 5% at 0.055, median 0.1, 95% at 0.145 (to the
    // 3 significant digits shown; 4,001 draws put each within ±0.001).
    let line = out.lines().find(|l| l.contains("churn.base")).unwrap_or_else(|| panic!("{out}"));
    let cells: Vec<&str> = line.split_whitespace().collect();
    let near = |s: &str, x: f64| (s.parse::<f64>().unwrap() - x).abs() <= 0.0015;
    assert!(near(cells[1], 0.055) && near(cells[2], 0.1) && near(cells[3], 0.145) && line.ends_with("each run"), "{line}");
    assert!(out.contains("1 uncertain"), "{out}");
}

#[test]
fn whole_step_medians_and_zero_shares_read_as_intervals_and_bounds() {
    // Issue 13: a median month is shown as its 95% interval (never `± 0`),
    // a share of no run as its 95% bound 1 − 0.05^(1/2000) = 0.1497%,
    // shown rounded up to one significant digit: < 0.2%.
    let dir = scratch("tied-figures");
    let out = dir.join("out");
    let o = runway_ok(&[
        "run",
        "--runs",
        "2000",
        "--out",
        out.to_str().unwrap(),
        "--metric",
        "median(breakeven_month)",
        "--metric",
        "P(default_month <= 3)",
        "--metric",
        "median(final_cash)",
    ]);
    let text = stdout(&o);
    let line = |name: &str| text.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_else(|| panic!("{name} in {text}")).to_string();
    let median = line("median(breakeven_month)");
    let value = median.trim_start().trim_start_matches("median(breakeven_month)").trim();
    let (month, interval) = value.split_once(" (95%: ").unwrap_or_else(|| panic!("{median}"));
    assert!(month.parse::<u32>().is_ok() && interval.ends_with(')') && !median.contains('±'), "{median}");
    assert!(line("P(default_month <= 3)").ends_with("< 0.2% (95% upper bound)"), "{text}");
    // A median of money keeps its ±.
    assert!(line("median(final_cash)").contains(" ± "), "{text}");
}

#[test]
fn errors_in_the_built_in_example_do_not_name_a_file_the_user_lacks() {
    let o = runway(&["run", "--runs", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: the built-in example (scenarios/sentiment-saas.toml in runway's sources): 1 problem:"), "{err}");
    assert!(err.contains("the built-in example (scenarios/sentiment-saas.toml in runway's sources):12: scenario.runs = 0 (from --runs)"), "{err}");
}

#[test]
fn a_users_own_file_at_the_built_in_examples_path_keeps_its_name_in_errors() {
    let path = std::path::Path::new("scenarios/sentiment-saas.toml");
    let dir = runway::scenario::FileSource::Dir(".".into());
    let valid = std::fs::read_to_string("scenarios/saas-baseline.toml").unwrap();
    let line = valid.lines().position(|l| l == "months = 36").expect("saas-baseline sets months") + 1;
    let zero_months = valid.replace("months = 36", "months = 0");
    for (text, says) in [
        // A syntax error and a validation error.
        ("[scenario]\nmonths = 1\n", "scenarios/sentiment-saas.toml:1:1: missing field `name`".to_string()),
        (zero_months.as_str(), format!("scenarios/sentiment-saas.toml:{line}: scenario.months = 0")),
    ] {
        let err = runway::scenario::parse(text, path, &dir, Default::default()).expect_err("refused").to_string();
        assert!(err.starts_with("scenarios/sentiment-saas.toml:") && err.contains(&says), "{err}");
        assert!(!err.contains("built-in"), "{err}");
    }
}

/// A plan whose one round (30,000,000 at month 12) comes in half the
/// futures: final cash is two groups, and its P50 describes neither.
const ROUND_OR_NOT: &str = r#"
[scenario]
name = "round or not"
months = 36
runs = 4000
seed = 3
[start]
customers = 200
cash = 1_500_000
[pricing]
price = 300
[acquisition]
new = "10 to 40"
[churn]
base = "0.02 to 0.05"
[costs]
fixed = 100_000
[[funding]]
month = 12
amount = 30_000_000
probability = 0.5
"#;

#[test]
fn a_headline_that_falls_into_two_groups_says_so_with_each_groups_median() {
    let dir = scratch("founder-two-groups");
    let file = dir.join("plan.toml");
    std::fs::write(&file, ROUND_OR_NOT).unwrap();
    let o = runway_ok(&["run", file.to_str().unwrap(), "--out", dir.join("run").to_str().unwrap()]);
    let text = stdout(&o);
    let note = text.lines().find(|l| l.contains("note: final cash falls into two groups")).unwrap_or_else(|| panic!("no group note:\n{text}"));
    assert!(note.contains("(funding received) have a median of") && note.contains("(no funding received)"), "{note}");
    assert!(note.contains("The P50 above sits at the edge of a group"), "{note}");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run/summary.json")).unwrap()).unwrap();
    let g = &summary["headline"]["final_cash"]["groups"];
    assert_eq!(g["explained_by"], "funding");
    // Every run's cash differs by exactly 30,000,000 with or without the
    // round (on common draws the round is the only difference), so the
    // funded group's median is the other's plus about 30M.
    let (hi, lo) = (g["high"]["median"]["estimate"].as_f64().unwrap(), g["low"]["median"]["estimate"].as_f64().unwrap());
    assert!((hi - lo - 30e6).abs() < 2e6, "{hi} vs {lo}");
    // Shares: Binomial(4000, 0.5) funded runs, within 4 sd (±126).
    let share = g["high"]["share"].as_f64().unwrap();
    assert!((share - 0.5).abs() < 4.0 * (0.25f64 / 4000.0).sqrt(), "{share}");
    // The report says it among its findings and beside the cash fan.
    runway_ok(&["report", file.to_str().unwrap(), "--out", dir.join("report").to_str().unwrap(), "--quiet"]);
    let md = std::fs::read_to_string(dir.join("report/report.md")).unwrap();
    assert!(md.contains("- Final cash falls into two groups of futures: in the 5"), "report finding");
    assert!(md.contains("that receive funding, its median is"));
    assert!(md.contains("the median line runs between them"), "fan note");
    // A plan of one group has neither.
    let o = runway_ok(&["run", "--runs", "2000", "--out", dir.join("one").to_str().unwrap()]);
    assert!(stdout(&o).contains("final cash") && !stdout(&o).contains("two groups"));
    assert!(!std::fs::read_to_string(dir.join("one/summary.json")).unwrap().contains("\"groups\""));
}

/// Half the futures get a round in month 6 and live; the others run out of
/// cash in month 7 or 8 and stop (`on_default = "stop"`), ending with no
/// customers and no ARR. Final customers and final ARR fall into two groups
/// as final cash does, and each says so, with the group's median.
#[test]
fn final_customers_and_arr_in_two_groups_are_said_as_such() {
    let dir = scratch("founder-two-groups-customers");
    let file = dir.join("plan.toml");
    let plan = r#"
[scenario]
name = "rescued or not"
months = 24
runs = 2000
seed = 5
on_default = "stop"
[start]
customers = 1000
cash = 700_000
[pricing]
price = 50
[acquisition]
new = "20 to 40"
[churn]
base = "0.02 to 0.04"
[costs]
fixed = 150_000
[[funding]]
month = 6
amount = 5_000_000
probability = 0.5
"#;
    std::fs::write(&file, plan).unwrap();
    let o = runway_ok(&["run", file.to_str().unwrap(), "--format", "csv", "--out", dir.join("run").to_str().unwrap()]);
    let text = stdout(&o);
    for figure in ["final ARR", "the final customer count"] {
        let note = text.lines().find(|l| l.contains(&format!("note: {figure} falls into two groups"))).unwrap_or_else(|| panic!("no {figure} note:\n{text}"));
        assert!(note.contains("(funding received) have a median of") && note.contains("(no funding received)"), "{note}");
    }
    // The low group is the runs that stopped with nothing: its median is 0,
    // and the high group's median is the median of the funded runs' own values.
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run/summary.json")).unwrap()).unwrap();
    let runs = std::fs::read_to_string(dir.join("run/runs.csv")).unwrap();
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let rows: Vec<Vec<&str>> = runs.lines().skip(1).map(|l| l.split(',').collect()).collect();
    for (field, column) in [("final_customers", "final_customers"), ("final_arr", "final_arr")] {
        let g = &summary["headline"][field]["groups"];
        assert_eq!(g["explained_by"], "funding", "{field}");
        assert_eq!(g["low"]["median"]["estimate"].as_f64().unwrap(), 0.0, "{field}");
        let mut funded: Vec<f64> =
            rows.iter().filter(|r| r[col("funding_received")].parse::<f64>().unwrap() > 0.0).map(|r| r[col(column)].parse().unwrap()).collect();
        funded.sort_by(f64::total_cmp);
        let share = funded.len() as f64 / rows.len() as f64;
        // summary.json writes a share to 3 decimals and a median to the
        // digit its error supports.
        assert!((g["high"]["share"].as_f64().unwrap() - share).abs() <= 0.0005 + 1e-12, "{field}: the high group is the funded runs ({share})");
        let (lo, hi) = (funded[(funded.len() - 1) / 2], funded[funded.len() / 2]);
        let (median, se) = (g["high"]["median"]["estimate"].as_f64().unwrap(), g["high"]["median"]["se"].as_f64().unwrap());
        assert!(median >= lo - se && median <= hi + se, "{field}: {median} ± {se} not the funded runs' median {lo}–{hi}");
    }
    runway_ok(&["report", file.to_str().unwrap(), "--out", dir.join("report").to_str().unwrap(), "--quiet"]);
    let md = std::fs::read_to_string(dir.join("report/report.md")).unwrap();
    assert!(
        md.contains("- Final ARR falls into two groups of futures: in the 5") || md.contains("- Final ARR falls into two groups of futures: in the 4"),
        "report finding"
    );
    assert!(md.contains("- The final customer count falls into two groups of futures"), "report finding");
}
