"""Data for the network: the assignment's random noise (the default), a teacher network, a
sine curve, or an uploaded CSV file; and the initial weights, drawn once for both methods.

- assignment: make_dataset and init_weights, standard normal as the assignment draws them
- generated: a teacher network and a sine curve, with held-out validation rows
- table: a CSV file, parsed and checked, split and standardized
- kinds: one configuration's Dataset, whatever its kind
"""

from .assignment import init_weights, make_dataset
from .kinds import (
    TEACHER_LEARNS,
    Dataset,
    arrays,
    csv_learning_rate,
    data_key,
    load,
    preset,
    weights,
    with_csv,
)

__all__ = ["TEACHER_LEARNS", "Dataset", "arrays", "csv_learning_rate",
           "data_key", "init_weights", "load", "make_dataset", "preset", "weights", "with_csv"]
