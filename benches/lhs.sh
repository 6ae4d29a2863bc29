#!/usr/bin/env bash
# How much Latin hypercube sampling shrinks the error of a mean, measured over seeds.
#
#   benches/lhs.sh [--runs N] [--seeds K] [--scenario FILE] [--runway BIN] > report.md
#
# Defaults: --runs 2000 --seeds 40 --scenario scenarios/saas-baseline.toml
# --runway <repo>/target/release/runway.
#
# Runs the scenario K times with seeds 1..K under `sampling = "random"` and K
# times under `sampling = "lhs"` (a copy of the file with the key set), each
# with --runs N --no-runs, and reads summary.json. For the mean of final cash
# and of final ARR, and P(default), prints the standard deviation of the
# estimate across seeds (the true Monte Carlo error), the mean printed standard
# error, and their ratios: sd(LHS)/sd(random) is how much LHS shrinks the
# error; sd(LHS)/printed SE(LHS) below 1 shows that the printed errors are
# conservative under LHS (they assume independent runs).
#
# Needs: the runway binary (cargo build --release) and python3.
set -euo pipefail

RUNS=2000
SEEDS=40
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCENARIO="$ROOT/scenarios/saas-baseline.toml"
RUNWAY="$ROOT/target/release/runway"

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --seeds) SEEDS="$2"; shift 2 ;;
        --scenario) SCENARIO="$2"; shift 2 ;;
        --runway) RUNWAY="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "lhs.sh: unknown argument $1" >&2; exit 1 ;;
    esac
done
[ -x "$RUNWAY" ] || { echo "lhs.sh: no runway binary at $RUNWAY (cargo build --release, or --runway BIN)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The same scenario, in the same folder (data files resolve alike), with sampling = "lhs".
LHS_FILE="$(dirname "$SCENARIO")/.lhs-$$-$(basename "$SCENARIO")"
trap 'rm -rf "$WORK" "$LHS_FILE"' EXIT
python3 - "$SCENARIO" "$LHS_FILE" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
if re.search(r'(?m)^sampling\s*=', text):
    text = re.sub(r'(?m)^sampling\s*=.*$', 'sampling = "lhs"', text)
else:
    text = re.sub(r'(?m)^\[scenario\]\s*$', '[scenario]\nsampling = "lhs"', text, count=1)
open(sys.argv[2], 'w').write(text)
EOF

for mode in random lhs; do
    file="$SCENARIO"
    [ "$mode" = lhs ] && file="$LHS_FILE"
    for seed in $(seq 1 "$SEEDS"); do
        "$RUNWAY" run "$file" --runs "$RUNS" --seed "$seed" --no-runs --quiet --out "$WORK/$mode-$seed" >/dev/null 2>&1 \
            || { echo "lhs.sh: runway failed on $mode seed $seed" >&2; exit 1; }
    done
done

python3 - "$WORK" "$SEEDS" "$RUNS" <<'EOF'
import json, statistics, sys
work, seeds, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def figure(mode, seed, pick):
    h = json.load(open(f"{work}/{mode}-{seed}/summary.json"))["headline"]
    f = pick(h)
    return f["estimate"], f["se"]
picks = {
    "mean final cash": lambda h: h["final_cash"]["mean"],
    "mean final ARR": lambda h: h["final_arr"]["mean"],
    "P(default)": lambda h: h["p_default"],
}
print(f"{seeds} seeds x {runs:,} runs each\n")
print("| figure | sd across seeds, random | sd across seeds, LHS | LHS / random | mean printed SE, LHS | sd / printed SE, LHS |")
print("|---|---:|---:|---:|---:|---:|")
for name, pick in picks.items():
    sd, se = {}, {}
    for mode in ("random", "lhs"):
        vals = [figure(mode, s, pick) for s in range(1, seeds + 1)]
        sd[mode] = statistics.stdev(v for v, _ in vals)
        se[mode] = statistics.mean(e for _, e in vals)
    print(f"| {name} | {sd['random']:.4g} | {sd['lhs']:.4g} | {sd['lhs']/sd['random']:.2f} | {se['lhs']:.4g} | {sd['lhs']/se['lhs']:.2f} |")
EOF
