#!/usr/bin/env bash
# Benchmarks tmrepo's history engine against git on generated repositories and prints figures.
#
#   Benchmarks/run.sh                 # the default repo: 20k commits, ~3k threats, 5k code files
#   Benchmarks/run.sh --large         # also the 100k-commit repo (8k threats, 20k code files)
#   RUNS=7 Benchmarks/run.sh          # more repetitions (medians are printed)
#   Benchmarks/run.sh --shared        # repos from ../shared/bench/gen_repo.py, where that exists
#   Benchmarks/run.sh --both          # the project's generator, then the shared one, in one run
#   GEN=path/to/gen.py Benchmarks/run.sh   # any generator taking the same options
#
# Repositories come from Benchmarks/gen_history.py (the project's own generator, seed 1) and are
# kept in .build/bench/<generator>-<name> between runs.
#
# For each repo, interleaved (one of each per round, so machine noise hits all alike):
#   git log     `git log --format=%H --name-only -- threats/`
#   cold        `tmrepo status` with no cache (TMREPO_NO_CACHE=1)
#   warm        `tmrepo status` after one new commit, with the cache from the previous round
# then the threat-file parser alone (tmrepo-parse-bench) on every version of the repo's threat files.
# Wall time (seconds, median) and peak resident memory (MiB, max) per command; then a check that
# `status --format json --as-of 2026-11-01` is byte-identical cold and warm.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
GENS=("${GEN:-Benchmarks/gen_history.py}")
SHARED=../shared/bench/gen_repo.py
OUT=${BENCH_DIR:-.build/bench}
LARGE=0
for argument in "$@"; do
    case "$argument" in
        --large) LARGE=1 ;;
        --shared) GENS=("$SHARED") ;;
        --both) GENS=("${GENS[0]}" "$SHARED") ;;
        *) echo "usage: $0 [--large] [--shared | --both]" >&2; exit 2 ;;
    esac
done

command -v python3 >/dev/null || { echo "python3 is needed to generate repositories" >&2; exit 2; }
for GEN in "${GENS[@]}"; do
    [ -f "$GEN" ] || { echo "generator not found at $GEN (set GEN=…)" >&2; exit 2; }
done
swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/tmrepo"
PARSE_BENCH="$(swift build -c release --show-bin-path)/tmrepo-parse-bench"
mkdir -p "$OUT"

measure() { # prints "seconds kib" for one run of the command
    local file
    file=$(mktemp)
    /usr/bin/time -o "$file" -f "%e %M" "$@" >/dev/null 2>&1
    tail -n 1 "$file"
    rm -f "$file"
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
maxcol() { sort -n | tail -n 1 | awk '{printf "%.0f", $1/1024}'; }

bench() { # name, generator args…
    local name=$1; shift
    local repo
    repo="$OUT/$(basename "$GEN" .py)-$name"
    if [ ! -d "$repo" ]; then
        echo "generating $name ($*)…" >&2
        python3 "$GEN" --out "$repo" "$@" >&2
    fi
    git -C "$repo" config user.email bench@example.com
    git -C "$repo" config user.name bench
    local commits threats
    commits=$(git -C "$repo" rev-list --count HEAD)
    threats=$(ls "$repo/threats" | wc -l)
    rm -rf "$repo/.git/tmrepo"
    local code_file
    code_file=$(git -C "$repo" ls-files services | awk "NR == 1")   # reads all: head would SIGPIPE git under pipefail
    (cd "$repo" && "$BIN" status --format json >/dev/null)   # build the cache once
    local gitlog=() cold=() warm=() gitmem=() coldmem=() warmmem=()
    for round in $(seq "$RUNS"); do
        read -r s m < <(cd "$repo" && measure git log --format=%H --name-only -- threats/); gitlog+=("$s"); gitmem+=("$m")
        read -r s m < <(cd "$repo" && measure env TMREPO_NO_CACHE=1 "$BIN" status --format json); cold+=("$s"); coldmem+=("$m")
        echo "// bench $round $(date +%s%N)" >> "$repo/$code_file"
        git -C "$repo" commit -qam "bench: one new commit" --date="2026-11-01T00:00:00Z"
        read -r s m < <(cd "$repo" && measure "$BIN" status --format json); warm+=("$s"); warmmem+=("$m")
    done
    # Cached and uncached answers must not differ.
    local same=identical
    cmp -s <(cd "$repo" && TMREPO_NO_CACHE=1 "$BIN" status --format json --as-of 2026-11-01) \
           <(cd "$repo" && "$BIN" status --format json --as-of 2026-11-01) || same=DIFFERENT
    # Leave the repository as generated (the bench commits are dropped).
    git -C "$repo" reset -q --hard "HEAD~$RUNS"
    local g c w
    g=$(printf '%s\n' "${gitlog[@]}" | median); c=$(printf '%s\n' "${cold[@]}" | median); w=$(printf '%s\n' "${warm[@]}" | median)
    printf '%-10s %8s %8s | %-12s %7ss %6s MiB | %-12s %7ss %6s MiB  (%.2f × git log) | %-12s %7ss %6s MiB | cold = warm: %s\n' \
        "$name" "$commits" "$threats" "git log" "$g" "$(printf '%s\n' "${gitmem[@]}" | maxcol)" \
        "tmrepo cold" "$c" "$(printf '%s\n' "${coldmem[@]}" | maxcol)" "$(echo "$c $g" | awk '{print $1/$2}')" \
        "tmrepo warm" "$w" "$(printf '%s\n' "${warmmem[@]}" | maxcol)" "$same"
    # The parser alone, on every version of the repository's threat files (CPU time, one thread).
    local blobs
    blobs=$(mktemp)
    git -C "$repo" log --format= --raw --no-abbrev -- threats/ | awk '{print $4}' | grep -v '^0*$' | sort -u \
        | git -C "$repo" cat-file --batch > "$blobs"
    printf '%-10s %s\n' "$name" "$("$PARSE_BENCH" "$blobs" 5)"
    rm -f "$blobs"
}

echo "tmrepo $("$BIN" --version) on $(nproc) cores, libgit2 $(pkg-config --modversion libgit2), git $(git --version | cut -d' ' -f3); $RUNS rounds, medians"
for GEN in "${GENS[@]}"; do
    echo "generator: $GEN"
    printf '%-10s %8s %8s\n' repo commits threats
    bench default
    if [ "$LARGE" = 1 ]; then
        bench large --commits 100000 --threats 8000 --code-files 20000
    fi
done
