#!/usr/bin/env bash
# Checks every plan in a folder and shows what a branch did to the risk of
# each plan it changed: the shell steps of the GitHub Actions workflow and
# the GitLab CI job in docs/ci.md (and of the test that runs them). Run it
# at the top of the repository.
#
#   check-plans.sh [BASE]      BASE: the branch to compare with
#                              [default: $RUNWAY_BASE, else origin/main]
# Environment: RUNWAY (the binary, default `runway`), RUNWAY_PLANS (the
# folder, default `plans`; its *.toml files, not subfolders), RUNWAY_OUT
# (where reports go, default `runway-out`), GITHUB_STEP_SUMMARY (appended to
# when set).
#
# Exit code: that of `runway check` (0 all pass, 1 a rule failed or is
# undecided, 2 a plan could not be read), or 2 when BASE does not exist.
# A plan whose diff cannot be made (say, its old version does not parse)
# gets a warning and does not change the exit code.
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

# What this branch changed: against the merge base, not the base's tip, so
# later commits on the base are not shown as this branch's changes.
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  echo "check-plans: no revision '$base' (fetch the base branch first)" >&2
  exit 2
fi
merge_base=$(git merge-base "$base" HEAD)
while IFS= read -r -d '' plan; do
  # Only the plans `check` ran: *.toml directly in the folder, present now
  # and at the merge base.
  [ "$(dirname "$plan")" = "$plans" ] && [ -f "$plan" ] || continue
  git cat-file -e "$merge_base:$plan" 2>/dev/null || continue
  name=${plan#"$plans"/}
  name=${name%.toml}
  if "$runway" diff "$merge_base:$plan" "$plan" --quiet --out "$out/diff-$name" --markdown "$out/diff-$name.md"; then
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      cat "$out/diff-$name.md" >> "$GITHUB_STEP_SUMMARY"
    fi
  else
    echo "warning: could not diff $plan against $base" >&2
  fi
done < <(git -c core.quotePath=false diff -z --name-only "$merge_base" HEAD -- "$plans")
exit "$status"
