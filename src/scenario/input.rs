//! One numeric input of the model ([`Input`]): its dotted path, its
//! distribution, when it is drawn ([`Per`]) and the values it may take
//! ([`Domain`]); [`InputId`] names it in a scenario.

use crate::dist::Dist;

/// Index of an input in [`crate::scenario::Scenario::inputs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputId(pub(crate) usize);

impl InputId {
    /// Position in [`crate::scenario::Scenario::inputs`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// When an input is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// Once per simulated future, before month 1: uncertainty about the world.
    Run,
    /// Afresh every month (at the start of the month, from the input's own
    /// stream): month-to-month noise.
    Month,
}

/// The values an input may take, and whether it may be drawn monthly.
/// Kept on every [`Input`] so that a stress or a `solve` can be checked
/// against the same rule as the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    /// The value must be > lo (not just ≥).
    pub strict: bool,
    /// `per = "month"` is allowed.
    pub per_month: bool,
    /// A rate or a share, written as a fraction (5% is 0.05): a value
    /// beyond ±1 is refused as a likely percentage (see [`Domain::fraction`]).
    pub fraction: bool,
}

impl Domain {
    pub(crate) const ANY: Domain = Domain { lo: f64::NEG_INFINITY, hi: f64::INFINITY, strict: false, per_month: false, fraction: false };
    pub(crate) const NONNEG: Domain = Domain { lo: 0.0, ..Domain::ANY };
    /// A probability or a share: a fraction in [0, 1].
    pub(crate) const UNIT: Domain = Domain { lo: 0.0, hi: 1.0, fraction: true, ..Domain::ANY };
    /// A growth rate per period: a fraction ≥ −1 (−100%), at most +100%
    /// (doubling) when written as a number.
    pub(crate) const GROWTH: Domain = Domain { lo: -1.0, fraction: true, ..Domain::ANY };

    /// A rate written as a fraction: a fixed value above 1 (or a
    /// distribution with more than 1% of its draws above 1) is refused with
    /// "did you mean …?", since 5 is far likelier to mean 5% than +500%.
    pub fn fraction(self) -> Domain {
        Domain { fraction: true, ..self }
    }

    pub fn monthly(self) -> Domain {
        Domain { per_month: true, ..self }
    }

    pub fn positive(self) -> Domain {
        Domain { strict: true, ..self }
    }

    /// True when every value in `[lo, hi]` is allowed (`lo_open`: the lower
    /// end itself is never drawn).
    pub fn holds(&self, lo: f64, hi: f64, lo_open: bool) -> bool {
        let below = lo < self.lo || (self.strict && lo == self.lo && !lo_open);
        !below && hi <= self.hi && !lo.is_nan() && !hi.is_nan()
    }

    /// The rule in words, e.g. `>= 0` or `[0, 1]`.
    pub fn describe(&self) -> String {
        let rule = self.bounds();
        if self.fraction { format!("{rule}, as a fraction (5% is 0.05)") } else { rule }
    }

    fn bounds(&self) -> String {
        match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, true) => format!("[{}, {}]", self.lo, self.hi),
            (true, false) if self.strict => format!("> {}", self.lo),
            (true, false) => format!(">= {}", self.lo),
            (false, true) => format!("<= {}", self.hi),
            (false, false) => "any finite number".into(),
        }
    }
}

/// One numeric input of the model.
#[derive(Debug, Clone)]
pub struct Input {
    /// Dotted key path in the scenario file, e.g. `churn.base`.
    pub path: String,
    pub dist: Dist,
    pub per: Per,
    /// Stream key: hash of `path` (see [`crate::rng`]).
    pub key: u64,
    /// The values it may take.
    pub domain: Domain,
    /// A schedule's later steps (docs/scenario-format.md): from each month on, the
    /// model uses that step's input (`costs.fixed@13`) instead of this one,
    /// which holds the first step. Empty for an input without a schedule.
    pub schedule: Vec<(u32, InputId)>,
    /// The value as the file wrote it (`"1500 to 5000"`, `{ dist = "beta",
    /// mean = 0.05, sd = 0.01 }`), when the input came from one value of
    /// the file; `None` for defaults and inputs made by a stress.
    pub written: Option<String>,
    /// Where the file wrote that value (a byte range of the scenario's
    /// text), so a tool can replace it and keep the rest of the file as it
    /// is; for a schedule, the whole `{ schedule = … }` on its first step
    /// (its later steps have none). `None` where `written` is.
    pub span: Option<std::ops::Range<usize>>,
}

impl Input {
    /// True when the value can differ between runs or months.
    pub(crate) fn is_uncertain(&self) -> bool {
        self.dist.as_fixed().is_none()
    }
}
