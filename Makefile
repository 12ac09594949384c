# Entry points for people and CI. `make demo` and `make test` work on a fresh Debian 12 machine:
# both install what is missing first (tools/install-deps).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DLCOV := $(BUILD_DIR)/bin/dlcov

.PHONY: all deps build test demo demo-frameworks bench clean

all: build

deps:
	@tools/install-deps

build: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Unit tests, then (after instrumenting tiny-dnn once) the tests on the real framework.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure

# Instrument tiny-dnn, run the default campaign into results/demo, print the report; the last
# line printed is the path of the HTML report (results/demo/report/index.html).
# MODE=gcov builds tiny-dnn with gcc --coverage instead (configs/campaigns/demo-gcov.yaml, into
# results/demo-gcov; coverage/gcov/README.md compares the two). MODE=sancov builds it with clang's
# SanitizerCoverage (configs/campaigns/demo-sancov.yaml, into results/demo-sancov; lines and
# functions, no branches: coverage/sancov/README.md).
MODE ?= llvm
DEMO := $(if $(filter gcov,$(MODE)),demo-gcov,$(if $(filter sancov,$(MODE)),demo-sancov,$(if $(filter llvm,$(MODE)),demo,$(error MODE is llvm, gcov or sancov, not $(MODE)))))
demo: build
	$(DLCOV) run configs/campaigns/$(DEMO).yaml --overwrite
	$(DLCOV) report results/$(DEMO)

# The testers on real PyTorch, TensorFlow and MXNet (their Python layers, coverage.py): instruments
# all three first (TensorFlow and MXNet from PyPI, about 3 minutes the first time), since each
# campaign's cross-framework testers compare against the other two; then one campaign and report
# per framework (about 15 minutes on 2 cores). The last lines printed are the three reports.
FRAMEWORKS := pytorch tensorflow mxnet
demo-frameworks: build
	@for f in $(FRAMEWORKS); do $(DLCOV) instrument configs/frameworks/$$f.yaml || exit 1; done
	@for f in $(FRAMEWORKS); do $(DLCOV) run configs/campaigns/frameworks/$$f.yaml --overwrite || exit 1; done
	@for f in $(FRAMEWORKS); do $(DLCOV) report results/frameworks-$$f > results/frameworks-$$f/report.txt || exit 1; \
	  cat results/frameworks-$$f/report.txt; done
	@for f in $(FRAMEWORKS); do tail -n 1 results/frameworks-$$f/report.txt; done

# Campaign-engine figures (harness overhead, snapshot cost as a trial grows), then dlcov against
# llvm-profdata + llvm-cov on a generated program of framework scale (tools/framework-scale/),
# then sancov mode beside llvm mode on tiny-dnn (run time, sizes, numbers: coverage/sancov/README.md);
# not a test.
bench: build
	tools/bench-campaign $(BUILD_DIR)
	tools/framework-scale/bench.py $(BUILD_DIR)
	tools/bench-sancov $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
