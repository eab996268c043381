"""The one error type of intake: a file that cannot be taken, with a reason a person understands."""
from typing import Literal

Cause = Literal["unsupported_type", "damaged", "too_large"]  # what kind of problem, for counting


class InputError(Exception):
    """A file was rejected; ``str(error)`` is the reason shown to the scanning team."""

    cause: Cause = "damaged"


class Unsupported(InputError):
    """Not a kind of scan sohoa reads (PNG, JPEG, TIFF, PDF), by its first bytes."""

    cause: Cause = "unsupported_type"


class OverLimit(InputError):
    """A file over one of the intake limits (size, pages, pixels): refused as soon as it is seen, before any work."""

    cause: Cause = "too_large"
