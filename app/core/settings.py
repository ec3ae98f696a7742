"""Runtime settings, read from `NATOKG_*` environment variables or passed in by tests."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.fields import FieldInfo

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # app/ in a checkout; site-packages/natokg/ when installed
PROJECT_ROOT = PACKAGE_DIR.parent  # the checkout, when the package runs from one
SOURCE_FOLDERS = ("ontology", "data", "shapes", "queries")
ENV_PREFIX = "natokg_"
CANONICAL_BASE = "https://w3id.org/natokg/"
CANONICAL_ID_BASE = f"{CANONICAL_BASE}id/"
MAX_DEFAULT_PROCESSES = 8
_ORIGIN = re.compile(r"^https?://[^/\s]+$")  # scheme://host[:port], as a browser sends it in Origin


def default_root() -> Path:
    """The checkout holding this package when there is one (a clone, `pip install -e .`), else the data
    installed inside the package (a wheel carries the four folders as package data)."""
    return PROJECT_ROOT if all((PROJECT_ROOT / folder).is_dir() for folder in SOURCE_FOLDERS) else PACKAGE_DIR


def default_processes() -> int:
    """One serving process per CPU this process may run on, as Oxigraph server and Fuseki use every core."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere, the CPUs of the machine
    cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_PROCESSES))


def environment_settings(fields: Mapping[str, FieldInfo]) -> dict[str, str | None]:
    """The `NATOKG_<NAME>` variables of the environment that name a setting (the name in any case, as
    pydantic-settings read them), by setting. An empty variable unsets a setting that may be unset
    (`NATOKG_CACHE_DIR=`: no cache, rather than the current folder)."""
    found: dict[str, str | None] = {}
    for variable, value in os.environ.items():
        prefix, name = variable[:len(ENV_PREFIX)].lower(), variable[len(ENV_PREFIX):].lower()
        if prefix == ENV_PREFIX and (field := fields.get(name)) is not None:
            found[name] = None if value == "" and type(None) in get_args(field.annotation) else value
    return found


