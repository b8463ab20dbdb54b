"""The outcome of one simulation: spikes, counts, state matrices, final network.

Plain numpy (no Brian2): times in ms, rates in Hz.

Example
-------
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

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SimulationResult"]


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
        """Average spike count per recurrent neuron over the run (SPEC's S)."""
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
