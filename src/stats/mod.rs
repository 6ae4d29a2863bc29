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

/// Probabilities of the quantile columns, in output order.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
/// Names of the quantile columns.
pub const QUANTILE_NAMES: [&str; 7] = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];

/// Mantissa bits kept by [`LogHistogram`]: buckets are 2^-7 wide relative to
/// their lower bound.
const SKETCH_BITS: u32 = 7;
/// Largest relative error of a sketched quantile: half a bucket, 2^-8.
pub const SKETCH_RELATIVE_ERROR: f64 = 1.0 / 256.0;

/// Count, mean and sum of squared deviations of a stream of values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl Moments {
    /// Moments of a slice, by two passes (mean, then squared deviations) in
    /// slice order: exact to rounding and free of divisions per value.
    pub fn of(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
        Moments { n: values.len() as u64, mean, m2 }
    }

    /// `(n, mean, m2)`, for storing partial results exactly.
    pub fn to_parts(&self) -> (u64, f64, f64) {
        (self.n, self.mean, self.m2)
    }

    pub fn from_parts(n: u64, mean: f64, m2: f64) -> Moments {
        Moments { n, mean, m2 }
    }

    /// Chan, Golub & LeVeque's pairwise combination (`self` first).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        let (na, nb) = (self.n as f64, other.n as f64);
        self.mean += d * nb / n as f64;
        self.m2 += other.m2 + d * d * na * nb / n as f64;
        self.n = n;
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).max(0.0).sqrt() }
    }

    /// Standard error of the mean, `sd / √n`.
    pub fn se_mean(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.sd() / (self.n as f64).sqrt() }
    }
}

/// Deviations from a sketch's center smaller than this count as 0:
/// `1e-3·spread` (the pilot block's sd), or `1e-9·|center|` when the pilot
/// has no spread. An error of a thousandth of a standard deviation is below
/// the Monte Carlo error of a median up to about 1.5 million runs, and the
/// floor keeps each histogram to about 13 binades near its center instead of
/// dozens.
pub fn center_floor(center: f64, spread: f64) -> f64 {
    if spread > 0.0 { 1e-3 * spread } else { 1e-9 * center.abs() }
}

/// A block column's moments, in one pass, and, with a sketch, its
/// deviations `x − center` added to it (see [`DenseSketch`]); or the index of
/// its first non-finite value.
///
/// The moments come from sums of the deviations from `center` (the pilot
/// block's column mean, so the deviations are small and the shifted formula
/// `m2 = Σd² − (Σd)²/n` loses nothing), accumulated in four interleaved
/// lanes that are added in a fixed order: the result depends only on the
/// values and their order, never on threads, and the loop vectorizes. If
/// the squares overflow while every value is finite, the moments are
/// recomputed by [`Moments::of`].
pub fn summarize(values: &[f64], center: f64, sketch: Option<&mut DenseSketch>) -> Result<Moments, usize> {
    if values.is_empty() {
        return Ok(Moments::default());
    }
    let (mut s1, mut s2) = ([0.0f64; 4], [0.0f64; 4]);
    let mut lanes = values.chunks_exact(4);
    match sketch {
        None => {
            for x in &mut lanes {
                for l in 0..4 {
                    let d = x[l] - center;
                    s1[l] += d;
                    s2[l] += d * d;
                }
            }
            for (l, &x) in lanes.remainder().iter().enumerate() {
                let d = x - center;
                s1[l] += d;
                s2[l] += d * d;
            }
        }
        Some(h) => (s1, s2) = h.add(values, center),
    }
    let (s1, s2) = ((s1[0] + s1[1]) + (s1[2] + s1[3]), (s2[0] + s2[1]) + (s2[2] + s2[3]));
    if !(s1.is_finite() && s2.is_finite()) {
        return match values.iter().position(|x| !x.is_finite()) {
            Some(i) => Err(i),
            None => Ok(Moments::of(values)),
        };
    }
    let n = values.len() as f64;
    Ok(Moments { n: values.len() as u64, mean: center + s1 / n, m2: (s2 - s1 * s1 / n).max(0.0) })
}

/// Binades above its floor that a [`DenseSketch`] counts in arrays; larger
/// deviations (beyond 2^32 floors, i.e. about 4 million pilot standard
/// deviations) go to its spill histogram.
const DENSE_BINADES: u64 = 32;
const DENSE_BUCKETS: usize = (DENSE_BINADES << SKETCH_BITS) as usize;

