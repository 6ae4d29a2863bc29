//! Writing tables to files: the formats runway writes, behind one seam.
//!
//! A [`Format`] names an [`Exporter`]; an exporter writes an analysis table
//! (`stress.<ext>`, …) and opens a [`Writer`] for a run, which takes the
//! per-run table in batches, the monthly table and the summary, and stages
//! its files for the run pipeline to rename into place together. Adding a
//! format is one file with an exporter and a writer, a variant of
//! [`Format`] with its arm in [`Format::exporter`], and its place in
//! [`Format::ALL`] (which `--format` offers). [`files`] writes CSV, Parquet and JSON through
//! polars, one file per table; [`xlsx`] writes one Excel workbook.
//! [`table`] builds the polars frames; only this layer knows polars and
//! rust_xlsxwriter.

pub mod files;
pub mod table;
pub mod xlsx;

use crate::analysis::point::InputRange;
use crate::pipeline::manifest::Summary;
use polars::prelude::DataFrame;
use std::path::Path;
use tempfile::NamedTempFile;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
    Json,
    /// An Excel workbook (see [`xlsx`]).
    Xlsx,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 4] = [Format::Parquet, Format::Csv, Format::Json, Format::Xlsx];

    /// The format whose files end in `.ext`.
    pub(crate) fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// How this format's files are written.
    pub fn exporter(self) -> &'static dyn Exporter {
        match self {
            Format::Parquet => &files::PARQUET,
            Format::Csv => &files::CSV,
            Format::Json => &files::JSON,
            Format::Xlsx => &xlsx::XLSX,
        }
    }

    pub fn extension(self) -> &'static str {
        self.exporter().extension()
    }
}

/// One output format.
pub trait Exporter: Sync {
    /// The files' extension, without the dot.
    fn extension(&self) -> &'static str;

    /// Writes one analysis table (`stress.<ext>`, `sweep.<ext>`, …) to `file`.
    fn write_table(&self, df: &mut DataFrame, file: &mut std::fs::File) -> anyhow::Result<()>;

    /// A writer for a run's files, staged in `dir`. With `runs`, the per-run
    /// table (columns of [`table::runs_frame`], then `input_paths`) arrives
    /// before the rest.
    fn writer(&self, dir: &Path, fields: &'static [crate::model::RunField], input_paths: &[String], runs: bool) -> anyhow::Result<Box<dyn Writer>>;

    /// What a run writes besides `summary.json`, as its closing line says it.
    fn written_files(&self, runs: bool) -> String;

    /// The per-run table's file when it is a file of its own: a run without
    /// the table removes one left from an earlier run.
    fn runs_file(&self) -> Option<String>;

    /// Whether [`Writer::summary`] uses the inputs' ranges (each input's
    /// quantiles, computed only for a format that writes them).
    fn wants_inputs(&self) -> bool {
        false
    }

    /// How many times its records a per-run row takes in this format
    /// (JSON writes field names in every row: about twice).
    fn row_size_factor(&self) -> u64 {
        1
    }
}

/// A run's files in one format, being written. The per-run table comes
/// first, in batches in run order (on a writer thread of its own, see
/// [`table::RunsWriter`]), then the monthly table and the summary, once
/// each; [`Writer::finish`] stages every file.
pub trait Writer: Send {
    /// Appends a batch of consecutive runs to the per-run table.
    fn runs(&mut self, batch: &DataFrame) -> anyhow::Result<()>;

    /// The monthly table.
    fn monthly(&mut self, df: &mut DataFrame) -> anyhow::Result<()>;

    /// The run's summary, what `summary.json` holds, and the inputs' ranges
    /// (empty unless the exporter [`wants_inputs`](Exporter::wants_inputs)),
    /// for a format that writes a summary of its own (the workbook's summary
    /// sheet); nothing for the others.
    fn summary(&mut self, summary: &Summary, inputs: &[InputRange]) -> anyhow::Result<()>;

    /// Completes the files and returns them staged, each with its name in
    /// the output folder; dropping them unrenamed deletes them.
    fn finish(self: Box<Self>) -> anyhow::Result<Vec<(NamedTempFile, String)>>;
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn every_format_is_found_by_its_extension() {
        for f in Format::ALL {
            assert_eq!(Format::from_extension(f.extension()), Some(f));
        }
        assert_eq!(Format::from_extension("xls"), None);
    }
}
