"""A named table of interchangeable implementations (estimators, loss aggregations, selectors): each entry is
registered once under its name, and a lookup miss names the choices. Config validation and CLI choices read the
keys, so adding an entry is the only change an extension needs."""
from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(dict, Generic[T]):
    def __init__(self, what: str):
        super().__init__()
        self.what = what  # e.g. "advantage estimator", for error messages

    def add(self, name: str, entry: T) -> T:
        if name in self:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        self[name] = entry
        return entry

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of `add`: the decorated object is the entry and is returned unchanged."""
        return lambda entry: self.add(name, entry)

    def lookup(self, name: str) -> T:
        if name not in self:
            raise ValueError(f"{self.what} must be one of {sorted(self)}, got {name!r}")
        return self[name]
