#!/usr/bin/env python3
"""Compares a sweep run with early stopping against the same sweep as a plain grid, from their local
run stores (the journals genlab writes): the grid's best configuration (mean and std of the objective
over seeds), the early-stopped sweep's best finished configuration, and the share of training steps it
spent. Standard library only.

Usage: scripts/early-stop-compare.py GRID_STORE GRID_EXPERIMENT STOPPED_STORE STOPPED_EXPERIMENT [KEY]
       scripts/early-stop-compare.py --replay GRID_STORE GRID_EXPERIMENT GRACE RF [ORDERS] [KEY]
KEY is the objective's logged key (default eval/quality/high_quality_pct), larger is better.

--replay answers "what would ASHA have spent on this grid, and would it have found a good configuration?"
without training: training is deterministic, so an ASHA trial's values are the grid trial's values. It
replays ASHA's stop rule (docs/early-stopping.md: rungs GRACE x RF^k below the trial's steps, rung value =
first periodic value at or after the rung, stop iff at least floor(n / RF) of the n values at the rung
are strictly better) for one worker training trials one after another, in ORDERS (default 200) random
orders, and prints the distribution of the share of the grid's steps and how often the best finished
configuration's grid mean is within the grid-best's seed spread.
"""
import json
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def runs(store, experiment):
    """The experiment's trial runs (run one sweep per store): tags, params, status, metric histories."""
    out = []
    for journal in Path(store).glob(f"{experiment}/runs/*/journal.jsonl"):
        run = {"tags": {}, "params": {}, "status": "RUNNING", "metrics": defaultdict(list), "parent": None}
        for line in journal.read_text().splitlines():
            if not line.strip():
                continue
            e = json.loads(line)
            kind = e.get("event")
            if kind == "start":
                run["tags"].update(e.get("tags", {}))
                run["parent"] = e.get("parent_run_id")
                run["name"] = e.get("name")
            elif kind == "tags":
                run["tags"].update(e.get("tags", {}))
            elif kind == "params":
                run["params"].update(e.get("params", {}))
            elif kind == "metrics":
                for p in e.get("metrics", []):
                    run["metrics"][p["key"]].append((p["step"], p["value"]))
            elif kind == "end":
                run["status"] = e.get("status")
        if "genlab.trial_index" in run["tags"] and "genlab.variant" not in run["tags"]:
            out.append(run)
    return out


def config(run):
    return run["name"].rsplit(" seed=", 1)[0]


def final(run, key):
    points = run["metrics"].get(key, [])
    return max(points)[1] if points else None


def steps_trained(run):
    if "genlab.stopped_at_step" in run["tags"]:
        return int(run["tags"]["genlab.stopped_at_step"])
    return int(run["params"]["steps"])


def best(runs_, key, finished_only):
    by_config = defaultdict(list)
    for r in runs_:
        if finished_only and r["status"] != "FINISHED":
            continue
        v = final(r, key)
        if v is not None:
            by_config[config(r)].append(v)
    scored = [(statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0.0, len(v), c)
              for c, v in by_config.items()]
    return max(scored)


def history(run, key):
    return sorted(run["metrics"].get(key, []))


def replay_once(grid, order, grace, rf, key):
    """(steps spent, finished runs) of one worker running `order` (indices into grid) under ASHA."""
    at_rung = defaultdict(list)
    spent, finished = 0, []
    for i in order:
        run = grid[i]
        steps = int(run["params"]["steps"])
        curve = history(run, key)
        stopped_at = None
        rung, r = 0, grace
        while r < steps:
            value = next((v for s, v in curve if s >= r), None)
            if value is None:
                break
            others = at_rung[rung]
            keep = (len(others) + 1) // rf
            better = sum(1 for o in others if o > value)
            others.append(value)
            if keep > 0 and better >= keep:
                stopped_at = r
                break
            rung, r = rung + 1, r * rf
        if stopped_at is None:
            spent += steps
            finished.append(run)
        else:
            spent += stopped_at
    return spent, finished


def replay(args):
    store, experiment, grace, rf = args[0], args[1], int(args[2]), int(args[3])
    orders = int(args[4]) if len(args) > 4 else 200
    key = args[5] if len(args) > 5 else "eval/quality/high_quality_pct"
    grid = sorted(runs(store, experiment), key=lambda r: int(r["tags"]["genlab.trial_index"]))
    grid_steps = sum(steps_trained(r) for r in grid)
    g_mean, g_std, _, g_conf = best(grid, key, True)
    grid_mean = defaultdict(list)
    for r in grid:
        grid_mean[config(r)].append(final(r, key))
    plan_spent, plan_finished = replay_once(grid, range(len(grid)), grace, rf, key)
    shares, found = [], 0
    for seed in range(orders):
        order = list(range(len(grid)))
        random.Random(seed).shuffle(order)
        spent, finished = replay_once(grid, order, grace, rf, key)
        shares.append(spent / grid_steps)
        pick = best(finished, key, True)[3]
        found += statistics.mean(grid_mean[pick]) >= g_mean - g_std
    shares.sort()
    print(f"grid: {len(grid)} trials, best {g_conf}: {g_mean:.2f} ± {g_std:.2f}; ASHA grace {grace}, rf {rf}")
    print(f"plan order: {plan_spent / grid_steps:.1%} of the grid's steps, {len(plan_finished)} trials finished")
    print(f"{orders} random orders: share of the grid's steps median {statistics.median(shares):.1%}, "
          f"range {shares[0]:.1%} .. {shares[-1]:.1%}, <= 40 % in {sum(x <= 0.40 for x in shares)}; "
          f"best finished configuration within the grid-best's spread in {found}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--replay":
        if len(sys.argv) < 6:
            sys.exit(__doc__)
        replay(sys.argv[2:])
        return
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    key = sys.argv[5] if len(sys.argv) > 5 else "eval/quality/high_quality_pct"
    grid = runs(sys.argv[1], sys.argv[2])
    stopped = runs(sys.argv[3], sys.argv[4])
    g_mean, g_std, g_n, g_conf = best(grid, key, True)
    s_mean, s_std, s_n, s_conf = best(stopped, key, True)
    grid_steps = sum(steps_trained(r) for r in grid)
    stopped_steps = sum(steps_trained(r) for r in stopped)
    pruned = sum(1 for r in stopped if "genlab.pruned" in r["tags"])
    print(f"objective: {key} (larger is better)")
    print(f"grid:    {len(grid)} trials, best {g_conf}: {g_mean:.2f} ± {g_std:.2f} (n={g_n}), {grid_steps} steps")
    print(f"stopped: {len(stopped)} trials ({pruned} pruned), best finished {s_conf}: {s_mean:.2f} ± {s_std:.2f} "
          f"(n={s_n}), {stopped_steps} steps")
    print(f"steps spent: {stopped_steps / grid_steps:.1%} of the grid's")
    s_in_grid = [final(r, key) for r in grid if config(r) == s_conf and r["status"] == "FINISHED"]
    if s_in_grid:
        print(f"the stopped sweep's best in the grid: {statistics.mean(s_in_grid):.2f}; "
              f"within the grid-best's seed spread (mean - std = {g_mean - g_std:.2f}): "
              f"{s_mean >= g_mean - g_std}")


if __name__ == "__main__":
    main()
