"""Side-by-side benchmarks of genlab against the field's reference implementations (issue 11).

Run through scripts/bench, which prepares the pinned venv and the Java side. Every measurement alternates
one genlab repetition (a request to the long-lived Java process dev.genlab.bench.BenchServer) with one
reference repetition (PyTorch eager, prdc or scipy, in this process), so load from other processes on the
machine hits both sides alike; each side reports min and median over the repetitions.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import numpy as np  # noqa: E402
import prdc  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(THREADS)
torch.set_num_interop_threads(1)


def load():
    return os.getloadavg()[0]


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "n": len(values), "all": values}


# ----------------------------------------------------------------------------------------- Java side


class Genlab:
    """The Java benchmark process: one JSON request line in, one JSON reply line out."""

    def __init__(self, classpath, log):
        cmd = ["java", "-Dai.djl.offline=true", f"-Dai.djl.pytorch.num_threads={THREADS}",
               "-Dai.djl.pytorch.num_interop_threads=1", "-Xss4m"]
        cmd += os.environ.get("BENCH_JAVA_OPTS", "").split()
        cmd += ["-cp", classpath, "dev.genlab.bench.BenchServer"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        self.info = json.loads(self.proc.stdout.readline())

    def ask(self, *words):
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Java bench process died on {words} (see its log)")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{words}: {reply['error']}")
        return reply

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


# ----------------------------------------------------------------------------------------- reference models
# The same architectures as plugins/diffusion (MlpDenoiser, Conditioning, Nn) and plugins/gan (Generator,
# Discriminator, conv architecture), written the way a PyTorch user would; parameter counts are checked
# against genlab's.


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width, eps=1e-5)
        self.dense1 = nn.Linear(width, width)
        self.embed = nn.Linear(width, width)
        self.dense2 = nn.Linear(width, width)


class MlpDenoiser(nn.Module):
    """Fourier features, input projection, pre-norm residual blocks with a time embedding, zero output."""

    def __init__(self, dim=2, octaves=6, width=128, depth=3, time_dim=64):
        super().__init__()
        self.dim, self.octaves = dim, octaves
        self.time0 = nn.Linear(time_dim, width)
        self.time1 = nn.Linear(width, width)
        self.input = nn.Linear(dim * (1 + 2 * octaves), width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.out_norm = nn.LayerNorm(width, eps=1e-5)
        self.out = nn.Linear(width, dim)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.register_buffer("freqs", math.pi * 2.0 ** torch.arange(octaves, dtype=torch.float32))

    def forward(self, x, temb):
        b = x.shape[0]
        e = F.gelu(self.time1(F.gelu(self.time0(temb))))
        angles = (x.reshape(b, self.dim, 1) * self.freqs).reshape(b, self.dim * self.octaves)
        h = self.input(torch.cat([x, angles.sin(), angles.cos()], 1))
        for blk in self.blocks:
            inner = blk.dense1(F.gelu(blk.norm(h))) + blk.embed(e)
            h = h + blk.dense2(F.gelu(inner))
        return self.out(F.gelu(self.out_norm(h)))


def linear_schedule(steps=1000, start=1e-4, end=0.02):
    beta = torch.linspace(start, end, steps, dtype=torch.float64)
    return torch.cumprod(1 - beta, 0)


def time_embedding(t, dim=64, timesteps=1000):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    tau = t.to(torch.float32)[:, None] * (1000.0 / timesteps) * freqs[None, :]
    return torch.cat([tau.sin(), tau.cos()], 1)


class DiffusionTrainer:
    """DDPM training step as DiffusionParadigm.trainStep: L_simple, Adam with warm-up and clipping, EMA."""

    def __init__(self, data):
        torch.manual_seed(7)
        self.model = MlpDenoiser()
        self.ema = [p.detach().clone() for p in self.model.parameters()]
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.alpha_bar = linear_schedule().to(torch.float32)
        self.data = data
        self.shift = data.mean(0, keepdim=True)
        self.scale = data.std(0, unbiased=False, keepdim=True)
        self.low, self.high = math.inf, -math.inf
        self.steps = 0

    def params(self):
        return sum(p.numel() for p in self.model.parameters())

    def step(self):
        self.steps += 1
        x0 = (self.data - self.shift) / self.scale
        self.low = min(self.low, x0.min().item())
        self.high = max(self.high, x0.max().item())
        b = x0.shape[0]
        t = torch.randint(0, 1000, (b,))
        ab = self.alpha_bar[t][:, None]
        eps = torch.randn_like(x0)
        xt = x0 * ab.sqrt() + eps * (1 - ab).sqrt()
        loss = (self.model(xt, time_embedding(t)) - eps).square().mean()
        self.opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        for group in self.opt.param_groups:
            group["lr"] = 1e-3 * min(1.0, self.steps / 100)
        self.opt.step()
        decay = min(0.999, (1.0 + self.steps) / (10.0 + self.steps))
        with torch.no_grad():
            for e, p in zip(self.ema, self.model.parameters()):
                e.mul_(decay).add_(p, alpha=1 - decay)
        return loss.item()

    @torch.no_grad()
    def sample(self, n, steps, eta):
        """DDIM (eta 0) or ancestral DDPM (eta 1, all steps) with x0 clipping, as genlab's Sampler."""
        tau = [round(i) for i in np.linspace(0, 999, steps)] if steps < 1000 else list(range(1000))
        x = torch.randn(n, 2)
        for k in range(len(tau) - 1, -1, -1):
            i, prev = tau[k], (tau[k - 1] if k > 0 else -1)
            a = self.alpha_bar[i].item()
            a_prev = self.alpha_bar[prev].item() if prev >= 0 else 1.0
            eps = self.model(x, time_embedding(torch.full((n,), i)))
            x0 = ((x - eps * math.sqrt(1 - a)) / math.sqrt(a)).clamp(self.low, self.high)
            eps = (x - x0 * math.sqrt(a)) / math.sqrt(1 - a)
            if prev < 0:
                x = x0
                break
            sigma = eta * math.sqrt((1 - a_prev) / (1 - a)) * math.sqrt(max(0.0, 1 - a / a_prev))
            x = x0 * math.sqrt(a_prev) + eps * math.sqrt(max(0.0, 1 - a_prev - sigma * sigma))
            if sigma > 0:
                x = x + torch.randn_like(x) * sigma
        return x


