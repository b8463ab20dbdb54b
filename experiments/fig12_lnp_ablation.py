"""Fig. 12 (ICLR 2024): ablation of the four LNP steps, NRMSE against measured SOPs.

A thin wrapper over the registry item ``fig12`` (``hetnet reproduce fig12``;
the pipeline is :mod:`hetnet.reproduce.pruning_items`). Per seed, the HeNHeS
network of ``table5_pruning.py`` (same seed, same settings) is pruned by LNP
with only step I; steps I+II; steps I+II+III; and all four steps, the same
number of iterations each (the last two are the shared LNP run before and
after step IV). Each network goes through the Lorenz-63 prediction pipeline;
SOPs are counted from the frozen run's spikes. Mean ± sd over seeds, the
contribution of each step tested across seeds.

One resumable file per seed under OUT/fig12/; the aggregate in
OUT/fig12_lnp_ablation.json (``.quick.json`` with --quick), .csv and .png.
"""
# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import run_item


def main(argv=None):
    return run_item("fig12", __doc__, argv)


if __name__ == "__main__":
    main()
