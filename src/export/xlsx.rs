//! Excel workbooks (`--format xlsx`): the only module that knows
//! `rust_xlsxwriter`.
//!
//! `runway run --format xlsx` writes one workbook, `results.xlsx`, with a
//! *summary* sheet (the run's manifest, the headline figures with their
//! standard errors, and the inputs), the *monthly* table (long: a row per
//! metric and month), *monthly (wide)* (a row per month, a column per
//! metric holding its median, `cash p50`, read from the long table's
//! `p50`), and the *runs* table when the runs fit Excel's 1,048,576 rows.
//! The runs sheet is written in rust_xlsxwriter's constant-memory mode
//! while the runs are simulated, so memory stays bounded; the other sheets
//! are filled at the end. An analysis table (`stress --format xlsx`, …) is
//! a one-sheet workbook. Empty cells stand for null (an undefined figure,
//! "never"). The document's creation date is fixed, so a workbook's bytes
//! depend only on its contents.
//!
//! Cells hold numbers, never numbers as text; an Excel number format shows
//! each in its [`Unit`]: probabilities and shares as `0.0%`, money and
//! counts as `#,##0`, months as `0`, ratios as `0.00`, a standard error as
//! its figure. [`unit_of`] decides from a metric's or column's name (the
//! one place, unit-tested against every metric and per-run field);
//! [`unit_of_figure`] from a figure's text, for the rows of an analysis
//! table. The runs sheet and the wide sheet use a format per column (set
//! once, nothing per cell); the long monthly sheet and analysis tables, one
//! per cell by the row's metric or figure. The header row stays in view
//! (and the first column, or on the long sheet the metric and month).

use super::{Exporter, Writer};
use crate::model::units::{Unit, unit_of, unit_of_figure};
use crate::pipeline::fs;
use crate::pipeline::manifest::Summary;
use anyhow::Context;
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook, Worksheet};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Data rows a sheet holds below its header row.
pub(crate) const MAX_ROWS: u64 = 1_048_575;

/// The one file `--format xlsx` writes besides `summary.json`.
pub(crate) const WORKBOOK: &str = "results.xlsx";

/// The wide monthly sheet: one row per month, one column per metric.
pub(crate) const WIDE_SHEET: &str = "monthly (wide)";

/// The long monthly table's column the wide sheet holds: the median.
pub(crate) const CENTRAL: &str = "p50";

/// Excel's number format code for a [`Unit`].
pub(crate) fn num_format(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "0.0%",
        Unit::Money | Unit::Count => "#,##0",
        Unit::Month => "0",
        Unit::Ratio => "0.00",
        Unit::General => "General",
    }
}

fn cell_format(unit: Unit) -> CellFormat {
    match unit {
        Unit::General => CellFormat::new(),
        u => CellFormat::new().set_num_format(num_format(u)),
    }
}

/// One cell format per [`Unit`], made once per sheet.
struct Formats([CellFormat; 6]);

impl Formats {
    fn new() -> Formats {
        Formats(Unit::ALL.map(cell_format))
    }

    fn of(&self, unit: Unit) -> &CellFormat {
        &self.0[unit as usize]
    }
}

/// The Excel format: one workbook.
pub(crate) struct Xlsx;

pub(crate) static XLSX: Xlsx = Xlsx;

impl Exporter for Xlsx {
    fn extension(&self) -> &'static str {
        "xlsx"
    }

    fn write_table(&self, df: &mut DataFrame, file: &mut std::fs::File) -> anyhow::Result<()> {
        write_frame(df, "table", file)
    }

    fn writer(&self, dir: &Path, _fields: &'static [crate::model::RunField], _input_paths: &[String], runs: bool) -> anyhow::Result<Box<dyn Writer>> {
        Ok(Box::new(Book::new(dir, runs)?))
    }

    fn written_files(&self, _runs: bool) -> String {
        format!("{WORKBOOK} and summary.json")
    }

    fn runs_file(&self) -> Option<String> {
        None
    }

    fn wants_inputs(&self) -> bool {
        true
    }
}

/// A workbook being written: summary, monthly (long and wide) and
/// (optionally) runs.
pub(crate) struct Book {
    dir: PathBuf,
    book: Workbook,
    /// Rows written to the runs sheet so far, its header included.
    runs_rows: u32,
    has_runs: bool,
}

