# The two commands of the README, and the ones developers use every day.
#   make demo    build, then score the example visits
#   make test    build (release and ASan+UBSan), check style and layering, run every test
#   make build   release build; the binary is build/cirrus
#   make bench   benchmarks beside their anchors; figures for docs/benchmarks.md
# Each target first runs scripts/install-deps.sh, which only acts when a
# package is missing.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_BUILD = cmake --build --preset
.DEFAULT_GOAL := build

.PHONY: deps build dev demo test check-format check-layers format bench clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@$(CMAKE_BUILD) release -j $(JOBS)
	@cp -f build/release/cirrus build/cirrus

dev: deps
	@cmake --preset dev >/dev/null
	@$(CMAKE_BUILD) dev -j $(JOBS)

demo: build
	@scripts/demo.sh

check-format: deps
	@scripts/ci/check_format.sh

check-layers: deps
	@python3 scripts/check_layers.py

format: deps
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 -i

# The sanitizer run comes first and the release run last, so that the last
# line make prints is ctest's summary of the full suite.
# Both runs include the PostgreSQL cases, against a throwaway server in
# build/pg that this target starts (and leaves running for the next run;
# scripts/pg-test-server.sh stop stops it). CIRRUS_TEST_PG_REQUIRED=1 makes
# those cases fail, not skip, if the server is missing.
# The Monte-Carlo oracle (thousands of simulated trials against rpact and R)
# runs in the release build only: under the sanitizers it takes minutes and
# checks no code the sanitized simulator tests do not already run.
PG_TEST_ENV = CIRRUS_TEST_PG_URL="$$('$(CURDIR)/scripts/pg-test-server.sh' url)" CIRRUS_TEST_PG_REQUIRED=1
test: check-format check-layers build dev
	@scripts/pg-test-server.sh start
	@cd build/dev && $(PG_TEST_ENV) ctest -j $(JOBS) --output-on-failure --no-tests=error -LE 'slow|monte-carlo'
	@cd build/release && $(PG_TEST_ENV) ctest -j $(JOBS) --output-on-failure --no-tests=error -LE 'slow'

bench: deps
	@cmake --preset bench >/dev/null
	@$(CMAKE_BUILD) bench -j $(JOBS)
	@scripts/bench.sh

clean:
	rm -rf build
