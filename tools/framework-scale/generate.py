#!/usr/bin/env python3
"""Writes a C++ program of PyTorch-like shape for the framework-scale benchmark (README.md).

    generate.py OUT_DIR [--libraries 8] [--files 6] [--kernels 40] [--seed 1]

OUT_DIR gets src/ (the program) and CMakeLists.txt. The shape:
  include/fw/   shared headers: a Tensor template, reduction helpers and two macros (a check with
                a branch, a dtype dispatch that expands into a switch at every call site, like
                AT_DISPATCH_ALL_TYPES), instantiated by every library that includes them;
  core/         libfw_core.so (c10's place): the check handler, seeded data, an op registry;
  <library>/    libfw_<library>.so, `--files` files of `--kernels` kernel templates each, every kernel
                instantiated for float, double and int through the dispatch macro;
  driver/       fw-driver: `fw-driver SEED STEPS` calls STEPS (library, op, dtype, mode) picked by
                SEED, so processes with other seeds run other parts of the program.
The same arguments always write the same program (the kernels' bodies come from a seeded choice).
"""
import argparse
import os
import random

LIBRARY_NAMES = ["conv", "linalg", "reduce", "elementwise", "index", "norm", "pool", "rnn",
                 "sparse", "quant", "fft", "random", "autograd", "jit", "serialize", "distributed"]

HEADER_MACROS = r"""// Macros every library uses, like c10's TORCH_CHECK and ATen's AT_DISPATCH_*.
#pragma once
#include "fw/check.h"

// A check with a branch of its own at every place it is expanded.
#define FW_CHECK(cond, message)                                   \
    do {                                                          \
        if (!(cond)) ::fw::check_failed(message, __FILE__, __LINE__); \
    } while (0)

// Runs BODY with scalar_t bound to the dtype's type; one switch per expansion.
#define FW_DISPATCH_TYPES(dtype, BODY)                \
    [&]() -> double {                                 \
        switch (dtype) {                              \
        case 0: { using scalar_t = float; BODY }      \
        case 1: { using scalar_t = double; BODY }     \
        case 2: { using scalar_t = int; BODY }        \
        default: FW_CHECK(false, "unknown dtype");    \
        }                                             \
        return 0.0;                                   \
    }()
"""

HEADER_CHECK = r"""// What a failed FW_CHECK calls (libfw_core).
#pragma once
namespace fw {
[[noreturn]] void check_failed(const char* message, const char* file, int line);
// Deterministic data for a kernel: n values from a seed.
void seeded_values(unsigned seed, int n, double* out);
using OpFn = double (*)(int op, int dtype, int mode, int n);
void register_library(const char* name, int ops, OpFn call);
int library_count();
const char* library_name(int index);
int library_ops(int index);
double call_library(int index, int op, int dtype, int mode, int n);
}  // namespace fw
"""

HEADER_TENSOR = r"""// A small tensor template shared by every library (inline: each library has its own copies).
#pragma once
#include "fw/macros.h"

#include <cstddef>
#include <vector>

namespace fw {

template <typename T>
class Tensor {
public:
    Tensor(int n, unsigned seed) : data_(std::size_t(n > 0 ? n : 0)) {
        FW_CHECK(n >= 0, "negative size");
        std::vector<double> values(data_.size());
        if (!values.empty()) seeded_values(seed, n, values.data());
        for (std::size_t i = 0; i < data_.size(); ++i) data_[i] = T(values[i]);
    }
    int size() const { return int(data_.size()); }
    T operator[](int i) const { return data_[std::size_t(i)]; }
    T& at(int i) {
        FW_CHECK(i >= 0 && i < size(), "index out of range");
        return data_[std::size_t(i)];
    }
    T sum() const {
        T s = T(0);
        for (T v : data_) s += v;
        return s;
    }
    T max() const {
        if (data_.empty()) return T(0);
        T m = data_[0];
        for (T v : data_)
            if (v > m) m = v;
        return m;
    }
    Tensor relu() const {
        Tensor out = *this;
        for (auto& v : out.data_) v = v > T(0) ? v : T(0);
        return out;
    }
    bool all_positive() const {
        for (T v : data_)
            if (!(v > T(0))) return false;
        return true;
    }

private:
    std::vector<T> data_;
};

template <typename T>
T clamp(T v, T lo, T hi) {
    if (v < lo) return lo;
    if (v > hi) return hi;
    return v;
}

struct MaxOp {
    template <typename T>
    static T apply(T a, T b) { return a > b ? a : b; }
};
struct SumOp {
    template <typename T>
    static T apply(T a, T b) { return a + b; }
};

template <typename T, typename Op>
T reduce(const Tensor<T>& t, T init) {
    T acc = init;
    for (int i = 0; i < t.size(); ++i) acc = Op::apply(acc, t[i]);
    return acc;
}

}  // namespace fw
"""

