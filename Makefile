# Thin wrappers around CMake; the real build is CMakeLists.txt.
#   make           build (RelWithDebInfo, -Werror) into build/
#   make run       set up, build, start checkers-server on :8864 with its store in ./var
#   make test      set up, build, run every test (epoll and poll), then again under ASan+UBSan
#   make valgrind  the integration-level suite under valgrind (zero errors, zero definite leaks)
#   make fuzz      libFuzzer targets with clang for FUZZ_SECONDS (default 60) each
#   make bench     benchmarks, written to BENCHMARKS.md
#   make format    apply .clang-format to every tracked C++ file (format-check: fail on a diff)
#   make install   install into PREFIX (default /usr/local)
#   make deb       build the Debian package checkers_<version>_<arch>.deb into $(BUILD)/
#   make deb-test  install that .deb into a debootstrapped Debian 12 chroot and run it there
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
PORT       ?= 8864
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 60
CTEST_ARGS ?=
CMAKE_FLAGS ?=

.PHONY: all build bootstrap run test test-fast test-asan valgrind fuzz bench stress demo install deb deb-test clean format format-check

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: bootstrap build
	mkdir -p var
	$(BUILD)/bin/checkers-server --port $(PORT) --data-dir ./var

# tshark too: the Wireshark dissector tests capture real games (they skip without it).
test:
	@scripts/bootstrap tshark
	$(MAKE) --no-print-directory test-fast
	$(MAKE) --no-print-directory test-asan

# A test that fails is run once more; one line names every test that needed it.
test-fast: build
	scripts/ctest-with-retry $(BUILD) -j $(JOBS) -LE stress $(CTEST_ARGS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCHECKERS_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/ctest-with-retry $(ASAN_BUILD) -j $(JOBS) -LE stress $(CTEST_ARGS)

valgrind: bootstrap build
	scripts/valgrind-suite $(BUILD)
	scripts/valgrind-server $(BUILD)

fuzz:
	@scripts/bootstrap fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCHECKERS_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target checkers_fuzz_targets
	scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Re-configured first: the version that BENCHMARKS.md names (git describe) is taken at
# configure time.
bench:
	@scripts/bootstrap bench
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > /dev/null
	$(MAKE) --no-print-directory build
	bench/run $(BUILD)

stress: bootstrap build
	ctest --test-dir $(BUILD) --output-on-failure -L stress

demo: bootstrap build
	scripts/demo $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

deb: build
	cd $(BUILD) && cpack -G DEB

deb-test: deb
	scripts/deb-chroot-test $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

CLANG_FORMAT ?= clang-format
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')

format:
	$(CLANG_FORMAT) -i --style=file $(FORMAT_FILES)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror --style=file $(FORMAT_FILES)
