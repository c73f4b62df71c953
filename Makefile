# libextism on wasmi: build, run the example host, and test everything.
#
#   make            libextism.a and libextism.so (std build) in target/release/
#   make run        build the example C host and run it on a real PDK plugin
#   make test       every test: cargo tests, no_std proof, header drift check, C conformance suite,
#                   examples, install test
#   make nostd      the no_std static library (target/nostd/release/libextism.a) and its proof,
#                   with the core built for bare-metal targets (thumbv7em-none-eabihf, x86_64-unknown-none)
#   make ctest-nostd     the C suite against the no_std library, host hooks installed
#   make firmware-test   bare-metal C images (Cortex-M4F, RV32IMAC) with the no_std library and a plugin, under QEMU (firmware/)
#   make test-linux32    the std library for i686 and armv7 Linux, and the C suite on each (armv7 under
#                   qemu-arm; tools/linux32.mk; about 170 s, outside make test for its 15-minute budget)
#   make size       code size of a stripped C host (std, no_std; opt-level 3 and "z") and the heap of one
#                   plugin through the allocator hook: the table in docs/performance.md, Footprint
#   make test-valgrind   the C suite under valgrind memcheck (test-valgrind-quick: a part of it, in make test)
#   make ctest-asan the C suite built with AddressSanitizer + UBSan on the C side (clang; about 100 s,
#                   outside make test for its 15-minute budget)
#   make fuzz       every cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 60) each (nightly)
#   make fuzz-diff  differential fuzzing against upstream's library: the same generated manifests,
#                   plugins and C API sequences through both, FUZZ_SECONDS per target (fuzz/diff/);
#                   make fuzz-diff-smoke: a fixed 1000 cases per target (part of make test)
#   make reference  the C suite against upstream's own libextism (from PyPI)
#   make test-reference  the same, as part of make test: every test must pass there except the
#                   TEST_NOT_UPSTREAM ones, and docs/behaviour.md's list of those must match the run's
#   make readme-not-upstream   regenerate that list (docs/behaviour.md) from the last reference run
#   make test-python     the Python SDK (PyPI `extism`) on our library and on upstream's, one pytest suite
#   make install    header, libraries and pkg-config files under PREFIX (default /usr/local;
#                   DESTDIR honoured); make uninstall removes exactly those files
#   make examples   build and run every C host in examples/ and check its output
#   make examples-reference   examples/dropin.c on upstream's own libextism (from PyPI)
#   make bench      benchmarks, ours vs upstream's libextism, raw wasmi, wasm3 and native C (bench/)
#   make bench-smoke     every benchmark line a few iterations (part of make test; no timing checks)
#   make firmware-bench  ours against wasm3 on each QEMU board, guest instructions (bench/fw/; its smoke
#                   run, make firmware-bench-smoke, is part of make firmware-test)
#   make soak       8 threads creating, calling, resetting, cancelling, freeing plugins for SOAK_MINUTES
#                   (60), the resident set sampled and plotted (bench/soak.svg), judged flat (soak/);
#                   make soak-smoke: 8 seconds of it, every result checked (part of make test)

CARGO ?= cargo
CC ?= cc
LIBDIR := target/release
STATIC := $(LIBDIR)/libextism.a
SHARED := $(LIBDIR)/libextism.so
NOSTD_DIR := target/nostd
NOSTD_STATIC := $(NOSTD_DIR)/release/libextism.a
# Cargo features of the no_std builds (Cargo.toml [features]): NOSTD_FEATURES is every feature that
# works without std, the set of `make nostd`, `make ctest-nostd` and the x86_64 bare-metal proof;
# FW_FEATURES is the lean set of the firmware images (firmware/firmware.mk): TOML manifests and
# WASI left out, and JSON read by the library's small reader (`small-json`: serde_json's texts)
# instead of serde_json, to fit the Cortex-M4's flash budget (docs/firmware-images.md); so is SIMD.
# The Cortex-M4 image adds `small-engine` (FW_FEATURES_arm there).
NOSTD_FEATURES := toml wasi simd
FW_FEATURES := small-json
# `--features` for cargo from a space-separated list (nothing for an empty one).
cargo_features = $(if $(strip $(1)),--features "$(strip $(1))")
# The no_std host libraries drop their unwind tables (.eh_frame, about 0.2 MB at "z"): they abort on
# panic, so nothing ever unwinds through them. (rustc's `-C force-unwind-tables=no` does not remove
# them here: the LTO'd code still has CFI for every function LLVM does not prove nounwind.)
OBJCOPY ?= objcopy
NOSTD_STRIP_EH = $(OBJCOPY) --remove-section=.eh_frame
RUST_SRC := $(shell find src kernel/src -name '*.rs') Cargo.toml kernel/Cargo.toml build.rs
C_LIBS := -lpthread -ldl -lm

