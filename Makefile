# The two commands (README): `make run` and `make test`. Both install what is
# missing, build, and then run. Build trees live under build/:
#   build/release  the server (RelWithDebInfo, gcc)      -> make build
#   build/asan     unit tests under ASan+UBSan (gcc)     -> make unit
#   build/fuzz     libFuzzer targets (clang)             -> make fuzz-build
#   build/asan-server  the server under ASan+UBSan (gcc) -> make asan-server
#                  (tests/integration/test_survival.py runs it)
.PHONY: all deps build unit asan-server fuzz-build fuzz run test bench fmt clean

JOBS ?= $(shell nproc)
# ccache: -g puts the build directory into the cache key unless told not
# to; without it a fresh clone (CI) or a second tree shares nothing.
export CCACHE_NOHASHDIR := 1
export CCACHE_MAXSIZE ?= 12G
CMAKE_COMMON = -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSTERN_TESTS=OFF >/dev/null
	@ninja -C build/release -j$(JOBS) postern

unit: deps
	@cmake -S . -B build/asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DPOSTERN_SANITIZE=ON -DPOSTERN_SERVER=OFF >/dev/null
	@ninja -C build/asan -j$(JOBS)

# The same sanitizer flags as build/asan (objects shared through ccache),
# with the server and without unit tests: only the postern binary.
asan-server: deps
	@cmake -S . -B build/asan-server $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DPOSTERN_SANITIZE=ON -DPOSTERN_SERVER=ON -DPOSTERN_TESTS=OFF >/dev/null
	@ninja -C build/asan-server -j$(JOBS) postern

fuzz-build: deps
	@CXX=clang++ cmake -S . -B build/fuzz $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSTERN_FUZZ=ON >/dev/null
	@ninja -C build/fuzz -j$(JOBS)

# make fuzz SECONDS=300 runs every target for that long, one after the
# other (TARGETS="imap_search smtp_session" for some only); work corpora and
# crash artifacts in build/fuzz-work/ (scripts/run-fuzz, docs/security.md).
SECONDS ?= 60
TARGETS ?=
fuzz: fuzz-build
	@scripts/run-fuzz $(SECONDS) $(TARGETS)

run: build
	@scripts/dev-run

test: build unit fuzz-build asan-server
	@scripts/run-tests

bench: build
	@scripts/install-deps --bench
	@bench/run

fmt:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
