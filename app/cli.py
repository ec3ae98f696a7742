"""The `natokg` command line: serve, validate, query, export, stats. It calls the same core as the web app."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from pydantic import ValidationError

from .core.errors import ProblemError
from .core.formats import BY_NAME, GRAPH_FORMATS, RESULT_FORMATS
from .core.progress import ProgressBar
from .core.settings import Settings
from .core.vocab import PREFIXES
from .kg.runtime import InvalidData, Runtime, build_runtime
from .kg.sources import SourceFileError, SourceFolderError, load_sources
from .sparql.policy import check_query
from .sparql.querylib import QueryFileError, parse_header
from .sparql.results import write_triples
from .store.base import DumpsHere, QueryRequest, select
from .store.embedded import EmbeddedStore


def _fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def _runtime(settings: Settings) -> Runtime:
    return build_runtime(settings)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .web.serve import serve  # the web framework is loaded only to serve

    update: dict[str, object] = {"host": args.host or settings.host, "port": args.port if args.port is not None else settings.port}
    if args.processes is not None:
        update["processes"] = args.processes
    return serve(Settings(**{**settings.model_dump(), **update}))


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and build the on-disk store ahead of time, so that the next `natokg serve` only opens it."""
    if settings.sparql_endpoint:
        return _fail("natokg: NATOKG_SPARQL_ENDPOINT is set: the remote store holds the data, there is nothing to load")
    if settings.store == "memory" or settings.cache_dir is None:
        return _fail("natokg: the store is in memory (NATOKG_STORE=memory or no NATOKG_CACHE_DIR): there is nothing to keep on disk")
    runtime = build_runtime(settings.model_copy(update={"workers": 1}), progress=ProgressBar())
    try:
        assert isinstance(runtime.store, EmbeddedStore)  # no endpoint, so the store is the embedded one
        print(f"natokg: {runtime.store.origin}")
        if runtime.store.path is None:  # NATOKG_STORE=auto chose memory: the validation report is what was kept
            print(f"natokg: the sources are small (at most NATOKG_MEMORY_MAX_BYTES={settings.memory_max_bytes}), so natokg serve "
                  "loads them into memory; the validation report is cached. NATOKG_STORE=disk keeps a store on disk.")
            if args.answers or args.dumps:
                print("natokg: --answers, --dumps: a store in memory keeps no files beside it")
        else:
            if args.dumps and not _write_dumps(runtime, args.dumps):
                return 1
            if args.answers:
                _keep_answers(runtime, runtime.store)
    finally:
        runtime.close()
    return 0


def _write_dumps(runtime: Runtime, extensions: list[str]) -> bool:
    """Write the dumps in these syntaxes beside the store now, as the first request for each would (app.linked_data.dumps),
    so that no client waits for them (35 s for N-Triples at five million generated triples)."""
    from .linked_data.dumps import dump_format
    from .linked_data.publication import Publication

    files = Publication(runtime).dump_files()
    assert files is not None  # an on-disk store
    for extension in extensions:
        fmt = dump_format(extension)
        assert fmt is not None  # checked by the parser
        started = time.monotonic()
        try:
            dump = files.get(fmt)
        except ProblemError as exc:  # the store's folder cannot be written
            print(f"natokg: {exc.detail}", file=sys.stderr)
            return False
        print(f"natokg: dump {dump.filename}: {dump.path.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s "
              f"({dump.path})")
    return True


def _dump_extensions(value: str) -> list[str]:
    """`ttl,nt`: dump syntaxes by file extension (`all`: every one), for `natokg load --dumps`."""
    from .linked_data.dumps import DUMP_FORMATS

    known = [f.extension for f in DUMP_FORMATS]
    asked = known if value.strip() == "all" else [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in asked if part not in known]
    if unknown or not asked:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) if unknown else repr(value)}: not a dump syntax; "
                                         f"give some of {', '.join(known)} separated by commas, or all")
    return list(dict.fromkeys(asked))


