//! Whether the hand-vectorised paths run (the count draws side by side in
//! `counts::lanes`, the sketch's classification pass in `stats`). Every such
//! path gives the same bits as its scalar twin; this switch exists so that
//! a test, or a user in doubt, can compare whole simulations on both.

/// Whether the AVX2 paths run: the CPU has AVX2 and the environment
/// variable `RUNWAY_SIMD` is not `off`.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx2_on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::arch::is_x86_feature_detected!("avx2") && std::env::var_os("RUNWAY_SIMD").is_none_or(|v| v != "off"))
}
