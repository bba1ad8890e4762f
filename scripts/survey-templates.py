#!/usr/bin/env python3
"""Survey CloudFormation/SAM templates: how many parse, resources per kind, what is unmapped.

Usage: scripts/survey-templates.py DIR
       scripts/survey-templates.py --git REPO_DIR   (a bare or normal git dir: its HEAD's
                                                     template.y[a]ml/json files, exported to a temp dir)

Runs the ThreatModel survey harness (Tests/ThreatModelTests/System/TemplateSurvey.swift) over
DIR. Templates are read, never committed. Once `tmrepo discover --format json` exists this
can call it per folder instead.
"""
import os
import re
import subprocess
import sys
import tempfile


def export_git(repo: str, into: str) -> int:
    names = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "HEAD", "--name-only"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    count = 0
    for name in names:
        if re.search(r"(^|/)template\.(ya?ml|json)$", name):
            blob = subprocess.run(["git", "-C", repo, "show", "HEAD:" + name], capture_output=True).stdout
            target = os.path.join(into, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(blob)
            count += 1
    return count


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as scratch:
        if args[0] == "--git":
            directory = scratch
            print(f"exported {export_git(args[1], scratch)} templates from {args[1]}", file=sys.stderr)
        else:
            directory = os.path.abspath(args[0])
        env = dict(os.environ, TMREPO_TEMPLATE_SURVEY=directory)
        result = subprocess.run(["swift", "test", "--filter", "TemplateSurvey"], cwd=root, env=env,
                                capture_output=True, text=True)
        report = result.stdout
        start = report.find("template survey of")
        if start < 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            return 1
        end = report.find("seconds:", start)
        end = report.find("\n", end) if end >= 0 else len(report)
        print(report[start:end])
        return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
