"""Deep Learning Explorer's engine: models, training, inputs and tracking, without any UI.

Importing the package is cheap: torch, transformers and friends are imported inside the functions
that need them. Use it from Python (`from dl_core import registry`) or from the command line
(`python -m dl_core --help`).
"""

from .device import limit_threads

limit_threads()  # before numpy/sklearn/torch start their thread pools

__version__ = "0.1.0"
