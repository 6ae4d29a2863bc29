//! # runway
//!
//! A Monte Carlo engine for startup economics. A scenario (TOML) describes a
//! subscription business with uncertain inputs; runway simulates thousands of
//! futures month by month and reports the spread of cash, customers and
//! revenue, the probability and timing of running out of cash, and unit
//! economics, each with its Monte Carlo error.
//!
//! The pipeline: [`scenario`] parses and validates a file into a
//! [`scenario::Scenario`]; [`engine`] runs [`model::simulate_run`] for every
//! run in parallel, in fixed blocks, with one random stream per (seed, run,
//! input) from [`rng`]; [`aggregate`] reduces the blocks in order into
//! monthly distributions and headline figures ([`stats`]); [`export`] lays
//! them out with polars and writes them; [`pipeline`] ties it together.
//! The layers, each importing only from those above it in this list, are
//! described in docs/design.md.
//!
//! ```
//! use runway::scenario::{self, Overrides};
//! let sc = scenario::builtin(Overrides { runs: Some(200), ..Overrides::default() })?;
//! let results = runway::pipeline::simulate(&sc, &mut |_| {})?;
//! assert_eq!(results.headline.runs, 200);
//! let p = results.headline.p_default.estimate.unwrap();
//! assert!((0.0..=1.0).contains(&p));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Checks are written `!(x > 0.0)` on purpose, so that NaN fails them (the
// style of rand_distr's constructors).
#![allow(clippy::neg_cmp_op_on_partial_ord)]

// Foundations: import nothing above them.
pub mod accuracy;
pub mod copula;
pub mod counts;
pub mod dist;
pub mod interrupt;
pub mod lhs;
pub mod num;
pub mod rng;
mod simd;
pub mod stats;
pub mod suggest;

// The plan and its language.
pub mod figure;
pub mod fit;
pub mod scenario;

// Simulate and reduce (`model::metrics` is the plan's output schema).
pub mod aggregate;
pub mod analysis;
pub mod engine;
pub mod model;
pub mod sampling;

// Files and words.
pub mod export;
pub mod pipeline;
pub mod present;
pub mod report;
pub mod serve;

// The command line.
pub mod cli;
