//! Polars tables of results, and writing them as Parquet, CSV or JSON.
//!
//! This is the only module that knows polars. Numbers arrive already reduced
//! (in a fixed order, see `aggregate`); polars only lays them out and writes
//! them. Every file is written to a temporary file in the output folder and
//! renamed into place, so a failed run never leaves a half-written file.

use crate::aggregate::MonthlyRow;
use crate::model::RunSummary;
use crate::stats::QUANTILE_NAMES;
use anyhow::Context;
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Parquet,
    Csv,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

fn col<T>(name: &str, values: Vec<T>) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), values)
}

/// The per-run table: one row per run, columns of DESIGN §3.1, then one
/// column per uncertain input named by its dotted path.
pub fn runs_frame(first_run: u64, runs: &[RunSummary], inputs: &[f64], input_paths: &[&str]) -> PolarsResult<DataFrame> {
    let n = runs.len();
    let k = input_paths.len();
    let f = |g: fn(&RunSummary) -> f64| runs.iter().map(g).collect::<Vec<f64>>();
    let o = |g: fn(&RunSummary) -> Option<f64>| runs.iter().map(g).collect::<Vec<Option<f64>>>();
    let mut columns = vec![
        col("run", (first_run..first_run + n as u64).collect::<Vec<u64>>()),
        col("default_month", runs.iter().map(|r| r.default_month).collect::<Vec<Option<u32>>>()),
        col("breakeven_month", runs.iter().map(|r| r.breakeven_month).collect::<Vec<Option<u32>>>()),
        col("final_customers", f(|r| r.final_customers)),
        col("final_mrr", f(|r| r.final_mrr)),
        col("final_arr", f(|r| r.final_arr)),
        col("final_cash", f(|r| r.final_cash)),
        col("min_cash", f(|r| r.min_cash)),
        col("min_cash_month", runs.iter().map(|r| r.min_cash_month).collect::<Vec<u32>>()),
        col("total_revenue", f(|r| r.total_revenue)),
        col("total_profit", f(|r| r.total_profit)),
        col("funding_received", f(|r| r.funding_received)),
        col("cac", o(|r| r.cac)),
        col("ltv", o(|r| r.ltv)),
        col("ltv_cac", o(|r| r.ltv_cac)),
        col("payback_months", o(|r| r.payback_months)),
    ];
    for (j, path) in input_paths.iter().enumerate() {
        columns.push(col(path, (0..n).map(|r| inputs[r * k + j]).collect::<Vec<f64>>()));
    }
    DataFrame::new(n, columns)
}

/// The monthly table in long form: `metric, month, mean, sd, se_mean, p5 … p95`.
pub fn monthly_frame(rows: &[MonthlyRow]) -> PolarsResult<DataFrame> {
    let mut columns = vec![
        col("metric", rows.iter().map(|r| r.metric).collect::<Vec<&str>>()),
        col("month", rows.iter().map(|r| r.month).collect::<Vec<u32>>()),
        col("mean", rows.iter().map(|r| r.mean).collect::<Vec<f64>>()),
        col("sd", rows.iter().map(|r| r.sd).collect::<Vec<f64>>()),
        col("se_mean", rows.iter().map(|r| r.se_mean).collect::<Vec<f64>>()),
    ];
    for (i, name) in QUANTILE_NAMES.iter().enumerate() {
        columns.push(col(name, rows.iter().map(|r| r.q[i]).collect::<Vec<f64>>()));
    }
    DataFrame::new(rows.len(), columns)
}

/// Writes `df` to `file` in `format`.
pub fn write_frame_to(df: &mut DataFrame, file: &mut std::fs::File, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Parquet => {
            ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None)).finish(df)?;
        }
        Format::Csv => CsvWriter::new(file).include_header(true).finish(df)?,
        Format::Json => JsonWriter::new(file).with_json_format(JsonFormat::Json).finish(df)?,
    }
    Ok(())
}

/// Writes `df` to `path` in `format`, atomically.
pub fn write_frame(df: &mut DataFrame, path: &Path, format: Format) -> anyhow::Result<()> {
    write_atomic(path, |f| write_frame_to(df, f, format))
}

/// Writes a complete temporary file in `dir`; [`commit`] moves it into place.
/// Dropping it unused deletes it.
pub fn stage(dir: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".runway-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    write(tmp.as_file_mut()).with_context(|| format!("cannot write into {}", dir.display()))?;
    tmp.as_file_mut().flush()?;
    // Temporary files are created 0600; results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Renames a staged file to `path` (atomic on one file system).
pub fn commit(tmp: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    tmp.persist(path).with_context(|| format!("cannot move the finished file to {}", path.display()))?;
    Ok(())
}

/// Writes a file by writing a temporary file beside it, then renaming it.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    commit(stage(dir, write)?, path)
}
