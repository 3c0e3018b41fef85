"""``python -m fastreg``: the same command line as the ``fastreg`` script."""

import sys

from fastreg.cli import main

if __name__ == "__main__":
    sys.exit(main())
