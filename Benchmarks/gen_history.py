#!/usr/bin/env python3
"""Generate a threat-model git repository with a realistic history, and what tmrepo must say about it.

The repository is what a team's model looks like after years of work: code under services/,
one Markdown threat file per threat under threats/, and a history in which people

  - change code (most commits), sometimes with `Reviewed-threat:` trailers (several ids, comma
    separated, any case, next to other trailers);
  - review threats by rewriting their `reviewed` block, with or without a trailer; a block
    rewritten to the same value is not a review, a trailer outside the last paragraph is not one;
  - raise and lower severities, change status and owners, add mitigations, implement, verify,
    re-verify and drop them, widen their evidence, edit descriptions;
  - add threats, rename their files, retire them;
  - work on feature branches that live while main moves on, and merge them (code on a branch
    dated before a verification but merged after it makes that verification stale);
  - author a commit days before it is committed (rebases): the committer time is what counts.

Commit times are fixed (raw times in a `git fast-import` stream, the fast way to write thousands
of commits), spread between --start and --end; the same --seed gives the same repository.

With --truth FILE it writes, computed while generating, what a correct tool reports: per live
threat its path, severity, status, owner, creation time, last review time, every severity change,
and the mitigations whose evidence changed in a commit their verification does not contain.

  gen_history.py --out DIR [--commits 20000] [--threats 2500] [--code-files 5000] [--seed 1]
                 [--start 2024-01-01] [--end 2026-11-01] [--truth FILE]

Standard library only.
"""
import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys

SEVERITIES = ["critical", "high", "medium", "low", "info"]
STATUSES = ["open", "mitigated", "accepted", "transferred", "closed"]
STRIDE = ["spoofing", "tampering", "repudiation", "information-disclosure", "denial-of-service",
          "elevation-of-privilege"]
ELEMENTS = ["storefront-spa", "checkout-api", "auth-lambda", "catalog-table", "orders-queue",
            "payments-worker", "media-bucket", "audit-trail", "partner-callback", "ops-console"]
TEAMS = {
    "checkout-team": ["ana", "bruno", "chen"],
    "identity-team": ["dara", "emeka", "fatima"],
    "platform-team": ["gus", "hana", "ivan", "jo"],
    "data-team": ["kemal", "lena"],
    "mobile-team": ["mo", "nia", "oskar"],
}
PEOPLE = [name for members in TEAMS.values() for name in members]
ZONES = ["+0000", "+0100", "+0200", "-0500", "+0530", "-0800"]
NOUNS = ("session cookie, refresh token, order total, webhook signature, presigned URL, tenant id, "
         "audit record, retry queue, admin role, rate limit, card token, export job, search query, "
         "password reset link, feature flag, image upload, event replay, schema migration").split(", ")
VERBS = ("forged, replayed, leaked, tampered with, enumerated, flooded, downgraded, "
         "left unvalidated, logged in clear, reused across tenants").split(", ")


def email(name):
    return f"{name}@shop.example"


def iso_day(seconds):
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d")


