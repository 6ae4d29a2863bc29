//! Quantiles by one rule, Hyndman & Fan type 7 (numpy's default): exact
//! order statistics, their distribution-free standard errors and intervals,
//! and the tied case (a quantile of few distinct values, such as a month).

use super::normal_cdf;

/// Probabilities of the quantile columns, in output order.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
/// Names of the quantile columns.
pub(crate) const QUANTILE_NAMES: [&str; 7] = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];

/// Type-7 quantile of sorted values.
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    interpolate(sorted[lo], sorted[hi], h - lo as f64)
}

/// `x_lo + frac·(x_hi − x_lo)`, but exactly `x_lo` when `frac` is 0 (so an
/// infinite neighbour, e.g. "never" coded as +∞, cannot turn it into NaN).
#[inline]
pub(super) fn interpolate(x_lo: f64, x_hi: f64, frac: f64) -> f64 {
    if frac == 0.0 || x_lo == x_hi { x_lo } else { x_lo + frac * (x_hi - x_lo) }
}

/// Type-7 quantiles at `probs` (ascending) of unsorted `values`, which are
/// reordered. The needed order statistics are found exactly, by
/// [`select_ranks`] on small slices; on large ones a histogram of equal-width
/// buckets between the minimum and the maximum (the bucket is a
/// non-decreasing function of the value, so every value in a lower bucket is
/// smaller) first narrows each rank down to its bucket, and only those
/// buckets' values are selected from: two passes over the data instead of
/// several partitions.
pub fn quantiles(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![f64::NAN; probs.len()];
    }
    let mut ranks: Vec<usize> = probs
        .iter()
        .flat_map(|&p| {
            let lo = ((n - 1) as f64 * p).floor() as usize;
            [lo, (lo + 1).min(n - 1)]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    let stats = bucketed_order_stats(values, &ranks).unwrap_or_else(|| {
        select_ranks(values, 0, &ranks);
        ranks.iter().map(|&r| values[r]).collect()
    });
    let at = |r: usize| stats[ranks.binary_search(&r).expect("rank was requested")];
    probs
        .iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            interpolate(at(lo), at((lo + 1).min(n - 1)), h - lo as f64)
        })
        .collect()
}

/// The order statistics at `ranks` (sorted, distinct) of `values`, found
/// through a histogram of 1,024 equal-width buckets; `None` when the values
/// are few, not finite or all equal (use [`select_ranks`] then).
fn bucketed_order_stats(values: &[f64], ranks: &[usize]) -> Option<Vec<f64>> {
    const BUCKETS: usize = 1024;
    let n = values.len();
    if n < 4 * BUCKETS {
        return None;
    }
    let (mut lo, mut hi, mut nan) = (f64::INFINITY, f64::NEG_INFINITY, false);
    for &x in values {
        lo = if x < lo { x } else { lo };
        hi = if x > hi { x } else { hi };
        nan |= x.is_nan();
    }
    let scale = BUCKETS as f64 / (hi - lo);
    if nan || !(lo.is_finite() && hi.is_finite() && scale.is_finite()) {
        return None;
    }
    // Non-decreasing in x: a subtraction, a multiplication by a positive
    // number and a truncation are each monotone.
    let bucket = |x: f64| (((x - lo) * scale) as usize).min(BUCKETS - 1);
    let buckets: Vec<u16> = values.iter().map(|&x| bucket(x) as u16).collect();
    let mut counts = vec![0usize; BUCKETS];
    for &b in &buckets {
        counts[usize::from(b)] += 1;
    }
    // For each rank: its bucket and its rank among that bucket's values.
    let mut start = 0;
    let mut b = 0;
    let mut wanted: Vec<(usize, usize)> = Vec::with_capacity(ranks.len());
    for &r in ranks {
        while start + counts[b] <= r {
            start += counts[b];
            b += 1;
        }
        wanted.push((b, r - start));
    }
    // Gather the values of the wanted buckets, then select within each.
    let mut slot = vec![u8::MAX; BUCKETS];
    let mut gathered: Vec<Vec<f64>> = vec![];
    for &(b, _) in &wanted {
        if slot[b] == u8::MAX {
            slot[b] = gathered.len() as u8;
            gathered.push(Vec::with_capacity(counts[b]));
        }
    }
    for (&x, &b) in values.iter().zip(&buckets) {
        let s = slot[usize::from(b)];
        if s != u8::MAX {
            gathered[usize::from(s)].push(x);
        }
    }
    Some(
        wanted
            .iter()
            .map(|&(b, k)| {
                let g = &mut gathered[slot[b] as usize];
                *g.select_nth_unstable_by(k, f64::total_cmp).1
            })
            .collect(),
    )
}

/// Puts the order statistic of each rank in `ranks` (sorted, distinct,
/// relative to the whole slice; `values` starts at rank `offset`) at its
/// index.
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - offset;
    let (left, _, right) = values.select_nth_unstable_by(k, f64::total_cmp);
    select_ranks(left, offset, &ranks[..mid]);
    select_ranks(right, offset + k + 1, &ranks[mid + 1..]);
}

