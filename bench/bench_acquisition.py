"""Benchmark of issue 17 item 2: the optimiser's ask / tell cycle, dense against block-wise Jacobian.

The acquisition step of the Wasserstein–Matérn BO (``hetnet.bo``) optimises
expected improvement with L-BFGS; every gradient needs the Jacobian of the
distributions' quantile embedding at the candidate, by central differences.
``dense`` perturbs every dimension and embeds every distribution for each
(what the code did before); ``blockwise`` (today's
:meth:`hetnet.bo.kernels.WassersteinEmbedding.jacobian_normalized`) embeds
only the perturbed dimension's own distribution, since the others do not
change. The two give bitwise the same Jacobian, so the two optimisers below
propose the same points (checked at every step) and the BO's quality is
unchanged by construction.

Protocol: the HRSNN search space (HeNHeS, architecture and distributions,
20 dimensions), two optimisers with the same seed told the same values (a
noisy quadratic) for ``--evaluations`` steps; at each step the two ``tell``
calls (GP fit + acquisition) are timed back to back, the order alternating,
one BLAS thread. Reported: the medians per side, the median of the paired
ratios and the totals.

``--kind batch`` compares the constant-liar batch cycle of a campaign
(``--batch`` points per step, 2 by default like ``hetnet optimize``'s two
workers): skopt's ``tell`` + ``ask(n_points=q)`` against
:func:`hetnet.bo.optimizer.tell_batch` + :func:`~hetnet.bo.optimizer.ask_batch`,
which skip the GP fit and acquisition skopt computes and then discards (the
original's acquisition after ``tell``, the lie of the last point). The two
optimisers propose the same points at every step (checked); each side's
ask + tell per batch is timed back to back, the order alternating; written
to ``bench/results/acquisition_batch.json``.

``--kind quantiles`` times the Gamma quantile embedding: the lower tail by ``gammaincinv`` and the
upper by ``gammainccinv``, each computed at every level and one of the two kept per level (the
code before 2026-12-02, fifth session) against each computed at its own levels only (today's
:func:`hetnet.bo.space.normal_score_quantile_matrix`). The numbers are bitwise the same (a test
checks it), so the proposals are too (checked at every step); a ``tell`` of each side is timed
back to back as for ``jacobian``; written to ``bench/results/acquisition_quantiles.json``.

Usage::

    .venv/bin/python bench/bench_acquisition.py [--evaluations 30] [--out bench/results/acquisition.json]
    .venv/bin/python bench/bench_acquisition.py --kind batch [--batch 2] [--evaluations 30]
    .venv/bin/python bench/bench_acquisition.py --kind quantiles [--evaluations 30]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from hetnet.bo.optimizer import make_optimizer
    from hetnet.bo.space import network_search_space
    from hetnet.config import HRSNNConfig
    from hetnet.io import write_json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluations", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kind", choices=("jacobian", "batch", "quantiles"), default="jacobian")
    parser.add_argument("--batch", type=int, default=2, help="points per step (--kind batch)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.kind == "batch":
        return batch_cycle(args)
    if args.kind == "quantiles":
        return quantile_tails(args)
    args.out = args.out or str(ROOT / "bench" / "results" / "acquisition.json")

    space = network_search_space(HRSNNConfig(n_neurons=500, variant="HeNHeS"))
    optimizers = {side: make_optimizer(space.dimensions, "wasserstein", space, n_initial_points=5,
                                       random_state=args.seed) for side in ("dense", "blockwise")}
    # the dense side: its kernel's embedding computes the Jacobian the old way
    embedding = optimizers["dense"].base_estimator_.kernel.k2.embedding
    dense = type(embedding).jacobian_normalized
    embedding.jacobian_normalized = lambda x, step=1e-5: dense(embedding, x, step, blockwise=False)
    start = time.perf_counter()
    seconds = _paired_tells(optimizers, args.evaluations, args.seed)
    fitted = [(d, b) for d, b in zip(seconds["dense"], seconds["blockwise"]) if d > 0.05]   # after the random start
    record = {
        "benchmark": "issue 17 item 2: ask/tell cycle of the Wasserstein-Matern BO, dense vs block-wise Jacobian",
        **_paired_timings(args, {"n_dimensions": len(space.dimensions)}, seconds, fitted, start, "tell_seconds",
                          "median_paired_ratio_dense_over_blockwise", skip=5),
    }
    write_json(args.out, record)
    print(f"median tell: dense {record['tell_seconds']['dense']['median']:.2f} s, blockwise "
          f"{record['tell_seconds']['blockwise']['median']:.2f} s; paired ratio "
          f"{record['median_paired_ratio_dense_over_blockwise']:.2f}x; wrote {args.out}")
    return 0


def _paired_tells(optimizers: dict, evaluations: int, seed: int, around=None) -> dict:
    """Two optimisers told the same noisy quadratic; each step's two ``tell`` calls timed back to back,
    the order alternating, one BLAS thread; raises if they ever propose different points.
    ``around(side)``, a context manager, is entered around each side's tell. Returns the seconds per side."""
    from hetnet.bo.optimizer import single_threaded_blas

    first, second = optimizers
    generator = np.random.default_rng(seed)
    seconds = {side: [] for side in optimizers}
    with single_threaded_blas():
        for step in range(evaluations):
            points = {side: optimizer.ask() for side, optimizer in optimizers.items()}
            if points[first] != points[second]:
                raise AssertionError(f"step {step}: the two optimisers proposed different points")
            x = points[first]
            value = float(np.sum((np.asarray(x[:4], dtype=float) - 0.5) ** 2) + 0.1 * generator.normal())
            for side in ((first, second) if step % 2 == 0 else (second, first)):
                with (around(side) if around is not None else contextlib.nullcontext()):
                    clock = time.perf_counter()
                    optimizers[side].tell(x, value)
                    seconds[side].append(time.perf_counter() - clock)
            print(f"[{step + 1}/{evaluations}] tell: {first} {seconds[first][-1]:.2f} s, "
                  f"{second} {seconds[second][-1]:.2f} s", flush=True)
    return seconds


