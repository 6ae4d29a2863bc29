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
}