/// Distribution-free standard error of the p-quantile of sorted data:
/// half the distance between the order statistics at 0-based ranks
/// `(n−1)·p ± √(n·p·(1−p))` (the binomial approximation to the rank of the
/// sample quantile, ±1 se of the rank, centred where the type-7 quantile
/// itself sits).
pub fn quantile_se_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n < 2 {
        return 0.0;
    }
    let nf = n as f64;
    let s = (nf * p * (1.0 - p)).sqrt();
    let at = |r: f64| sorted[(r.round().max(0.0) as usize).min(n - 1)];
    let centre = (nf - 1.0) * p;
    ((at(centre + s) - at(centre - s)) / 2.0).abs()
}

/// A distribution-free confidence interval for the type-7 `p`-quantile of
/// sorted `values`: the order statistics at 0-based ranks
/// `⌊(n−1)p − z·√(n·p(1−p))⌋` and `⌈(n−1)p + z·√(n·p(1−p))⌉` (clamped),
/// from the normal approximation to the binomial count of values below the
/// true quantile; `z = 1.96` gives about 95%. Unlike a ± from the spread of
/// neighbouring order statistics, it stays honest when many values tie (a
/// median month that is 22 in some seeds and 23 in others gives `22–23`).
pub fn quantile_interval_sorted(sorted: &[f64], p: f64, z: f64) -> (f64, f64) {
    if sorted.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let (lo, hi) = quantile_interval_ranks(sorted.len(), p, z);
    (sorted[lo], sorted[hi])
}

/// The 0-based ranks of [`quantile_interval_sorted`]'s ends (`n > 0`).
pub(super) fn quantile_interval_ranks(n: usize, p: f64, z: f64) -> (usize, usize) {
    let centre = n.saturating_sub(1) as f64 * p;
    let half = z * (n as f64 * p * (1.0 - p)).sqrt();
    let rank = |r: f64| (r.max(0.0) as usize).min(n.saturating_sub(1));
    (rank((centre - half).floor()), rank((centre + half).ceil()))
}

/// Fewest distinct values a quantile's 95% interval must hold for its
/// order-statistic error ([`quantile_se_sorted`]) to be trusted; below it
/// the quantile moves in jumps between a few values ([`quantile_is_tied`]).
pub const TIED_BELOW_DISTINCT: usize = 10;

/// Whether the `p`-quantile of sorted values is *tied*: fewer than
/// [`TIED_BELOW_DISTINCT`] distinct values lie between the ranks of its 95%
/// interval ([`quantile_interval_sorted`]). A median month (thousands of
/// runs on each month) is tied; a median of money is not. The
/// order-statistic error of a tied quantile is mostly `0` and sometimes a
/// whole step: it was 0.54× the spread across seeds on the built-in
/// example's median breakeven month (issue 13).
pub fn quantile_is_tied(sorted: &[f64], p: f64) -> bool {
    let (lo, hi) = quantile_interval_ranks(sorted.len(), p, 1.96);
    if sorted.is_empty() {
        return false;
    }
    let window = &sorted[lo..=hi];
    1 + window.windows(2).filter(|w| w[0] != w[1]).count() < TIED_BELOW_DISTINCT
}

/// Standard error of the `p`-quantile of sorted values by the exact
/// bootstrap: under resampling, the order statistic at 1-based rank
/// `r = ⌊(n−1)p⌋ + 1` is at most `v` exactly when at least `r` of the `n`
/// draws are, a count that is binomial with `F(v)`, the share of values
/// `≤ v`; its normal approximation gives each distinct value's probability
/// of being the quantile, and the error is that distribution's standard
/// deviation (no resampling, so no random numbers). Honest where
/// [`quantile_se_sorted`] is not, for tied quantiles; `+∞` ("never") with
/// any probability gives `+∞` (no finite error). `0` when every value is one
/// value.
pub fn quantile_se_tied(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n < 2 {
        return 0.0;
    }
    let nf = n as f64;
    let r = ((n - 1) as f64 * p).floor() + 1.0;
    let below = |f: f64| -> f64 {
        if f <= 0.0 {
            0.0
        } else if f >= 1.0 {
            1.0
        } else {
            normal_cdf((nf * f - r + 0.5) / (nf * f * (1.0 - f)).sqrt())
        }
    };
    let (mut sum, mut sum2, mut last) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < n {
        let v = sorted[i];
        let j = i + sorted[i..].partition_point(|x| *x <= v);
        let g = below(j as f64 / nf).max(last);
        let mass = g - last;
        if mass > 0.0 {
            if !v.is_finite() {
                return f64::INFINITY;
            }
            sum += mass * v;
            sum2 += mass * v * v;
        }
        last = g;
        i = j;
    }
    let mean = sum / last;
    (sum2 / last - mean * mean).max(0.0).sqrt()
}
