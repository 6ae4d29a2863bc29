#!/usr/bin/env bash
# Checks every plan in a folder and shows what a branch did to the risk of
# each plan it changed: the shell steps of the GitHub Actions workflow and
# the GitLab CI job in docs/ci.md (and of the test that runs them).
#
#   check-plans.sh [BASE]      BASE: the git revision to diff against
#                              [default: $RUNWAY_BASE, else origin/main]
# Environment: RUNWAY (the binary, default `runway`), RUNWAY_PLANS (the
# folder, default `plans`), RUNWAY_OUT (where reports go, default
# `runway-out`), GITHUB_STEP_SUMMARY (appended to when set).
#
# Exit code: that of `runway check` (0 all pass, 1 a rule failed or is
# undecided, 2 a plan could not be read).
set -euo pipefail
base="${1:-${RUNWAY_BASE:-origin/main}}"
runway="${RUNWAY:-runway}"
plans="${RUNWAY_PLANS:-plans}"
out="${RUNWAY_OUT:-runway-out}"
mkdir -p "$out"

shopt -s nullglob
files=("$plans"/*.toml)
if [ ${#files[@]} -eq 0 ]; then
  echo "no plans in $plans/" >&2
  exit 2
fi

status=0
"$runway" check "${files[@]}" --quiet --junit "$out/junit.xml" --markdown "$out/check.md" --json "$out/check.json" || status=$?
if [ "$status" -ge 2 ]; then
  exit "$status"
fi

# Each plan changed since the merge base that exists on both sides.
changed=$(git diff --name-only "$base"...HEAD -- "$plans" | grep '\.toml$' || true)
for plan in $changed; do
  if [ -f "$plan" ] && git cat-file -e "$base:$plan" 2>/dev/null; then
    name=$(basename "$plan" .toml)
    "$runway" diff "$base:$plan" "$plan" --quiet --out "$out/diff-$name" --markdown "$out/diff-$name.md"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      cat "$out/diff-$name.md" >> "$GITHUB_STEP_SUMMARY"
    fi
  fi
done
exit "$status"
