#!/usr/bin/env python3
"""Runs `tmrepo discover` over a directory of real AWS SAM / CloudFormation templates and prints
how many parsed, how many resources of each kind were found and which types were left unmapped.

    scripts/survey-templates.py SOURCE [--bin PATH] [--limit N] [--show-failures N]

SOURCE is a folder, or a bare git repository (e.g. a fetched aws-samples/serverless-patterns),
whose files named template.yaml / template.yml / template.json are read. Nothing is committed:
the templates are copied to a temporary folder for the run.
"""
import argparse, collections, json, os, subprocess, sys, tempfile, time

NAMES = ("template.yaml", "template.yml", "template.json")


def templates_from_git(git_dir, out):
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "HEAD", "--name-only"],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    paths = [n for n in names if n.split("/")[-1].lower() in NAMES]
    files = []
    for path in paths:
        blob = subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + path], capture_output=True).stdout
        target = os.path.join(out, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(blob)
        files.append((path, target))
    return files


def templates_from_folder(folder):
    files = []
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
        for name in names:
            if name.lower() in NAMES:
                full = os.path.join(base, name)
                files.append((os.path.relpath(full, folder), full))
    return sorted(files)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("--bin", default=None, help="tmrepo binary (default: swift build's release binary)")
    parser.add_argument("--limit", type=int, default=0, help="read at most N templates")
    parser.add_argument("--show-failures", type=int, default=10)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin) if args.bin else os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], check=True,
                                                     capture_output=True, text=True).stdout.strip(), "tmrepo")
    with tempfile.TemporaryDirectory() as scratch:
        is_git = os.path.isdir(os.path.join(args.source, "objects")) and os.path.exists(os.path.join(args.source, "HEAD"))
        files = templates_from_git(args.source, scratch) if is_git else templates_from_folder(args.source)
        if args.limit:
            files = files[: args.limit]
        parsed, failed, roles, kinds, unmapped, flows = 0, [], collections.Counter(), collections.Counter(), collections.Counter(), 0
        crashes = []
        started = time.monotonic()
        for path, full in files:
            run = subprocess.run([binary, "discover", "--template", full, "--format", "json"], capture_output=True, text=True,
                                 cwd=scratch, timeout=60)
            if run.returncode not in (0, 2) or not run.stdout.strip():
                crashes.append((path, run.returncode, run.stderr.strip()[:200]))
                continue
            result = json.loads(run.stdout)
            errors = [p for p in result["problems"] if p.get("severity") == "error"]
            if errors:
                failed.append((path, errors[0]))
                continue
            parsed += 1
            roles.update({role: count for role, count in result["resources_by_role"].items()})
            for added in result["added"]:
                if added["resource"]:
                    kinds[added["kind"]] += 1
                elif added["kind"] == "data-flow":
                    flows += 1
                else:
                    kinds[added["kind"] + " (inferred)"] += 1
            for item in result["unmapped"]:
                unmapped[item["type"]] += 1
        elapsed = time.monotonic() - started
    print(f"templates: {len(files)} found, {parsed} parsed, {len(failed)} refused with an error, {len(crashes)} crashed or printed nothing")
    print(f"time: {elapsed:.1f} s ({elapsed / max(1, len(files)) * 1000:.0f} ms per template, one process each)")
    print(f"resources: {sum(roles.values())} (" + ", ".join(f"{k}: {v}" for k, v in sorted(roles.items())) + ")")
    print("elements from resources by kind: " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    print(f"data flows inferred: {flows}")
    print(f"unmapped types: {len(unmapped)} types, {sum(unmapped.values())} resources")
    for type_name, count in unmapped.most_common(25):
        print(f"  {count:5d}  {type_name}")
    if failed:
        print(f"refused ({len(failed)}), first {args.show_failures}:")
        for path, problem in failed[: args.show_failures]:
            print(f"  {path}:{problem.get('line')}: {problem.get('message')} [{problem.get('rule')}]")
    for path, code, stderr in crashes:
        print(f"  CRASH {path}: exit {code}: {stderr}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
