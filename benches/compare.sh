#!/usr/bin/env bash
# Compare runway with the numpy peer on the saas-baseline model, for speed and results.
#
#   benches/compare.sh [--runs N] [--repeats R] [--seed S] [--runway BIN] [--keep] > report.md
#
# Defaults: --runs 1000000 --repeats 5 --seed 42 --runway <repo>/target/release/runway;
# --keep keeps the temporary outputs.
#
# Runs, as whole processes, each configuration R times (interleaved: repeat 1 of
# every configuration, then repeat 2, ...), every one under `/usr/bin/time -v`:
#
#   runway csv       target/release/runway run scenarios/saas-baseline.toml --format csv
#   runway parquet   the same with --format parquet
#   runway lean      --format csv --no-runs: the outputs the numpy peer writes
#                    (monthly table and summary, no per-run table)
#   numpy            the numpy peer's numpy/saas_baseline.py --csv TABLE > SUMMARY.json
#   numpy 2 threads  the same with --threads 2
#
# all with the same --runs and --seed, each writing its outputs into a temporary
# folder. The numpy commands run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in
# that command alone (set for old OpenBLAS builds, they slow a current numpy). Prints a
# Markdown report on stdout (progress goes to stderr): a timing table (median wall,
# min-max, median user+sys CPU, median peak RSS), numpy/runway ratios, then compare.py on
# runway's csv (converted by benches/runway_to_peer.py) against numpy's, and its verdict.
#
# Needs: target/release/runway (cargo build --release), python3 with numpy, GNU time at
# /usr/bin/time, and the numpy peer (an external reference model, not in this repository)
# in $RUNWAY_PEERS [default: <repo>/../shared/peers].
# Exit status: 0 = results agree, 3 = compare.py says they disagree,
# 1 = anything else went wrong (missing peers, a failed run, ...).
set -euo pipefail

RUNS=1000000
REPEATS=5
SEED=42
KEEP=0
RUNWAY=""

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "compare.sh: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2:?--runs needs a value}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift 2 ;;
    --repeats=*) REPEATS="${1#*=}"; shift ;;
    --seed) SEED="${2:?--seed needs a value}"; shift 2 ;;
    --seed=*) SEED="${1#*=}"; shift ;;
    --runway) RUNWAY="${2:?--runway needs a value}"; shift 2 ;;
    --runway=*) RUNWAY="${1#*=}"; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
RUNS="${RUNS//_/}"; RUNS="${RUNS//,/}"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer (got '$RUNS')"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer (got '$REPEATS')"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer (got '$SEED')"

# ---- paths, relative to this script -------------------------------------------
BENCHES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCHES")"
PEERS_RAW="${RUNWAY_PEERS:-$REPO/../shared/peers}"
if [ ! -d "$PEERS_RAW" ]; then
  echo "compare.sh: the peers folder is missing: $PEERS_RAW (set RUNWAY_PEERS to the numpy peer's folder)" >&2
  exit 1
