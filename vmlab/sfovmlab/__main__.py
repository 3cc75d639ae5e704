# SPDX-License-Identifier: BSD-2-Clause
"""python3 -m sfovmlab: what the launcher runs."""

import sys

from sfovmlab.cli import main

sys.exit(main())
