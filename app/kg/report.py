"""A validation report, and its cache kept by the sources' digest: read at every start, so without rdflib
(the validation itself, `validation.py`, runs only when the sources changed)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from .. import __version__


@dataclass(frozen=True)
class ValidationResult:
    focus: str
    path: str | None
    severity: str
    message: str
    source_shape: str
    value: str | None = None

    def line(self) -> str:
        path = self.path or "-"
        return f"{self.severity}: {self.focus} {path}: {self.message} [{self.source_shape}]"


@dataclass(frozen=True)
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        lines = [r.line() for r in self.results]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def cached_validation(cache_dir: Path | None, digest: str, compute: Callable[[], ValidationReport]) -> ValidationReport:
    """The report for sources with this digest: from the cache when they were validated before.

    The cache is keyed by the sources' SHA-256 and the versions of natokg and pyshacl, so any
    change to data, ontology or shapes (or to the validator) validates again.
    """
    if cache_dir is None:
        return compute()
    key = hashlib.sha256(f"{digest}|{__version__}|{metadata.version('pyshacl')}".encode()).hexdigest()[:32]
    path = cache_dir / f"validation-{key}.json"
    try:
        return ValidationReport([ValidationResult(**r) for r in json.loads(path.read_text(encoding="utf-8"))])
    except (OSError, ValueError, TypeError):
        pass
    report = compute()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps([asdict(r) for r in report.results]), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a read-only home only costs the next start-up another validation
    return report
