"""``hetnet export``: write a saved network as a NIR graph for neuromorphic hardware and simulators.

NETWORK is an ``.npz`` file written by ``NetworkInstance.save`` (e.g. a
pruned or gradient-trained network). ``--format nir`` writes the NIR graph
(HDF5) of :func:`hetnet.export.to_nir`; ``--target spyx`` the single-current
reduction Spyx can run. It writes one file, not a run folder, so of the
options shared by ``run``, ``optimize`` and ``prune`` it takes
``--quiet`` / ``--verbose`` only.
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from hetnet.cli._args import verbosity_options
from hetnet.errors import UsageError

__all__ = ["register", "export_command"]

logger = logging.getLogger(__name__)


def register(subparsers):
    parser = subparsers.add_parser("export", help="write a saved network as a NIR graph (neuromorphic hardware)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("network", metavar="NETWORK", help="network file (.npz from NetworkInstance.save)")
    parser.add_argument("--format", choices=("nir",), default="nir", help="output format (default: %(default)s)")
    parser.add_argument("--target", choices=("faithful", "spyx"), default="faithful",
                        help="the model node for node, or the single-current chain Spyx reads (default: %(default)s)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the NIR file to write")
    verbosity_options(parser)
    parser.set_defaults(func=export_command)
    return parser


def export_command(args) -> int:
    """``hetnet export``; errors are :class:`hetnet.errors.HetnetError` for :func:`hetnet.cli.main.main`."""
    from hetnet.network import NetworkInstance

    path = Path(args.network)
    if not path.is_file():
        raise UsageError("NETWORK", args.network, "must be an existing .npz file written by NetworkInstance.save")
    try:
        from hetnet.export import write_nir
    except ImportError as error:
        raise UsageError("--format", args.format, f"needs the 'nir' extra ({error})") from None
    try:
        network = NetworkInstance.load(path)
    except (KeyError, ValueError, OSError) as error:
        raise UsageError("NETWORK", args.network, f"is not a saved network ({error})") from None
    written = write_nir(network, args.output, target=args.target)
    print(f"hetnet export: wrote {written} ({network.n_neurons} neurons, {network.n_synapses} recurrent synapses, "
          f"NIR, target {args.target})")
    return 0
