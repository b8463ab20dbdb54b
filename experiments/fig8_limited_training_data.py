"""Fig. 8 (Frontiers 2023): accuracy against the fraction of training data used.

Spike-pattern classification with the readout trained on a fraction of the
training samples (the STDP phase sees the same fraction). The paper's claim:
HeNHeS with less training data matches HoNHoS with more.

A thin wrapper over the registry item ``fig8`` (``hetnet reproduce fig8``):
one resumable file per seed under OUT/fig8/, the aggregate in
OUT/fig8_limited_training_data.json (``.quick.json`` with --quick) and .png.
"""

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import run_item


def main(argv=None):
    return run_item("fig8", __doc__, argv)


if __name__ == "__main__":
    main()
