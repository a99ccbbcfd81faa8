"""``python -m medtwin`` runs the CLI."""

from medtwin.cli import main

main()
