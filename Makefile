# Entry points for people and CI. `make demo` and `make test` work on a fresh Debian 12 machine:
# both install what is missing first (tools/install-deps).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DLCOV := $(BUILD_DIR)/bin/dlcov

.PHONY: all deps build test demo bench clean

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
demo: build
	$(DLCOV) run configs/campaigns/demo.yaml --overwrite
	$(DLCOV) report results/demo

# Campaign-engine figures (harness overhead, snapshot cost as a trial grows); not a test.
bench: build
	tools/bench-campaign $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
