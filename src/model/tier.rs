//! One segment's customers and revenue through a month ([`Tier::month`]):
//! churn of monthly-billed customers, renewals of annual ones, arrivals
//! split monthly/annual, MRR and its movements, usage (docs/model.md,
//! "Segments, billing and usage").

use super::MAX_CUSTOMERS;
use crate::counts;
use crate::rng::{Stream, stream};
use crate::scenario::{Noise, Segment};

/// Renewal slots of annual customers: slot `t mod 12` renews in month `t`.
const SLOTS: usize = 12;

/// One segment's position in a run.
pub(super) struct Tier<'a> {
    pub(super) seg: &'a Segment,
    /// Monthly-billed customers.
    monthly: f64,
    /// Their MRR, tracked when the segment has expansion (else each pays
    /// the list price in force).
    monthly_mrr: f64,
    /// Annual customers and their recognised monthly revenue, by renewal slot.
    annual: [f64; SLOTS],
    annual_mrr: [f64; SLOTS],
    /// Compounded growth of the organic flow since month 1.
    pub(super) organic: f64,
    split_rng: Stream,
    renewal_rng: Stream,
}

/// What the month's inputs say for one segment.
#[derive(Clone, Copy, Default)]
pub(super) struct TierInputs {
    /// Churn probability of a monthly customer this month, `c`.
    pub(super) churn: f64,
    /// Expected arrivals, `λ`.
    pub(super) lambda: f64,
    /// The price input and the yearly increases' factor; the list price in
    /// force is [`TierInputs::list`].
    pub(super) price: f64,
    pub(super) growth: f64,
    /// The month's price-increase factor (1 outside the first month of a year).
    pub(super) lift: f64,
    pub(super) expansion: f64,
    pub(super) annual_share: f64,
    pub(super) discount: f64,
}

impl TierInputs {
    /// The list price in force, `price · growth`.
    #[inline(always)]
    fn list(&self) -> f64 {
        self.price * self.growth
    }
}

/// `Binomial(n, p)` under random noise for a whole `n`; otherwise its
/// expected value `n · p` (noise off, or fractional customers).
#[inline(always)]
fn binomial_or_expected(rng: &mut Stream, n: f64, p: f64, noise: Noise) -> f64 {
    if noise == Noise::Random && n.fract() == 0.0 { counts::binomial(rng, n as u64, p) as f64 } else { n * p }
}

/// One segment's month.
#[derive(Default, Clone, Copy)]
pub(super) struct TierMonth {
    pub(super) customers: f64,
    pub(super) churned: f64,
    pub(super) new: f64,
    pub(super) mrr: f64,
    pub(super) new_mrr: f64,
    /// Net change of kept customers' MRR (expansion − contraction).
    pub(super) moved_mrr: f64,
    pub(super) churned_mrr: f64,
    /// Cash from annual customers (signups and renewals).
    pub(super) annual_cash: f64,
    /// Revenue recognised from annual customers.
    pub(super) annual_mrr: f64,
}

impl<'a> Tier<'a> {
    /// The segment at month 0: `customers` of whom `annual` prepaid
    /// (renewing evenly over months 1..=12) at `annual_price` a month.
    /// Returns the tier and the prepaid revenue not yet recognised.
    pub(super) fn start(seg: &'a Segment, seed: u64, run: u64, customers: f64, annual: f64, annual_price: f64, list: f64) -> (Tier<'a>, f64) {
        let keys = seg.keys;
        let mut tier = Tier {
            seg,
            monthly: customers - annual,
            monthly_mrr: (customers - annual) * list,
            annual: [0.0; SLOTS],
            annual_mrr: [0.0; SLOTS],
            organic: 1.0,
            split_rng: stream(seed, run, keys.split),
            renewal_rng: stream(seed, run, keys.renewal),
        };
        let mut deferred = 0.0;
        if !(annual > 0.0) {
            return (tier, deferred);
        }
        for m in 1..=SLOTS {
            // Whole customers spread as evenly as they go: the first
            // `annual mod 12` renewal months get one more.
            let share = if annual.fract() == 0.0 { (annual / 12.0).floor() + if (m as f64) <= annual % 12.0 { 1.0 } else { 0.0 } } else { annual / 12.0 };
            tier.annual[m % SLOTS] = share;
            tier.annual_mrr[m % SLOTS] = share * annual_price;
            // Prepaid months 1..m−1 are still to be recognised.
            deferred += share * annual_price * (m - 1) as f64;
        }
        (tier, deferred)
    }

    /// MRR at the end of the last month.
    pub(super) fn mrr(&self) -> f64 {
        self.monthly_mrr + self.annual_mrr.iter().sum::<f64>()
    }

    /// Customers at the start of the month.
    #[inline(always)]
    pub(super) fn customers(&self) -> f64 {
        if self.seg.annual.is_none() { self.monthly } else { self.monthly + self.annual.iter().sum::<f64>() }
    }

