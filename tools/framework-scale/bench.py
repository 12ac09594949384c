#!/usr/bin/env python3
"""Framework-scale benchmark of dlcov's llvm reading (README.md): `make bench` runs it.

    tools/framework-scale/bench.py [BUILD_DIR]       (default: build)

Environment:
  BENCH_DIR=...   scratch folder (default /tmp/dlcov-bench-scale); the profiles are removed at the
                  end, the generated program and its build are kept for the next run (KEEP=1 keeps all)
  SCALES=...      raw profile counts measured as one snapshot (default "1000 10000")
  REPEAT=...      times each one-snapshot measurement runs; the median is shown (default 3)
  BATCH=...       raw profiles arriving between two snapshots of the fold (default 100)
  FOLD_SCALES=... campaigns folded snapshot by snapshot (default "1000 10000")
  LLVM_FOLD_POINTS=... snapshots of the 10,000-profile campaign at which llvm-profdata merges
                  everything again (default "2000 5000"; the 1,000 campaign does it at every one)
  LIBRARIES/FILES/KERNELS  the generated program's size (default 8/6/40)
  BUILDS_DIR=...  where tiny-dnn's instrumented build is, for its region count (default builds)
Exits non-zero, saying where, when dlcov's numbers differ from llvm-cov's.
"""
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROFDATA, COV = "llvm-profdata-14", "llvm-cov-14"


def env_int(name, default):
    return int(os.environ.get(name, default))


def timed(argv, stdout=subprocess.DEVNULL, cwd=None):
    """Runs argv; returns (wall seconds, peak resident MB). Fails loudly when it fails."""
    start = time.monotonic()
    with subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd) as p:
        # wait4 gives this child's own peak RSS (ru_maxrss, KB), not the maximum over all children.
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(argv[:3])} ... failed ({p.returncode}):\n{err}")
    return wall, usage.ru_maxrss / 1024


def lcov_totals(path):
    t = {"LF": 0, "LH": 0, "BRF": 0, "BRH": 0, "FNF": 0, "FNH": 0}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in t:
                t[key] += int(value)
    return {"lines": (t["LH"], t["LF"]), "branches": (t["BRH"], t["BRF"]), "functions": (t["FNH"], t["FNF"])}


def dlcov_totals(json_path):
    total = json.load(open(json_path))["total"]
    return {k: (total[k]["covered"], total[k]["total"]) for k in ("lines", "branches", "functions")}


def require_equal(what, ours, reference):
    if ours != reference:
        sys.exit(f"bench: NUMBERS DIFFER ({what}): dlcov {ours} vs llvm-cov {reference}")


def fmt_totals(t):
    return "  ".join(f"{k} {c}/{n}" for k, (c, n) in t.items())


class Program:
    """The generated program, built with dlcov's llvm-mode flags."""

    def __init__(self, bench_dir):
        self.dir = os.path.join(bench_dir, "program")
        self.build = os.path.join(self.dir, "build")
        self.libraries = env_int("LIBRARIES", 8)
        size = ["--libraries", str(self.libraries), "--files", os.environ.get("FILES", "6"),
                "--kernels", os.environ.get("KERNELS", "40")]
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/framework-scale/generate.py"), self.dir] + size,
                       check=True)
        configure = ["cmake", "-S", self.dir, "-B", self.build, "-DCMAKE_CXX_COMPILER=clang++-14",
                     "-DCMAKE_BUILD_TYPE="]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
        start = time.monotonic()
        subprocess.run(["nice", "cmake", "--build", self.build, "-j1"], check=True, stdout=subprocess.DEVNULL)
        self.build_seconds = time.monotonic() - start
        self.driver = os.path.join(self.build, "fw-driver")
        libs = sorted(f for f in os.listdir(self.build) if f.endswith(".so"))
        self.objects = [self.driver] + [os.path.join(self.build, f) for f in libs]
        self.modules = len(self.objects)

    def cov_objects(self):
        return [self.objects[0]] + [a for o in self.objects[1:] for a in ("-object", o)]

    def run(self, seed, steps, profile_dir):
        env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(profile_dir, f"run{seed}-%p-%m%c.profraw"))
        subprocess.run([self.driver, str(seed), str(steps)], env=env, check=True, stdout=subprocess.DEVNULL)


