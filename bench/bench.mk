# make bench / make bench-smoke (issue 20). Included from the root Makefile; paths are from the root.
#
#   make bench        every line, medians over rounds, ours vs upstream alternating; writes
#                     bench/build/bench.md (the table), bench/build/bench.tsv (the numbers) and
#                     bench/report.svg (the plots the README shows)
#   make bench-smoke  the same lines a few iterations each; fails only if a line did not run
#
# Variables: BENCH_ARGS (e.g. BENCH_ARGS="--only call_tiny,host_call --rounds 15"), REF_SCRIPT (the
# reference library's installer, as for `make reference`), BENCH_REF=path (skip the script).

BENCH_BUILD := bench/build
BENCH_BIN := $(BENCH_BUILD)/bench
BENCH_WASM_CFLAGS := --target=wasm32-unknown-unknown -nostdlib -ffreestanding -O2 -Wall -Wextra -Werror \
  -Wl,--no-entry
BENCH_PDK_SRC := bench/plugins/pdk/Cargo.toml bench/plugins/pdk/Cargo.lock \
  bench/plugins/pdk/benchpdk/Cargo.toml bench/plugins/pdk/benchpdk/src/lib.rs
BENCH_PDK_TARGET := $(BENCH_BUILD)/pdk-target/wasm32-unknown-unknown
BENCH_WASMI := $(BENCH_BUILD)/wasmi-target/release/wasmi-harness
BENCH_VENV := $(BENCH_BUILD)/venv
BENCH_INPUTS := $(BENCH_BUILD)/init_table.wasm $(BENCH_BUILD)/benchpdk.wasm $(BENCH_BUILD)/benchpdk-big.wasm $(BENCH_BUILD)/kernels.wasm \
  $(BENCH_BUILD)/kernels_raw.wasm $(BENCH_WASMI) $(BENCH_BUILD)/pywasm3.stamp

.PHONY: bench bench-smoke bench-inputs

$(BENCH_BUILD):
	mkdir -p $@

# The benchmark program: loads the libraries with dlopen; the native kernels are the same C source as
# the wasm ones, compiled by the same compiler (clang -O2) as the wasm build.
$(BENCH_BIN): bench/bench.c bench/kernels/kernels.c bench/kernels/kernels.h extism.h | $(BENCH_BUILD)
	clang -O2 -Wall -Wextra -Werror -c -o $(BENCH_BUILD)/kernels_native.o bench/kernels/kernels.c
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-format-truncation -I. \
	  -Ibench -o $@ bench/bench.c $(BENCH_BUILD)/kernels_native.o -ldl -lm

$(BENCH_BUILD)/kernels.wasm: bench/kernels/kernels.c | $(BENCH_BUILD)
	clang $(BENCH_WASM_CFLAGS) -DKERNELS_EXTISM -o $@ $<

# The plugin with an expensive initialiser of the "Saved state" lines.
$(BENCH_BUILD)/init_table.wasm: bench/plugins/init_table.wat | $(BENCH_BUILD)
	wat2wasm $< -o $@

$(BENCH_BUILD)/kernels_raw.wasm: bench/kernels/kernels.c | $(BENCH_BUILD)
	clang $(BENCH_WASM_CFLAGS) -o $@ $<

# One PDK crate, two builds: stripped (small) and with its debug info (a few MB).
$(BENCH_BUILD)/pdk.stamp: $(BENCH_PDK_SRC) | $(BENCH_BUILD)
	cd bench/plugins/pdk && $(CARGO) build --release --target wasm32-unknown-unknown \
	  --target-dir $(abspath $(BENCH_BUILD))/pdk-target
	cd bench/plugins/pdk && $(CARGO) build --profile big --target wasm32-unknown-unknown \
	  --target-dir $(abspath $(BENCH_BUILD))/pdk-target
	cp $(BENCH_PDK_TARGET)/release/benchpdk.wasm $(BENCH_BUILD)/benchpdk.wasm
	cp $(BENCH_PDK_TARGET)/big/benchpdk.wasm $(BENCH_BUILD)/benchpdk-big.wasm
	touch $@

$(BENCH_BUILD)/benchpdk.wasm $(BENCH_BUILD)/benchpdk-big.wasm: $(BENCH_BUILD)/pdk.stamp
	@test -f $@