fn fixed_date() -> anyhow::Result<DocProperties> {
    Ok(DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?))
}

fn bold() -> CellFormat {
    CellFormat::new().set_bold()
}

impl Book {
    /// A workbook with its sheets, to be staged in `dir`; `runs` adds the
    /// runs sheet.
    pub fn new(dir: &Path, runs: bool) -> anyhow::Result<Book> {
        let mut book = Workbook::new();
        book.set_properties(&fixed_date()?);
        book.add_worksheet().set_name("summary")?;
        book.add_worksheet().set_name("monthly")?;
        book.add_worksheet().set_name(WIDE_SHEET)?;
        if runs {
            book.add_worksheet_with_constant_memory().set_name("runs")?;
        }
        Ok(Book { dir: dir.to_path_buf(), book, runs_rows: 0, has_runs: runs })
    }

    fn sheet(&mut self, name: &str) -> anyhow::Result<&mut Worksheet> {
        Ok(self.book.worksheet_from_name(name)?)
    }

    /// Appends `df`'s rows to the runs sheet (with the header first).
    pub(crate) fn push_runs(&mut self, df: &DataFrame) -> anyhow::Result<()> {
        anyhow::ensure!(self.has_runs, "this workbook has no runs sheet");
        // Rows written so far, the header included: the next free row.
        let first = self.runs_rows;
        let header = first == 0;
        // By column: a column format costs nothing per cell.
        let shown: Vec<Shown> = df.get_column_names().iter().map(|n| Shown::Column(unit_of(n))).collect();
        let ws = self.sheet("runs")?;
        write_rows(ws, df, first, header, &shown)?;
        if header {
            ws.set_freeze_panes(1, 1)?;
        }
        self.runs_rows += df.height() as u32 + u32::from(header);
        Ok(())
    }

    /// Fills the monthly sheets: the long table as it is, each row's
    /// figures in its metric's unit, and the wide one from it.
    fn fill_monthly(&mut self, df: &DataFrame) -> anyhow::Result<()> {
        let metrics = df.column("metric")?.str()?;
        let units: Vec<Unit> = metrics.iter().map(|m| m.map_or(Unit::General, unit_of)).collect();
        let shown: Vec<Shown> = df
            .get_column_names()
            .iter()
            .map(|n| match n.as_str() {
                "metric" => Shown::Column(Unit::General),
                "month" => Shown::Column(Unit::Month),
                _ => Shown::Rows(&units),
            })
            .collect();
        let ws = self.sheet("monthly")?;
        write_rows(ws, df, 0, true, &shown)?;
        ws.set_freeze_panes(1, 2)?;
        let (wide, units) = wide_monthly(df)?;
        let shown: Vec<Shown> = std::iter::once(Shown::Column(Unit::Month)).chain(units.into_iter().map(Shown::Column)).collect();
        let ws = self.sheet(WIDE_SHEET)?;
        write_rows(ws, &wide, 0, true, &shown)?;
        ws.set_freeze_panes(1, 1)?;
        Ok(())
    }

    /// Fills the summary sheet: blocks of (heading, header, rows), one
    /// blank row apart.
    fn fill_summary(&mut self, blocks: &[SummaryBlock]) -> anyhow::Result<()> {
        let ws = self.sheet("summary")?;
        let formats = Formats::new();
        let mut row = 0u32;
        for b in blocks {
            ws.write_string_with_format(row, 0, &b.heading, &bold())?;
            row += 1;
            for (c, h) in b.header.iter().enumerate() {
                ws.write_string_with_format(row, c as u16, *h, &bold())?;
            }
            row += u32::from(!b.header.is_empty());
            for cells in &b.rows {
                for (c, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(t) => ws.write_string(row, c as u16, t)?,
                        Cell::Number(Some(x), unit) if x.is_finite() => ws.write_number_with_format(row, c as u16, *x, formats.of(*unit))?,
                        Cell::Number(..) => ws,
                    };
                }
                row += 1;
            }
            row += 1;
        }
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 18)?;
        ws.set_column_width(2, 18)?;
        Ok(())
    }

    /// Writes the workbook to `file`.
    fn save(&mut self, file: &mut std::fs::File) -> anyhow::Result<()> {
        self.book.save_to_writer(file).context("cannot write the workbook")
    }
}

