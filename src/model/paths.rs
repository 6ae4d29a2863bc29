//! Writing a group's months into its block's paths: a row of the group's
//! tile at a time, with stores that bypass the cache (the reduction reads
//! the paths only after the wave, from memory).

/// Copies `src` into `dst` with non-temporal stores where the CPU allows
/// (x86-64: SSE2, two values a store, from the first 16-byte-aligned
/// element): the values go to memory without first reading the lines they
/// overwrite into the cache. Call [`stream_fence`] before another thread
/// reads `dst`.
#[inline]
pub(super) fn stream_copy(src: &[f64], dst: &mut [f64]) {
    assert_eq!(src.len(), dst.len());
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_loadu_pd, _mm_stream_pd};
        let head = dst.as_ptr().align_offset(16).min(dst.len());
        dst[..head].copy_from_slice(&src[..head]);
        let pairs = (dst.len() - head) / 2;
        for k in 0..pairs {
            let j = head + 2 * k;
            // SAFETY: j + 1 < len; dst[j] is 16-byte aligned (head); SSE2 is
            // part of x86-64.
            unsafe { _mm_stream_pd(dst.as_mut_ptr().add(j), _mm_loadu_pd(src.as_ptr().add(j))) };
        }
        let tail = head + 2 * pairs;
        dst[tail..].copy_from_slice(&src[tail..]);
    }
    #[cfg(not(target_arch = "x86_64"))]
    dst.copy_from_slice(src);
}

/// Orders [`stream_copy`]'s stores before any later store (x86-64's
/// `sfence`; nothing elsewhere).
#[inline]
pub(super) fn stream_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of x86-64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}
