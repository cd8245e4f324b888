"""The one error every malformed lesson file raises."""

from __future__ import annotations

from pathlib import Path


class LessonError(ValueError):
    """A lesson file that cannot be used, with the file, the line (if known) and the problem.

    ``str(error)`` reads like ``"05-update-rule.md, line 12: unknown action 'stepz'"``.
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.line = line
        where = []
        if self.path is not None:
            where.append(self.path.name)
        if line is not None:
            where.append(f"line {line}")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)