impl Writer for Book {
    fn runs(&mut self, batch: &DataFrame) -> anyhow::Result<()> {
        self.push_runs(batch)
    }

    fn monthly(&mut self, df: &mut DataFrame) -> anyhow::Result<()> {
        self.fill_monthly(df)
    }

    fn summary(&mut self, s: &Summary, inputs: &[crate::analysis::point::InputRange]) -> anyhow::Result<()> {
        self.fill_summary(&summary_blocks(s.manifest, s.headline, inputs))
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<Vec<(NamedTempFile, String)>> {
        let dir = self.dir.clone();
        Ok(vec![(fs::stage(&dir, |f| self.save(f))?, WORKBOOK.into())])
    }
}

/// A cell of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    /// Empty when `None` or not finite; shown in its unit.
    Number(Option<f64>, Unit),
}

/// One block of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryBlock {
    pub heading: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Writes `df` to a one-sheet workbook (an analysis table). A table with
/// a `figure` column (`stress`, `sensitivity`, `sweep`, `diff`) shows the
/// figure's values, errors and differences after it in each row's figure's
/// unit ([`unit_of_figure`]); every other column by its name ([`unit_of`]).
pub(crate) fn write_frame(df: &DataFrame, sheet: &str, file: &mut std::fs::File) -> anyhow::Result<()> {
    anyhow::ensure!(df.height() as u64 <= MAX_ROWS, "{} rows are more than an Excel sheet holds ({MAX_ROWS}); use --format csv or parquet", df.height());
    let mut book = Workbook::new();
    book.set_properties(&fixed_date()?);
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let names = df.get_column_names();
    let figure = names.iter().position(|n| n.as_str() == "figure");
    let units: Vec<Unit> = match figure {
        Some(c) => df.columns()[c].str().map(|f| f.iter().map(|f| f.map_or(Unit::General, unit_of_figure)).collect()).unwrap_or_default(),
        None => vec![],
    };
    let shown: Vec<Shown> = names
        .iter()
        .enumerate()
        .map(|(c, n)| {
            let of_figure = figure.is_some_and(|f| c > f) && FIGURE_COLUMNS.contains(&n.strip_suffix("_se").unwrap_or(n));
            if of_figure && !units.is_empty() { Shown::Rows(&units) } else { Shown::Column(unit_of(n)) }
        })
        .collect();
    write_rows(ws, df, 0, true, &shown)?;
    ws.set_freeze_panes(1, 0)?;
    book.save_to_writer(file).context("cannot write the workbook")
}

/// The columns of analysis tables (docs/analysis.md) that hold a value of
/// the row's figure, a difference of two, or (as `NAME_se`) an error of one.
const FIGURE_COLUMNS: [&str; 11] = ["base", "value", "diff", "unpaired", "old", "new", "estimate", "se", "low", "high", "swing"];

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy)]
enum Shown<'a> {
    /// All in one unit: a column format, set with the header.
    Column(Unit),
    /// Row by row (`[i]` for the frame's row `i`): a format per cell.
    Rows(&'a [Unit]),
}

/// The wide monthly table from the long one: `month`, then one column per
/// metric, in the long table's order, holding its [`CENTRAL`] value
/// (`cash p50`); with each metric column's unit.
fn wide_monthly(long: &DataFrame) -> anyhow::Result<(DataFrame, Vec<Unit>)> {
    let metric = long.column("metric")?.str()?;
    let month = long.column("month")?.cast(&DataType::UInt32)?;
    let month = month.u32()?;
    let central = long.column(CENTRAL)?.cast(&DataType::Float64)?;
    let central = central.f64()?;
    let mut names: Vec<&str> = vec![];
    let months = month.iter().flatten().max().unwrap_or(0) as usize;
    let mut values: Vec<Vec<Option<f64>>> = vec![];
    for i in 0..long.height() {
        let (Some(m), Some(t)) = (metric.get(i), month.get(i)) else { continue };
        let k = names.iter().position(|n| *n == m).unwrap_or_else(|| {
            names.push(m);
            values.push(vec![None; months]);
            names.len() - 1
        });
        anyhow::ensure!(t >= 1, "month {t} of {m} in the monthly table");
        values[k][t as usize - 1] = central.get(i);
    }
    let mut columns = vec![Column::new("month".into(), (1..=months as u32).collect::<Vec<u32>>())];
    columns.extend(names.iter().zip(values).map(|(n, v)| Column::new(format!("{n} {CENTRAL}").into(), v)));
    Ok((DataFrame::new(months, columns)?, names.iter().map(|n| unit_of(n)).collect()))
}

