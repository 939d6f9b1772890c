"""Serve named files from npm packages (node_modules) as static files.

Only the files listed in ``settings.NODE_PACKAGE_FILES`` are exposed, so collectstatic copies a
handful of files rather than whole package trees, and nothing third-party lives in the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class NodePackageFinder(BaseFinder):
    def _files(self) -> dict[str, Path]:
        root = Path(settings.NODE_MODULES_DIR)
        return {name: root / source for name, source in settings.NODE_PACKAGE_FILES.items()}

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [str(path) for path in self._files().values() if not path.is_file()]
        if not missing:
            return []
        return [
            Error(
                "Front-end packages are not installed: " + ", ".join(missing),
                hint="Run 'npm ci' (make run and make test do it for you).",
                id="autocrm.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        source = self._files().get(path)
        if source is None or not source.is_file():
            return [] if find_all else ""
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name, source in self._files().items():
            if source.is_file():
                prefix = name[: -len(source.name)].rstrip("/")
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = prefix  # type: ignore[attr-defined]
                yield source.name, storage
