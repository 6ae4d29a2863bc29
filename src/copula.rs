//! The Gaussian copula behind `[[correlation]]` (docs/scenario-format.md): rank
//! correlations → a Pearson matrix for normal scores → its Cholesky factor,
//! repaired to the nearest correlation matrix when the request is not one.
//!
//! For a Gaussian copula, Spearman's ρ_s and the normal scores' Pearson r
//! are tied by `r = 2·sin(π·ρ_s/6)` (Kruskal 1958), so requesting ranks and
//! correlating normal scores by `r` gives exactly the requested rank
//! correlation for continuous marginals, whatever their shape.
//!
//! Matrices are small (one row per correlated input) and stored row-major
//! as `Vec<f64>` of `k·k`.

/// Pearson correlation of normal scores with Spearman correlation `rho`.
pub(crate) fn pearson_of_rank(rho: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
}

/// Spearman correlation of a Gaussian copula with normal-score Pearson `r`.
pub(crate) fn rank_of_pearson(r: f64) -> f64 {
    6.0 / std::f64::consts::PI * (r / 2.0).asin()
}

/// A pivot this close to zero counts as zero: the matrix is singular there
/// (e.g. a rank correlation of exactly 1), which is allowed.
const PIVOT_TOL: f64 = 1e-12;

/// The lower Cholesky factor `L` (row-major) with `L·Lᵀ = a`, for a
/// positive semi-definite `a`; `None` when `a` is not (a negative pivot, or
/// a zero pivot whose column below it is not zero).
pub(crate) fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0f64; k * k];
    for j in 0..k {
        let d = a[j * k + j] - (0..j).map(|m| l[j * k + m].powi(2)).sum::<f64>();
        if d < -1e-10 {
            return None;
        }
        let pivot = if d > PIVOT_TOL { d.sqrt() } else { 0.0 };
        l[j * k + j] = pivot;
        for i in j + 1..k {
            let s = a[i * k + j] - (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum::<f64>();
            if pivot == 0.0 {
                if s.abs() > 1e-8 {
                    return None;
                }
            } else {
                l[i * k + j] = s / pivot;
            }
        }
    }
    Some(l)
}

/// `y = L·z` for a lower-triangular `L`.
pub(crate) fn lower_times(l: &[f64], z: &[f64], y: &mut [f64]) {
    let k = z.len();
    for i in 0..k {
        y[i] = (0..=i).map(|m| l[i * k + m] * z[m]).sum();
    }
}

/// Eigenvalues and eigenvectors (columns of the returned matrix) of a
/// symmetric matrix, by cyclic Jacobi rotations.
fn symmetric_eigen(a: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..k).flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| m[i * k + j].powi(2)).sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = m[p * k + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (m[q * k + q] - m[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (mrp, mrq) = (m[r * k + p], m[r * k + q]);
                    m[r * k + p] = c * mrp - s * mrq;
                    m[r * k + q] = s * mrp + c * mrq;
                }
                for r in 0..k {
                    let (mpr, mqr) = (m[p * k + r], m[q * k + r]);
                    m[p * k + r] = c * mpr - s * mqr;
                    m[q * k + r] = s * mpr + c * mqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[r * k + p], v[r * k + q]);
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..k).map(|i| m[i * k + i]).collect(), v)
}

/// `V·diag(max(λ, floor))·Vᵀ`: the nearest matrix (in Frobenius norm) whose
/// eigenvalues are at least `floor`.
fn clip_eigen(a: &[f64], k: usize, floor: f64) -> Vec<f64> {
    let (lambda, v) = symmetric_eigen(a, k);
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            out[i * k + j] = (0..k).map(|m| v[i * k + m] * lambda[m].max(floor) * v[j * k + m]).sum();
        }
    }
    out
}

/// The nearest correlation matrix to the symmetric `a` (unit diagonal,
/// positive semi-definite), by Higham's (2002) alternating projections with
/// Dykstra's correction; then eigenvalues are lifted to at least 1e-10 (more
/// if rounding needs it) and the diagonal rescaled to 1, so the result has
/// a Cholesky factor.
pub(crate) fn nearest_correlation(a: &[f64], k: usize) -> Vec<f64> {
    let mut y = a.to_vec();
    let mut ds = vec![0.0; k * k];
    for _ in 0..1_000 {
        let r: Vec<f64> = y.iter().zip(&ds).map(|(y, d)| y - d).collect();
        let x = clip_eigen(&r, k, 0.0);
        ds = x.iter().zip(&r).map(|(x, r)| x - r).collect();
        let mut next = x.clone();
        for i in 0..k {
            next[i * k + i] = 1.0;
        }
        let change: f64 = next.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
        y = next;
        if change < 1e-12 {
            break;
        }
    }
    // Lift the eigenvalues until the rebuilt matrix (rounding included)
    // has a Cholesky factor: from 1e-10, ten times more each try.
    let mut floor = 1e-10;
    loop {
        let lifted = clip_eigen(&y, k, floor);
        let d: Vec<f64> = (0..k).map(|i| lifted[i * k + i].sqrt()).collect();
        let unit: Vec<f64> = (0..k * k).map(|n| if n / k == n % k { 1.0 } else { lifted[n] / (d[n / k] * d[n % k]) }).collect();
        if cholesky(&unit, k).is_some() || floor >= 0.1 {
            return unit;
        }
        floor *= 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_and_pearson_are_inverse() {
        for rho in [-1.0, -0.4, 0.0, 0.3, 0.9, 1.0] {
            assert!((rank_of_pearson(pearson_of_rank(rho)) - rho).abs() < 1e-12);
        }
        // 2·sin(π/6) = 1: a rank correlation of 1 is a Pearson correlation of 1.
        assert!((pearson_of_rank(1.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn cholesky_reproduces_the_matrix_and_refuses_indefinite_ones() {
        let a = [1.0, 0.5, 0.2, 0.5, 1.0, -0.3, 0.2, -0.3, 1.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let x: f64 = (0..3).map(|m| l[i * 3 + m] * l[j * 3 + m]).sum();
                assert!((x - a[i * 3 + j]).abs() < 1e-14);
            }
        }
        // Singular but valid: perfect correlation.
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_some());
        // Three inputs each correlated −0.9 with the others cannot exist.
        let bad = [1.0, -0.9, -0.9, -0.9, 1.0, -0.9, -0.9, -0.9, 1.0];
        assert!(cholesky(&bad, 3).is_none());
    }

    #[test]
    fn nearest_correlation_matches_highams_example() {
        // Higham (2002), §4: the nearest correlation matrix to
        // [[1, 1, 0], [1, 1, 1], [0, 1, 1]] has off-diagonals 0.7607 and 0.1573.
        let a = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let x = nearest_correlation(&a, 3);
        let want = [1.0, 0.7607, 0.1573, 0.7607, 1.0, 0.7607, 0.1573, 0.7607, 1.0];
        for (got, want) in x.iter().zip(want) {
            assert!((got - want).abs() < 1e-4, "{x:?}");
        }
        assert!(cholesky(&x, 3).is_some());
        // A valid matrix is (nearly) its own nearest.
        let ok = [1.0, 0.3, 0.3, 1.0];
        assert!(nearest_correlation(&ok, 2).iter().zip(ok).all(|(a, b)| (a - b).abs() < 1e-8));
    }
}