/// A column's width in characters: its header's or its longest text,
/// within reason; numbers get room for `-12,345,678`.
fn width(header: &str, texts: Option<&StringChunked>, numeric: bool) -> u16 {
    let longest = texts.map_or(0, |t| t.iter().flatten().map(|s| s.chars().count()).max().unwrap_or(0));
    let floor = if numeric { 12 } else { 8 };
    (header.chars().count().max(longest) + 2).clamp(floor, 48) as u16
}

/// Writes `df` from row `first` down, `shown[c]` saying how column `c`'s
/// numbers are shown. With `header`, its column names first (bold), and
/// the columns' formats and widths. Numbers (and months) as numbers, text
/// as text, nulls and non-finite numbers as empty cells.
fn write_rows(ws: &mut Worksheet, df: &DataFrame, first: u32, header: bool, shown: &[Shown]) -> anyhow::Result<()> {
    anyhow::ensure!(shown.len() == df.width(), "a unit for each of {} columns", df.width());
    // Row by row: constant-memory sheets must be written in row order.
    let columns: Vec<Column> =
        df.columns().iter().map(|c| if c.dtype().is_primitive_numeric() { c.cast(&DataType::Float64) } else { Ok(c.clone()) }).collect::<PolarsResult<_>>()?;
    let numbers: Vec<Option<&Float64Chunked>> = columns.iter().map(|c| c.f64().ok()).collect();
    let texts: Vec<Option<&StringChunked>> = columns.iter().map(|c| c.str().ok()).collect();
    let mut first = first;
    if header {
        for (c, column) in df.columns().iter().enumerate() {
            let name = column.name().as_str();
            ws.write_string_with_format(first, c as u16, name, &bold())?;
            if let Shown::Column(u) = shown[c]
                && u != Unit::General
            {
                ws.set_column_format(c as u16, &cell_format(u))?;
            }
            ws.set_column_width(c as u16, width(name, texts[c], numbers[c].is_some()))?;
        }
        first += 1;
    }
    let formats = Formats::new();
    for i in 0..df.height() {
        let row = first + i as u32;
        for c in 0..columns.len() {
            if let Some(x) = numbers[c].and_then(|n| n.get(i)).filter(|x| x.is_finite()) {
                match shown[c] {
                    // The column's format applies.
                    Shown::Column(_) => ws.write_number(row, c as u16, x)?,
                    Shown::Rows(units) => ws.write_number_with_format(row, c as u16, x, formats.of(units[i]))?,
                };
            } else if let Some(t) = texts[c].and_then(|s| s.get(i)) {
                ws.write_string(row, c as u16, t)?;
            }
        }
    }
    Ok(())
}

