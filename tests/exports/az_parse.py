"""Runs Azure CLI commands in one process, signed out, and says how far each got.

Reads a JSON list of argument lists (each without the leading `az`) on stdin and writes a JSON
list of {"code", "errors", "warnings"} on stdout, one per command, in order. With no `az login`
(AZURE_CONFIG_DIR points at an empty folder), a command whose arguments the CLI accepts stops
with "Please run 'az login' to setup account." (exit 1), and one it refuses fails with its
parser's message ("unrecognized arguments", an unknown value; exit 2). Deprecation notices
arrive as warnings. Importing azure-cli takes seconds: one process checks every command.

Run with the virtual environment's Python that scripts/setup.sh --test makes (.tools/venv).
"""

import io
import json
import logging
import sys

from azure.cli.core import get_default_cli


class Records(logging.Handler):
    """The CLI's log records of one command: its errors and warnings."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.errors, self.warnings = [], []

    def emit(self, record):
        kept = self.errors if record.levelno >= logging.ERROR else self.warnings
        message = record.getMessage().strip()
        if message not in kept:
            kept.append(message)


def run(args):
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        code = get_default_cli().invoke(args, out_file=io.StringIO())
    except SystemExit as exit:  # argparse exits on a refused argument
        code = exit.code
    finally:
        root.removeHandler(records)
    return {"code": code, "errors": records.errors, "warnings": records.warnings}


def main():
    commands = json.load(sys.stdin)
    # The CLI prints its own copy of each message to stderr: the records above are the answer.
    sys.stderr = io.StringIO()
    try:
        results = [run(args) for args in commands]
    finally:
        sys.stderr = sys.__stderr__
    json.dump(results, sys.stdout, ensure_ascii=False)


main()
