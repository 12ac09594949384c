#!/usr/bin/env python3
"""Writes dlcov's layout of a Python source tree, from coverage.py's own analysis.

Run it with the framework's own interpreter (the one its tests run under), so that the installed
coverage.py (6.x or 7.x) and Python version decide what a statement and a branch are:

    python3 python_layout.py SOURCE_DIR [SOURCE_DIR ...] -o layout.json [--base DIR] [--rcfile FILE]
                             [--all-files] [--jobs N]

SOURCE_DIR is what coverage.py's --source names (a package folder); several are one layout (a
framework installed as several packages: torch, functorch, torchgen), all under --base. The files are the ones
coverage.py reports for that source when they were not imported: coverage.py's
find_python_files (folders without __init__.py are skipped, as coverage.py skips them) or, with
--all-files, every .py/.pyw file under SOURCE_DIR. --rcfile is the configuration the data was
collected and is reported with (exclusion and partial-branch patterns); without it coverage.py's
defaults apply and no .coveragerc is read. Every file is analysed as `coverage json` analyses it
(Coverage._analyze with branch data), so a file's statements and branches are exactly those of
`coverage json`'s summary. Files that fail to parse are listed under "failed" with the reason.

The JSON written (all line numbers are 1-based source lines; lists are sorted):

{
  "format": "dlcov-python-layout", "format_version": 1,
  "root": "/abs/SOURCE_DIR",            # real path of the (first) tree analysed
  "roots": ["/abs/SOURCE_DIR", ...],    # real paths of all trees analysed
  "base": "/abs",                       # file paths are relative to this (default: root's parent)
  "python": "3.11.2", "coverage_version": "6.5.0", "rcfile": null, "all_files": false,
  "seconds": 1.2,                       # time taken
  "files": [{
    "path": "pkg/mod.py",               # relative to base, '/'-separated
    "real": "/abs/elsewhere.py",        # only when the file is a symlink: the path coverage.py records
    "statements": [1, 2, 5],            # coverage.py's statements (first lines of statements)
    "excluded": [7, 8],                 # lines coverage.py excludes (pragmas, exclude_lines)
    "first_lines": [[3, 2]],            # [line, first line of its statement] where they differ:
                                        # executed lines and arc ends are mapped through this
    "arc_fixers": [[4, 1, 4, 6], [1, 6, null, null]],
                                        # raw arc -> replacement arc, or null: dropped (coverage.py
                                        # 7.x's fix for jumps out of `with`), applied before first_lines
    "branches": [{"line": 7, "exits": 2, "arcs": [[7, 8], [7, 9]]}],
                                        # a branch line (more than one exit), coverage.py's number of
                                        # exits (its branch count) and the exits that can be missed;
                                        # exits - len(arcs) of them are always taken (no_branch lines)
    "definitions": [                    # partition of statements and branch lines
      {"kind": "module", "name": "<module>", "line": 1, "statements": [...], "branch_lines": [...]},
      {"kind": "function", "name": "Shape.make", "line": 50, "entry": 49, "end": 53,
       "statements": [...], "branch_lines": [...]}
                                        # def/async def not excluded; name: __qualname__; line: the
                                        # `def` line; entry: its code object's first line (first
                                        # decorator on Python >= 3.8); statements: those of its body
                                        # not in nested defs (class bodies belong to the enclosing
                                        # function or module); branch_lines: branches starting there
    ]
  }],
  "failed": [{"path": "pkg/bad.py", "reason": "Couldn't parse ..."}]
}
"""
import argparse
import ast
import json
import multiprocessing
import os
import sys
import time

import coverage
import coverage.files

FORMAT = "dlcov-python-layout"
FORMAT_VERSION = 1

_cov = None  # one Coverage object per worker process


def make_coverage(rcfile):
    cov = coverage.Coverage(data_file=None, branch=True, config_file=rcfile if rcfile else False)
    # Empty branch data: every file is analysed as an unexecuted file of a branch-mode run.
    cov.get_data().add_arcs({})
    return cov


def init_worker(rcfile):
    global _cov
    _cov = make_coverage(rcfile)


def find_files(cov, root, all_files):
    if all_files:
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            found += [os.path.join(dirpath, f) for f in filenames if f.endswith((".py", ".pyw"))]
        return sorted(found)
    try:
        found = coverage.files.find_python_files(root, cov.config.include_namespace_packages)
    except (TypeError, AttributeError):  # coverage.py 6.x: no namespace-package option
        found = coverage.files.find_python_files(root)
    return sorted(found)


