"""Table V and Fig. 10 (ICLR 2024): Lyapunov noise pruning against activity-based pruning and random ER.

A thin wrapper over the registry items ``table5`` and ``fig10``
(``hetnet reproduce table5 fig10``; the pipeline is
:mod:`hetnet.reproduce.pruning_items`). Per seed, one HeNHeS network (N = 500
in full mode) is pruned by LNP (steps I-III per iteration with rate
homeostasis, step IV at the end), by activity-based pruning (AP) and, as the
random baseline, by Erdos-Renyi networks with LNP's counts; every network
goes through the prediction pipeline (STDP training, frozen run, ridge
readout, one-step NRMSE; train 500 / test 100 steps) on Lorenz-63 and on the
Santa Fe laser series, with SOPs counted from the simulated spikes.

Table V: neurons, synapses, measured SOPs (recurrent / input / readout), SOP
ratio, energy, RMSE, NRMSE, VPT per network, mean ± sd over seeds, and the
claims tested across seeds. Fig. 10: neurons, synapses, measured SOPs, rate
and NRMSE against the pruning iteration for LNP, AP and ER, bands over seeds.

One resumable file per seed under OUT/table5/ and OUT/fig10/ (the shared
pruning run of each seed under OUT/pruning-runs/, so Fig. 10 and Fig. 12 do
not prune again); the aggregates in OUT/table5_pruning.json and
OUT/fig10_pruning_evolution.json (``.quick.json`` with --quick), .csv and .png.
"""
# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import run_item


def main(argv=None):
    return run_item(("table5", "fig10"), __doc__, argv)


if __name__ == "__main__":
    main()
