"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import coverage, data, export, nearest, serve

MODULES = (nearest, coverage, data, export, serve)