class Generator(nn.Module):
    """DCGAN-style: linear to 2c x 7 x 7, BN, ReLU, 4x4/2 transposed conv, BN, ReLU, transposed conv, tanh."""

    def __init__(self, latent=64, c=32):
        super().__init__()
        self.c = c
        self.fc = nn.Parameter(torch.randn(latent, 2 * c * 49) * 0.02)
        self.bn0_w = nn.Parameter(1 + 0.02 * torch.randn(2 * c))
        self.bn0_b = nn.Parameter(torch.zeros(2 * c))
        self.deconv1 = nn.Parameter(torch.randn(2 * c, c, 4, 4) * 0.02)
        self.bn1_w = nn.Parameter(1 + 0.02 * torch.randn(c))
        self.bn1_b = nn.Parameter(torch.zeros(c))
        self.deconv2 = nn.Parameter(torch.randn(c, 1, 4, 4) * 0.02)
        self.deconv2_b = nn.Parameter(torch.zeros(1))
        self.register_buffer("rm0", torch.zeros(2 * c))
        self.register_buffer("rv0", torch.ones(2 * c))
        self.register_buffer("rm1", torch.zeros(c))
        self.register_buffer("rv1", torch.ones(c))

    def forward(self, z, update_running):
        n = z.shape[0]
        rm0, rv0, rm1, rv1 = (self.rm0, self.rv0, self.rm1, self.rv1) if update_running else (None,) * 4
        a = (z @ self.fc).reshape(n, 2 * self.c, 7, 7)
        a = F.relu(F.batch_norm(a, rm0, rv0, self.bn0_w, self.bn0_b, True, 0.1, 1e-5))
        a = F.conv_transpose2d(a, self.deconv1, None, 2, 1)
        a = F.relu(F.batch_norm(a, rm1, rv1, self.bn1_w, self.bn1_b, True, 0.1, 1e-5))
        return torch.tanh(F.conv_transpose2d(a, self.deconv2, self.deconv2_b, 2, 1))


