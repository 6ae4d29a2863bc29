//! Reading a classifier's measured accuracy from evaluation output, for a Beta posterior.
//!
//! This module owns turning evaluation files into a [`Measured`] metric (value in `[0, 1]` plus
//! the test-set size behind it) or `(correct, total)` counts. Accepted formats:
//!
//! * scikit-learn `classification_report` **text**, as printed. The first non-blank line names
//!   the columns (`precision recall f1-score support`); every other line is a label (which may
//!   contain spaces, e.g. `weighted avg`) then one number per column. Numbers are taken from the
//!   right; the label is the trimmed rest. The `accuracy` row may carry just `value support`.
//! * the same report with `output_dict=True`, as **JSON** (first non-whitespace char is `{`).
//!   Its bare-number `accuracy` gets as support the sum of the class rows' supports (all rows
//!   but `accuracy`, `macro avg`, `weighted avg`, `micro avg`, `samples avg`). Supports may be
//!   integral floats such as `3819.0`.
//! * a **confusion matrix CSV** of non-negative integer counts, optionally with a header row
//!   (first row not all numbers) and a label column (a data row's first cell is not a number,
//!   or the header's first cell is empty, as pandas writes it). correct = trace, total = sum.
//!
//! For the `accuracy` row the metrics `accuracy`, `precision`, `recall` and `f1-score` all give
//! its single value (micro-averaged P, R and F1 equal accuracy in single-label classification).
//! Row and metric names match exactly after trimming. Errors carry line numbers where a line is
//! at fault, never file names (the caller adds the path).

use serde_json::{Map, Value};

type Res<T> = Result<T, ReportError>;

/// A measured metric: its value in [0,1] and the test-set size behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub support: u64,
}

impl Measured {
    /// Successes and trials for the Beta(correct + 1, total - correct + 1) posterior:
    /// correct = round(value * support), total = support. `correct` is clamped to
    /// `0..=support`, so a hand-built out-of-range value cannot give impossible counts.
    pub fn counts(&self) -> (u64, u64) {
        let total = self.support as f64;
        let correct = (self.value * total).round().clamp(0.0, total);
        ((correct as u64).min(self.support), self.support) // NaN casts to 0
    }
}

/// Why an evaluation file could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub(crate) enum ReportError {
    #[error("input is empty: expected a classification report or a confusion matrix")]
    Empty,
    #[error("line {line}: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("row `{row}` not found; rows are: {available}")]
    UnknownRow { row: String, available: String },
    #[error("metric `{metric}` not found; metrics are: {available}")]
    UnknownMetric { metric: String, available: String },
    #[error("{}`{row}` {metric} = {value} is outside [0, 1]", at(.line))]
    ValueOutOfRange { row: String, metric: String, value: f64, line: Option<usize> },
    #[error("{}`{row}` support must be a whole number above 0, found {found}", at(.line))]
    InvalidSupport { row: String, found: f64, line: Option<usize> },
    #[error("JSON report: {0}")]
    Json(String),
    #[error("invalid CSV: {0}")]
    Csv(String),
    #[error("confusion matrix must be square, found {rows} rows and {columns} columns")]
    NotSquare { rows: usize, columns: usize },
    #[error("line {line}, column {column}: `{cell}` is not a count (a whole number >= 0)")]
    InvalidCount { line: usize, column: usize, cell: String },
    #[error("confusion matrix counts sum to 0; at least one observation is needed")]
    ZeroTotal,
    #[error("confusion matrix counts overflow a 64-bit total")]
    Overflow,
}

