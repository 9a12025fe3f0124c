#!/usr/bin/env bash
# tools/bench/time_to_bug.py end to end, on the in-process strategies (the
# libFuzzer ones need the fuzz build): one bug, two seeds, and the JSON,
# markdown and SVG it writes.
#
# Usage: tests/time_to_bug_test.sh <swapfuzz binary> <repository root> <scratch dir>
set -euo pipefail
cli=$1
root=$2
out=$3
rm -rf "$out"
fail() { echo "time_to_bug_test: $1"; echo "----- output -----"; echo "$log"; exit 1; }
log=$(python3 "$root/tools/bench/time_to_bug.py" --bugs 5878303c5353 \
        --strategies random,pct3,dfs --seeds 2 --cap 20 --cli "$cli" --out "$out" 2>&1) ||
  fail "the script failed"

python3 - "$out" <<'PY' || fail "ttb.json is not what the run measured"
import json, sys
d = json.load(open(sys.argv[1] + "/ttb.json"))
assert d["seeds"] == 2 and d["machine"]["cpus"] >= 1, d
assert d["preemptions_needed"]["5878303c5353"] == 2, d["preemptions_needed"]
cells = d["results"]["5878303c5353"]
for strategy, runs in (("random", 2), ("pct3", 2), ("dfs", 1)):
    c = cells[strategy]
    assert c["runs"] == runs and c["found"] == runs, (strategy, c)
    assert c["execs"]["q1"] <= c["execs"]["median"] <= c["execs"]["q3"], (strategy, c)
PY
grep -q '^| 5878303c5353 | 2 | random | 2/2 | ' "$out/ttb.md" || fail "no random row in ttb.md"
grep -q '^| 5878303c5353 | 2 | dfs | 1/1 | ' "$out/ttb.md" || fail "no dfs row in ttb.md"
grep -q '^Machine: .*; commit ' "$out/ttb.md" || fail "ttb.md does not say the machine and build"
python3 - "$out/ttb.svg" <<'PY' || fail "ttb.svg is not a plot of both measures"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert any("median executions" in t for t in texts) and any("median seconds" in t for t in texts)
bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
assert len(bars) >= 2 * 3, len(bars)  # 3 cells in each panel, plus the legend
PY
echo "time_to_bug_test: ran random, pct3 and dfs on 5878303c5353 and wrote the table and plot"
