//! CSV, Parquet (Zstd) and JSON through polars: one file per table,
//! `runs.<ext>` (streamed in batches while the runs are simulated) and
//! `monthly.<ext>`; the summary is `summary.json` alone.

use super::table::runs_frame;
use super::{Exporter, Writer};
use crate::analysis::point::InputRange;
use crate::model::RunField;
use crate::pipeline::fs;
use crate::pipeline::manifest::Summary;
use polars::io::{csv::write::BatchedWriter as CsvBatches, parquet::write::BatchedWriter as ParquetBatches};
use polars::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Which polars writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parquet,
    Csv,
    Json,
}

/// A format of one file per table.
#[derive(Debug, Clone, Copy)]
pub struct Files(Kind);

pub(crate) static PARQUET: Files = Files(Kind::Parquet);
pub static CSV: Files = Files(Kind::Csv);
pub static JSON: Files = Files(Kind::Json);

impl Exporter for Files {
    fn extension(&self) -> &'static str {
        match self.0 {
            Kind::Parquet => "parquet",
            Kind::Csv => "csv",
            Kind::Json => "json",
        }
    }

    fn write_table(&self, df: &mut DataFrame, file: &mut std::fs::File) -> anyhow::Result<()> {
        match self.0 {
            Kind::Parquet => {
                ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None)).finish(df)?;
            }
            Kind::Csv => CsvWriter::new(file).include_header(true).finish(df)?,
            Kind::Json => JsonWriter::new(file).with_json_format(JsonFormat::Json).finish(df)?,
        }
        Ok(())
    }

    fn writer(&self, dir: &Path, fields: &'static [RunField], input_paths: &[String], runs: bool) -> anyhow::Result<Box<dyn Writer>> {
        let runs = if runs { Some(RunsFile::create(self.0, dir, fields, input_paths)?) } else { None };
        Ok(Box::new(FilesWriter { exporter: *self, dir: dir.to_path_buf(), runs, monthly: None }))
    }

    fn written_files(&self, runs: bool) -> String {
        let ext = self.extension();
        if runs { format!("{{runs,monthly}}.{ext} and summary.json") } else { format!("monthly.{ext} and summary.json") }
    }

    fn runs_file(&self) -> Option<String> {
        Some(format!("runs.{}", self.extension()))
    }

    fn row_size_factor(&self) -> u64 {
        if self.0 == Kind::Json { 2 } else { 1 }
    }
}

/// A run's files: the per-run table being streamed, the monthly table staged.
struct FilesWriter {
    exporter: Files,
    dir: PathBuf,
    runs: Option<RunsFile>,
    monthly: Option<NamedTempFile>,
}

impl Writer for FilesWriter {
    fn runs(&mut self, batch: &DataFrame) -> anyhow::Result<()> {
        self.runs.as_mut().ok_or_else(|| anyhow::anyhow!("this run writes no per-run table"))?.write(batch)
    }

    fn monthly(&mut self, df: &mut DataFrame) -> anyhow::Result<()> {
        self.monthly = Some(fs::stage(&self.dir, |f| self.exporter.write_table(df, f))?);
        Ok(())
    }

    fn summary(&mut self, _: &Summary, _: &[InputRange]) -> anyhow::Result<()> {
        Ok(())
    }

    fn finish(self: Box<Self>) -> anyhow::Result<Vec<(NamedTempFile, String)>> {
        let ext = self.exporter.extension();
        let mut staged = vec![];
        if let Some(runs) = self.runs {
            staged.push((runs.finish()?, format!("runs.{ext}")));
        }
        let monthly = self.monthly.ok_or_else(|| anyhow::anyhow!("the monthly table was not written"))?;
        staged.push((monthly, format!("monthly.{ext}")));
        Ok(staged)
    }
}

/// The per-run table's temporary file and the encoder writing into it.
struct RunsFile {
    tmp: NamedTempFile,
    encoder: Encoder,
}

/// A streaming encoder: Parquet row groups, CSV rows, or a JSON array
/// whose row objects are written as JSON lines with the line breaks
/// turned into commas (the bytes `JsonFormat::Json` writes for a whole frame).
enum Encoder {
    Parquet(Box<ParquetBatches<std::fs::File>>),
    Csv(CsvBatches<BufWriter<std::fs::File>>),
    Json { out: BufWriter<std::fs::File>, first: bool },
}

impl RunsFile {
    fn create(kind: Kind, dir: &Path, fields: &'static [RunField], input_paths: &[String]) -> anyhow::Result<RunsFile> {
        let tmp = fs::temp_in(dir)?;
        let file = tmp.as_file().try_clone()?;
        let paths: Vec<&str> = input_paths.iter().map(String::as_str).collect();
        let schema = runs_frame(0, &[], &[], fields, &paths)?.schema().as_ref().clone();
        let encoder = match kind {
            Kind::Parquet => Encoder::Parquet(Box::new(ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None)).batched(&schema)?)),
            Kind::Csv => Encoder::Csv(CsvWriter::new(BufWriter::new(file)).include_header(true).batched(&schema)?),
            Kind::Json => {
                let mut out = BufWriter::new(file);
                out.write_all(b"[")?;
                Encoder::Json { out, first: true }
            }
        };
        Ok(RunsFile { tmp, encoder })
    }

    fn write(&mut self, batch: &DataFrame) -> anyhow::Result<()> {
        match &mut self.encoder {
            Encoder::Parquet(w) => w.write_batch(batch)?,
            Encoder::Csv(w) => w.write_batch(batch)?,
            Encoder::Json { out, first } => {
                let mut lines = vec![];
                JsonWriter::new(&mut lines).with_json_format(JsonFormat::JsonLines).finish(&mut batch.clone())?;
                for line in lines.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                    if !*first {
                        out.write_all(b",")?;
                    }
                    *first = false;
                    out.write_all(line)?;
                }
            }
        }
        Ok(())
    }

    /// Writes the footer, flushes, and returns the sealed file.
    fn finish(self) -> anyhow::Result<NamedTempFile> {
        match self.encoder {
            Encoder::Parquet(w) => {
                w.finish()?;
            }
            Encoder::Csv(mut w) => w.finish()?,
            Encoder::Json { mut out, .. } => {
                out.write_all(b"]")?;
                out.flush()?;
            }
        }
        fs::seal(self.tmp)
    }
}
