"""Downloadable files: loss histories (CSV), the configuration (JSON), final weights (NPZ)."""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict

import numpy as np

from ..config import FIELD_NAMES, KIND_FIELDS, KINDS, SPECS, Config


def losses_csv(*runs) -> str:
    """One row per iteration, one loss column per run (then the validation losses, where
    there are validation rows); empty where a run had stopped."""
    columns = [(f"loss_{r.method}", r.losses) for r in runs]
    columns += [(f"val_loss_{r.method}", r.val_losses) for r in runs if r.val_losses is not None]
    length = max(len(values) for _, values in columns)
    rows = ["t," + ",".join(name for name, _ in columns)]
    for t in range(length):
        cells = [repr(float(v[t])) if t < len(v) else "" for _, v in columns]
        rows.append(f"{t}," + ",".join(cells))
    return "\n".join(rows) + "\n"


def config_json(config: Config) -> str:
    """The configuration as JSON, with the CLI's and the URL's field names."""
    return json.dumps(config.as_dict(), indent=2) + "\n"


def run_tag(config: Config, variant=None) -> str:
    """A file-name tag with every field that changes a run, so that downloads of
    different runs never share a name: seed0_n64_din1000_h100_dout10_lr1e-06_it500_float64_sum.
    Each field's part is declared with the field (config.Spec.tag); a data kind's own fields
    come after its name, for the kinds that have them.
    variant: a lock-step Options, whose dtypes, ReLU convention and bug are added."""
    names = [n for n in FIELD_NAMES if n not in KIND_FIELDS] + list(KINDS[config.data].fields)
    parts = [SPECS[n].tag(getattr(config, n), config) for n in names if SPECS[n].tag]
    if variant is not None:
        parts += [f"{variant.dtype_numpy}-{variant.dtype_torch}", variant.relu, variant.bug]
    return "_".join(part for part in parts if part)


def records_csv(result) -> str:
    """A lock-step run's per-iteration records: one row per iteration run, one column each."""
    names = list(result.records)
    rows = ["t," + ",".join(names)]
    for t in range(result.iterations_run):
        rows.append(f"{t}," + ",".join(repr(float(result.records[n][t])) for n in names))
    return "\n".join(rows) + "\n"


def lockstep_json(config: Config, variant) -> str:
    """A lock-step run's configuration and its options, as JSON."""
    return json.dumps({"config": config.as_dict(), "options": asdict(variant)}, indent=2) + "\n"


def weights_npz(*runs) -> bytes:
    """The final w1 and w2 of each run, as w1_numpy, w2_numpy, w1_torch, ..."""
    buffer = io.BytesIO()
    arrays = {f"{name}_{r.method}": getattr(r, name) for r in runs for name in ("w1", "w2")}
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def json_text(obj) -> str:
    """obj as indented JSON; JSON has no inf or NaN, so they are written as null."""
    return json.dumps(_finite(obj), indent=2) + "\n"


def _finite(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj
