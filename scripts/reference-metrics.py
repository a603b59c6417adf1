"""Independent reference values for genlab's distribution metrics.

Usage: reference-metrics.py CORE_FIXTURE_DIR [CLI_GOLDEN_DIR]

Writes seeded, fixed inputs (float32 CSV, '%.9g' so every value round-trips exactly) and the values that
reference implementations compute on them, into OUTPUT_DIR/expected.json:

  * precision / recall / density / coverage: the `prdc` package (Naeem et al. 2020, the authors' code),
    called once with nearest_k=3 (precision, recall) and once with nearest_k=5 (density, coverage);
  * Frechet distance: the FID formula with scipy.linalg.sqrtm on Sigma1 @ Sigma2 (as pytorch-fid does),
    numpy.cov (divisor n - 1);
  * KID: unbiased MMD^2 with scikit-learn's polynomial_kernel(degree=3, gamma=1/d, coef0=1) =
    (x.y/d + 1)^3 (Binkowski et al. 2018), on the full sets and on listed subsets (the subset indices are
    written too, so the Java test can use exactly the same subsets).

Inputs are handed to the libraries as float64 (the float32 values widened exactly), which is also what
genlab computes in. Run through scripts/reference-metrics (pinned venv); the library versions are
recorded in the output.
"""

import json
import os
import sys

import numpy as np
import prdc
import scipy
import scipy.linalg
import sklearn
from sklearn.metrics.pairwise import polynomial_kernel

SEED = 20240917
KID_SUBSETS = 5
KID_SUBSET_SIZE = 200


def write_csv(path, array):
    array = np.asarray(array, dtype=np.float32)
    np.savetxt(path, array, fmt="%.9g", delimiter=",")
    back = np.loadtxt(path, dtype=np.float32, delimiter=",", ndmin=2)
    assert np.array_equal(back, array), path  # exact round trip
    return back.astype(np.float64)


def frechet(x, y):
    mu1, mu2 = x.mean(axis=0), y.mean(axis=0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean))


def mmd2_unbiased(x, y):
    d = x.shape[1]
    m, n = len(x), len(y)
    kxx = polynomial_kernel(x, x, degree=3, gamma=1.0 / d, coef0=1)
    kyy = polynomial_kernel(y, y, degree=3, gamma=1.0 / d, coef0=1)
    kxy = polynomial_kernel(x, y, degree=3, gamma=1.0 / d, coef0=1)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * kxy.sum() / (m * n))


def case(out_dir, name, real32, fake32, rng):
    real = write_csv(os.path.join(out_dir, f"{name}-real.csv"), real32)
    fake = write_csv(os.path.join(out_dir, f"{name}-fake.csv"), fake32)
    pr = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=3)
    dc = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=5)
    subsets_x = [sorted_free(rng.choice(len(real), KID_SUBSET_SIZE, replace=False)) for _ in range(KID_SUBSETS)]
    subsets_y = [sorted_free(rng.choice(len(fake), KID_SUBSET_SIZE, replace=False)) for _ in range(KID_SUBSETS)]
    values = [mmd2_unbiased(real[ix], fake[iy]) for ix, iy in zip(subsets_x, subsets_y)]
    return {
        "real": f"{name}-real.csv",
        "fake": f"{name}-fake.csv",
        "precision_k3": float(pr["precision"]),
        "recall_k3": float(pr["recall"]),
        "density_k5": float(dc["density"]),
        "coverage_k5": float(dc["coverage"]),
        # for completeness: the other k of each pair, as prdc computes all four per k
        "density_k3": float(pr["density"]),
        "coverage_k3": float(pr["coverage"]),
        "precision_k5": float(dc["precision"]),
        "recall_k5": float(dc["recall"]),
        "fd": frechet(real, fake),
        "fd_self": frechet(real, real),
        "mmd2_full": mmd2_unbiased(real, fake),
        "kid_subsets_x": subsets_x,
        "kid_subsets_y": subsets_y,
        "kid_subset_values": values,
        "kid_mean": float(np.mean(values)),
        "kid_std": float(np.std(values)),
    }


def sorted_free(indices):
    # keep the drawn order (it does not matter for MMD) but as plain ints for JSON
    return [int(i) for i in indices]


def prdc_values(real, fake, k):
    v = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=k)
    return {key: float(v[key]) for key in ("precision", "recall", "density", "coverage")}


