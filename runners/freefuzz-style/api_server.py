"""Runs generated programs unmeasured, many per interpreter: imports the framework once, then
for each request line on stdin forks a child that runs one program as __main__ and replies one
JSON line. Used for the unmeasured runs of dlcov's API testers (FreeFuzz-style verdicts,
TenFuzz-style reference runs); measured runs are always fresh processes.

    python api_server.py --framework torch|tf|mx
    stdin:  {"program": PATH, "argv": [...], "timeout": S, "log": PATH}
    stdout: {"ready": true} once, then per request {"returncode": N (negative: signal), "timed_out": B, "seconds": S}
"""
import argparse
import json
import os
import runpy
import signal
import sys
import time


def child(request):
    os.setpgid(0, 0)
    fd = os.open(request.get("log") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 0
    sys.argv = [request["program"]] + list(request.get("argv", []))
    try:
        runpy.run_path(request["program"], run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # as the interpreter does for an uncaught exception: traceback, exit 1
        import traceback
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def run(request):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        child(request)
    deadline = start + float(request.get("timeout", 20))
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            timed_out = True
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(pid, sig)
                except ProcessLookupError:
                    pass
                time.sleep(0.5)
            os.waitpid(pid, 0)
            status = -signal.SIGKILL
            break
        time.sleep(0.01)
    if timed_out:
        code = -signal.SIGKILL
    elif os.WIFSIGNALED(status):
        code = -os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
    try:  # leftovers of the program's group
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return {"returncode": code, "timed_out": timed_out, "seconds": round(time.monotonic() - start, 3)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--framework", choices=["torch", "tf", "mx"], required=True)
    args = p.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy  # noqa: F401
    if args.framework == "torch":
        import torch  # noqa: F401
    elif args.framework == "tf":
        import tensorflow as tf
        tf.keras.layers.Dense  # loads Keras once here rather than in every child
    else:
        import mxnet  # noqa: F401
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reply = run(request)
        except Exception as e:  # noqa: BLE001 - a bad request must not end the server
            reply = {"returncode": 2, "timed_out": False, "seconds": 0.0, "error": str(e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
