"""python -m twolayer: see twolayer.cli."""

import sys

from .cli import main

sys.exit(main())
