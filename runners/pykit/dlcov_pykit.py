"""The live-generator contract (runners/kit/generator.h) for testers written in Python.

A Python tester runs under /usr/bin/python3 with the standard library only; framework code runs in
child processes started with a framework's interpreter, one process per generated test, so that
each test's coverage lands in its own coverage.py data file (the framework's environment has
dlcov's hook installed; DLCOV_PYTHON_COVERAGE_DIR names the trial's profile folder).

    from dlcov_pykit import parse_args, EventLog, run_test, Deadline
    args = parse_args("my-tester", "what it does")
    events = EventLog(args.events)
    run = run_test(args, events, "seed-lenet.torch", [args.executor, "model.py"], artifact=..., backend="torch")
"""
import argparse
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import threading
import time

# What the harness gives a stopping process before SIGKILL: coverage.py saves on SIGTERM
# (the hook sets [run] sigterm), which takes a fraction of a second even for PyTorch.
TERM_GRACE_SECONDS = 1.0
OUTPUT_CAP_BYTES = 1 << 20


def parse_args(program, description, argv=None):
    """The contract's arguments; --executor is the measured framework's interpreter."""
    p = argparse.ArgumentParser(prog=program, description=description)
    p.add_argument("--executor", required=True, help="the measured framework's Python interpreter")
    p.add_argument("--seeds", default="", help="seed folder (unused by testers that build seeds in code)")
    p.add_argument("--work", required=True, help="folder for generated tests and outputs")
    p.add_argument("--profiles", required=True, help="the trial's profile folder")
    p.add_argument("--events", required=True, help="events.jsonl to append to")
    p.add_argument("--options", default="", help="JSON file of the runner's options")
    p.add_argument("--budget", type=float, default=60, help="seconds for the whole trial")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--timeout", type=float, default=60, help="seconds per generated test")
    args = p.parse_args(argv)
    args.options_json = {}
    if args.options:
        with open(args.options, encoding="utf-8") as f:
            args.options_json = json.load(f)
    os.makedirs(args.work, exist_ok=True)
    return args


def trial_relative(args, path):
    """A path relative to the trial folder (the work folder's parent), as findings name files."""
    return os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(args.work)))


class EventLog:
    """Appends events.jsonl lines (coverage/results/trial_events.h); one write per line."""

    def __init__(self, path):
        self._path = path
        self._lock = threading.Lock()

    def _write(self, line):
        text = json.dumps(line, ensure_ascii=False) + "\n"
        with self._lock, open(self._path, "a", encoding="utf-8") as f:
            f.write(text)

    def execution(self, test_id, artifact, backend, result, seconds):
        self._write({"event": "execution", "id": test_id, "artifact": artifact, "backend": backend,
                     "result": result, "seconds": round(seconds, 3)})

    def finding(self, kind, artifact, backends, detail, replay, input="", metric="", value=0.0):
        """kind: crash, timeout, nan, exception or inconsistency (finding.h)."""
        self._write({"event": "finding", "kind": kind, "artifact": artifact, "input": input,
                     "backends": backends, "metric": metric, "value": float(value),
                     "detail": detail, "replay": replay})


class Deadline:
    def __init__(self, seconds):
        self._end = time.monotonic() + seconds

    def expired(self):
        return time.monotonic() >= self._end

    def left(self):
        return max(0.0, self._end - time.monotonic())


class TestRun:
    """One child process: outcome as the harness words it (process.h ProcessResult::describe)."""

    def __init__(self, returncode, timed_out, seconds, output):
        self.returncode = returncode  # negative: killed by that signal
        self.timed_out = timed_out
        self.seconds = seconds
        self.output = output

    def describe(self):
        if self.timed_out:
            return "timeout after %d s" % int(self.seconds)
        if self.returncode < 0:
            sig = -self.returncode
            return "signal %d (%s)" % (sig, signal.strsignal(sig) or "unknown")
        return "exit %d" % self.returncode

    def last_line(self):
        lines = [l for l in self.output.decode("utf-8", "replace").splitlines() if l.strip()]
        return lines[-1][:300] if lines else ""


def measured_env(args, extra=None):
    """The environment of a measured test: coverage data into the trial's profile folder."""
    env = dict(os.environ)
    env["DLCOV_PYTHON_COVERAGE_DIR"] = os.path.abspath(args.profiles)
    # gcc-instrumented processes (mode gcov): a folder of .gcda per process (gcc expands %p)
    env["GCOV_PREFIX"] = os.path.join(os.path.abspath(args.profiles), "py-%p.gcda.d")
    env.update(extra or {})
    return env


def reference_env(extra=None):
    """The environment of an unmeasured reference run (another framework in a differential
    test): no coverage collection, so its data never lands in this trial."""
    env = dict(os.environ)
    for key in ("DLCOV_PYTHON_COVERAGE_DIR", "COVERAGE_PROCESS_START", "LLVM_PROFILE_FILE", "GCOV_PREFIX",
                "DLCOV_SANCOV_FILE"):
        env.pop(key, None)
    env.update(extra or {})
    return env