def _paired_timings(args, settings, seconds, fitted, start, seconds_key, ratio_key, skip):
    """The record's common part: provenance, per-side medians (after ``skip`` random-start steps) and totals,
    the median of the paired ratios, the raw times."""
    from hetnet.provenance import provenance

    settings = {"evaluations": args.evaluations, "n_initial_points": 5, **settings,
                "space": "network_search_space(HeNHeS, N = 500)"}
    return {
        "provenance": provenance(seed=args.seed, settings=settings),
        "same_proposals": True,
        seconds_key: {side: {"median": statistics.median(v[skip:] or v), "total": sum(v)} for side, v in seconds.items()},
        ratio_key: statistics.median(a / b for a, b in fitted),
        "per_step_seconds": seconds,
        "wall_s": time.perf_counter() - start,
    }


def _both_tails_quantile_matrix(kind, values, normal_scores):
    """The Gamma quantile matrix as computed before: both tails at every level, one kept per level."""
    from scipy import special

    from hetnet.bo.space import normal_score_quantile_matrix

    if kind != "gamma":
        return normal_score_quantile_matrix(kind, values, normal_scores)
    values = np.asarray(values, dtype=float)
    scores = np.asarray(normal_scores, dtype=float)[None, :]
    first, second = values[:, :1], values[:, 1:2]
    lower = special.gammaincinv(first, special.ndtr(np.minimum(scores, 0.0)))
    upper = special.gammainccinv(first, special.ndtr(-np.maximum(scores, 0.0)))
    return np.where(scores < 0, lower, upper) * (second / first)


def quantile_tails(args) -> int:
    """A tell with the Gamma quantiles of both tails at every level against each tail at its own levels."""
    import hetnet.bo.kernels as kernels
    from hetnet.bo.optimizer import make_optimizer
    from hetnet.bo.space import network_search_space
    from hetnet.config import HRSNNConfig
    from hetnet.io import write_json

    out = args.out or str(ROOT / "bench" / "results" / "acquisition_quantiles.json")
    space = network_search_space(HRSNNConfig(n_neurons=500, variant="HeNHeS"))
    own_levels = kernels.normal_score_quantile_matrix
    functions = {"both tails": _both_tails_quantile_matrix, "own levels": own_levels}
    optimizers = {side: make_optimizer(space.dimensions, "wasserstein", space, n_initial_points=5,
                                       random_state=args.seed) for side in functions}
    @contextlib.contextmanager
    def quantiles_of(side):
        kernels.normal_score_quantile_matrix = functions[side]
        try:
            yield
        finally:
            kernels.normal_score_quantile_matrix = own_levels

    start = time.perf_counter()
    seconds = _paired_tells(optimizers, args.evaluations, args.seed, around=quantiles_of)
    fitted = [(a, b) for a, b in zip(seconds["both tails"], seconds["own levels"]) if a > 0.05]
    record = {
        "benchmark": "issue 17 item 2: a tell of the Wasserstein-Matern BO, Gamma quantiles of both tails at every "
                     "level vs each tail at its own levels (bitwise the same numbers)",
        **_paired_timings(args, {"n_dimensions": len(space.dimensions)}, seconds, fitted, start, "tell_seconds",
                          "median_paired_ratio_both_tails_over_own_levels", skip=5),
    }
    write_json(out, record)
    print(f"median tell: both tails {record['tell_seconds']['both tails']['median']:.2f} s, own levels "
          f"{record['tell_seconds']['own levels']['median']:.2f} s; paired ratio "
          f"{record['median_paired_ratio_both_tails_over_own_levels']:.2f}x; wrote {out}")
    return 0


