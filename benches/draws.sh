#!/usr/bin/env bash
# Per-draw speed of runway's exact binomial and Poisson samplers against numpy's, on the
# same parameter arrays, one thread each, in one run of this script.
#
#   benches/draws.sh [--repeats R] > draws.md
#
# 1. `cargo bench --bench engine -- draws/` (criterion): one million draws of
#    counts::binomial over (n_i, p_i) and of counts::poisson over lam_i, one stream,
#    one thread; the median time of the million, in ns per draw. The `-lanes` rows
#    make the same draws as the engine does: 1,000 streams (runs), one draw
#    per stream at a time, side by side (counts::lanes; AVX2 where the CPU has it).
# 2. benches/draws.py: numpy's Generator.binomial(n, p) and Generator.poisson(lam) on the
#    same arrays (built by the same integer formulas; see draws.py), median of R repeats.
#
# Prints a Markdown table (ns per draw, numpy ÷ runway) and the arrays' means on both
# sides. Progress goes to stderr. Needs cargo, python3 with numpy
# (pip install numpy; docs/performance.md's measurements used numpy 2.4.6).
set -euo pipefail

REPEATS=7
die() { echo "draws.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift 2 ;;
    --repeats=*) REPEATS="${1#*=}"; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer (got '$REPEATS')"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
python3 -c 'import numpy' 2>/dev/null || die "python3 cannot import numpy (pip install -r ../shared/peers/numpy/requirements.txt)"
TARGET="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

echo "draws.sh: criterion, draws/* (builds the bench binary first) ..." >&2
cargo bench --bench engine -- 'draws/' >&2
echo "draws.sh: numpy, $REPEATS repeats ..." >&2
NUMPY_JSON="$(python3 benches/draws.py --draws 1000000 --repeats "$REPEATS")"

python3 - "$TARGET/criterion/draws" "$NUMPY_JSON" <<'EOF'
import json, os, sys
crit, np = sys.argv[1], json.loads(sys.argv[2])
draws = np["draws"]
print(f"Exact draws, one thread, {draws:,} per sample, same parameter arrays (numpy {np['numpy']}):\n")
print("| sampler | runway ns/draw | numpy ns/draw (min–max) | numpy ÷ runway |")
print("|---|---:|---:|---:|")
for name in ("binomial", "binomial-lanes", "poisson", "poisson-lanes"):
    with open(os.path.join(crit, name, "new", "estimates.json")) as f:
        rust = json.load(f)["median"]["point_estimate"] / draws
    n = np[name.removesuffix("-lanes")]
    print(f"| {name} | {rust:.1f} | {n['median_ns']:.1f} ({n['min_ns']:.1f}–{n['max_ns']:.1f}) | {n['median_ns'] / rust:.2f}× |")
p = np["params"]
print(f"\nParameter means: n {p['n_mean']:.1f}, p {p['p_mean']:.4f}, lam {p['lam_mean']:.1f};"
      f" numpy's mean draws {np['binomial']['mean_draw']:.2f} and {np['poisson']['mean_draw']:.2f}"
      f" (expected {p['n_mean'] * p['p_mean']:.1f} and {p['lam_mean']:.1f} to within the arrays' covariance).")
EOF
