"""Allow `python -m medops`."""

from medops.cli import main

raise SystemExit(main())
