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

/// A block column's moments, in one pass over it, and, with a sketch, its
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
    match sketch {
        None => lane_sums(values, center, &mut s1, &mut s2),
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
/// A [`DenseSketch`]'s counts: positive deviations by bucket, negative ones,
/// then the zero slot (deviations below the floor) and the other slot
/// (beyond the dense buckets, or not finite), both emptied after each pass.
const ZERO_SLOT: usize = 2 * DENSE_BUCKETS;
const OTHER_SLOT: usize = ZERO_SLOT + 1;
const SLOTS: usize = OTHER_SLOT + 1;
/// Values a [`DenseSketch`] classifies per pass: a multiple of four, so the
/// lane sums see every value in its lane.
const PASS: usize = 256;
// The AVX2 pass puts the sign at bit 12 (`DENSE_BUCKETS`), and restarts
// its lanes at each pass.
const _: () = assert!(DENSE_BUCKETS == 1 << 12 && PASS % 4 == 0);

/// Adds the deviations `values − center` and their squares to the four
/// lanes of [`summarize`], the i-th value to lane `i mod 4`.
#[inline(always)]
fn lane_sums(values: &[f64], center: f64, s1: &mut [f64; 4], s2: &mut [f64; 4]) {
    let mut lanes = values.chunks_exact(4);
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

/// [`classify`], four values at a time in AVX2 registers where the CPU has
/// them ([`avx2::classify`]: the same comparisons and integer operations,
/// so the same slots and extremes).
fn classify_dispatch(values: &[f64], center: f64, floor_base: (f64, u32), slots: &mut [u32], sums: Sums) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::avx2_on() {
        // SAFETY: the CPU has AVX2, checked by avx2_on.
        return unsafe { avx2::classify(values, center, floor_base, slots, sums) };
    }
    classify(values, center, floor_base, slots, sums)
}

/// The four lanes of sums of deviations and of their squares (see
/// [`lane_sums`]).
type Sums<'a> = (&'a mut [f64; 4], &'a mut [f64; 4]);

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{DENSE_BUCKETS, OTHER_SLOT, SKETCH_BITS, Sums, ZERO_SLOT};
    use std::arch::x86_64::*;

    /// [`super::classify`] on four values a register (the register's lanes
    /// are the sums' lanes); the tail (fewer than four values) by the scalar
    /// function.
    #[target_feature(enable = "avx2")]
    pub(super) fn classify(values: &[f64], center: f64, floor_base: (f64, u32), slots: &mut [u32], (s1, s2): Sums) -> (f64, f64) {
        assert_eq!(values.len(), slots.len());
        let (floor, base) = floor_base;
        let quads = values.len() / 4;
        let (c, fl) = (_mm256_set1_pd(center), _mm256_set1_pd(floor));
        let (inf, ninf, zero) = (_mm256_set1_pd(f64::INFINITY), _mm256_set1_pd(f64::NEG_INFINITY), _mm256_setzero_pd());
        let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
        let base = _mm256_set1_epi64x(i64::from(base));
        let (dense_end, none) = (_mm256_set1_epi64x(DENSE_BUCKETS as i64), _mm256_set1_epi64x(-1));
        let (zero_slot, other_slot) = (_mm256_set1_epi64x(ZERO_SLOT as i64), _mm256_set1_epi64x(OTHER_SLOT as i64));
        // The low halves of the four 64-bit slots, in order.
        let low = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
        let (mut lo, mut hi) = (inf, ninf);
        // SAFETY: four doubles each.
        let (mut v1, mut v2) = unsafe { (_mm256_loadu_pd(s1.as_ptr()), _mm256_loadu_pd(s2.as_ptr())) };
        for q in 0..quads {
            // SAFETY: 4q + 3 < values.len() = slots.len().
            let x = unsafe { _mm256_loadu_pd(values.as_ptr().add(4 * q)) };
            let d = _mm256_sub_pd(x, c);
            v1 = _mm256_add_pd(v1, d);
            v2 = _mm256_add_pd(v2, _mm256_mul_pd(d, d));
            let a = _mm256_and_pd(d, abs);
            let finite = _mm256_cmp_pd::<_CMP_LT_OQ>(a, inf);
            let is_zero = _mm256_or_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(a, fl), _mm256_cmp_pd::<_CMP_EQ_OQ>(a, zero));
            // Finite buckets are below 2^18: signed 64-bit compares are exact.
            let i = _mm256_sub_epi64(_mm256_srli_epi64::<{ 52 - SKETCH_BITS as i32 }>(_mm256_castpd_si256(a)), base);
            let in_dense = _mm256_and_si256(_mm256_cmpgt_epi64(i, none), _mm256_cmpgt_epi64(dense_end, i));
            let sign = _mm256_slli_epi64::<12>(_mm256_srli_epi64::<63>(_mm256_castpd_si256(d)));
            let dense = _mm256_blendv_epi8(other_slot, _mm256_add_epi64(i, sign), in_dense);
            let slot = _mm256_blendv_epi8(dense, zero_slot, _mm256_castpd_si256(is_zero));
            let slot = _mm256_blendv_epi8(other_slot, slot, _mm256_castpd_si256(finite));
            let packed = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(slot, low));
            // SAFETY: as above.
            unsafe { _mm_storeu_si128(slots.as_mut_ptr().add(4 * q).cast(), packed) };
            let v = _mm256_andnot_pd(is_zero, d);
            lo = _mm256_min_pd(lo, _mm256_blendv_pd(inf, v, finite));
            hi = _mm256_max_pd(hi, _mm256_blendv_pd(ninf, v, finite));
        }
        let (mut l, mut h) = ([0.0; 4], [0.0; 4]);
        // SAFETY: four doubles each.
        unsafe {
            _mm256_storeu_pd(l.as_mut_ptr(), lo);
            _mm256_storeu_pd(h.as_mut_ptr(), hi);
            _mm256_storeu_pd(s1.as_mut_ptr(), v1);
            _mm256_storeu_pd(s2.as_mut_ptr(), v2);
        }
        let (tail_lo, tail_hi) = super::classify(&values[4 * quads..], center, floor_base, &mut slots[4 * quads..], (s1, s2));
        let lo = l.into_iter().fold(tail_lo, |m, x| if x < m { x } else { m });
        let hi = h.into_iter().fold(tail_hi, |m, x| if x > m { x } else { m });
        (lo, hi)
    }
}

