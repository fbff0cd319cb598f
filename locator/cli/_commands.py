"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import coverage, data, nearest, serve, users

MODULES = (nearest, coverage, data, users, serve)