def definitions_of(source, statements, branch_lines, excluded):
    """Functions (def/async def) with the statements and branch lines of their own bodies."""
    tree = ast.parse(source)
    functions = []

    def visit(node, qualname, depth):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = qualname + child.name
                entry = child.lineno
                if child.decorator_list and sys.version_info >= (3, 8):
                    entry = min(d.lineno for d in child.decorator_list)
                if entry not in excluded and child.lineno not in excluded:
                    # The body starts after the `def` line: a one-line body shares the def
                    # statement's line, which runs in the enclosing scope.
                    start = max(child.body[0].lineno, child.lineno + 1)
                    functions.append({"kind": "function", "name": name, "line": child.lineno,
                                      "entry": entry, "end": child.end_lineno,
                                      "start": start, "depth": depth})
                visit(child, name + ".<locals>.", depth + 1)
            elif isinstance(child, ast.ClassDef):
                visit(child, qualname + child.name + ".", depth + 1)
            elif not isinstance(child, (ast.expr, ast.expr_context)):
                visit(child, qualname, depth)  # defs sit in statements; lambdas are not functions

    visit(tree, "", 0)
    module = {"kind": "module", "name": "<module>", "line": 1}

    # Bodies nest, so filling each body's lines outermost first leaves every line to its
    # innermost function.
    last = max([max(statements, default=0), max(branch_lines, default=0)] + [f["end"] for f in functions])
    owners = [module] * (last + 1)
    for f in sorted(functions, key=lambda f: f["depth"]):
        owners[f["start"]:f["end"] + 1] = [f] * (f["end"] + 1 - f["start"])

    def owner(line):
        return owners[line]

    for d in [module] + functions:
        d["statements"], d["branch_lines"] = [], []
    for line in sorted(statements):
        owner(line)["statements"].append(line)
    for line in sorted(branch_lines):
        owner(line)["branch_lines"].append(line)
    for f in functions:
        del f["start"], f["depth"]
    functions.sort(key=lambda f: (f["line"], f["name"]))
    return [module] + functions


def analyse(task):
    path, rel, real = task
    try:
        reporter = _cov._get_file_reporter(path)
        try:
            analysis = _cov._analyze(path, file_reporter=reporter)  # coverage.py >= 7.5
        except TypeError:
            analysis = _cov._analyze(reporter)  # older: a FileReporter is accepted in place of a path
        parser = reporter.parser
        statements = set(analysis.statements)
        excluded = set(analysis.excluded)
        exit_counts = analysis.exit_counts
        missable = analysis.missing_branch_arcs()  # nothing executed: every exit that can be missed
        branches = []
        for line in sorted(l for l, n in exit_counts.items() if n > 1):
            arcs = sorted([line, to] for to in missable.get(line, []))
            branches.append({"line": line, "exits": exit_counts[line], "arcs": arcs})
        source = reporter.source()
        first_lines = []
        for line in range(1, source.count("\n") + 2):
            first = parser.first_line(line)
            if first != line:
                first_lines.append([line, first])
        fixers = []
        for (a, b), new in sorted(getattr(parser, "_with_jump_fixers", {}).items()):
            fixers.append([a, b, new[0], new[1]] if new is not None else [a, b, None, None])
        entry = {"path": rel}
        if real:
            entry["real"] = real
        entry.update({
            "statements": sorted(statements),
            "excluded": sorted(excluded),
            "first_lines": first_lines,
            "arc_fixers": fixers,
            "branches": branches,
            "definitions": definitions_of(source, statements, [b["line"] for b in branches], excluded),
        })
        return entry, None
    except Exception as exc:  # noqa: BLE001 - any failure to analyse one file is reported, not fatal
        reason = str(exc) or type(exc).__name__
        return None, {"path": rel, "reason": "%s: %s" % (type(exc).__name__, reason)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("source", nargs="+", help="the source folders coverage.py measures (package folders)")
    ap.add_argument("-o", "--output", required=True, help="the layout JSON to write")
    ap.add_argument("--base", help="folder the file paths are relative to (default: the source's parent)")
    ap.add_argument("--rcfile", help="coverage.py configuration the data is collected and reported with")
    ap.add_argument("--all-files", action="store_true",
                    help="every .py/.pyw file, also in folders without __init__.py")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = ap.parse_args()

    started = time.monotonic()
    roots = [os.path.realpath(s) for s in args.source]
    for given, root in zip(args.source, roots):
        if not os.path.isdir(root):
            sys.exit("python_layout.py: %s is not a folder" % given)
    base = os.path.realpath(args.base) if args.base else os.path.dirname(roots[0])
    for given, root in zip(args.source, roots):
        if os.path.commonpath([base, root]) != base:
            sys.exit("python_layout.py: %s is not under the base %s (give --base)" % (given, base))
    rcfile = os.path.abspath(args.rcfile) if args.rcfile else None
    cov = make_coverage(rcfile)

    tasks = []
    for path in [p for root in roots for p in find_files(cov, root, args.all_files)]:
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        real = os.path.realpath(path)
        tasks.append((path, rel, real if real != os.path.join(base, rel) else None))

    if args.jobs > 1 and len(tasks) > 20:
        with multiprocessing.get_context("fork").Pool(args.jobs, init_worker, (rcfile,)) as pool:
            results = pool.map(analyse, tasks, chunksize=8)
    else:
        init_worker(rcfile)
        results = [analyse(t) for t in tasks]

    layout = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "root": roots[0], "roots": roots, "base": base,
        "python": "%d.%d.%d" % sys.version_info[:3], "coverage_version": coverage.__version__,
        "rcfile": rcfile, "all_files": args.all_files,
        "seconds": 0.0,
        "files": [f for f, _ in results if f],
        "failed": [e for _, e in results if e],
    }
    layout["seconds"] = round(time.monotonic() - started, 3)
    tmp = args.output + ".tmp"
    with open(tmp, "w") as out:
        json.dump(layout, out, separators=(",", ":"))
    os.replace(tmp, args.output)
    statements = sum(len(f["statements"]) for f in layout["files"])
    branches = sum(b["exits"] for f in layout["files"] for b in f["branches"])
    print("python_layout.py: %d files (%d statements, %d branches), %d failed, in %.1f s (coverage.py %s, Python %s)"
          % (len(layout["files"]), statements, branches, len(layout["failed"]), layout["seconds"],
             coverage.__version__, layout["python"]))


if __name__ == "__main__":
    main()
