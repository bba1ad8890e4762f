#!/usr/bin/env bash
# Two tmrepo builds back to back on the same repositories (before/after tables in docs/benchmarks.md).
#
#   Benchmarks/compare.sh BEFORE_BINARY AFTER_BINARY [LARGE_REPO]
#
# Cold (TMREPO_NO_CACHE=1 status --format json) beside git log, three interleaved rounds, on the
# 20k repositories Benchmarks/run.sh keeps in .build/bench; then, on LARGE_REPO (default
# .build/bench/gen_repo-large), each binary's warm runs after one new commit (each builds its own
# cache first: the cache format may differ between them) and two cold rounds.
# Prints wall seconds and peak resident MiB per run. LARGE_REPO gets commits: use a bench copy.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?usage: $0 BEFORE_BINARY AFTER_BINARY [LARGE_REPO]}
AFTER=${2:?usage: $0 BEFORE_BINARY AFTER_BINARY [LARGE_REPO]}
LARGE=${3:-.build/bench/gen_repo-large}
measure() { # "seconds s MiB MiB" for one run
    local file
    file=$(mktemp)
    /usr/bin/time -o "$file" -f "%e %M" "$@" >/dev/null 2>&1
    tail -n 1 "$file" | awk '{printf "%s s %.0f MiB", $1, $2/1024}'
    rm -f "$file"
}
for repo in .build/bench/gen_history-default .build/bench/gen_repo-default; do
    [ -d "$repo" ] || { echo "$repo is missing (Benchmarks/run.sh --both makes it)" >&2; continue; }
    echo "== $repo, cold"
    for round in 1 2 3; do
        echo "round $round: git log $(cd "$repo" && measure git log --format=%H --name-only -- threats/)" \
            "| before $(cd "$repo" && measure env TMREPO_NO_CACHE=1 "$BEFORE" status --format json)" \
            "| after $(cd "$repo" && measure env TMREPO_NO_CACHE=1 "$AFTER" status --format json)"
    done
done
[ -d "$LARGE" ] || { echo "$LARGE is missing" >&2; exit 0; }
code=$(git -C "$LARGE" ls-files services | awk 'NR == 1')   # all read: head would SIGPIPE git under pipefail
for binary in "$BEFORE" "$AFTER"; do
    echo "== $LARGE, warm with $binary"
    rm -rf "$LARGE/.git/tmrepo"
    (cd "$LARGE" && "$binary" status --format json >/dev/null)
    for round in 1 2 3 4; do
        echo "// compare $round $(date +%s%N)" >> "$LARGE/$code"
        git -C "$LARGE" commit -qam "bench: one new commit" --date=2026-11-01T00:00:00Z
        echo "warm after one new commit: $(cd "$LARGE" && measure "$binary" status --format json)"
    done
    echo "warm, nothing new: $(cd "$LARGE" && measure "$binary" status --format json)"
done
for round in 1 2; do
    for binary in "$BEFORE" "$AFTER"; do
        echo "cold $binary: $(cd "$LARGE" && measure env TMREPO_NO_CACHE=1 "$binary" status --format json)"
    done
done
echo "git log: $(cd "$LARGE" && measure git log --format=%H --name-only -- threats/)"