CORE_SOURCE = r"""// libfw_core: what every library links against (c10's place).
#include "fw/check.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace fw {

void check_failed(const char* message, const char* file, int line) {
    throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + message);
}

void seeded_values(unsigned seed, int n, double* out) {
    unsigned state = seed * 2654435761u + 1u;
    for (int i = 0; i < n; ++i) {
        state = state * 1103515245u + 12345u;
        int v = int((state >> 16) % 17u) - 6;
        out[i] = (state & 1u) ? v : v * 0.5;
    }
}

namespace {
struct Library {
    const char* name;
    int ops;
    OpFn call;
};
std::vector<Library>& registry() {
    static std::vector<Library> libraries;
    return libraries;
}
}  // namespace

void register_library(const char* name, int ops, OpFn call) { registry().push_back({name, ops, call}); }
int library_count() { return int(registry().size()); }
const char* library_name(int index) { return registry().at(std::size_t(index)).name; }
int library_ops(int index) { return registry().at(std::size_t(index)).ops; }
double call_library(int index, int op, int dtype, int mode, int n) {
    const Library& library = registry().at(std::size_t(index));
    if (op < 0 || op >= library.ops) throw std::out_of_range("no such op");
    return library.call(op, dtype, mode, n);
}

}  // namespace fw
"""

DRIVER_SOURCE = r"""// fw-driver SEED STEPS: calls STEPS ops picked by SEED from the libraries it links.
#include "fw/check.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: fw-driver SEED STEPS\n");
        return 2;
    }
    unsigned state = unsigned(std::strtoul(argv[1], nullptr, 10)) * 747796405u + 2891336453u;
    int steps = std::atoi(argv[2]);
    auto next = [&state](unsigned bound) {
        state = state * 1664525u + 1013904223u;
        return int((state >> 8) % bound);
    };
    double checksum = 0;
    int failed = 0;
    // Each process works in a few libraries, as a test of one area of a framework does.
    int libraries = fw::library_count();
    int home = libraries ? next(unsigned(libraries)) : 0;
    for (int s = 0; s < steps && libraries; ++s) {
        int library = next(4) == 0 ? next(unsigned(libraries)) : home;
        int op = next(unsigned(fw::library_ops(library)));
        try {
            checksum += fw::call_library(library, op, next(3), next(6), next(9) - 1);
        } catch (const std::exception&) {
            ++failed;  // a failed check, as a framework's input validation raises
        }
    }
    std::printf("%d steps, %d failed checks, checksum %g\n", steps, failed, checksum);
    return 0;
}
"""

# Statement blocks a kernel body is drawn from; {k} makes names unique. Each uses `x` (a
# Tensor<scalar>), `acc`, `mode` and `n`. Type-dependent conditions give instantiations coverage of
# their own.
BLOCKS = [
    """    for (int i = 0; i < x.size(); ++i) {{
        if (x[i] > T({a}) && mode != {b}) acc += x[i] * T(2);
        else if (mode == {c}) acc -= x[i];
        else acc = acc + fw::clamp<T>(x[i], T(-1), T({d}));
    }}
""",
    """    switch ((mode + {a}) % 4) {{
    case 0: acc = x.relu().sum(); break;
    case 1: acc = acc * T({b}); break;
    case 2: acc = acc > T(0) ? acc : T(0) - acc; break;
    default: acc = fw::reduce<T, fw::MaxOp>(x, acc); break;
    }}
""",
    """    FW_CHECK(n < {e}, "size too large for kernel {k}");
""",
    """    {{
        int steps_{k} = 0;
        while (steps_{k} < n && (acc < T({f}) || mode == {c})) {{
            acc += T(1);
            ++steps_{k};
        }}
    }}
""",
    """    if (sizeof(T) == 8 || mode > {b}) acc = fw::reduce<T, fw::SumOp>(x, acc);
    else if (x.all_positive()) acc = x.max();
""",
    """    if (n > {a} && mode % 2 == 0) {{
        for (int i = 0; i + 1 < x.size(); i += 2) acc = acc + (x[i] < x[i + 1] ? x[i] : x[i + 1]);
    }} else if (n == {a} || mode == 5) {{
        acc = T(0) - acc;
    }}
""",
    """    if (mode == {c} || n == {d}) FW_CHECK(acc != T({g}), "kernel {k} reached its sentinel");
""",
]


def kernel(name, rng):
    count = rng.randint(4, 7)
    blocks = [rng.choice(BLOCKS) for _ in range(count)]
    body = "".join(b.format(k=f"{name}_{i}", a=rng.randint(0, 4), b=rng.randint(0, 5), c=rng.randint(0, 5),
                            d=rng.randint(1, 7), e=rng.randint(6, 9), f=rng.randint(2, 30),
                            g=rng.randint(40, 90)) for i, b in enumerate(blocks))
    return (f"template <typename T>\nT {name}(int mode, int n) {{\n"
            f"    fw::Tensor<T> x(n, {rng.randint(1, 10**6)}u + unsigned(mode));\n"
            f"    T acc = T(0);\n{body}    return acc;\n}}\n")


