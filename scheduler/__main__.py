"""Allow `python -m scheduler` as the same entry point as `duban`."""

from scheduler.cli.main import main

raise SystemExit(main())
