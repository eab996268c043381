"""The one error type of intake: a file that cannot be taken, with a reason a person understands."""


class InputError(Exception):
    """A file was rejected; ``str(error)`` is the reason shown to the scanning team."""


class OverLimit(InputError):
    """A file over one of the intake limits (size, pages, pixels): refused as soon as it is seen, before any work."""
