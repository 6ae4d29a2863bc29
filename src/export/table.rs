//! Polars frames of results: the per-run and monthly tables, analysis
//! tables, and the thread that streams the per-run table to a run's
//! [`Writer`] while the runs are simulated.
//!
//! Numbers arrive already reduced (in a fixed order, see `aggregate`);
//! polars only lays them out. Every file is written to a temporary file in
//! the output folder and renamed into place ([`crate::pipeline::fs`]), so a
//! failed run never leaves a half-written file.

use super::Writer;
use crate::aggregate::MonthlyRow;
use crate::model::{FieldKind, RunField, RunSummary};
use crate::stats::QUANTILE_NAMES;
use anyhow::Context;
use polars::prelude::*;
use std::path::Path;

fn col<T>(name: &str, values: Vec<T>) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), values)
}

/// The per-run table: one row per run, columns of docs/model.md, then one
/// column per uncertain input named by its dotted path.
pub fn runs_frame(first_run: u64, runs: &[RunSummary], inputs: &[f64], fields: &[RunField], input_paths: &[&str]) -> PolarsResult<DataFrame> {
    let n = runs.len();
    let k = input_paths.len();
    let mut columns = vec![col("run", (first_run..first_run + n as u64).collect::<Vec<u64>>())];
    for field in fields {
        let values = runs.iter().map(field.get);
        columns.push(match field.kind {
            FieldKind::Month => col(field.name, values.map(|x| x.is_finite().then_some(x as u32)).collect::<Vec<_>>()),
            FieldKind::Count => col(field.name, values.map(|x| x as u32).collect::<Vec<u32>>()),
            FieldKind::Amount => col(field.name, values.collect::<Vec<f64>>()),
            FieldKind::Ratio => col(field.name, values.map(|x| (!x.is_nan()).then_some(x)).collect::<Vec<_>>()),
        });
    }
    for (j, path) in input_paths.iter().enumerate() {
        let values = (0..n).map(|r| inputs[r * k + j]);
        columns.push(if path.starts_with("funding_month_") {
            // A plan's round months: empty when the round did not pay.
            col(path, values.map(|x| (!x.is_nan()).then_some(x as u32)).collect::<Vec<_>>())
        } else {
            col(path, values.collect::<Vec<f64>>())
        });
    }
    DataFrame::new(n, columns)
}

/// The monthly table in long form: `metric, month, mean, sd, se_mean, p5 … p95`.
pub(crate) fn monthly_frame(rows: &[MonthlyRow]) -> PolarsResult<DataFrame> {
    let mut columns = vec![
        col("metric", rows.iter().map(|r| r.metric.as_str()).collect::<Vec<&str>>()),
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

/// A column of an analysis table (`stress`, `sensitivity`, `sweep`).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Text(Vec<String>),
    /// `None` is written as null (an undefined figure or error).
    Number(Vec<Option<f64>>),
}

/// An analysis table: named columns of equal length, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<(&'static str, Values)>,
}

impl Table {
    pub fn text(mut self, name: &'static str, values: Vec<String>) -> Table {
        self.columns.push((name, Values::Text(values)));
        self
    }

    pub fn number(mut self, name: &'static str, values: Vec<Option<f64>>) -> Table {
        self.columns.push((name, Values::Number(values)));
        self
    }

    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| match v {
            Values::Text(t) => t.len(),
            Values::Number(n) => n.len(),
        })
    }

    /// As a polars frame, for writing.
    pub fn frame(&self) -> PolarsResult<DataFrame> {
        let columns = self
            .columns
            .iter()
            .map(|(name, v)| match v {
                Values::Text(t) => col(name, t.clone()),
                Values::Number(n) => col(name, n.clone()),
            })
            .collect();
        DataFrame::new(self.rows(), columns)
    }
}

/// Rows per batch of the streamed per-run table (one Parquet row group).
pub const BATCH_ROWS: usize = 1 << 16;
/// Rows of the first batch: small, so that a short run's table is mostly
/// encoded while the run is still simulating rather than after it.
pub const FIRST_BATCH_ROWS: usize = 1 << 13;

/// A batch of consecutive runs.
struct Batch {
    first_run: u64,
    runs: Vec<RunSummary>,
    inputs: Vec<f64>,
}