/// The buckets of a [`LogHistogram`] of deviations from a column's center,
/// as flat arrays of counts starting at the floor's bucket: adding a value
/// is an index computation and an increment, with no allocation. The
/// aggregator keeps one per (metric, month) column, filled by one task at a
/// time. Counts are integers, so the result, and every quantile read from
/// it, does not depend on the order in which blocks arrive.
///
/// Deviations smaller than the floor count as 0 (see [`center_floor`]).
/// Counts are `u32`: one sketch counts at most one process's runs, and
/// validation caps runs at 10 million.
#[derive(Debug, Clone)]
pub struct DenseSketch {
    floor: f64,
    /// Bucket of the floor: index 0 of `pos` and `neg`.
    base: u64,
    /// Counts of positive deviations by bucket, then of negative ones.
    counts: Box<[u32]>,
    zeros: u64,
    n: u64,
    min: f64,
    max: f64,
    spill: LogHistogram,
}

impl DenseSketch {
    pub fn new(floor: f64) -> DenseSketch {
        DenseSketch {
            floor,
            base: LogHistogram::bucket(floor),
            counts: vec![0; 2 * DENSE_BUCKETS].into_boxed_slice(),
            zeros: 0,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            spill: LogHistogram::default(),
        }
    }

    /// Adds the deviations `values − center` and returns their sums and
    /// sums of squares in the four lanes of [`summarize`]. Everything the
    /// loop updates lives in locals, so no store waits on another.
    fn add(&mut self, values: &[f64], center: f64) -> ([f64; 4], [f64; 4]) {
        let (mut s1, mut s2) = ([0.0f64; 4], [0.0f64; 4]);
        let (mut lo, mut hi) = (self.min, self.max);
        let (mut zeros, mut n) = (0u64, 0u64);
        let (floor, base) = (self.floor, self.base);
        let (counts, spill) = (&mut self.counts[..], &mut self.spill);
        let mut one = |d: f64| {
            let a = d.abs();
            if !(a < f64::INFINITY) {
                return; // reported by summarize
            }
            n += 1;
            if a < floor || a == 0.0 {
                zeros += 1;
                lo = lo.min(0.0);
                hi = hi.max(0.0);
                return;
            }
            lo = lo.min(d);
            hi = hi.max(d);
            let i = LogHistogram::bucket(a).wrapping_sub(base) as usize;
            if i < DENSE_BUCKETS {
                // Negative deviations count in the upper half: the sign
                // picks the half without a (50/50, unpredictable) branch.
                counts[i + (d.to_bits() >> 63) as usize * DENSE_BUCKETS] += 1;
            } else {
                spill.push(d);
            }
        };
        let mut lanes = values.chunks_exact(4);
        for x in &mut lanes {
            for l in 0..4 {
                let d = x[l] - center;
                s1[l] += d;
                s2[l] += d * d;
                one(d);
            }
        }
        for (l, &x) in lanes.remainder().iter().enumerate() {
            let d = x - center;
            s1[l] += d;
            s2[l] += d * d;
            one(d);
        }
        (self.min, self.max) = (lo, hi);
        self.zeros += zeros;
        self.n += n;
        (s1, s2)
    }

    /// The same counts as a [`LogHistogram`].
    pub fn to_histogram(&self) -> LogHistogram {
        let store = |counts: &[u32]| -> (Vec<u64>, u64) {
            match (counts.iter().position(|&c| c > 0), counts.iter().rposition(|&c| c > 0)) {
                (Some(a), Some(b)) => (counts[a..=b].iter().map(|&c| u64::from(c)).collect(), self.base + a as u64),
                _ => (vec![], 0),
            }
        };
        let (pos, neg) = self.counts.split_at(DENSE_BUCKETS);
        let ((pos, pos_offset), (neg, neg_offset)) = (store(pos), store(neg));
        let mut h = LogHistogram { pos, pos_offset, neg, neg_offset, zeros: self.zeros, n: self.n - self.spill.n, min: 0.0, max: 0.0 };
        h.merge(&self.spill);
        if h.n > 0 {
            (h.min, h.max) = (self.min, self.max);
        }
        h
    }
}

