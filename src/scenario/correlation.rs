//! `[[correlation]]` (docs/scenario-format.md) → a [`Correlation`]: the correlated
//! inputs, the Cholesky factor of their normal scores' Pearson matrix, and
//! the requested and achieved rank correlation of every pair.
//!
//! A request that is no correlation matrix (say three inputs each at −0.9
//! with the others) is repaired to the nearest one, with a warning; the
//! achieved values then differ from the requested ones and both are written
//! to `summary.json`.

use super::context::Ctx;
use super::spec::CorrelationSpec;
use super::{InputId, Per, Targets};
use crate::copula;
use toml::Spanned;

/// Most inputs one scenario may correlate: the repair of a matrix takes
/// O(k³) per iteration.
pub(crate) const MAX_CORRELATED: usize = 100;

/// Validated correlations between per-run inputs. Always has a factor: a
/// request that was no correlation matrix has been repaired.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// The correlated inputs, in matrix order (first mention in the file).
    pub members: Vec<InputId>,
    /// Lower Cholesky factor of the normal scores' Pearson matrix, row-major
    /// `members.len()²`.
    pub factor: Vec<f64>,
    /// Every listed pair, then any unlisted pair the repair moved more than
    /// 0.005 away from 0.
    pub pairs: Vec<Pair>,
    /// True when the request was repaired to the nearest correlation matrix.
    pub repaired: bool,
}

/// One pair's requested and achieved rank (Spearman) correlation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pair {
    pub between: [String; 2],
    /// As written; 0 for a pair not listed in the file.
    pub requested: f64,
    /// What the copula gives, `(6/π)·asin(r/2)` of the Pearson matrix used
    /// (to 6 decimals); `requested` itself when nothing was repaired.
    pub achieved: f64,
}

/// Checks every `[[correlation]]` entry; `None` when there is none (or
/// every one involves a fixed input, which is warned about and dropped).
pub(super) fn validate(cx: &mut Ctx<'_>, specs: &[Spanned<CorrelationSpec>], targets: Targets<'_>) -> Option<Correlation> {
    let mut members: Vec<InputId> = vec![];
    let mut requests: Vec<(usize, usize, f64)> = vec![];
    let mut seen: Vec<(InputId, InputId, usize)> = vec![];
    for (n, spec) in specs.iter().enumerate() {
        let Some((a, b, rank)) = entry(cx, n, spec, targets, &seen) else { continue };
        seen.push((a, b, n));
        let mut index = |id: InputId| match members.iter().position(|&m| m == id) {
            Some(i) => i,
            None => {
                members.push(id);
                members.len() - 1
            }
        };
        let (i, j) = (index(a), index(b));
        requests.push((i, j, rank));
    }
    if members.len() > MAX_CORRELATED {
        cx.problem(None, "correlation", members.len(), format!("correlates {} inputs; at most {MAX_CORRELATED} are allowed", members.len()));
        return None;
    }
    (!members.is_empty()).then(|| build(targets, members, &requests, cx))
}

/// One entry: its two inputs and rank, or `None` after recording why not.
fn entry(
    cx: &mut Ctx<'_>,
    n: usize,
    spec: &Spanned<CorrelationSpec>,
    targets: Targets<'_>,
    seen: &[(InputId, InputId, usize)],
) -> Option<(InputId, InputId, f64)> {
    let span = Some(spec.span());
    let CorrelationSpec { between, rank } = spec.get_ref();
    let key = |field: &str| format!("correlation.{n}.{field}");
    if between.len() != 2 {
        cx.problem(span.clone(), &key("between"), format!("{between:?}"), "must name exactly two inputs, e.g. [\"churn.base\", \"acquisition.growth\"]");
        return None;
    }
    if !(rank.is_finite() && (-1.0..=1.0).contains(rank)) {
        cx.problem(span.clone(), &key("rank"), rank, "must be a rank (Spearman) correlation within [-1, 1]");
        return None;
    }
    let mut ids = [InputId(0); 2];
    for (slot, path) in ids.iter_mut().zip(between) {
        *slot = member(cx, &key("between"), span.clone(), path, targets)?;
    }
    let [a, b] = ids;
    if a == b {
        cx.problem(span, &key("between"), format!("{between:?}"), "names the same input twice; a correlation is between two different inputs");
        return None;
    }
    if let Some(&(_, _, first)) = seen.iter().find(|&&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a)) {
        cx.problem(span, &key("between"), format!("{between:?}"), format!("this pair is already correlated by correlation.{first}; list each pair once"));
        return None;
    }
    let fixed: Vec<&str> = between.iter().zip(ids).filter(|(_, id)| !targets.inputs[id.0].is_uncertain()).map(|(p, _)| p.as_str()).collect();
    if !fixed.is_empty() {
        cx.warnings.push(format!("{}: {} is a fixed number, so this correlation has no effect", key("between"), fixed.join(" and ")));
        return None;
    }
    Some((a, b, *rank))
}

