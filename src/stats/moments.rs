//! Moments of a stream of values (count, mean, sum of squared deviations),
//! merged pairwise in a fixed order (Chan et al.), and the standard error
//! of a mean.

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
    pub(crate) fn to_parts(self) -> (u64, f64, f64) {
        (self.n, self.mean, self.m2)
    }

    pub(crate) fn from_parts(n: u64, mean: f64, m2: f64) -> Moments {
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
