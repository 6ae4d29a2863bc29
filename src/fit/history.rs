//! A company's history: one row per month of a billing export
//! (docs/fit.md), read and checked into [`History`], whose months are
//! consecutive and whose counts are whole and consistent.

use std::path::Path;

/// Months of history `fit` needs at the least.
pub const MIN_MONTHS: usize = 3;

/// One month of history.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// `YYYY-MM`, as written.
    pub month: String,
    /// Customers at the month's end.
    pub customers: f64,
    pub new_customers: f64,
    pub churned_customers: f64,
    /// Customers at risk of churning: the previous month's end (the
    /// first month: its end − new + churned).
    pub at_risk: f64,
    /// Of the new customers, those marketing paid for (when given).
    pub paid_customers: Option<f64>,
    pub marketing_spend: Option<f64>,
    /// Monthly recurring revenue at the month's end (when given).
    pub mrr: Option<f64>,
    /// Cash at the month's end (when given; may be negative).
    pub cash: Option<f64>,
    /// MRR movements of the month (when given): kept customers' MRR gained
    /// (`expansion_mrr`) and lost (`contraction_mrr`), and the MRR of those
    /// who left (`churned_mrr`).
    pub expansion_mrr: Option<f64>,
    pub contraction_mrr: Option<f64>,
    pub churned_mrr: Option<f64>,
}

/// Consecutive months, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub months: Vec<Month>,
}

