"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import data, nearest

MODULES = (nearest, data)
