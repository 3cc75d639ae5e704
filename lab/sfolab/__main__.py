# SPDX-License-Identifier: BSD-2-Clause
"""python3 -m sfolab: what the launcher runs."""

import sys

from sfolab.cli import main

sys.exit(main())
