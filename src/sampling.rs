//! A run's per-run input draws (docs/scenario-format.md): independent draws from
//! each input's own stream, or, under Latin hypercube sampling or for
//! inputs in `[[correlation]]`, a uniform from that stream turned into the
//! value by the input's quantile function.
//!
//! Every number still comes from `stream(seed, run, input key)`: the
//! stratum of a run is a keyed permutation of its index ([`crate::lhs`]),
//! and the copula mixes the run's own normal scores, so a run's values
//! depend on nothing but its index and threads and shards change no byte.
//! An input drawn without either keeps the draws it always had.

use crate::copula;
use crate::counts::unit;
use crate::dist::inverse::standard_normal_quantile;
use crate::lhs::Strata;
use crate::rng::stream;
use crate::scenario::{Sampling, Scenario};
use rand_distr::Distribution;

/// How one uncertain per-run input is drawn.
#[derive(Debug, Clone)]
struct Drawn {
    /// Index in the scenario's inputs.
    input: usize,
    key: u64,
    /// Drawn through its quantile function (LHS or correlated).
    by_quantile: bool,
    strata: Option<Strata>,
}

/// The correlated inputs and the Cholesky factor of their normal scores'
/// Pearson matrix.
#[derive(Debug, Clone)]
struct Copula {
    /// (index, stream key), in matrix order.
    members: Vec<(usize, u64)>,
    factor: Vec<f64>,
}

/// The per-run draws of a scenario.
#[derive(Debug, Clone)]
pub struct Sampler {
    drawn: Vec<Drawn>,
    copula: Option<Copula>,
    n_inputs: usize,
}

impl Sampler {
    /// The sampler of `per_run`, the uncertain per-run inputs (index, stream key).
    pub fn new(sc: &Scenario, per_run: &[(usize, u64)]) -> Sampler {
        let copula =
            sc.correlation.as_ref().map(|c| Copula { members: c.members.iter().map(|m| (m.index(), sc.input(*m).key)).collect(), factor: c.factor.clone() });
        let lhs = sc.sampling == Sampling::LatinHypercube;
        let drawn = per_run
            .iter()
            .map(|&(input, key)| {
                let correlated = copula.as_ref().is_some_and(|c| c.members.iter().any(|&(i, _)| i == input));
                Drawn { input, key, by_quantile: lhs || correlated, strata: lhs.then(|| Strata::new(sc.seed, key, sc.runs)) }
            })
            .collect();
        Sampler { drawn, copula, n_inputs: sc.inputs.len() }
    }

    /// A buffer for [`Sampler::draw`]'s uniforms: empty when no input is
    /// drawn through its quantile function.
    pub fn uniforms(&self) -> Vec<f64> {
        if self.copula.is_some() || self.drawn.iter().any(|d| d.by_quantile) { vec![f64::NAN; self.n_inputs] } else { Vec::new() }
    }

    /// Draws run `run`'s per-run inputs into `v`; `u` (from
    /// [`Sampler::uniforms`]) receives the uniform each input drawn through
    /// its quantile function was mapped from, so a stress that replaces the
    /// input's distribution can map the same uniform.
    pub fn draw(&self, sc: &Scenario, run: u64, v: &mut [f64], u: &mut [f64]) {
        for d in &self.drawn {
            let dist = &sc.inputs[d.input].dist;
            let mut rng = stream(sc.seed, run, d.key);
            if !d.by_quantile {
                v[d.input] = dist.sample(&mut rng);
                continue;
            }
            let w = unit(&mut rng);
            u[d.input] = d.strata.map_or(w, |s| s.uniform(run, w));
        }
        if let Some(Copula { members, factor }) = &self.copula {
            // A member held fixed (by `sensitivity`, say) still takes its
            // normal score from its stream, so the others' values do not move.
            let score = |&(i, key): &(usize, u64)| standard_normal_quantile(if u[i].is_nan() { unit(&mut stream(sc.seed, run, key)) } else { u[i] });
            let z: Vec<f64> = members.iter().map(score).collect();
            let mut y = vec![0.0; z.len()];
            copula::lower_times(factor, &z, &mut y);
            for (&(i, _), y) in members.iter().zip(y) {
                u[i] = crate::stats::normal_cdf(y);
            }
        }
        for d in self.drawn.iter().filter(|d| d.by_quantile) {
            v[d.input] = sc.inputs[d.input].dist.quantile(u[d.input]);
        }
    }
}
