#!/usr/bin/env python3
# A gitflow-shaped history through git fast-import: all work on `develop` (off HEAD's first-parent
# chain), `main` a --no-ff merge of develop every K commits, and M mitigations (one threat each)
# verified on develop near the end: every verified commit sits off the chain, the case where
# "the first change after V" must search a side branch's ancestry (docs/benchmarks.md).
# Usage: Benchmarks/gen_gitflow.py OUT N K M   (e.g. /tmp/gitflow 6000 50 40)
import sys, subprocess, os
out, N, K, M = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out); subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
cfg = "review_cadence: {critical: 30d, high: 60d, medium: 90d, low: 180d, info: 365d}\nowners:\n  team-a: [alice@example.com]\n"
def threat(i, verified):
    s = f"---\nid: T-{i:04d}\ntitle: T{i}\nstride: [spoofing]\nseverity: high\nstatus: open\nowner: team-a\nmitigations:\n  - id: M-1\n    title: M\n    status: verified\n    evidence: [src/m{i % 7}/**, src/all/**]\n"
    if verified: s += f"    verified: {verified}\n"
    return s + "---\n\nBody.\n"
buf = []; mark = [0]; t0 = 1735689600
def blob_inline(path, data):
    b = data.encode(); buf.append(f"M 100644 inline {path}\ndata {len(b)}\n".encode() + b + b"\n")
def commit(ref, msg, t, frm=None, merges=(), files=()):
    mark[0] += 1
    m = msg.encode()
    buf.append(f"commit {ref}\nmark :{mark[0]}\nauthor alice <alice@example.com> {t} +0000\ncommitter alice <alice@example.com> {t} +0000\ndata {len(m)}\n".encode() + m + b"\n")
    if frm: buf.append(f"from :{frm}\n".encode())
    for x in merges: buf.append(f"merge :{x}\n".encode())
    if merges: buf.append(b"deleteall\n")
    for p, d in files: blob_inline(p, d)
    return mark[0]
files = [(".tmrepo.yml", cfg)] + [(f"threats/T-{i:04d}-x.md", threat(i, None)) for i in range(1, M + 1)] + [(f"src/m{j}/a.ts", "0\n") for j in range(7)]
state = dict(files)
root = commit("refs/heads/main", "Model", t0, files=files)
main = root; dev = root; t = t0
vat = N - 30
for i in range(1, N + 1):
    t += 600
    fs = [(f"src/m{i % 7}/a.ts", f"{i}\n")]
    if i == vat: fs += [(f"threats/T-{k:04d}-x.md", threat(k, "2026-01-01")) for k in range(1, M + 1)]
    dev = commit("refs/heads/develop", f"dev {i}", t, frm=dev, files=fs); state.update(fs)
    if i % K == 0 or i == N:
        t += 60; main = commit("refs/heads/main", f"release {i}", t, frm=main, merges=[dev], files=list(state.items()))
subprocess.run(["git", "-C", out, "fast-import", "--quiet"], input=b"".join(buf), check=True)
subprocess.run(["git", "-C", out, "checkout", "-q", "-f", "main"], check=True)
