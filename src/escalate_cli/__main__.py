"""Allow `python -m escalate_cli`."""

from escalate_cli.cli import run

run()
