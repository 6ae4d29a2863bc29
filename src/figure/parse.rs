//! A hand-written recursive-descent parser for the figure language: the
//! grammar is a dozen tokens, so a parser generator would be more code than
//! the parser. Names are resolved against a [`Catalog`] as they are read.

use super::{Catalog, Cmp, Figure, FigureError, Metric, Stat, Target};
use crate::suggest;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    catalog: &'a Catalog,
}

pub(super) fn figure(text: &str, catalog: &Catalog) -> Result<Figure, FigureError> {
    let mut p = Parser { text, pos: 0, catalog };
    let f = p.figure()?;
    p.end()?;
    Ok(f)
}

pub(super) fn target(text: &str, catalog: &Catalog) -> Result<Target, FigureError> {
    let mut p = Parser { text, pos: 0, catalog };
    let figure = p.figure()?;
    let cmp = p.cmp()?;
    let threshold = p.number()?;
    p.end()?;
    Ok(Target { figure, cmp, threshold })
}

impl Parser<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, FigureError> {
        Err(FigureError { text: self.text.to_string(), message: message.into() })
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    /// "at column N" for the current position (1-based, in characters).
    fn here(&self) -> String {
        format!("at column {}", self.text[..self.pos].chars().count() + 1)
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), FigureError> {
        if self.eat(token) {
            Ok(())
        } else {
            let found = self.rest().chars().next().map_or("the end".to_string(), |c| format!("`{c}`"));
            self.err(format!("expected `{token}` {}, found {found}", self.here()))
        }
    }

    fn end(&mut self) -> Result<(), FigureError> {
        self.skip_space();
        if self.rest().is_empty() { Ok(()) } else { self.err(format!("unexpected `{}` {}", self.rest(), self.here())) }
    }

    /// A name: letters, digits, `_`, `.` and `@` (a schedule step, `costs.fixed@13`).
    fn name(&mut self) -> &str {
        self.skip_space();
        let len = self.rest().find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@')).unwrap_or(self.rest().len());
        let start = self.pos;
        self.pos += len;
        &self.text[start..start + len]
    }

    fn figure(&mut self) -> Result<Figure, FigureError> {
        let head = self.name().to_string();
        if head.is_empty() {
            return self.err(format!("expected a statistic (mean, median, sd, min, max, p1 … p99) or P(…) {}", self.here()));
        }
        if head == "P" || head == "p" {
            self.expect("(")?;
            let metric = self.metric()?;
            let cmp = self.cmp()?;
            let x = self.number()?;
            self.expect(")")?;
            return Ok(Figure::Prob(metric, cmp, x));
        }
        let stat = stat(&head).ok_or_else(|| FigureError {
            text: self.text.to_string(),
            message: format!("unknown statistic `{head}`; use mean, median, sd, min, max, p1 … p99, or P(METRIC CMP NUMBER)"),
        })?;
        self.expect("(")?;
        let metric = self.metric()?;
        self.expect(")")?;
        Ok(Figure::Stat(stat, metric))
    }

    fn metric(&mut self) -> Result<Metric, FigureError> {
        let name = self.name().to_string();
        if name.is_empty() {
            return self.err(format!("expected a metric name {}", self.here()));
        }
        let month = if self.eat("[") {
            let m = self.month(&name)?;
            self.expect("]")?;
            Some(m)
        } else {
            None
        };
        let monthly = self.catalog.schema.monthly_index(&name);
        let run = self.catalog.schema.run_index(&name);
        let input = self.catalog.inputs.iter().find(|(p, _)| *p == name);
        let h = self.catalog.months;
        match (month, monthly, run, input) {
            (Some(month), Some(metric), _, _) => Ok(Metric::Monthly { metric, name, month }),
            // `gross_margin` is both: without [MONTH], the per-run one.
            (None, _, Some(i), _) => Ok(Metric::Run(i)),
            (None, None, None, None) if self.catalog.schema.funding_month_index(&name).is_some() => {
                let round = self.catalog.schema.funding_month_index(&name).expect("checked");
                Ok(Metric::FundingMonth { round, name })
            }
            (None, Some(_), None, _) => self.err(format!("`{name}` is a monthly metric: write {name}[MONTH] with MONTH in 1..={h}, or {name}[end]")),
            (None, None, None, Some((path, id))) => Ok(Metric::Input { id: *id, path: path.clone() }),
            (Some(_), None, _, _) if run.is_some() || input.is_some() => self.err(format!("`{name}` is one number per run and takes no [MONTH]")),
            _ if month.is_none() && super::RENAMED.iter().any(|r| r.0 == name) => {
                let why = super::RENAMED.iter().find(|r| r.0 == name).map_or("", |r| r.1);
                self.err(why.to_string())
            }
            _ => {
                let names = self.catalog.names();
                self.err(format!("unknown metric `{name}`; {}", suggest::phrase(&name, names.iter().map(String::as_str))))
            }
        }
    }

