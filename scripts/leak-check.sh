#!/usr/bin/env bash
# Runs status (cold, writing the cache; warm, reading it), changelog and review --commit under
# valgrind on the replayed example and fails on any memory error or definite/indirect leak:
# every libgit2 handle must be freed (what Graphviz itself never frees is suppressed:
# scripts/graphviz.supp). valgrind 3.19 cannot read the DWARF 5 that Swift emits, so a copy of
# the release binary without debug info is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "leak-check: valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
swift build -c release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$(swift build -c release --show-bin-path)/tmrepo" "$work/tmrepo"
strip --strip-debug "$work/tmrepo"
scripts/replay-example.sh examples/serverless-shop "$work/repo" >/dev/null
# What Graphviz 2.42 and its font stack never free, whatever the caller does (report's diagram).
supp=$(pwd)/scripts/graphviz.supp
# Swift values valgrind cannot see through tagged pointers (a template's value tree): scripts/swift-values.supp.
swiftsupp=$(pwd)/scripts/swift-values.supp
check() {
    echo "leak-check: tmrepo $*"
    (cd "$work/repo" && valgrind -q --suppressions="$supp" --suppressions="$swiftsupp" --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=9 "$work/tmrepo" "$@" >/dev/null)
}
check status --as-of 2026-11-22 --format json
check status --as-of 2026-11-22 --format json
# Packed, with delta chains: the direct pack reader (mapped packs, zlib streams, delta buffers)
# is checked too; the loose objects written below go through libgit2.
git -C "$work/repo" gc -q --aggressive
TMREPO_NO_CACHE=1 check status --as-of 2026-11-22 --format json
check changelog --format json
check log T-0001
check review T-0007 --by carol@example.com --commit
check report --as-of 2026-11-22 --out "$work/report.html"
check export threat-composer --out "$work/model.tc.json"
check check --base HEAD~3 --head HEAD --as-of 2026-11-22 --format sarif || [ $? -eq 1 ]
echo "leak-check: no leaks, no memory errors"
