//! Numbers as people read them: thousands separators, significant digits,
//! no trailing zeros. Every text runway writes (terminal, reports, errors)
//! formats its numbers here.

/// Formats a number with thousands separators and `decimals` decimals.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `x` to `digits` significant digits, grouped, trailing zeros dropped:
/// `0.0183`, `1.5`, `123,000`.
pub fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return number(x, 0);
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let scale = 10f64.powi(magnitude + 1 - digits);
    let rounded = if decimals == 0 { (x / scale).round() * scale } else { x };
    let text = number(rounded, decimals);
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// `x` with `decimals` decimals, trailing zeros (and a bare point) dropped:
/// `12.5`, `0.02`, `3`.
pub fn trimmed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// The power of ten of the last digit an error supports: its first
/// significant digit, or its first two when they read 10–29 (a leading 1
/// or 2 loses too much when rounded to one digit): `4,230` → 3 (thousands),
/// `1,774` → 2 (hundreds), `0.19` → −2. `None` for an error of 0 or one
/// that is not finite.
pub fn error_place(se: f64) -> Option<i32> {
    if !(se > 0.0 && se.is_finite()) {
        return None;
    }
    let magnitude = se.log10().floor() as i32;
    let lead = se / 10f64.powi(magnitude);
    // 9.5 and up rounds to 10: two digits at the next power, "10".
    Some(if (2.95..9.5).contains(&lead) { magnitude } else { magnitude - 1 + i32::from(lead >= 9.5) })
}

/// `x` rounded to a multiple of `10^place`.
pub fn round_to(x: f64, place: i32) -> f64 {
    if place >= 0 {
        let unit = 10f64.powi(place);
        (x / unit).round() * unit
    } else {
        let scale = 10f64.powi(-place);
        (x * scale).round() / scale
    }
}

/// A value and its error with the digits the error supports
/// ([`error_place`]), grouped: `(291,841, 4,230)` → `("292,000",
/// "4,000")`; an error of 0 leaves the value to `decimals`: `("43,938", "0")`.
pub fn with_error(x: f64, se: f64, decimals: usize) -> (String, String) {
    match error_place(se) {
        Some(place) => {
            let d = (-place).clamp(0, 4) as usize;
            (number(round_to(x, place), d), number(round_to(se, place), d))
        }
        None => (number(x, decimals), number(se, decimals)),
    }
}

/// A count with its noun in the right number: `1 file`, `3 files`,
/// `1,000 runs`.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", number(n as f64, 0), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(number(1234567.0, 0), "1,234,567");
        assert_eq!(number(-1234.5, 1), "-1,234.5");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.2, 0), "0");
        assert_eq!(number(0.25, 2), "0.25");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.018_349, 3), "0.0183");
        assert_eq!(significant(1.5, 3), "1.5");
        assert_eq!(significant(123_456.0, 3), "123,000");
        assert_eq!(significant(-0.02, 3), "-0.02");
        assert_eq!(significant(0.0, 3), "0");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count_of(1, "file", "files"), "1 file");
        assert_eq!(count_of(0, "file", "files"), "0 files");
        assert_eq!(count_of(1200, "stress", "stresses"), "1,200 stresses");
    }

    #[test]
    fn digits_follow_the_error() {
        assert_eq!(error_place(4_230.0), Some(3));
        assert_eq!(error_place(1_774.0), Some(2));
        assert_eq!(error_place(0.19), Some(-2));
        assert_eq!(error_place(9_723.0), Some(3)); // rounds to 10,000: "10" thousands
        assert_eq!(error_place(0.0), None);
        assert_eq!(with_error(291_841.0, 4_230.0, 0), ("292,000".into(), "4,000".into()));
        assert_eq!(with_error(11_135_543.0, 54_376.0, 0), ("11,140,000".into(), "50,000".into()));
        assert_eq!(with_error(364_236.0, 9_723.0, 0), ("364,000".into(), "10,000".into()));
        assert_eq!(with_error(2_327.0, 4.5, 0), ("2,327".into(), "5".into()));
        assert_eq!(with_error(0.0, 0.004, 0), ("0.000".into(), "0.004".into()));
        assert_eq!(with_error(0.5, 0.19, 0), ("0.50".into(), "0.19".into()));
        assert_eq!(with_error(43_938.0, 0.0, 0), ("43,938".into(), "0".into()));
        assert_eq!(round_to(-87_700.0, 3), -88_000.0);
    }
}
