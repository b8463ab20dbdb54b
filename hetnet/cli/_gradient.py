"""``hetnet run --training gradient``: the BPTT pipelines behind the ``run`` command (imports JAX only when used)."""
from __future__ import annotations

import logging

from hetnet.config import VARIANTS
from hetnet.errors import UsageError

__all__ = ["gradient_variants", "train_prediction_rows", "train_classification_rows"]

logger = logging.getLogger(__name__)

_STDP_DEFAULT_VARIANTS = "HoNHoS,HeNHeS"


def gradient_variants(args) -> list:
    """``--variants`` for gradient training: ``HoNB,HeNB`` unless given (HoNB, HeNB or any of the four variants).

    >>> import argparse
    >>> gradient_variants(argparse.Namespace(variants="HoNHoS,HeNHeS"))
    ['HoNB', 'HeNB']
    """
    if args.variants == _STDP_DEFAULT_VARIANTS:
        return ["HoNB", "HeNB"]
    allowed = ("HoNB", "HeNB") + VARIANTS
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if not variants or any(v not in allowed for v in variants):
        raise UsageError("--variants", args.variants, f"with --training gradient give a comma-separated list of "
                                                      f"{', '.join(allowed)}")
    return variants


def _options(args):
    try:
        from hetnet.gradient import GradientOptions
    except ImportError as error:
        raise UsageError("--training", "gradient", f"needs the 'gradient' extra ({error})") from None
    epochs = args.epochs if args.epochs is not None else (10 if args.quick else 30)
    return GradientOptions(epochs=epochs, seed=0)


def _summarise(results: dict) -> dict:
    for row in results.values():
        training = row["training"]
        row.update(training_method="gradient", training_epochs=training["epochs"],
                   training_initial_loss=training["initial_loss"], training_final_loss=training["final_loss"],
                   training_seconds=training["seconds"], training_dt_ms=training["train_dt_ms"])
    return results


def train_prediction_rows(args, config, series, variants, dt_series, exponent, progress, steps) -> dict:
    """BPTT on the prediction task's training steps (one-step mode only)."""
    from hetnet.gradient import train_prediction

    if args.mode != "one-step":
        raise UsageError("--mode", args.mode, "--training gradient supports one-step prediction only")
    return _summarise(train_prediction(config, series, variants=variants, options=_options(args), dt=dt_series,
                                       lyapunov_exponent=exponent, progress=progress, **steps))


def train_classification_rows(args, config, variants, progress) -> dict:
    """BPTT on a classification task's training samples (the data of :func:`hetnet.tasks.registry.run_task`)."""
    from hetnet.gradient import train_classification
    from hetnet.tasks.registry import classification_data

    data, encoder_options = classification_data(args.task, config, data_path=args.data, quick=args.quick,
                                                seed=config.seed)
    return _summarise(train_classification(config, data, variants=variants, options=_options(args),
                                           encoder_options=encoder_options, seed=config.seed, progress=progress))

