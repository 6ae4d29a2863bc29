//! runway's integration tests, in one test binary: every integration test
//! binary links polars, so one link instead of several keeps CI's build short.
//!
//! - `cli`: the `runway` binary end to end, determinism, bad input;
//! - `engine`: whole-engine runs against closed forms;
//! - `distributions`: goodness of fit of every sampler;
//! - `analysis`: stress, sensitivity, solve and sweep against closed forms,
//!   and the calibration of their paired standard errors.

mod analysis;
mod cli;
mod distributions;
mod engine;
