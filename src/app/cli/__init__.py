"""The ``released-intacct`` command line: serve, connect, onboard, sync, status, results, ...

``main(argv)`` runs one command and answers its exit code (0 done or blue, 1 red, 2 refused).
``progress.follow_run`` shows a run's progress at a terminal, for any driver (the demo too).
"""

from __future__ import annotations

from released_intacct.app.cli.main import main

__all__ = ["main"]
