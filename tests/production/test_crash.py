"""kill -9 during the sweep and during the delivery, then recover: nothing lost, a duplicate only
inside the acceptance-to-commit window (at most one message: each outcome commits before the next
send) and then with the same Message-ID, and the store passes the integrity check. A few trials
here; bench/bench_crash.py runs fifty and more and prints figures."""

from __future__ import annotations

import random

import pytest

from tests.production.crashtrial import Backend, measure, reference_keys, run_trial


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_killed_sweeps_and_deliveries_recover_without_loss_or_foreign_duplicates(kind, tmp_path, request):
    postgres = request.getfixturevalue("postgres") if kind == "postgresql" else None
    backend = Backend(kind, tmp_path / kind, postgres)
    expected, messages = reference_keys(backend, tmp_path)
    # 698 notices (the week of urges before included); 52 messages: 43 digests and, one per unit, 9 warning letters
    assert len(expected) > 600 and messages > 45
    durations = measure(backend, tmp_path)
    rng = random.Random(f"crash-{kind}")
    trials = [run_trial(backend, phase, expected, durations, rng, tmp_path, messages, mode)
              for phase, mode in (("sweep", None), ("deliver", "timed"), ("deliver", "arrival"))]
    for trial in trials:
        assert trial.ok, trial
        assert all(trial.duplicates[key] == 2 for key in trial.duplicates)
        # each outcome commits before the next send: one kill leaves at most one message to resend
        assert len(trial.window) <= 1 and len(trial.duplicates) <= 1, trial
    assert trials[2].landed == "sending"  # killed right as the server accepted an e-mail