/// The input named `path`, which must be drawn once per run.
fn member(cx: &mut Ctx<'_>, key: &str, span: Option<std::ops::Range<usize>>, path: &str, targets: Targets<'_>) -> Option<InputId> {
    let id = match targets.resolve(path) {
        Ok(super::Target::Input(id)) => id,
        Ok(_) => {
            cx.problem(span, key, format!("\"{path}\""), "is not an input; only inputs drawn once per run can be correlated");
            return None;
        }
        Err(why) => {
            cx.problem(span, key, format!("\"{path}\""), format!("no input has this path: {why}"));
            return None;
        }
    };
    if targets.inputs[id.0].per == Per::Month {
        let msg = "is drawn afresh every month (per = \"month\"); only inputs drawn once per run can be correlated";
        cx.problem(span, key, format!("\"{path}\""), msg);
        return None;
    }
    Some(id)
}

/// The Pearson matrix of the requests, repaired when it is none, and its factor.
fn build(targets: Targets<'_>, members: Vec<InputId>, requests: &[(usize, usize, f64)], cx: &mut Ctx<'_>) -> Correlation {
    let k = members.len();
    let mut pearson = vec![0.0; k * k];
    for i in 0..k {
        pearson[i * k + i] = 1.0;
    }
    for &(i, j, rank) in requests {
        pearson[i * k + j] = copula::pearson_of_rank(rank);
        pearson[j * k + i] = pearson[i * k + j];
    }
    let (factor, repaired) = match copula::cholesky(&pearson, k) {
        Some(l) => (l, false),
        None => {
            pearson = copula::nearest_correlation(&pearson, k);
            (copula::cholesky(&pearson, k).expect("the nearest correlation matrix is positive definite (eigenvalues lifted, then checked)"), true)
        }
    };
    let path = |i: usize| targets.inputs[members[i].0].path.clone();
    // Six decimals: exact enough, and a short decimal reads back from JSON
    // (a merged shard's manifest) as the same number.
    let achieved = |i: usize, j: usize| (copula::rank_of_pearson(pearson[i * k + j]) * 1e6).round() / 1e6;
    let mut pairs: Vec<Pair> = requests
        .iter()
        .map(|&(i, j, requested)| Pair { between: [path(i), path(j)], requested, achieved: if repaired { achieved(i, j) } else { requested } })
        .collect();
    for i in 0..k {
        for j in i + 1..k {
            let listed = requests.iter().any(|&(a, b, _)| (a, b) == (i, j) || (a, b) == (j, i));
            if !listed && achieved(i, j).abs() > 0.005 {
                pairs.push(Pair { between: [path(i), path(j)], requested: 0.0, achieved: achieved(i, j) });
            }
        }
    }
    if repaired {
        let moved: Vec<String> = pairs
            .iter()
            .filter(|p| (p.achieved - p.requested).abs() > 0.0005)
            .map(|p| format!("{} ~ {}: {} -> {:.3}", p.between[0], p.between[1], p.requested, p.achieved))
            .collect();
        cx.warnings.push(format!(
            "the [[correlation]] entries ask for rank correlations no set of inputs can have together (the matrix is not positive semi-definite); runway uses the nearest valid matrix instead: {}",
            moved.join("; ")
        ));
    }
    Correlation { members, factor, pairs, repaired }
}
