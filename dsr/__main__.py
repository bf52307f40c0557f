"""``python -m dsr`` runs the command line."""

import sys

try:
    from .cli import main

    if __name__ == "__main__":  # not when a worker process imports it
        main(prog_name="dsr")
except KeyboardInterrupt:  # Ctrl-C while Python finds dsr.cli, before its own guard runs
    sys.stderr.write("Interrupted.\n")
    raise SystemExit(130) from None
finally:
    # A Ctrl-C that landed in code run by exec(), as dataclasses and named
    # tuples are made, sets a flag by which ``python -m`` ends by SIGINT (-2),
    # whatever the exit code, even when dsr handled it; an exec() that
    # completes clears it (CPython 3.11, Python/pythonrun.c run_eval_code_obj).
    exec("")
