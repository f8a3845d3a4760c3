"""escalate: an interactive command-line escalation coach."""

__version__ = "0.1.0"