def f1(p, r):
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def cli_expected(real, fake):
    """What `genlab metrics` must print for these sets, with its default k (3 and 5) and with --k 5."""
    pr = prdc_values(real, fake, 3)
    dc = prdc_values(real, fake, 5)
    defaults = {"precision": pr["precision"], "recall": pr["recall"], "f1": f1(pr["precision"], pr["recall"]),
                "density": dc["density"], "coverage": dc["coverage"]}
    k5 = dict(dc, f1=f1(dc["precision"], dc["recall"]))
    # Both sets have the same size, below KID's subset size (1000): genlab's KID is then the MMD^2 of the full sets
    # with spread 0.
    return {"default_k": defaults, "k5": k5, "fd": frechet(real, fake), "kid": mmd2_unbiased(real, fake),
            "kid_std": 0.0}


def cli_golden(out_dir):
    """Golden vectors of `genlab metrics` (framework/cli tests).

    One float64 pair, written as .npy (<f8) and as CSV with a header ('%.17g': exact round trip), the
    same pair as float32 .npy (<f4), and a 600 x 64 float32 pair, each with the values the reference
    implementations compute on them.
    """
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED + 18)
    d = 8
    real = rng.standard_normal((300, d))
    mix = np.eye(d) * 0.9 + 0.2 * rng.standard_normal((d, d))
    fake = rng.standard_normal((300, d)) @ mix.T + 0.25 * rng.standard_normal(d)
    header = ",".join(f"x{j}" for j in range(d))
    for name, x in (("real", real), ("fake", fake)):
        np.save(os.path.join(out_dir, f"{name}.npy"), x.astype("<f8"))
        path = os.path.join(out_dir, f"{name}.csv")
        np.savetxt(path, x, fmt="%.17g", delimiter=",", header=header, comments="")
        assert np.array_equal(np.loadtxt(path, delimiter=",", skiprows=1), x), path
        np.save(os.path.join(out_dir, f"{name}-f32.npy"), x.astype("<f4"))
    # 64 dimensions, as the LeNet features: the size at which FD's eigenproblems do real work.
    d64 = 64
    real64 = rng.standard_normal((600, d64)).astype(np.float32)
    mix64 = np.eye(d64) * 0.9 + 0.1 * rng.standard_normal((d64, d64))
    fake64 = (rng.standard_normal((600, d64)) @ mix64.T + 0.1 * rng.standard_normal(d64)).astype(np.float32)
    np.save(os.path.join(out_dir, "real-64d.npy"), real64.astype("<f4"))
    np.save(os.path.join(out_dir, "fake-64d.npy"), fake64.astype("<f4"))
    golden = {
        "command": "scripts/reference-metrics  (runs scripts/reference-metrics.py, function cli_golden)",
        "seed": SEED + 18,
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                     "prdc": "0.2"},
        "cases": {
            "float64": dict({"real": ["real.npy", "real.csv"], "fake": ["fake.npy", "fake.csv"],
                             "samples": 300, "dim": d}, **cli_expected(real, fake)),
            "float32": dict({"real": ["real-f32.npy"], "fake": ["fake-f32.npy"], "samples": 300, "dim": d},
                            **cli_expected(real.astype(np.float32).astype(np.float64),
                                           fake.astype(np.float32).astype(np.float64))),
            "float32-64d": dict({"real": ["real-64d.npy"], "fake": ["fake-64d.npy"], "samples": 600, "dim": d64},
                                **cli_expected(real64.astype(np.float64), fake64.astype(np.float64))),
        },
    }
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print("cli golden", json.dumps(golden["cases"], indent=1))


def main():
    out_dir = sys.argv[1]
    if len(sys.argv) > 2:
        cli_golden(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)
    cases = {}

    # 8-d Gaussians: real N(0, I); generated N(mu, A A^T) with a random mixing matrix (non-commuting
    # covariances, so the matrix square root is exercised), different set sizes.
    d = 8
    real = rng.standard_normal((500, d))
    a = np.eye(d) * 0.8 + 0.25 * rng.standard_normal((d, d))
    fake = rng.standard_normal((600, d)) @ a.T + 0.3 * rng.standard_normal(d)
    cases["gauss8"] = case(out_dir, "gauss8", real, fake, rng)

    # 2-d ring: real = 8 Gaussians (std 0.05) on the unit circle; generated = only 6 of the modes,
    # wider (std 0.08) and slightly off radius: lower recall/coverage, imperfect precision.
    k = rng.integers(0, 8, 400)
    real = np.stack([np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)], axis=1) + 0.05 * rng.standard_normal((400, 2))
    k = rng.integers(0, 6, 300)
    fake = 1.05 * np.stack([np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)], axis=1) + 0.08 * rng.standard_normal((300, 2))
    cases["ring2"] = case(out_dir, "ring2", real, fake, rng)

    expected = {
        "generator": "scripts/reference-metrics.py",
        "seed": SEED,
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                     "prdc": "0.2"},
        "cases": cases,
    }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for name, c in cases.items():
        print(name, {key: v for key, v in c.items() if not key.startswith("kid_subsets")})


if __name__ == "__main__":
    main()
