"""One exit-status policy for every command (CONTRACT §1).

A command raises one of these; the CLI's edge (``sohoa.cli``) prints its message as one line on stderr and exits
with its status. Messages are for people: they name the option or variable and what is expected, never a password,
key or token, and never a traceback.
"""
from __future__ import annotations

from sqlalchemy.exc import OperationalError
from urllib3.exceptions import HTTPError as TransportError

OK = 0  # done
FAILED = 1  # some input failed, or a check (verify, fixity, audit verify) found a problem
USAGE = 2  # bad usage or bad configuration
UNAVAILABLE = 3  # a service it needs (catalog, object store, queue, timestamp authority) did not answer

# What a database or an object store that does not answer raises in the middle of a command (the drivers' own
# transport errors); the CLI's edge turns them into UNAVAILABLE.
SERVICE_ERRORS = (TransportError, OperationalError)


class CommandError(Exception):
    """Ends a command: ``str(self)`` is the one line printed, ``status`` the exit status."""

    status = FAILED


class Failed(CommandError):
    """Some input failed or a check found a problem."""

    status = FAILED


class UsageError(CommandError):
    """Bad usage: an option, argument or input that cannot be used."""

    status = USAGE


class ConfigError(UsageError, ValueError):
    """A SOHOA_* variable with a value that cannot be used (a ValueError too, for code that builds settings)."""


class ServiceUnavailable(CommandError):
    """A service the command needs did not answer."""

    status = UNAVAILABLE
