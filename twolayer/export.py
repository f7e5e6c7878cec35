"""Downloadable files: loss histories (CSV), the configuration (JSON), final weights (NPZ)."""

from __future__ import annotations

import io
import json

import numpy as np

from .config import Config


def losses_csv(*runs) -> str:
    """One row per iteration, one loss column per run; empty where a run had stopped."""
    length = max(len(r.losses) for r in runs)
    header = "t," + ",".join(f"loss_{r.method}" for r in runs)
    rows = [header]
    for t in range(length):
        cells = [repr(float(r.losses[t])) if t < len(r.losses) else "" for r in runs]
        rows.append(f"{t}," + ",".join(cells))
    return "\n".join(rows) + "\n"


def config_json(config: Config) -> str:
    """The configuration as JSON, with the CLI's and the URL's field names."""
    return json.dumps(config.as_dict(), indent=2) + "\n"


def weights_npz(*runs) -> bytes:
    """The final w1 and w2 of each run, as w1_numpy, w2_numpy, w1_torch, ..."""
    buffer = io.BytesIO()
    arrays = {f"{name}_{r.method}": getattr(r, name) for r in runs for name in ("w1", "w2")}
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()
