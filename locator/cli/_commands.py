"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import coverage, data, nearest

MODULES = (nearest, coverage, data)
