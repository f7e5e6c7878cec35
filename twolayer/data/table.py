"""Your own data: a CSV file, parsed (never executed), checked, split and standardized.

Every way a file can be unusable gets a ValueError that says what and where: text
that is not UTF-8, an empty or repeated header, a ragged row, a cell that is not a
number, an empty cell, NaN or inf, too few rows, too many cells for the memory
budget, a column chosen as both input and target.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..config import check_memory
from ..i18n import N_, _
from .assignment import SPLIT_STREAM, rng

MIN_ROWS = 8  # fewer cannot be split into training and validation rows that mean anything
MAX_COLUMNS = 500
MAX_BYTES = 5 * 2**20  # a CSV the app takes: 5 MB is tens of thousands of rows
KEPT_UPLOADS = 8  # files kept by digest in this process (the app keeps each visitor's too)

_uploads: OrderedDict[str, bytes] = OrderedDict()


def digest(raw: bytes) -> str:
    """A file's identity: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def register(raw: bytes) -> str:
    """Keep a file's bytes under its digest (the configuration carries only the digest)."""
    key = digest(raw)
    _uploads[key] = raw
    _uploads.move_to_end(key)
    while len(_uploads) > KEPT_UPLOADS:
        _uploads.popitem(last=False)
    return key


def registered(key: str) -> bytes:
    """The bytes registered under a digest, or a ValueError saying the file is needed."""
    if key not in _uploads:
        raise ValueError(_("the CSV file is not loaded: a link carries the settings, not the "
                           "file; upload it again"))
    return _uploads[key]


@dataclass(frozen=True)
class Table:
    """A parsed CSV: its header, and per column the numbers (None if some cell is not one)
    and the first problem found in it: the sentence that says so (a {name} for the column,
    untranslated until it is said) and its values."""

    names: tuple[str, ...]
    columns: dict[str, np.ndarray | None]
    problems: dict[str, tuple[str, dict]]
    rows: int

    @property
    def numeric(self) -> tuple[str, ...]:
        """The columns whose every cell is a finite number."""
        return tuple(name for name in self.names if self.columns[name] is not None)


