"""``python -m wmireach``: the same as the ``wmireach`` command."""

import sys

from wmireach.cli import main

sys.exit(main())
