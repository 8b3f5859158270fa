# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.interrupt: the first signal raises Interrupted, at once
or at the end of held(); later ones are ignored; the handlers stay
installed, so that children start with the default dispositions."""

import os
import signal

import pytest

from netcopy_sweep import interrupt


@pytest.fixture(autouse=True)
def keep_signals():
    old = {s: signal.getsignal(s) for s in interrupt.STATUS}
    interrupt.catch()
    yield
    for s, handler in old.items():
        signal.signal(s, handler)


def test_signal_raises_with_its_status():
    with pytest.raises(interrupt.Interrupted) as e:
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pthread_sigmask(signal.SIG_BLOCK, [])  # let it be handled
    assert e.value.status == 143


def test_held_defers_to_its_end():
    done = []
    with pytest.raises(interrupt.Interrupted) as e:
        with interrupt.held():
            os.kill(os.getpid(), signal.SIGINT)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])
            done.append("inside")
    assert done == ["inside"]
    assert e.value.status == 130


def test_later_signals_ignored_and_handlers_kept():
    with pytest.raises(interrupt.Interrupted):
        os.kill(os.getpid(), signal.SIGINT)
        signal.pthread_sigmask(signal.SIG_BLOCK, [])
    # The cleanup is not cut short by a second signal.
    os.kill(os.getpid(), signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_BLOCK, [])
    for s in interrupt.STATUS:
        assert signal.getsignal(s) not in (signal.SIG_IGN, signal.SIG_DFL)
