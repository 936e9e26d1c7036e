"""``python -m app``: the ``scrutin`` command line."""

from app.cli import main

main()