.PHONY: test-reference readme-not-upstream test-python python-sys
.PHONY: cmake-test deb deb-test ctest-asan fuzz-diff fuzz-diff-smoke
.PHONY: all run test cargo-test nostd header-check ctest ctest-nostd test-valgrind test-valgrind-quick reference \
  clean examples fuzz \
  install uninstall install-test examples-reference size

all: $(STATIC) $(SHARED)

# Cargo.toml also lists `rlib` (for the fuzz targets), and with an rlib in the list cargo builds no
# LTO'd archive; ask for exactly the two C libraries so they get link-time optimisation.
$(STATIC) $(SHARED): $(RUST_SRC)
	$(CARGO) rustc --release -p extism-runtime-c --lib --crate-type staticlib,cdylib
	@touch $(STATIC) $(SHARED)

# --- the main job: a C host loading a plugin and calling it -------------------------------------
examples/build/host: examples/host.c extism.h $(STATIC)
	@mkdir -p examples/build
	$(CC) -std=c99 -Wall -Wextra -Werror -O2 -I. -o $@ examples/host.c $(STATIC) $(C_LIBS)

run: examples/build/host
	$(MAKE) -s -C ctests plugins
	examples/build/host ctests/build/plugins/c1.wasm count_vowels "Hello, World!"

# --- tests ----------------------------------------------------------------------------------------
test: cargo-test nostd header-check ctest ctest-nostd examples install-test cmake-test deb-test test-reference \
  fuzz-diff-smoke test-python bench-smoke soak-smoke firmware-test test-valgrind-quick
	@echo "make test: all passed"

# The second run: the library's tests with the Cortex-M4 image's lean set (FW_FEATURES_arm) plus std
# (the test harness needs it): the features a firmware build drops (toml, wasi) off, which checks the
# errors that replace them, the engine the image has (small-engine), and the manifest tests on its
# small JSON reader (small-json; src/small_json/tests.rs compares it with serde_json).
cargo-test:
	$(CARGO) test --workspace
	$(CARGO) test -p extism-runtime-c --lib --no-default-features --features "std $(strip $(FW_FEATURES_arm))"

nostd: $(NOSTD_STATIC)
	NOSTD_FEATURES="$(NOSTD_FEATURES)" tools/check-nostd.sh $(NOSTD_STATIC)
	FW_BUILD_VARS="$(FW_BUILD_VARS)" FW_FEATURES="$(FW_FEATURES_arm)" NOSTD_FEATURES="$(NOSTD_FEATURES)" \
	  tools/check-baremetal.sh

# Our own #[panic_handler] lives in this build: any crate pulling std in fails it (duplicate lang item).
# `cargo rustc --crate-type staticlib`: Cargo skips LTO for a lib whose crate types include rlib, and
# without LTO the no_std archive misses the allocator shim's default alloc error handler.
$(NOSTD_STATIC): $(RUST_SRC)
	$(CARGO) rustc --release -p extism-runtime-c --lib --crate-type staticlib --no-default-features \
	  $(call cargo_features,$(NOSTD_FEATURES)) --target-dir $(NOSTD_DIR)
	$(NOSTD_STRIP_EH) $@

header-check: $(STATIC)
	tools/check-header.sh $(STATIC)
	$(PYTHON) tools/check-c-edge.py

ctest: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC))

# The whole suite on the no_std library, with ctests/hooks_nostd.c installing a heap, clocks and
# randomness before any test; then ctests/budget_arena.c, the memory budget on one static arena
# (the firmware's allocator as the library's heap). The tests in ctests/nostd.skip (files, stdio, HTTP, WAT, environment
# switches, no_std capacities) are listed as skipped with their reasons.
ctest-nostd: $(NOSTD_STATIC)
	$(MAKE) -C ctests test VARIANT=nostd LIB=$(abspath $(NOSTD_STATIC))
	$(MAKE) -C ctests test VARIANT=arena LIB=$(abspath $(NOSTD_STATIC))

