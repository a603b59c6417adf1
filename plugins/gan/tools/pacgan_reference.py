"""An independent PacGAN grid25 run in JAX, written from the paper's setup (experiments/pacgan-grid25.yaml), to
check that genlab's GAN plugin trains as a separate implementation of the same setup does (docs/results.md,
"grid25 at 60,000 updates"). Prints modes / high-quality % / reverse KL of 2,500 samples every 1,000 updates,
scored by chance_baseline.py's mode_metrics (the definitions of docs/metrics.md).

usage (in a venv with jax: python3 -m venv target/jax && target/jax/bin/pip install jax):
    pacgan_reference.py PACK STEPS BETA1 SEED [BATCHNORM 1|0]
"""
import sys, time
import numpy as np
import jax, jax.numpy as jnp

from chance_baseline import GRID, mode_metrics

pack, steps, beta1, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
use_bn = len(sys.argv) <= 5 or sys.argv[5] != "0"
P, H_G, L_G, H_D, L_D, K = 100, 400, 4, 200, 3, 5
LR, B2, EPS = 1e-4, 0.999, 1e-8
rng = np.random.default_rng(seed)
means = np.array(GRID, dtype=np.float32)
data = (means[rng.integers(0, 25, 100000)] + 0.05 * rng.standard_normal((100000, 2))).astype(np.float32)

key = jax.random.PRNGKey(seed)
def normal(shape):
    global key
    key, k = jax.random.split(key)
    return 0.02 * jax.random.normal(k, shape)

g = {"w": [normal((2 if l == 0 else H_G, H_G)) for l in range(L_G)],
     "gam": [jnp.ones(H_G) for _ in range(L_G)], "bet": [jnp.zeros(H_G) for _ in range(L_G)],
     "b": [jnp.zeros(H_G) for _ in range(L_G)],
     "wo": normal((H_G, 2)), "bo": jnp.zeros(2)}
d = {"w": [normal((2 * pack if l == 0 else H_D, H_D * K)) for l in range(L_D)],
     "b": [jnp.zeros(H_D * K) for _ in range(L_D)], "wo": normal((H_D, 1)), "bo": jnp.zeros(1)}

def gen(g, z):
    a = z
    for l in range(L_G):
        h = a @ g["w"][l]
        if use_bn:
            m, v = h.mean(0), h.var(0)
            h = (h - m) / jnp.sqrt(v + 1e-5) * g["gam"][l] + g["bet"][l]
        else:
            h = h + g["b"][l]
        a = jax.nn.relu(h)
    return a @ g["wo"] + g["bo"]

def disc(d, x):
    a = x.reshape(-1, 2 * pack)
    for l in range(L_D):
        h = a @ d["w"][l] + d["b"][l]
        a = h.reshape(h.shape[0], H_D, K).max(-1)
    return (a @ d["wo"] + d["bo"])[:, 0]

def d_loss(d, g, real, z):
    lr_, lf = disc(d, real), disc(d, gen(g, z))
    return jnp.mean(jax.nn.softplus(-lr_)) + jnp.mean(jax.nn.softplus(lf)), (jax.nn.sigmoid(lr_).mean(), jax.nn.sigmoid(lf).mean())

def g_loss(g, d, z):
    return jnp.mean(jax.nn.softplus(-disc(d, gen(g, z))))

def adam(p, grad, m, v, t):
    m = jax.tree.map(lambda m, x: beta1 * m + (1 - beta1) * x, m, grad)
    v = jax.tree.map(lambda v, x: B2 * v + (1 - B2) * x * x, v, grad)
    c1, c2 = 1 - beta1 ** t, 1 - B2 ** t
    p = jax.tree.map(lambda p, m, v: p - LR * (m / c1) / (jnp.sqrt(v / c2) + EPS), p, m, v)
    return p, m, v

@jax.jit
def step(g, d, mg, vg, md, vd, t, real, z1, z2):
    (ld, (dr, df)), gd = jax.value_and_grad(d_loss, has_aux=True)(d, g, real, z1)
    d, md, vd = adam(d, gd, md, vd, t)
    gg = jax.grad(g_loss)(g, d, z2)
    g, mg, vg = adam(g, gg, mg, vg, t)
    return g, d, mg, vg, md, vd, ld, dr, df

zeros = lambda t: jax.tree.map(jnp.zeros_like, t)
mg, vg, md, vd = zeros(g), zeros(g), zeros(d), zeros(d)
gen_j = jax.jit(gen)
t0 = time.time()
for t in range(1, steps + 1):
    real = data[rng.integers(0, 100000, P * pack)]
    key, k1, k2 = jax.random.split(key, 3)
    z1 = jax.random.normal(k1, (P * pack, 2))
    z2 = jax.random.normal(k2, (P * pack, 2))
    g, d, mg, vg, md, vd, ld, dr, df = step(g, d, mg, vg, md, vd, float(t), real, z1, z2)
    if t % 1000 == 0:
        key, k = jax.random.split(key)
        x = np.asarray(gen_j(g, jax.random.normal(k, (2500, 2))))
        mo, hq, rkl = mode_metrics(x.tolist(), GRID, 0.05)
        print(f"pack {pack} beta1 {beta1} seed {seed} step {t} loss_d {float(ld):.3f} d_real {float(dr):.4f} "
              f"d_fake {float(df):.4f} modes {mo} hq {hq:.1f} rkl {rkl:.2f} ({time.time() - t0:.0f}s)", flush=True)
