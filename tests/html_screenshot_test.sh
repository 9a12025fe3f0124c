#!/usr/bin/env bash
# Renders a race's HTML timeline in headless Chromium (Debian's `chromium`),
# takes a screenshot, and checks what a person would see: the page loads from
# the file alone (no network), and the failing step's red box is on screen.
#
# Usage: tests/html_screenshot_test.sh <swapfuzz binary> <repository root> <out dir>
set -euo pipefail
swapfuzz=$1
root=$2
dir=$3
mkdir -p "$dir"
html=$dir/timeline.html
png=$dir/timeline.png
"$swapfuzz" replay "$root/corpus/regressions/zram_free_notify_on_read.json" --html="$html" >/dev/null ||
  [ $? -eq 1 ]
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "html_screenshot_test: chromium is not installed (tools/deps.sh installs it)"
  exit 1
fi
rm -f "$png"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --user-data-dir="$dir/profile" --window-size=1500,1100 --screenshot="$png" "file://$html" \
  >"$dir/chromium.log" 2>&1 || true
[ -s "$png" ] || { echo "html_screenshot_test: no screenshot"; cat "$dir/chromium.log"; exit 1; }
python3 - "$png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev = [], bytearray(stride)
for y in range(height):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
red = sum(1 for r in rows for x in range(0, stride, bpp)
          if r[x] > 200 and r[x + 1] < 90 and r[x + 2] < 90)
text = sum(1 for r in rows for x in range(0, stride, bpp) if r[x] < 80 and r[x + 1] < 80 and r[x + 2] < 80)
print(f"html_screenshot_test: {width}x{height}, {red} red pixels (failing step), {text} dark pixels (text)")
assert red > 200, "the failing step is not visible"
assert text > 2000, "the timeline's text did not render"
PY
