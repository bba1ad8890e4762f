#!/usr/bin/env bash
# The main job on the bundled example: check the model, show its STRIDE coverage, then replay it
# into a git repository with a dated history and ask what git history says about it.
set -euo pipefail
bin=$1
example=$2
here=$(cd "$(dirname "$0")" && pwd)
run() { echo; echo "\$ tmrepo $*"; "$bin" "$@"; }

echo "== The model as bundled ($example)"
run lint --root "$example"
run list --root "$example" --severity critical --severity high --status open
run matrix --root "$example"
echo
echo "== The system beside it: the SAM template ($example/template.yaml) against elements.yml"
run discover --root "$example" --dry-run

repo=${TMPDIR:-/tmp}/tmrepo-demo-serverless-shop
echo
echo "== Its history, replayed into $repo (commits from 2026-01-05 to 2026-10-06)"
"$here/replay-example.sh" "$example" "$repo" >/dev/null
cd "$repo"
run status --as-of 2026-11-22
echo
echo "== Assess vulnerabilities: the built-in checks over the template, and each finding recorded in a threat"
run scan --as-of 2026-11-22
run new --from-finding TM-RUN-001:OrderFunction --owner platform-team
run assess TM-RUN-001:FulfilmentFunction --threat T-0020 --as-of 2026-11-22
run assess TM-API-004:PaymentWebhookFunction --threat T-0004 --accept --until 2027-04-30 --as-of 2026-11-22
git add -A && GIT_AUTHOR_DATE=2026-11-21T12:00:00Z GIT_COMMITTER_DATE=2026-11-21T12:00:00Z git commit -q -m "Assess the deprecated runtimes; renew the webhook URL acceptance"
run status --as-of 2026-11-22 --fail-on unassessed || true
run log T-0001
run changelog --since 2026-03-01
run report --as-of 2026-11-22 --out "$repo/threat-model.html"
echo "open $repo/threat-model.html in a browser for the data-flow diagram and the charts"