/// Streams the per-run table to a run's [`Writer`], [`BATCH_ROWS`] runs
/// at a time, on a thread of its own: memory stays bounded whatever the
/// number of runs, and encoding overlaps simulation. Rows must arrive in
/// run order. [`RunsWriter::finish`] hands the writer back for the rest of
/// the run's files; dropping it drops the writer and its staged files.
pub struct RunsWriter {
    pending: Batch,
    /// Rows of the batch being filled: [`FIRST_BATCH_ROWS`], then
    /// [`BATCH_ROWS`]. Batch boundaries depend only on run counts, so the
    /// file's bytes do not depend on timing.
    batch_rows: usize,
    n_inputs: usize,
    /// At most two batches wait for the writer thread.
    tx: Option<std::sync::mpsc::SyncSender<Batch>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<Box<dyn Writer>>>>,
}

impl RunsWriter {
    /// Starts the thread that feeds `writer` the per-run table of a run in
    /// `dir` whose input columns are `input_paths`.
    pub(crate) fn create(mut writer: Box<dyn Writer>, dir: &Path, fields: &'static [RunField], input_paths: Vec<String>) -> anyhow::Result<RunsWriter> {
        let n_inputs = input_paths.len();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        let where_ = dir.display().to_string();
        let thread = std::thread::Builder::new()
            .name("runway-runs-writer".into())
            .spawn(move || {
                let paths: Vec<&str> = input_paths.iter().map(String::as_str).collect();
                for b in rx {
                    let written =
                        runs_frame(b.first_run, &b.runs, &b.inputs, fields, &paths).map_err(anyhow::Error::from).and_then(|frame| writer.runs(&frame));
                    written.with_context(|| format!("cannot write the per-run table into {where_}"))?;
                }
                Ok(writer)
            })
            .context("cannot start the per-run table writer")?;
        Ok(RunsWriter {
            pending: Batch { first_run: 0, runs: Vec::with_capacity(FIRST_BATCH_ROWS), inputs: vec![] },
            batch_rows: FIRST_BATCH_ROWS,
            n_inputs,
            tx: Some(tx),
            thread: Some(thread),
        })
    }
    /// Appends the runs `first_run..first_run + runs.len()`.
    pub fn push(&mut self, first_run: u64, runs: &[RunSummary], inputs: &[f64]) -> anyhow::Result<()> {
        debug_assert_eq!(inputs.len(), runs.len() * self.n_inputs);
        let mut at = 0;
        while at < runs.len() {
            if self.pending.runs.is_empty() {
                self.pending.first_run = first_run + at as u64;
            }
            let take = (self.batch_rows - self.pending.runs.len()).min(runs.len() - at);
            self.pending.runs.extend_from_slice(&runs[at..at + take]);
            self.pending.inputs.extend_from_slice(&inputs[at * self.n_inputs..(at + take) * self.n_inputs]);
            at += take;
            if self.pending.runs.len() == self.batch_rows {
                self.send()?;
                self.batch_rows = BATCH_ROWS;
            }
        }
        Ok(())
    }

    fn send(&mut self) -> anyhow::Result<()> {
        let batch = std::mem::replace(&mut self.pending, Batch { first_run: 0, runs: Vec::with_capacity(BATCH_ROWS), inputs: vec![] });
        let sent = self.tx.as_ref().map(|tx| tx.send(batch).is_ok()).unwrap_or(false);
        if !sent {
            // The writer stopped: its error says why.
            self.tx = None;
            return Err(self.join().err().unwrap_or_else(|| anyhow::anyhow!("the per-run table writer stopped")));
        }
        Ok(())
    }

    fn join(&mut self) -> anyhow::Result<Box<dyn Writer>> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the per-run table writer panicked"))),
            None => Err(anyhow::anyhow!("the per-run table writer already stopped")),
        }
    }

    /// Sends what is pending and waits for the writer thread; returns the
    /// writer, which has the whole per-run table.
    pub fn finish(mut self) -> anyhow::Result<Box<dyn Writer>> {
        if !self.pending.runs.is_empty() {
            self.send()?;
        }
        self.tx = None; // ends the writer's loop
        self.join()
    }
}

impl Drop for RunsWriter {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join(); // its staged files are deleted with the writer
        }
    }
}
