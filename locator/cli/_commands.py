"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import coverage, data, export, nearest, serve, users

MODULES = (nearest, coverage, data, users, export, serve)
