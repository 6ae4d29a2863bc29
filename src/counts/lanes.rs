//! Exact count draws for many streams at once: one binomial or Poisson draw
//! per stream of a [`Streams`], the first candidate of four streams at a
//! time in AVX2 registers when the CPU has them.
//!
//! Every stream gets **the same bits** as the one-stream sampler would give
//! it ([`binomial`], [`poisson`]). The vector path computes each stream's
//! first candidate, its squeeze and its logarithm test (with `libm`'s
//! logarithm repeated operation for operation) using operations IEEE 754
//! rounds exactly (add, subtract, multiply, divide, square root, floor,
//! compare; no fused multiply-add, which Rust never contracts to) in the
//! scalar code's order, keeps the candidate when either test accepts it
//! (84–87% of draws at a churn or arrival count in the hundreds), and hands
//! every other stream to the scalar code, which draws on from there exactly
//! as it would have. Streams whose parameters are outside the rejection
//! samplers' range (small means, edges) are drawn by the scalar sampler. So a
//! simulation's output does not depend on the CPU it runs on; the tests check
//! it bit for bit over millions of mixed-parameter draws on both paths (they
//! catch a generator that advances when it should not, a wrong acceptance
//! rule or a wrong constant), and the vector logarithm against `libm`'s
//! directly. What sampling cannot catch is an operation of a candidate taken
//! in another order: it changes a draw only when the candidate falls within
//! an ulp of an integer, so each line here is kept operation for operation
//! with its scalar twin, which its comment names.
//!
//! Xoshiro256++ in four lanes needs only 64-bit adds, shifts, ors and xors.
//! The uniform `(x >> 11) · 2⁻⁵³` needs a u64 → f64 conversion AVX2 lacks:
//! the 53-bit integer is split into 32 high and 21 low bits, each converted
//! exactly by the 2⁵² exponent trick, and recombined exactly.

use rand::TryRng;
use std::convert::Infallible;

use super::{Btrs, Ptrs, binomial, poisson};
use crate::rng::Stream;

/// Many Xoshiro256++ generators side by side, word-major: word `w` of
/// stream `i` is `s[w][i]`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Streams {
    s: [Vec<u64>; 4],
}

impl Streams {
    /// Appends a stream.
    pub fn push(&mut self, stream: &Stream) {
        let bytes = stream.state();
        for (w, words) in self.s.iter_mut().enumerate() {
            words.push(u64::from_le_bytes(bytes[8 * w..8 * w + 8].try_into().expect("8 bytes")));
        }
    }

    pub fn len(&self) -> usize {
        self.s[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stream `i` as a one-stream generator, continuing where it is.
    pub fn stream(&self, i: usize) -> Stream {
        let mut bytes = [0u8; 32];
        for (w, words) in self.s.iter().enumerate() {
            bytes[8 * w..8 * w + 8].copy_from_slice(&words[i].to_le_bytes());
        }
        <Stream as rand::SeedableRng>::from_seed(bytes)
    }

    fn one(&mut self, i: usize) -> One<'_> {
        One { s: &mut self.s, i }
    }
}

/// The streams, in order, each continuing exactly where it was.
impl FromIterator<Stream> for Streams {
    fn from_iter<I: IntoIterator<Item = Stream>>(streams: I) -> Streams {
        let mut out = Streams::default();
        for stream in streams {
            out.push(&stream);
        }
        out
    }
}

/// Stream `i` of a [`Streams`] as a generator, in place: the same outputs
/// as the `Stream` it was made from (`rand_xoshiro`'s `next_u32` is the high
/// half of `next_u64`, and so is this one's).
struct One<'a> {
    s: &'a mut [Vec<u64>; 4],
    i: usize,
}

impl TryRng for One<'_> {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let i = self.i;
        let [s0, s1, s2, s3] = &mut *self.s;
        let out = s0[i].wrapping_add(s3[i]).rotate_left(23).wrapping_add(s0[i]);
        let t = s1[i] << 17;
        s2[i] ^= s0[i];
        s3[i] ^= s1[i];
        s1[i] ^= s2[i];
        s0[i] ^= s3[i];
        s2[i] ^= t;
        s3[i] = s3[i].rotate_left(45);
        Ok(out)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// `out[i] ~ Binomial(n[i], p[i])` drawn from stream `i`, for every stream.