def _keep_answers(runtime: Runtime, store: EmbeddedStore) -> None:
    """Evaluate every named query that needs no parameter, as `/api/queries/{name}` answers it by default, and keep
    the slow answers beside the store (app.store.answers): no deadline here, so even one past a user's is kept.
    Two at a time, as Oxigraph lets go of the GIL while it evaluates."""
    from concurrent.futures import ThreadPoolExecutor

    from .core.formats import answer_format

    def keep(name: str) -> str:
        query = runtime.queries[name]
        fmt = answer_format(None, GRAPH_FORMATS if query.form.returns_graph else RESULT_FORMATS)
        started = time.monotonic()
        answer, kept = store.keep_ahead(QueryRequest(query.text, fmt, query.bind({}, iri_base=runtime.settings.id_base)))
        return f"{name}: {time.monotonic() - started:.1f} s, {len(answer.body) / 1000:.1f} kB, {kept}"

    names = [q.name for q in runtime.queries if not any(p.required for p in q.parameters)]
    print(f"natokg: evaluating {len(names)} named queries to keep their slow answers")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for line in pool.map(keep, names):
            print(f"natokg:   {line}")


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from .kg.validation import validate_sources  # rdflib and pyshacl: not imported to serve

    report = validate_sources(load_sources(settings))
    for result in report.results:
        print(result.line())
    print(f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return 0 if report.conforms else 1


def _print_table(rows: list[dict[str, object]], columns: list[str]) -> None:
    def text(term: object) -> str:
        return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else ("" if term is None else str(term))

    cells = [[text(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} row(s))")


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.model_copy(update={"validate_on_start": False})
    runtime = _runtime(settings)
    try:
        raw = dict(p.split("=", 1) for p in args.param)
        if args.query in runtime.queries:
            named = runtime.queries[args.query]
        elif Path(args.query).is_file():
            named = parse_header(Path(args.query).stem, "# title: ad hoc\n" + Path(args.query).read_text(encoding="utf-8"))
        else:
            return _fail(f"No named query or file {args.query!r}. Named queries: {', '.join(q.name for q in runtime.queries)}")
        check_query(named.text, max_bytes=settings.max_query_bytes, max_nesting=settings.max_nesting, allow_service=settings.allow_service)
        bindings = named.bind(raw, iri_base=settings.id_base)
        if args.format == "table":
            if named.form.returns_graph:
                return _fail("--format table is for SELECT queries; use ttl, nt, jsonld or rdfxml")
            rows = select(runtime.store, named.text, bindings)
            keys = {k for r in rows for k in r}
            columns = [c for c in named.columns if c in keys] + sorted(keys - set(named.columns))
            _print_table(rows, columns)
            return 0
        offered = GRAPH_FORMATS if named.form.returns_graph else RESULT_FORMATS
        fmt = BY_NAME.get(args.format)
        if fmt not in offered:
            return _fail(f"--format {args.format} does not fit this query; use one of {', '.join(f.name for f in offered)}")
        answer = runtime.store.execute(QueryRequest(named.text, fmt, bindings))
        sys.stdout.write(answer.body.decode("utf-8"))
        return 0
    except ProblemError as exc:
        return _fail(f"{exc.title}: {exc.detail}")
    finally:
        runtime.close()


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """The graph exactly as the service serves it (with the derived triples): what /dumps/ holds."""
    from .linked_data.dumps import read_all_triples

    runtime = _runtime(settings.model_copy(update={"workers": 1}))
    fmt = BY_NAME[args.format]
    try:
        if isinstance(runtime.store, DumpsHere):  # an embedded store: written by Oxigraph as it reads, at any size
            runtime.store.dump_here(Path(args.output) if args.output else sys.stdout.buffer, fmt, prefixes=PREFIXES)
            count = runtime.store.triple_count
        else:
            triples = read_all_triples(runtime)
            body = write_triples(triples, fmt, prefixes=PREFIXES)
            if args.output:
                Path(args.output).write_bytes(body)
            else:
                sys.stdout.buffer.write(body)
            count = len(triples)
    finally:
        runtime.close()
    if args.output:
        print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from .kg.coverage import coverage

    settings = settings.model_copy(update={"validate_on_start": False})
    runtime = _runtime(settings)
    try:
        report = coverage(runtime)
    finally:
        runtime.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print("Instances per class")
    for name, count in report["classes"].items():
        print(f"  {name:<32} {count:>6}")
    print(f"Triples                              {report['triples']:>6}")
    facts = report["facts"]
    print(f"Facts with a source                  {facts['sourced']}/{facts['total']} ({facts['share']:.1%})")
    labels = report["french_labels"]
    print(f"Entities with a French label         {labels['labelled']}/{labels['total']} ({labels['share']:.1%})")
    links = report["wikidata"]
    print(f"Entities linked to Wikidata          {links['linked']}/{links['total']} ({links['share']:.1%})")
    days = report["time"]["days"]
    print(f"Day-precise dates a quote states     {days['stated']}/{days['total']} "
          f"({days['noted']} explained by a date note, {len(days['unexplained'])} unexplained)")
    missing = report["time"]["open"]
    print(f"Open periods that say nothing        {len(missing)} (no end and neither ongoingAsOf nor endUnknown, "
          "or no start and no startUnknown)")
    if args.verbose:
        for item in days["unexplained"]:
            print(f"  unstated day   {item['day']}  {item['fact']}")
        for item in missing:
            print(f"  open {item['missing']:<5}     {item['fact']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="natokg", description="An open knowledge graph of NATO's partnerships.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="validate, load and serve the graph over HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--processes", type=int,
                       help="serving processes, fed connections in turn (default NATOKG_PROCESSES, else one per CPU, at most 8)")
    serve.set_defaults(func=cmd_serve)
    load = commands.add_parser("load", help="validate and build the on-disk store now (natokg serve then opens it at once)")
    load.add_argument("--answers", action="store_true",
                      help="also evaluate every named query that needs no parameter and keep its answer if slow "
                           "(NATOKG_ANSWER_CACHE_AFTER), so no client waits for it")
    load.add_argument("--dumps", type=_dump_extensions, default=[], metavar="EXT[,EXT...]",
                      help="also write the dumps in these syntaxes (ttl, nt, jsonld, rdf, n3, nq, trig, or all) beside "
                           "the store, so no client waits for the first")
    load.set_defaults(func=cmd_load)
    validate = commands.add_parser("validate", help="check data/ against shapes/; exit 1 on a violation")
    validate.set_defaults(func=cmd_validate)
    query = commands.add_parser("query", help="run a named query (queries/NAME.rq) or a query file")
    query.add_argument("query", metavar="NAME_OR_FILE")
    query.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE")
    query.add_argument("--format", "-f", default="table", choices=["table", *(f.name for f in (*RESULT_FORMATS, *GRAPH_FORMATS))])
    query.set_defaults(func=cmd_query)
    export = commands.add_parser("export", help="write the whole graph (ontology and data)")
    export.add_argument("--format", "-f", default="ttl", choices=[f.name for f in GRAPH_FORMATS])
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_export)
    stats = commands.add_parser("stats", help="coverage report: counts per class, sources, French labels")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--verbose", "-v", action="store_true", help="list the unexplained dates and open periods")
    stats.set_defaults(func=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:  # a NATOKG_ variable that does not fit its setting
        return _fail("natokg: " + "; ".join(f"NATOKG_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}"
                                            for e in exc.errors()), 2)
    try:
        return int(args.func(args, settings))
    except InvalidData as exc:
        print(exc.report.text(), file=sys.stderr)
        return _fail(f"natokg: {exc}; not starting.")
    except (SourceFileError, SourceFolderError, QueryFileError) as exc:
        return _fail(f"natokg: {exc}")


if __name__ == "__main__":
    raise SystemExit(main())
