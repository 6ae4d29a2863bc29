//! Order-fixed statistics: moments, quantiles, and their Monte Carlo errors.
//!
//! - **Moments** are computed per block of runs in one pass in run order
//!   (sums of deviations from a center, in four fixed lanes; see
//!   [`summarize`]) and combined by Chan et al.'s pairwise merge across
//!   blocks (in block order), so the result depends only on the block size,
//!   never on threads, waves or shards.
//!   `sd` is the sample standard deviation (divisor n − 1) and
//!   `se_mean = sd / √n`.
//! - **Quantiles** follow one rule everywhere: linear interpolation between
//!   order statistics at position `h = (n − 1)·p` (Hyndman & Fan type 7,
//!   numpy's and Excel `PERCENTILE.INC`'s default).
//! - **Sketch**: above a memory budget, per-month quantiles come from a
//!   [`LogHistogram`], a mergeable log-linear histogram (the fast
//!   bit-pattern mapping of DDSketch / HdrHistogram) with relative error at
//!   most [`SKETCH_RELATIVE_ERROR`]; its counts are integers, so merging is
//!   exact and order-free.

mod moments;
mod quantile;
mod sketch;

pub use moments::Moments;
pub use quantile::*;
pub use sketch::{DenseSketch, LogHistogram, SKETCH_RELATIVE_ERROR, center_floor, summarize};

/// The standard normal distribution function `Φ(x)`.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard error of a proportion `p` observed in `n` runs, Agresti–Coull
/// style: `√(p̃(1−p̃)/(n+4))` with `p̃ = (n·p + 2)/(n + 4)`. Equal to the
/// textbook `√(p(1−p)/n)` to within 10% when `n·p` and `n·(1−p)` are both
/// ≥ 10, and, unlike it, not 0 when no run (or every run) has the
/// event, where a zero would wrongly claim an exact answer.
pub fn proportion_se(p: f64, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let pt = (nf * p + 2.0) / (nf + 4.0);
    (pt * (1.0 - pt) / (nf + 4.0)).sqrt()
}

/// A survival curve: for each of `times`, the share of `events` strictly
/// later than it (still "alive" at that time), over `events.len()` (at
/// least 1). An event that never came is coded +∞ and is later than every
/// time; NaN is later than none.
pub fn survival(events: &[f64], times: &[f64]) -> Vec<f64> {
    let n = events.len().max(1) as f64;
    times.iter().map(|t| events.iter().filter(|e| **e > *t).count() as f64 / n).collect()
}

