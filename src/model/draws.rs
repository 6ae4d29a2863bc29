//! The count draws of a group of runs, a month at a time: every run's
//! churned customers and arrivals, segment by segment, drawn side by side
//! ([`counts::lanes`]) from each (run, segment)'s own churn and arrival
//! streams. Each draw is the one the run would make alone, bit for bit.

use std::ops::Range;

use crate::counts::lanes::{Streams, binomial_each, poisson_each};
use crate::rng::stream;
use crate::scenario::Scenario;

/// A group's churn and arrival streams, and the month's draws.
pub(super) struct Draws {
    runs: usize,
    /// Per segment, the group's runs' churn and arrival streams.
    churn: Vec<Streams>,
    arrivals: Vec<Streams>,
    /// This month's parameters, for one segment at a time.
    n: Vec<u64>,
    p: Vec<f64>,
    lambda: Vec<f64>,
    churned: Vec<u64>,
    new: Vec<f64>,
    /// This month's draws, `[segment][run]`: (churned, arrivals).
    drawn: Vec<(f64, f64)>,
}

impl Draws {
    /// The streams of runs `runs` for every segment of `sc`.
    pub(super) fn new(sc: &Scenario, runs: Range<u64>) -> Draws {
        let len = (runs.end - runs.start) as usize;
        let streams = |key: fn(&crate::scenario::Segment) -> u64| -> Vec<Streams> {
            sc.segments.iter().map(|seg| runs.clone().map(|run| stream(sc.seed, run, key(seg))).collect()).collect()
        };
        Draws {
            runs: len,
            churn: streams(|seg| seg.keys.churn),
            arrivals: streams(|seg| seg.keys.new),
            n: vec![0; len],
            p: vec![0.0; len],
            lambda: vec![0.0; len],
            churned: vec![0; len],
            new: vec![0.0; len],
            drawn: vec![(0.0, 0.0); len * sc.segments.len()],
        }
    }

    /// Draws the month: `params(i, k)` is run `i`'s `(n, p, λ)` for segment
    /// `k` (`Binomial(n, p)` churned, `Poisson(λ)` arrivals), `None` for a
    /// run that draws nothing (it has stopped).
    #[inline]
    pub(super) fn month(&mut self, params: impl Fn(usize, usize) -> Option<(u64, f64, f64)>) {
        let len = self.runs;
        for k in 0..self.churn.len() {
            for i in 0..len {
                // n = 0 and λ = 0 consume nothing from the streams.
                (self.n[i], self.p[i], self.lambda[i]) = params(i, k).unwrap_or((0, 0.0, 0.0));
            }
            binomial_each(&mut self.churn[k], &self.n, &self.p, &mut self.churned);
            poisson_each(&mut self.arrivals[k], &self.lambda, &mut self.new);
            let drawn = &mut self.drawn[k * len..(k + 1) * len];
            for (d, (&churned, &new)) in drawn.iter_mut().zip(self.churned.iter().zip(&self.new)) {
                *d = (churned as f64, new);
            }
        }
    }

    /// Run `i`'s draws for segment `k` this month: (churned, arrivals).
    #[inline]
    pub(super) fn drawn(&self, k: usize, i: usize) -> (f64, f64) {
        self.drawn[k * self.runs + i]
    }
}
