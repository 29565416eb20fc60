"""``python -m schedalg``: the ``schedalg`` command."""

import sys

from .cli import main

sys.exit(main())
