"""`python -m desktop_app` — same as the `rehearse` command."""

from desktop_app.cli import main

raise SystemExit(main())