class Discriminator(nn.Module):
    """4x4/2 convolutions 1 -> c -> 2c with LeakyReLU(0.2), then a linear score."""

    def __init__(self, c=32):
        super().__init__()
        self.conv1 = nn.Parameter(torch.randn(c, 1, 4, 4) * 0.02)
        self.conv1_b = nn.Parameter(torch.zeros(c))
        self.conv2 = nn.Parameter(torch.randn(2 * c, c, 4, 4) * 0.02)
        self.conv2_b = nn.Parameter(torch.zeros(2 * c))
        self.out = nn.Parameter(torch.randn(2 * c * 49, 1) / math.sqrt(2 * c * 49))
        self.out_b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        a = F.leaky_relu(F.conv2d(x, self.conv1, self.conv1_b, 2, 1), 0.2)
        a = F.leaky_relu(F.conv2d(a, self.conv2, self.conv2_b, 2, 1), 0.2)
        return (a.reshape(x.shape[0], -1) @ self.out + self.out_b).reshape(-1)


class GanTrainer:
    """One non-saturating GAN step as GanParadigm.trainStep: a D update on real + G(z), then a G update."""

    def __init__(self, real):
        torch.manual_seed(7)
        self.g, self.d = Generator(), Discriminator()
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.real = real

    def params(self):
        return sum(p.numel() for p in self.g.parameters()), sum(p.numel() for p in self.d.parameters())

    def step(self):
        n = self.real.shape[0]
        with torch.no_grad():
            fake = self.g(torch.randn(n, 64), False)
        logits = self.d(torch.cat([self.real, fake]))
        real, fake = logits[:n], logits[n:]
        loss_d = F.softplus(-real).mean() + F.softplus(fake).mean()
        self.opt_d.zero_grad()
        loss_d.backward()
        self.opt_d.step()
        stats = (loss_d.item(), torch.sigmoid(real).mean().item(), torch.sigmoid(fake).mean().item())
        self.d.requires_grad_(False)  # G's step needs gradients through D, not of D's weights
        loss_g = F.softplus(-self.d(self.g(torch.randn(n, 64), True))).mean()
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        self.d.requires_grad_(True)
        return stats, loss_g.item()


def dcgan_step_flops(b, c=32, latent=64):
    """Multiply-adds x 2 of the matrix products and convolutions of one GAN step (D update + G update).

    Forward MACs per example: G fc, deconv1, deconv2; D conv1, conv2, out. Backward costs one forward per
    gradient kind (input, weight). D update: G forward on b, D forward and weight gradients on 2b, input
    gradients of D's layers above conv1. G update: G and D forward on b, D input gradients (all layers),
    G weight gradients (all) and input gradients (all but fc).
    """
    g = [latent * 2 * c * 49, 2 * c * c * 16 * 49, c * 1 * 16 * 196]
    d = [c * 1 * 16 * 196, 2 * c * c * 16 * 49, 2 * c * 49]
    d_update = b * sum(g) + 2 * b * (2 * sum(d) + sum(d[1:]))
    g_update = b * (sum(g) + 2 * sum(d)) + b * (sum(g) + sum(g[1:]))
    return 2 * (d_update + g_update)


# ----------------------------------------------------------------------------------------- measurements


def alternate(reps, genlab, reference):
    """Runs genlab then the reference, reps times; returns their seconds and the load averages seen.

    A side may return (wall, cpu) instead of wall seconds: CPU seconds of the whole process (every thread),
    which on a shared machine measure the work done where wall time also measures the waiting."""
    gs, rs, loads, cpu = [], [], [], {"genlab": [], "reference": []}
    for _ in range(reps):
        loads.append(load())
        for side, fn, out in (("genlab", genlab, gs), ("reference", reference, rs)):
            v = fn()
            if isinstance(v, tuple):
                v, c = v
                cpu[side].append(c)
            out.append(v)
    CPU[id(gs)] = cpu
    return gs, rs, loads


CPU = {}


