#!/usr/bin/env bash
# How long `runway serve` takes from a change on the page to its first and
# to its full update, on the built-in example and scenarios/ai-api.toml at
# their default runs (10,000), in one run of this script.
#
#   benches/serve.sh [--repeats R] > serve.md
#
# For each scenario: starts `runway serve --port 0`, then R times sets the
# price to a new value and times, over HTTP on 127.0.0.1 as the page makes
# them, the three requests one change makes: the quick update (the first
# 2,000 runs), the full update (all runs) and the drivers (the tornado,
# on 2,000 runs). Prints a Markdown table of medians, and the start-up time
# (the file's plan simulated before the page is served). The page waits
# 150 ms after a slider stops moving before it asks; that is not counted.
# Needs cargo and python3. Progress goes to stderr.
set -euo pipefail

REPEATS=15
die() { echo "serve.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift 2 ;;
    --repeats=*) REPEATS="${1#*=}"; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer (got '$REPEATS')"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
echo "serve.sh: cargo build --release ..." >&2
cargo build --release --quiet
TARGET="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

python3 - "$TARGET/release/runway" "$REPEATS" <<'PY'
import json, statistics, subprocess, sys, time, urllib.request

runway, repeats = sys.argv[1], int(sys.argv[2])
cases = [("built-in example", [], "pricing.price", [25, 33]), ("scenarios/ai-api.toml", ["scenarios/ai-api.toml"], "segment.pro.price", [449, 549])]

def post(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        r.read()
    return time.perf_counter() - start

rows = []
for name, args, key, values in cases:
    print(f"serve.sh: {name} ...", file=sys.stderr)
    start = time.perf_counter()
    p = subprocess.Popen([runway, "serve", *args, "--port", "0", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    startup = time.perf_counter() - start
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    times = {"quick": [], "full": [], "drivers": []}
    try:
        for i in range(repeats):
            edits = [[key, str(values[i % 2])]]
            times["quick"].append(post(port, "/api/run", {"edits": edits, "quick": True}))
            times["full"].append(post(port, "/api/run", {"edits": edits, "quick": False}))
            times["drivers"].append(post(port, "/api/drivers", {"edits": edits}))
    finally:
        p.terminate()
        p.wait()
    med = {k: statistics.median(v) for k, v in times.items()}
    first, full = med["quick"], med["quick"] + med["full"]
    rows.append((name, startup, first, full, full + med["drivers"]))

print(f"| scenario (10,000 runs, 36 months) | start-up | change → first update (2,000 runs) | → full update | → drivers |")
print("|---|---:|---:|---:|---:|")
for name, startup, first, full, drivers in rows:
    print(f"| {name} | {startup:.2f} s | {first:.3f} s | {full:.3f} s | {drivers:.3f} s |")
print(f"\nMedians of {repeats} changes each; each column is the time since the change (the requests run one after another, as the page makes them).")
PY
