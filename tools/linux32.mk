# make test-linux32 (issue 29): the std library for 32-bit Linux hosts, and the C suite on each. Not
# part of make test (about 170 s from clean; make test's 15-minute budget has no room for it).
# Included from the root Makefile; paths are from the root.
#
#   i686-unknown-linux-gnu          built with i686-linux-gnu-gcc (Debian gcc-i686-linux-gnu) and run
#                                   natively, through the cross sysroot's loader (no i386 multiarch)
#   armv7-unknown-linux-gnueabihf   built with arm-linux-gnueabihf-gcc, run under qemu-arm (qemu-user);
#                                   ctests/qemu.skip lists the one test the emulator changes
#
# The libraries are the release profile without LTO (16 codegen units) and without the `http`
# feature: the same code as what ships less the HTTP client, built in one cargo run, to keep the run
# short (the HTTP tests are skipped there: ctests/linux32.skip; the x86-64 runs test HTTP). The test plugins are wasm, the same as the
# x86-64 run's (ctests/build/plugins). make test-linux32-<target> runs one.
#
# i686 runs the whole suite (about 15 s). Under qemu-arm the whole suite took 73-81 s on the shared
# 2-core machine, on top of the two library builds (about 4 minutes of make test's 15), so armv7 runs
# a representative part by default, LINUX32_ARMV7_FILTER (166 of the 461 tests, about 50 s): what
# could differ on 32-bit ARM, the interpreter (fuel, loops, recursion depth, SIMD), kernel memory
# (the kernel ABI, growth and moves, exhaustion, isolation, the budget, many plugins in one address
# space), host functions and their values, threads and cancels, the PDK and upstream's plugins,
# WASI through libc, saved state (made and read by a 32-bit build) and HTTP through a host handler. `make test-linux32 LINUX32_ARMV7_FILTER=` runs all of it there too.

LINUX32_TARGETS := i686-unknown-linux-gnu armv7-unknown-linux-gnueabihf
LINUX32_DIR := target/linux32
LINUX32_ARMV7_FILTER ?= kernel_ exhaust isolation host_ many_plugins upstream_ pdk_ simd threads fuel \
  recursion depth cancel x_budget memory_growth grow_ c1_ cf_ wasi_libc x_state x_http
LINUX32_FILTER_armv7-unknown-linux-gnueabihf = $(LINUX32_ARMV7_FILTER)
LINUX32_CC_i686-unknown-linux-gnu := i686-linux-gnu-gcc
LINUX32_CC_armv7-unknown-linux-gnueabihf := arm-linux-gnueabihf-gcc
LINUX32_ARCH_i686-unknown-linux-gnu := i686
LINUX32_ARCH_armv7-unknown-linux-gnueabihf := armv7
LINUX32_RUNNER_i686-unknown-linux-gnu := /usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib
LINUX32_RUNNER_armv7-unknown-linux-gnueabihf := qemu-arm -L /usr/arm-linux-gnueabihf
LINUX32_SKIP_i686-unknown-linux-gnu := $(abspath ctests/linux32.skip)
LINUX32_SKIP_armv7-unknown-linux-gnueabihf := $(abspath $(LINUX32_DIR)/armv7.skip)
linux32_lib = $(LINUX32_DIR)/$(1)/release/libextism.a
# A target as cargo's environment variables spell it (CARGO_TARGET_<T>_LINKER).
linux32_env = $(shell echo $(1) | tr a-z- A-Z_)

.PHONY: test-linux32 $(addprefix test-linux32-,$(LINUX32_TARGETS))

test-linux32: $(addprefix test-linux32-,$(LINUX32_TARGETS))

# Both libraries in one cargo run (`cargo build`: `cargo rustc` takes one target; the crate's other
# types are linked with the cross compilers) (their host-side build scripts and proc macros are built once, and
# the two targets' crates share the 2 cores). Features: everything but `http` (its TLS stack, ring's C
# and assembly included, would double the build); the HTTP tests are skipped
# there (ctests/linux32.skip), the rest of the suite runs. CC_/AR_<target>: the cross compilers, for
# any C a dependency builds.
LINUX32_FEATURES := std toml wasi simd
$(LINUX32_DIR)/built.stamp: $(RUST_SRC)
	CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	  $(foreach t,$(LINUX32_TARGETS),CC_$(subst -,_,$(t))=$(LINUX32_CC_$(t)) AR_$(subst -,_,$(t))=$(LINUX32_CC_$(t):-gcc=-ar)) \
	  $(foreach t,$(LINUX32_TARGETS),CARGO_TARGET_$(call linux32_env,$(t))_LINKER=$(LINUX32_CC_$(t))) \
	  $(CARGO) build --release -p extism-runtime-c --lib --no-default-features \
	  --features "$(LINUX32_FEATURES)" $(addprefix --target ,$(LINUX32_TARGETS)) --target-dir $(LINUX32_DIR)
	@touch $@

$(foreach t,$(LINUX32_TARGETS),$(call linux32_lib,$(t))): $(LINUX32_DIR)/built.stamp
	@test -f $@

# The armv7 run skips the HTTP tests and what the emulator changes (qemu.skip), in one list.
$(LINUX32_DIR)/armv7.skip: ctests/linux32.skip ctests/qemu.skip
	@mkdir -p $(@D)
	cat $^ >$@

$(addprefix test-linux32-,$(LINUX32_TARGETS)): test-linux32-%: $(LINUX32_DIR)/%/release/libextism.a $(LINUX32_DIR)/armv7.skip
	$(MAKE) -C ctests test LIB=$(abspath $<) CC=$(LINUX32_CC_$*) ARCH=$(LINUX32_ARCH_$*) \
	  RUNNER="$(LINUX32_RUNNER_$*)" SKIP_FILE=$(LINUX32_SKIP_$*) FILTER="$(LINUX32_FILTER_$*)"

# make plugins-under-limit: how many plugins one process holds on each platform (tools/plugins-under-limit.sh;
# the figures in docs/building.md). Not part of make test: it measures, it checks nothing.
.PHONY: plugins-under-limit
plugins-under-limit: $(STATIC) $(call linux32_lib,i686-unknown-linux-gnu) $(call linux32_lib,armv7-unknown-linux-gnueabihf)
	$(MAKE) -s -C ctests plugins
	tools/plugins-under-limit.sh $(STATIC) $(call linux32_lib,i686-unknown-linux-gnu) \
	  $(call linux32_lib,armv7-unknown-linux-gnueabihf) $(PLUGIN_BUILD) "$$($(REF_SCRIPT) 2>/dev/null)"
