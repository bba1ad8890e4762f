#!/usr/bin/env bash
# Fuzzes for SECONDS (default 300): the threat-file parser, the config and inventory readers,
# FastYAML against libyaml (same tree or no answer), review edits, and the terminal escaper —
# the properties in Sources/ThreatModel/FuzzChecks.swift. Uses libFuzzer (swiftc -sanitize=fuzzer,
# with AddressSanitizer, linked with lld: gold fails on it) when this toolchain can build it, else the mutation driver in Fuzz/.
# Seeds: Tests/Fixtures, the example, templates and Fuzz/regressions. Prints inputs run, time and
# crashes; a crashing input is saved under .build/fuzz-work/crashes (replay it with
# `.build/debug/FuzzThreatModel --replay FILE`, then add it to Fuzz/regressions once fixed).
set -uo pipefail
duration=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/.build/fuzz-work}
mkdir -p "$work/seeds" "$work/corpus" "$work/crashes"
find "$root/Tests/Fixtures" "$root/examples" "$root/templates" "$root/Fuzz/regressions" -type f \
    \( -name '*.md' -o -name '*.yml' -o -name '*.input' \) -size -64k -print0 |
    while IFS= read -r -d '' file; do cp "$file" "$work/seeds/$(sha1sum "$file" | cut -c1-16)"; done
seeds=$(ls "$work/seeds" | wc -l)

cd "$root"
libfuzzer=$root/.build/fuzz/release/FuzzThreatModel
if swift build -c release --product FuzzThreatModel --scratch-path .build/fuzz \
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DLIBFUZZER \
       -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >"$work/build.log" 2>&1 && [ -x "$libfuzzer" ]; then
    echo "fuzz: libFuzzer with AddressSanitizer, $seeds seed files, $duration s"
    start=$(date +%s)
    "$libfuzzer" -max_total_time="$duration" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -dict=Fuzz/yaml.dict \
        -artifact_prefix="$work/crashes/" -print_final_stats=1 "$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz.log" | grep -o '[0-9]*$' | tail -1)
    crashes=$(ls "$work/crashes" | wc -l)
    echo "fuzz: ${runs:-?} inputs run in ${elapsed} s, corpus $(ls "$work/corpus" | wc -l) inputs, crashes: $crashes (exit $status)"
    if [ "$status" -ne 0 ]; then grep -E 'ERROR|Fatal error|property broken|SUMMARY' "$work/fuzz.log" | head -5; ls "$work/crashes"; exit 1; fi
else
    echo "fuzz: libFuzzer build failed (see $work/build.log); using the mutation driver, $seeds seed files, $duration s"
    swift build --product FuzzThreatModel >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 2; }
    bin=$(swift build --show-bin-path)/FuzzThreatModel
    start=$(date +%s)
    (cd "$work" && "$bin" "$duration" "$work/seeds") >"$work/fuzz.log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    if [ "$status" -ne 0 ]; then
        saved="$work/crashes/crash-$(date +%s)"
        cp "$work/fuzz-current-input" "$saved" 2>/dev/null
        echo "fuzz: crash after ${elapsed} s, input saved as $saved"
        grep -E 'Fatal error|property broken' "$work/fuzz.log" | head -3
        exit 1
    fi
    tail -1 "$work/fuzz.log"
fi