def library_file(library, index, kernels, rng):
    names = [f"{library}_k{index}_{k}" for k in range(kernels)]
    out = [f"// Generated kernels of library {library}, file {index} (tools/framework-scale/generate.py).\n",
           '#include "fw/tensor.h"\n\nnamespace {\n\n']
    out += [kernel(n, rng) + "\n" for n in names]
    out.append("}  // namespace\n\n")
    out.append(f"double {library}_file{index}_call(int op, int dtype, int mode, int n) {{\n    switch (op) {{\n")
    for k, n in enumerate(names):
        out.append(f"    case {k}: return FW_DISPATCH_TYPES(dtype, return double({n}<scalar_t>(mode, n)););\n")
    out.append('    default: FW_CHECK(false, "no such op");\n    }\n    return 0;\n}\n')
    return "".join(out)


def library_entry(library, files, kernels):
    decls = "".join(f"double {library}_file{i}_call(int op, int dtype, int mode, int n);\n" for i in range(files))
    cases = "".join(f"    case {i}: return {library}_file{i}_call(op % {kernels}, dtype, mode, n);\n"
                    for i in range(files))
    return (f"// Library {library}: registers its ops with libfw_core when it is loaded.\n"
            f'#include "fw/macros.h"\n\n{decls}\nnamespace {{\n\n'
            f"double call(int op, int dtype, int mode, int n) {{\n"
            f'    FW_CHECK(op >= 0, "negative op");\n    switch (op / {kernels}) {{\n{cases}'
            f'    default: FW_CHECK(false, "no such op");\n    }}\n    return 0;\n}}\n\n'
            f"struct Registration {{\n    Registration() {{ fw::register_library(\"{library}\", {files * kernels}, call); }}\n"
            f"}} registration;\n\n}}  // namespace\n")


def cmake_lists(libraries, files):
    out = ["# Generated by tools/framework-scale/generate.py: the framework-scale benchmark's program.\n",
           "cmake_minimum_required(VERSION 3.18)\nproject(fw_scale CXX)\n",
           "set(CMAKE_CXX_STANDARD 17)\n",
           "# The flags of dlcov's llvm mode (instrument/coverage_flags.cpp) with tiny-dnn's -O1.\n",
           "add_compile_options(-O1 -g0 -fprofile-instr-generate -fcoverage-mapping -fprofile-update=atomic\n",
           "                    \"SHELL:-mllvm -runtime-counter-relocation\")\n",
           "add_link_options(-fprofile-instr-generate)\n",
           "include_directories(src/include)\n",
           "add_library(fw_core SHARED src/core/core.cpp)\n"]
    for lib in libraries:
        sources = " ".join(f"src/{lib}/{lib}_{i}.cpp" for i in range(files)) + f" src/{lib}/{lib}_entry.cpp"
        out.append(f"add_library(fw_{lib} SHARED {sources})\ntarget_link_libraries(fw_{lib} PRIVATE fw_core)\n")
    links = " ".join(f"fw_{lib}" for lib in libraries)
    # --no-as-needed: the driver reaches the libraries through the registry only.
    out.append(f"add_executable(fw-driver src/driver/main.cpp)\n"
               f"target_link_libraries(fw-driver PRIVATE -Wl,--no-as-needed {links} fw_core)\n")
    return "".join(out)


def write(path, text):
    """Writes only what changed, so that a build of the same program again compiles nothing."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and open(path).read() == text:
        return
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--libraries", type=int, default=8)
    parser.add_argument("--files", type=int, default=6, help="kernel files per library")
    parser.add_argument("--kernels", type=int, default=40, help="kernel templates per file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.libraries <= len(LIBRARY_NAMES):
        parser.error(f"--libraries must be 1 to {len(LIBRARY_NAMES)}")
    rng = random.Random(args.seed)
    libraries = LIBRARY_NAMES[:args.libraries]
    src = os.path.join(args.out, "src")
    write(os.path.join(src, "include/fw/macros.h"), HEADER_MACROS)
    write(os.path.join(src, "include/fw/check.h"), HEADER_CHECK)
    write(os.path.join(src, "include/fw/tensor.h"), HEADER_TENSOR)
    write(os.path.join(src, "core/core.cpp"), CORE_SOURCE)
    write(os.path.join(src, "driver/main.cpp"), DRIVER_SOURCE)
    for lib in libraries:
        for i in range(args.files):
            write(os.path.join(src, lib, f"{lib}_{i}.cpp"), library_file(lib, i, args.kernels, rng))
        write(os.path.join(src, lib, f"{lib}_entry.cpp"), library_entry(lib, args.files, args.kernels))
    write(os.path.join(args.out, "CMakeLists.txt"), cmake_lists(libraries, args.files))


if __name__ == "__main__":
    main()
