"""`python -m desktop_app` — same as the `rehearse` command."""

from desktop_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
