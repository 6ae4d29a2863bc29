//! The output schema: the monthly metrics ([`Month`], [`METRICS`]) and the
//! per-run fields ([`RunSummary`], [`RUN_FIELDS`]) in output order, each
//! defined once by a macro list. A leaf: the figure language names these
//! metrics without knowing how a month is simulated.

macro_rules! monthly {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// One run's values in one month (docs/model.md). Its fields, in
        /// order, are the monthly metrics: [`METRICS`] names them and
        /// [`Month::values`] lists them, both from this one list, so names
        /// and values cannot disagree.
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct Month {
            $($(#[$doc])* pub $name: f64,)*
        }

        /// Monthly metric names, in output order (the order of [`Month`]'s fields).
        pub const METRICS: &[&str] = &[$(stringify!($name)),*];

        impl Month {
            /// The values in [`METRICS`] order.
            #[inline(always)]
            pub fn values(&self) -> [f64; N_METRICS] {
                [$(self.$name),*]
            }

            /// The first [`CLASSIC_METRICS`] values: a classic file's.
            #[inline(always)]
            pub fn classic(&self) -> [f64; CLASSIC_METRICS] {
                let all = [$(self.$name),*];
                std::array::from_fn(|i| all[i])
            }

            /// The month whose values, in [`METRICS`] order, are `values`.
            pub(crate) fn from_values(values: [f64; N_METRICS]) -> Month {
                let [$($name),*] = values;
                Month { $($name),* }
            }
        }
    };
}

monthly! {
    /// End-of-month customers.
    customers,
    /// Customers acquired this month: organic, referred and paid.
    new_customers,
    /// Customers lost this month.
    churned,
    /// The month's churn probability `c_t = clamp(base·m(a_t), 0, 1)`.
    churn_rate,
    /// Measured accuracy after drift and retraining.
    accuracy,
    /// Monthly recurring revenue.
    mrr,
    /// Annual recurring revenue, `12 · mrr`.
    arr,
    /// All costs of the month.
    costs,
    /// `mrr − costs`.
    profit,
    /// End-of-month cash.
    cash,
    /// 1 while the run has not defaulted (cash has stayed ≥ 0 up to and
    /// including this month), else 0.
    alive,
    /// Monthly recurring revenue of the month's new customers (annual ones
    /// at their discounted monthly equivalent).
    new_mrr,
    /// MRR gained from kept customers: expansion and price increases.
    expansion_mrr,
    /// MRR lost from kept customers (negative expansion), as a positive amount.
    contraction_mrr,
    /// MRR of the customers who left.
    churned_mrr,
    /// Recognised revenue: `mrr` plus usage overage.
    revenue,
    /// Cost of revenue: per-customer and usage costs, revenue share.
    cogs,
    /// `1 − cogs / revenue` (0 in a month without revenue).
    gross_margin,
    /// Cash received from customers this month.
    collected,
    /// Prepaid revenue not yet recognised, at month end.
    deferred_revenue,
    /// `costs − collected`: > 0 while the company burns cash.
    burn,
    /// People on the team.
    headcount,
}

/// Number of monthly metrics a run computes ([`METRICS`]).
pub(crate) const N_METRICS: usize = METRICS.len();

/// The monthly metrics of a classic file (the first ones of [`METRICS`]).
pub const CLASSIC_METRICS: usize = 11;

/// The monthly metrics written per segment, as `NAME.SEGMENT` (`mrr.pro`).
pub const SEGMENT_METRICS: [&str; 4] = ["customers", "mrr", "new_customers", "churned"];

/// Per-run fields of a classic file (the first ones of [`RUN_FIELDS`]).
pub const CLASSIC_RUN_FIELDS: usize = 18;

/// The output columns of one scenario: its monthly metrics (the classic
/// ones; with a plan that uses segments, usage, a team, seasonality or a
/// drawn event month, all of [`METRICS`]; then [`SEGMENT_METRICS`] for each
/// named segment) and its per-run fields. A classic file's tables are the
/// same as before these plans existed.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Monthly metric names in output order.
    pub monthly: Vec<String>,
    /// How many of them come from [`METRICS`]; the rest are per segment.
    pub plan_metrics: usize,
    /// The per-run fields written.
    pub run_fields: &'static [RunField],
    /// Rounds with a per-run `funding_month_N` column (a plan's rounds; none
    /// in a classic file).
    pub funding_months: usize,
}

