#!/usr/bin/env python3
"""numpy's side of benches/draws.sh: time Generator.binomial and Generator.poisson
on the parameter arrays that runway's `draws/*` criterion benches use.

    python3 benches/draws.py [--draws N] [--repeats R] [--seed S]

Prints one JSON object on stdout: nanoseconds per draw (median over the repeats,
min and max beside it) and the arrays' means (a check that both sides drew from
the same parameters). The arrays are defined by integer arithmetic, so numpy and
Rust build them bit for bit alike (benches/engine.rs, `draw_params`):

    n_i   = 1000 + (i * 7919) % 9001                          # customers, 1,000..10,000
    p_i   = 0.02 + 0.05 * ((i * 104729) % 1000 + 0.5) / 1000  # churn rate, 0.02..0.07
    lam_i = 250 + 400 * ((i * 7919) % 1000 + 0.5) / 1000      # arrival mean, 250..650

the range saas-baseline's runs draw from (scenarios/saas-baseline.toml; docs/model.md §1.3).
"""

import argparse
import json
import sys
import time

import numpy as np


def params(draws):
    i = np.arange(draws, dtype=np.int64)
    n = 1000 + (i * 7919) % 9001
    p = 0.02 + 0.05 * (((i * 104729) % 1000) + 0.5) / 1000
    lam = 250 + 400 * (((i * 7919) % 1000) + 0.5) / 1000
    return n, p, lam


def timed(f, repeats):
    f()  # warm-up: first-touch of the output array, caches
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return sorted(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.draws < 1 or a.repeats < 1:
        sys.exit("draws.py: --draws and --repeats must be positive")
    n, p, lam = params(a.draws)
    rng = np.random.default_rng(a.seed)
    out = {"draws": a.draws, "repeats": a.repeats, "numpy": np.__version__}
    for name, f in (("binomial", lambda: rng.binomial(n, p)), ("poisson", lambda: rng.poisson(lam))):
        t = timed(f, a.repeats)
        per = [x / a.draws * 1e9 for x in t]
        out[name] = {"median_ns": per[len(per) // 2], "min_ns": per[0], "max_ns": per[-1], "mean_draw": float(f().mean())}
    out["params"] = {"n_mean": float(n.mean()), "p_mean": float(p.mean()), "lam_mean": float(lam.mean())}
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
