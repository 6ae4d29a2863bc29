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

use anyhow::Context;
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook, Worksheet};

/// Data rows a sheet holds below its header row.
pub const MAX_ROWS: u64 = 1_048_575;

/// A workbook being written: summary, monthly and (optionally) runs.
pub struct Book {
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
    /// A workbook with its sheets; `runs` adds the runs sheet.
    pub fn new(runs: bool) -> anyhow::Result<Book> {
        let mut book = Workbook::new();
        book.set_properties(&fixed_date()?);
        book.add_worksheet().set_name("summary")?;
        book.add_worksheet().set_name("monthly")?;
        if runs {
            book.add_worksheet_with_constant_memory().set_name("runs")?;
        }
        Ok(Book { book, runs_rows: 0, has_runs: runs })
    }

    fn sheet(&mut self, name: &str) -> anyhow::Result<&mut Worksheet> {
        Ok(self.book.worksheet_from_name(name)?)
    }

    /// Appends `df`'s rows to the runs sheet (with the header first).
    pub fn push_runs(&mut self, df: &DataFrame) -> anyhow::Result<()> {
        anyhow::ensure!(self.has_runs, "this workbook has no runs sheet");
        // Rows written so far, the header included: the next free row.
        let first = self.runs_rows;
        let header = first == 0;
        write_rows(self.sheet("runs")?, df, first, header)?;
        self.runs_rows += df.height() as u32 + u32::from(header);
        Ok(())
    }

    /// Fills the monthly sheet.
    pub fn monthly(&mut self, df: &DataFrame) -> anyhow::Result<()> {
        let ws = self.sheet("monthly")?;
        write_rows(ws, df, 0, true)?;
        ws.set_freeze_panes(1, 2)?;
        Ok(())
    }

    /// Fills the summary sheet: blocks of (heading, header, rows), one
    /// blank row apart.
    pub fn summary(&mut self, blocks: &[SummaryBlock]) -> anyhow::Result<()> {
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
    pub fn save(mut self, file: &mut std::fs::File) -> anyhow::Result<()> {
        self.book.save_to_writer(file).context("cannot write the workbook")
    }
}

/// A cell of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Empty when `None` or not finite.
    Number(Option<f64>),
}

/// One block of the summary sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryBlock {
    pub heading: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Writes `df` to a one-sheet workbook (an analysis table).
pub fn write_frame(df: &DataFrame, sheet: &str, file: &mut std::fs::File) -> anyhow::Result<()> {
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
