#!/usr/bin/env bash
# Whole-process time against the number of runs, and two threads against one.
#
#   benches/scaling.sh [--runs LIST] [--repeats R] [--pair-runs N] [--runway BIN] > scaling.md
#
# Defaults: --runs 10000,100000,1000000,10000000 --repeats 3 --pair-runs 1000000
# --runway <repo>/target/release/runway.
#
# 1. For each run count in LIST: `runway run scenarios/saas-baseline.toml --runs N
#    --no-runs` on all cores, R times; median wall and CPU seconds and peak RSS
#    (/usr/bin/time -v), and microseconds per run, which is flat when time is linear in runs.
# 2. The built-in example (10,000 runs) end to end, default outputs written, and
#    `runway sensitivity` on it: median wall of 5×R runs each.
# 3. At --pair-runs: `--threads 1` and `--threads 2` in turn (1 2 1 2 ...), R pairs;
#    the medians, and the median of the pairs' ratios (pairing keeps the ratio fair when
#    the machine's speed drifts).
#
# Prints Markdown on stdout; progress on stderr. Needs target/release/runway
# (cargo build --release) and GNU time at /usr/bin/time.
set -euo pipefail

RUNS_LIST="10000,100000,1000000,10000000"
REPEATS=3
PAIR_RUNS=1000000
RUNWAY=""
die() { echo "scaling.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS_LIST="${2:?--runs needs a value}"; shift 2 ;;
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift 2 ;;
    --pair-runs) PAIR_RUNS="${2:?--pair-runs needs a value}"; shift 2 ;;
    --runway) RUNWAY="${2:?--runway needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer (got '$REPEATS')"
[[ "$PAIR_RUNS" =~ ^[0-9]+$ ]] || die "--pair-runs must be a non-negative integer (got '$PAIR_RUNS')"
IFS=, read -r -a RUNS <<<"$RUNS_LIST"
for r in "${RUNS[@]}"; do [[ "$r" =~ ^[1-9][0-9]*$ ]] || die "--runs takes positive integers separated by commas (got '$r')"; done

BENCHES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCHES")"
source "$BENCHES/gnu-time.sh"
RUNWAY="${RUNWAY:-$REPO/target/release/runway}"
[[ "$RUNWAY" = /* ]] || RUNWAY="$PWD/$RUNWAY"
[ -x "$RUNWAY" ] || die "$RUNWAY not found: build it first (cargo build --release)"
[ -x /usr/bin/time ] || die "GNU time not found at /usr/bin/time (apt-get install time)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/runway-scaling.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# timed CMD... -> "wall_s cpu_s rss_mib" of CMD run in the repo under /usr/bin/time -v
timed() {
  local tf="$WORK/time"
  (cd "$REPO" && /usr/bin/time -v -o "$tf" "$@" >/dev/null 2>"$WORK/err") || { cat "$WORK/err" >&2; die "failed: $*"; }
  parse_time "$tf"
}
# one RUNS THREADS|all: saas-baseline --no-runs
one() {
  local thr=()
  [ "$2" != all ] && thr=(--threads "$2")
  timed "$RUNWAY" run scenarios/saas-baseline.toml --runs "$1" --no-runs "${thr[@]}" --out "$WORK/out" --quiet
}
# builtin CMD: `runway CMD` on the built-in example
builtin() { timed "$RUNWAY" "$1" --out "$WORK/builtin" --quiet; }
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Whole process, \`saas-baseline --no-runs\`, all cores, median of $REPEATS:"
echo
echo "| runs | wall s | CPU s | µs per run (wall) | peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|"
for r in "${RUNS[@]}"; do
  : >"$WORK/rows"
  for _ in $(seq "$REPEATS"); do echo "scaling.sh: $r runs" >&2; one "$r" all >>"$WORK/rows"; done
  w=$(cut -d' ' -f1 "$WORK/rows" | median); c=$(cut -d' ' -f2 "$WORK/rows" | median); m=$(cut -d' ' -f3 "$WORK/rows" | median)
  printf "| %s | %.3f | %.3f | %.2f | %.0f |\n" "$(commas "$r")" "$w" "$c" "$(echo "$w $r" | awk '{ print $1 / $2 * 1e6 }')" "$m"
done

echo
echo "The built-in example, 10,000 runs, all cores, median of $((5 * REPEATS)):"
echo
echo "| command | wall s | CPU s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
for cmd in run sensitivity; do
  : >"$WORK/rows"
  echo "scaling.sh: built-in, $cmd" >&2
  for _ in $(seq $((5 * REPEATS))); do builtin "$cmd" >>"$WORK/rows"; done
  printf "| \`runway %s\` | %.3f | %.3f | %.0f |\n" "$cmd" "$(cut -d' ' -f1 "$WORK/rows" | median)" "$(cut -d' ' -f2 "$WORK/rows" | median)" "$(cut -d' ' -f3 "$WORK/rows" | median)"
done

if [ "$PAIR_RUNS" -gt 0 ]; then
  : >"$WORK/one"; : >"$WORK/two"; : >"$WORK/ratio"
  for _ in $(seq "$REPEATS"); do
    echo "scaling.sh: $PAIR_RUNS runs, one thread then two" >&2
    a=$(one "$PAIR_RUNS" 1); b=$(one "$PAIR_RUNS" 2)
    echo "$a" >>"$WORK/one"; echo "$b" >>"$WORK/two"
    echo "$a $b" | awk '{ print $1 / $4 }' >>"$WORK/ratio"
  done
  echo
  echo "Two threads against one, $(commas "$PAIR_RUNS") runs, $REPEATS pairs (one thread, then two):"
  echo
  echo "| threads | wall s | CPU s |"
  echo "|---:|---:|---:|"
  printf "| 1 | %.3f | %.3f |\n" "$(cut -d' ' -f1 "$WORK/one" | median)" "$(cut -d' ' -f2 "$WORK/one" | median)"
  printf "| 2 | %.3f | %.3f |\n" "$(cut -d' ' -f1 "$WORK/two" | median)" "$(cut -d' ' -f2 "$WORK/two" | median)"
  echo
  printf "Speed-up (median of the pairs' one-thread ÷ two-thread wall): %.2f×\n" "$(median <"$WORK/ratio")"
fi
