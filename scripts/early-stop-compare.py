#!/usr/bin/env python3
"""Compares a sweep run with early stopping against the same sweep as a plain grid, from their local
run stores (the journals genlab writes): the grid's best configuration (mean and std of the objective
over seeds), the early-stopped sweep's best finished configuration, and the share of training steps it
spent. Standard library only.

Usage: scripts/early-stop-compare.py GRID_STORE GRID_EXPERIMENT STOPPED_STORE STOPPED_EXPERIMENT [KEY]
KEY is the objective's logged key (default eval/quality/high_quality_pct), larger is better.
"""
import json
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


def main():
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
