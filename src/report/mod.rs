//! `runway report`: the investor report, one self-contained HTML file and
//! the same in Markdown with its charts as SVG files (docs/report.md).
//!
//! [`gather`] runs everything the report shows over the one run pipeline —
//! the base simulation, the per-run figures, the plan on its averages, the
//! tornado ([`crate::analysis::sensitivity`]), the file's stresses and, when
//! the plan measures model accuracy, a sweep over it — and keeps only
//! numbers; [`facts`] derives from them every number the page shows.
//! [`page`] lays those out as charts ([`svg`]), tables and the two documents,
//! in words from [`words`] (both languages). Nothing here reads the clock:
//! the same scenario, seed and version give the same bytes.

pub mod facts;
pub mod page;
pub mod svg;
pub mod words;

pub use facts::{AccuracyFacts, Averages, BacktestFacts, Facts, RUN_FIGURES, gather, simulations, total_runs};
