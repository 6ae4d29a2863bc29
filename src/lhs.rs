//! Latin hypercube sampling without global state (docs/scenario-format.md).
//!
//! With `n` runs, an input's uniform in run `r` is `(π(r) + w)/n`, where `w`
//! is the first uniform of the run's own stream for that input and `π` a
//! pseudo-random permutation of `0..n` keyed by (seed, input): every one of
//! the `n` equal-probability strata holds exactly one run, and each run's
//! stratum is computed from its index alone, so threads and shards change
//! nothing. Runs past `n` (`runway check` extending a simulation) form
//! further Latin hypercubes of `n` runs each, with their own keys.
//!
//! `π` is a balanced Feistel network on the smallest even number of bits
//! that holds `n` (a permutation of `0..2^b`), restricted to `0..n` by cycle
//! walking: re-encrypt until the value falls below `n`. Since `2^b < 4n`,
//! a walk takes fewer than four steps on average.

use crate::rng::mix;

/// Rounds of the Feistel network: four make it a pseudo-random permutation
/// for a random round function (Luby–Rackoff); two more for margin.
const ROUNDS: u64 = 6;

/// A keyed permutation of `0..n`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Permutation {
    n: u64,
    half_bits: u32,
    key: u64,
}

impl Permutation {
    /// The permutation of `0..n` (`n ≥ 1`) for `key`.
    pub fn new(n: u64, key: u64) -> Permutation {
        assert!(n >= 1, "a permutation of at least one element");
        let bits = 64 - (n - 1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        Permutation { n, half_bits, key }
    }

    /// `π(i)` for `i < n`.
    pub fn apply(&self, i: u64) -> u64 {
        debug_assert!(i < self.n);
        let mut x = self.encrypt(i);
        while x >= self.n {
            x = self.encrypt(x);
        }
        x
    }

    fn encrypt(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..ROUNDS {
            let f = mix(right ^ mix(self.key.wrapping_add(round))) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

/// Stratified uniforms for one input: run `run`'s stratum among
/// consecutive groups of `runs` runs.
#[derive(Debug, Clone, Copy)]
pub struct Strata {
    runs: u64,
    key: u64,
}

impl Strata {
    /// The strata of the input with stream key `input_key` in a simulation
    /// of `runs` runs seeded `seed`.
    pub fn new(seed: u64, input_key: u64, runs: u64) -> Strata {
        Strata { runs: runs.max(1), key: mix(mix(seed ^ 0x4c48_535f_5045_524d) ^ input_key) }
    }

    /// The uniform of run `run`, given `w` in [0, 1) from the run's stream.
    pub fn uniform(&self, run: u64, w: f64) -> f64 {
        let (group, i) = (run / self.runs, run % self.runs);
        let stratum = Permutation::new(self.runs, mix(self.key ^ group)).apply(i);
        (stratum as f64 + w) / self.runs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_bijections_for_every_size() {
        for n in [1u64, 2, 3, 4, 5, 7, 16, 17, 1000, 1024, 10_007] {
            for key in [0u64, 1, 0xdead_beef] {
                let p = Permutation::new(n, key);
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let j = p.apply(i);
                    assert!(j < n && !seen[j as usize], "n {n} key {key}: {i} -> {j}");
                    seen[j as usize] = true;
                }
            }
        }
    }

    #[test]
    fn different_keys_give_different_permutations() {
        let (a, b) = (Permutation::new(1000, 1), Permutation::new(1000, 2));
        let same = (0..1000).filter(|&i| a.apply(i) == b.apply(i)).count();
        // Two independent random permutations agree in about 1 place.
        assert!(same < 10, "{same}");
    }

    #[test]
    fn every_stratum_holds_one_run_per_group() {
        let s = Strata::new(42, 7, 500);
        for group in 0..3u64 {
            let mut hits = vec![0u32; 500];
            for run in group * 500..(group + 1) * 500 {
                hits[(s.uniform(run, 0.5) * 500.0) as usize] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1));
        }
    }
}
