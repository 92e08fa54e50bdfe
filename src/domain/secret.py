"""A value that never shows itself: redacted in ``repr``, ``str`` and formatting."""

from __future__ import annotations

from typing import Final

_REDACTED: Final = "Secret('**********')"


class Secret:
    """Wraps a credential. Only :meth:`reveal` returns the value, and only adapters call it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return _REDACTED

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return _REDACTED

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        msg = "a Secret cannot be pickled"
        raise TypeError(msg)
