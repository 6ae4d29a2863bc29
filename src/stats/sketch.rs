//! The quantile sketch: per-block moments and a log-linear histogram of
//! deviations from a column's center ([`DenseSketch`]), merged into a
//! [`LogHistogram`] whose quantiles have relative error at most
//! [`SKETCH_RELATIVE_ERROR`]; counts are integers, so merging is exact and
//! order-free.

use super::Moments;
use super::quantile::interpolate;

/// Mantissa bits kept by [`LogHistogram`]: buckets are 2^-7 wide relative to
/// their lower bound.
const SKETCH_BITS: u32 = 7;
/// Largest relative error of a sketched quantile: half a bucket, 2^-8.
pub const SKETCH_RELATIVE_ERROR: f64 = 1.0 / 256.0;

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
    Ok(Moments::from_parts(values.len() as u64, center + s1 / n, (s2 - s1 * s1 / n).max(0.0)))
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
    pub(crate) fn to_histogram(&self) -> LogHistogram {
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
    pub(crate) fn from_words(words: &mut impl Iterator<Item = u64>) -> Option<LogHistogram> {
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
    pub(super) fn rank(&self, k: u64) -> f64 {
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