/// A problem with a history file: where, what was there, what is allowed.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {column} = {value}: {message}")]
pub struct HistoryError {
    pub file: String,
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

const REQUIRED: [&str; 4] = ["month", "customers", "new_customers", "churned_customers"];

/// The text of the history file at `path`, or an error naming it.
fn text_of(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

impl History {
    /// Reads `path` (CSV with a header row): the company's one history.
    pub fn read(path: &Path) -> anyhow::Result<History> {
        Ok(History::parse(&text_of(path)?, &path.display().to_string())?)
    }

    /// Reads `path`: a history per segment, or one (see
    /// [`History::parse_segments`]).
    pub fn read_segments(path: &Path) -> anyhow::Result<Vec<(Option<String>, History)>> {
        Ok(History::parse_segments(&text_of(path)?, &path.display().to_string())?)
    }

    /// Parses CSV text named `file` in errors: one history, so a file with
    /// a `segment` column is refused (see [`History::parse_segments`]).
    pub fn parse(text: &str, file: &str) -> Result<History, HistoryError> {
        let mut all = History::parse_segments(text, file)?;
        match all.len() {
            1 if all[0].0.is_none() => Ok(all.remove(0).1),
            _ => Err(HistoryError {
                file: file.to_string(),
                line: 1,
                column: "segment".into(),
                value: "(present)".into(),
                message: "a history per segment; this needs the company's one history (runway fit reads one per segment)".into(),
            }),
        }
    }

    /// Parses CSV text named `file` in errors: with a `segment` column, one
    /// history per segment (in the order they first appear), each checked
    /// as a file of its own; without, one history named `None`.
    pub fn parse_segments(text: &str, file: &str) -> Result<Vec<(Option<String>, History)>, HistoryError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let problem = |line: u64, column: &str, value: &str, message: String| HistoryError {
            file: file.to_string(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            message,
        };
        let header: Vec<String> = reader.headers().map_err(|e| problem(1, "header", "", e.to_string()))?.iter().map(str::to_string).collect();
        let rows = Rows { file, header };
        for name in REQUIRED {
            if rows.at(name).is_none() {
                return Err(problem(1, name, "(missing)", format!("the header needs the columns {}; it has {}", REQUIRED.join(", "), rows.header.join(", "))));
            }
        }
        let mut groups: Vec<(Option<String>, Vec<Row>)> = vec![];
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let record = record.map_err(|e| problem(line, "row", "", e.to_string()))?;
            let segment = rows.at("segment").map(|k| record.get(k).unwrap_or("").to_string());
            if let Some(name) = segment.as_deref().filter(|n| !valid_segment(n)) {
                return Err(problem(line, "segment", name, "must be a segment's name: a lower-case letter, then letters, digits or _ (e.g. pro)".into()));
            }
            match groups.iter_mut().find(|(g, _)| *g == segment) {
                Some((_, rows)) => rows.push((line, record)),
                None => groups.push((segment, vec![(line, record)])),
            }
        }
        if groups.is_empty() {
            groups.push((None, vec![]));
        }
        groups.into_iter().map(|(segment, records)| Ok((segment, rows.history(&records)?))).collect()
    }
}

/// `[a-z][a-z0-9_]*`, as a scenario's segment names are.
fn valid_segment(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A record of the file and its 1-based line.
type Row = (u64, csv::StringRecord);

/// A history file's rows, read against its header.
struct Rows<'a> {
    file: &'a str,
    header: Vec<String>,
}

impl Rows<'_> {
    fn at(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn problem(&self, line: u64, column: &str, value: &str, message: String) -> HistoryError {
        HistoryError { file: self.file.to_string(), line, column: column.to_string(), value: value.to_string(), message }
    }

    /// One history from its rows (`(line, record)`, in file order).
    fn history(&self, records: &[Row]) -> Result<History, HistoryError> {
        let mut months: Vec<Month> = vec![];
        for (line, record) in records {
            let month = self.month(*line, record, months.last())?;
            months.push(month);
        }
        if months.len() < MIN_MONTHS {
            let line = records.last().map_or(1, |r| r.0);
            return Err(self.problem(line, "month", &months.len().to_string(), format!("at least {MIN_MONTHS} months are needed")));
        }
        Ok(History { months })
    }

    /// One row, after the month `prev` (if any).
    fn month(&self, line: u64, record: &csv::StringRecord, prev: Option<&Month>) -> Result<Month, HistoryError> {
        let text_of = |name: &str| self.at(name).and_then(|k| record.get(k)).unwrap_or("");
        let count = |name: &str| -> Result<f64, HistoryError> {
            let raw = text_of(name);
            match raw.replace('_', "").parse::<f64>() {
                Ok(x) if Rule::Count.allows(x) => Ok(x),
                _ => Err(self.problem(line, name, raw, "must be a whole number ≥ 0".into())),
            }
        };
        let optional = |name: &str, rule: Rule| -> Result<Option<f64>, HistoryError> {
            let raw = text_of(name);
            if self.at(name).is_none() || raw.is_empty() {
                return Ok(None);
            }
            match raw.replace('_', "").parse::<f64>() {
                Ok(x) if rule.allows(x) => Ok(Some(x)),
                _ => Err(self.problem(line, name, raw, format!("must be {}", rule.words()))),
            }
        };
        let month = text_of("month").to_string();
        let key = month_key(&month).ok_or_else(|| self.problem(line, "month", &month, "must be a month written YYYY-MM".into()))?;
        if let Some(prev) = prev {
            let expected = month_key(&prev.month).expect("checked") + 1;
            if key != expected {
                let why = if key < expected { "months must increase, each once" } else { "a month is missing before it" };
                return Err(self.problem(line, "month", &month, format!("{why}: the row before is {}", prev.month)));
            }
        }
        let (customers, new_customers, churned_customers) = (count("customers")?, count("new_customers")?, count("churned_customers")?);
        let at_risk = prev.map_or(customers - new_customers + churned_customers, |p| p.customers);
        if churned_customers > at_risk || at_risk < 0.0 {
            let shown = churned_customers.to_string();
            return Err(self.problem(line, "churned_customers", &shown, format!("more than the {at_risk} customers at risk (the previous month's end)")));
        }
        let paid_customers = optional("paid_customers", Rule::Count)?;
        if let Some(paid) = paid_customers.filter(|&p| p > new_customers) {
            return Err(self.problem(line, "paid_customers", &paid.to_string(), format!("more than the month's {new_customers} new customers")));
        }
        Ok(Month {
            month,
            customers,
            new_customers,
            churned_customers,
            at_risk,
            paid_customers,
            marketing_spend: optional("marketing_spend", Rule::Amount)?,
            mrr: optional("mrr", Rule::Amount)?,
            cash: optional("cash", Rule::Any)?,
            expansion_mrr: optional("expansion_mrr", Rule::Amount)?,
            contraction_mrr: optional("contraction_mrr", Rule::Amount)?,
            churned_mrr: optional("churned_mrr", Rule::Amount)?,
        })
    }
}

/// What an optional column's values may be.
#[derive(Clone, Copy)]
enum Rule {
    /// A whole number ≥ 0 (`paid_customers`).
    Count,
    /// A number ≥ 0 (`marketing_spend`, `mrr`).
    Amount,
    /// Any finite number (`cash`).
    Any,
}

impl Rule {
    fn allows(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Rule::Count => x >= 0.0 && x.fract() == 0.0,
                Rule::Amount => x >= 0.0,
                Rule::Any => true,
            }
    }

    fn words(self) -> &'static str {
        match self {
            Rule::Count => "a whole number ≥ 0",
            Rule::Amount => "a number ≥ 0",
            Rule::Any => "a number",
        }
    }
}

/// The 0-based index of month `label` (`YYYY-MM`) in `h`, or what is wrong.
pub fn index_of(h: &History, label: &str) -> Result<usize, String> {
    let key = month_key(label).ok_or_else(|| format!("`{label}` is not a month written YYYY-MM"))?;
    let first = month_key(&h.months[0].month).expect("checked when read");
    let last = &h.months[h.months.len() - 1].month;
    usize::try_from(key - first)
        .ok()
        .filter(|&i| i < h.months.len())
        .ok_or_else(|| format!("{label} is not in the history, which runs from {} to {last}", h.months[0].month))
}

