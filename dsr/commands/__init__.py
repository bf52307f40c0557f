"""The CLI's commands, one module each, loaded only when run (dsr.cli.COMMANDS)."""
