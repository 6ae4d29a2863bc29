//! "Did you mean …": the valid names nearest to a misspelt one, for error
//! messages about metrics, inputs and stress keys.

/// Up to `max` of `candidates`, nearest to `name` first: names that contain
/// what was typed (or are contained in it) come first, then by Levenshtein
/// distance (ties in the candidates' order).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, max: usize) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            // `cash[MONTH]` is compared as `cash`.
            let cl = c.split('[').next().unwrap_or(c).to_lowercase();
            let related = !lower.is_empty() && (cl.contains(&lower) || lower.contains(&cl));
            let distance = strsim::levenshtein(&lower, &cl);
            (if related { distance.min(1) } else { distance }, i, c)
        })
        .collect();
    scored.sort_by_key(|&(d, i, _)| (d, i));
    scored.into_iter().take(max).map(|(_, _, c)| c).collect()
}

/// `nearest` as a phrase for an error message: "nearest: a, b, c".
pub fn phrase<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    format!("nearest: {}", nearest(name, candidates, 6).join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_first() {
        let names = ["final_cash", "final_arr", "min_cash", "churn.base", "default_month"];
        assert_eq!(nearest("final_csh", names, 2), vec!["final_cash", "final_arr"]);
        assert_eq!(nearest("churn", names, 1), vec!["churn.base"]);
        assert_eq!(nearest("defualt_month", names, 1), vec!["default_month"]);
    }
}
