"""dlcov's coverage.py collection hook: measures every Python process of a framework's environment.

`dlcov instrument` installs it into the framework's environment (its site-packages):

    python3 dlcov_coverage_hook.py install --site-packages DIR --source PKG_DIR [--source ...]

copies this module to DIR and writes DIR/dlcov-coverage.pth, one line that Python's `site` runs at
every interpreter start-up: `import dlcov_coverage_hook as h; h.start([...the source folders...])`.
At start-up, start() does:

- DLCOV_PYTHON_COVERAGE_DIR set: starts coverage.py with branch coverage, source restricted to the
  framework's package folders (DLCOV_PYTHON_COVERAGE_SOURCE, os.pathsep-separated, overrides
  them), one data file per process in that folder (.coverage.<host>.<pid>.<random>: coverage.py's
  data_suffix), saving on normal exit and on SIGTERM (`[run] sigterm`, coverage.py >= 6.4), no
  warnings on the framework's output. DLCOV_PYTHON_COVERAGE_RCFILE names a configuration to read
  (exclusion and partial-branch patterns; give python_layout.py the same --rcfile); by default no
  .coveragerc is read.
- otherwise COVERAGE_PROCESS_START set: coverage.py's own coverage.process_startup(); the
  configuration file it names decides everything (`write-rcfile` writes one with the settings
  above).
- neither: nothing; coverage.py is not even imported.

As with coverage.py's own process_startup, a process that then creates its own Coverage object
(`coverage run`, pytest-cov) keeps that one's data and the hook's is not saved.

Also:  python3 dlcov_coverage_hook.py write-rcfile FILE --data-dir DIR --source PKG_DIR [--source ...]
"""
import os
import sys

_started = None


def _sources(default_sources):
    override = os.environ.get("DLCOV_PYTHON_COVERAGE_SOURCE")
    if override:
        return [s for s in override.split(os.pathsep) if s]
    return list(default_sources)


def start(default_sources=()):
    """Called from the .pth file at interpreter start-up. Never raises."""
    global _started
    if _started is not None:
        return _started
    data_dir = os.environ.get("DLCOV_PYTHON_COVERAGE_DIR")
    try:
        if data_dir:
            _started = _start_dlcov(data_dir, _sources(default_sources))
        elif os.environ.get("COVERAGE_PROCESS_START"):
            _started = _import_coverage().process_startup()
    except Exception as exc:  # noqa: BLE001 - measurement must never break the framework
        sys.stderr.write("dlcov coverage hook: not measuring this process: %s: %s\n" % (type(exc).__name__, exc))
        _started = False
    return _started


def _import_coverage():
    try:
        import coverage
    except ImportError:
        # A .pth in the user site or in an earlier site folder runs before the folder holding
        # coverage.py is on sys.path: add the interpreter's site folders now (site adds them
        # again right after, harmlessly).
        import site
        for folder in site.getsitepackages():
            if folder not in sys.path and os.path.isdir(folder):
                sys.path.append(folder)
        import coverage
    return coverage


def _start_dlcov(data_dir, sources):
    coverage = _import_coverage()

    # Set before creating the Coverage object, so that if a second start-up path (a
    # COVERAGE_PROCESS_START sitecustomize) runs later it sees this process as measured.
    if hasattr(coverage.process_startup, "coverage"):
        return None  # coverage.py's own start-up hook got here first
    os.makedirs(data_dir, exist_ok=True)
    rcfile = os.environ.get("DLCOV_PYTHON_COVERAGE_RCFILE") or False
    cov = coverage.Coverage(
        data_file=os.path.join(os.path.abspath(data_dir), ".coverage"),
        data_suffix=True,  # .coverage.<host>.<pid>.<random>, chosen when saving (after forks too)
        branch=True,
        source=[os.path.abspath(s) if os.path.exists(s) else s for s in sources] or None,
        config_file=rcfile,
    )
    for option, value in (("run:sigterm", True),
                          ("run:disable_warnings", ["no-data-collected", "module-not-imported",
                                                    "module-not-measured", "couldnt-parse"])):
        try:
            cov.set_option(option, value)
        except Exception:  # noqa: BLE001 - coverage.py < 6.4 has no sigterm option
            pass
    # What coverage.process_startup does: save at exit (and on SIGTERM), and be the object an
    # explicit Coverage() in this process switches off.
    cov._warn_no_data = False
    cov._warn_unimported_source = False
    cov._warn_preimported_source = False
    cov._auto_save = True
    coverage.process_startup.coverage = cov
    cov.start()
    return cov


def _write_rcfile(path, data_dir, sources):
    lines = [
        "# coverage.py configuration written by dlcov_coverage_hook.py (for COVERAGE_PROCESS_START)",
        "[run]",
        "branch = True",
        "parallel = True",
        "sigterm = True",
        "data_file = %s" % os.path.join(os.path.abspath(data_dir), ".coverage"),
        "source =",
    ] + ["    %s" % os.path.abspath(s) for s in sources] + [
        "disable_warnings = no-data-collected, module-not-imported, module-not-measured, couldnt-parse",
        "",
    ]
    with open(path, "w") as out:
        out.write("\n".join(lines))


def _install(site_packages, sources):
    import shutil

    os.makedirs(site_packages, exist_ok=True)
    here = os.path.abspath(__file__)
    target = os.path.join(site_packages, "dlcov_coverage_hook.py")
    if os.path.abspath(target) != here:
        shutil.copyfile(here, target)
    sources = [os.path.realpath(s) for s in sources]
    with open(os.path.join(site_packages, "dlcov-coverage.pth"), "w") as out:
        out.write("import dlcov_coverage_hook as h; h.start(%r)\n" % (sources,))


def main(argv):
    import argparse

    ap = argparse.ArgumentParser(description="dlcov's coverage.py collection hook")
    sub = ap.add_subparsers(dest="command", required=True)
    ins = sub.add_parser("install", help="install the hook into a site-packages folder")
    ins.add_argument("--site-packages", required=True)
    ins.add_argument("--source", action="append", required=True, help="a package folder to measure")
    rc = sub.add_parser("write-rcfile", help="write a coverage.py configuration for COVERAGE_PROCESS_START")
    rc.add_argument("file")
    rc.add_argument("--data-dir", required=True)
    rc.add_argument("--source", action="append", required=True)
    args = ap.parse_args(argv)
    if args.command == "install":
        _install(args.site_packages, args.source)
    else:
        _write_rcfile(args.file, args.data_dir, args.source)


if __name__ == "__main__":
    main(sys.argv[1:])