class Settings(BaseModel):
    """Everything an operator can set: `NATOKG_<NAME>` environment variables, or keywords in code (which win).
    Nothing reads the environment at import time. (Read here rather than with pydantic-settings, whose import
    was a sixth of every start: 0.2 s.)"""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    root: Path = Field(default_factory=default_root, description="Folder holding ontology/, data/, shapes/, queries/.")
    base_iri: str = Field(default=CANONICAL_BASE, description="Base of the graph's IRIs, so a deployment dereferences its own.")
    sparql_endpoint: str | None = Field(default=None, description="Remote SPARQL 1.1 endpoint; unset means the embedded store.")
    sparql_default_graph: str | None = Field(
        default=None, description="The remote store's graph that holds natokg, sent upstream as default-graph-uri "
                                  "(a store such as Virtuoso otherwise queries every graph it has, its own included).",
    )
    validate_on_start: bool = True
    cache_dir: Path | None = Field(
        default_factory=lambda: Path.home() / ".cache" / "natokg",
        description="Where validation reports and on-disk stores are kept by the sources' digest; unset to validate and "
                    "load into memory at every start.",
    )
    store: Literal["auto", "disk", "memory"] = Field(
        default="auto",
        description="`disk`: an Oxigraph store under the cache folder, built once per version of the sources and opened "
                    "read-only by every process; `memory`: loaded into memory at each start, before the processes fork "
                    "(they share it); `auto`: memory for sources of at most `memory_max_bytes`, else disk.",
    )
    memory_max_bytes: int = Field(
        default=32 * 1024 * 1024, ge=0,
        description="With store=auto, the largest sources (bytes of Turtle) loaded into memory: a small graph answers "
                    "faster from memory (reads from the on-disk store cost 1.4-2.5x at the shipped size), a large one "
                    "starts faster and holds less from disk.",
    )
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds a query may run before it is stopped.")
    rest_sort_limit: int = Field(
        default=10_000, ge=0, description="Longest REST list sorted before it is cut into pages; a longer one comes "
                                          "in the store's own order (`ordered: false`), as sorting costs the whole list.")
    max_rows: int = Field(default=10_000, ge=1, description="Result rows returned before the answer is cut.")
    page_facts: int = Field(
        default=500, ge=0, description="Dated relationships a profile page draws (timeline, network, sources, memberships); "
                                       "a resource in more links to them instead, so a page costs what it shows.")
    page_triples: int = Field(default=2_000, ge=1, description="Statements a resource's HTML page lists; its RDF "
                                                                "formats give every one.")
    max_query_bytes: int = Field(default=256 * 1024, ge=1, description="Largest query or request body accepted.")
    max_nesting: int = Field(default=200, ge=1, description="Deepest nesting of brackets and braces accepted in a query.")
    allow_service: bool = Field(default=False, description="Let users' queries use SERVICE (federation): off by default.")
    allow_remote_datasets: bool = Field(
        default=False, description="Pass FROM and dataset parameters on to a remote store, which might fetch them."
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Origins whose web pages may read the service (CORS): `*` for any, or a comma-separated list "
                    "such as `https://a.example,https://b.example:8443`; empty for none.",
    )
    access_log: bool = Field(default=False, description="Log every request (it costs time on every request: see the README's benchmark).")
    workers: int = Field(default=2, ge=1, le=32, description="Query worker processes (of each serving process).")
    processes: int = Field(
        default_factory=default_processes, ge=1, le=64,
        description=f"Serving processes of `natokg serve`, forked after the load (default: one per CPU, at most {MAX_DEFAULT_PROCESSES}).",
    )
    slow_query_after: float = Field(
        default=0.25, gt=0, description="Seconds after which a running query counts as slow and needs a slow-query place.")
    slow_queries: int | None = Field(
        default=None, ge=1, description="Slow queries at once in each serving process (default: workers - 1, at least 1), "
                                        "so fast ones always find a worker.")
    slow_queries_per_client: int = Field(default=1, ge=1, description="Slow queries at once from one client address.")
    slow_query_nice: int = Field(
        default=19, ge=0, le=19,
        description="Niceness a worker takes while it runs a slow query (0: none), so fast queries get the processors first.")
    read_timeout: float = Field(default=10.0, gt=0, description="Seconds a client has to send a whole request (head and body).")
    max_connections: int = Field(
        default=4096, ge=1, description="Open client connections in all; lowered at start to fit the descriptor limit.")
    max_connections_per_client: int = Field(default=256, ge=1, description="Open connections from one client address.")
    inline_budget: int = Field(
        default=256, ge=0,
        description="Queries of plain triple patterns (or DESCRIBE) bounded by this many triples run in the serving "
                    "process, without a worker round trip; 0 sends every query to a worker.",
    )
    inline_measured_ms: float = Field(
        default=5.0, ge=0,
        description="A query text whose evaluation on a worker took at most this many milliseconds of processor time "
                    "runs in the serving process when it is sent again (the store never changes, so neither does "
                    "its cost); 0 sends such queries to a worker every time.",
    )
    answer_cache_mb: int = Field(
        default=256, ge=0,
        description="Megabytes of slow queries' answers kept beside an on-disk store and read back when the same query "
                    "text is asked again (the store never changes); 0 keeps none.",
    )
    answer_cache_after: float = Field(
        default=0.25, ge=0,
        description="Seconds of a query worker's processor time from which an answer is worth keeping (answer_cache_mb).",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {**environment_settings(cls.model_fields), **data}

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("base_iri must be an http(s) IRI ending with '/'")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_are_a_list(cls, value: Any) -> Any:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_origins(cls, value: list[str]) -> list[str]:
        origins = [origin.rstrip("/") for origin in value]
        wrong = [origin for origin in origins if origin != "*" and not _ORIGIN.match(origin)]
        if wrong:
            raise ValueError(f"cors_origins must be * or origins such as https://a.example; not {', '.join(wrong)}")
        return origins

    @field_validator("sparql_endpoint")
    @classmethod
    def _endpoint_is_http(cls, value: str | None) -> str | None:
        # Only the SPARQL 1.1 Protocol over HTTP: a file: or other scheme would let a setting read local files.
        if not value:
            return None  # an empty NATOKG_SPARQL_ENDPOINT means the embedded store
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("sparql_endpoint must be an http(s) URL of a SPARQL 1.1 query endpoint")
        return value

    @field_validator("sparql_default_graph")
    @classmethod
    def _graph_is_absolute(cls, value: str | None) -> str | None:
        if not value:
            return None
        if ":" not in value or any(c in value for c in '<>"{}|^`\\ '):
            raise ValueError("sparql_default_graph must be an absolute IRI")
        return value

    @property
    def slow_query_places(self) -> int:
        """Slow queries at once in one serving process: the setting, else all workers but one."""
        return self.slow_queries or max(1, self.workers - 1)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def id_base(self) -> str:
        return f"{self.base_iri}id/"