    fn month(&mut self, name: &str) -> Result<u32, FigureError> {
        let h = self.catalog.months;
        let word = self.name().to_string();
        if word == "end" {
            return Ok(h);
        }
        match word.parse::<u32>() {
            Ok(m) if (1..=h).contains(&m) => Ok(m),
            _ => self.err(format!("{name}[{word}]: the month must be in 1..={h} (the horizon), or `end`")),
        }
    }

    fn cmp(&mut self) -> Result<Cmp, FigureError> {
        for (token, cmp) in [("<=", Cmp::Le), (">=", Cmp::Ge), ("==", Cmp::Eq), ("<", Cmp::Lt), (">", Cmp::Gt)] {
            if self.eat(token) {
                return Ok(cmp);
            }
        }
        self.err(format!("expected a comparison (<, <=, >, >=, ==) {}", self.here()))
    }

    /// A number: sign, digits with `_`, a fraction, an exponent, and an
    /// optional `%` (divides by 100).
    fn number(&mut self) -> Result<f64, FigureError> {
        self.skip_space();
        let rest = self.rest();
        let mut len = 0;
        let bytes = rest.as_bytes();
        while len < bytes.len() {
            let c = bytes[len] as char;
            let sign_ok = (c == '-' || c == '+') && (len == 0 || matches!(bytes[len - 1], b'e' | b'E'));
            if c.is_ascii_digit() || c == '_' || c == '.' || c == 'e' || c == 'E' || sign_ok {
                len += 1;
            } else {
                break;
            }
        }
        let raw = &rest[..len];
        let parsed = raw.replace('_', "").parse::<f64>().ok().filter(|x| x.is_finite());
        let Some(mut x) = parsed else {
            let shown = if raw.is_empty() { rest.chars().take(12).collect::<String>() } else { raw.to_string() };
            return self.err(format!("expected a number {}, found `{shown}`", self.here()));
        };
        self.pos += len;
        if self.rest().starts_with('%') {
            self.pos += 1;
            x /= 100.0;
        }
        Ok(x)
    }
}

fn stat(name: &str) -> Option<Stat> {
    Some(match name {
        "mean" => Stat::Mean,
        "median" => Stat::Quantile(50),
        "sd" => Stat::Sd,
        "min" => Stat::Min,
        "max" => Stat::Max,
        _ => {
            let p: u8 = name.strip_prefix('p')?.parse().ok()?;
            if !(1..=99).contains(&p) {
                return None;
            }
            Stat::Quantile(p)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::scenario::{self, Overrides};

    fn catalog() -> Catalog {
        let sc = scenario::builtin(Overrides { runs: Some(10), ..Overrides::default() }).unwrap();
        sc.catalog()
    }

    #[test]
    fn the_design_examples_parse_and_print_back() {
        let c = catalog();
        for (text, shown) in [
            ("mean(customers[12])", "mean(customers[12])"),
            ("p10(final_cash)", "p10(final_cash)"),
            ("median(breakeven_month)", "median(breakeven_month)"),
            ("P(cash[24] < 0)", "P(cash[24] < 0)"),
            ("P(default_month <= 24)", "P(default_month <= 24)"),
            ("P(ltv_cac_paid >= 3)", "P(ltv_cac_paid >= 3)"),
            ("sd( arr[end] )", "sd(arr[36])"),
            ("p50(churn.base)", "median(churn.base)"),
            ("mean(accuracy.value)", "mean(accuracy.value)"),
        ] {
            let f = Figure::parse(text, &c).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(f.to_string(), shown);
        }
    }

    #[test]
    fn targets_take_underscores_exponents_and_percent() {
        let c = catalog();
        let t = Target::parse("P(cash[24] < 0) <= 10%", &c).unwrap();
        assert_eq!((t.cmp, t.threshold), (Cmp::Le, 0.1));
        assert_eq!(Target::parse("p10(arr[36]) >= 5e6", &c).unwrap().threshold, 5e6);
        assert_eq!(Target::parse("mean(final_cash) > 1_000_000", &c).unwrap().threshold, 1e6);
        assert_eq!(Target::parse("mean(final_cash) > -2.5e-3", &c).unwrap().threshold, -2.5e-3);
    }

    #[test]
    fn mistakes_are_explained() {
        let c = catalog();
        let msg = |t: &str| Figure::parse(t, &c).unwrap_err().message;
        assert!(msg("median(final_csh)").contains("nearest: final_cash"), "{}", msg("median(final_csh)"));
        assert!(msg("mean(cash)").contains("cash[MONTH]"));
        assert!(msg("mean(cash[37])").contains("1..=36"));
        assert!(msg("mean(final_cash[3])").contains("takes no [MONTH]"));
        assert!(msg("p100(final_cash)").contains("unknown statistic"));
        assert!(msg("P(cash[2] ~ 0)").contains("expected a comparison"));
        assert!(msg("mean(final_cash) extra").contains("unexpected"));
        assert!(msg("P(cash[2] < x)").contains("expected a number"));
        assert!(msg("mean(churn.bas)").contains("nearest: churn.base"));
    }
}