/// Each deviation's slot in a [`DenseSketch`] whose floor and floor bucket
/// are `floor_base`, and the smallest and largest finite deviations (those
/// below the floor counted as 0), without a branch; the deviations are
/// added to `sums` by [`lane_sums`] (a lane's additions keep their order).
#[inline(always)]
fn classify(values: &[f64], center: f64, (floor, base): (f64, u32), slots: &mut [u32], (s1, s2): Sums) -> (f64, f64) {
    lane_sums(values, center, s1, s2);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, slot) in values.iter().zip(slots.iter_mut()) {
        let d = x - center;
        let a = d.abs();
        let finite = a < f64::INFINITY;
        let zero = a < floor || a == 0.0;
        // Buckets of finite deviations are below 2^18: u32 loses nothing.
        let i = (LogHistogram::bucket(a) as u32).wrapping_sub(base);
        let sign = (d.to_bits() >> 63) as u32;
        let dense = if i < DENSE_BUCKETS as u32 { i + sign * DENSE_BUCKETS as u32 } else { OTHER_SLOT as u32 };
        *slot = if !finite {
            OTHER_SLOT as u32
        } else if zero {
            ZERO_SLOT as u32
        } else {
            dense
        };
        let v = if zero { 0.0 } else { d };
        lo = if finite && v < lo { v } else { lo };
        hi = if finite && v > hi { v } else { hi };
    }
    (lo, hi)
}

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
            counts: vec![0; SLOTS].into_boxed_slice(),
            zeros: 0,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            spill: LogHistogram::default(),
        }
    }

    /// Adds the deviations `values − center` and returns their sums and
    /// sums of squares in the four lanes of [`summarize`].
    ///
    /// Two passes over each [`PASS`] values: the first computes the lane
    /// sums, every value's slot (its bucket, the zero slot or the other
    /// slot) and the extremes without a branch, four values at a time with
    /// AVX2 where the CPU has it ([`crate::simd`]); the second increments
    /// the slots. Counts are
    /// integers and the extremes exact, so the result is the same as one
    /// value at a time, on either path.
    fn add(&mut self, values: &[f64], center: f64) -> ([f64; 4], [f64; 4]) {
        let (mut s1, mut s2) = ([0.0f64; 4], [0.0f64; 4]);
        let mut slots = [0u32; PASS];
        for chunk in values.chunks(PASS) {
            let slots = &mut slots[..chunk.len()];
            let (lo, hi) = classify_dispatch(chunk, center, (self.floor, self.base as u32), slots, (&mut s1, &mut s2));
            self.min = self.min.min(lo);
            self.max = self.max.max(hi);
            let counts = &mut self.counts[..];
            for &slot in slots.iter() {
                counts[slot as usize] += 1;
            }
            let zeros = std::mem::take(&mut self.counts[ZERO_SLOT]);
            let others = std::mem::take(&mut self.counts[OTHER_SLOT]);
            self.zeros += u64::from(zeros);
            self.n += (chunk.len() - others as usize) as u64;
            if others > 0 {
                self.spill_others(chunk, center, slots);
            }
        }
        (s1, s2)
    }

    /// Puts the values of `chunk` that went to the other slot (`slots`)
    /// and are finite (beyond the dense buckets) into the spill histogram.
    #[cold]
    fn spill_others(&mut self, chunk: &[f64], center: f64, slots: &[u32]) {
        for (&x, &slot) in chunk.iter().zip(slots) {
            let d = x - center;
            if slot == OTHER_SLOT as u32 && d.abs() < f64::INFINITY {
                self.spill.push(d);
                self.n += 1;
            }
        }
    }

    /// The same counts as a [`LogHistogram`].
    pub(crate) fn to_histogram(&self) -> LogHistogram {
        let store = |counts: &[u32]| -> (Vec<u64>, u64) {
            match (counts.iter().position(|&c| c > 0), counts.iter().rposition(|&c| c > 0)) {
                (Some(a), Some(b)) => (counts[a..=b].iter().map(|&c| u64::from(c)).collect(), self.base + a as u64),
                _ => (vec![], 0),
            }
        };
        let (pos, neg) = self.counts[..2 * DENSE_BUCKETS].split_at(DENSE_BUCKETS);
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Deviations of every kind a column can hold: ordinary ones of both
    /// signs over many binades, zeros of both signs, ones below the floor,
    /// ones beyond the dense buckets, and values that are not finite.
    fn mixed(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::rng::stream(seed, 0, 0);
        (0..n)
            .map(|i| match i % 23 {
                0 => 0.0,
                1 => -0.0,
                2 => 1e-9 * (rng.random::<f64>() - 0.5),
                3 => 1e40 * (rng.random::<f64>() - 0.5),
                4 if i % 3 == 0 => f64::NAN,
                5 if i % 5 == 0 => f64::INFINITY,
                6 if i % 7 == 0 => f64::NEG_INFINITY,
                _ => (rng.random::<f64>() - 0.4) * 10f64.powf(rng.random::<f64>() * 12.0 - 4.0),
            })
            .collect()
    }

    /// The AVX2 pass gives the scalar pass's slots, extremes and lane sums
    /// to the bit, for every tail length and several floors and centers.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_classification_equals_the_scalar_one() {
        assert!(std::arch::is_x86_feature_detected!("avx2"), "this test compares the AVX2 path with the scalar one; run it on a CPU with AVX2");
        let values = mixed(20_000, 7);
        let mut compared = 0;
        for (floor, center) in [(0.0, 0.0), (1e-3, 0.5), (1e3, -2.0), (1e-300, 1e6)] {
            let base = LogHistogram::bucket(floor) as u32;
            for len in [0, 1, 2, 3, 4, 5, 7, 8, 255, 256] {
                for start in (0..values.len() - len).step_by(331) {
                    let chunk = &values[start..start + len];
                    let (mut a, mut b) = (vec![0u32; len], vec![0u32; len]);
                    let (mut sa, mut sb) = (([0.5; 4], [0.25; 4]), ([0.5; 4], [0.25; 4]));
                    let ea = classify(chunk, center, (floor, base), &mut a, (&mut sa.0, &mut sa.1));
                    // SAFETY: the CPU has AVX2 (asserted above).
                    let eb = unsafe { avx2::classify(chunk, center, (floor, base), &mut b, (&mut sb.0, &mut sb.1)) };
                    assert_eq!(a, b, "slots, floor {floor}, len {len}, start {start}");
                    assert_eq!((ea.0.to_bits(), ea.1.to_bits()), (eb.0.to_bits(), eb.1.to_bits()), "extremes");
                    // NaN sums (a lane saw a value that is not finite) may
                    // differ in their payload; they only say "not finite".
                    let bits = |s: ([f64; 4], [f64; 4])| s.0.into_iter().chain(s.1).map(|x| if x.is_nan() { 0 } else { x.to_bits() }).collect::<Vec<_>>();
                    assert_eq!(bits(sa), bits(sb), "lane sums");
                    compared += len;
                }
            }
        }
        assert!(compared > 100_000, "{compared}");
    }

    /// The two-pass sketch counts what pushing each finite deviation (those
    /// below the floor as 0) into a histogram counts, skips values that are
    /// not finite, and its lane sums are those of the sketch-free path.
    #[test]
    fn dense_sketch_counts_each_finite_deviation_once() {
        let values = mixed(50_000, 11);
        for (floor, center) in [(0.0, 0.0), (1e-3, 0.25), (1e3, -7.0)] {
            let mut dense = DenseSketch::new(floor);
            let mut by_push = LogHistogram::default();
            for chunk in values.chunks(1000) {
                let (mut s1, mut s2) = ([0.0; 4], [0.0; 4]);
                lane_sums(chunk, center, &mut s1, &mut s2);
                let (d1, d2) = dense.add(chunk, center);
                let bits = |s: [f64; 4]| s.map(|x| if x.is_nan() { 0 } else { x.to_bits() });
                assert_eq!((bits(d1), bits(d2)), (bits(s1), bits(s2)), "floor {floor}");
                for &x in chunk {
                    let d = x - center;
                    if d.is_finite() {
                        by_push.push(if d.abs() < floor || d == 0.0 { 0.0 } else { d });
                    }
                }
            }
            assert_eq!(dense.to_histogram(), by_push, "floor {floor}");
            assert!(by_push.n > 45_000, "{}", by_push.n);
            assert!(center != 0.0 || by_push.zeros > 4_000, "{}", by_push.zeros);
        }
    }
}