$(BENCH_WASMI): bench/wasmi-harness/Cargo.toml bench/wasmi-harness/Cargo.lock bench/wasmi-harness/src/main.rs
	$(CARGO) build --release --manifest-path bench/wasmi-harness/Cargo.toml \
	  --target-dir $(abspath $(BENCH_BUILD))/wasmi-target

# wasm3 through PyPI's pywasm3 (built from its sdist with the C compiler here), in a private venv.
# A failed build is recorded, not fatal: the kernels table then says wasm3 was not run. The sdist is
# downloaded once, for this and for make firmware-bench (bench/fw/fwbench.mk builds its C core for
# the Cortex-M4); a failed download leaves no file, and the install then says why.
PYWASM3_VERSION := 0.5.0
PYWASM3_SDIST := $(BENCH_BUILD)/pywasm3-$(PYWASM3_VERSION).tar.gz
$(PYWASM3_SDIST): | $(BENCH_BUILD)
	test -x $(BENCH_VENV)/bin/pip || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip download -q --no-binary :all: --no-deps -d $(BENCH_BUILD) pywasm3==$(PYWASM3_VERSION)

$(BENCH_BUILD)/pywasm3.stamp: | $(BENCH_BUILD)
	@-$(MAKE) -s $(PYWASM3_SDIST) >$(BENCH_BUILD)/pywasm3.log 2>&1
	@if { test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV); } >>$(BENCH_BUILD)/pywasm3.log 2>&1 \
	  && $(BENCH_VENV)/bin/pip install -q $(PYWASM3_SDIST) >>$(BENCH_BUILD)/pywasm3.log 2>&1 \
	  && $(BENCH_VENV)/bin/python -c 'import wasm3' >>$(BENCH_BUILD)/pywasm3.log 2>&1; then \
	  echo ok >$@; else echo failed >$@; echo "bench: pywasm3 failed to build (see $(BENCH_BUILD)/pywasm3.log)"; fi

bench-inputs: $(SHARED) $(BENCH_BIN) $(BENCH_INPUTS)
	$(MAKE) -s -C ctests plugins

# The run line: the reference library (skipped with a note if it cannot be installed), wasm3 if it built.
BENCH_RUN = ref="$(if $(BENCH_REF),$(BENCH_REF),$$($(REF_SCRIPT) 2>$(BENCH_BUILD)/reference.log))"; \
	if [ -z "$$ref" ]; then echo "bench: upstream's library unavailable (see $(BENCH_BUILD)/reference.log): ours only"; fi; \
	wasm3=""; if [ "$$(cat $(BENCH_BUILD)/pywasm3.stamp)" = ok ]; then \
	  wasm3="$(BENCH_VENV)/bin/python bench/wasm3_kernels.py"; fi; \
	so=$$(strip --strip-all -o $(BENCH_BUILD)/ours-stripped.so $(SHARED) && stat -c %s $(BENCH_BUILD)/ours-stripped.so); \
	sr=-1; if [ -n "$$ref" ]; then sr=$$(strip --strip-all -o $(BENCH_BUILD)/upstream-stripped.so "$$ref" \
	  && stat -c %s $(BENCH_BUILD)/upstream-stripped.so); fi; \
	nt=-1; if [ -f $(NOSTD_STATIC) ]; then nt=$$(size -t $(NOSTD_STATIC) | tail -n 1 | awk '{print $$1}'); fi; \
	$(BENCH_BIN) --ours $(SHARED) --ref "$$ref" --wasmi $(BENCH_WASMI) --wasm3 "$$wasm3" \
	  --sizes "$$so $$sr $$nt"

bench: bench-inputs $(NOSTD_STATIC)
	@$(BENCH_RUN) --md $(BENCH_BUILD)/bench.md --tsv $(BENCH_BUILD)/bench.tsv $(BENCH_ARGS)
	python3 bench/report.py $(BENCH_BUILD)/bench.tsv bench/report.svg

bench-smoke: bench-inputs
	@$(BENCH_RUN) --smoke --md $(BENCH_BUILD)/smoke.md --tsv $(BENCH_BUILD)/smoke.tsv $(BENCH_ARGS) >$(BENCH_BUILD)/smoke.out \
	  || { cat $(BENCH_BUILD)/smoke.out; exit 1; }
	@tail -n 1 $(BENCH_BUILD)/smoke.out
	python3 bench/report.py $(BENCH_BUILD)/smoke.tsv $(BENCH_BUILD)/smoke.svg

.PHONY: bench-clean
clean: bench-clean
bench-clean:
	rm -rf $(BENCH_BUILD)