impl Schema {
    pub fn new(extended: bool, segments: &[&str], rounds: usize) -> Schema {
        let plan_metrics = if extended { N_METRICS } else { CLASSIC_METRICS };
        let mut monthly: Vec<String> = METRICS[..plan_metrics].iter().map(|m| m.to_string()).collect();
        for seg in segments {
            monthly.extend(SEGMENT_METRICS.iter().map(|m| format!("{m}.{seg}")));
        }
        let run_fields = if extended { RUN_FIELDS } else { &RUN_FIELDS[..CLASSIC_RUN_FIELDS] };
        Schema { monthly, plan_metrics, run_fields, funding_months: if extended { rounds } else { 0 } }
    }

    /// The classic schema (no plan metrics, no segments).
    pub fn classic() -> Schema {
        Schema::new(false, &[], 0)
    }

    /// The name of round `j`'s per-run month column.
    pub fn funding_month(j: usize) -> String {
        format!("funding_month_{j}")
    }

    /// The round whose month column is `name`, if written.
    pub fn funding_month_index(&self, name: &str) -> Option<usize> {
        name.strip_prefix("funding_month_").and_then(|j| j.parse::<usize>().ok()).filter(|j| *j < self.funding_months)
    }

    /// Number of monthly metrics.
    pub fn n_monthly(&self) -> usize {
        self.monthly.len()
    }

    /// The position of monthly metric `name`.
    pub fn monthly_index(&self, name: &str) -> Option<usize> {
        self.monthly.iter().position(|m| m == name)
    }

    /// The position of per-run field `name` in [`RUN_FIELDS`], if written.
    pub fn run_index(&self, name: &str) -> Option<usize> {
        self.run_fields.iter().position(|f| f.name == name)
    }
}

