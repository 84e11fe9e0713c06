"""`python -m flake8_ssot` runs the `ssot` command line."""

import sys

from flake8_ssot.command import main

sys.exit(main())
