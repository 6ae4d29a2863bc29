//! Excel workbooks (`--format xlsx`): the only module that knows
//! `rust_xlsxwriter`.
//!
//! `runway run --format xlsx` writes one workbook, `results.xlsx`, with a
//! *summary* sheet (the run's manifest, the headline figures with their
//! standard errors, and the inputs), the *monthly* table, and the *runs*
//! table when the runs fit Excel's 1,048,576 rows. The runs sheet is
//! written in rust_xlsxwriter's constant-memory mode while the runs are
//! simulated, so memory stays bounded; the other sheets are filled at the
//! end. An analysis table (`stress --format xlsx`, …) is a one-sheet
//! workbook. Empty cells stand for null (an undefined figure, "never").
//! The document's creation date is fixed, so a workbook's bytes depend
//! only on its contents.

use super::{Exporter, Writer};
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

/// A workbook being written: summary, monthly and (optionally) runs.
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
        write_rows(self.sheet("runs")?, df, first, header)?;
        self.runs_rows += df.height() as u32 + u32::from(header);
        Ok(())
    }

    /// Fills the monthly sheet.
    fn fill_monthly(&mut self, df: &DataFrame) -> anyhow::Result<()> {
        let ws = self.sheet("monthly")?;
        write_rows(ws, df, 0, true)?;
        ws.set_freeze_panes(1, 2)?;
        Ok(())
    }

    /// Fills the summary sheet: blocks of (heading, header, rows), one
    /// blank row apart.
    fn fill_summary(&mut self, blocks: &[SummaryBlock]) -> anyhow::Result<()> {
        let ws = self.sheet("summary")?;
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
                        Cell::Number(Some(x)) if x.is_finite() => ws.write_number(row, c as u16, *x)?,
                        Cell::Number(_) => ws,
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
    /// Empty when `None` or not finite.
    Number(Option<f64>),
}

/// One block of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryBlock {
    pub heading: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Writes `df` to a one-sheet workbook (an analysis table).
pub(crate) fn write_frame(df: &DataFrame, sheet: &str, file: &mut std::fs::File) -> anyhow::Result<()> {
    anyhow::ensure!(df.height() as u64 <= MAX_ROWS, "{} rows are more than an Excel sheet holds ({MAX_ROWS}); use --format csv or parquet", df.height());
    let mut book = Workbook::new();
    book.set_properties(&fixed_date()?);
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    write_rows(ws, df, 0, true)?;
    book.save_to_writer(file).context("cannot write the workbook")
}

/// Writes `df` from row `first` down, its column names first when
/// `header`. Numbers (and months) as numbers, text as text, nulls and
/// non-finite numbers as empty cells.
fn write_rows(ws: &mut Worksheet, df: &DataFrame, first: u32, header: bool) -> anyhow::Result<()> {
    let mut first = first;
    if header {
        for (c, column) in df.columns().iter().enumerate() {
            ws.write_string_with_format(first, c as u16, column.name().as_str(), &bold())?;
        }
        first += 1;
    }
    // Row by row: constant-memory sheets must be written in row order.
    let columns: Vec<Column> =
        df.columns().iter().map(|c| if c.dtype().is_primitive_numeric() { c.cast(&DataType::Float64) } else { Ok(c.clone()) }).collect::<PolarsResult<_>>()?;
    let numbers: Vec<Option<&Float64Chunked>> = columns.iter().map(|c| c.f64().ok()).collect();
    let texts: Vec<Option<&StringChunked>> = columns.iter().map(|c| c.str().ok()).collect();
    for i in 0..df.height() {
        let row = first + i as u32;
        for c in 0..columns.len() {
            if let Some(x) = numbers[c].and_then(|n| n.get(i)).filter(|x| x.is_finite()) {
                ws.write_number(row, c as u16, x)?;
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
    let num = |x: Option<f64>| Cell::Number(x);
    let run = vec![
        vec![text("scenario"), text(&m.scenario)],
        vec![text("file"), text(&m.scenario_file)],
        vec![text("seed"), num(Some(m.seed as f64))],
        vec![text("runs"), num(Some(m.runs as f64))],
        vec![text("months"), num(Some(f64::from(m.months)))],
        vec![text("currency"), text(m.currency.as_deref().unwrap_or(""))],
        vec![text("runway version"), text(&format!("{} (stream {})", m.runway_version, m.stream_version))],
    ];
    let mut figures = vec![];
    let est = |name: String, e: &crate::aggregate::Estimate| vec![Cell::Text(name), num(e.estimate), num(e.se)];
    for d in &h.p_default_by {
        figures.push(est(format!("P(default by month {})", d.month), &d.p));
    }
    for (name, mm) in [("first profitable month, median", &h.median_first_profit_month), ("breakeven month, median", &h.median_breakeven_month)] {
        figures.push(vec![text(name), num(mm.estimate), num(None), num(mm.low95), num(mm.high95)]);
    }
    figures.push(est(format!("P(breakeven by month {})", h.months), &h.p_breakeven));
    for (name, s) in [("final cash", &h.final_cash), ("final ARR", &h.final_arr), ("final customers", &h.final_customers)] {
        for (stat, e) in [("P10", &s.p10), ("P50", &s.p50), ("P90", &s.p90), ("mean", &s.mean)] {
            figures.push(est(format!("{name} {stat}"), e));
        }
    }
    figures.push(est("funding need mean".into(), &h.funding_need.mean));
    figures.push(est("funding need P90".into(), &h.funding_need.p90));
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
                vec![text(&i.path), text(&i.label), text(per), num(Some(i.p5)), num(Some(i.median)), num(Some(i.p95))]
            })
            .collect();
        blocks.push(SummaryBlock {
            heading: format!("Inputs (5%, median, 95% of the distribution, estimated from {} draws)", crate::num::number(crate::dist::PILOT_DRAWS as f64, 0)),
            header: vec!["input", "distribution", "drawn per", "p5", "median", "p95"],
            rows,
        });
    }
    blocks
}
