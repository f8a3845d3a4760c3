"""One module per command group: the workflow of that command, no more."""