fi
PEERS="$(cd "$PEERS_RAW" && pwd)"
RUNWAY="${RUNWAY:-$REPO/target/release/runway}"
[[ "$RUNWAY" = /* ]] || RUNWAY="$PWD/$RUNWAY"
SCENARIO="scenarios/saas-baseline.toml"          # relative to $REPO, where runway runs
NUMPY_PEER="$PEERS/numpy/saas_baseline.py"
COMPARE="$PEERS/compare.py"
CONVERT="$BENCHES/runway_to_peer.py"
TIME=/usr/bin/time

[ -x "$RUNWAY" ] || die "$RUNWAY not found or not executable: build it first (cd $REPO && cargo build --release)"
[ -f "$REPO/$SCENARIO" ] || die "$REPO/$SCENARIO not found"
for f in "$NUMPY_PEER" "$COMPARE" "$CONVERT"; do [ -f "$f" ] || die "$f not found"; done
[ -x "$TIME" ] || die "GNU time not found at $TIME (apt-get install time)"
python3 -c 'import numpy' 2>/dev/null \
  || die "python3 cannot import numpy (pip install -r $PEERS/numpy/requirements.txt)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runway-compare.XXXXXX")"
cleanup() { if [ "$KEEP" = 1 ]; then log "kept outputs in $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# numpy without the OpenBLAS overrides, in that command alone
NP_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

# ---- configurations ----------------------------------------------------------------
CONFIGS=(runway-csv runway-parquet runway-lean numpy numpy-t2)
label() {
  case "$1" in
    runway-csv) echo "runway, --format csv" ;;
    runway-lean) echo "runway, --format csv --no-runs" ;;
    runway-parquet) echo "runway, --format parquet" ;;
    numpy) echo "numpy peer, 1 thread" ;;
    numpy-t2) echo "numpy peer, --threads 2" ;;
  esac
}
# shown in the report; paths abbreviated
shown_cmd() {
  case "$1" in
    runway-csv) echo "runway run $SCENARIO --runs $RUNS --seed $SEED --out DIR --format csv --quiet" ;;
    runway-parquet) echo "runway run $SCENARIO --runs $RUNS --seed $SEED --out DIR --format parquet --quiet" ;;
    runway-lean) echo "runway run $SCENARIO --runs $RUNS --seed $SEED --out DIR --format csv --no-runs --quiet" ;;
    numpy) echo "python3 numpy/saas_baseline.py --runs $RUNS --months 36 --seed $SEED --csv T.csv > S.json" ;;
    numpy-t2) echo "python3 numpy/saas_baseline.py --runs $RUNS --months 36 --seed $SEED --threads 2 --csv T.csv > S.json" ;;
  esac
}

# run_one CONFIG OUTPREFIX TIMEFILE [RUNS]: one timed run; outputs under OUTPREFIX
run_one() {
  local cfg="$1" out="$2" tf="$3" n="${4:-$RUNS}" rc=0
  case "$cfg" in
    runway-csv|runway-parquet|runway-lean)
      local fmt=(--format csv)
      [ "$cfg" = runway-parquet ] && fmt=(--format parquet)
      [ "$cfg" = runway-lean ] && fmt=(--format csv --no-runs)
      (cd "$REPO" && "$TIME" -v -o "$tf" "$RUNWAY" run "$SCENARIO" --runs "$n" --seed "$SEED" \
          --out "$out" "${fmt[@]}" --quiet >"$out.stdout" 2>"$out.stderr") || rc=$? ;;
    numpy|numpy-t2)
      local thr=()
      [ "$cfg" = numpy-t2 ] && thr=(--threads 2)
      (cd "$WORK" && "$TIME" -v -o "$tf" "${NP_ENV[@]}" python3 "$NUMPY_PEER" --runs "$n" --months 36 \
          --seed "$SEED" "${thr[@]}" --csv "$out.csv" >"$out.json" 2>"$out.stderr") || rc=$? ;;
  esac
  if [ "$rc" != 0 ]; then
    log "FAILED ($rc): $cfg"; tail -n 20 "$out.stderr" >&2 || true; exit 1
  fi
}

# busy_jiffies: CPU time used machine-wide so far (user nice system irq softirq steal)
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# parse_time TIMEFILE -> "wall_s cpu_s rss_mib"
source "$BENCHES/gnu-time.sh"

# ---- header -----------------------------------------------------------------------
PY_INFO="$("${NP_ENV[@]}" python3 - <<'EOF'
import platform, numpy as np
s = f"Python {platform.python_version()}, numpy {np.__version__}"
try:
    import threadpoolctl
    libs = [f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}"
            for i in threadpoolctl.threadpool_info()]
    s += ", " + ("; ".join(libs) if libs else "no BLAS loaded")
except ImportError:
    s += ", BLAS kernel unknown (threadpoolctl not installed)"
print(s)
EOF
)"
CPU="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$REPO" status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null | head -1)"
BIN_NEWER=""
if [ "$RUNWAY" = "$REPO/target/release/runway" ] && \
   [ -n "$(find "$REPO/src" "$REPO/Cargo.toml" -newer "$RUNWAY" -print -quit 2>/dev/null)" ]; then
  BIN_NEWER=" (warning: sources are newer than the binary; rebuild with cargo build --release)"
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "# runway vs numpy peer: saas-baseline, $(echo "$RUNS" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') runs, seed $SEED"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores${CPU:+ ($CPU)}, $(free -g | awk '/^Mem:/ {print $2}') GiB"
echo "- runway: $("$RUNWAY" --version 2>/dev/null || echo '?') at \`$RUNWAY\` (sha256 $(sha256sum "$RUNWAY" | cut -c1-12)), repo at commit $COMMIT${DIRTY:+ with uncommitted changes in src/}$BIN_NEWER"
echo "- numpy peer: $PY_INFO; run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"
echo "- $REPEATS repeats per configuration, interleaved, after one untimed warm-up of each at 1,000 runs; load average before: $LOAD_BEFORE"
echo

# ---- timed runs -------------------------------------------------------------------
log "work folder: $WORK"
for cfg in "${CONFIGS[@]}"; do
  run_one "$cfg" "$WORK/warmup-$cfg" "$WORK/warmup-$cfg.time" 1000
  rm -rf "$WORK/warmup-$cfg"*
done

declare -A HASH0
for ((i = 1; i <= REPEATS; i++)); do
  for cfg in "${CONFIGS[@]}"; do
    out="$WORK/$cfg-$i"
    b0="$(busy_jiffies)"
    run_one "$cfg" "$out" "$WORK/$cfg-$i.time"
    b1="$(busy_jiffies)"
    read -r w c r < <(parse_time "$WORK/$cfg-$i.time")
    # other processes' load during this run, in cores: machine-wide CPU time minus ours
    o="$(awk -v b0="$b0" -v b1="$b1" -v t="$CLK_TCK" -v c="$c" -v w="$w" \
         'BEGIN { x = ((b1 - b0) / t - c) / (w > 0 ? w : 1); printf "%.2f", x < 0 ? 0 : x }')"
    echo "$w $c $r $o" >>"$WORK/$cfg.tsv"
    log "$(printf '%-15s #%d: %7.2f s wall %7.2f s cpu %7.0f MiB   other load %.2f cores' "$cfg" "$i" "$w" "$c" "$r" "$o")"
    # determinism check: every repeat must write the same result bytes
    case "$cfg" in
      runway-csv) h="$(cat "$out/runs.csv" "$out/monthly.csv" | md5sum | cut -d' ' -f1)" ;;
      runway-parquet) h="$(cat "$out/runs.parquet" "$out/monthly.parquet" | md5sum | cut -d' ' -f1)" ;;
      runway-lean) h="$(cat "$out/monthly.csv" | md5sum | cut -d' ' -f1)" ;;
      numpy|numpy-t2) h="$(cat "$out.json" "$out.csv" | md5sum | cut -d' ' -f1)" ;;
    esac
    if [ "$i" = 1 ]; then HASH0[$cfg]="$h"; elif [ "${HASH0[$cfg]}" != "$h" ]; then
      log "warning: $cfg repeat $i wrote different bytes from repeat 1"; echo "$cfg" >>"$WORK/nondeterministic"
    fi
    # keep the first repeat's outputs (for the comparison), drop the rest
    if [ "$i" != 1 ]; then rm -rf "$out" "$out".*; fi
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- timing tables ------------------------------------------------------------------
python3 - "$WORK" "$RUNS" "${CONFIGS[@]}" <<'EOF'
import statistics, sys
work, runs, cfgs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
labels = {"runway-csv": "runway, `--format csv`", "runway-parquet": "runway, `--format parquet`",
          "runway-lean": "runway, `--format csv --no-runs`",
          "numpy": "numpy peer, 1 thread", "numpy-t2": "numpy peer, `--threads 2`"}
med = {}
print("| configuration | repeats | median wall s | min–max wall s | median CPU s (user+sys) "
      "| median peak RSS MiB | other load, cores (median, max) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for c in cfgs:
    rows = [tuple(map(float, l.split())) for l in open(f"{work}/{c}.tsv")]
    w, cpu, rss, other = zip(*rows)
    med[c] = (statistics.median(w), statistics.median(cpu), statistics.median(rss))
    print(f"| {labels[c]} | {len(rows)} | {med[c][0]:.2f} | {min(w):.2f}–{max(w):.2f} | "
          f"{med[c][1]:.2f} | {med[c][2]:.0f} | {statistics.median(other):.2f}, {max(other):.2f} |")
# the same over the repeats that had the machine to themselves, when some did not
QUIET = 0.25     # other load below this many cores counts as quiet
rows_all = {c: [tuple(map(float, l.split())) for l in open(f"{work}/{c}.tsv")] for c in cfgs}
qmed = {}
if any(r[3] >= QUIET for v in rows_all.values() for r in v):
    print()
    print(f"Quiet repeats only (other load < {QUIET} cores):")
    print()
    print("| configuration | quiet repeats | median wall s | min–max wall s | median CPU s | median peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for c in cfgs:
        q = [r for r in rows_all[c] if r[3] < QUIET]
        if not q:
            print(f"| {labels[c]} | 0 | – | – | – | – |")
            continue
        w, cpu, rss, _ = zip(*q)
        qmed[c] = statistics.median(w)
        print(f"| {labels[c]} | {len(q)} | {statistics.median(w):.2f} | {min(w):.2f}–{max(w):.2f} | "
              f"{statistics.median(cpu):.2f} | {statistics.median(rss):.0f} |")
print()
print("numpy median / runway median over all repeats (above 1: runway is faster or smaller):")
print()
quiet_col = len(qmed) == len(cfgs)
print("| pair | wall | CPU | peak RSS |" + (" wall, quiet repeats only |" if quiet_col else ""))
print("|---|---:|---:|---:|" + ("---:|" if quiet_col else ""))
for n in ("numpy", "numpy-t2"):
    for r in ("runway-csv", "runway-parquet", "runway-lean"):
        a, b = med[n], med[r]
        rat = lambda i: f"{a[i] / b[i]:.2f}×" if b[i] > 0 else "n/a"
        extra = f" {qmed[n] / qmed[r]:.2f}× |" if quiet_col else ""
        print(f"| {labels[n]} / {labels[r]} | {rat(0)} | {rat(1)} | {rat(2)} |" + extra)
EOF
echo
echo "Load average after: $LOAD_AFTER. *Other load* is the CPU that other processes used during each timed run (machine-wide busy time from /proc/stat minus the run's own user+sys, per second of wall time); on this $(nproc)-core machine, runs with other load near 1 had only one core to themselves, so their wall times are not comparable with quiet runs."
echo "runway writes every run's row (runs.csv / runs.parquet, $(du -sh "$WORK/runway-csv-1/runs.csv" | cut -f1) as CSV here) plus the monthly table; with \`--no-runs\` it writes what the numpy peer writes: the monthly table and the summary (runway's table has 11 metrics × 36 months, numpy's 3 × 36)."
if [ -f "$WORK/nondeterministic" ]; then
  echo "**Warning:** repeats with the same seed wrote different bytes: $(sort -u "$WORK/nondeterministic" | tr '\n' ' ')"
else
  echo "Every configuration wrote byte-identical results in all $REPEATS repeats."
fi
if cmp -s "$WORK/numpy-1.json" "$WORK/numpy-t2-1.json" && cmp -s "$WORK/numpy-1.csv" "$WORK/numpy-t2-1.csv"; then
  echo "numpy's 1- and 2-thread outputs are byte-identical."
else
  echo "**Warning:** numpy's 1- and 2-thread outputs differ."
fi
echo
echo "Commands (runway from the repo, numpy/ = shared/peers/numpy; DIR, T.csv and S.json in a temporary folder):"
echo
for cfg in "${CONFIGS[@]}"; do echo "- $(label "$cfg"): \`$(shown_cmd "$cfg")\`"; done
echo

# ---- results comparison -----------------------------------------------------------
log "converting runway's csv output and comparing"
python3 "$CONVERT" "$WORK/runway-csv-1" --json "$WORK/runway.json" --csv "$WORK/runway.csv" \
  2>"$WORK/convert.stderr" || { cat "$WORK/convert.stderr" >&2; die "runway_to_peer.py failed"; }

set +e
python3 "$COMPARE" "$WORK/numpy-1.json" "$WORK/runway.json" \
  --tables "$WORK/numpy-1.csv" "$WORK/runway.csv" >"$WORK/compare.txt" 2>&1
CMP_RC=$?
python3 "$COMPARE" "$WORK/numpy-1.json" "$WORK/runway.json" >"$WORK/compare-summary.txt" 2>&1
CMP_SUMMARY_RC=$?
set -e
[ "$CMP_RC" -le 1 ] || { cat "$WORK/compare.txt" >&2; die "compare.py failed ($CMP_RC)"; }

echo "## Results: compare.py, numpy (ref) vs runway (cand)"
echo
echo "z = (runway − numpy) / combined Monte Carlo SE; compare.py flags |z| > 4."
if [ -s "$WORK/convert.stderr" ]; then
  echo
  sed 's/^/> /' "$WORK/convert.stderr"
fi
echo
echo '```text'
cat "$WORK/compare.txt"
echo '```'
echo
python3 - "$WORK/compare.txt" <<'EOF'
import re, sys
summary, tables = [], []
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+.*\s([+-]\d+\.\d\d)(\s|$)", line)
    if m and not line.startswith(" "):
        summary.append((abs(float(m.group(2))), m.group(1), m.group(2)))
    m = re.match(r"\s+(\S+)\s+(\S+)\s+max \|z\| =\s+(\d+\.\d+) \(month (\d+)\)", line)
    if m:
        tables.append((float(m.group(3)), f"{m.group(1)} {m.group(2)}", m.group(4)))
if summary:
    z, name, sz = max(summary)
    print(f"- summary statistics: max |z| = {z:.2f} ({name}, z = {sz})")
if tables:
    z, name, month = max(tables)
    print(f"- per-month tables: max |z| = {z:.2f} ({name}, month {month})")
EOF
VERDICT="$(tail -n 1 "$WORK/compare.txt")"
echo "- summary statistics alone: $(tail -n 1 "$WORK/compare-summary.txt")"
echo "- **verdict (summary + tables): $VERDICT**"
if [ "$CMP_RC" != 0 ] && [ "$CMP_SUMMARY_RC" = 0 ] && grep -q '"method": "sketch"' "$WORK/runway.json"; then
  echo "- only the per-month tables disagree, and runway sketched its per-month quantiles at this many runs (error up to 1/256 of the distance from each column's center): see the note above."
fi
[ "$CMP_RC" = 0 ] || exit 3
