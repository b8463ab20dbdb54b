"""Fig. 5 (Frontiers 2023): accuracy of HoNHoS and HeNHeS as the network shrinks.

Classification of jittered spike patterns (the built-in spatio-temporal
benchmark: fixed random spike templates, jittered copies, one class per
template; each sample 100 ms then 100 ms rest; spike-count states; logistic
readout) for several network sizes. The paper's claim: the accuracy gap
HeNHeS - HoNHoS grows as N shrinks.

A thin wrapper over the registry item ``fig5`` (``hetnet reproduce fig5``):
one resumable file per seed under OUT/fig5/, the aggregate in
OUT/fig5_accuracy_vs_size.json (``.quick.json`` with --quick) and .png.
"""

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import run_item


def main(argv=None):
    return run_item("fig5", __doc__, argv)


if __name__ == "__main__":
    main()
