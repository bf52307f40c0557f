"""``python -m dsr`` runs the command line."""

from .cli import main

main(prog_name="dsr")
