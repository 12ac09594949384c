# Entry points for people and CI. `make demo` and `make test` work on a fresh Debian 12 machine:
# both install what is missing first (tools/install-deps).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DLCOV := $(BUILD_DIR)/bin/dlcov

.PHONY: all deps build test demo clean

all: build

deps:
	@tools/install-deps

build: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Unit tests, then (after instrumenting tiny-dnn once) the tests on the real framework.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure

# Instrument tiny-dnn, run the default campaign, print the report.
demo: build
	$(DLCOV) run configs/campaigns/demo.yaml --overwrite
	$(DLCOV) report results/demo

clean:
	rm -rf $(BUILD_DIR)