pub fn binomial_each(streams: &mut Streams, n: &[u64], p: &[f64], out: &mut [u64]) {
    assert!(streams.len() == n.len() && p.len() == n.len() && out.len() == n.len(), "one (n, p) and one output per stream");
    #[cfg(target_arch = "x86_64")]
    if crate::simd::avx2_on() {
        // SAFETY: the CPU has AVX2, checked by avx2_on.
        return unsafe { avx2::binomial_each(streams, n, p, out) };
    }
    binomial_each_scalar(streams, n, p, out);
}

/// `out[i] ~ Poisson(lambda[i])` drawn from stream `i`, for every stream.
pub fn poisson_each(streams: &mut Streams, lambda: &[f64], out: &mut [f64]) {
    assert!(streams.len() == lambda.len() && out.len() == lambda.len(), "one mean and one output per stream");
    #[cfg(target_arch = "x86_64")]
    if crate::simd::avx2_on() {
        // SAFETY: the CPU has AVX2, checked by avx2_on.
        return unsafe { avx2::poisson_each(streams, lambda, out) };
    }
    poisson_each_scalar(streams, lambda, out);
}

/// [`binomial_each`] one stream after another: a CPU without AVX2.
fn binomial_each_scalar(streams: &mut Streams, n: &[u64], p: &[f64], out: &mut [u64]) {
    for i in 0..n.len() {
        out[i] = binomial(&mut streams.one(i), n[i], p[i]);
    }
}