/// Counts of `values` per bin of `edges` (ascending, at least two): bin `k`
/// holds `edges[k] <= x < edges[k + 1]`, the last bin also its right edge;
/// values outside `[edges[0], edges[last]]` and NaN fall in none.
pub fn histogram(values: &[f64], edges: &[f64]) -> Vec<usize> {
    let bins = edges.len().saturating_sub(1);
    (0..bins)
        .map(|k| {
            let (a, b) = (edges[k], edges[k + 1]);
            values.iter().filter(|x| **x >= a && (**x < b || (k == bins - 1 && **x <= b))).count()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::quantile::quantile_interval_ranks;
    use super::*;

    #[test]
    fn type7_matches_numpy_by_hand() {
        // numpy.percentile([1, 2, 3, 4], [5, 50, 95]) = [1.15, 2.5, 3.85]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        let q = quantiles(&mut v, &[0.05, 0.5, 0.95]);
        assert!((q[0] - 1.15).abs() < 1e-12 && (q[1] - 2.5).abs() < 1e-12 && (q[2] - 3.85).abs() < 1e-12, "{q:?}");
        assert!((quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.95) - 3.85).abs() < 1e-12);
        // "Never" as +∞ must not poison a median that falls on a finite value.
        assert_eq!(quantile_sorted(&[1.0, 1.0, f64::INFINITY], 0.5), 1.0);
        assert_eq!(quantile_sorted(&[1.0, f64::INFINITY, f64::INFINITY], 0.5), f64::INFINITY);
        let mut one = vec![7.0];
        assert_eq!(quantiles(&mut one, &QUANTILES), vec![7.0; 7]);
    }

    #[test]
    fn survival_counts_events_strictly_later() {
        // Defaults in months 2, 3 and never (+∞): alive at 0, 1, 2, 3.
        let events = [2.0, 3.0, f64::INFINITY];
        let alive = survival(&events, &[0.0, 1.0, 2.0, 3.0]);
        assert_eq!(alive, vec![1.0, 1.0, 2.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(survival(&[], &[0.0]), vec![0.0]);
    }

    #[test]
    fn histogram_bins_are_half_open_but_the_last() {
        let counts = histogram(&[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, -0.1, f64::NAN], &[0.0, 1.0, 2.0]);
        assert_eq!(counts, vec![2, 3]);
        assert_eq!(histogram(&[1.0], &[0.0]), Vec::<usize>::new());
    }

    #[test]
    fn quantile_errors_centre_on_the_type7_rank() {
        // 0, 1, …, 9 then 1,000: the median (type 7, rank (n−1)/2 = 5) is 5;
        // s = √(11/4) = 1.658 ranks, so the error spans ranks round(5 ± s) =
        // 3 and 7: (7 − 3)/2 = 2. Centred on n·p = 5.5 it would reach rank
        // round(7.16) = 7 and round(3.84) = 4, giving 1.5.
        let v: Vec<f64> = (0..10).map(f64::from).chain([1000.0]).collect();
        assert_eq!(quantile_sorted(&v, 0.5), 5.0);
        assert_eq!(quantile_se_sorted(&v, 0.5), 2.0);
        // p90 of 0..=10: rank 9; s = √(11·0.09) = 0.995: ranks 8 and 10 → 1.
        let w: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(quantile_se_sorted(&w, 0.9), 1.0);
    }

    #[test]
    fn tied_quantiles_get_a_bootstrap_error() {
        // Half the runs at 22, half at 23, n = 10,000: the order statistic at
        // rank r = ⌊9999·0.5⌋ + 1 = 5000 is 22 under resampling with
        // probability Φ((n·F − r + 0.5)/√(n·F(1 − F))) = Φ(0.5/50) = 0.503989,
        // so the error is √(q(1 − q)) = 0.4999841.
        let half: Vec<f64> = (0..10_000).map(|i| if i < 5_000 { 22.0 } else { 23.0 }).collect();
        assert!(quantile_is_tied(&half, 0.5));
        assert!((quantile_se_tied(&half, 0.5) - 0.499_984_1).abs() < 1e-6, "{}", quantile_se_tied(&half, 0.5));
        // One value: exact. "Never" (+∞) with mass: no finite error.
        assert_eq!(quantile_se_tied(&[7.0; 100], 0.5), 0.0);
        let never: Vec<f64> = (0..1000).map(|i| if i < 500 { 30.0 } else { f64::INFINITY }).collect();
        assert_eq!(quantile_se_tied(&never, 0.5), f64::INFINITY);
        // Evenly spread values (a continuous metric): not tied, and the
        // bootstrap error agrees with the density formula √(p(1−p)/n)/f:
        // n = 10,001 values i/10,000, f = 1, p = 0.5 → 0.0049998.
        let spread: Vec<f64> = (0..=10_000).map(|i| f64::from(i) / 10_000.0).collect();
        assert!(!quantile_is_tied(&spread, 0.5));
        let se = quantile_se_tied(&spread, 0.5);
        assert!((se / 0.004_999_8 - 1.0).abs() < 0.02, "{se}");
        // Nine distinct values inside the interval: tied; ten: not.
        let steps = |k: usize| -> Vec<f64> { (0..1000).map(|i| (i * k / 1000) as f64).collect() };
        let distinct = |v: &[f64]| {
            let (lo, hi) = quantile_interval_ranks(v.len(), 0.5, 1.96);
            1 + v[lo..=hi].windows(2).filter(|w| w[0] != w[1]).count()
        };
        let k9 = (10..400).find(|&k| distinct(&steps(k)) == 9).unwrap();
        let k10 = (10..400).find(|&k| distinct(&steps(k)) == 10).unwrap();
        assert!(quantile_is_tied(&steps(k9), 0.5) && !quantile_is_tied(&steps(k10), 0.5));
    }

    #[test]
    fn tied_quantile_errors_match_the_spread_across_samples() {
        // Samples of 2,000 runs of a month-like metric (24, 25 or 26) with
        // P(24) = q just under, at, or well under 0.5: the median jumps
        // between 24 and 25 by chance. Over 300 samples the sd of the
        // median, over the mean reported error, must lie in [0.7, 1.4] (the
        // sd of 300 samples is itself uncertain by about 1/√598 = 4%; the
        // bootstrap's own noise about F(24) makes the ratio about 1.27 at
        // q = 0.5, the worst case).
        use rand::RngExt;
        let mut rng = crate::rng::pilot_rng();
        for q in [0.5, 0.49, 0.48, 0.47, 0.45] {
            let (mut medians, mut ses) = (vec![], vec![]);
            for _ in 0..300 {
                let mut v: Vec<f64> = (0..2000)
                    .map(|_| {
                        let u = rng.random::<f64>();
                        if u < q {
                            24.0
                        } else if u < 0.75 {
                            25.0
                        } else {
                            26.0
                        }
                    })
                    .collect();
                v.sort_unstable_by(f64::total_cmp);
                assert!(quantile_is_tied(&v, 0.5));
                medians.push(quantile_sorted(&v, 0.5));
                ses.push(quantile_se_tied(&v, 0.5));
            }
            let sd = Moments::of(&medians).sd();
            let se = ses.iter().sum::<f64>() / ses.len() as f64;
            println!("q = {q}: sd of the median {sd:.3}, mean bootstrap error {se:.3}, ratio {:.2}", sd / se);
            // Never understated beyond the band; where the median rarely
            // moves (sd < 0.2) the bootstrap overstates it (it cannot tell
            // F(24) = 0.47 from 0.5 in one sample): conservative, allowed.
            assert!(sd / se <= 1.4 && (sd < 0.2 || sd / se >= 0.7), "q = {q}: sd {sd}, mean SE {se}, ratio {}", sd / se);
        }
    }

    #[test]
    fn quantile_interval_covers_the_median_about_95_percent() {
        // 400 samples of 1,001 uniforms: coverage of the true median 0.5
        // should be 95%, with a sampling sd of √(.95·.05/400) = 1.1 points;
        // accept 3 sd either side. A ± from neighbouring order statistics
        // cannot pass the tie case below.
        let mut rng = crate::rng::pilot_rng();
        use rand::RngExt;
        let trials = 400;
        let covered = (0..trials)
            .filter(|_| {
                let mut v: Vec<f64> = (0..1001).map(|_| rng.random::<f64>()).collect();
                v.sort_unstable_by(f64::total_cmp);
                let (lo, hi) = quantile_interval_sorted(&v, 0.5, 1.96);
                lo <= 0.5 && 0.5 <= hi
            })
            .count();
        let rate = covered as f64 / trials as f64;
        assert!((rate - 0.95).abs() <= 3.0 * (0.95f64 * 0.05 / 400.0).sqrt(), "coverage {rate}");
        // Half the runs at month 22, half at 23: the median is 22 or 23 by
        // chance, and the interval says so.
        let tied: Vec<f64> = (0..10_000).map(|i| if i < 5_000 { 22.0 } else { 23.0 }).collect();
        assert_eq!(quantile_interval_sorted(&tied, 0.5, 1.96), (22.0, 23.0));
        assert_eq!(quantile_interval_sorted(&[5.0], 0.5, 1.96), (5.0, 5.0));
    }

    #[test]
    fn selection_equals_sorting() {
        let mut rng = crate::rng::pilot_rng();
        use rand::RngExt;
        for n in [2usize, 3, 10, 101, 1000, 4097, 10_000, 65_537] {
            // Ties, and a heavy tail that puts most values in one bucket.
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    let x = (rng.random::<f64>() * 50.0).floor();
                    if i % 3 == 0 {
                        x
                    } else if i % 3 == 1 {
                        -x.powi(4)
                    } else {
                        1e-3 / (rng.random::<f64>() + 1e-12)
                    }
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let mut work = v.clone();
            let q = quantiles(&mut work, &QUANTILES);
            for (p, got) in QUANTILES.iter().zip(q) {
                assert_eq!(got, quantile_sorted(&sorted, *p), "n = {n}, p = {p}");
            }
        }
    }

    #[test]
    fn moments_merge_equals_one_pass() {
        let xs: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 * 1.5 - 20.0).collect();
        let all = Moments::of(&xs);
        let mut merged = Moments::default();
        for chunk in xs.chunks(64) {
            merged.merge(&Moments::of(chunk));
        }
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        assert!((all.mean - mean).abs() < 1e-9 && (merged.mean - mean).abs() < 1e-9);
        assert!((all.sd() - var.sqrt()).abs() < 1e-9 && (merged.sd() - var.sqrt()).abs() < 1e-9);
    }

    /// The production path: `summarize` (shifted one-pass sums in four
    /// lanes, centered on the pilot block's mean) per block of 1,024, merged
    /// in block order, against a two-pass reference — on values far from 0
    /// (1e9 plus a spread of about 40) where a naive one-pass sum of squares
    /// would lose every digit of the variance.
    #[test]
    fn summarize_in_blocks_matches_two_passes() {
        let xs: Vec<f64> = (0..10_007).map(|i| 1e9 + ((i * 37) % 101) as f64 * 1.5 - 20.0 + (i % 7) as f64 * 0.1).collect();
        let center = Moments::of(&xs[..1024]).mean;
        let mut merged = Moments::default();
        for block in xs.chunks(1024) {
            merged.merge(&summarize(block, center, None).expect("finite"));
        }
        // Reference in exact deviations from 1e9 (x − 1e9 is exact here).
        let small: Vec<f64> = xs.iter().map(|x| x - 1e9).collect();
        let m = small.iter().sum::<f64>() / small.len() as f64;
        let sd = (small.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (small.len() - 1) as f64).sqrt();
        let mean = 1e9 + m;
        // 1e-6 is about 8 ulps at 1e9.
        assert!((merged.mean - mean).abs() <= 1e-6, "{} vs {mean}", merged.mean);
        assert!((merged.sd() - sd).abs() <= 1e-9 * sd, "{} vs {sd}", merged.sd());
        assert_eq!(merged.n, xs.len() as u64);
        // A non-finite value is reported at its index.
        let mut bad = xs[..100].to_vec();
        bad[42] = f64::NAN;
        assert_eq!(summarize(&bad, center, None), Err(42));
    }

    #[test]
    fn sketch_is_within_its_relative_error_and_merges_exactly() {
        let mut rng = crate::rng::pilot_rng();
        use rand::RngExt;
        // Mixed signs, zeros and a wide range.
        let v: Vec<f64> = (0..100_000).map(|i| if i % 10 == 0 { 0.0 } else { (rng.random::<f64>() - 0.3) * 10f64.powf(rng.random::<f64>() * 8.0) }).collect();
        let mut whole = LogHistogram::default();
        v.iter().for_each(|&x| whole.push(x));
        // The dense sketch (floor 0 spills everything below 2^-1022 · 2^32
        // and keeps the rest in its arrays) counts exactly what push counts,
        // in any chunking.
        for floor in [0.0, 1e-3, 1e3] {
            let mut by_push = LogHistogram::default();
            v.iter().for_each(|&x| by_push.push(if x.abs() < floor { 0.0 } else { x }));
            let mut dense = DenseSketch::new(floor);
            let mut moments = Moments::default();
            for chunk in v.chunks(1000) {
                moments.merge(&summarize(chunk, 0.0, Some(&mut dense)).unwrap());
            }
            assert_eq!(dense.to_histogram(), by_push, "floor {floor}");
            let exact = Moments::of(&v);
            assert!((moments.mean - exact.mean).abs() < 1e-12 * exact.sd() && (moments.sd() / exact.sd() - 1.0).abs() < 1e-12);
        }
        assert_eq!(summarize(&[1.0, 2.0, 3.0, f64::NAN, 4.0, 5.0], 0.0, None).unwrap_err(), 3);
        assert_eq!(summarize(&[1.0, 2.0, 3.0, 4.0, f64::INFINITY], 0.0, None).unwrap_err(), 4);
        // Squares that overflow with finite values fall back to two passes.
        let huge = [1e300, -1e300, 1e300];
        assert_eq!(summarize(&huge, 0.0, None).unwrap(), Moments::of(&huge));
        // Centered: a narrow distribution far from 0 keeps its shape.
        let narrow: Vec<f64> = (0..10_000).map(|i| 2.9e6 + f64::from(i % 100)).collect();
        let mut h = DenseSketch::new(center_floor(2.9e6, 29.0));
        let m = summarize(&narrow, 2.9e6 + 50.0, Some(&mut h)).unwrap();
        assert!((m.mean - (2.9e6 + 49.5)).abs() < 1e-6 && (m.sd() - Moments::of(&narrow).sd()).abs() < 1e-9);
        let h = h.to_histogram();
        let (p5, p95) = (h.quantile(0.05) + 2.9e6 + 50.0, h.quantile(0.95) + 2.9e6 + 50.0);
        assert!((p5 - (2.9e6 + 4.95)).abs() < 0.2 && (p95 - (2.9e6 + 94.05)).abs() < 0.4, "{p5} {p95}");
        let mut parts: Vec<LogHistogram> = v
            .chunks(7777)
            .map(|c| {
                let mut h = LogHistogram::default();
                c.iter().for_each(|&x| h.push(x));
                h
            })
            .collect();
        let mut fwd = LogHistogram::default();
        parts.iter().for_each(|p| fwd.merge(p));
        parts.reverse();
        let mut rev = LogHistogram::default();
        parts.iter().for_each(|p| rev.merge(p));
        assert_eq!(fwd, rev);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] {
            let k = ((v.len() - 1) as f64 * p).floor() as usize;
            let exact = sorted[k];
            // Compare order statistics (not interpolations) for a sharp bound.
            let got = whole.rank(k as u64);
            assert!((got - exact).abs() <= SKETCH_RELATIVE_ERROR * exact.abs() + 1e-300, "p = {p}: {got} vs {exact}");
            assert_eq!(fwd.rank(k as u64), got);
        }
    }
}