    /// The count draws month `x` asks of the segment's churn and arrival
    /// streams ([`super::draws::Draws`]): `Binomial(n, c)` churned monthly customers and
    /// `Poisson(λ)` arrivals. Without noise, `n = 0` and `λ = 0`: neither
    /// sampler then consumes its stream.
    #[inline(always)]
    pub(super) fn draws(&self, x: &TierInputs, noise: (Noise, Noise)) -> (u64, f64, f64) {
        let n = if noise.0 == Noise::Random { counts::round_nonneg(self.monthly) as u64 } else { 0 };
        let lambda = if noise.1 == Noise::Random { x.lambda } else { 0.0 };
        (n, x.churn, lambda)
    }

    /// Month `t`: churn, renewals, arrivals, MRR, given the month's
    /// [`Tier::draws`] (`drawn`: churned, arrivals).
    #[inline(always)]
    pub(super) fn month(&mut self, t: u32, x: &TierInputs, drawn: (f64, f64), noise: (Noise, Noise), track: bool) -> TierMonth {
        let mut out = TierMonth::default();
        let (churn_noise, new_noise) = noise;
        let churned = if churn_noise == Noise::Random { drawn.0 } else { self.monthly * x.churn };
        let new = if !x.lambda.is_nan() && new_noise == Noise::Random { drawn.1 } else { x.lambda };
        let new_annual = self.split(new, x.annual_share, new_noise);
        let new_monthly = new - new_annual;
        self.monthly_step(&mut out, x, churned, new_monthly, track);
        if self.seg.annual.is_some() {
            self.renew(&mut out, t, x, churn_noise);
            let slot = t as usize % SLOTS;
            let price = new_annual * x.list() * (1.0 - x.discount);
            self.annual[slot] += new_annual;
            self.annual_mrr[slot] += price;
            out.new_mrr += price;
            out.annual_cash += 12.0 * price;
            out.annual_mrr = self.annual_mrr.iter().sum();
            out.mrr += out.annual_mrr;
            out.customers += self.annual.iter().sum::<f64>();
        }
        out.churned += churned;
        out.new = new;
        out
    }

    /// Of `new` arrivals, how many prepay a year.
    #[inline(always)]
    fn split(&mut self, new: f64, share: f64, noise: Noise) -> f64 {
        if self.seg.annual.is_none() || !(share > 0.0) { 0.0 } else { binomial_or_expected(&mut self.split_rng, new, share, noise) }
    }

    /// Monthly-billed customers: churn, expansion on those kept, arrivals.
    #[inline(always)]
    fn monthly_step(&mut self, out: &mut TierMonth, x: &TierInputs, churned: f64, new: f64, track: bool) {
        let (start, before) = (self.monthly, self.monthly_mrr);
        let next = start - churned + new;
        self.monthly = if next.is_nan() { next } else { next.clamp(0.0, MAX_CUSTOMERS) };
        match self.seg.expansion {
            // A classic file: no movements are written.
            None if !track => self.monthly_mrr = self.monthly * x.price * x.growth,
            None => {
                // Every monthly customer pays the list price in force: the
                // kept ones' change is the price increase. As the classic
                // model computes it, to the bit.
                let mrr = self.monthly * x.price * x.growth;
                out.churned_mrr = if start > 0.0 { churned * (before / start) } else { 0.0 };
                out.new_mrr = new * x.list();
                out.moved_mrr = mrr - (before - out.churned_mrr) - out.new_mrr;
                self.monthly_mrr = mrr;
            }
            Some(_) => {
                let arpa = if start > 0.0 { before / start } else { 0.0 };
                out.churned_mrr = churned * arpa;
                let kept = before - out.churned_mrr;
                out.moved_mrr = kept * ((1.0 + x.expansion) * x.lift - 1.0);
                out.new_mrr = new * x.list();
                self.monthly_mrr = kept + out.moved_mrr + out.new_mrr;
            }
        }
        out.mrr = self.monthly_mrr;
        out.customers = self.monthly;
    }

    /// Annual customers whose year ends in month `t` leave with probability
    /// `1 − (1 − c)^12`; the rest pay a year again at the list price in force.
    #[inline(always)]
    fn renew(&mut self, out: &mut TierMonth, t: u32, x: &TierInputs, noise: Noise) {
        let slot = t as usize % SLOTS;
        let due = self.annual[slot];
        if !(due > 0.0) {
            return;
        }
        let p = 1.0 - (1.0 - x.churn).powi(12);
        let left = binomial_or_expected(&mut self.renewal_rng, due, p, noise);
        let before = self.annual_mrr[slot];
        let churned_mrr = left * before / due;
        self.annual[slot] = due - left;
        self.annual_mrr[slot] = (due - left) * x.list() * (1.0 - x.discount);
        out.churned += left;
        out.churned_mrr += churned_mrr;
        out.moved_mrr += self.annual_mrr[slot] - (before - churned_mrr);
        out.annual_cash += 12.0 * self.annual_mrr[slot];
    }
}
