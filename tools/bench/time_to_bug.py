#!/usr/bin/env python3
"""Time to bug: every catalogue bug x every search strategy x N seeds.

Each run hunts one bug on one core, on a kernel that had it (the profile of
its regression file plus its knobs); findings the bug's knob does not explain
are passed over. A run ends at the first
finding or at the time cap. Reported per (bug, strategy): runs that found it,
median and interquartile range of seconds and of executions to the first
finding. Results go to <out>/ttb.json, <out>/ttb.md and <out>/ttb.svg, with the
machine and build they ran on.

Strategies:
  guided    libFuzzer guided by the model's counters (model/coverage.h), with
            the structure-aware mutator (tools/build.sh fuzz: no C++ coverage)
  counters  the same without the mutator
  plain     libFuzzer alone: C++ code coverage of the model and byte mutations
            (tools/build.sh fuzz-sancov, SWAPFUZZ_NO_COUNTERS and _NO_MUTATOR)
  mutator   plain with the structure-aware mutator
  random, pct2, pct3, dfs
            in-process strategies of `swapfuzz explore` (when it is built)
Every libFuzzer strategy but plain runs with the flags of the target's
corpus/<target>.options, as OSS-Fuzz runs it; plain gets only -max_len=512.
The catalogue and the targets come from the swapfuzz program (--cli), which
every strategy needs.

Usage: tools/bench/time_to_bug.py [--bugs all|name,...] [--strategies guided,plain,...]
                                  [--seeds 10] [--cap 60] [--jobs 1] [--prune 0]
                                  [--target T] [--out results/ttb]

--target T hunts each bug on fuzz target T and its release, with the
regression file's knobs: the libFuzzer strategies and random and pct decode
T's inputs; dfs explores the regression file's programs under T's release.
A release that refuses the regression (its ops or knobs) is an error.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from campaign import libfuzzer_options  # noqa: E402  (tools/ is not a package)

# bug (the fix) -> (the fuzz target whose op table reaches it, the regression
# file, in corpus/regressions/, whose programs dfs explores). The zram bugs use
# the zram target; the zswap, disk and swapoff bugs the zswap target (zswap
# over a disk, whose op table has swapoff, zswap shrink and the pool knobs);
# the bugs of the fault that skips the swap cache on zram, with swapoff or
# zswap in play, and the bug of zram's batched writeback (v7.1.y, whose ops
# zram_idle and zram_writeback that target has), the mainline_zram_zswap
# target. The rest comes from the swapfuzz program and the regression file,
# never restated here (setups()):
# the hunted knob is the catalogue knob of the fix (`swapfuzz list-bugs
# --json`), the target must be one `swapfuzz list-targets` names, and the bug
# runs on a kernel that had it: the regression file's profile and knobs.
# Findings that the hunted knob does not explain (KnobsNeeded(), the
# attribution `swapfuzz explain` prints) are passed over.
BUGS = {
    "e914d8f00391": ("zram", "zram_free_notify_on_read.json"),
    "13ddaf26be32": ("zram", "skip_swapcache_aba.json"),
    "5df373e95689": ("zram", "free_notify_shared_slot.json"),
    "04fc7816089c": ("zswap", "seed002_zswap_writeback_race.json"),
    "e3b63e966cac": ("zswap", "zswap_wb_stale_folio_leak.json"),
    "ca56489c2f1d": ("zswap", "zswap_dup_store_keeps_old.json"),
    "678e54d4bb9a": ("zswap", "zswap_dup_invalidate_only_enabled.json"),
    "25cd241408a2": ("mainline_zram_zswap", "zswap_exclusive_load_private_folio.json"),
    "5878303c5353": ("zswap", "zswap_lru_wb_swapoff.json"),
    "2799e77529c2": ("mainline_zram_zswap", "do_swap_page_swapoff.json"),
    "82b1c07a0af6": ("zswap", "free_swap_and_cache_swapoff.json"),
    "ae38eb210590": ("mainline_zswap", "swapoff_unuse_stale_zswap_folio.json"),
    # No fix yet: the knob's name stands for it (bug_key()).
    "zeromap_keeps_stale_zswap_entry": ("mainline_zeromap", "zeromap_stale_zswap_entry.json"),
    "bf62f69574b1": ("mainline_zram_zswap", "zram_writeback_endio_uaf.json"),
    "3e8d8eb8d7f5": ("mainline_zram_zswap", "zram_wb_leaked_block.json"),
    "a733d8de7f1c": ("mainline", "reclaim_retry_wrong_entry.json"),
    "12dcb0ef5406": ("lts618_zswap_hotplug", "zswap_acomp_cpu_dead_uaf.json"),
    "memcg_swapin_charge_before_pin": ("mainline_memcg", "memcg_swapin_charge_before_pin.json"),
    "63895d20d63b": ("lts618_mthp", "zswap_large_store_uncounted_rollback.json"),
    "large_swapin_zeromap_unpinned": ("lts612_mthp", "large_swapin_partial_zeromap.json"),
    "unuse_pte_large_swapin_folio": ("mainline_mthp_mm", "unuse_pte_large_swapin_folio.json"),
    "8a1968bd997f": ("mainline_shmem", "shmem_free_swap_stale_order.json"),
}


def bug_key(bug):
    """How BUGS and --bugs name a catalogue bug: its fix, or its knob's name
    while no fix exists."""
    return bug["fix"] or bug["name"]

# What "mainline" (or no profile) means in a schedule file: v6.9, forever
# (kFileMainlineProfile, model/knobs.h). On the command line "mainline" is the
# newest release, so a file's profile is passed on as the release it names.
FILE_MAINLINE_PROFILE = "v6.9"


def swapfuzz_json(cli, command):
    """`swapfuzz <command> --json`, parsed: the program's own tables."""
    try:
        r = subprocess.run([cli, command, "--json"], capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"ttb: cannot run {cli}: {e}")
    if r.returncode != 0:
        sys.exit(f"ttb: {cli} {command} --json failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def setups(cli, bugs, on_target=None):
    """bug -> (fuzz target, profile, knob overrides, the knob hunted, regression
    file), from BUGS, the swapfuzz program's tables and the regression files.
    With on_target, every bug is hunted on that target and its release, with
    the regression file's knobs: whether another release's code has the race."""
    knob_of = {bug_key(b): b["name"] for b in swapfuzz_json(cli, "list-bugs")}
    target_profiles = {t["name"]: t["profile"] for t in swapfuzz_json(cli, "list-targets")}
    targets = list(target_profiles)
    if on_target is not None and on_target not in target_profiles:
        sys.exit(f"ttb: unknown fuzz target '{on_target}' (known: {', '.join(targets)})")
    out = {}
    for bug in bugs:
        if bug not in knob_of:
            sys.exit(f"ttb: {bug} is not a fix in the catalogue (swapfuzz list-bugs)")
        if bug not in BUGS:
            sys.exit(f"ttb: {bug} ({knob_of[bug]}) has no fuzz target and regression file in BUGS")
        target, regression = BUGS[bug]
        if target not in targets:
            sys.exit(f"ttb: {bug}: unknown fuzz target '{target}' (known: {', '.join(targets)})")
        with open(os.path.join(ROOT, "corpus", "regressions", regression)) as f:
            config = json.load(f).get("config", {})
        knobs = ",".join(f"{name}={'on' if on else 'off'}"
                         for name, on in config.get("knobs", {}).items())
        profile = config.get("profile", "mainline")
        if profile == "mainline":
            profile = FILE_MAINLINE_PROFILE
        if on_target is not None:
            target, profile = on_target, target_profiles[on_target]
            refused = runs_refused(cli, regression, profile, knobs)
            if refused:
                sys.exit(f"ttb: {bug} cannot run on {on_target} ({profile}): {refused}")
        out[bug] = (target, profile, knobs, knob_of[bug], regression)
    return out


def runs_refused(cli, regression, profile, knobs):
    """Why `swapfuzz replay` refuses the regression file under `profile` with
    `knobs` (exit 2: its one-line error), or "" when it runs."""
    cmd = [cli, "replay", os.path.join(ROOT, "corpus", "regressions", regression),
           f"--profile={profile}"] + ([f"--knob={knobs}"] if knobs else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.stderr.strip().splitlines()[-1] if r.returncode == 2 else ""


def catalogue_bugs(cli):
    """--bugs all: every bug of BUGS (setups() checks each against the
    catalogue); a catalogue fix BUGS lacks is named on stderr."""
    for b in swapfuzz_json(cli, "list-bugs"):
        if bug_key(b) not in BUGS:
            print(f"ttb: skipping {bug_key(b)} ({b['name']}): no fuzz target and regression file "
                  "in BUGS", file=sys.stderr)
    return list(BUGS)


# strategy -> (which build: the default fuzz build or the one with C++
# coverage of the model, environment, whether the target's flags in
# corpus/<target>.options apply as OSS-Fuzz applies them; plain is libFuzzer
# out of the box, with only -max_len=512)
LIBFUZZER = {
    "guided": ("build", {}, True),
    "counters": ("build", {"SWAPFUZZ_NO_MUTATOR": "1"}, True),
    "plain": ("sancov_build", {"SWAPFUZZ_NO_COUNTERS": "1", "SWAPFUZZ_NO_MUTATOR": "1"}, False),
    "mutator": ("sancov_build", {"SWAPFUZZ_NO_COUNTERS": "1"}, True),
}
EXPLORE = {"random": ["--strategy=random"], "pct2": ["--strategy=pct", "--depth=2"],
           "pct3": ["--strategy=pct", "--depth=3"], "dfs": ["--strategy=dfs", "--bound=3"]}
# Strategies that do not depend on the seed: one run stands for all.
DETERMINISTIC = {"dfs"}


def run_libfuzzer(build, target, profile, knobs, hunt, env_extra, flags, seed, cap, seeds):
    binary = os.path.join(build, "bin", f"{target}_fuzzer")
    work = tempfile.mkdtemp(prefix="ttb-")
    try:
        corpus = os.path.join(work, "corpus")
        seed_dir = os.path.join(ROOT, "corpus", target)
        if seeds and os.path.isdir(seed_dir):
            shutil.copytree(seed_dir, corpus)  # libFuzzer grows a copy, as OSS-Fuzz does
        else:
            os.mkdir(corpus)
        env = dict(os.environ, SWAPFUZZ_PROFILE=profile, SWAPFUZZ_KNOBS=knobs,
                   SWAPFUZZ_HUNT=hunt,
                   SWAPFUZZ_ARTIFACTS=os.path.join(work, "findings"), **env_extra)
        cmd = [binary, f"-seed={seed}", f"-max_total_time={cap}", *flags,
               "-print_final_stats=1", f"-artifact_prefix={work}/", corpus]
        start = time.time()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True).stderr
        elapsed = time.time() - start
        finding = re.search(r"^swapfuzz: FINDING (\S+)", out, re.M)
        execs = re.search(r"stat::number_of_executed_units: (\d+)", out)
        return {"found": finding is not None,
                "signature": finding.group(1) if finding else "",
                "seconds": round(elapsed, 3),
                "execs": int(execs.group(1)) if execs else None}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_explore(cli, target, profile, knobs, hunt, regression, flags, seed, cap):
    if "--strategy=dfs" in flags:
        # dfs explores the regression file's programs under the bug's kernel
        where = [f"--from={os.path.join(ROOT, 'corpus', 'regressions', regression)}",
                 f"--profile={profile}"]
    else:
        where = [f"--target={target}", f"--profile={profile}"]
    cmd = [cli, "explore"] + where + ([f"--knob={knobs}"] if knobs else []) + [
           f"--hunt={hunt}", f"--seed={seed}", f"--seconds={cap}", "--json"] + flags
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        data = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return {"found": bool(data.get("signature")), "signature": data.get("signature", ""),
            "seconds": data.get("seconds"), "execs": data.get("executions")}


def preemptions_needed(cli, setup, cap):
    """The least preemption bound at which dfs finds the bug in its regression
    programs (0 to 3), or None: how many preemptions the bug needs."""
    target, profile, knobs, hunt, regression = setup
    for bound in range(4):
        r = run_explore(cli, target, profile, knobs, hunt, regression,
                        ["--strategy=dfs", f"--bound={bound}"], 1, cap)
        if r and r["found"]:
            return bound
    return None


def aims(results, preemptions):
    """Issue 6's aims on this data, as markdown lines."""
    def median(bug, strategy, key):
        q = results[bug].get(strategy, {}).get(key)
        return q["median"] if q else None
    lines = ["", "Aims (issue 6):", ""]
    if any("guided" in r for r in results.values()):
        slow = [bug for bug, r in results.items() if "guided" in r and
                (r["guided"]["found"] * 2 <= r["guided"]["runs"] or
                 (median(bug, "guided", "seconds") or 1e9) >= 10)]
        lines.append("- guided median under 10 s, found in most runs, for every bug: " +
                     ("met" if not slow else "not met (" + ", ".join(slow) + ")"))
    for bug, r in results.items():
        if (preemptions.get(bug) or 0) < 2 or "guided" not in r:
            continue
        guided = median(bug, "guided", "execs")
        parts = []
        for other, factor in (("random", 5), ("pct2", 2), ("pct3", 2)):
            theirs = median(bug, other, "execs")
            if guided is None or theirs is None:
                continue
            ratio = theirs / guided
            told = (f"{ratio:.1f}x fewer than {other}" if ratio >= 1
                    else f"{1 / ratio:.1f}x more than {other}")
            parts.append(f"{told} ({'met' if ratio >= factor else f'aim {factor}x fewer: not met'})")
        if parts:
            lines.append(f"- {bug} (needs {preemptions[bug]} preemptions): guided needs "
                         + ", ".join(parts))
    return lines


def summarize(runs):
    found = [r for r in runs if r["found"]]
    def quartiles(values):
        if not values:
            return None
        values = sorted(values)
        if len(values) == 1:
            return {"median": values[0], "q1": values[0], "q3": values[0]}
        q = statistics.quantiles(values, n=4, method="inclusive")
        return {"median": statistics.median(values), "q1": q[0], "q3": q[2]}
    return {"runs": len(runs), "found": len(found),
            "seconds": quartiles([r["seconds"] for r in found]),
            "execs": quartiles([r["execs"] for r in found if r["execs"] is not None])}


def machine():
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    return {"host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count(),
            "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                         if l.startswith("model name")), "?"),
            "compiler": out(["clang++", "--version"]).splitlines()[0],
            "commit": out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])}


