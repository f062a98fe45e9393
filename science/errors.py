"""Errors of the verification runtime."""


class ScienceError(Exception):
    """Base class of every error raised by `science`."""


class EvaluatorNotFound(ScienceError):
    """The evaluator reference names a file, module or function that does not exist."""


class SandboxError(ScienceError):
    """The sandbox machinery itself failed (not the candidate or the evaluator)."""


class IsolationUnavailable(ScienceError):
    """A kernel isolation feature (Landlock, namespaces, cgroups) is missing on this machine."""
