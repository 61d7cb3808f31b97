"""``python -m cli`` is the ``askcouncil`` command."""

import sys

from cli.main import main

sys.exit(main())