def run_child(argv, env, timeout, cwd=None):
    """Runs argv in its own process group with a timeout: SIGTERM to the group, SIGKILL to what
    is left after TERM_GRACE_SECONDS, as the harness stops executions. Output is capped.

    Under the harness (DLCOV_CONTAIN names dlcov-contain, coverage/base/contain_main.cpp) the
    child runs under that supervisor, as the harness's own executions do: what the test leaves
    behind, even outside its process group (`setsid ... &`), is stopped by the timeout and ended
    and reaped when the test ends, before run_child returns; the outcome is the test's own."""
    supervisor = os.environ.get("DLCOV_CONTAIN", "")
    if supervisor and os.access(supervisor, os.X_OK):
        return _run_contained(supervisor, argv, env, timeout, cwd)
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    chunks, reader = _start_drain(proc)
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=TERM_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    # Whatever the test left behind in its group goes too (a grace first, then SIGKILL).
    if _group_alive(proc.pid):
        _signal_group(proc.pid, signal.SIGTERM)
        time.sleep(0.05)
        if _group_alive(proc.pid):
            time.sleep(TERM_GRACE_SECONDS)
            _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(timeout=5)
    return TestRun(proc.returncode, timed_out, time.monotonic() - start, b"".join(chunks))


# How long after the grace a supervisor may take to end its tree before it is killed (as
# coverage/base/process.cpp's kSupervisorBackstop).
SUPERVISOR_BACKSTOP_SECONDS = 10.0


def _start_drain(proc):
    """Reads the child's output on a thread, up to the cap; returns (chunks, thread)."""
    chunks, size = [], 0

    def drain():
        nonlocal size
        for chunk in iter(lambda: proc.stdout.read(65536), b""):
            if size < OUTPUT_CAP_BYTES:
                chunks.append(chunk[:OUTPUT_CAP_BYTES - size])
                size += len(chunks[-1])

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return chunks, reader


def _read_int(fd):
    """One native int from the supervisor's status pipe, or None at its end."""
    data = b""
    while len(data) < 4:
        part = os.read(fd, 4 - len(data))
        if not part:
            return None
        data += part
    return struct.unpack("=i", data)[0]


def _program_path(program, env, cwd):
    """argv[0] as Popen would find it (PATH of the child's environment), absolute."""
    if "/" in program:
        return os.path.join(cwd or os.getcwd(), program)
    found = shutil.which(program, path=env.get("PATH", os.defpath) if env is not None else None)
    if not found:
        raise FileNotFoundError(2, "No such file or directory", program)
    return os.path.abspath(found)


def _run_contained(supervisor, argv, env, timeout, cwd):
    """run_child under dlcov-contain: the supervisor's status pipe says whether the test started
    and, once it has ended, its own wait status; a timeout signals the supervisor alone."""
    start = time.monotonic()
    program = _program_path(argv[0], env, cwd)
    report, report_w = os.pipe()
    try:
        proc = subprocess.Popen([supervisor, "--grace-ms", str(int(TERM_GRACE_SECONDS * 1000)), "--report-fd",
                                 str(report_w), "--", program] + list(argv[1:]),
                                env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(report_w,))
    except BaseException:
        os.close(report)
        raise
    finally:
        os.close(report_w)
    try:
        start_error = _read_int(report)
        if start_error:
            proc.wait()
            proc.stdout.close()
            raise OSError(start_error, os.strerror(start_error), argv[0])
        chunks, reader = _start_drain(proc)
        timed_out = False
        status = None
        ready, _, _ = select.select([report], [], [], None if timeout is None else max(0.0, timeout - (time.monotonic() - start)))
        if ready:
            status = _read_int(report)  # None: the supervisor ended without it
        else:
            timed_out = True
            _signal(proc.pid, signal.SIGTERM)  # passed on to the whole tree, SIGKILL after the grace
        try:
            proc.wait(timeout=TERM_GRACE_SECONDS + SUPERVISOR_BACKSTOP_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
        if status is None and timed_out:
            status = _read_int(report)
        reader.join(timeout=5)
    finally:
        os.close(report)
    returncode = os.waitstatus_to_exitcode(status) if status is not None else proc.returncode
    return TestRun(returncode, timed_out, time.monotonic() - start, b"".join(chunks))


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def run_test(args, events, test_id, argv, artifact, backend, finding_kinds=None, env_extra=None, cwd=None):
    """Runs one generated test measured (its coverage into the trial), logs the execution and,
    for a crash, timeout or an exit code listed in finding_kinds ({code: kind}), a finding whose
    replay command is argv. Returns the TestRun."""
    run = run_child(argv, measured_env(args, env_extra), args.timeout, cwd=cwd)
    rel = trial_relative(args, artifact) if artifact else ""
    events.execution(test_id, rel, backend, run.describe(), run.seconds)
    kind = None
    if run.timed_out:
        kind = "timeout"
    elif run.returncode < 0:
        kind = "crash"
    elif finding_kinds and run.returncode in finding_kinds:
        kind = finding_kinds[run.returncode]
    if kind and kind != "none":
        events.finding(kind, rel, backend, "%s: %s" % (run.describe(), run.last_line()),
                       " ".join(_quote(a) for a in argv))
    return run


def _quote(arg):
    import shlex
    return shlex.quote(str(arg))
