#!/usr/bin/env bash
# The main job on the bundled example: check the model, list it, show its STRIDE coverage.
set -euo pipefail
bin=$1
example=$2
run() { echo; echo "\$ tmrepo $*"; "$bin" "$@"; }
run lint --root "$example"
run list --root "$example" --status open
run show --root "$example" T-0001
run matrix --root "$example"