/// [`poisson_each`] one stream after another: a CPU without AVX2.
fn poisson_each_scalar(streams: &mut Streams, lambda: &[f64], out: &mut [f64]) {
    for i in 0..lambda.len() {
        out[i] = poisson(&mut streams.one(i), lambda[i]);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The AVX2 path. Each function is `unsafe` only because it must run on
    //! a CPU with AVX2.

    use super::*;
    use crate::counts::{HALF_LN_2PI, LN_GAMMA_SERIES, POISSON_EXACT_MAX, TABLE_K, floor, ln, ln_factorials, ln_gamma, stirling_tails};
    use std::arch::x86_64::*;

    const LANES: usize = 4;

    #[inline]
    #[target_feature(enable = "avx2")]
    fn splat(x: f64) -> __m256d {
        _mm256_set1_pd(x)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn lanes(x: __m256d) -> [f64; LANES] {
        let mut out = [0.0; LANES];
        // SAFETY: out holds four f64.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), x) };
        out
    }

    /// `super::floor` lane by lane: the vector floor where `|x| < 2⁶³`
    /// (where the two agree), the scalar one elsewhere (NaN, huge).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn floor4(x: __m256d) -> __m256d {
        let f = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(x);
        let abs = _mm256_andnot_pd(splat(-0.0), x);
        if _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_NLT_UQ>(abs, splat(9.223_372_036_854_776e18))) == 0 {
            return f;
        }
        let x = lanes(x).map(floor);
        // SAFETY: x holds four f64.
        unsafe { _mm256_loadu_pd(x.as_ptr()) }
    }

    /// The four generators of streams `i..i + 4`, in registers.
    struct Four([__m256i; 4]);

    impl Four {
        #[inline]
        #[target_feature(enable = "avx2")]
        fn load(s: &[Vec<u64>; 4], i: usize) -> Four {
            assert!(i + LANES <= s[0].len() && s.iter().all(|w| w.len() == s[0].len()));
            // SAFETY: i + 4 ≤ len, checked above; loadu takes any alignment.
            Four(std::array::from_fn(|w| unsafe { _mm256_loadu_si256(s[w].as_ptr().add(i).cast()) }))
        }

        #[inline]
        #[target_feature(enable = "avx2")]
        fn store(&self, s: &mut [Vec<u64>; 4], i: usize) {
            for (w, words) in s.iter_mut().enumerate() {
                assert!(i + LANES <= words.len());
                // SAFETY: i + 4 ≤ len, checked above.
                unsafe { _mm256_storeu_si256(words.as_mut_ptr().add(i).cast(), self.0[w]) };
            }
        }

        /// The next output of every lane; lanes outside `on` (all ones or
        /// all zeros per 64-bit lane) keep their state.
        #[inline]
        #[target_feature(enable = "avx2")]
        fn next(&mut self, on: __m256i) -> __m256i {
            let [s0, s1, s2, s3] = self.0;
            let sum = _mm256_add_epi64(s0, s3);
            let out = _mm256_add_epi64(_mm256_or_si256(_mm256_slli_epi64::<23>(sum), _mm256_srli_epi64::<41>(sum)), s0);
            let t = _mm256_slli_epi64::<17>(s1);
            let n2 = _mm256_xor_si256(s2, s0);
            let n3 = _mm256_xor_si256(s3, s1);
            let n1 = _mm256_xor_si256(s1, n2);
            let n0 = _mm256_xor_si256(s0, n3);
            let n2 = _mm256_xor_si256(n2, t);
            let n3 = _mm256_or_si256(_mm256_slli_epi64::<45>(n3), _mm256_srli_epi64::<19>(n3));
            self.0 = [_mm256_blendv_epi8(s0, n0, on), _mm256_blendv_epi8(s1, n1, on), _mm256_blendv_epi8(s2, n2, on), _mm256_blendv_epi8(s3, n3, on)];
            out
        }

        /// `unit` of the next output: `(x >> 11) · 2⁻⁵³`, exactly.
        #[inline]
        #[target_feature(enable = "avx2")]
        fn unit(&mut self, on: __m256i) -> __m256d {
            let v = _mm256_srli_epi64::<11>(self.next(on));
            let magic = _mm256_set1_epi64x(0x4330_0000_0000_0000);
            let two52 = splat(4_503_599_627_370_496.0);
            let hi = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<21>(v), magic)), two52);
            let lo = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi64x((1 << 21) - 1)), magic)), two52);
            let x = _mm256_add_pd(_mm256_mul_pd(hi, splat((1u64 << 21) as f64)), lo);
            _mm256_mul_pd(x, splat(1.0 / (1u64 << 53) as f64))
        }
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn splat_i(x: i64) -> __m256i {
        _mm256_set1_epi64x(x)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn from_lanes(x: [f64; LANES]) -> __m256d {
        // SAFETY: x holds four f64.
        unsafe { _mm256_loadu_pd(x.as_ptr()) }
    }

    /// `f(lane)` in the lanes of `bits` (a movemask), `v` elsewhere.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn patch(v: __m256d, bits: i32, f: impl Fn(usize) -> f64) -> __m256d {
        let mut x = lanes(v);
        for (l, x) in x.iter_mut().enumerate() {
            if bits & (1 << l) != 0 {
                *x = f(l);
            }
        }
        from_lanes(x)
    }

    /// [`super::super::ln`] (FreeBSD's `e_log.c`) lane by lane, operation
    /// for operation; lanes that are not positive normal finite numbers go
    /// to the scalar function.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn ln4(x: __m256d, need: i32) -> __m256d {
        // e_log.c's constants, by their bits.
        const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
        const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
        const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
        const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
        const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
        const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
        const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
        const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
        const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
        let ui = _mm256_castpd_si256(x);
        let hx = _mm256_srli_epi64::<32>(ui);
        let normal = _mm256_and_si256(_mm256_cmpgt_epi64(hx, splat_i(0x000f_ffff)), _mm256_cmpgt_epi64(splat_i(0x7ff0_0000), hx));
        // Reduce x into [√2/2, √2]: x = 2^k·(1 + f).
        let hx = _mm256_add_epi64(hx, splat_i(0x3ff0_0000 - 0x3fe6_a09e));
        let k = _mm256_sub_epi64(_mm256_srli_epi64::<20>(hx), splat_i(0x3ff));
        let hx = _mm256_add_epi64(_mm256_and_si256(hx, splat_i(0x000f_ffff)), splat_i(0x3fe6_a09e));
        let x = _mm256_castsi256_pd(_mm256_or_si256(_mm256_slli_epi64::<32>(hx), _mm256_and_si256(ui, splat_i(0xffff_ffff))));
        let f = _mm256_sub_pd(x, splat(1.0));
        let hfsq = _mm256_mul_pd(_mm256_mul_pd(splat(0.5), f), f);
        let s = _mm256_div_pd(f, _mm256_add_pd(splat(2.0), f));
        let z = _mm256_mul_pd(s, s);
        let w = _mm256_mul_pd(z, z);
        let t1 = _mm256_mul_pd(w, _mm256_add_pd(splat(LG2), _mm256_mul_pd(w, _mm256_add_pd(splat(LG4), _mm256_mul_pd(w, splat(LG6))))));
        let t2 = _mm256_mul_pd(
            z,
            _mm256_add_pd(splat(LG1), _mm256_mul_pd(w, _mm256_add_pd(splat(LG3), _mm256_mul_pd(w, _mm256_add_pd(splat(LG5), _mm256_mul_pd(w, splat(LG7))))))),
        );
        let r = _mm256_add_pd(t2, t1);
        // k as f64, exactly (|k| < 2⁵¹): the 2⁵² + 2⁵¹ exponent trick.
        let dk = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(k, splat_i(0x4338_0000_0000_0000))), splat(6_755_399_441_055_744.0));
        let y = _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, r)), _mm256_mul_pd(dk, splat(LN2_LO)));
        let y = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(y, hfsq), f), _mm256_mul_pd(dk, splat(LN2_HI)));
        let odd = !_mm256_movemask_pd(_mm256_castsi256_pd(normal)) & need;
        if odd == 0 {
            return y;
        }
        let orig = lanes(_mm256_castsi256_pd(ui));
        patch(y, odd, |l| ln(orig[l]))
    }

    /// `stirling_tail` lane by lane, for integer-valued `k ≥ 0` in the
    /// lanes of `need` (as the scalar function requires): gathered from the
    /// table where it has the entry, the series in registers beyond it
    /// (`k ≥ TABLE_K`, far above the series' own table of `k ≤ 9`).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn stirling_tail4(k: __m256d, need: i32) -> __m256d {
        let (y, rest) = gather(stirling_tails(), k, need);
        if rest == 0 {
            return y;
        }
        debug_assert_eq!(_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_NGE_UQ>(k, splat(TABLE_K as f64))) & rest, 0, "stirling_tail4: k < 0 or NaN");
        let inv = _mm256_div_pd(splat(1.0), _mm256_add_pd(k, splat(1.0)));
        let inv2 = _mm256_mul_pd(inv, inv);
        let series =
            _mm256_mul_pd(_mm256_sub_pd(splat(1.0 / 12.0), _mm256_mul_pd(_mm256_sub_pd(splat(1.0 / 360.0), _mm256_div_pd(inv2, splat(1260.0))), inv2)), inv);
        _mm256_blendv_pd(y, series, _mm256_castsi256_pd(mask_of(rest)))
    }

    /// `table[k]` in the lanes of `need` where `0 ≤ k < TABLE_K` (others
    /// 0, and not read), and the lanes of `need` left to compute.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn gather(table: &[f64; TABLE_K], k: __m256d, need: i32) -> (__m256d, i32) {
        let in_table = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(k, splat(0.0)), _mm256_cmp_pd::<_CMP_LT_OQ>(k, splat(TABLE_K as f64)));
        let take = _mm256_and_pd(in_table, _mm256_castsi256_pd(mask_of(need)));
        let index = _mm256_cvttpd_epi32(_mm256_and_pd(k, take));
        // SAFETY: the gathered lanes have 0 ≤ k < TABLE_K; the others are
        // masked off and not read.
        let y = unsafe { _mm256_mask_i32gather_pd::<8>(_mm256_setzero_pd(), table.as_ptr(), index, take) };
        (y, need & !_mm256_movemask_pd(take))
    }

    /// `ln_gamma` lane by lane for `x ≥ 7` (no shifting); other lanes by
    /// the scalar function.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn ln_gamma4(x: __m256d, need: i32) -> __m256d {
        let x2 = _mm256_div_pd(splat(1.0), _mm256_mul_pd(x, x));
        let mut gl0 = splat(LN_GAMMA_SERIES[9]);
        for k in (0..9).rev() {
            gl0 = _mm256_add_pd(_mm256_mul_pd(gl0, x2), splat(LN_GAMMA_SERIES[k]));
        }
        let y = _mm256_add_pd(_mm256_div_pd(gl0, x), splat(HALF_LN_2PI));
        let y = _mm256_sub_pd(_mm256_add_pd(y, _mm256_mul_pd(_mm256_sub_pd(x, splat(0.5)), ln4(x, need))), x);
        let small = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_NGE_UQ>(x, splat(7.0))) & need;
        if small == 0 {
            return y;
        }
        let x = lanes(x);
        patch(y, small, |l| ln_gamma(x[l]))
    }

    /// `ln k!` lane by lane (`ln_factorial`): gathered from the table
    /// where it has the entry, `ln_gamma4(k + 1)` elsewhere.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn ln_factorial4(k: __m256d, need: i32) -> __m256d {
        let (y, rest) = gather(ln_factorials(), k, need);
        if rest == 0 {
            return y;
        }
        _mm256_blendv_pd(y, ln_gamma4(_mm256_add_pd(k, splat(1.0)), rest), _mm256_castsi256_pd(mask_of(rest)))
    }

    /// The lanes of a 4-bit mask as all-ones or all-zeros lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn mask_of(bits: i32) -> __m256i {
        _mm256_cmpgt_epi64(_mm256_and_si256(_mm256_setr_epi64x(1, 2, 4, 8), _mm256_set1_epi64x(i64::from(bits))), _mm256_setzero_si256())
    }

    /// See [`super::binomial_each`].
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn binomial_each(streams: &mut Streams, n: &[u64], p: &[f64], out: &mut [u64]) {
        let full = n.len() / LANES * LANES;
        for i in (0..full).step_by(LANES) {
            binomial4(streams, i, &n[i..i + LANES], &p[i..i + LANES], &mut out[i..i + LANES]);
        }
        for i in full..n.len() {
            out[i] = binomial(&mut streams.one(i), n[i], p[i]);
        }
    }

    /// Streams `i..i + 4`: BTRS in registers for the streams in its range
    /// (`n·min(p, 1 − p) ≥ 10`), the others by the scalar sampler.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn binomial4(streams: &mut Streams, i: usize, n: &[u64], p: &[f64], out: &mut [u64]) {
        let nf: [f64; LANES] = std::array::from_fn(|l| n[l] as f64);
        let (nv, pv) = (from_lanes(nf), from_lanes([p[0], p[1], p[2], p[3]]));
        // binomial's range test: 0 < p < 1, n > 0, n·q ≥ 10 with q = min(p, 1 − p).
        let q = _mm256_min_pd(pv, _mm256_sub_pd(splat(1.0), pv));
        let in_range = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(pv, splat(0.0)), _mm256_cmp_pd::<_CMP_LT_OQ>(pv, splat(1.0))),
            _mm256_cmp_pd::<_CMP_GE_OQ>(_mm256_mul_pd(nv, q), splat(10.0)),
        );
        let on = _mm256_movemask_pd(in_range);
        for l in 0..LANES {
            if on & (1 << l) == 0 {
                out[l] = binomial(&mut streams.one(i + l), n[l], p[l]);
            }
        }
        if on == 0 {
            return;
        }
        let (k, done) = btrs4(streams, i, nv, q, in_range);
        let (k, q) = (lanes(k), lanes(q));
        for l in 0..LANES {
            let k = if done & (1 << l) != 0 {
                k[l] as u64
            } else if on & (1 << l) != 0 {
                // Rejected: the scalar sampler draws on from here.
                Btrs::new(nf[l], q[l]).sample(&mut streams.one(i + l), &mut None)
            } else {
                continue;
            };
            out[l] = if p[l] > 0.5 { n[l] - k } else { k };
        }
    }

    /// BTRS's first candidate for the lanes of `on` (their `n·p ≥ 10`,
    /// `p ≤ ½`), as `Btrs::new(n, p).candidate`, operation for operation:
    /// the candidates and the lanes that accepted theirs.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn btrs4(streams: &mut Streams, i: usize, n: __m256d, p: __m256d, on: __m256d) -> (__m256d, i32) {
        let one_p = _mm256_sub_pd(splat(1.0), p);
        let spq = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_mul_pd(n, p), one_p));
        let b = _mm256_add_pd(splat(1.15), _mm256_mul_pd(splat(2.53), spq));
        let a = _mm256_add_pd(_mm256_add_pd(splat(-0.0873), _mm256_mul_pd(splat(0.0248), b)), _mm256_mul_pd(splat(0.01), p));
        let c = _mm256_add_pd(_mm256_mul_pd(n, p), splat(0.5));
        let v_r = _mm256_sub_pd(splat(0.92), _mm256_div_pd(splat(4.2), b));
        let r = _mm256_div_pd(p, one_p);
        let alpha = _mm256_mul_pd(_mm256_add_pd(splat(2.83), _mm256_div_pd(splat(5.1), b)), spq);
        let m = floor4(_mm256_mul_pd(_mm256_add_pd(n, splat(1.0)), p));
        let two_a = _mm256_mul_pd(splat(2.0), a);
        let n1 = _mm256_add_pd(n, splat(1.0));
        let nm1 = _mm256_add_pd(_mm256_sub_pd(n, m), splat(1.0));
        let on_bits = _mm256_movemask_pd(on);

        let mut regs = Four::load(&streams.s, i);
        let u = _mm256_sub_pd(regs.unit(_mm256_castpd_si256(on)), splat(0.5));
        let v = regs.unit(_mm256_castpd_si256(on));
        regs.store(&mut streams.s, i);
        let us = _mm256_sub_pd(splat(0.5), _mm256_andnot_pd(splat(-0.0), u));
        let k = floor4(_mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_div_pd(two_a, us), b), u), c));
        let inside = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(k, splat(0.0)), _mm256_cmp_pd::<_CMP_LE_OQ>(k, n));
        let squeeze = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(us, splat(0.07)), _mm256_cmp_pd::<_CMP_LE_OQ>(v, v_r));
        let live = _mm256_and_pd(on, inside);
        let test = _mm256_andnot_pd(squeeze, live);
        // The logarithm test, for every lane (see ptrs4).
        let need = _mm256_movemask_pd(test);
        let m_ln = ln4(_mm256_div_pd(_mm256_add_pd(m, splat(1.0)), _mm256_mul_pd(r, nm1)), on_bits);
        let at_m = _mm256_add_pd(
            _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(m, splat(0.5)), m_ln), stirling_tail4(m, on_bits)),
            stirling_tail4(_mm256_sub_pd(n, m), on_bits),
        );
        let lv = ln4(_mm256_div_pd(_mm256_mul_pd(v, alpha), _mm256_add_pd(_mm256_div_pd(a, _mm256_mul_pd(us, us)), b)), need);
        let nk1 = _mm256_add_pd(_mm256_sub_pd(n, k), splat(1.0));
        let bound = _mm256_add_pd(at_m, _mm256_mul_pd(n1, ln4(_mm256_div_pd(nm1, nk1), need)));
        let k1 = _mm256_add_pd(k, splat(1.0));
        let bound = _mm256_add_pd(bound, _mm256_mul_pd(_mm256_add_pd(k, splat(0.5)), ln4(_mm256_div_pd(_mm256_mul_pd(r, nk1), k1), need)));
        let bound = _mm256_sub_pd(_mm256_sub_pd(bound, stirling_tail4(k, need)), stirling_tail4(_mm256_sub_pd(n, k), need));
        let done = _mm256_or_pd(_mm256_and_pd(live, squeeze), _mm256_and_pd(test, _mm256_cmp_pd::<_CMP_LE_OQ>(lv, bound)));
        (k, _mm256_movemask_pd(done))
    }

    /// See [`super::poisson_each`].
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn poisson_each(streams: &mut Streams, lambda: &[f64], out: &mut [f64]) {
        let full = lambda.len() / LANES * LANES;
        for i in (0..full).step_by(LANES) {
            poisson4(streams, i, &lambda[i..i + LANES], &mut out[i..i + LANES]);
        }
        for i in full..lambda.len() {
            out[i] = poisson(&mut streams.one(i), lambda[i]);
        }
    }

    /// Streams `i..i + 4`: PTRS in registers for the streams in its range
    /// (`10 ≤ λ ≤ 10¹²`), the others by the scalar sampler.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn poisson4(streams: &mut Streams, i: usize, lambda: &[f64], out: &mut [f64]) {
        let lam = from_lanes([lambda[0], lambda[1], lambda[2], lambda[3]]);
        let in_range = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(lam, splat(10.0)), _mm256_cmp_pd::<_CMP_LE_OQ>(lam, splat(POISSON_EXACT_MAX)));
        let on = _mm256_movemask_pd(in_range);
        for l in 0..LANES {
            if on & (1 << l) == 0 {
                out[l] = poisson(&mut streams.one(i + l), lambda[l]);
            }
        }
        if on == 0 {
            return;
        }
        let (k, done) = ptrs4(streams, i, lam, in_range);
        let k = lanes(k);
        for l in 0..LANES {
            if done & (1 << l) != 0 {
                out[l] = k[l];
            } else if on & (1 << l) != 0 {
                // Rejected: the scalar sampler draws on from here.
                out[l] = Ptrs::new(lambda[l]).sample(&mut streams.one(i + l));
            }
        }
    }

    /// PTRS's first candidate for the lanes of `on` (their `λ ≥ 10`), as
    /// `Ptrs::new(λ).candidate`, operation for operation: the candidates
    /// and the lanes that accepted theirs.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn ptrs4(streams: &mut Streams, i: usize, lam: __m256d, on: __m256d) -> (__m256d, i32) {
        let slam = _mm256_sqrt_pd(lam);
        let b = _mm256_add_pd(splat(0.931), _mm256_mul_pd(splat(2.53), slam));
        let a = _mm256_add_pd(splat(-0.059), _mm256_mul_pd(splat(0.02483), b));
        let invalpha = _mm256_add_pd(splat(1.1239), _mm256_div_pd(splat(1.1328), _mm256_sub_pd(b, splat(3.4))));
        let vr = _mm256_sub_pd(splat(0.9277), _mm256_div_pd(splat(3.6224), _mm256_sub_pd(b, splat(2.0))));
        let two_a = _mm256_mul_pd(splat(2.0), a);
        let neg_lam = _mm256_sub_pd(splat(-0.0), lam);

        let mut regs = Four::load(&streams.s, i);
        let u = _mm256_sub_pd(regs.unit(_mm256_castpd_si256(on)), splat(0.5));
        let v = regs.unit(_mm256_castpd_si256(on));
        regs.store(&mut streams.s, i);
        let us = _mm256_sub_pd(splat(0.5), _mm256_andnot_pd(splat(-0.0), u));
        let y = _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_div_pd(two_a, us), b), u), lam);
        let k = floor4(_mm256_add_pd(y, splat(0.43)));
        let squeeze = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(us, splat(0.07)), _mm256_cmp_pd::<_CMP_LE_OQ>(v, vr));
        let reject = _mm256_or_pd(
            _mm256_cmp_pd::<_CMP_LT_OQ>(k, splat(0.0)),
            _mm256_and_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(us, splat(0.013)), _mm256_cmp_pd::<_CMP_GT_OQ>(v, us)),
        );
        let test = _mm256_andnot_pd(reject, _mm256_andnot_pd(squeeze, on));
        // The logarithm test, for every lane: most batches have a lane that
        // needs it, and a branch-free pass lets batches overlap.
        let need = _mm256_movemask_pd(test);
        let ln_lam = ln4(lam, need);
        let lhs = ln4(_mm256_div_pd(_mm256_mul_pd(v, invalpha), _mm256_add_pd(_mm256_div_pd(a, _mm256_mul_pd(us, us)), b)), need);
        let rhs = _mm256_sub_pd(_mm256_add_pd(neg_lam, _mm256_mul_pd(k, ln_lam)), ln_factorial4(k, need));
        let done = _mm256_or_pd(_mm256_and_pd(on, squeeze), _mm256_and_pd(test, _mm256_cmp_pd::<_CMP_LE_OQ>(lhs, rhs)));
        (k, _mm256_movemask_pd(done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{mix, stream};

    /// Draws of every kind the samplers branch on: each sampler's edges
    /// (n = 0, p ∈ {0, 1}, NaN, λ ≤ 0, λ > 10¹²), the small-mean samplers,
    /// both halves of p and BTRS/PTRS over six orders of magnitude.
    fn mixed(h: u64, streams: u64) -> (Vec<u64>, Vec<f64>, Vec<f64>) {
        let ns = [0, 5, 50, 500, 5_000, 100_000, 3_000_000];
        let ps = [0.0, 1e-4, 0.001, 0.03, 0.06, 0.2, 0.5, 0.7, 0.999, 1.0, f64::NAN];
        let lams = [0.0, -1.0, 0.5, 9.99, 10.0, 37.5, 300.0, 600.0, 1e6, 2e12, f64::NAN];
        let pick = |salt: u64, i: u64, len: usize| (mix(h ^ salt ^ mix(i)) % len as u64) as usize;
        let n = (0..streams).map(|i| ns[pick(1, i, ns.len())] + mix(i ^ h) % 7).collect();
        let p = (0..streams).map(|i| ps[pick(2, i, ps.len())]).collect();
        let lam = (0..streams).map(|i| lams[pick(3, i, lams.len())] * (1.0 + (mix(h ^ i) % 1000) as f64 / 997.0)).collect();
        (n, p, lam)
    }

    /// The vector path, the scalar path and one-stream draws agree bit for
    /// bit, draw after draw (so the generators advance alike), over
    /// 2.4 million mixed-parameter draws, with lengths that are not a
    /// multiple of four.
    #[test]
    fn every_path_gives_the_same_bits() {
        #[cfg(target_arch = "x86_64")]
        assert!(std::arch::is_x86_feature_detected!("avx2"), "this test compares the AVX2 path with the scalar one; run it on a CPU with AVX2");
        let mut draws = 0;
        for (seed, len) in [(1u64, 1_000u64), (2, 1_003), (3, 2), (4, 4_097)] {
            let singles: Vec<Stream> = (0..len).map(|r| stream(seed, r, 77)).collect();
            let (mut fast, mut slow, mut one) = (singles.iter().cloned().collect::<Streams>(), singles.iter().cloned().collect::<Streams>(), singles);
            let months = 2_400_000 / 4 / 2 / len + 1;
            for month in 0..months {
                let (n, p, lam) = mixed(mix(seed ^ month), len);
                let len = len as usize;
                let (mut b1, mut b2) = (vec![0; len], vec![0; len]);
                let (mut p1, mut p2) = (vec![0.0; len], vec![0.0; len]);
                binomial_each(&mut fast, &n, &p, &mut b1);
                poisson_each(&mut fast, &lam, &mut p1);
                binomial_each_scalar(&mut slow, &n, &p, &mut b2);
                poisson_each_scalar(&mut slow, &lam, &mut p2);
                for i in 0..len {
                    let b = binomial(&mut one[i], n[i], p[i]);
                    let x = poisson(&mut one[i], lam[i]);
                    assert_eq!((b1[i], b2[i]), (b, b), "binomial({}, {}), stream {i}", n[i], p[i]);
                    assert_eq!((p1[i].to_bits(), p2[i].to_bits()), (x.to_bits(), x.to_bits()), "poisson({}), stream {i}", lam[i]);
                }
                draws += 2 * len;
            }
            assert_eq!(fast, slow);
            assert!((0..len as usize).all(|i| fast.stream(i) == one[i]), "every stream ends where one-stream draws leave it");
        }
        assert!(draws >= 2_400_000, "{draws}");
    }

    /// The vector logarithm is `libm`'s, bit for bit: on a million
    /// positive doubles spread over every binade, and on the inputs it
    /// hands to the scalar function (0, subnormals, negatives, ∞, NaN).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_vector_logarithm_is_libms() {
        assert!(std::arch::is_x86_feature_detected!("avx2"), "this test needs a CPU with AVX2");
        let edges = [0.0, -0.0, 5e-324, 2.2e-308, -1.0, f64::INFINITY, f64::NAN, 1.0, 2.0, 0.5, f64::MAX];
        let spread = (0..1_000_000u64).map(|i| f64::from_bits(mix(i) & 0x7fff_ffff_ffff_ffff));
        let xs: Vec<f64> = edges.into_iter().chain(spread).collect();
        for x in xs.chunks_exact(4) {
            // SAFETY: the CPU has AVX2, asserted above.
            let y = unsafe { avx2::lanes(avx2::ln4(avx2::from_lanes([x[0], x[1], x[2], x[3]]), 0b1111)) };
            for l in 0..4 {
                assert_eq!(y[l].to_bits(), crate::counts::ln(x[l]).to_bits(), "ln({:e})", x[l]);
            }
        }
    }

    /// The vector path on the parameters the engine draws (BTRS and PTRS
    /// throughout), where nearly every draw takes the vector path.
    #[test]
    fn the_vector_path_agrees_where_it_runs() {
        let len = 1_024;
        let singles: Vec<Stream> = (0..len).map(|r| stream(9, r, 5)).collect();
        let (mut fast, mut one) = (singles.iter().cloned().collect::<Streams>(), singles);
        for month in 0..200u64 {
            let n: Vec<u64> = (0..len).map(|i| 1_000 + mix(i ^ month) % 9_001).collect();
            let p: Vec<f64> = (0..len).map(|i| 0.02 + 0.05 * (mix(i ^ month ^ 1) % 1000) as f64 / 1000.0).collect();
            let lam: Vec<f64> = (0..len).map(|i| 250.0 + 400.0 * (mix(i ^ month ^ 2) % 1000) as f64 / 1000.0).collect();
            let (mut b, mut x) = (vec![0; len as usize], vec![0.0; len as usize]);
            binomial_each(&mut fast, &n, &p, &mut b);
            poisson_each(&mut fast, &lam, &mut x);
            for i in 0..len as usize {
                assert_eq!(b[i], binomial(&mut one[i], n[i], p[i]));
                assert_eq!(x[i].to_bits(), poisson(&mut one[i], lam[i]).to_bits());
            }
        }
    }
}