def tinydnn_regions(builds_dir):
    build = os.path.join(builds_dir, "tinydnn", "build.json")
    if not os.path.exists(build):
        return None
    manifest = json.load(open(build))
    out = subprocess.run([COV, "export", "-summary-only", "-instr-profile", manifest["layout_profile"]] +
                         [manifest["objects"][0]] + [a for o in manifest["objects"][1:] for a in ("-object", o)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["data"][0]["totals"]


def llvm_snapshot(program, profiles, work):
    """llvm-profdata merge -sparse + llvm-cov export -format=lcov; (wall, peak MB, totals)."""
    listing = os.path.join(work, "inputs.txt")
    with open(listing, "w") as f:
        f.write("\n".join(profiles) + "\n")
    merged = os.path.join(work, "merged.profdata")
    merge_wall, merge_mb = timed([PROFDATA, "merge", "-sparse", "-f", listing, "-o", merged])
    lcov = os.path.join(work, "export.lcov")
    with open(lcov, "w") as out:
        export_wall, export_mb = timed([COV, "export", "-format=lcov", "-instr-profile", merged] +
                                       program.cov_objects(), stdout=out)
    totals = lcov_totals(lcov)
    os.remove(lcov)
    os.remove(merged)
    return merge_wall + export_wall, max(merge_mb, export_mb), totals, (merge_wall, export_wall)


def read_once(files, cores=2):
    """Wall seconds to read every byte of `files` once from the page cache, one `cat` per core:
    the least any reader of them needs."""
    start = time.monotonic()
    half = (len(files) + cores - 1) // cores
    procs = [subprocess.Popen(["cat"] + files[i:i + half], stdout=subprocess.DEVNULL) for i in range(0, len(files), half)]
    for p in procs:
        p.wait()
    return time.monotonic() - start


def dlcov_snapshot(dlcov, program, profile_dirs, work):
    out = os.path.join(work, "measure.json")
    wall, mb = timed([dlcov, "measure", "--strict", "--objects"] + program.objects + ["--profiles"] + profile_dirs +
                     ["--json", out])
    return wall, mb, dlcov_totals(out)


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        print(__doc__)
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    dlcov = os.path.abspath(os.path.join(build, "bin", "dlcov"))
    fold_tool = os.path.abspath(os.path.join(build, "bin", "dlcov-bench-fold"))
    bench_dir = os.path.abspath(os.environ.get("BENCH_DIR", "/tmp/dlcov-bench-scale"))
    scales = sorted(int(s) for s in os.environ.get("SCALES", "1000 10000").split())
    fold_scales = sorted(int(s) for s in os.environ.get("FOLD_SCALES", "1000 10000").split())
    batch = env_int("BATCH", 100)
    repeat = max(1, env_int("REPEAT", 3))
    llvm_points = [int(s) for s in os.environ.get("LLVM_FOLD_POINTS", "2000 5000").split()]
    steps = env_int("STEPS", 30)
    os.makedirs(bench_dir, exist_ok=True)
    work = os.path.join(bench_dir, "work")
    os.makedirs(work, exist_ok=True)

    print("== the program (tools/framework-scale/generate.py, built with dlcov's llvm-mode flags)")
    program = Program(bench_dir)
    print(f"built in {program.build_seconds:.0f} s (-j1; ccache makes a rebuild of the same program quick)")
    profile_root = os.path.join(bench_dir, "profiles")
    shutil.rmtree(profile_root, ignore_errors=True)
    layout_dir = os.path.join(profile_root, "layout")
    os.makedirs(layout_dir)
    program.run(0, 0, layout_dir)  # a process that ran nothing: the build's layout profile
    size_wall, _ = timed([PROFDATA, "merge", "-sparse", "-o", os.path.join(work, "layout.profdata"), layout_dir])
    summary = json.loads(subprocess.run([COV, "export", "-summary-only", "-instr-profile",
                                         os.path.join(work, "layout.profdata")] + program.cov_objects(),
                                        check=True, capture_output=True, text=True).stdout)["data"][0]["totals"]
    print(f"{program.libraries} shared libraries + libfw_core + the driver = {program.modules} objects, "
          f"{summary['regions']['count']} regions, {summary['lines']['count']} lines, "
          f"{summary['branches']['count']} branches, {summary['functions']['count']} functions")
    tiny = tinydnn_regions(os.environ.get("BUILDS_DIR", os.path.join(ROOT, "builds")))
    if tiny:
        print(f"tiny-dnn's instrumented build (for scale): {tiny['regions']['count']} regions, "
              f"{tiny['functions']['count']} functions: {summary['regions']['count'] / tiny['regions']['count']:.1f} times")

    # Processes of the driver, each writing one raw profile per object (%m), in chunks: the
    # first chunk is the 1,000-profile set, the chunks together the larger ones.
    most = max(scales + fold_scales)
    chunks, written, seed = [], 0, 1
    start = time.monotonic()
    for target in sorted(set(scales + fold_scales)):
        chunk = os.path.join(profile_root, f"upto{target}")
        os.makedirs(chunk)
        while written < target:
            program.run(seed, steps, chunk)
            seed += 1
            written += program.modules
        chunks.append((target, chunk))
    run_seconds = time.monotonic() - start
    all_profiles = sorted(os.path.join(c, f) for _, c in chunks for f in os.listdir(c))
    disk = sum(os.path.getsize(p) for p in all_profiles)
    os.sync()  # the profiles on disk before anything is timed: no writeback competes with either side
    print(f"{seed - 1} processes ({steps} ops each, seeds 1-{seed - 1}) wrote {len(all_profiles)} raw profiles, "
          f"{disk / 2**20:.0f} MB, in {run_seconds:.0f} s")

    def profiles_upto(n):
        dirs = [c for target, c in chunks if target <= n]
        return dirs, sorted(os.path.join(c, f) for c in dirs for f in os.listdir(c))

    print("\n== one snapshot: every profile measured at once")
    print(f"{'profiles':>9} | {'dlcov measure':>22} | {'llvm-profdata merge + llvm-cov export':>38} | {'speed-up':>8} | numbers")
    print(f"{'':>9} | {'wall s':>10} {'peak MB':>11} | {'merge s':>9} {'export s':>9} {'wall s':>8} {'peak MB':>9} |")
    snapshot_rows = {}
    for n in scales:
        dirs, files = profiles_upto(n)
        # Each side REPEAT times, in turn; the run with the median wall time of each is shown.
        d_runs, l_runs = [], []
        for _ in range(repeat):
            d_runs.append(dlcov_snapshot(dlcov, program, dirs, work))
            l_runs.append(llvm_snapshot(program, files, work))
        d_wall, d_mb, d_totals = sorted(d_runs, key=lambda r: r[0])[len(d_runs) // 2]
        l_wall, l_mb, l_totals, (m_wall, e_wall) = sorted(l_runs, key=lambda r: r[0])[len(l_runs) // 2]
        for d, l in zip(d_runs, l_runs):
            require_equal(f"{len(files)} profiles, one snapshot", d[2], l[2])
        require_equal(f"{len(files)} profiles, one snapshot", d_totals, l_totals)
        snapshot_rows[len(files)] = (l_wall, l_mb, l_totals)
        print(f"{len(files):>9} | {d_wall:>10.2f} {d_mb:>11.0f} | {m_wall:>9.2f} {e_wall:>9.2f} {l_wall:>8.2f} "
              f"{l_mb:>9.0f} | {l_wall / d_wall:>7.1f}x | equal")
        print(f"{'':>9}   {fmt_totals(d_totals)}")
        floor = sorted(read_once(files) for _ in range(repeat))[repeat // 2]
        print(f"{'':>9}   reading the profiles once (cat on 2 cores): {floor:.2f} s; llvm's time / 20: {l_wall / 20:.2f} s")

    print(f"\n== a whole campaign: profiles arrive {batch} at a time, a snapshot after each batch")
    print("dlcov: the campaign's running total (RunningCoverage: fold the new raw profiles, measure the total);")
    print("llvm: llvm-profdata merge -sparse of every profile so far + llvm-cov export -format=lcov, each snapshot")
    for n in fold_scales:
        dirs, files = profiles_upto(n)
        fold_dir = os.path.join(work, "fold-input")
        shutil.rmtree(fold_dir, ignore_errors=True)
        os.makedirs(fold_dir)
        # The fold takes profiles in name order: interleave runs so every batch has every object's.
        for i, f in enumerate(files):
            os.link(f, os.path.join(fold_dir, f"{i:06d}-{os.path.basename(f)}"))
        start = time.monotonic()
        out = subprocess.run(["nice", "-n", "0", fold_tool, "--objects"] + program.objects +
                             ["--layout-profiles", layout_dir, "--profiles", fold_dir, "--batch", str(batch),
                              "--source-root", os.path.join(program.dir, "src"), "--work",
                              os.path.join(work, "fold")], capture_output=True, text=True)
        fold_wall = time.monotonic() - start
        if out.returncode != 0:
            sys.exit(f"bench: dlcov-bench-fold failed:\n{out.stderr}")
        shutil.rmtree(fold_dir)
        rows = [line.split(",") for line in out.stdout.splitlines() if line and line[0].isdigit()]
        setup = next(line for line in out.stdout.splitlines() if line.startswith("# pipeline"))
        final = next(line for line in out.stdout.splitlines() if line.startswith("# total"))
        # The last snapshot's numbers against llvm-cov's on every profile.
        words = final.split()
        d_totals = {words[i]: tuple(int(x) for x in words[i + 1].split("/")) for i in (2, 4, 6)}
        want = [int(r[1]) for r in rows]
        llvm_at = {}
        points = want if n <= 1000 else sorted({p for p in llvm_points if p < len(files)} | {want[0]})
        for p in points:
            l_wall, l_mb, l_totals, _ = llvm_snapshot(program, files[:p], work)
            llvm_at[p] = (l_wall, l_mb, l_totals)
        if len(files) not in llvm_at:  # measured as one snapshot above, or now
            llvm_at[len(files)] = snapshot_rows.get(len(files)) or llvm_snapshot(program, files, work)[:3]
        require_equal(f"campaign of {len(files)} profiles, last snapshot", d_totals, llvm_at[len(files)][2])
        print(f"\n{len(files)} profiles, {len(rows)} snapshots; {setup[2:]}")
        print(f"{'snapshot':>8} {'profiles':>9} | {'dlcov fold s':>12} {'measure s':>9} {'snapshot s':>10} {'RSS MB':>7} | "
              f"{'llvm snapshot s':>15} {'peak MB':>8}")
        shown = sorted({0, 1, 2, len(rows) // 4, len(rows) // 2, 3 * len(rows) // 4, len(rows) - 1} |
                       {i for i, r in enumerate(rows) if int(r[1]) in llvm_at})
        for i in shown:
            r = rows[i]
            p = int(r[1])
            llvm = f"{llvm_at[p][0]:>15.2f} {llvm_at[p][1]:>8.0f}" if p in llvm_at else f"{'':>15} {'':>8}"
            print(f"{r[0]:>8} {p:>9} | {float(r[2]):>12.3f} {float(r[3]):>9.3f} {float(r[4]):>10.3f} "
                  f"{float(r[5]):>7.0f} | {llvm}")
        k = max(1, len(rows) // 10)
        first = sum(float(r[4]) for r in rows[:k]) / k
        last = sum(float(r[4]) for r in rows[-k:]) / k
        d_sum = sum(float(r[4]) for r in rows)
        peak = max(float(r[6]) for r in rows)
        print(f"dlcov: mean snapshot of the first {k} {first:.3f} s, of the last {k} {last:.3f} s "
              f"(ratio {last / first:.2f}); whole campaign {d_sum:.1f} s of snapshots ({fold_wall:.1f} s with set-up), "
              f"peak RSS {peak:.0f} MB")
        # llvm's whole campaign: measured at every snapshot up to 1,000 profiles; beyond, each
        # snapshot's cost is interpolated linearly between the measured points (it grows with
        # the profiles so far).
        measured = sorted((p, v[0]) for p, v in llvm_at.items())
        def llvm_cost(p):
            for (p0, c0), (p1, c1) in zip(measured, measured[1:]):
                if p0 <= p <= p1:
                    return c0 + (c1 - c0) * (p - p0) / (p1 - p0)
            return measured[-1][1]
        l_sum = sum(llvm_cost(p) for p in want)
        exact = "measured" if all(p in llvm_at for p in want) else f"interpolated from {len(measured)} measured snapshots"
        print(f"llvm: whole campaign {l_sum:.1f} s of snapshots ({exact}): dlcov {l_sum / d_sum:.0f}x faster; "
              f"last snapshot's numbers equal ({fmt_totals(d_totals)})")

    if os.environ.get("KEEP") != "1":
        shutil.rmtree(profile_root)
        shutil.rmtree(work)
    print(f"\n(profiles removed; program and build kept in {program.dir})" if os.environ.get("KEEP") != "1"
          else f"\n(everything kept in {bench_dir})")


if __name__ == "__main__":
    main()
