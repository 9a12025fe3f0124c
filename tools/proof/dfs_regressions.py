#!/usr/bin/env python3
"""Exhaustive DFS over every regression program under one release.

For each schedule in corpus/regressions/ (and corpus/open-questions/), runs
`swapfuzz explore --strategy=dfs --from FILE --profile=P --bound=B`: every
interleaving of the file's programs within the preemption bound, on release
P as released (the file's own knob overrides dropped) and, with --all-fixed,
with every knob P still sets cleared too. A program whose config does not
resolve under P is listed as skipped. Prints one Markdown row per file and
exits 1 if any run found something, 2 if swapfuzz failed.

Usage: tools/proof/dfs_regressions.py [--profile mainline] [--bound 3]
                                      [--all-fixed] [--cli build/bin/swapfuzz]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", default="mainline")
    p.add_argument("--bound", type=int, default=3)
    p.add_argument("--all-fixed", action="store_true",
                   help="also clear every knob the profile sets: the release with every catalogued fix")
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "bin", "swapfuzz"))
    args = p.parse_args()

    try:
        profiles = json.loads(subprocess.run([args.cli, "list-profiles", "--json"], check=True,
                                             capture_output=True, text=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        sys.exit(f"dfs_regressions: cannot read the profiles from {args.cli}: {e}")
    wanted = [q for q in profiles if q["name"] == args.profile or (args.profile == "mainline" and q["mainline"])]
    if not wanted:
        sys.exit(f"dfs_regressions: unknown profile '{args.profile}'")
    profile = wanted[0]
    knob_flag = []
    if args.all_fixed and profile["knobs"]:
        knob_flag = ["--knob=" + ",".join(f"{k}=off" for k in profile["knobs"])]

    files = sorted(glob.glob(os.path.join(ROOT, "corpus", "regressions", "*.json")) +
                   glob.glob(os.path.join(ROOT, "corpus", "open-questions", "*.json")))
    label = profile["name"] + (" with every knob cleared" if knob_flag else " as released")
    print(f"DFS within preemption bound {args.bound} under {label} ({profile['release']})\n")
    print("| program | outcome | executions | states |")
    print("|---|---|---|---|")
    found = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            out = os.path.join(tmp, "finding.json")
            r = subprocess.run([args.cli, "explore", "--strategy=dfs", "--from", f,
                                f"--profile={profile['name']}", f"--bound={args.bound}", "-o", out] + knob_flag,
                               capture_output=True, text=True)
            name = os.path.relpath(f, ROOT)
            stats = re.search(r"(\d+) executions, (\d+) states", r.stdout + r.stderr)
            execs, states = stats.groups() if stats else ("", "")
            if r.returncode == 2 and "does not" in r.stderr:
                outcome = "skipped: " + r.stderr.strip().splitlines()[-1]
            elif r.returncode not in (0, 1):
                outcome = f"swapfuzz failed ({r.returncode}): " + r.stderr.strip().splitlines()[-1]
                failed += 1
            elif os.path.exists(out):
                m = re.search(r"FINDING (\S+)", r.stdout + r.stderr)
                outcome = "FINDING " + (m.group(1) if m else "?")
                found += 1
                os.remove(out)
            else:
                outcome = "clean"
            print(f"| {name} | {outcome} | {execs} | {states} |")
    print(f"\n{len(files)} programs, {found} with a finding, {failed} failed")
    sys.exit(2 if failed else 1 if found else 0)


if __name__ == "__main__":
    main()
