"""The ``locator`` command: a thin front over the library.

Each command group lives in its own module with a ``register(subparsers)`` function; every
command's help carries an example (a test fails when one does not). Errors a user can fix
exit with code 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from locator import __version__
from locator.errors import Ambiguous, LocatorError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    from locator.cli import _commands

    parser = argparse.ArgumentParser(
        prog="locator",
        description="Offline service locator for job centers, partner sites and public libraries.",
    )
    parser.add_argument("--version", action="version", version=f"locator {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _commands.MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Ambiguous as error:
        print(f"locator: {error}", file=sys.stderr)
        for candidate in error.candidates:
            print(f"  {getattr(candidate, 'label', candidate)}", file=sys.stderr)
        return EXIT_USAGE
    except LocatorError as error:
        print(f"locator: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("locator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`locator ... | head`): stop quietly, and keep Python from
        # reporting the same broken pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def add_command(subparsers: argparse._SubParsersAction, name: str, *, help: str,
                example: str) -> argparse.ArgumentParser:
    """Add a subcommand whose help ends with a worked example."""
    return subparsers.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
