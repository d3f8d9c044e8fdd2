"""``python -m synphys_ibis``: the same as the ``synphys-ibis`` command."""

import sys

from synphys_ibis.cli import main

sys.exit(main())