fn at(line: &Option<usize>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

const ACCURACY: &str = "accuracy";
const SUPPORT: &str = "support";
/// A UTF-8 byte-order mark, as some editors and Excel write; ignored at the start of input.
const BOM: char = '\u{feff}';
/// Metric names that resolve to the single value of the `accuracy` row.
const ACCURACY_ALIASES: [&str; 4] = ["accuracy", "precision", "recall", "f1-score"];
/// JSON rows that are not classes (excluded when summing class supports).
const AGGREGATES: [&str; 5] = ["accuracy", "macro avg", "weighted avg", "micro avg", "samples avg"];

/// Reads `metric` of `row` from a classification report, text or JSON.
pub(crate) fn parse_classification_report(text: &str, row: &str, metric: &str) -> Result<Measured, ReportError> {
    let text = text.trim_start_matches(BOM);
    let rows = match text.trim_start().chars().next() {
        None => return Err(ReportError::Empty),
        Some('{') => json_rows(text)?,
        Some(_) => text_rows(text)?,
    };
    lookup(&rows, row.trim(), metric.trim())
}

/// A report row, normalised from either form.
struct Row {
    label: String,
    /// Where the row is, in the text form.
    line: Option<usize>,
    /// `(metric, value)` pairs, `support` excluded.
    metrics: Vec<(String, f64)>,
    /// The support as written, validated only when the row is used.
    support: f64,
}

impl Row {
    /// The `accuracy` row: its single value under every name in [`ACCURACY_ALIASES`].
    fn accuracy(value: f64, support: f64, line: Option<usize>) -> Row {
        let metrics = ACCURACY_ALIASES.iter().map(|m| (m.to_string(), value));
        Row { label: ACCURACY.to_owned(), line, metrics: metrics.collect(), support }
    }
}

/// Names for an error message: comma-separated, or `(none)`.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let list = names.collect::<Vec<_>>().join(", ");
    Some(list).filter(|l| !l.is_empty()).unwrap_or_else(|| "(none)".to_owned())
}

/// Finds `metric` of `row` and validates its value and support.
fn lookup(rows: &[Row], row: &str, metric: &str) -> Res<Measured> {
    let Some(found) = rows.iter().find(|r| r.label == row) else {
        let available = list(rows.iter().map(|r| r.label.as_str()));
        return Err(ReportError::UnknownRow { row: row.to_owned(), available });
    };
    let Some(&(_, value)) = found.metrics.iter().find(|(m, _)| m == metric) else {
        let available = list(found.metrics.iter().map(|(m, _)| m.as_str()));
        return Err(ReportError::UnknownMetric { metric: metric.to_owned(), available });
    };
    let (row, metric, line) = (row.to_owned(), metric.to_owned(), found.line);
    match whole_number(found.support) {
        _ if !(0.0..=1.0).contains(&value) => {
            Err(ReportError::ValueOutOfRange { row, metric, value, line }) // NaN included
        }
        Some(support) if support > 0 => Ok(Measured { value, support }),
        _ => Err(ReportError::InvalidSupport { row, found: found.support, line }),
    }
}

/// `x` as a `u64` when it is a non-negative integer exactly representable in an `f64`.
fn whole_number(x: f64) -> Option<u64> {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (x.fract() == 0.0 && (0.0..=MAX_EXACT).contains(&x)).then_some(x as u64)
}

// ---- text form -------------------------------------------------------------

