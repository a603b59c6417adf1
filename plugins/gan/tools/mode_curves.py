#!/usr/bin/env python3
"""Modes / high-quality % / reverse KL against training updates, per configuration, from a local run store.

Reads every finished trial run of one experiment (its journal.jsonl), groups the runs by name without the
seed ("pacgan pack=4 seed=1" -> "pacgan pack=4") and prints, per group and evaluated step, mean ± sample std
over seeds, with the per-seed modes. Periodic evaluations and the final one log the same keys at their step.
With --running, trials still training (or stopped before their end) are read too, so a long run's curve can be
watched, or a run cut short still reported; such groups are marked "(unfinished)". Several experiment
directories (one experiment's runs split over stores, e.g. seeds run as separate processes) are read as one.
--last N adds, per group, the mean over the last N evaluations of every seed (a steadier figure than the final
one, whose seed spread is wide for GANs); --modes K adds how many evaluations from --from-step on cover fewer
than K modes, and on which seeds. --reference FILE sets each group's final evaluation against a published row
(a CSV: experiment, group, then mean and standard error of modes, high-quality % and reverse KL, e.g.
pacgan_table1.csv beside this tool): the difference in units of the two means' combined standard error
sqrt(SE^2 + s^2/n), s our sample std over n seeds.

Usage: plugins/gan/tools/mode_curves.py genlab-runs/pacgan-ring8 [MORE_DIRS...] [--sweep SWEEP_RUN_ID] [--running]
       [--last N] [--modes K [--from-step S]] [--reference plugins/gan/tools/pacgan_table1.csv]
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
from collections import defaultdict

KEYS = {"eval/coverage/modes_covered": "modes", "eval/quality/high_quality_pct": "hq",
        "eval/coverage/reverse_kl": "kl"}


def read_run(path):
    start, values, finished = None, defaultdict(dict), False
    with open(path) as f:
        for line in f:
            event = json.loads(line)
            kind = event.get("event")
            if kind == "start":
                start = event
            elif kind == "metrics":
                for m in event["metrics"]:
                    if m["key"] in KEYS:
                        values[m["step"]][KEYS[m["key"]]] = m["value"]
            elif kind == "end" and event.get("status") == "FINISHED":
                finished = True
    return start, values, finished


def fmt(xs, digits):
    if len(xs) == 1:
        return f"{xs[0]:.{digits}f}"
    return f"{statistics.mean(xs):.{digits}f} ± {statistics.stdev(xs):.{digits}f}"


def read_reference(path):
    """{(experiment, group): {metric: (mean, standard error)}} from a CSV whose '#' lines are comments."""
    with open(path, newline="") as f:
        rows = csv.DictReader(line for line in f if not line.lstrip().startswith("#"))
        return {(r["experiment"], r["group"]): {k: (float(r[k]), float(r[k + "_se"])) for k in ("modes", "hq", "kl")}
                for r in rows}


def against(reference, finals):
    """Ours minus the reference per metric, in combined standard errors, with both sides' figures."""
    n = len(finals)
    parts = []
    for key, label, digits in (("modes", "modes", 1), ("hq", "high quality %", 1), ("kl", "reverse KL", 2)):
        xs = [f[key] for f in finals]
        mean, sd = statistics.mean(xs), statistics.stdev(xs) if n > 1 else 0.0
        ref, se = reference[key]
        combined = math.sqrt(se ** 2 + sd ** 2 / n)
        z = (mean - ref) / combined if combined > 0 else float("nan")
        parts.append(f"{label} {mean:.{digits}f} ± {sd:.{digits}f} vs {ref:.{digits}f} ± {se:.{digits}f} "
                     f"(SE): {z:+.1f}")
    return f"final against the reference (ours mean ± std over {n}, theirs mean ± SE; difference / combined SE): " \
        + "; ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("experiment_dirs", nargs="+", metavar="experiment_dir")
    ap.add_argument("--sweep", help="only the trials of this sweep (parent) run id")
    ap.add_argument("--running", action="store_true", help="also read trials that have not finished")
    ap.add_argument("--last", type=int, default=0, help="also print the mean over the last N evaluations")
    ap.add_argument("--modes", type=int, default=0, help="the data's mode count: also count evaluations below it")
    ap.add_argument("--from-step", type=int, default=0, help="first step that --modes counts (default: all)")
    ap.add_argument("--reference", help="CSV of published means and standard errors to set the final row against")
    args = ap.parse_args()
    reference = read_reference(args.reference) if args.reference else {}
    groups = defaultdict(list)
    unfinished = set()
    # A store's experiment directory is named for the spec, which is how --reference rows are keyed.
    journals = [(os.path.basename(os.path.normpath(d)), os.path.join(d, "runs", run_id, "journal.jsonl"))
                for d in args.experiment_dirs for run_id in sorted(os.listdir(os.path.join(d, "runs")))]
    experiments = {e for e, _ in journals}
    for experiment, journal in journals:
        if not os.path.exists(journal):
            continue
        start, values, finished = read_run(journal)
        if not start or not values or not start.get("parent_run_id"):
            continue
        if not finished and not args.running:
            continue
        if args.sweep and start["parent_run_id"] != args.sweep:
            continue
        seed = re.search(r"seed=(\d+)", start["name"])
        name = (experiment, re.sub(r"\s*seed=\d+", "", start["name"]))
        groups[name].append((int(seed.group(1)) if seed else -1, values))
        if not finished:
            unfinished.add(name)
    for name, seeded in sorted(groups.items()):
        experiment, group = name
        seeded.sort(key=lambda sv: sv[0])  # "per seed" lists seeds in order, whatever store each came from
        runs = [v for _, v in seeded]
        seeds = ", ".join(str(sd) for sd, _ in seeded)
        title = group if len(experiments) == 1 else f"{experiment}: {group}"
        print(f"## {title} ({len(runs)} seeds: {seeds}{', unfinished' if name in unfinished else ''})")
        print("| updates | modes | per seed | high quality % | reverse KL |")
        print("|---|---|---|---|---|")
        steps = sorted(set.intersection(*(set(r) for r in runs)))
        for step in steps:
            modes = [r[step]["modes"] for r in runs]
            print(f"| {step} | {fmt(modes, 1)} | {', '.join(str(int(m)) for m in modes)} "
                  f"| {fmt([r[step]['hq'] for r in runs], 1)} | {fmt([r[step]['kl'] for r in runs], 2)} |")
        print()
        if args.last:
            tail = steps[-args.last:]
            means = {k: statistics.mean(r[step][k] for r in runs for step in tail) for k in ("modes", "hq", "kl")}
            print(f"last {len(tail)} evaluations ({tail[0]}-{tail[-1]}): modes {means['modes']:.2f}, "
                  f"high quality {means['hq']:.1f} %, reverse KL {means['kl']:.2f}")
        if args.modes:
            counted = [step for step in steps if step >= args.from_step]
            short = {sd: sum(1 for step in counted if r[step]["modes"] < args.modes) for sd, r in seeded}
            on = [str(sd) for sd, k in short.items() if k]
            print(f"evaluations from step {counted[0] if counted else args.from_step} with fewer than {args.modes} "
                  f"modes: {sum(short.values())} of {len(counted) * len(runs)} "
                  f"({len(on)} of {len(runs)} seeds{': ' + ', '.join(on) if on else ''})")
        published = reference.get(name)
        if published:
            print(against(published, [r[steps[-1]] for r in runs]))
        if args.last or args.modes or published:
            print()


if __name__ == "__main__":
    main()