/// `YYYY-MM` as a count of months, for checking that months follow each other.
fn month_key(text: &str) -> Option<i64> {
    let (y, m) = text.split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    (y.to_string().len() == 4 && m.to_string().len() <= 2 && (1..=12).contains(&m) && text.len() == 7).then_some(12 * y + m - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "month,customers,new_customers,churned_customers\n2025-11,100,10,4\n2025-12,103,8,5\n2026-01,105,6,4\n";

    #[test]
    fn a_history_reads_with_customers_at_risk() {
        let h = History::parse(OK, "h.csv").unwrap();
        let at_risk: Vec<f64> = h.months.iter().map(|m| m.at_risk).collect();
        // The first month: 100 − 10 + 4; then the previous month's end.
        assert_eq!(at_risk, vec![94.0, 100.0, 103.0]);
    }

    #[test]
    fn a_segment_column_gives_one_history_per_segment() {
        let text = "month,segment,customers,new_customers,churned_customers\n\
                    2025-11,pro,100,10,4\n2025-11,team,20,2,1\n2025-12,pro,103,8,5\n2025-12,team,21,2,1\n\
                    2026-01,pro,105,6,4\n2026-01,team,23,3,1\n";
        let all = History::parse_segments(text, "h.csv").unwrap();
        let names: Vec<Option<&str>> = all.iter().map(|(n, _)| n.as_deref()).collect();
        assert_eq!(names, [Some("pro"), Some("team")]);
        assert_eq!(all[1].1.months.iter().map(|m| m.at_risk).collect::<Vec<_>>(), [19.0, 20.0, 21.0]);
        assert!(History::parse(text, "h.csv").unwrap_err().to_string().contains("h.csv:1: segment = (present)"));
        let bad = text.replace("team,20", "Team,20");
        assert!(History::parse_segments(&bad, "h.csv").unwrap_err().to_string().contains("h.csv:3: segment = Team: must be a segment's name"));
        // Each segment's months are checked as a file's: line 6 repeats pro's 2025-12.
        let repeated = text.replace("2026-01,pro", "2025-12,pro");
        assert!(History::parse_segments(&repeated, "h.csv").unwrap_err().to_string().contains("h.csv:6: month = 2025-12: months must increase"));
    }

    #[test]
    fn months_are_found_by_their_label() {
        let h = History::parse(OK, "h.csv").unwrap();
        assert_eq!(index_of(&h, "2025-12"), Ok(1));
        assert_eq!(index_of(&h, "2026-01"), Ok(2));
        assert!(index_of(&h, "2026-02").unwrap_err().contains("runs from 2025-11 to 2026-01"));
        assert!(index_of(&h, "2025-10").is_err());
        assert!(index_of(&h, "Dec 2025").unwrap_err().contains("YYYY-MM"));
    }

    #[test]
    fn negative_cash_is_read_and_mrr_kept() {
        let text = "month,customers,new_customers,churned_customers,mrr,cash\n2025-11,100,10,4,2900,-1_500\n2025-12,103,8,5,2987,\n2026-01,105,6,4,3045,20\n";
        let h = History::parse(text, "h.csv").unwrap();
        assert_eq!(h.months[0].cash, Some(-1500.0));
        assert_eq!(h.months[1].cash, None);
        assert_eq!(h.months[2].mrr, Some(3045.0));
    }

    #[test]
    fn bad_rows_name_their_line_column_and_value() {
        for (text, says) in [
            ("month,customers,new_customers\n", "h.csv:1: churned_customers = (missing)"),
            (
                "month,customers,new_customers,churned_customers\n2025-11,100,10,4\n2025-11,103,8,5\n2026-01,1,1,1\n",
                "h.csv:3: month = 2025-11: months must increase",
            ),
            (
                "month,customers,new_customers,churned_customers\n2025-11,100,10,4\n2026-01,103,8,5\n2026-02,1,1,1\n",
                "h.csv:3: month = 2026-01: a month is missing",
            ),
            ("month,customers,new_customers,churned_customers\n2025-11,100,10,-4\n", "h.csv:2: churned_customers = -4: must be a whole number"),
            ("month,customers,new_customers,churned_customers\n2025-11,100,ten,4\n", "h.csv:2: new_customers = ten"),
            (
                "month,customers,new_customers,churned_customers\n2025-11,10,1,1\n2025-12,10,30,31\n2026-01,1,1,1\n",
                "h.csv:3: churned_customers = 31: more than the 10 customers at risk",
            ),
            ("month,customers,new_customers,churned_customers\n11/2025,100,10,4\n", "h.csv:2: month = 11/2025: must be a month written YYYY-MM"),
            ("month,customers,new_customers,churned_customers\n2025-11,100,10,4\n", "at least 3 months"),
            ("month,customers,new_customers,churned_customers,mrr\n2025-11,100,10,4,-5\n", "h.csv:2: mrr = -5: must be a number ≥ 0"),
            ("month,customers,new_customers,churned_customers,cash\n2025-11,100,10,4,lots\n", "h.csv:2: cash = lots: must be a number"),
            ("month,customers,new_customers,churned_customers,paid_customers\n2025-11,100,10,4,2.5\n", "h.csv:2: paid_customers = 2.5: must be a whole number"),
        ] {
            let err = History::parse(text, "h.csv").unwrap_err().to_string();
            assert!(err.contains(says), "{err}\n  wanted: {says}");
        }
    }
}