# Memcheck fails a test on any invalid read or write, use of uninitialised memory, or definite leak
# (ctests/valgrind.supp: the justified suppressions). The whole suite takes about 3 minutes;
# make test runs test-valgrind-quick, a representative part (threads with cancels, isolation,
# exhaustion, fuzz regressions, the kernel ABI, host functions, compiled plugins, an HTTP redirect,
# the PDK plugins, NULL arguments, user-data destructors, the memory budget, the module cache, the
# runtime's own log lines, HTTP through a host handler answered later or failing: 3 s) in about a minute. Tests that assert
# wall-clock times are left out of it: valgrind runs one thread at a time, so they are only
# reliable when the machine is otherwise idle.
VALGRIND := valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --suppressions=$(abspath ctests/valgrind.supp)
VALGRIND_QUICK := threads isolation exhaust fuzz_ kernel_ host_function compiled_plugin http_redirect \
  pdk_ bad_null destructor x_budget module_cache log_runtime x_http_stepped x_http_failing x_state
test-valgrind: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC)) RUNNER="$(VALGRIND)"

# The C suite built with clang's AddressSanitizer and UndefinedBehaviorSanitizer on the C side (the
# tests, the harness, their calls into the library), linked with the library: any out-of-bounds access,
# use after free or undefined behaviour in a test's use of the C API fails the run.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ctest-asan: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC)) VARIANT=asan CC=clang EXTRA_CFLAGS="$(ASAN_FLAGS)" \
	  EXTRA_LIBS="-fsanitize=address,undefined"

test-valgrind-quick: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC)) RUNNER="$(VALGRIND)" FILTER="$(VALGRIND_QUICK)"

reference:
	$(MAKE) -C ctests reference

# Fuzzing (cargo fuzz on nightly, `cargo install cargo-fuzz`): fuzz/README.md lists the targets and
# what the last runs found. call_echo also fuzzes the PDK plugin c1, hence the plugins.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -s -C ctests plugins
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh

