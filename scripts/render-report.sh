#!/usr/bin/env bash
# Renders an HTML report in headless Chromium to a PNG and checks it the way a person would look
# at it: the page is not blank and the charts are drawn (pixels in the severity and overdue colours).
#
#   scripts/render-report.sh REPORT.html OUT.png
# Exit 0: rendered and checked; 1: blank or no chart; 2: no browser (apt-get install -y chromium).
set -euo pipefail
html=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
png=$2
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "render-report: no Chromium found (apt-get install -y chromium)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1200,3200 --screenshot="$png" "file://$html" >/dev/null 2>&1
python3 - "$png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks = 8, {}
idat = b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG layout"
channels = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * channels
rows, previous = [], bytearray(stride)
for y in range(height):
    kind = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        corner = previous[i - channels] if i >= channels else 0
        if kind == 1: line[i] = (line[i] + left) & 255
        elif kind == 2: line[i] = (line[i] + up) & 255
        elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
    rows.append(bytes(line))
    previous = line
colors = {}
for line in rows:
    for x in range(0, stride, channels * 2):
        rgb = tuple(line[x:x + 3])
        colors[rgb] = colors.get(rgb, 0) + 1
non_white = sum(count for rgb, count in colors.items() if rgb != (255, 255, 255))
def near(target):
    return sum(count for rgb, count in colors.items() if all(abs(a - b) <= 6 for a, b in zip(rgb, target)))
red, purple, orange = near((0xd3, 0x2f, 0x2f)), near((0x7b, 0x1f, 0xa2)), near((0xf5, 0x7c, 0x00))
print(f"render-report: {width}x{height}, {len(colors)} colours, {non_white} non-white samples; chart pixels red={red} purple={purple} orange={orange}")
if non_white < 1000: sys.exit("render-report: the page is blank")
if red < 200 or purple + orange < 200: sys.exit("render-report: the charts are missing")
PY
