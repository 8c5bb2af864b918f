"""`python -m marketdock` runs the command line."""

from marketdock.cli.main import app

app()