# Differential fuzzing against upstream's libextism (fuzz/diff/, a C driver loading both libraries
# with dlopen; fuzz/README.md): FUZZ_SECONDS per target (manifest, plugin, api), seed FUZZ_SEED;
# prints executions and differences per target, the cases in fuzz/logs/diff-<target>.log.
FUZZ_SEED ?= 1
FUZZ_DIFF := fuzz/diff/build/fuzz-diff
FUZZ_DIFF_SRC := $(wildcard fuzz/diff/*.c fuzz/diff/*.h)
$(FUZZ_DIFF): $(FUZZ_DIFF_SRC) extism.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -I. -o $@ $(filter %.c,$^) -ldl

fuzz-diff: $(SHARED) $(FUZZ_DIFF)
	@mkdir -p fuzz/logs
	$(FUZZ_DIFF) --ours $(SHARED) --upstream "$$(tools/reference-libextism.sh)" --seconds $(FUZZ_SECONDS) \
	  --seed $(FUZZ_SEED) --logdir fuzz/logs

# Part of make test (about 7 s): the first 1000 cases of each target with seed 1, a fixed set (it
# shows 399 differences on the library before the fixes it found; ctests/t_diff.c keeps each fix);
# fails on any difference, or a crash or hang of ours. One case is also replayed alone (--case).
fuzz-diff-smoke: $(SHARED) $(FUZZ_DIFF)
	@mkdir -p fuzz/logs/smoke
	$(FUZZ_DIFF) --ours $(SHARED) --upstream "$$(tools/reference-libextism.sh)" --cases 1000 --seconds 120 \
	  --seed 1 --logdir fuzz/logs/smoke
	$(FUZZ_DIFF) --ours $(SHARED) --upstream "$$(tools/reference-libextism.sh)" --seed 1 --case plugin:224 \
	  >fuzz/logs/smoke/replay.txt
	grep -q '^=== plugin case 224 (seed 1): same' fuzz/logs/smoke/replay.txt

# The whole C suite on upstream's own libextism.so (PyPI extism-sys, tools/reference-libextism.sh).
# The runner's SKIP lines name the TEST_NOT_UPSTREAM tests; docs/behaviour.md's table of them must match.
REF_LOG := ctests/build/reference.log
RUN_REFERENCE = mkdir -p ctests/build && { $(MAKE) -C ctests reference >$(REF_LOG) 2>&1 || \
  { cat $(REF_LOG); echo "test-reference: failed (log: $(REF_LOG))"; exit 1; }; }
test-reference:
	@$(RUN_REFERENCE)
	@grep -E '^(SKIP |[0-9]+ skipped|[0-9]+ passed)' $(REF_LOG) | sed 's/^/reference: /'
	tools/readme-not-upstream.py --check docs/behaviour.md $(REF_LOG)

readme-not-upstream:
	@$(RUN_REFERENCE)
	tools/readme-not-upstream.py --write docs/behaviour.md $(REF_LOG)

# --- the Python SDK (PyPI `extism`, unchanged) on our library and on upstream's ----------------------
# python-sys generates our extism_sys package (bindings/python/gen_extism_sys.py: cffi cdef of extism.h's
# upstream part, dlopen of our libextism.so) into $(PY_PKG). test-python runs bindings/python/tests
# twice: in venv-ours (our package pip-installed under upstream's name `extism-sys`, then `extism`)
# and in venv-upstream (`extism` with PyPI's extism-sys $(EXTISM_SYS_VERSION)).
PYTHON ?= python3
EXTISM_PY_VERSION ?= 1.1.1
EXTISM_SYS_VERSION ?= 1.41.0
PY_BUILD := bindings/python/build
PY_PKG := $(PY_BUILD)/pkg
PY_PIP = bin/pip install -q --disable-pip-version-check

$(PY_PKG)/extism_sys/__init__.py: extism.h $(SHARED) bindings/python/gen_extism_sys.py
	$(PYTHON) bindings/python/gen_extism_sys.py extism.h $(SHARED) $(PY_PKG) $(VERSION)

python-sys: $(PY_PKG)/extism_sys/__init__.py

$(PY_BUILD)/venv-%/requirements.stamp: bindings/python/requirements.txt
	rm -rf $(PY_BUILD)/venv-$*
	$(PYTHON) -m venv $(PY_BUILD)/venv-$*
	cd $(PY_BUILD)/venv-$* && $(PY_PIP) -r $(abspath bindings/python/requirements.txt)
	touch $@

$(PY_BUILD)/venv-ours/installed.stamp: $(PY_BUILD)/venv-ours/requirements.stamp $(PY_PKG)/extism_sys/__init__.py
	cd $(PY_BUILD)/venv-ours && $(PY_PIP) --no-build-isolation --force-reinstall --no-deps $(abspath $(PY_PKG)) \
	  && $(PY_PIP) extism==$(EXTISM_PY_VERSION)
	touch $@

$(PY_BUILD)/venv-upstream/installed.stamp: $(PY_BUILD)/venv-upstream/requirements.stamp
	cd $(PY_BUILD)/venv-upstream && $(PY_PIP) extism==$(EXTISM_PY_VERSION) extism-sys==$(EXTISM_SYS_VERSION)
	touch $@

test-python: $(PY_BUILD)/venv-ours/installed.stamp $(PY_BUILD)/venv-upstream/installed.stamp
	$(MAKE) -s -C ctests plugins
	cd bindings/python && EXTISM_EXPECT_LIBRARY=ours EXTISM_TEST_PLUGINS=$(abspath $(PLUGIN_BUILD)) \
	  build/venv-ours/bin/python -m pytest -q -p no:cacheprovider tests
	cd bindings/python && EXTISM_EXPECT_LIBRARY=upstream EXTISM_TEST_PLUGINS=$(abspath $(PLUGIN_BUILD)) \
	  build/venv-upstream/bin/python -m pytest -q -p no:cacheprovider tests

# --- examples: every C host in examples/, built against the static library, run and checked -------
PLUGIN_BUILD := ctests/build/plugins
EXAMPLE_CFLAGS := -std=c99 -Wall -Wextra -Werror -O2 -I.
EXAMPLES := host dropin host_context threads nostd_host scheduler

examples/build/%: examples/%.c extism.h $(STATIC)
	@mkdir -p examples/build
	$(CC) $(EXAMPLE_CFLAGS) -pthread -o $@ $< $(STATIC) $(C_LIBS)

# The drop-in example built against upstream's declarations and run on upstream's own library.
REF_SCRIPT ?= $(abspath tools/reference-libextism.sh)
examples-reference:
	$(MAKE) -s -C ctests plugins
	@mkdir -p examples/build
	lib=$$($(REF_SCRIPT)) && \
	  $(CC) $(EXAMPLE_CFLAGS) -Ictests/ref-include -o examples/build/dropin-reference examples/dropin.c \
	    "$$lib" -Wl,-rpath,"$$(dirname "$$lib")"
	examples/build/dropin-reference $(PLUGIN_BUILD)/cf.wasm "Hello, World!" 2>/dev/null \
	  | grep -x '{"count": 3}' >/dev/null
	@echo "examples-reference: dropin.c runs on upstream's libextism"

# The no_std host links the no_std library and nothing but libc; its plugins are compiled in.
examples/build/embedded_plugins.h: $(PLUGIN_BUILD)/c1.wasm $(PLUGIN_BUILD)/loop.wasm
	@mkdir -p examples/build
	for p in c1 loop; do \
	  echo "static const unsigned char $${p}_wasm[] = {"; \
	  od -An -v -tx1 $(PLUGIN_BUILD)/$$p.wasm | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo "};"; echo "static const size_t $${p}_wasm_len = sizeof $${p}_wasm;"; \
	done >$@

$(PLUGIN_BUILD)/c1.wasm $(PLUGIN_BUILD)/loop.wasm:
	$(MAKE) -s -C ctests plugins

examples/build/nostd_host: examples/nostd_host.c examples/build/embedded_plugins.h extism.h $(NOSTD_STATIC)
	$(CC) $(EXAMPLE_CFLAGS) -Iexamples/build -o $@ $< $(NOSTD_STATIC)

# Each example's expected output is checked with grep -x (whole lines). dropin.c is also compiled
# against upstream's declarations (ctests/ref-include) to prove it uses nothing of ours.
examples: $(addprefix examples/build/,$(EXAMPLES))
	$(MAKE) -s -C ctests plugins
	$(CC) $(EXAMPLE_CFLAGS) -Ictests/ref-include -fsyntax-only examples/dropin.c
	examples/build/host $(PLUGIN_BUILD)/c1.wasm count_vowels "Hello, World!" \
	  | grep -x '{"count":3,"total":3,"vowels":"aeiouAEIOU"}' >/dev/null
	examples/build/dropin $(PLUGIN_BUILD)/cf.wasm "Hello, World!" >examples/build/dropin.out \
	  2>examples/build/dropin.err
	grep -qx 'hello_world: user data "Hello, again!", plugin says {"count": 3}' examples/build/dropin.out
	grep -qx '{"count": 3}' examples/build/dropin.out
	grep -qx 'freeing user data' examples/build/dropin.out
	grep -q ' DEBUG ' examples/build/dropin.err
	grep -q ' DEBUG extism::plugin: input size: 13 plugin="' examples/build/dropin.err
	grep -q ' DEBUG extism::plugin: got return code: 0 plugin="' examples/build/dropin.err
	grep -Eqx 'drained [1-9][0-9]* log lines' examples/build/dropin.err
	examples/build/scheduler $(PLUGIN_BUILD)/c1.wasm $(PLUGIN_BUILD)/hostloop.wasm \
	  >examples/build/scheduler.out
	grep -qx 'sensor finished: last reading 1005' examples/build/scheduler.out
	grep -qx 'vowels finished: {"count":70587,"total":70587,"vowels":"aeiouAEIOU"}' examples/build/scheduler.out
	grep -qx 'turn 2: sensor answered (extism:host/user::tick) with 1001' examples/build/scheduler.out
	examples/build/host_context $(PLUGIN_BUILD)/cf.wasm >examples/build/host_context.out
	grep -qx '{"greeting":"Hello, alice","plugin":{"count": 3}}' examples/build/host_context.out
	grep -qx '{"greeting":"Hello, bob","plugin":{"count": 1}}' examples/build/host_context.out
	grep -qx '{"greeting":"Hello, stranger","plugin":{"count": 0}}' examples/build/host_context.out
	grep -qx 'host calls: alice 1, bob 1' examples/build/host_context.out
	grep -qx 'user data released' examples/build/host_context.out
	examples/build/threads $(PLUGIN_BUILD)/c1.wasm >examples/build/threads.out
	grep -qx 'own plugins: 4 threads x 100 calls: OK' examples/build/threads.out
	grep -qx 'shared plugin: 4 threads x 100 calls, total 1200: OK' examples/build/threads.out
	examples/build/nostd_host >examples/build/nostd_host.out
	grep -qx 'heap: static arena of 32768 KiB' examples/build/nostd_host.out
	grep -qx 'count_vowels: {"count":3,"total":6,"vowels":"aeiou"}' examples/build/nostd_host.out
	grep -qx 'loop (timeout_ms 50): rc 134, error "timeout"' examples/build/nostd_host.out
	grep -Eq '^log: 1970-01-01T[0-9:.]+Z DEBUG extism::plugin: .* created$$' examples/build/nostd_host.out
	grep -Eqx 'arena: peak [1-9][0-9]* KiB' examples/build/nostd_host.out
	@echo "examples: all passed"

# --- install: header, libraries with soname and version links, pkg-config files -------------------
# Shaped like upstream's: pkg-config packages `extism` (-lextism, shared) and `extism-static`
# (-l:libextism.a; use pkg-config --static for the system libraries it needs).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
PREFIX ?= /usr/local
INSTALL_INCLUDEDIR ?= $(PREFIX)/include
INSTALL_LIBDIR ?= $(PREFIX)/lib
INSTALL ?= install
SONAME := libextism.so.$(SOMAJOR)
INSTALL_CMAKEDIR ?= $(INSTALL_LIBDIR)/cmake/extism
INSTALLED := $(INSTALL_INCLUDEDIR)/extism.h $(INSTALL_LIBDIR)/libextism.a \
  $(INSTALL_LIBDIR)/libextism.so.$(VERSION) $(INSTALL_LIBDIR)/$(SONAME) $(INSTALL_LIBDIR)/libextism.so \
  $(INSTALL_LIBDIR)/pkgconfig/extism.pc $(INSTALL_LIBDIR)/pkgconfig/extism-static.pc \
  $(INSTALL_CMAKEDIR)/extismConfig.cmake $(INSTALL_CMAKEDIR)/extismConfigVersion.cmake
# libdir and includedir are written relative to ${prefix} when they are under it (as upstream's).
PC_SED := -e 's|@PREFIX@|$(PREFIX)|' \
  -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INSTALL_LIBDIR))|' \
  -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INSTALL_INCLUDEDIR))|' \
  -e 's|@VERSION@|$(VERSION)|'
# The CMake package finds the library and header from its own directory (relocatable); a 64-bit
# library refuses 32-bit builds.
SIZEOF_VOID_P := $(shell echo __SIZEOF_POINTER__ | $(CC) -E -P - 2>/dev/null | tail -n 1)
CMAKE_SED = -e 's|@VERSION@|$(VERSION)|' -e 's|@SOMAJOR@|$(SOMAJOR)|' -e 's|@SONAME@|$(SONAME)|' \
  -e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|' \
  -e "s|@LIBDIR_FROM_HERE@|$$(realpath -m --relative-to=$(INSTALL_CMAKEDIR) $(INSTALL_LIBDIR))|" \
  -e "s|@INCLUDEDIR_FROM_HERE@|$$(realpath -m --relative-to=$(INSTALL_CMAKEDIR) $(INSTALL_INCLUDEDIR))|"

install: $(STATIC) $(SHARED)
	$(INSTALL) -d $(DESTDIR)$(INSTALL_INCLUDEDIR) $(DESTDIR)$(INSTALL_LIBDIR)/pkgconfig $(DESTDIR)$(INSTALL_CMAKEDIR)
	$(INSTALL) -m 644 extism.h $(DESTDIR)$(INSTALL_INCLUDEDIR)/extism.h
	$(INSTALL) -m 644 $(STATIC) $(DESTDIR)$(INSTALL_LIBDIR)/libextism.a
	$(INSTALL) -m 755 $(SHARED) $(DESTDIR)$(INSTALL_LIBDIR)/libextism.so.$(VERSION)
	ln -sf libextism.so.$(VERSION) $(DESTDIR)$(INSTALL_LIBDIR)/$(SONAME)
	ln -sf libextism.so.$(VERSION) $(DESTDIR)$(INSTALL_LIBDIR)/libextism.so
	sed $(PC_SED) tools/pkgconfig/extism.pc.in >$(DESTDIR)$(INSTALL_LIBDIR)/pkgconfig/extism.pc
	sed $(PC_SED) tools/pkgconfig/extism-static.pc.in \
	  >$(DESTDIR)$(INSTALL_LIBDIR)/pkgconfig/extism-static.pc
	sed $(CMAKE_SED) cmake/extismConfig.cmake.in >$(DESTDIR)$(INSTALL_CMAKEDIR)/extismConfig.cmake
	sed $(CMAKE_SED) cmake/extismConfigVersion.cmake.in >$(DESTDIR)$(INSTALL_CMAKEDIR)/extismConfigVersion.cmake

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# Installs into a temporary prefix (and a DESTDIR stage), builds C programs there with pkg-config
# (shared and static), runs them, uninstalls and checks nothing of ours is left.
install-test: $(STATIC) $(SHARED)
	$(MAKE) -s -C ctests plugins
	MAKE="$(MAKE)" CC="$(CC)" VERSION=$(VERSION) SONAME=$(SONAME) tools/install-test.sh

# The CMake package (lib/cmake/extism) and the top-level CMakeLists.txt, with examples/cmake built both
# ways (tools/cmake-test.sh).
cmake-test: $(STATIC) $(SHARED)
	$(MAKE) -s -C ctests plugins
	MAKE="$(MAKE)" VERSION=$(VERSION) SONAME=$(SONAME) tools/cmake-test.sh

# Debian packages libextism1 and libextism-dev in target/deb (tools/deb.sh); deb-test installs them,
# builds hosts against the system paths, runs them and purges them (tools/deb-test.sh; needs root or sudo).
deb: $(STATIC) $(SHARED)
	MAKE="$(MAKE)" VERSION=$(VERSION) SONAME=$(SONAME) tools/deb.sh

deb-test: $(STATIC) $(SHARED)
	$(MAKE) -s -C ctests plugins
	MAKE="$(MAKE)" VERSION=$(VERSION) SONAME=$(SONAME) tools/deb-test.sh

clean:
	$(CARGO) clean
	rm -rf examples/build ctests/build bindings/python/build firmware/build soak/build

# --- benchmarks: make bench, make bench-smoke (bench/bench.mk) ---------------------------------------
include bench/bench.mk

# --- the soak: make soak, make soak-smoke (soak/soak.mk) ------------------------------------------------
include soak/soak.mk

# --- 32-bit Linux hosts: make test-linux32 (tools/linux32.mk) ----------------------------------------
include tools/linux32.mk

# --- make size: code size of a stripped C host and heap of one plugin (not part of make test) -----
# The std and no_std libraries at opt-level 3 (the release profile: $(STATIC), $(NOSTD_STATIC)) and
# at "z" (the firmware profile, each in its own target dir). Hosts: examples/host.c (std) and
# examples/nostd_host.c (no_std; its 32 MiB static arena is bss, its two plugins data), linked with
# --gc-sections and stripped. Heap: tools/size-heap.c over the no_std library at "z".
SIZE_DIR := target/size
SIZE_STD_Z := $(SIZE_DIR)/std/firmware/libextism.a
# Both no_std "z" libraries come out of one target dir; each is copied out (and its .eh_frame
# dropped, as $(NOSTD_STATIC)'s): all no_std features (NOSTD_FEATURES), and the firmware's lean set.
SIZE_NOSTD_Z := $(SIZE_DIR)/lib/libextism-nostd-z.a
SIZE_LEAN_Z := $(SIZE_DIR)/lib/libextism-nostd-lean-z.a
SIZE_CC = $(CC) $(EXAMPLE_CFLAGS) -Iexamples/build -Wl,--gc-sections -s

$(SIZE_STD_Z): $(RUST_SRC)
	$(CARGO) rustc --profile firmware -p extism-runtime-c --lib --crate-type staticlib \
	  --target-dir $(SIZE_DIR)/std
	@touch $@

$(SIZE_NOSTD_Z): $(RUST_SRC)
	$(CARGO) rustc --profile firmware -p extism-runtime-c --lib --crate-type staticlib \
	  --no-default-features $(call cargo_features,$(NOSTD_FEATURES)) --target-dir $(SIZE_DIR)/nostd
	@mkdir -p $(@D)
	$(NOSTD_STRIP_EH) $(SIZE_DIR)/nostd/firmware/libextism.a $@

$(SIZE_LEAN_Z): $(RUST_SRC) $(SIZE_NOSTD_Z)
	$(CARGO) rustc --profile firmware -p extism-runtime-c --lib --crate-type staticlib \
	  --no-default-features $(call cargo_features,$(FW_FEATURES)) --target-dir $(SIZE_DIR)/nostd
	@mkdir -p $(@D)
	$(NOSTD_STRIP_EH) $(SIZE_DIR)/nostd/firmware/libextism.a $@

size: $(STATIC) $(NOSTD_STATIC) $(SIZE_STD_Z) $(SIZE_NOSTD_Z) $(SIZE_LEAN_Z) examples/build/embedded_plugins.h \
  $(PLUGIN_BUILD)/c1.wasm
	@mkdir -p $(SIZE_DIR)/bin
	$(SIZE_CC) -o $(SIZE_DIR)/bin/host-std-3 examples/host.c $(STATIC) $(C_LIBS)
	$(SIZE_CC) -o $(SIZE_DIR)/bin/host-std-z examples/host.c $(SIZE_STD_Z) $(C_LIBS)
	$(SIZE_CC) -o $(SIZE_DIR)/bin/host-nostd-3 examples/nostd_host.c $(NOSTD_STATIC)
	$(SIZE_CC) -o $(SIZE_DIR)/bin/host-nostd-z examples/nostd_host.c $(SIZE_NOSTD_Z)
	$(SIZE_CC) -o $(SIZE_DIR)/bin/host-lean-z examples/nostd_host.c $(SIZE_LEAN_Z)
	$(CC) $(EXAMPLE_CFLAGS) -D_DEFAULT_SOURCE -o $(SIZE_DIR)/bin/size-heap tools/size-heap.c $(SIZE_NOSTD_Z)
	@echo
	@echo '| library (cargo features) | opt-level | stripped C host | text (bytes) | text without embedded plugins | of it .text (code) | of it .eh_frame | data | bss |'
	@echo '|---|---|---|---:|---:|---:|---:|---:|---:|'
	@plugins=$$(cat $(PLUGIN_BUILD)/c1.wasm $(PLUGIN_BUILD)/loop.wasm | wc -c); \
	for b in std-3 std-z nostd-3 nostd-z lean-z; do \
	  lib=$${b%-*}; opt=$${b#*-}; host=nostd_host.c; embedded=$$plugins; \
	  case $$lib in std) label="std (default: std http toml wasi simd)"; host=host.c; embedded=0;; \
	    nostd) label="no_std ($(strip $(NOSTD_FEATURES)))";; \
	    lean) label="no_std lean ($(or $(strip $(FW_FEATURES)),none): no TOML, no WASI, no SIMD)";; esac; \
	  code=$$(size -A $(SIZE_DIR)/bin/host-$$b | awk '$$1 == ".text" { print $$2 }'); \
	  eh=$$(size -A $(SIZE_DIR)/bin/host-$$b | awk '$$1 == ".eh_frame" { print $$2 }'); \
	  size $(SIZE_DIR)/bin/host-$$b | awk -v l="$$label" -v o=$$opt -v h=$$host -v c=$$code -v e=$$eh -v p=$$embedded \
	    'NR == 2 { printf "| %s | %s | examples/%s | %d | %d | %d | %d | %d | %d |\n", l, o, h, $$1, $$1 - p, c, e, $$2, $$3 }'; \
	done
	@echo
	@echo '| no_std plugin, opt "z" | heap peak | held after | of it wasm memory | held beyond wasm memory |'
	@echo '|---|---:|---:|---:|---:|'
	@$(SIZE_DIR)/bin/size-heap 'empty module, created' -
	@$(SIZE_DIR)/bin/size-heap 'c1, created (idle)' $(PLUGIN_BUILD)/c1.wasm
	@$(SIZE_DIR)/bin/size-heap 'c1, after one count_vowels' $(PLUGIN_BUILD)/c1.wasm count_vowels 'Hello, World!'
	@echo
	@plugins=$$(cat $(PLUGIN_BUILD)/c1.wasm $(PLUGIN_BUILD)/loop.wasm | wc -c); \
	for b in nostd-z lean-z; do size $(SIZE_DIR)/bin/host-$$b | awk -v b=$$b -v p=$$plugins 'NR == 2 { \
	  printf "goal: no_std C host under 1 MB of text at \"z\" (%s): %s (%d bytes; %d with the %d bytes of plugins it embeds)\n", \
	  (b == "lean-z" ? "lean feature set" : "all no_std features"), ($$1 - p < 1000000 ? "met" : "NOT met"), $$1 - p, $$1, p }'; done
	@echo 'goal: idle plugin under 256 KiB of heap beyond its wasm memory: see "held beyond wasm memory"'

# --- firmware: make firmware, make firmware-test (firmware/firmware.mk) -----------------------------
include firmware/firmware.mk
# make firmware-bench (bench/fw/fwbench.mk): ours against wasm3 on the Cortex-M4 board
include bench/fw/fwbench.mk