/// The summary sheet of `results.xlsx`: the run, the headline figures
/// (value, standard error, 95% interval of a median month) and the inputs.
pub(crate) fn summary_blocks(
    m: &crate::pipeline::manifest::Manifest,
    h: &crate::aggregate::Headline,
    inputs: &[crate::analysis::point::InputRange],
) -> Vec<SummaryBlock> {
    let text = |s: &str| Cell::Text(s.to_string());
    let num = |x: Option<f64>, unit: Unit| Cell::Number(x, unit);
    let run = vec![
        vec![text("scenario"), text(&m.scenario)],
        vec![text("file"), text(&m.scenario_file)],
        vec![text("seed"), num(Some(m.seed as f64), Unit::General)],
        vec![text("runs"), num(Some(m.runs as f64), Unit::Count)],
        vec![text("months"), num(Some(f64::from(m.months)), Unit::Month)],
        vec![text("currency"), text(m.currency.as_deref().unwrap_or(""))],
        vec![text("runway version"), text(&format!("{} (stream {})", m.runway_version, m.stream_version))],
    ];
    let mut figures = vec![];
    // A figure and its standard error, in the figure's unit.
    let est = |name: String, e: &crate::aggregate::Estimate, unit: Unit| vec![Cell::Text(name), num(e.estimate, unit), num(e.se, unit)];
    for d in &h.p_default_by {
        figures.push(est(format!("P(default by month {})", d.month), &d.p, Unit::Percent));
    }
    for (name, mm) in [("first profitable month, median", &h.median_first_profit_month), ("breakeven month, median", &h.median_breakeven_month)] {
        let month = |x| num(x, Unit::Month);
        figures.push(vec![text(name), month(mm.estimate), month(None), month(mm.low95), month(mm.high95)]);
    }
    figures.push(est(format!("P(breakeven by month {})", h.months), &h.p_breakeven, Unit::Percent));
    for (name, s, unit) in
        [("final cash", &h.final_cash, Unit::Money), ("final ARR", &h.final_arr, Unit::Money), ("final customers", &h.final_customers, Unit::Count)]
    {
        for (stat, e) in [("P10", &s.p10), ("P50", &s.p50), ("P90", &s.p90), ("mean", &s.mean)] {
            figures.push(est(format!("{name} {stat}"), e, unit));
        }
    }
    figures.push(est("funding need mean".into(), &h.funding_need.mean, Unit::Money));
    figures.push(est("funding need P90".into(), &h.funding_need.p90, Unit::Money));
    let mut blocks = vec![
        SummaryBlock { heading: "Run".into(), header: vec![], rows: run },
        SummaryBlock {
            heading: "Headline (standard error = 1 Monte Carlo standard error; a median month has a 95% interval instead)".into(),
            header: vec!["figure", "value", "standard error", "95% low", "95% high"],
            rows: figures,
        },
    ];
    if !inputs.is_empty() {
        let rows = inputs
            .iter()
            .map(|i| {
                let per = if i.per_month { "month" } else { "run" };
                vec![
                    text(&i.path),
                    text(&i.label),
                    text(per),
                    num(Some(i.p5), Unit::General),
                    num(Some(i.median), Unit::General),
                    num(Some(i.p95), Unit::General),
                ]
            })
            .collect();
        blocks.push(SummaryBlock {
            heading: "Inputs (5%, median and 95% of each distribution, exact from its quantile function)".into(),
            header: vec!["input", "distribution", "drawn per", "p5", "median", "p95"],
            rows,
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{METRICS, RUN_FIELDS};

    /// Every monthly metric and per-run field, with the unit it is shown in.
    /// A metric or field added to the model without a line here fails
    /// `xlsx_every_metric_and_field_has_its_unit`.
    const EXPECTED: &[(&str, Unit)] = &[
        ("customers", Unit::Count),
        ("new_customers", Unit::Count),
        ("churned", Unit::Count),
        ("churn_rate", Unit::Percent),
        ("accuracy", Unit::Percent),
        ("mrr", Unit::Money),
        ("arr", Unit::Money),
        ("costs", Unit::Money),
        ("profit", Unit::Money),
        ("cash", Unit::Money),
        ("alive", Unit::Percent),
        ("new_mrr", Unit::Money),
        ("expansion_mrr", Unit::Money),
        ("contraction_mrr", Unit::Money),
        ("churned_mrr", Unit::Money),
        ("revenue", Unit::Money),
        ("cogs", Unit::Money),
        ("gross_margin", Unit::Percent),
        ("collected", Unit::Money),
        ("deferred_revenue", Unit::Money),
        ("burn", Unit::Money),
        ("headcount", Unit::Count),
        ("default_month", Unit::Month),
        ("breakeven_month", Unit::Month),
        ("first_profit_month", Unit::Month),
        ("final_customers", Unit::Count),
        ("final_mrr", Unit::Money),
        ("final_arr", Unit::Money),
        ("final_cash", Unit::Money),
        ("min_cash", Unit::Money),
        ("min_cash_month", Unit::Month),
        ("total_revenue", Unit::Money),
        ("total_profit", Unit::Money),
        ("funding_received", Unit::Money),
        ("cac_paid", Unit::Money),
        ("cac_blended", Unit::Money),
        ("ltv", Unit::Money),
        ("ltv_cac_paid", Unit::Ratio),
        ("ltv_cac_blended", Unit::Ratio),
        ("payback_months", Unit::Ratio),
        ("nrr", Unit::Percent),
        ("grr", Unit::Percent),
        ("burn_multiple", Unit::Ratio),
        ("quick_ratio", Unit::Ratio),
    ];

    #[test]
    fn xlsx_every_metric_and_field_has_its_unit() {
        let names = METRICS.iter().copied().chain(RUN_FIELDS.iter().map(|f| f.name));
        for name in names {
            let Some((_, unit)) = EXPECTED.iter().find(|(n, _)| *n == name) else { panic!("{name}: say how a workbook shows it") };
            assert_eq!(unit_of(name), *unit, "{name}");
            assert_ne!(unit_of(name), Unit::General, "{name}");
        }
    }

    #[test]
    fn xlsx_columns_segments_inputs_and_errors_are_classified_by_name() {
        for (name, unit) in [
            // Segment metrics as their metric; inputs' paths as written.
            ("mrr.pro", Unit::Money),
            ("customers.enterprise", Unit::Count),
            ("churned.pro", Unit::Count),
            ("costs.revenue_share", Unit::General),
            ("churn.base", Unit::General),
            ("pricing.price", Unit::General),
            // Columns of the tables.
            ("month", Unit::Month),
            ("run", Unit::General),
            ("funding_month_0", Unit::Month),
            ("p_default", Unit::Percent),
            ("variance_share", Unit::Percent),
            ("spearman", Unit::Ratio),
            // A standard error as its figure.
            ("spearman_se", Unit::Ratio),
            ("final_cash_se", Unit::Money),
            ("p_breakeven_se", Unit::Percent),
            // The long monthly table's statistics follow the row's metric.
            ("mean", Unit::General),
            ("se_mean", Unit::General),
            ("p50", Unit::General),
        ] {
            assert_eq!(unit_of(name), unit, "{name}");
        }
    }

    #[test]
    fn xlsx_figures_are_shown_in_their_metrics_units() {
        for (figure, unit) in [
            ("P(default_month <= 24)", Unit::Percent),
            ("P(cash[12] < 0)", Unit::Percent),
            ("median(final_cash)", Unit::Money),
            ("p10(cash[24])", Unit::Money),
            ("sd(mrr[end])", Unit::Money),
            ("mean(customers[12])", Unit::Count),
            ("median(breakeven_month)", Unit::Month),
            ("mean(default_month)", Unit::Ratio),
            ("median(ltv_cac_paid)", Unit::Ratio),
            ("mean(churn_rate[6])", Unit::Percent),
            ("median(mrr.pro[12])", Unit::Money),
            ("mean(churn.base)", Unit::General),
            ("not a figure", Unit::General),
        ] {
            assert_eq!(unit_of_figure(figure), unit, "{figure}");
        }
    }

    #[test]
    fn xlsx_units_have_excels_number_formats() {
        let codes: Vec<&str> = Unit::ALL.iter().map(|u| num_format(*u)).collect();
        assert_eq!(codes, ["0.0%", "#,##0", "#,##0", "0", "0.00", "General"]);
        // `Formats` indexes by the variant's position in `ALL`.
        for (i, u) in Unit::ALL.iter().enumerate() {
            assert_eq!(*u as usize, i);
        }
    }

    #[test]
    fn xlsx_wide_monthly_is_one_row_per_month_of_each_metrics_median() {
        let rows: Vec<crate::aggregate::MonthlyRow> = [("cash", 1, 10.0), ("cash", 2, 20.0), ("churn_rate", 1, 0.1), ("churn_rate", 2, 0.2)]
            .into_iter()
            .map(|(m, t, p50)| crate::aggregate::MonthlyRow {
                metric: m.into(),
                month: t,
                mean: -1.0,
                sd: -1.0,
                se_mean: -1.0,
                q: [-1.0, -1.0, -1.0, p50, -1.0, -1.0, -1.0],
            })
            .collect();
        let long = crate::export::table::monthly_frame(&rows).unwrap();
        let (wide, units) = wide_monthly(&long).unwrap();
        let names: Vec<&str> = wide.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["month", "cash p50", "churn_rate p50"]);
        assert_eq!(units, [Unit::Money, Unit::Percent]);
        assert_eq!(wide.height(), 2);
        let col = |n: &str| wide.column(n).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect::<Vec<_>>();
        assert_eq!(col("month"), [Some(1.0), Some(2.0)]);
        assert_eq!(col("cash p50"), [Some(10.0), Some(20.0)]);
        assert_eq!(col("churn_rate p50"), [Some(0.1), Some(0.2)]);
    }
}
