#!/usr/bin/env python3
"""Runs `tmrepo scan` over a directory of real AWS SAM / CloudFormation templates and prints how
many parsed, the findings per check and severity, and the time taken.

    scripts/scan-survey.py SOURCE [--bin PATH] [--limit N] [--as-of YYYY-MM-DD] [--sample N] [--seed S] [--check ID]

SOURCE is a folder, or a bare git repository (e.g. a fetched aws-samples/serverless-patterns),
whose files named template.yaml / template.yml / template.json are read. Nothing is committed:
the templates are copied to a temporary folder for the run. --sample N prints N findings picked
at random (with --seed, the same ones each time) with the template lines around them, for
checking by hand.
"""
import argparse, collections, json, os, random, subprocess, sys, tempfile, time

# One way of finding and copying the templates: the discover survey's.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
_survey = __import__("importlib").import_module("survey-templates")
templates_from_git, templates_from_folder = _survey.templates_from_git, _survey.templates_from_folder


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("--bin", default=None, help="tmrepo binary (default: swift build's debug binary)")
    parser.add_argument("--limit", type=int, default=0, help="read at most N templates")
    parser.add_argument("--as-of", default=None, help="date for runtime deprecation (default: today)")
    parser.add_argument("--sample", type=int, default=0, help="print N random findings with their context")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--check", default=None, help="sample only this check id")
    parser.add_argument("--show-failures", type=int, default=5)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin) if args.bin else os.path.join(subprocess.run(["swift", "build", "--show-bin-path"], check=True,
                                                     capture_output=True, text=True).stdout.strip(), "tmrepo")
    with tempfile.TemporaryDirectory() as scratch:
        is_git = os.path.isdir(os.path.join(args.source, "objects")) and os.path.exists(os.path.join(args.source, "HEAD"))
        files = templates_from_git(args.source, scratch) if is_git else templates_from_folder(args.source)
        if args.limit:
            files = files[: args.limit]
        parsed, failed, crashes = 0, [], []
        per_check, per_severity, per_check_severity = collections.Counter(), collections.Counter(), collections.Counter()
        templates_with = collections.Counter()
        everything = []
        started = time.monotonic()
        for path, full in files:
            command = [binary, "scan", "--template", os.path.basename(full), "--format", "json"]
            if args.as_of:
                command += ["--as-of", args.as_of]
            run = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(full), timeout=60)
            if run.returncode not in (0, 2) or not run.stdout.strip():
                crashes.append((path, run.returncode, run.stderr.strip()[:200]))
                continue
            result = json.loads(run.stdout)
            if result["problems"]:
                failed.append((path, result["problems"][0]))
                continue
            parsed += 1
            seen = set()
            for finding in result["findings"]:
                per_check[finding["rule"]] += 1
                per_severity[finding["severity"]] += 1
                per_check_severity[(finding["rule"], finding["severity"])] += 1
                seen.add(finding["rule"])
                everything.append((path, full, finding))
            templates_with.update(seen)
        elapsed = time.monotonic() - started
    print(f"templates: {len(files)} found, {parsed} parsed, {len(failed)} refused with an error, {len(crashes)} crashed or printed nothing")
    print(f"time: {elapsed:.1f} s ({elapsed / max(1, len(files)) * 1000:.0f} ms per template, one process each)")
    print(f"findings: {sum(per_check.values())} (" + ", ".join(f"{s}: {per_severity[s]}" for s in
                                                         ["critical", "high", "medium", "low", "info"] if per_severity[s]) + ")")
    print("per check (findings, templates with one, by severity):")
    for rule in sorted(per_check):
        severities = ", ".join(f"{s} {per_check_severity[(rule, s)]}" for s in ["critical", "high", "medium", "low", "info"]
                               if per_check_severity[(rule, s)])
        print(f"  {rule:12s} {per_check[rule]:6d} {templates_with[rule]:5d}   {severities}")
    if failed:
        print(f"refused ({len(failed)}), first {args.show_failures}:")
        for path, problem in failed[: args.show_failures]:
            print(f"  {path}:{problem.get('line')}: {problem.get('message')} [{problem.get('rule')}]")
    for path, code, stderr in crashes:
        print(f"  CRASH {path}: exit {code}: {stderr}")
    if args.sample:
        pool = [item for item in everything if not args.check or item[2]["rule"] == args.check]
        random.Random(args.seed).shuffle(pool)
        # One finding per check first, so the sample covers the checks, then at random.
        picked, rules = [], set()
        for item in pool:
            if item[2]["rule"] not in rules:
                picked.append(item)
                rules.add(item[2]["rule"])
        # TM-LOG-001 is the same on every template without a trail: once is enough.
        picked += [item for item in pool if item not in picked and item[2]["rule"] != "TM-LOG-001"]
        print(f"\nsample of {min(args.sample, len(picked))} findings (seed {args.seed}):")
        # The copies are gone; read the lines again from the source.
        for index, (path, full, finding) in enumerate(picked[: args.sample], 1):
            print(f"\n[{index}] {finding['rule']} {finding['severity']} {path}:{finding['line']} {finding['logical_id']} -> {finding['element']}")
            print(f"    {finding['message']}")
            lines = read_lines(args.source, is_git, path)
            line = finding["line"]
            for number in range(max(1, line - 3), min(len(lines), line + 4) + 1) if line else []:
                print(f"    {number:5d}{'>' if number == line else ' '} {lines[number - 1].rstrip()[:150]}")
    return 1 if crashes else 0


def read_lines(source, is_git, path):
    if is_git:
        return subprocess.run(["git", "--git-dir", source, "show", "HEAD:" + path], capture_output=True, text=True,
                              errors="replace").stdout.splitlines()
    with open(os.path.join(source, path), errors="replace") as handle:
        return handle.read().splitlines()


if __name__ == "__main__":
    sys.exit(main())
