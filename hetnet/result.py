"""The outcome of one simulation: spikes, counts, state matrices, final network.

Plain numpy (no Brian2): times in ms, rates in Hz. A result is saved to
and read back from one ``.npz`` file (:meth:`SimulationResult.save`,
:meth:`SimulationResult.load`).

Examples
--------
>>> import numpy as np
>>> result = SimulationResult(
...     spike_indices=np.array([0, 1, 0]), spike_times_ms=np.array([1.0, 2.5, 12.0]),
...     n_neurons=2, n_excitatory=1, duration_ms=20.0, step_ms=10.0)
>>> result.spike_counts().tolist()
[[1, 1], [1, 0]]
>>> result.mean_rate_hz
75.0
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["SimulationResult", "RESULT_FORMAT"]

logger = logging.getLogger(__name__)

#: ``format`` entry of the metadata of a saved result (checked on load)
RESULT_FORMAT = "hetnet.SimulationResult/1"
_FINAL = "final_network."


@dataclass
class SimulationResult:
    """Spikes and provenance of one run.

    Attributes
    ----------
    spike_indices, spike_times_ms : ndarray
        Recurrent spikes (neuron index, time in ms), in time order.
    n_neurons, n_excitatory : int
    duration_ms : float
    step_ms : float
        Stimulus step: the default bin of :meth:`spike_counts` and
        :meth:`state_matrix`.
    input_spike_indices, input_spike_times_ms : ndarray or None
        Input spikes, when recorded.
    final_network : NetworkInstance or None
        The network with its weights after the run (after STDP).
    provenance : dict
        Seed, versions, backend, configuration, wall time.
    """

    spike_indices: np.ndarray
    spike_times_ms: np.ndarray
    n_neurons: int
    n_excitatory: int
    duration_ms: float
    step_ms: float
    input_spike_indices: np.ndarray | None = None
    input_spike_times_ms: np.ndarray | None = None
    final_network: object = None
    provenance: dict = field(default_factory=dict)

    def __eq__(self, other):
        """Same spikes, sizes, network and provenance (as stored in JSON)."""
        if not isinstance(other, SimulationResult):
            return NotImplemented
        from hetnet.io import to_jsonable, values_equal

        return all(
            values_equal(getattr(self, name), getattr(other, name))
            for name in ("spike_indices", "spike_times_ms", "n_neurons", "n_excitatory", "duration_ms", "step_ms",
                         "input_spike_indices", "input_spike_times_ms", "final_network")
        ) and to_jsonable(self.provenance) == to_jsonable(other.provenance)

    def save(self, path) -> Path:
        """Write the result to one compressed ``.npz`` file.

        Stored: the recurrent spikes, the input spikes (when recorded), the
        sizes and durations, the provenance (as a JSON string, with NaN as
        ``null``) and the final network with every per-neuron and
        per-synapse array and its configuration
        (:meth:`hetnet.network.NetworkInstance.to_arrays`). Membrane
        potential traces are not recorded by :func:`hetnet.network.simulate`,
        so there are none to save. Nothing is pickled: the file opens with
        ``numpy.load(path)`` in any language binding of the npz format.

        Parameters
        ----------
        path : str or Path
            Target file (``.npz`` is appended by numpy when missing).

        Returns
        -------
        Path
            The file written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> result = SimulationResult(np.array([0, 1]), np.array([1.0, 2.0]), n_neurons=2, n_excitatory=1,
        ...                           duration_ms=10.0, step_ms=5.0, provenance={"seed": 3})
        >>> path = result.save(pathlib.Path(tempfile.mkdtemp()) / "run.npz")
        >>> SimulationResult.load(path) == result
        True
        """
        from hetnet.io import to_jsonable

        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        metadata = {
            "format": RESULT_FORMAT,
            "n_neurons": int(self.n_neurons),
            "n_excitatory": int(self.n_excitatory),
            "duration_ms": float(self.duration_ms),
            "step_ms": float(self.step_ms),
            "has_input_spikes": self.input_spike_indices is not None,
            "has_final_network": self.final_network is not None,
            "provenance": to_jsonable(self.provenance),
        }
        arrays = {
            "metadata": np.array(json.dumps(metadata, allow_nan=False)),
            "spike_indices": np.asarray(self.spike_indices),
            "spike_times_ms": np.asarray(self.spike_times_ms),
        }
        if self.input_spike_indices is not None:
            arrays["input_spike_indices"] = np.asarray(self.input_spike_indices)
            arrays["input_spike_times_ms"] = np.asarray(self.input_spike_times_ms)
        if self.final_network is not None:
            arrays.update(self.final_network.to_arrays(prefix=_FINAL))
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)
        logger.debug("saved %d spikes of %d neurons to %s", self.spike_indices.size, self.n_neurons, path)
        return path

    @classmethod
    def load(cls, path) -> "SimulationResult":
        """Read a result written by :meth:`save`.

        Raises
        ------
        ValueError
            The file is not a saved :class:`SimulationResult`.
        """
        with np.load(path, allow_pickle=False) as data:
            if "metadata" not in data.files:
                raise ValueError(f"{path} is not a saved SimulationResult (no metadata entry)")
            metadata = json.loads(str(data["metadata"][()]))
            if metadata.get("format") != RESULT_FORMAT:
                raise ValueError(f"{path}: unknown format {metadata.get('format')!r}; expected {RESULT_FORMAT!r}")
            final_network = None
            if metadata["has_final_network"]:
                from hetnet.network.instance import NetworkInstance

                final_network = NetworkInstance.from_arrays(data, prefix=_FINAL)
            has_input = metadata["has_input_spikes"]
            return cls(
                spike_indices=data["spike_indices"],
                spike_times_ms=data["spike_times_ms"],
                n_neurons=metadata["n_neurons"],
                n_excitatory=metadata["n_excitatory"],
                duration_ms=metadata["duration_ms"],
                step_ms=metadata["step_ms"],
                input_spike_indices=data["input_spike_indices"] if has_input else None,
                input_spike_times_ms=data["input_spike_times_ms"] if has_input else None,
                final_network=final_network,
                provenance=metadata["provenance"],
            )

    @property
    def n_steps(self) -> int:
        return int(np.ceil(self.duration_ms / self.step_ms - 1e-9))

    def population_spikes(self, population: str):
        """``(indices, times_ms)`` of ``"excitatory"`` or ``"inhibitory"`` neurons (local indices)."""
        if population == "excitatory":
            mask = self.spike_indices < self.n_excitatory
            return self.spike_indices[mask], self.spike_times_ms[mask]
        if population == "inhibitory":
            mask = self.spike_indices >= self.n_excitatory
            return self.spike_indices[mask] - self.n_excitatory, self.spike_times_ms[mask]
        raise ValueError(f"population must be 'excitatory' or 'inhibitory'; got {population!r}")

    def spike_counts(self, bin_ms: float | None = None) -> np.ndarray:
        """Spike counts per time bin and neuron, shape ``(n_bins, n_neurons)``.

        ``bin_ms`` defaults to the stimulus step, so row ``k`` counts the
        spikes during stimulus step ``k``.
        """
        bin_ms = self.step_ms if bin_ms is None else float(bin_ms)
        if not bin_ms > 0:
            raise ValueError(f"bin_ms must be > 0; got {bin_ms}")
        n_bins = int(np.ceil(self.duration_ms / bin_ms - 1e-9))
        bins = np.minimum((self.spike_times_ms / bin_ms).astype(np.int64), n_bins - 1)
        counts = np.zeros((n_bins, self.n_neurons), dtype=np.int64)
        np.add.at(counts, (bins, self.spike_indices), 1)
        return counts

    def total_spike_counts(self) -> np.ndarray:
        """Spikes per neuron over the whole run, shape ``(n_neurons,)``."""
        return np.bincount(self.spike_indices, minlength=self.n_neurons)

    @property
    def mean_rate_hz(self) -> float:
        """Mean firing rate over neurons and time."""
        return float(self.spike_indices.size / self.n_neurons / (self.duration_ms / 1000.0))

    @property
    def spikes_per_neuron(self) -> float:
        """Average spike count per recurrent neuron over the run, ``S`` (:ref:`science-spikes`)."""
        return float(self.spike_indices.size / self.n_neurons)

    def state_matrix(self, kind: str = "counts", tau_ms: float = 20.0, step_ms: float | None = None) -> np.ndarray:
        """Network state per step for readouts, shape ``(n_steps, n_neurons)``.

        Parameters
        ----------
        kind : {"counts", "filtered", "counts+filtered"}
            ``counts``: spikes per step. ``filtered``: exponentially filtered
            spike trains ``sum_s exp(-(t_k - t_s) / tau_ms)`` over spikes
            ``t_s <= t_k``, read at the end ``t_k`` of each step.
            ``counts+filtered``: both side by side, shape ``(n_steps, 2 * n_neurons)``
            (the counts resolve the latest step, the filter the ones before).
        tau_ms : float
            Filter time constant (``filtered`` only).
        step_ms : float, optional
            Sampling step; defaults to the stimulus step.
        """
        step_ms = self.step_ms if step_ms is None else float(step_ms)
        if kind == "counts":
            return self.spike_counts(step_ms).astype(float)
        if kind == "counts+filtered":
            return np.hstack([self.state_matrix("counts", step_ms=step_ms),
                              self.state_matrix("filtered", tau_ms, step_ms)])
        if kind != "filtered":
            raise ValueError(f"kind must be 'counts', 'filtered' or 'counts+filtered'; got {kind!r}")
        if not tau_ms > 0:
            raise ValueError(f"tau_ms must be > 0; got {tau_ms}")
        n_steps = int(np.ceil(self.duration_ms / step_ms - 1e-9))
        steps = np.minimum((self.spike_times_ms / step_ms).astype(np.int64), n_steps - 1)
        ends = (steps + 1) * step_ms
        contributions = np.zeros((n_steps, self.n_neurons))
        np.add.at(contributions, (steps, self.spike_indices), np.exp(-(ends - self.spike_times_ms) / tau_ms))
        decay = np.exp(-step_ms / tau_ms)
        states = np.empty_like(contributions)
        running = np.zeros(self.n_neurons)
        for k in range(n_steps):
            running = running * decay + contributions[k]
            states[k] = running
        return states

    def summary(self) -> dict:
        """Headline numbers (JSON-ready)."""
        return {
            "n_neurons": self.n_neurons,
            "duration_ms": self.duration_ms,
            "n_spikes": int(self.spike_indices.size),
            "mean_rate_hz": self.mean_rate_hz,
            "spikes_per_neuron": self.spikes_per_neuron,
        }
