#!/usr/bin/env python3
"""Threat Composer -> tmrepo -> Threat Composer over a folder of real .tc.json files.

For each file: a fresh model (git init, tmrepo init), `import threat-composer --owner`, `lint`,
`export threat-composer`, then the counts in and out of threats, mitigations, assumptions,
mitigation links and assumption links ("in" counts links whose two ends are in the file).
Files are read from the folder given (fetched, never committed), e.g. awslabs/threat-composer's
workspace examples and workshop solutions.

    scripts/tc-roundtrip-survey.py TMREPO_BINARY FOLDER
"""
import json, os, subprocess, sys, tempfile


def counts(document):
    threats = {t["id"] for t in document.get("threats", [])}
    mitigations = {m["id"] for m in document.get("mitigations", [])}
    assumptions = {a["id"] for a in document.get("assumptions", [])}
    ends = threats | mitigations
    mitigation_links = [l for l in document.get("mitigationLinks", [])
                        if l.get("linkedId") in threats and l.get("mitigationId") in mitigations]
    assumption_links = [l for l in document.get("assumptionLinks", [])
                        if l.get("linkedId") in ends and l.get("assumptionId") in assumptions]
    return (len(threats), len(mitigations), len(assumptions), len(mitigation_links), len(assumption_links))


def run(binary, cwd, *args):
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    binary, folder = os.path.abspath(sys.argv[1]), sys.argv[2]
    print("| file | in | out | same | lint after import |")
    print("| --- | --- | --- | --- | --- |")
    failures = 0
    for name in sorted(f for f in os.listdir(folder) if f.endswith(".tc.json")):
        path = os.path.abspath(os.path.join(folder, name))
        with open(path, encoding="utf-8") as handle:
            before = counts(json.load(handle))
        with tempfile.TemporaryDirectory() as model:
            subprocess.run(["git", "init", "-q", model], check=True)
            init = run(binary, model, "init")
            imported = run(binary, model, "import", "threat-composer", path, "--owner", "survey-team")
            if init.returncode != 0 or imported.returncode != 0:
                print(f"| {name} | {before} | import failed: {(imported.stderr or init.stderr).strip()[:200]} | no | |")
                failures += 1
                continue
            lint = run(binary, model, "lint", "--format", "json")
            try:
                summary = json.loads(lint.stdout)["summary"]
                rules = sorted({p["rule"] for p in json.loads(lint.stdout)["problems"]})
                lint_text = f"{summary['files']} files: {summary['errors']} errors, {summary['warnings']} warnings ({', '.join(rules) or 'none'})"
                failures += 1 if summary["errors"] else 0
            except (ValueError, KeyError):
                lint_text = f"lint output unreadable (exit {lint.returncode})"
                failures += 1
            out_path = os.path.join(model, "out.tc.json")
            exported = run(binary, model, "export", "threat-composer", "--out", out_path)
            if exported.returncode != 0:
                print(f"| {name} | {before} | export failed: {exported.stderr.strip()[:200]} | no | {lint_text} |")
                failures += 1
                continue
            with open(out_path, encoding="utf-8") as handle:
                after = counts(json.load(handle))
        same = before == after
        failures += 0 if same else 1
        fmt = lambda c: ", ".join(str(n) for n in c)
        print(f"| {name} | {fmt(before)} | {fmt(after)} | {'yes' if same else 'NO'} | {lint_text} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