/// The position of monthly metric `name` in [`METRICS`]. In a `const`
/// (`const COSTS: usize = metric_index("costs").unwrap()`), a misspelt
/// name fails the build.
pub const fn metric_index(name: &str) -> Option<usize> {
    let mut i = 0;
    while i < METRICS.len() {
        if str_eq(METRICS[i], name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Per-run results (docs/model.md). Months are 1-based; `None` = never.
///
/// A month is *profitable* when it has revenue and `profit ≥ 0` (a month
/// with neither revenue nor costs is not). [`RUN_FIELDS`] lists the fields
/// in output order with how to read and write each; the per-run table, the
/// shard files and the figure language all go through it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunSummary {
    pub default_month: Option<u32>,
    /// Breakeven: the month from which the company stays in profit — the
    /// first profitable month `m` such that profit summed over `m..=t` is
    /// ≥ 0 for every `t` up to the horizon. A lumpy cost (a retraining) may
    /// make a later month a loss without undoing it, as long as the months
    /// since `m` have earned it. `None` when no month qualifies.
    pub breakeven_month: Option<u32>,
    /// The first profitable month, whatever follows it.
    pub first_profit_month: Option<u32>,
    pub final_customers: f64,
    pub final_mrr: f64,
    pub final_arr: f64,
    pub final_cash: f64,
    /// Lowest `cash_t` over months 1..=H.
    pub min_cash: f64,
    /// First month at which `min_cash` is reached.
    pub min_cash_month: u32,
    pub total_revenue: f64,
    pub total_profit: f64,
    pub funding_received: f64,
    /// Paid CAC: total marketing spend ÷ paid customers acquired
    /// (Σ spend_t ÷ cac_t). `None` without marketing spend.
    pub cac_paid: Option<f64>,
    /// Blended CAC: total marketing spend ÷ all new customers, organic and
    /// referred included. `None` without marketing spend or new customers.
    pub cac_blended: Option<f64>,
    /// ARPA × gross margin ÷ average monthly churn (see docs/model.md).
    pub ltv: Option<f64>,
    /// LTV ÷ paid CAC.
    pub ltv_cac_paid: Option<f64>,
    /// LTV ÷ blended CAC.
    pub ltv_cac_blended: Option<f64>,
    /// Paid CAC ÷ (ARPA × gross margin), in months.
    pub payback_months: Option<f64>,
    /// Net revenue retention over the last 12 months: the product of each
    /// month's `1 + (expansion − contraction − churned) / mrr_{t−1}`.
    pub nrr: Option<f64>,
    /// Gross revenue retention over the last 12 months: the product of
    /// `1 − (contraction + churned) / mrr_{t−1}`.
    pub grr: Option<f64>,
    /// `1 − Σ cogs / Σ revenue` over the last 12 months.
    pub gross_margin: Option<f64>,
    /// Net burn ÷ net new ARR over the last 12 months (0 when not burning).
    pub burn_multiple: Option<f64>,
    /// (new + expansion MRR) ÷ (churned + contraction MRR), last 12 months.
    pub quick_ratio: Option<f64>,
}

/// How a per-run field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `Option<u32>`, a month or never; reads as +∞ when never.
    Month,
    /// `u32`.
    Count,
    /// `f64`.
    Amount,
    /// `Option<f64>`, undefined for some runs; reads as NaN when undefined.
    Ratio,
}

/// One per-run field: its name, kind, and how to read and write it as an
/// `f64` (never = +∞, undefined = NaN).
#[derive(Clone, Copy)]
pub struct RunField {
    pub name: &'static str,
    pub kind: FieldKind,
    pub get: fn(&RunSummary) -> f64,
    pub set: fn(&mut RunSummary, f64),
}

impl std::fmt::Debug for RunField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn month_of(x: f64) -> Option<u32> {
    x.is_finite().then_some(x as u32)
}

fn ratio_of(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

macro_rules! fields {
    ($($name:ident: $kind:ident),* $(,)?) => {
        /// The per-run fields in output order (docs/model.md).
        pub const RUN_FIELDS: &[RunField] = &[$(RunField {
            name: stringify!($name),
            kind: FieldKind::$kind,
            get: |r| fields!(@get $kind, r.$name),
            set: |r, x| r.$name = fields!(@set $kind, x),
        }),*];
    };
    (@get Month, $e:expr) => { $e.map_or(f64::INFINITY, f64::from) };
    (@get Count, $e:expr) => { f64::from($e) };
    (@get Amount, $e:expr) => { $e };
    (@get Ratio, $e:expr) => { $e.unwrap_or(f64::NAN) };
    (@set Month, $x:expr) => { month_of($x) };
    (@set Count, $x:expr) => { $x as u32 };
    (@set Amount, $x:expr) => { $x };
    (@set Ratio, $x:expr) => { ratio_of($x) };
}

fields! {
    default_month: Month,
    breakeven_month: Month,
    first_profit_month: Month,
    final_customers: Amount,
    final_mrr: Amount,
    final_arr: Amount,
    final_cash: Amount,
    min_cash: Amount,
    min_cash_month: Count,
    total_revenue: Amount,
    total_profit: Amount,
    funding_received: Amount,
    cac_paid: Ratio,
    cac_blended: Ratio,
    ltv: Ratio,
    ltv_cac_paid: Ratio,
    ltv_cac_blended: Ratio,
    payback_months: Ratio,
    nrr: Ratio,
    grr: Ratio,
    gross_margin: Ratio,
    burn_multiple: Ratio,
    quick_ratio: Ratio,
}
