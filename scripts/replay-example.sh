#!/usr/bin/env bash
# Replays the bundled example model into a new git repository with a dated history, so the
# history commands have something real to read: an initial import in January, reviews on the
# days the files say (each a commit by the reviewer), a severity raised after a pentest, threats
# added and one retired, a Reviewed-threat trailer, and code changed under two mitigations'
# evidence after they were verified; the SAM template from the start (its order queue encrypted in
# March, a queue policy open to anyone added in July), and in October a refund function nobody
# modeled. The last commit leaves the model exactly as bundled.
#
#   scripts/replay-example.sh EXAMPLE_DIR TARGET_DIR
set -euo pipefail
example=$(cd "$1" && pwd)
target=$2
rm -rf "$target"
mkdir -p "$target"
cd "$target"
git init -q -b main
git config user.name "Demo"
git config user.email "demo@example.com"
git config commit.gpgsign false

at() { # at DATE AUTHOR_EMAIL MESSAGE…: commit everything at DATE (noon UTC) as AUTHOR
    local when="$1T12:00:00Z" who=$2; shift 2
    git add -A
    GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when GIT_AUTHOR_NAME=${who%@*} GIT_AUTHOR_EMAIL=$who \
        GIT_COMMITTER_NAME=${who%@*} GIT_COMMITTER_EMAIL=$who git commit -q --allow-empty -m "$*"
}
without_reviews() { sed -e '/^reviewed:/,+2d' -e '/^    verified:/d' "$1"; }
code() { mkdir -p "$(dirname "$1")"; printf '// %s\n// %s\n' "$1" "$2" > "$1"; }

# January: the first threat-modeling session. Reviews and verifications are not recorded yet.
cp "$example/.tmrepo.yml" "$example/elements.yml" "$example/assets.yml" .
# The SAM template as first deployed: the refund function comes in October, without a threat
# model; the order queue is not encrypted yet (TM-DATA-003, fixed in March); the queue policy open
# to anyone (TM-DATA-002, T-0009) comes with the fulfilment redesign in July.
first_template() {
    sed -e '/^  RefundFunction:/,/^$/d' "$example/template.yaml" \
        | awk '/^  # Copied from a tutorial/ { skip = 1 } skip && /^Outputs:/ { skip = 0; print "" } !skip'
}
first_template | sed '0,/SqsManagedSseEnabled: true/s//SqsManagedSseEnabled: false/' > template.yaml
mkdir threats
for file in "$example"/threats/*.md; do
    name=$(basename "$file")
    case "$name" in T-0017-*|T-0018-*) continue ;; esac
    without_reviews "$file" > "threats/$name"
done
sed -i 's/^severity: critical$/severity: high/' threats/T-0001-*.md
cat > threats/T-0019-admin-console-basic-auth.md <<'THREAT'
---
id: T-0019
title: Admin console protected only by HTTP basic auth
stride: [spoofing]
element: storefront-api
severity: high
status: open
owner: platform-team
---

Superseded by the move of the back office to Cognito (see T-0015).
THREAT
for path in services/authorizer/src/verify.ts services/authorizer/src/handler.ts services/orders/src/repository.ts \
    services/orders/src/audit.ts services/orders/src/invoices.ts services/payments/webhook/handler.ts \
    services/payments/src/config.ts services/fulfilment/src/worker.ts services/fulfilment/src/idempotency.ts \
    services/shared/logging.ts infra/api-gateway.tf infra/lambda.tf infra/iam/orders-role.json infra/s3.tf \
    infra/queues.tf infra/logging.tf infra/cognito.tf infra/dynamodb.tf; do
    code "$path" "first version"
done
at 2026-01-05 erin@example.com "Import the serverless shop threat model"

# Reviews, each on the day its file records, by the reviewer it names.
review() { # review DATE REVIEWER ID
    cp "$example"/threats/"$3"-*.md threats/
    at "$1" "$2" "Review $3"
}
review 2026-01-12 grace@example.com T-0015
review 2026-02-01 frank@example.com T-0013
cp "$example"/threats/T-0001-*.md /tmp/tmrepo-demo-T-0001.md
without_reviews /tmp/tmrepo-demo-T-0001.md > threats/T-0001-forged-jwt.md
at 2026-03-10 grace@example.com "T-0001: pentest forged an alg=none token; raise to critical"
review 2026-03-01 carol@example.com T-0007
first_template > template.yaml
at 2026-03-20 erin@example.com "Encrypt the order queue (SQS managed SSE)"
review 2026-04-15 bob@example.com T-0004
review 2026-05-01 dan@example.com T-0016
review 2026-05-20 dan@example.com T-0003
review 2026-06-02 grace@example.com T-0001
review 2026-06-20 carol@example.com T-0012
review 2026-07-01 carol@example.com T-0008
review 2026-07-10 erin@example.com T-0002

# New threats from the fulfilment redesign.
cp "$example"/threats/T-0017-*.md threats/
without_reviews "$example"/threats/T-0018-*.md > threats/T-0018-fulfilment-replay.md
sed '/^  RefundFunction:/,/^$/d' "$example/template.yaml" > template.yaml
at 2026-07-15 carol@example.com "Add threats from the fulfilment redesign; let partners post order events"
review 2026-08-01 frank@example.com T-0006
review 2026-08-20 frank@example.com T-0009

# Code moves on under verified mitigations: the order repository and the authorizer.
code services/orders/src/repository.ts "query by order id from the path (refactor)"
at 2026-08-25 dan@example.com "Refactor the order repository"
code services/authorizer/src/verify.ts "accept tokens from the new identity provider"
at 2026-09-03 grace@example.com "Authorizer: trust the second issuer"

review 2026-09-15 alice@example.com T-0011
git rm -q threats/T-0019-*.md
at 2026-09-30 erin@example.com "Retire T-0019: the admin console moved to Cognito"

# The refund function ships: new attack surface, and no element or threat for it yet.
cp "$example/template.yaml" template.yaml
code services/refunds/src/handler.ts "refund an order"
at 2026-10-02 dan@example.com "Refunds: POST /orders/{orderId}/refund on the storefront API"

# A code change that records a review of the threat it hardens, with a trailer.
code services/shared/logging.ts "redact Authorization and Cookie headers"
at 2026-10-05 grace@example.com "Redact tokens in logs

Reviewed-threat: T-0014"
cp "$example"/threats/T-0018-*.md threats/
at 2026-10-06 dan@example.com "Review T-0018"

# The model now matches the bundled example exactly.
diff -r -q "$example/threats" threats >/dev/null && cmp -s "$example/template.yaml" template.yaml \
    || { echo "replay-example: the replayed model differs from $example" >&2; exit 1; }
echo "$target"
