"""User-facing errors: one line naming the op or layer, its index, the rule broken and what to do."""

from __future__ import annotations


class KccError(Exception):
    """An error caused by the user's input (model, options, files); printed as one line, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, op: str | None = None, index: int | None = None, hint: str | None = None):
        self.op = op
        self.index = index
        self.hint = hint
        parts: list[str] = []
        if op is not None:
            parts.append(f"{op}" + (f" (#{index})" if index is not None else "") + ": ")
        parts.append(message)
        if hint:
            parts.append(f" ({hint})")
        super().__init__("".join(parts))
