"""``python -m wasikernel`` is the ``wasikernel`` command."""

import sys

from .cli import main

sys.exit(main())
