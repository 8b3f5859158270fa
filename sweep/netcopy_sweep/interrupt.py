# SPDX-License-Identifier: LGPL-2.1-or-later
"""SIGINT, SIGTERM and SIGHUP: the first one abandons what the sweep is
doing (an Interrupted exception), except inside held(), which finishes
first: a row is never cut in two, a child never started unrecorded.
Later signals are ignored while the sweep cleans up.  The handlers stay
installed (never SIG_IGN), so every child starts with the defaults."""

import signal
from contextlib import contextmanager

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}

_state = {"signum": None, "raised": False, "held": 0}


class Interrupted(Exception):
    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.status = STATUS[signum]


def _raise():
    _state["raised"] = True
    raise Interrupted(_state["signum"])


def _on_signal(signum, _frame):
    if _state["signum"] is not None:
        return
    _state["signum"] = signum
    if not _state["held"]:
        _raise()


def catch():
    """Catch the signals, even when started with them ignored (a
    background job of a script)."""
    _state.update(signum=None, raised=False, held=0)
    for sig in STATUS:
        signal.signal(sig, _on_signal)


@contextmanager
def held():
    """A signal arriving inside takes effect at its end."""
    _state["held"] += 1
    try:
        yield
    finally:
        _state["held"] -= 1
        if not _state["held"] and _state["signum"] is not None and \
                not _state["raised"]:
            _raise()