fn text_rows(text: &str) -> Res<Vec<Row>> {
    let numbered = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut lines = numbered.filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = lines.next().ok_or(ReportError::Empty)?;
    let columns = parse_header(header_line, header)?;
    let mut rows: Vec<Row> = Vec::new();
    for (line, content) in lines {
        let row = text_row(line, content, &columns)?;
        if let Some(first) = rows.iter().find(|r| r.label == row.label) {
            let (label, first) = (&row.label, first.line.unwrap_or(0));
            let reason = format!("row `{label}` repeats line {first}");
            return Err(ReportError::Malformed { line, reason });
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Column names from the header line; it must name `support` and at least one metric.
fn parse_header(line: usize, header: &str) -> Res<Vec<&str>> {
    let columns: Vec<&str> = header.split_whitespace().collect();
    if columns.contains(&SUPPORT) && columns.len() >= 2 {
        return Ok(columns);
    }
    let header = header.trim();
    let reason = format!("expected a header like `precision recall f1-score support`: `{header}`");
    Err(ReportError::Malformed { line, reason })
}

fn text_row(line: usize, content: &str, columns: &[&str]) -> Res<Row> {
    let width = columns.len();
    let (label, numbers) = split_trailing_numbers(content, width);
    let found = numbers.len();
    let reason = match (label, &numbers[..]) {
        ("", _) => "row has no label before its numbers".to_owned(),
        (ACCURACY, &[value, support]) if width != 2 => {
            return Ok(Row::accuracy(value, support, Some(line)));
        }
        _ if found == width => {
            let pairs = columns.iter().map(|c| c.to_string()).zip(numbers);
            let (support, metrics) = pairs.partition::<Vec<_>, _>(|(c, _)| c == SUPPORT);
            let support = support.first().map_or(f64::NAN, |(_, s)| *s);
            return Ok(Row { label: label.to_owned(), line: Some(line), metrics, support });
        }
        (ACCURACY, _) => {
            format!("expected {width} numbers after the label (or 2 for `accuracy`), found {found}")
        }
        _ => format!("expected {width} numbers after the label, found {found}"),
    };
    Err(ReportError::Malformed { line, reason })
}

/// Splits up to `max` numeric tokens off the right of `line`; the label is the trimmed rest.
fn split_trailing_numbers(line: &str, max: usize) -> (&str, Vec<f64>) {
    let mut rest = line.trim_end();
    let mut numbers = Vec::new();
    while numbers.len() < max && !rest.is_empty() {
        let (head, token) = rest.rsplit_once(char::is_whitespace).unwrap_or(("", rest));
        let Ok(number) = token.parse::<f64>() else { break };
        numbers.push(number);
        rest = head.trim_end();
    }
    numbers.reverse();
    (rest.trim(), numbers)
}

// ---- JSON form -------------------------------------------------------------

fn json_rows(text: &str) -> Res<Vec<Row>> {
    let root = serde_json::from_str(text).map_err(|e| ReportError::Json(e.to_string()))?;
    let Value::Object(map) = root else {
        return Err(ReportError::Json("top level must be an object of rows".into()));
    };
    let mut rows = Vec::with_capacity(map.len());
    let mut accuracy = None;
    for (label, value) in &map {
        match value {
            Value::Number(n) if label == ACCURACY => accuracy = n.as_f64(),
            Value::Object(fields) => rows.push(json_row(label, fields)?),
            _ => return Err(json_error(label, "must be an object of metrics")),
        }
    }
    if let Some(value) = accuracy {
        let (mut support, is_class) = (0.0, |r: &&Row| !AGGREGATES.contains(&r.label.as_str()));
        for class in rows.iter().filter(is_class) {
            if whole_number(class.support).is_none() {
                let problem = format!("has support {}, not a whole number >= 0", class.support);
                return Err(json_error(&class.label, &problem));
            }
            support += class.support;
        }
        rows.push(Row::accuracy(value, support, None));
    }
    Ok(rows)
}

fn json_error(row: &str, problem: &str) -> ReportError {
    ReportError::Json(format!("row `{row}` {problem}"))
}

/// A row object: every field must be a number, and `support` must be present.
fn json_row(label: &str, fields: &Map<String, Value>) -> Res<Row> {
    let (mut metrics, mut support) = (Vec::with_capacity(fields.len()), None);
    for (name, value) in fields {
        let Some(number) = value.as_f64() else {
            let problem = format!("has `{name}` = {value}, not a number");
            return Err(json_error(label, &problem));
        };
        match name.as_str() {
            SUPPORT => support = Some(number),
            _ => metrics.push((name.clone(), number)),
        }
    }
    let support = support.ok_or_else(|| json_error(label, "has no `support`"))?;
    Ok(Row { label: label.to_owned(), line: None, metrics, support })
}

// ---- confusion matrix ------------------------------------------------------

/// Returns (correct, total).
pub(crate) fn parse_confusion_matrix(csv_text: &str) -> Result<(u64, u64), ReportError> {
    let records = read_csv(csv_text.trim_start_matches(BOM))?;
    let is_number = |cell: &String| cell.parse::<f64>().is_ok();
    let [(_, first_row), ..] = &records[..] else { return Err(ReportError::Empty) };
    let has_header = !first_row.iter().all(is_number);
    let corner_empty = has_header && first_row.first().is_some_and(String::is_empty);
    let data = &records[usize::from(has_header)..];
    let mut label_cells = data.iter().filter_map(|(_, cells)| cells.first());
    // A header like `actual,0,1` over rows `0,50,10`: numeric class labels in
    // the first column, recognisable because each row is one cell wider than
    // the matrix is tall.
    let label_column_by_shape = has_header && !data.is_empty() && data.iter().all(|(_, c)| c.len() == data.len() + 1);
    let labelled = corner_empty || !label_cells.all(is_number) || label_column_by_shape;
    let Some((first_line, first)) = data.first() else { return Err(ReportError::Empty) };
    let mut matrix = Vec::with_capacity(data.len());
    for (line, cells) in data {
        if cells.len() != first.len() {
            let (expected, found) = (first.len(), cells.len());
            let reason = format!("{found} cell(s), but line {first_line} has {expected}");
            return Err(ReportError::Malformed { line: *line, reason });
        }
        let counts = cells.iter().enumerate().skip(usize::from(labelled));
        let counts = counts.map(|(i, cell)| parse_count(*line, i + 1, cell));
        matrix.push(counts.collect::<Result<Vec<u64>, _>>()?);
    }
    matrix_counts(&matrix)
}

/// Non-blank CSV records (possibly none), cells trimmed, each with its 1-based line number.
fn read_csv(text: &str) -> Res<Vec<(usize, Vec<String>)>> {
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(false).flexible(true).trim(csv::Trim::All);
    let mut records = Vec::new();
    for (index, result) in builder.from_reader(text.as_bytes()).records().enumerate() {
        let record = result.map_err(|e| ReportError::Csv(e.to_string()))?;
        let line = record.position().map_or(0, csv::Position::line);
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            records.push((usize::try_from(line).unwrap_or(index + 1), cells));
        }
    }
    Ok(records)
}

/// A cell as a count: a non-negative integer, written plainly or as an integral float.
fn parse_count(line: usize, column: usize, cell: &str) -> Res<u64> {
    let count = cell.parse::<u64>().ok();
    let count = count.or_else(|| cell.parse::<f64>().ok().and_then(whole_number));
    count.ok_or_else(|| ReportError::InvalidCount { line, column, cell: cell.to_owned() })
}

/// `(trace, sum)` of a square matrix with a positive sum.
fn matrix_counts(matrix: &[Vec<u64>]) -> Res<(u64, u64)> {
    let (rows, columns) = (matrix.len(), matrix.first().map_or(0, Vec::len));
    if rows != columns {
        return Err(ReportError::NotSquare { rows, columns });
    }
    // u128 sums cannot overflow for any matrix that fits in memory.
    let total: u128 = matrix.iter().flatten().map(|&x| u128::from(x)).sum();
    let diagonal = matrix.iter().enumerate().filter_map(|(i, r)| r.get(i));
    let correct: u128 = diagonal.map(|&x| u128::from(x)).sum();
    let narrow = |x: u128| u64::try_from(x).map_err(|_| ReportError::Overflow);
    match narrow(total)? {
        0 => Err(ReportError::ZeroTotal),
        total => Ok((narrow(correct)?, total)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "              precision    recall  f1-score   support

       B-POL      0.916     0.908     0.914      3819
       I-POL      0.924     0.915     0.918      3819

   micro avg      0.916     0.916     0.916     7638
   macro avg      0.916     0.916     0.916     7638
weighted avg      0.916     0.916     0.916     7638
";

    const SKLEARN: &str = "               precision    recall  f1-score   support

     negative       0.90      0.80      0.85        50
very positive       0.95      0.97      0.96       150

     accuracy                           0.92       200
    macro avg       0.93      0.89      0.91       200
 weighted avg       0.94      0.92      0.93       200
";

    const JSON: &str = r#"{
        "B-POL": {"precision": 0.916, "recall": 0.908, "f1-score": 0.914, "support": 3819.0},
        "I-POL": {"precision": 0.924, "recall": 0.915, "f1-score": 0.918, "support": 3819},
        "accuracy": 0.92,
        "macro avg": {"precision": 0.92, "recall": 0.91, "f1-score": 0.916, "support": 7638}}"#;

    /// `(value, support)` of a successful parse.
    fn ok(text: &str, row: &str, metric: &str) -> (f64, u64) {
        let m = parse_classification_report(text, row, metric).unwrap();
        (m.value, m.support)
    }

    fn err(text: &str, row: &str, metric: &str) -> String {
        let result = parse_classification_report(text, row, metric);
        result.unwrap_err().to_string()
    }

    #[test]
    fn fixture_weighted_avg_f1_and_counts() {
        let m = parse_classification_report(FIXTURE, "weighted avg", "f1-score").unwrap();
        assert_eq!((m.value, m.support), (0.916, 7638));
        // 0.916 * 7638 = 6996.408, which rounds to 6996 (not 6997).
        assert_eq!(m.counts(), (6996, 7638));
        assert_eq!(ok(FIXTURE, " B-POL ", "recall"), (0.908, 3819));
    }

    #[test]
    fn accuracy_row_and_labels_with_spaces() {
        for metric in ["f1-score", "accuracy", "precision", "recall"] {
            assert_eq!(ok(SKLEARN, "accuracy", metric), (0.92, 200));
        }
        assert_eq!(ok(SKLEARN, "very positive", "f1-score"), (0.96, 150));
        assert_eq!(ok(SKLEARN, "weighted avg", "recall"), (0.92, 200));
    }

    #[test]
    fn json_rows_and_bare_accuracy_with_summed_support() {
        assert_eq!(ok(JSON, "B-POL", "recall"), (0.908, 3819));
        assert_eq!(ok(JSON, "accuracy", "f1-score"), (0.92, 7638));
        assert_eq!(ok(JSON, "macro avg", "f1-score"), (0.916, 7638));
    }

    #[test]
    fn confusion_matrix_with_and_without_header_and_labels() {
        for csv in [
            "50,10\n5,35\n",
            "pos,neg\n50,10\n5,35",
            "true\\pred,pos,neg\npos,50,10\nneg,5,35\n",
            ",0,1\n0,50,10\n1,5,35\n",
            " 50 , 10.0 \n\n5,35",
            "\u{feff}a,b\r\n50,10\r\n5,35\r\n",
        ] {
            assert_eq!(parse_confusion_matrix(csv), Ok((85, 100)), "{csv:?}");
        }
    }

    #[test]
    fn unknown_row_lists_rows() {
        let rows = "B-POL, I-POL, micro avg, macro avg, weighted avg";
        let expected = format!("row `weighted avgg` not found; rows are: {rows}");
        assert_eq!(err(FIXTURE, "weighted avgg", "f1-score"), expected);
        assert!(err(JSON, "samples avg", "recall").contains("I-POL"));
    }

    #[test]
    fn unknown_metric_lists_metrics() {
        let expected = "metric `f1` not found; metrics are: precision, recall, f1-score";
        assert_eq!(err(FIXTURE, "B-POL", "f1"), expected);
        assert!(err(FIXTURE, "B-POL", "support").contains("metrics are"));
        assert!(err(SKLEARN, "accuracy", "f1").contains("accuracy, precision"));
        assert!(err(JSON, "B-POL", "f1").contains("f1-score"));
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let short = FIXTURE.replace("0.924     0.915     0.918", "0.924");
        let expected = "line 4: expected 4 numbers after the label, found 2";
        assert_eq!(err(&short, "B-POL", "recall"), expected);
        let dup = format!("{FIXTURE}B-POL 0.1 0.1 0.1 10\n");
        assert_eq!(err(&dup, "B-POL", "recall"), "line 9: row `B-POL` repeats line 3");
        assert!(err("precision\nB 0.9\n", "B", "x").starts_with("line 1: expected a header"));
        assert!(err("{\"a\": ", "a", "recall").starts_with("JSON report: "));
    }

    #[test]
    fn value_outside_unit_interval_and_bad_support() {
        let high = FIXTURE.replace("0.908", "1.908");
        let expected = "line 3: `B-POL` recall = 1.908 is outside [0, 1]";
        assert_eq!(err(&high, "B-POL", "recall"), expected);
        let negative = JSON.replace("0.914", "-0.1");
        assert_eq!(err(&negative, "B-POL", "f1-score"), "`B-POL` f1-score = -0.1 is outside [0, 1]");
        let zero = FIXTURE.replace("3819\n       I", "0\n       I");
        assert!(err(&zero, "B-POL", "recall").ends_with("above 0, found 0"));
    }

    #[test]
    fn non_square_matrix_is_rejected() {
        let expected = ReportError::NotSquare { rows: 2, columns: 3 };
        assert_eq!(parse_confusion_matrix("1,2,3\n4,5,6\n"), Err(expected));
        let ragged = parse_confusion_matrix("1,2\n3\n").unwrap_err();
        assert_eq!(ragged.to_string(), "line 2: 1 cell(s), but line 1 has 2");
    }

    #[test]
    fn negative_or_fractional_counts_are_rejected() {
        let negative = parse_confusion_matrix("50,10\n-5,35\n").unwrap_err();
        let expected = "line 2, column 1: `-5` is not a count (a whole number >= 0)";
        assert_eq!(negative.to_string(), expected);
        let fraction = parse_confusion_matrix("a,b\n50,1.5\n5,35\n").unwrap_err();
        assert!(fraction.to_string().starts_with("line 2, column 2: `1.5`"));
        assert_eq!(parse_confusion_matrix("0,0\n0,0"), Err(ReportError::ZeroTotal));
    }

    #[test]
    fn empty_input_is_rejected() {
        for text in ["", "  \n\t\n"] {
            let report = parse_classification_report(text, "a", "b");
            assert_eq!(report, Err(ReportError::Empty));
            assert_eq!(parse_confusion_matrix(text), Err(ReportError::Empty));
        }
        assert_eq!(parse_confusion_matrix("a,b\n"), Err(ReportError::Empty));
    }

    #[test]
    fn numeric_labels_under_a_named_corner() {
        assert_eq!(parse_confusion_matrix("actual,0,1\n0,50,10\n1,5,35\n"), Ok((85, 100)));
    }
}
