#!/usr/bin/env python3
"""A fuzzing campaign over every swapfuzz target, ending in a table of findings.

Each target runs for a bounded time on all cores (libFuzzer -fork). A finding
makes the target write a JSON reproducer named by its signature into the
target's findings directory (one per signature) and abort, which -fork
survives. At the end every reproducer is replayed, attributed to the
catalogue bugs it needs (`swapfuzz explain`), and listed with the time it was first found; the minimized
reproducer of each is printed as a CPU diagram.

The targets are those of the swapfuzz program (`swapfuzz list-targets`), which
reads their one table, fuzz/targets.h.

Usage: tools/campaign.py [--targets zram,zswap,...] [--seconds 60] [--jobs N]
                         [--out campaign-out] [--build build-fuzz] [--cli build/bin/swapfuzz]
                         [--list-targets]
"""

import argparse
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--targets", default="",
                   help="comma-separated targets (default: every target of swapfuzz list-targets)")
    p.add_argument("--seconds", type=int, default=60, help="seconds per target (default: 60)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="parallel fuzzing processes (default: all cores)")
    p.add_argument("--out", default=os.path.join(ROOT, "campaign-out"),
                   help="output directory (default: campaign-out/)")
    p.add_argument("--build", default=os.path.join(ROOT, "build-fuzz"),
                   help="build directory with the libFuzzer targets")
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "bin", "swapfuzz"),
                   help="the swapfuzz program, for the targets, replay and attribution")
    p.add_argument("--no-minimize", action="store_true",
                   help="skip minimizing new reproducers")
    p.add_argument("--list-targets", action="store_true",
                   help="print the targets the campaign would run, one a line, and stop")
    return p.parse_args()


def shown_path(path):
    """`path` relative to the repository when it lies inside it, else absolute."""
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def known_targets(cli):
    """The model fuzz targets, as the swapfuzz program lists them."""
    try:
        r = subprocess.run([cli, "list-targets", "--names"], capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"campaign: cannot run {cli}: {e}")
    if r.returncode != 0:
        sys.exit(f"campaign: {cli} list-targets failed: {r.stderr.strip()}")
    return r.stdout.split()


def attribute(cli, path):
    """The catalogue knobs the finding needs, from `swapfuzz explain`."""
    out = subprocess.run([cli, "explain", path], capture_output=True, text=True).stdout
    return re.findall(r": needs ([a-z0-9_]+):", out)


def libfuzzer_options(target):
    """The [libfuzzer] section of corpus/<target>.options as flags, as OSS-Fuzz reads it."""
    path = os.path.join(ROOT, "corpus", f"{target}.options")
    if not os.path.exists(path):
        return []
    parser = configparser.ConfigParser()
    parser.read(path)
    if not parser.has_section("libfuzzer"):
        return []
    return [f"-{key}={value}" for key, value in parser.items("libfuzzer")]


def fuzz_target(args, target):
    binary = os.path.join(args.build, "bin", f"{target}_fuzzer")
    if not os.path.exists(binary):
        sys.exit(f"campaign: {binary} is missing; build with tools/build.sh fuzz")
    tdir = os.path.join(args.out, target)
    corpus = os.path.join(tdir, "corpus")
    findings = os.path.join(tdir, "findings")
    crashes = os.path.join(tdir, "crashes")
    for d in (corpus, findings, crashes):
        os.makedirs(d, exist_ok=True)
    seeds = os.path.join(ROOT, "corpus", target)
    cmd = [binary, f"-fork={args.jobs}", "-ignore_crashes=1", "-ignore_timeouts=1",
           "-ignore_ooms=1", f"-max_total_time={args.seconds}",
           f"-artifact_prefix={crashes}/", corpus]
    if os.path.isdir(seeds):
        cmd.append(seeds)
    cmd += libfuzzer_options(target)
    env = dict(os.environ, SWAPFUZZ_ARTIFACTS=findings)
    log = open(os.path.join(tdir, "fuzz.log"), "w")
    start = time.time()
    first_seen = {}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tdir)
    while proc.poll() is None:
        time.sleep(2)
        for name in sorted(os.listdir(findings)):
            first_seen.setdefault(name, time.time() - start)
        elapsed = time.time() - start
        print(f"\r[{target}] {elapsed:5.0f}/{args.seconds}s  signatures {len(first_seen)}  "
              f"corpus {len(os.listdir(corpus))}", end="", flush=True)
    for name in sorted(os.listdir(findings)):
        first_seen.setdefault(name, time.time() - start)
    print()
    log.close()
    return [(target, os.path.join(findings, n), t) for n, t in sorted(first_seen.items())
            if n.endswith(".json")]


def signature_of(path):
    with open(path) as f:
        return json.load(f).get("expected", {}).get("signature", "?")


def main():
    args = parse_args()
    if not os.path.exists(args.cli):
        sys.exit(f"campaign: {args.cli} is missing; build with tools/build.sh")
    known = known_targets(args.cli)
    targets = [t for t in args.targets.split(",") if t] or known
    for t in targets:
        if t not in known:
            sys.exit(f"campaign: unknown target '{t}' (known: {', '.join(known)})")
    if args.list_targets:
        print("\n".join(targets))
        return 0
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for target in targets:
        for target_name, path, seconds in fuzz_target(args, target):
            replay = [args.cli, "replay", path, "--verify"]
            ok = subprocess.run(replay, capture_output=True).returncode in (0, 1)
            shown = path
            if not args.no_minimize:
                small = path[:-len(".json")] + ".min.json"
                if not os.path.exists(small):
                    subprocess.run([args.cli, "minimize", path, "-o", small],
                                   capture_output=True)
                if os.path.exists(small):
                    shown = small
            bug = ", ".join(attribute(args.cli, path)) or "-"
            rows.append((target_name, signature_of(path), bug, f"{seconds:.0f}s",
                         shown_path(shown), "yes" if ok else "NO"))
    print()
    if not rows:
        print(f"No findings in {len(targets)} target(s).")
        return 0
    header = ("target", "signature", "catalogue bug (knob)", "first found", "reproducer",
              "replays")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    for target_name, signature, bug, _, shown, _ in rows:
        print(f"\n== {target_name}: {signature} ({bug}): {shown}")
        out = subprocess.run([args.cli, "replay", os.path.join(ROOT, shown), "--diagram"],
                             capture_output=True, text=True).stdout
        # The diagram starts after the run's summary lines, at its header.
        start = out.find("CPU 0 (")
        print(out[start:] if start >= 0 else out)
    print(f"Replay one: {shown_path(args.cli)} replay <reproducer> --trace --diagram")
    return 0


if __name__ == "__main__":
    sys.exit(main())
