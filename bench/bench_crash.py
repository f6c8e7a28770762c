"""kill -9 the sweep and the delivery at random moments, recover, and count what went wrong.

Run as `.venv/bin/python bench/bench_crash.py [--trials 50] [--db sqlite|postgresql|both] [--seed S]`.
Each trial takes a fresh copy of a store loaded with the 晋城/晋中 2020-21 ledgers and an e-mail
address per unit, starts an instance process (tests/production/driver.py) against a real SMTP
server on loopback, kills it with SIGKILL a uniformly random time into its sweep or its delivery of
2020-11-02 (464 notices, 43 digests and 46 numbered letters), then lets a fresh instance sweep and
deliver the same day after the lease (09:20). Half the delivery kills are timed; the other half
happen as the SMTP server accepts a random one of the day's e-mails (0-20 ms later), the window
between acceptance and commit where a resend, with the same Message-ID, is allowed. See
tests/production/crashtrial.py for the verdict:
no notice lost, every message delivered, a duplicate only in the acceptance-to-commit window and
with the same Message-ID, the store passing scheduler.integrity.check_store.
"""

from __future__ import annotations

import argparse
import platform
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.production.crashtrial import Backend, measure, reference_keys, run_trial  # noqa: E402


def _postgres():
    from tests.conftest import PostgresServer, _pg_bin

    bindir = _pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return PostgresServer(bindir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=50, help="trials per database (half sweep, half delivery)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", default="duban-crash")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally below: stop PostgreSQL
    postgres = _postgres() if "postgresql" in kinds else None
    rng = random.Random(args.seed)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="duban-crash-") as scratch:
            for kind in kinds:
                workdir = Path(scratch) / kind
                backend = Backend(kind, workdir, postgres)
                expected, messages = reference_keys(backend, workdir)
                durations = measure(backend, workdir)
                print(f"\n{kind}: reference day {len(expected)} notices, {messages} e-mails; "
                      f"sweep {durations['sweep']:.2f}s, delivery {durations['deliver']:.2f}s (kill in 0..1.2x)")
                started = time.perf_counter()
                trials = []
                for number in range(args.trials):
                    phase = "sweep" if number % 2 == 0 else "deliver"
                    trial = run_trial(backend, phase, expected, durations, rng, workdir, messages)
                    trials.append(trial)
                    mark = "ok" if trial.ok else "FAIL"
                    when = (f"at e-mail {trial.at:>2}+{trial.delay * 1000:2.0f}ms" if trial.mode == "arrival"
                            else f"at {trial.delay:5.2f}s        ")
                    print(f"  #{number + 1:>3} {phase:<7} kill {when}  landed {trial.landed:<13} "
                          f"arrived {trial.arrived_before_kill:>3}  window {len(trial.window)}  "
                          f"dups {sum(n - 1 for n in trial.duplicates.values())}  {mark}", flush=True)
                    if not trial.ok:
                        failed += 1
                        print(f"      {trial}")
                _summary(kind, trials, time.perf_counter() - started)
    finally:
        if postgres is not None:
            postgres.stop()
    sys.exit(1 if failed else 0)


def _summary(kind: str, trials: list, seconds: float) -> None:
    phases = Counter(t.phase for t in trials)
    landed = Counter(f"{t.phase}/{t.mode}/{t.landed}" for t in trials)
    duplicates = sum(n - 1 for t in trials for n in t.duplicates.values())
    in_window = sum(1 for t in trials if t.window)
    print(f"{kind}: {len(trials)} trials in {seconds:.0f}s — kills: sweep {phases['sweep']}, delivery "
          f"{phases['deliver']}")
    print("  landed: " + ", ".join(f"{k} {v}" for k, v in sorted(landed.items())))
    print(f"  kills inside the acceptance-to-commit window: {in_window}; duplicate e-mails seen: {duplicates} "
          f"(outside the window: {sum(len(t.duplicates_outside_window) for t in trials)}, "
          f"with another Message-ID: {sum(len(t.message_id_mismatch) for t in trials)})")
    print(f"  notices or messages lost: {sum(len(t.lost) for t in trials)}; integrity failures: "
          f"{sum(1 for t in trials if t.integrity)}; recovery errors: {sum(len(t.errors) for t in trials)}")


if __name__ == "__main__":
    main()
