//! Results as words for people: [`text`] for the terminal (the headline
//! table, a figure with its error, grids), [`analysis`] for the analysis
//! commands' tables and text, [`check`] for what `runway check` writes
//! (terminal, JUnit XML, Markdown, JSON), [`markdown`] for escaping.

pub mod analysis;
pub mod backtest;
pub mod check;
pub mod markdown;
pub mod text;