def parse(raw: bytes) -> Table:
    """The table in a CSV file (header in the first row; comma, semicolon or tab)."""
    if len(raw) > MAX_BYTES:
        raise ValueError(_("the file is over {mb} MB; use at most {mb} MB of rows",
                           mb=MAX_BYTES // 2**20))
    text = _decode(raw)
    rows = list(csv.reader(io.StringIO(text), _dialect(text)))
    rows = [row for row in rows if any(cell.strip() for cell in row)]  # blank lines
    if not rows:
        raise ValueError(_("the file is empty"))
    names = _header(rows[0])
    body = rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(names):
            raise ValueError(_("row {number} has {cells} cells, the header has {columns}",
                               number=number, cells=len(row), columns=len(names)))
    columns, problems = {}, {}
    for k, name in enumerate(names):
        columns[name], problem = _numbers([row[k] for row in body])
        if problem:
            problems[name] = problem
    if not any(value is not None for value in columns.values()):
        raise ValueError(_("no column holds only numbers: the inputs and targets must be "
                           "numeric"))
    return Table(names, columns, problems, len(body))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_("the file is not UTF-8 text (byte {byte:#04x} at position "
                           "{position}); save it as CSV in UTF-8", byte=raw[error.start],
                           position=error.start)) from None


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _header(row: list[str]) -> tuple[str, ...]:
    names = tuple(cell.strip() for cell in row)
    if len(names) > MAX_COLUMNS:
        raise ValueError(_("the file has {columns} columns; at most {most} are read",
                           columns=len(names), most=MAX_COLUMNS))
    for k, name in enumerate(names, start=1):
        if not name:
            raise ValueError(_("column {k} has an empty header: name every column in row 1",
                               k=k))
    seen: dict[str, int] = {}
    for k, name in enumerate(names, start=1):
        if name in seen:
            raise ValueError(_("two columns are named {name!r} (columns {first} and {k})",
                               name=name, first=seen[name], k=k))
        seen[name] = k
    return names


def _numbers(cells: list[str]) -> tuple[np.ndarray | None, tuple[str, dict] | None]:
    """A column's values, or None and what is wrong with the first bad cell: the whole
    sentence, marked for translation, and its values (the column's {name} is added)."""
    values = np.empty(len(cells))
    for k, cell in enumerate(cells):
        row = k + 2  # as a spreadsheet numbers it: the header is row 1
        text = cell.strip()
        if not text:
            return None, (N_("column {name!r} has an empty cell in row {row}: only numbers "
                             "can be inputs or targets"), {"row": row})
        try:
            value = float(text)
        except ValueError:
            return None, (N_("column {name!r} has a non-numeric value {value!r} in row {row}: "
                             "only numbers can be inputs or targets"),
                          {"value": text[:40], "row": row})
        if math.isnan(value):
            return None, (N_("column {name!r} has a NaN in row {row}: only numbers can be "
                             "inputs or targets"), {"row": row})
        if math.isinf(value):
            return None, (N_("column {name!r} has an infinite value in row {row}: only "
                             "numbers can be inputs or targets"), {"row": row})
        values[k] = value
    return values, None


@dataclass(frozen=True, eq=False)
class Split:
    """The chosen columns as training and validation arrays, and how they were scaled."""

    x: np.ndarray  # (N, D_in): the inputs, then a column of ones (the bias)
    y: np.ndarray  # (N, D_out)
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    means: dict[str, float]
    stds: dict[str, float]


def select(table: Table, inputs: tuple[str, ...], targets: tuple[str, ...],
           validation: float, standardize: bool, seed: int) -> Split:
    """Inputs and targets as arrays, shuffled by seed and split, standardized by the training
    rows' own statistics (never the validation rows')."""
    _check_choice(table, inputs, targets)
    check_memory(8 * 2 * table.rows * (len(inputs) + len(targets) + 1),
                 _("the chosen columns ({rows:,} rows)", rows=table.rows))
    order = rng(seed, SPLIT_STREAM).permutation(table.rows)
    held = round(validation * table.rows)
    if table.rows - held < MIN_ROWS:
        raise ValueError(_("the file has {rows} rows; with {held} held out for validation "
                           "fewer than {least} are left to train on", rows=table.rows,
                           held=held, least=MIN_ROWS))
    val_rows, train_rows = order[:held], order[held:]
    chosen = {name: table.columns[name] for name in (*inputs, *targets)}
    means, stds = _statistics(chosen, train_rows, standardize)
    scaled = {name: (values - means[name]) / stds[name] for name, values in chosen.items()}
    x_all = np.column_stack([*(scaled[name] for name in inputs), np.ones(table.rows)])
    y_all = np.column_stack([scaled[name] for name in targets])
    val = (x_all[val_rows], y_all[val_rows]) if held else (None, None)
    return Split(x_all[train_rows], y_all[train_rows], *val, means, stds)


def _check_choice(table: Table, inputs, targets) -> None:
    if not inputs:
        raise ValueError(_("choose at least one input column"))
    if not targets:
        raise ValueError(_("choose at least one target column"))
    both = [name for name in targets if name in inputs]
    if both:
        raise ValueError(_("{column!r} is chosen as an input and as a target: a network "
                           "that sees its answer learns nothing", column=both[0]))
    for name in (*inputs, *targets):
        if name not in table.columns:
            raise ValueError(_("the file has no column {name!r}", name=name))
        if table.columns[name] is None:
            problem, values = table.problems[name]
            raise ValueError(_(problem, name=name, **values))
    if table.rows < MIN_ROWS:
        raise ValueError(_("the file has {rows} rows of data; at least {least} are needed",
                           rows=table.rows, least=MIN_ROWS))


def _statistics(chosen: dict, train_rows, standardize: bool):
    if not standardize:
        return dict.fromkeys(chosen, 0.0), dict.fromkeys(chosen, 1.0)
    means = {name: float(values[train_rows].mean()) for name, values in chosen.items()}
    stds = {name: float(values[train_rows].std()) for name, values in chosen.items()}
    for name, std in stds.items():
        if std == 0:
            raise ValueError(_("column {name!r} is constant in the training rows: scaled by "
                               "its spread it would divide by zero; leave it out", name=name))
    return means, stds


def sample_csv(rows: int = 400) -> str:
    """A sample file to try the CSV path at once: house prices from four features."""
    stream = rng(0, SPLIT_STREAM + 1)
    area = stream.uniform(30, 200, rows)
    rooms = np.clip(np.round(area / 30 + stream.normal(0, 0.7, rows)), 1, 8)
    age = stream.uniform(0, 80, rows)
    distance = stream.exponential(6, rows)
    price = (2.4 * area + 12 * rooms - 0.9 * age + 0.004 * (age - 40) ** 2
             - 40 * np.log1p(distance) + stream.normal(0, 15, rows) + 150)
    lines = ["area_m2,rooms,age_years,distance_km,price_k"]
    lines += [f"{a:.1f},{r:.0f},{g:.0f},{d:.2f},{p:.1f}"
              for a, r, g, d, p in zip(area, rooms, age, distance, price, strict=True)]
    return "\n".join(lines) + "\n"
