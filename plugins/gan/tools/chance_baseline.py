#!/usr/bin/env python3
"""Mode metrics of a structureless generator, the chance level for plugins/gan/README.md's tables.

2,500 points uniform on a box, scored with the definitions of docs/metrics.md (high quality: within 3 sigma
of the nearest centre; modes covered; reverse KL against uniform), 10 draws, mean and sample std.
Standard library only: python3 plugins/gan/tools/chance_baseline.py
"""
import math
import random
import statistics


def mode_metrics(points, centres, sigma):
    counts = [0] * len(centres)
    hq = 0
    for x, y in points:
        d, k = min((math.hypot(x - cx, y - cy), i) for i, (cx, cy) in enumerate(centres))
        if d < 3 * sigma:
            hq += 1
            counts[k] += 1
    k_modes = len(centres)
    # With no high-quality sample the distribution over modes is undefined; genlab reports ln K then.
    reverse_kl = math.log(k_modes) if hq == 0 else sum(
        c / hq * math.log(c / hq * k_modes) for c in counts if c)
    return sum(c > 0 for c in counts), 100.0 * hq / len(points), reverse_kl


GRID = [(-4 + 2 * i, -4 + 2 * j) for i in range(5) for j in range(5)]
RING = [(math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)) for k in range(8)]


def main():
    for label, centres, sigma, half in [("grid25, box [-5,5]^2", GRID, 0.05, 5.0),
                                        ("grid25, box [-6,6]^2", GRID, 0.05, 6.0),
                                        ("ring8, box [-1.5,1.5]^2", RING, 0.01, 1.5)]:
        draws = []
        for seed in range(10):
            rng = random.Random(seed)
            pts = [(rng.uniform(-half, half), rng.uniform(-half, half)) for _ in range(2500)]
            draws.append(mode_metrics(pts, centres, sigma))
        cols = ["%.3g ± %.2g" % (statistics.mean(v), statistics.stdev(v)) for v in zip(*draws)]
        print("%-24s modes %s | HQ %% %s | reverse KL %s" % (label, *cols))


if __name__ == "__main__":
    main()  # the reference run (pacgan_reference.py) imports mode_metrics and GRID without running this