def batch_cycle(args) -> int:
    """skopt's batch ask / tell against hetnet's ask_batch / tell_batch, same proposals, timed in pairs."""
    from hetnet.bo.optimizer import ask_batch, make_optimizer, single_threaded_blas, tell_batch
    from hetnet.bo.space import network_search_space
    from hetnet.config import HRSNNConfig
    from hetnet.io import write_json

    out = args.out or str(ROOT / "bench" / "results" / "acquisition_batch.json")
    space = network_search_space(HRSNNConfig(n_neurons=500, variant="HeNHeS"))
    optimizers = {side: make_optimizer(space.dimensions, "wasserstein", space, n_initial_points=5,
                                       random_state=args.seed) for side in ("skopt", "hetnet")}
    generator = np.random.default_rng(args.seed)
    seconds = {"skopt": [], "hetnet": []}
    told, step, start = 0, 0, time.perf_counter()
    with single_threaded_blas():
        points = {}
        for side, optimizer in optimizers.items():   # the first batch: random points, not timed
            points[side] = optimizer.ask(n_points=args.batch) if side == "skopt" else ask_batch(optimizer, args.batch)
        while told < args.evaluations:
            if points["skopt"] != points["hetnet"]:
                raise AssertionError(f"after {told} evaluations: the two optimisers proposed different points")
            batch = points["skopt"]
            values = [float(np.sum((np.asarray(x[:4], dtype=float) - 0.5) ** 2) + 0.1 * generator.normal())
                      for x in batch]
            told += len(batch)
            count = min(args.batch, args.evaluations - told)
            order = ("skopt", "hetnet") if step % 2 == 0 else ("hetnet", "skopt")
            for side in order:
                optimizer = optimizers[side]
                clock = time.perf_counter()
                if side == "skopt":
                    optimizer.tell(batch, values)
                    points[side] = (optimizer.ask(n_points=count) if count > 1 else [optimizer.ask()]) if count else []
                else:
                    tell_batch(optimizer, batch, values, next_count=count)
                    points[side] = ask_batch(optimizer, count) if count else []
                seconds[side].append(time.perf_counter() - clock)
            step += 1
            print(f"[{told}/{args.evaluations}] tell + ask: skopt {seconds['skopt'][-1]:.2f} s, "
                  f"hetnet {seconds['hetnet'][-1]:.2f} s", flush=True)
    fitted = [(a, b) for a, b in zip(seconds["skopt"], seconds["hetnet"]) if a > 0.05]   # after the random start
    record = {
        "benchmark": "issue 17 item 2: constant-liar batch cycle (tell + ask of q points), skopt vs "
                     "hetnet.bo.optimizer.tell_batch / ask_batch",
        **_paired_timings(args, {"batch": args.batch, "n_dimensions": len(space.dimensions)}, seconds, fitted, start,
                          "cycle_seconds", "median_paired_ratio_skopt_over_hetnet", skip=3),
    }
    write_json(out, record)
    print(f"median cycle: skopt {record['cycle_seconds']['skopt']['median']:.2f} s, hetnet "
          f"{record['cycle_seconds']['hetnet']['median']:.2f} s; paired ratio "
          f"{record['median_paired_ratio_skopt_over_hetnet']:.2f}x; totals {record['cycle_seconds']['skopt']['total']:.1f} "
          f"vs {record['cycle_seconds']['hetnet']['total']:.1f} s; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
