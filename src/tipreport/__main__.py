"""``python -m tipreport``: the command line (``tipreport.outputs.cli``).

Entry layer: may import from every step."""

import sys

from tipreport.outputs.cli import main

if __name__ == "__main__":
    sys.exit(main())
