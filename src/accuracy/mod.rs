//! The product's measured accuracy and its effect on churn (docs/scenario-format.md).
//!
//! `report` reads a measured metric from a scikit-learn classification
//! report or a confusion matrix; the scenario turns it into the posterior
//! `Beta(correct + 1, total − correct + 1)` (uniform prior), sampled once per
//! run. This module owns the *link*: the churn multiplier `m(a)` as a pure
//! function of accuracy `a`, with `m(reference) = 1`.

pub mod evaluation;

/// Piecewise-linear interpolation through `points` (sorted by x), flat
/// beyond the first and last point.
pub(crate) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let (first, last) = (points[0], points[points.len() - 1]);
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    let i = points.partition_point(|p| p.0 <= x);
    let ((x0, y0), (x1, y1)) = (points[i - 1], points[i]);
    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
}

/// Linear link: `m(a) = max(0, 1 + elasticity·(reference − a))`.
/// An elasticity of 2 means each point of accuracy below the reference adds
/// 2% to churn (relative).
#[inline]
pub fn linear(a: f64, reference: f64, elasticity: f64) -> f64 {
    (1.0 + elasticity * (reference - a)).max(0.0)
}

/// Logistic link: `m(a) = 2 / (1 + exp(steepness·(a − reference)))`, in
/// (0, 2), equal to 1 at the reference and falling as accuracy rises when
/// steepness > 0.
#[inline]
pub(crate) fn logistic(a: f64, reference: f64, steepness: f64) -> f64 {
    2.0 / (1.0 + (steepness * (a - reference)).exp())
}

/// Table link: the interpolated table divided by its value at the reference.
#[inline]
pub fn table(a: f64, points: &[(f64, f64)], scale: f64) -> f64 {
    interpolate(points, a) / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_one_at_the_reference() {
        assert_eq!(linear(0.92, 0.92, 2.0), 1.0);
        assert_eq!(logistic(0.92, 0.92, 30.0), 1.0);
        let pts = [(0.80, 1.8), (0.90, 1.1), (0.95, 0.8)];
        let scale = interpolate(&pts, 0.92);
        assert!((scale - 0.98).abs() < 1e-12);
        // Rescaled by the hand value 0.98, not by `scale` (which would check
        // x/x): at 0.90 the table reads 1.1, so m = 1.1/0.98.
        assert!((table(0.90, &pts, 0.98) - 1.1 / 0.98).abs() < 1e-12);
        assert!((table(0.92, &pts, 0.98) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn links_match_their_formulas_by_hand() {
        // 1 + 2·(0.92 − 0.90) = 1.04
        assert!((linear(0.90, 0.92, 2.0) - 1.04).abs() < 1e-12);
        // far below the reference the linear link never goes negative
        assert_eq!(linear(1.0, 0.2, 5.0), 0.0);
        // 2/(1+e^{10·0.1}) = 2/(1+e) = 0.5378828427399902
        assert!((logistic(1.02, 0.92, 10.0) - 0.537_882_842_739_990_2).abs() < 1e-12);
        let pts = [(0.80, 1.8), (0.90, 1.1), (0.95, 0.8)];
        assert_eq!(interpolate(&pts, 0.5), 1.8);
        assert_eq!(interpolate(&pts, 0.99), 0.8);
        assert!((interpolate(&pts, 0.85) - 1.45).abs() < 1e-12);
    }

    #[test]
    fn multipliers_never_rise_with_accuracy() {
        let pts = [(0.80, 1.8), (0.90, 1.1), (0.95, 0.8)];
        let scale = interpolate(&pts, 0.92);
        let mut prev = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
        for i in 0..=1000 {
            let a = f64::from(i) / 1000.0;
            let m = (linear(a, 0.92, 2.0), logistic(a, 0.92, 25.0), table(a, &pts, scale));
            assert!(m.0 <= prev.0 && m.1 <= prev.1 && m.2 <= prev.2, "a = {a}");
            assert!(m.0 >= 0.0 && m.1 >= 0.0 && m.2 >= 0.0);
            prev = m;
        }
    }
}