class History:
    """Builds the fast-import stream and, alongside, the truth."""

    def __init__(self, options):
        self.options = options
        self.random = random.Random(options.seed)
        self.stream = []
        self.mark = 0
        self.seq = 0                      # main-line position: commit X is in V's history iff integrated(X) <= seq(V)
        self.head = None                  # mark of main's tip
        self.threats = {}                 # live threats by id
        self.retired = []
        self.next_number = 1
        self.services = [f"services/svc{k:02d}" for k in range(max(2, options.code_files // 15))]
        # Legacy services main rarely touches: there, a branch merged after a verification decides staleness.
        self.quiet_services = set(self.services[-max(1, len(self.services) // 4):])
        self.code_version = {}
        self.code_paths_by_service = {service: [] for service in self.services}
        # When code last changed, as main-line positions of the commits that brought the change to main.
        self.changed_at_path = {}
        self.changed_at_service = {}
        self.infra_changed_at = 0
        self.branches = []                # open feature branches
        self.branch_count = 0
        self.last_time = 0

    # ---- threat files ----------------------------------------------------------------------
    def new_threat(self, time):
        r = self.random
        number = self.next_number
        self.next_number += 1
        noun, verb = r.choice(NOUNS), r.choice(VERBS)
        title = f"{noun.capitalize()} {verb} via the {r.choice(ELEMENTS)}"
        team = r.choice(list(TEAMS))
        threat = {
            "id": f"T-{number:04d}",
            "slug": "-".join(f"{noun} {verb}".lower().split()[:4]),
            "title": title,
            "stride": sorted(r.sample(STRIDE, r.choice([1, 1, 2, 3])), key=STRIDE.index),
            "element": r.choice(ELEMENTS),
            "severity": r.choices(SEVERITIES, [1, 3, 5, 3, 1])[0],
            "status": "open",
            "owner": team,
            "service": r.choice(self.services),
            "review_every": r.choice([None, None, None, "45d", "3m"]),
            "reviewed": None,
            "mitigations": [],
            "notes": 0,
            "created": time,
            "last_review": None,
            "severity_changes": [],
        }
        for _ in range(r.choice([0, 1, 1, 2])):
            self.add_mitigation(threat)
        return threat

    def add_mitigation(self, threat):
        r = self.random
        service = threat["service"]
        evidence = [service + "/**"]
        shape = r.random()
        if shape < 0.2 and self.code_paths_by_service[service]:
            evidence = [r.choice(self.code_paths_by_service[service])]   # a path without wildcards: itself
        elif shape < 0.3:
            evidence = ["services/*/infra.tf"]                            # a wildcard below the folder
        threat["mitigations"].append({
            "id": f"M-{len(threat['mitigations']) + 1}",
            "title": f"{r.choice(['Validate', 'Sign', 'Rate-limit', 'Encrypt', 'Audit', 'Scope'])} the {r.choice(NOUNS)}",
            "status": r.choice(["planned", "planned", "implemented"]),
            "owner": email(r.choice(TEAMS[threat["owner"]])),
            "evidence": evidence,
            "verified": None,
            "verified_seq": None,         # main-line position of the commit that last set `verified`
        })

    def verify(self, mitigation, time):
        """Sets `verified` to the commit's day; a value that does not change is no new verification."""
        day = iso_day(time)
        if mitigation["verified"] == day:
            return
        mitigation["status"] = "verified"
        mitigation["verified"] = day
        mitigation["verified_seq"] = self.seq + 1   # the commit about to be written

    @staticmethod
    def path(threat):
        return f"threats/{threat['id']}-{threat['slug']}.md"

    @staticmethod
    def render(threat):
        lines = ["---", f"id: {threat['id']}", f"title: {threat['title']}",
                 f"stride: [{', '.join(threat['stride'])}]", f"element: {threat['element']}",
                 f"severity: {threat['severity']}", f"status: {threat['status']}", f"owner: {threat['owner']}"]
        if threat["review_every"]:
            lines.append(f"review_every: {threat['review_every']}")
        if threat["reviewed"]:
            lines += ["reviewed:", f"  on: {threat['reviewed'][0]}", f"  by: {threat['reviewed'][1]}"]
        if threat["mitigations"]:
            lines.append("mitigations:")
            for m in threat["mitigations"]:
                lines += [f"  - id: {m['id']}", f"    title: {m['title']}", f"    status: {m['status']}",
                          f"    owner: {m['owner']}", f"    evidence: [{', '.join(m['evidence'])}]"]
                if m["verified"]:
                    lines.append(f"    verified: {m['verified']}")
        lines += ["---", "", "## Description", "",
                  f"{threat['title']}. Found while modelling the {threat['element']}.", ""]
        lines += [f"- Update {k + 1}: more detail from the investigation." for k in range(threat["notes"])]
        return ("\n".join(lines) + "\n").encode()

    # ---- code ------------------------------------------------------------------------------
    def code_blob(self, path):
        version = self.code_version[path]
        if path.endswith(".tf"):
            return f'# {path}\nresource "aws_lambda_function" "handler" {{\n  memory_size = {128 + version}\n}}\n'.encode()
        return f"// {path}\nexport const revision = {version};\nexport function handle(event) {{ return event; }}\n".encode()

    def change_code(self, path, changes):
        self.code_version[path] += 1
        changes.append(("M", path, self.code_blob(path)))

    def record_code_changes(self, paths, position):
        """Code reached main at `position`: evidence verified before it is stale."""
        for path in paths:
            service = "/".join(path.split("/")[:2])
            self.changed_at_path[path] = max(self.changed_at_path.get(path, 0), position)
            self.changed_at_service[service] = max(self.changed_at_service.get(service, 0), position)
            if path.endswith("/infra.tf"):
                self.infra_changed_at = max(self.infra_changed_at, position)

    # ---- fast-import -----------------------------------------------------------------------
    def commit(self, ref, time, who, message, changes, parents, author_time=None):
        self.mark += 1
        zone = self.random.choice(ZONES)
        author = f"{who} <{email(who)}> {int(author_time or time)} {zone}"
        committer = f"{who} <{email(who)}> {int(time)} {zone}"
        data = message.encode()
        parts = [f"commit {ref}\nmark :{self.mark}\nauthor {author}\ncommitter {committer}\ndata {len(data)}\n".encode(), data, b"\n"]
        if parents:
            parts.append(f"from :{parents[0]}\n".encode())
            parts += [f"merge :{p}\n".encode() for p in parents[1:]]
        for change in changes:
            if change[0] == "D":
                parts.append(f"D {change[1]}\n".encode())
            else:
                parts += [f"M 100644 inline {change[1]}\ndata {len(change[2])}\n".encode(), change[2], b"\n"]
        self.stream.append(b"".join(parts) + b"\n")
        self.last_time = max(self.last_time, time)
        return self.mark

    def main_commit(self, time, who, message, changes, author_time=None, merge=None):
        self.seq += 1
        parents = [self.head] + ([merge] if merge else [])
        self.head = self.commit("refs/heads/main", time, who, message, changes, parents, author_time)

    # ---- history ---------------------------------------------------------------------------
    def generate(self):
        o, r = self.options, self.random
        start = dt.datetime.fromisoformat(o.start).replace(tzinfo=dt.timezone.utc).timestamp()
        end = dt.datetime.fromisoformat(o.end).replace(tzinfo=dt.timezone.utc).timestamp()
        step = (end - start) / max(1, o.commits)

        changes = [("M", ".tmrepo.yml", self.config()), ("M", "README.md", b"# Shop\n\nThe threat model lives in threats/.\n")]
        for k in range(o.code_files):
            service = self.services[k % len(self.services)]
            path = f"{service}/infra.tf" if k < len(self.services) else f"{service}/src/module{k:05d}.ts"
            self.code_version[path] = 0
            if not path.endswith(".tf"):
                self.code_paths_by_service[service].append(path)
            changes.append(("M", path, self.code_blob(path)))
        for _ in range(o.threats):
            threat = self.new_threat(start)
            self.threats[threat["id"]] = threat
            changes.append(("M", self.path(threat), self.render(threat)))
        self.seq = 1
        self.head = self.commit("refs/heads/main", start, PEOPLE[0], "Import the threat model\n", changes, [])

        written = 1
        while written < o.commits:
            time = start + written * step + r.uniform(0, step * 0.6)
            due = [b for b in self.branches if b["merge_after"] <= written]
            if due:
                self.merge(due[0], time)
            elif self.branches and r.random() < 0.25:
                self.branch_commit(r.choice(self.branches), time)
            elif len(self.branches) < 2 and o.commits - written > 40 and r.random() < 1 / o.branch_every:
                self.open_branch(written)
                continue
            else:
                self.one_main_commit(time)
            written += 1

    def config(self):
        lines = ["# Generated by Benchmarks/gen_history.py", "threats: threats/", "id_prefix: T-", "review_cadence:",
                 "  critical: 30d", "  high: 60d", "  medium: 90d", "  low: 180d", "  info: 365d", "due_soon: 14d", "owners:"]
        lines += [f"  {team}: [{', '.join(email(m) for m in members)}]" for team, members in TEAMS.items()]
        lines += ["policy:", "  block_unreviewed_changes: true", "  block_overdue: [critical, high]"]
        return ("\n".join(lines) + "\n").encode()

    def free_services(self):
        """Services no open branch owns: main may change their code."""
        taken = {b["service"] for b in self.branches}
        return [s for s in self.services if s not in taken]

    def open_branch(self, written):
        """A feature branch owns one service's src files while it lives, so its merge is clean."""
        r = self.random
        self.branch_count += 1
        candidates = [s for s in self.free_services() if self.code_paths_by_service[s]]
        if not candidates:
            return
        quiet = [s for s in candidates if s in self.quiet_services]
        if quiet and r.random() < 0.5:   # reworking a legacy service
            candidates = quiet
        self.branches.append({"name": f"feature/{self.branch_count:04d}", "tip": self.head,
                              "service": r.choice(candidates), "touched": {},
                              "merge_after": written + r.randint(4, 30), "commits": 0,
                              "known": set(self.threats), "reviews": []})

    def branch_commit(self, branch, time):
        r = self.random
        who = r.choice(PEOPLE)
        changes = []
        for path in r.sample(self.code_paths_by_service[branch["service"]], min(2, len(self.code_paths_by_service[branch["service"]]))):
            self.change_code(path, changes)
            branch["touched"][path] = changes[-1][2]
        message = f"{branch['name']}: work in progress\n"
        # Reviews of threats the branch knows; they count once the branch is merged.
        known = sorted(branch["known"] & set(self.threats))
        if known and r.random() < 0.2:
            reviewed = r.sample(known, min(len(known), r.randint(1, 2)))
            branch["reviews"] += [(tid, time) for tid in reviewed]
            message += "\n" + "".join(f"Reviewed-threat: {tid}\n" for tid in reviewed)
        branch["tip"] = self.commit("refs/heads/" + branch["name"], time, who, message, changes, [branch["tip"]])
        branch["commits"] += 1

    def merge(self, branch, time):
        r = self.random
        self.branches.remove(branch)
        if branch["commits"] == 0:
            return self.one_main_commit(time)
        for tid, reviewed_at in branch["reviews"]:
            if tid in self.threats:
                self.review(self.threats[tid], reviewed_at)
        message = f"Merge branch '{branch['name']}'\n"
        if self.threats and r.random() < 0.3:
            tid = r.choice(sorted(self.threats))
            self.review(self.threats[tid], time)
            message += f"\nReviewed-threat: {tid}\n"
        # The merge's tree: main's, plus what the branch changed (nothing differs from both parents).
        changes = [("M", path, blob) for path, blob in sorted(branch["touched"].items())]
        self.main_commit(time, r.choice(PEOPLE), message, changes, merge=branch["tip"])
        self.record_code_changes(branch["touched"], self.seq)

    def review(self, threat, time):
        if threat["last_review"] is None or time > threat["last_review"]:
            threat["last_review"] = time

    def one_main_commit(self, time):
        r = self.random
        who = r.choice(PEOPLE)
        kind = r.choices(["code", "code+trailer", "edit", "review", "new", "rename", "retire", "decoy"],
                         [66, 4, 13, 9, 4, 2, 1, 1])[0]
        if not self.threats and kind != "code":
            kind = "new"
        author_time = time - r.randint(3600, 5 * 86400) if r.random() < 0.1 else None
        changes, message = [], "Change code\n"
        if kind in ("code", "code+trailer", "decoy"):
            services = self.free_services()
            weights = [0.05 if service in self.quiet_services else 1 for service in services]
            paths = []
            for _ in range(r.randint(1, 3)):
                service = r.choices(services, weights)[0]
                path = f"{service}/infra.tf" if r.random() < 0.1 or not self.code_paths_by_service[service] else r.choice(self.code_paths_by_service[service])
                if path not in paths:
                    paths.append(path)
                    self.change_code(path, changes)
            message = r.choice(["Fix pagination bug", "Bump dependencies", "Tune memory", "Refactor handler", "Add metrics"]) + "\n"
            if kind == "code+trailer":
                ids = r.sample(sorted(self.threats), min(len(self.threats), r.randint(1, 3)))
                for tid in ids:
                    self.review(self.threats[tid], time)
                # Several ids in one comma-separated trailer, any case, among other trailers.
                listed = ", ".join(tid.lower() if r.random() < 0.3 else tid for tid in ids)
                message += f"\nHardened after the threat review.\n\nReviewed-threat: {listed}\nSigned-off-by: {who} <{email(who)}>\n"
            elif kind == "decoy":
                # A trailer-looking line that is not in the last paragraph is no review.
                message += f"\nReviewed-threat: {r.choice(sorted(self.threats))}\n\nThat review is still to come.\n"
            self.main_commit(time, who, message, changes, author_time)
            self.record_code_changes(paths, self.seq)
            return
        if kind == "new":
            threat = self.new_threat(time)
            self.threats[threat["id"]] = threat
            changes.append(("M", self.path(threat), self.render(threat)))
            message = f"Model {threat['id']}: {threat['title']}\n"
        elif kind == "edit":
            # Often a threat whose code a feature branch is changing right now.
            on_branches = {b["service"] for b in self.branches}
            nearby = [tid for tid, t in sorted(self.threats.items()) if t["service"] in on_branches]
            if nearby and r.random() < 0.4:
                message = self.edit(self.threats[r.choice(nearby)], time, changes, "verify")
            else:
                message = self.edit(self.threats[r.choice(sorted(self.threats))], time, changes)
        elif kind == "review":
            threat = self.threats[r.choice(sorted(self.threats))]
            message = self.block_review(threat, time, who, changes)
        elif kind == "rename":
            threat = self.threats[r.choice(sorted(self.threats))]
            changes.append(("D", self.path(threat)))
            threat["slug"] += "-" + r.choice(["api", "v2", "legacy", "edge", "batch"])
            if r.random() < 0.3:   # a rename that also changes the severity
                new = r.choice([s for s in SEVERITIES if s != threat["severity"]])
                threat["severity_changes"].append({"time": int(time), "from": threat["severity"], "to": new})
                threat["severity"] = new
            changes.append(("M", self.path(threat), self.render(threat)))
            message = f"Rename {threat['id']}\n"
        elif kind == "retire":
            threat = self.threats.pop(r.choice(sorted(self.threats)))
            self.retired.append(threat["id"])
            changes.append(("D", self.path(threat)))
            message = f"Retire {threat['id']}: the feature is gone\n"
        self.main_commit(time, who, message, changes, author_time)

    def edit(self, threat, time, changes, what=None):
        r = self.random
        what = what or r.choice(["severity", "severity", "status", "owner", "mitigation", "implement", "verify", "drop",
                         "evidence", "notes", "fix+verify"])
        live = [m for m in threat["mitigations"] if m["status"] != "dropped"]
        if what == "severity":
            new = r.choice([s for s in SEVERITIES if s != threat["severity"]])
            threat["severity_changes"].append({"time": int(time), "from": threat["severity"], "to": new})
            threat["severity"] = new
        elif what == "status":
            threat["status"] = r.choice([s for s in STATUSES if s != threat["status"]])
        elif what == "owner":
            threat["owner"] = r.choice([t for t in TEAMS if t != threat["owner"]])
        elif what == "mitigation" or not live:
            self.add_mitigation(threat)
            what = "mitigation"
        elif what == "implement":
            for m in live:
                if m["status"] == "planned":
                    m["status"] = "implemented"
                    break
            else:
                threat["notes"] += 1
        elif what == "verify":
            self.verify(r.choice(live), time)
        elif what == "drop":
            r.choice(live)["status"] = "dropped"
        elif what == "evidence":
            mitigation = r.choice(live)
            extra = r.choice(self.code_paths_by_service[threat["service"]] or [threat["service"] + "/infra.tf"])
            if extra not in mitigation["evidence"]:
                mitigation["evidence"].append(extra)
        elif what == "fix+verify":
            # The code and its re-verification in one commit: the verification contains the change.
            service = threat["service"]
            if service in self.free_services() and self.code_paths_by_service[service]:
                path = r.choice(self.code_paths_by_service[service])
                self.change_code(path, changes)
                self.record_code_changes([path], self.seq + 1)
            self.verify(r.choice(live), time)
        else:
            threat["notes"] += 1
        changes.append(("M", self.path(threat), self.render(threat)))
        return f"{threat['id']}: update {what}\n"

    def block_review(self, threat, time, who, changes):
        r = self.random
        reviewer = email(r.choice(TEAMS[threat["owner"]]) if r.random() < 0.7 else who)
        block = (iso_day(time), reviewer)
        trailer = r.random() < 0.4
        if block != threat["reviewed"]:
            threat["reviewed"] = block
            self.review(threat, time)
        elif not trailer:
            threat["notes"] += 1   # same block again: only the description changes, no review
        for m in threat["mitigations"]:
            if m["status"] == "verified" and r.random() < 0.5:
                self.verify(m, time)
        if trailer:
            self.review(threat, time)
        changes.append(("M", self.path(threat), self.render(threat)))
        return f"Review {threat['id']}\n" + (f"\nReviewed-threat: {threat['id']}\n" if trailer else "")

    # ---- truth -----------------------------------------------------------------------------
    def stale_by_evidence(self, mitigation):
        if mitigation["status"] not in ("implemented", "verified") or mitigation["verified_seq"] is None:
            return False
        for pattern in mitigation["evidence"]:
            if pattern == "services/*/infra.tf":
                changed = self.infra_changed_at
            elif pattern.endswith("/**"):
                changed = self.changed_at_service.get(pattern[:-3], 0)
            else:
                changed = self.changed_at_path.get(pattern, 0)
            if changed > mitigation["verified_seq"]:
                return True
        return False

    def truth(self):
        return {
            "generator": "Benchmarks/gen_history.py", "seed": self.options.seed,
            "head_time": int(self.last_time),
            "retired": self.retired,
            "threats": [{
                "id": t["id"], "path": self.path(t), "severity": t["severity"], "status": t["status"],
                "owner": t["owner"], "created": int(t["created"]),
                "last_review": int(t["last_review"]) if t["last_review"] is not None else None,
                "severity_changes": t["severity_changes"],
                "evidence_changed_after_verify": [m["id"] for m in t["mitigations"] if self.stale_by_evidence(m)],
            } for _, t in sorted(self.threats.items())],
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the repository to create (must not exist)")
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--threats", type=int, default=2500, help="threats in the first commit; more are added later")
    parser.add_argument("--code-files", type=int, default=5000)
    parser.add_argument("--branch-every", type=int, default=60, help="one feature branch per this many commits, on average")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", default="2024-01-01")
    parser.add_argument("--end", default="2026-11-01")
    parser.add_argument("--truth", help="write what a correct tool reports, as JSON")
    options = parser.parse_args()
    if os.path.exists(options.out):
        sys.exit(f"gen_history: {options.out} exists; pick a new folder")
    if options.commits < 1 or options.code_files < 2:
        sys.exit("gen_history: need at least 1 commit and 2 code files")

    history = History(options)
    history.generate()
    subprocess.run(["git", "init", "-q", "-b", "main", options.out], check=True)
    subprocess.run(["git", "-C", options.out, "fast-import", "--quiet"], input=b"".join(history.stream), check=True)
    subprocess.run(["git", "-C", options.out, "reset", "-q", "--hard", "main"], check=True)
    if options.truth:
        with open(options.truth, "w") as file:
            json.dump(history.truth(), file, indent=1)
    print(f"gen_history: {options.out}: {history.mark} commits, {len(history.threats)} threats, "
          f"{len(history.code_version)} code files, {history.branch_count} branches")


if __name__ == "__main__":
    main()