def timed(fn, steps=1):
    """Wall and process CPU seconds per call of fn."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - t0) / steps, (time.process_time() - c0) / steps


def wall(fn, steps=1):
    return timed(fn, steps)[0]


def row(name, unit, g, r, loads, extra=None):
    out = {"name": name, "unit": unit, "genlab": summary(g), "reference": summary(r),
           "ratio_min": min(g) / min(r), "ratio_median": statistics.median(g) / statistics.median(r),
           "load_avg": [min(loads), max(loads)]}
    line = (f"  {name:<34} genlab {fmt(min(g), unit)} / {fmt(statistics.median(g), unit)}   "
            f"ref {fmt(min(r), unit)} / {fmt(statistics.median(r), unit)}   ratio {out['ratio_median']:.2f}x "
            f"(min {out['ratio_min']:.2f}x)")
    cpu = CPU.pop(id(g), None)
    if cpu and cpu["genlab"] and cpu["reference"]:
        gc, rc = cpu["genlab"], cpu["reference"]
        out["cpu"] = {"genlab": summary(gc), "reference": summary(rc),
                      "ratio_min": min(gc) / min(rc), "ratio_median": statistics.median(gc) / statistics.median(rc)}
        line += f"  | CPU {fmt(min(gc), unit)} vs {fmt(min(rc), unit)}: {out['cpu']['ratio_min']:.2f}x"
    out.update(extra or {})
    print(line + f"  load {min(loads):.1f}-{max(loads):.1f}", flush=True)
    return out


def fmt(seconds, unit):
    return f"{seconds * 1e3:8.2f} ms" if unit == "s" else f"{seconds:8.3f} {unit}"


def pair(reply):
    return reply["seconds"], reply["cpu"]


def bench_train(java, reps, results, mlp_steps, gan_steps):
    print("1. train step (min / median)", flush=True)
    for batch in (64, 256):
        rng = torch.Generator().manual_seed(7)
        points = torch.randn(batch, 2, generator=rng) * 0.01 + torch.tensor([[1.0, 0.0]])
        mlp = DiffusionTrainer(points)
        steps = mlp_steps
        first = java.ask("train", "mlp", batch, 2)
        for _ in range(10):
            mlp.step()
        g, r, loads = alternate(reps, lambda: pair(java.ask("train", "mlp", batch, steps)),
                                lambda: timed(mlp.step, steps))
        params = {"genlab": first["params"]["denoiser"], "reference": mlp.params()}
        check(params["genlab"] == params["reference"], f"MLP parameter counts differ: {params}")
        results.append(row(f"diffusion MLP, batch {batch}", "s", g, r, loads, {"params": params}))

        images = torch.rand(batch, 1, 28, 28, generator=rng) * 2 - 1
        gan = GanTrainer(images)
        steps = max(1, gan_steps * 64 // batch) if gan_steps else (3 if batch == 256 else 5)
        first = java.ask("train", "dcgan", batch, 1)
        for _ in range(3):
            gan.step()
        g, r, loads = alternate(reps, lambda: pair(java.ask("train", "dcgan", batch, steps)),
                                lambda: timed(gan.step, steps))
        pg, pd = gan.params()
        params = {"genlab": [first["params"]["generator"], first["params"]["discriminator"]], "reference": [pg, pd]}
        check(params["genlab"] == params["reference"], f"GAN parameter counts differ: {params}")
        flops = dcgan_step_flops(batch)
        results.append(row(f"DCGAN G+D step, batch {batch}", "s", g, r, loads,
                           {"params": params, "flops_per_step": flops}))


def bench_metrics(java, reps, n, d, workdir, results, kinds=("prdc", "fd")):
    print(f"2. metrics on {n} x {d} (min / median; values must agree)", flush=True)
    rng = np.random.default_rng(11)
    real = rng.standard_normal((n, d), dtype=np.float32)
    fake = (rng.standard_normal((n, d), dtype=np.float32) * 1.1 + 0.1).astype(np.float32)
    prefix = os.path.join(workdir, f"features-{n}x{d}")
    real.astype("<f4").tofile(prefix + ".real.f32")
    fake.astype("<f4").tofile(prefix + ".fake.f32")

    ref_values = {}

    def ref_prdc():
        t0 = time.perf_counter()
        v = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=5)
        ref_values["prdc"] = [v["precision"], v["recall"], v["density"], v["coverage"]]
        return time.perf_counter() - t0

    def ref_fd():
        t0 = time.perf_counter()
        x, y = real.astype(np.float64), fake.astype(np.float64)
        mu1, mu2 = x.mean(0), y.mean(0)
        s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
        covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
        ref_values["fd"] = [float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2)
                                  - 2 * np.trace(covmean.real))]
        return time.perf_counter() - t0

    # FD must equal scipy's to 1e-9 relative (both are float64 throughout); PRDC values are fractions of
    # counts, equal unless a distance ties a radius within rounding.
    for kind, reference, tol in (("prdc", ref_prdc, 1e-6), ("fd", ref_fd, 1e-9)):
        if kind not in kinds:
            continue
        genlab_values = {}

        def gen(kind=kind, genlab_values=genlab_values):
            reply = java.ask(kind, prefix, n, d)
            genlab_values["v"] = reply["values"]
            return reply["seconds"]

        if kind == "fd":
            gen()  # one untimed call per side, so the JIT has compiled the covariance loops
            reference()
        g, r, loads = alternate(reps, gen, reference)
        gv, rv = genlab_values["v"], ref_values[kind]
        agree = all(abs(a - b) <= tol * (abs(b) if kind == "fd" else max(1.0, abs(b))) for a, b in zip(gv, rv))
        check(agree, f"{kind} values differ: genlab {gv}, reference {rv}")
        label = "PRDC (k=5) " if kind == "prdc" else "Frechet distance "
        results.append(row(label + f"{n}x{d}", "s", g, r, loads,
                           {"values": {"genlab": gv, "reference": rv}, "agree": agree}))
        if kind == "fd":
            last = results[-1]
            print(f"    FD ratio to scipy: {last['ratio_median']:.2f}x (median), {last['ratio_min']:.2f}x (min); "
                  f"relative difference {abs(gv[0] - rv[0]) / abs(rv[0]):.1e}", flush=True)


def bench_overhead(java, reps, steps, workdir, results):
    print(f"3. framework + tracking overhead: diffusion trial of {steps} steps (min / median)", flush=True)
    java.ask("bare", 20)  # warm-up of both paths
    java.ask("trial", 20, os.path.join(workdir, "trial-warmup"))
    g, r, loads = alternate(reps, lambda: pair(java.ask("trial", steps, os.path.join(workdir, "trial"))),
                            lambda: pair(java.ask("bare", steps)))
    out = row(f"genlab run vs bare DJL loop, {steps} steps", "s", g, r, loads)
    out["overhead_pct_median"] = (out["ratio_median"] - 1) * 100
    out["overhead_pct_min"] = (out["ratio_min"] - 1) * 100
    print(f"    overhead {out['overhead_pct_median']:+.1f} % (median), {out['overhead_pct_min']:+.1f} % (min)")
    results.append(out)


def bench_sampling(java, reps, n, results, with_ddpm):
    print(f"4. sampling {n} 2-D samples (samples/s from min / median seconds)", flush=True)
    rng = torch.Generator().manual_seed(7)
    mlp = DiffusionTrainer(torch.randn(256, 2, generator=rng))
    for _ in range(10):
        mlp.step()
    kinds = [("ddim", 50, 0.0), ("gan", None, None), ("vae", None, None)]
    if with_ddpm:
        kinds.insert(0, ("ddpm", 1000, 1.0))
    for kind, steps, eta in kinds:
        g, r, loads, gc, rc = [], [], [], [], []
        java.ask("sample", kind, n)
        for _ in range(reps):
            loads.append(load())
            reply = java.ask("sample", kind, n)
            g.append(reply["seconds"])
            gc.append(reply["cpu"])
            if steps is not None:
                w, c = timed(lambda: mlp.sample(n, steps, eta))
                r.append(w)
                rc.append(c)
        name = {"ddpm": "DDPM-1000", "ddim": "DDIM-50", "gan": "GAN (MLP G)", "vae": "VAE (MLP decoder)"}[kind]
        entry = {"name": f"sampling {name}, n={n}", "unit": "s", "genlab": summary(g),
                 "genlab_samples_per_s": {"max": n / min(g), "median": n / statistics.median(g)},
                 "genlab_cpu": summary(gc),
                 "load_avg": [min(loads), max(loads)]}
        line = f"  {entry['name']:<34} genlab {n / statistics.median(g):10.0f} samples/s (best {n / min(g):.0f})"
        if r:
            entry.update({"reference": summary(r), "ratio_min": min(g) / min(r),
                          "ratio_median": statistics.median(g) / statistics.median(r),
                          "reference_samples_per_s": {"max": n / min(r), "median": n / statistics.median(r)},
                          "reference_cpu": summary(rc), "cpu_ratio_min": min(gc) / min(rc)})
            line += (f"   PyTorch {n / statistics.median(r):10.0f} samples/s   ratio {entry['ratio_median']:.2f}x"
                     f" | CPU ratio {entry['cpu_ratio_min']:.2f}x")
        print(line + f"  load {min(loads):.1f}-{max(loads):.1f}", flush=True)
        results.append(entry)


def bench_flops(java, reps, results):
    print("5. achieved FLOP/s of the DCGAN train step vs measured matmul peak", flush=True)
    size = 2048
    a, b = torch.rand(size, size), torch.rand(size, size)
    a @ b
    g, r, loads = alternate(reps, lambda: pair(java.ask("matmul", size, 3)), lambda: timed(lambda: a @ b, 3))
    flop = 2.0 * size ** 3
    probe = row(f"matmul {size}^2 (peak probe)", "s", g, r, loads,
                {"gflops": {"genlab": flop / min(g) / 1e9, "reference": flop / min(r) / 1e9}})
    results.append(probe)
    # Wall FLOP/s and FLOP per CPU-second: on a shared machine the second is the one that measures the code.
    for basis in ("wall", "cpu"):
        src = probe if basis == "wall" else probe.get("cpu")
        if src is None:
            continue
        peak = flop / min(src["genlab"]["min"], src["reference"]["min"])
        print(f"    {basis}: peak {peak / 1e9:.1f} GFLOP/s ({THREADS} threads)")
        for entry in results:
            timing = entry if basis == "wall" else entry.get("cpu")
            if "flops_per_step" in entry and timing is not None:
                gf = entry["flops_per_step"] / timing["genlab"]["min"]
                rf = entry["flops_per_step"] / timing["reference"]["min"]
                entry.setdefault("achieved_gflops", {})[basis] = {
                    "genlab": gf / 1e9, "reference": rf / 1e9, "peak": peak / 1e9,
                    "genlab_of_peak": gf / peak, "reference_of_peak": rf / peak}
                print(f"    {basis}: {entry['name']:<30} {entry['flops_per_step'] / 1e9:.2f} GFLOP/step: genlab "
                      f"{gf / 1e9:.1f} GFLOP/s ({100 * gf / peak:.0f} % of peak), PyTorch {rf / 1e9:.1f} "
                      f"GFLOP/s ({100 * rf / peak:.0f} %)")


FAILURES = []


def check(ok, message):
    if not ok:
        FAILURES.append(message)
        print("  CHECK FAILED: " + message, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--classpath", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", default="train,metrics,overhead,sampling,flops",
                    help="comma-separated items; metrics = prdc,fd (either alone also works)")
    ap.add_argument("--mlp-steps", type=int, default=60,
                    help="MLP train steps per repetition (a second or more: the JVM reads CPU time in 10 ms ticks)")
    ap.add_argument("--gan-steps", type=int, default=0,
                    help="GAN train steps per repetition at batch 64 (a quarter at 256); 0: 5 and 3")
    ap.add_argument("--metric-n", type=int, default=10_000)
    ap.add_argument("--metric-d", type=int, default=64)
    ap.add_argument("--trial-steps", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--no-ddpm", action="store_true", help="skip DDPM-1000 sampling (the slowest item)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    only = set(args.only.split(","))
    started = time.time()
    load_start = os.getloadavg()
    with open(os.path.join(args.workdir, "java.log"), "w") as log:
        java = Genlab(args.classpath, log)
        print(f"genlab: {java.info['engine']} via DJL, {THREADS} intra-op threads | reference: torch "
              f"{torch.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, prdc | "
              f"load average {load_start[0]:.1f} on {os.cpu_count()} cores", flush=True)
        results = []
        try:
            if "train" in only:
                bench_train(java, args.reps, results, args.mlp_steps, args.gan_steps)
            kinds = [k for k in ("prdc", "fd") if k in only or "metrics" in only]
            if kinds:
                bench_metrics(java, args.reps, args.metric_n, args.metric_d, args.workdir, results, kinds)
            if "overhead" in only:
                bench_overhead(java, args.reps, args.trial_steps, args.workdir, results)
            if "sampling" in only:
                bench_sampling(java, args.reps, args.samples, results, not args.no_ddpm)
            if "flops" in only:
                bench_flops(java, args.reps, results)
        finally:
            java.close()
    report = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "load_average_start": load_start, "load_average_end": os.getloadavg()},
        "threads": THREADS, "reps": args.reps, "seconds": time.time() - started,
        "versions": {"genlab_engine": java.info["engine"], "torch": torch.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "python": platform.python_version()},
        "command": " ".join(sys.argv), "results": results, "check_failures": FAILURES,
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out} ({report['seconds']:.0f} s); load average now {os.getloadavg()[0]:.1f}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