/// Type-7 quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
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
fn interpolate(x_lo: f64, x_hi: f64, frac: f64) -> f64 {
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
fn quantile_interval_ranks(n: usize, p: f64, z: f64) -> (usize, usize) {
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

/// The standard normal distribution function `Φ(x)`.
pub fn normal_cdf(x: f64) -> f64 {
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

/// A mergeable histogram with log-linear buckets: the bucket of `x ≠ 0` is
/// the top `1 + 11 + SKETCH_BITS` bits of its IEEE-754 pattern (sign,
/// exponent, leading mantissa bits), so each bucket spans a relative width of
/// 2^-7 and its midpoint is within 2^-8 of every value in it. Zeros are
/// counted apart; exact minimum and maximum are kept and clamp the answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogHistogram {
    /// Counts of positive values by bucket, starting at bucket `pos_offset`.
    pos: Vec<u64>,
    pos_offset: u64,
    /// Counts of negative values by bucket of |x|.
    neg: Vec<u64>,
    neg_offset: u64,
    zeros: u64,
    n: u64,
    min: f64,
    max: f64,
}

impl LogHistogram {
    #[inline]
    fn bucket(x: f64) -> u64 {
        x.abs().to_bits() >> (52 - SKETCH_BITS)
    }

    fn bucket_mid(b: u64) -> f64 {
        let lo = f64::from_bits(b << (52 - SKETCH_BITS));
        let hi = f64::from_bits((b + 1) << (52 - SKETCH_BITS));
        lo + (hi - lo) / 2.0
    }

    fn add_to(store: &mut Vec<u64>, offset: &mut u64, b: u64, count: u64) {
        if store.is_empty() {
            *offset = b;
            store.push(0);
        }
        if b < *offset {
            let grow = (*offset - b) as usize;
            store.splice(0..0, std::iter::repeat_n(0, grow));
            *offset = b;
        }
        let i = (b - *offset) as usize;
        if i >= store.len() {
            store.resize(i + 1, 0);
        }
        store[i] += count;
    }

    /// Adds one value (must not be NaN).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        if x == 0.0 {
            self.zeros += 1;
        } else if x > 0.0 {
            Self::add_to(&mut self.pos, &mut self.pos_offset, Self::bucket(x), 1);
        } else {
            Self::add_to(&mut self.neg, &mut self.neg_offset, Self::bucket(x), 1);
        }
    }

    /// Adds every count of `other`: exact, and independent of order.
    pub fn merge(&mut self, other: &LogHistogram) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        Self::merge_store(&mut self.pos, &mut self.pos_offset, &other.pos, other.pos_offset);
        Self::merge_store(&mut self.neg, &mut self.neg_offset, &other.neg, other.neg_offset);
        self.zeros += other.zeros;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    fn merge_store(store: &mut Vec<u64>, offset: &mut u64, other: &[u64], other_offset: u64) {
        if other.is_empty() {
            return;
        }
        if store.is_empty() {
            *store = other.to_vec();
            *offset = other_offset;
            return;
        }
        let first = (*offset).min(other_offset);
        let end = (*offset + store.len() as u64).max(other_offset + other.len() as u64);
        if first < *offset {
            store.splice(0..0, std::iter::repeat_n(0, (*offset - first) as usize));
            *offset = first;
        }
        store.resize((end - first) as usize, 0);
        let at = (other_offset - first) as usize;
        for (s, o) in store[at..at + other.len()].iter_mut().zip(other) {
            *s += o;
        }
    }

    /// Every field as u64 words (floats by their bits), for shard files.
    pub fn to_words(&self) -> Vec<u64> {
        let mut w = vec![self.pos_offset, self.pos.len() as u64];
        w.extend_from_slice(&self.pos);
        w.extend([self.neg_offset, self.neg.len() as u64]);
        w.extend_from_slice(&self.neg);
        w.extend([self.zeros, self.n, self.min.to_bits(), self.max.to_bits()]);
        w
    }

    /// Reads what [`LogHistogram::to_words`] wrote; `None` if malformed.
    pub fn from_words(words: &mut impl Iterator<Item = u64>) -> Option<LogHistogram> {
        let store = |words: &mut dyn Iterator<Item = u64>| -> Option<(u64, Vec<u64>)> {
            let offset = words.next()?;
            let len = usize::try_from(words.next()?).ok().filter(|l| *l <= 1 << 24)?;
            let v: Vec<u64> = words.take(len).collect();
            (v.len() == len).then_some((offset, v))
        };
        let (pos_offset, pos) = store(words)?;
        let (neg_offset, neg) = store(words)?;
        let mut next = || words.next();
        Some(LogHistogram { pos, pos_offset, neg, neg_offset, zeros: next()?, n: next()?, min: f64::from_bits(next()?), max: f64::from_bits(next()?) })
    }

    /// The value of the k-th smallest (0-based) element, to within
    /// [`SKETCH_RELATIVE_ERROR`].
    fn rank(&self, k: u64) -> f64 {
        let mut seen = 0u64;
        // Negative values: largest magnitude first.
        for (i, &c) in self.neg.iter().enumerate().rev() {
            seen += c;
            if k < seen {
                return (-Self::bucket_mid(self.neg_offset + i as u64)).clamp(self.min, self.max);
            }
        }
        seen += self.zeros;
        if k < seen {
            return 0.0;
        }
        for (i, &c) in self.pos.iter().enumerate() {
            seen += c;
            if k < seen {
                return Self::bucket_mid(self.pos_offset + i as u64).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Type-7 quantile, computed on the bucket representatives.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let h = (self.n - 1) as f64 * p;
        let lo = h.floor() as u64;
        let x_lo = self.rank(lo);
        let x_hi = if lo + 1 < self.n { self.rank(lo + 1) } else { x_lo };
        interpolate(x_lo, x_hi, h - lo as f64)
    }
}

#[cfg(test)]
mod tests {
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
