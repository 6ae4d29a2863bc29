#!/usr/bin/env bash
# Regenerates the example reports from scenarios/ (never edit them by hand):
#   bash reports/regenerate.sh
# Each scenario's report goes to reports/<scenario>/; the built-in example's
# also in Chinese, to reports/sentiment-saas/zh/. The test suite regenerates
# them into a scratch folder and fails when a committed one differs.
set -euo pipefail
cd "$(dirname "$0")/.."
runway=(${RUNWAY:-cargo run --release --quiet --})
for scenario in scenarios/*.toml; do
  name=$(basename "$scenario" .toml)
  [ "$name" = starter ] && continue   # the `runway init` template, not a plan
  rm -rf "reports/$name"
  "${runway[@]}" report "$scenario" --out "reports/$name" --quiet
done
rm -rf reports/sentiment-saas/zh
"${runway[@]}" report scenarios/sentiment-saas.toml --lang zh --out reports/sentiment-saas/zh --quiet
