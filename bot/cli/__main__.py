"""``python -m bot.cli``: the ``supportbot`` command."""

import sys

from bot.cli import main

sys.exit(main())