def fmt(q, digits=1):
    if q is None:
        return "-"
    return f"{q['median']:.{digits}f} [{q['q1']:.{digits}f}, {q['q3']:.{digits}f}]"


def write_svg(path, results, strategies):
    """Median executions and median seconds per bug and strategy, as two
    panels of grouped bars on log scales. A value below a panel's floor is a
    short stub; a cell with no find (or not run) has an "x" on the baseline."""
    import math
    bugs = list(results)
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
              "#7f7f7f"]
    bar, gap, left, panel, label = 14, 30, 70, 220, 40
    group = (bar + 2) * len(strategies)
    width = left + len(bugs) * (group + gap) + 10
    panels = [("execs", "median executions to first finding (log scale)", 1, 1e7),
              ("seconds", "median seconds to first finding (log scale)", 1e-3, 100)]
    height = len(panels) * (panel + label) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">']
    for p_i, (key, title, lo, hi) in enumerate(panels):
        top = p_i * (panel + label) + 20
        base = top + panel

        def y(v):
            v = min(max(v, lo), hi)
            return base - panel * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        parts.append(f'<text x="{left}" y="{top - 6}">{title}; x: not found within the cap</text>')
        decade = lo
        while decade <= hi * 1.001:
            parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(decade):.1f}" '
                         f'y2="{y(decade):.1f}" stroke="#ddd"/><text x="5" '
                         f'y="{y(decade) + 4:.1f}">{decade:g}</text>')
            decade *= 10
        x = left + 10
        for bug in bugs:
            for i, strategy in enumerate(strategies):
                q = results[bug].get(strategy, {}).get(key)
                color = colors[i % len(colors)]
                if q is None:
                    parts.append(f'<text x="{x + 3}" y="{base - 2}" fill="{color}">x</text>')
                else:
                    top_y = min(y(q["median"]), base - 2)  # a stub below the floor
                    parts.append(f'<rect x="{x}" y="{top_y:.1f}" width="{bar}" '
                                 f'height="{base - top_y:.1f}" fill="{color}"/>')
                x += bar + 2
            parts.append(f'<text x="{x - group}" y="{base + 14}">{bug}</text>')
            x += gap
    for i, strategy in enumerate(strategies):
        parts.append(f'<rect x="{left + 90 * i}" y="{height - 20}" width="10" height="10" '
                     f'fill="{colors[i % len(colors)]}"/><text x="{left + 90 * i + 14}" '
                     f'y="{height - 11}">{strategy}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bugs", default="all")
    p.add_argument("--strategies", default="guided,mutator,counters,plain")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--cap", type=int, default=60, help="seconds per run")
    p.add_argument("--out", default=os.path.join(ROOT, "results", "ttb"))
    p.add_argument("--build", default=os.path.join(ROOT, "build-fuzz"))
    p.add_argument("--sancov-build", default=os.path.join(ROOT, "build-fuzz-sancov"),
                   help="fuzz build with C++ coverage of the model, for plain and mutator")
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "bin", "swapfuzz"))
    p.add_argument("--no-seeds", action="store_true",
                   help="start libFuzzer from an empty corpus, not the target's seeds")
    p.add_argument("--jobs", type=int, default=1,
                   help="runs at a time (each is single-threaded: one core each)")
    p.add_argument("--prune", type=int, default=0,
                   help="skip a cell's remaining seeds once this many hit the cap with no find")
    p.add_argument("--target", default=None,
                   help="hunt on this fuzz target and its release instead of the bug's own "
                        "(the regression file's knobs kept)")
    args = p.parse_args()
    bugs = catalogue_bugs(args.cli) if args.bugs == "all" else args.bugs.split(",")
    setup = setups(args.cli, bugs, args.target)
    strategies = args.strategies.split(",")
    os.makedirs(args.out, exist_ok=True)
    results = {}
    jobs = []  # (bug, strategy, seed)
    for bug in bugs:
        for strategy in strategies:
            if strategy not in LIBFUZZER and strategy not in EXPLORE:
                sys.exit(f"ttb: unknown strategy {strategy}")
            seeds = 1 if strategy in DETERMINISTIC else args.seeds
            jobs += [(bug, strategy, seed) for seed in range(1, seeds + 1)]
    runs_by_cell = {}
    misses = {}

    def one(job):
        bug, strategy, seed = job
        target, profile, knobs, hunt, regression = setup[bug]
        # A slow cell: after --prune seeds all hit the cap, skip the rest.
        if args.prune and misses.get((bug, strategy), 0) >= args.prune and \
                not any(r["found"] for r in runs_by_cell.get((bug, strategy), [])):
            return None
        if strategy in LIBFUZZER:
            build, env, options = LIBFUZZER[strategy]
            flags = libfuzzer_options(target) if options else ["-max_len=512"]
            r = run_libfuzzer(getattr(args, build), target, profile, knobs, hunt, env, flags,
                              seed, args.cap, not args.no_seeds)
        else:
            r = run_explore(args.cli, target, profile, knobs, hunt, regression,
                            EXPLORE[strategy], seed, args.cap)
            if r is None:
                return None
        runs_by_cell.setdefault((bug, strategy), []).append(r | {"seed": seed})
        if not r["found"]:
            misses[(bug, strategy)] = misses.get((bug, strategy), 0) + 1
        print(f"{bug} {strategy} seed {seed}: "
              f"{'found ' + r['signature'] if r['found'] else 'not found'} "
              f"in {r['seconds']}s, {r['execs']} execs", flush=True)
        return r

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        preemptions = dict(zip(bugs, pool.map(
            lambda bug: preemptions_needed(args.cli, setup[bug], args.cap), bugs)))
        list(pool.map(one, jobs))
    results = {}
    for bug in bugs:
        results[bug] = {}
        for strategy in strategies:
            runs = sorted(runs_by_cell.get((bug, strategy), []), key=lambda r: r["seed"])
            if runs:
                results[bug][strategy] = summarize(runs) | {"runs_detail": runs}
    report = {"machine": machine(), "cap_seconds": args.cap, "seeds": args.seeds,
              "jobs": args.jobs, "prune": args.prune, "preemptions_needed": preemptions,
              "on": {bug: {"target": setup[bug][0], "profile": setup[bug][1]} for bug in bugs},
              "results": results}
    with open(os.path.join(args.out, "ttb.json"), "w") as f:
        json.dump(report, f, indent=2)
    m = report["machine"]
    lines = [f"Time to first finding, {args.seeds} seeds per cell, one core each, "
             f"cap {args.cap} s, {args.jobs} run(s) at a time"
             + (f", a cell stops after {args.prune} capped runs without a find" if args.prune else "")
             + ". dfs (bound 3, the regression file's programs) is deterministic: one run. "
             "Median [Q1, Q3] over the runs that found the bug.",
             f"Machine: {m['cpu']}, {m['cpus']} cores, Linux {m['kernel']}; "
             f"{m['compiler']}; commit {m['commit']}.", "",
             "On: " + "; ".join(f"{bug}: {setup[bug][0]} ({setup[bug][1]})" for bug in bugs)
             + ".", "",
             "Preemptions: the least bound at which dfs finds the bug in its regression programs.",
             "",
             "| bug | preemptions | strategy | found | seconds | executions |",
             "|---|---|---|---|---|---|"]
    for bug, by_strategy in results.items():
        needed = preemptions.get(bug)
        for strategy, s in by_strategy.items():
            lines.append(f"| {bug} | {'-' if needed is None else needed} | {strategy} | "
                         f"{s['found']}/{s['runs']} | {fmt(s['seconds'], 2)} | "
                         f"{fmt(s['execs'], 0)} |")
    lines += aims(results, preemptions)
    with open(os.path.join(args.out, "ttb.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    write_svg(os.path.join(args.out, "ttb.svg"), results, strategies)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
