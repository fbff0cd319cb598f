"""The command modules, in the order ``locator --help`` lists them."""

from locator.cli import coverage, data, export, nearest, serve, users, visits

MODULES = (nearest, coverage, data, visits, users, export, serve)
