# make firmware-bench / firmware-bench-smoke (issue 28): our runtime against wasm3 on the same board.
# Included from the root Makefile after firmware/firmware.mk; paths are from the root.
#
#   make firmware-bench        builds two images per board of firmware/ (QEMU's mps2-an386, a Cortex-M4F,
#                              and RISC-V virt, RV32IMAC) on the firmware's board files, linker script
#                              and heap: ours, the kernels of bench/fw/kernels_fw.c as an Extism plugin
#                              through extism.h on the firmware's library (FW_LIB_<board>: opt-level
#                              "z", the lean features); and
#                              wasm3's C core (PyPI's pywasm3 sdist, the one make bench installs, no
#                              WASI) built with the board's gcc at -Os, running the same wasm bare. Runs
#                              both under QEMU with -icount shift=0 (guest instructions), prints the
#                              table (flash, RAM peak, create, create + first call, trivial call,
#                              fib(20), sum loop), writes it into bench/RESULTS.md (between the
#                              firmware-bench markers) and draws bench/fw/firmware-bench.svg
#   make firmware-bench-smoke  the same build and run, each call's result checked (part of
#                              make firmware-test: about two seconds once built); writes nothing kept
#
# Both boards of firmware/ (FW_BOARDS): each its own pair of images in bench/build/fw/<board>/.

FWB_BUILD := bench/build/fw
FWB_WASM3_SRC := $(FWB_BUILD)/pywasm3-$(PYWASM3_VERSION)/wasm3
# wasm3 as its own build would be on a device: -Os, no WASI (no m3_api_* file linked), nothing else
# changed (its defaults: 32-bit slots, float ops, its checks).
FWB_WASM3_CFLAGS := -std=gnu11 -Os -ffunction-sections -fdata-sections -w -I$(FWB_WASM3_SRC)
FWB_WASM3_CORE := m3_bind m3_code m3_compile m3_core m3_emit m3_env m3_exec m3_function m3_info m3_module m3_parse

.PHONY: firmware-bench firmware-bench-smoke
firmware-test: firmware-bench-smoke

# The sdist: bench/bench.mk's download (PYWASM3_SDIST).
$(FWB_BUILD)/wasm3.stamp: $(PYWASM3_SDIST)
	@mkdir -p $(FWB_BUILD)
	tar -xzf $< -C $(FWB_BUILD)
	@touch $@

$(FWB_BUILD)/fwbench_kernels.wasm: bench/fw/kernels_fw.c bench/fw/fwbench.mk
	@mkdir -p $(@D)
	clang $(BENCH_WASM_CFLAGS) -Wl,-z,stack-size=8192 -Wl,--initial-memory=65536 -o $@ $<

# One board's two images ($(1): the board's name, as in firmware/firmware.mk).
define FWB_BOARD_RULES
FWB_DIR_$(1) := $(FWB_BUILD)/$(1)
FWB_CC_$(1) := $(FW_CC_$(1)) $(FW_ARCH_$(1)) $(FW_SPECS_$(1))
FWB_COMMON_$(1) := $$(addprefix $(FWB_BUILD)/$(1)/,kernels.o board-common.o board-heap.o board-$(FW_SRC_$(1)).o)

$(FWB_BUILD)/$(1)/kernels.o: bench/fw/kernels.S $(FWB_BUILD)/fwbench_kernels.wasm
	@mkdir -p $$(@D)
	$$(FWB_CC_$(1)) -I$(FWB_BUILD) -c -o $$@ $$<

$(FWB_BUILD)/$(1)/board-%.o: firmware/%.c firmware/board.h firmware/heap.h
	@mkdir -p $$(@D)
	$$(FWB_CC_$(1)) $(FW_CWARN) -c -o $$@ $$<

$(FWB_BUILD)/$(1)/ours.o: bench/fw/ours.c bench/fw/measure.h firmware/board.h extism.h
	@mkdir -p $$(@D)
	$$(FWB_CC_$(1)) $(FW_CWARN) -Ifirmware -c -o $$@ $$<

$(FWB_BUILD)/$(1)/wasm3.o: bench/fw/wasm3.c bench/fw/measure.h firmware/board.h $(FWB_BUILD)/wasm3.stamp
	@mkdir -p $$(@D)
	$$(FWB_CC_$(1)) $(FW_CWARN) -Ifirmware -I$(FWB_WASM3_SRC) -c -o $$@ $$<

$(FWB_BUILD)/$(1)/m3_%.o: $(FWB_BUILD)/wasm3.stamp bench/fw/fwbench.mk
	@mkdir -p $$(@D)
	$$(FWB_CC_$(1)) $(FWB_WASM3_CFLAGS) -c -o $$@ $(FWB_WASM3_SRC)/m3_$$*.c

$(FWB_BUILD)/$(1)/libwasm3.a: $(addprefix $(FWB_BUILD)/$(1)/,$(addsuffix .o,$(FWB_WASM3_CORE)))
	rm -f $$@
	$(FW_CC_$(1):gcc=ar) rcs $$@ $$^

$(FWB_BUILD)/$(1)/ours.elf: $(FWB_BUILD)/$(1)/ours.o $$(FWB_COMMON_$(1)) $$(FW_LIB_$(1)) firmware/$(FW_SRC_$(1)).ld
	$$(FWB_CC_$(1)) $(FW_LDEXTRA_$(1)) -nostartfiles -T firmware/$(FW_SRC_$(1)).ld -Wl,--gc-sections \
	  -Wl,-Map,$$(basename $$@).map -o $$@ $$(filter %.o %.a,$$^) -lc -lm -lgcc

$(FWB_BUILD)/$(1)/wasm3.elf: $(FWB_BUILD)/$(1)/wasm3.o $$(FWB_COMMON_$(1)) $(FWB_BUILD)/$(1)/libwasm3.a firmware/$(FW_SRC_$(1)).ld
	$$(FWB_CC_$(1)) $(FW_LDEXTRA_$(1)) -nostartfiles -T firmware/$(FW_SRC_$(1)).ld -Wl,--gc-sections \
	  -Wl,-Map,$$(basename $$@).map -o $$@ $$(filter %.o %.a,$$^) -lc -lm -lgcc

# Both images' runs (every time: QEMU takes under a second each): their lines in <engine>.log,
# each exit status checked (0: every call gave the right result).
.PHONY: firmware-bench-run-$(1)
firmware-bench-run-$(1): $(FWB_BUILD)/$(1)/ours.elf $(FWB_BUILD)/$(1)/wasm3.elf
	@for e in ours wasm3; do \
	  timeout $(FW_TIMEOUT) $(FW_QEMU_$(1)) $(FW_QEMU_COMMON) -kernel $(FWB_BUILD)/$(1)/$$$$e.elf \
	    >$(FWB_BUILD)/$(1)/$$$$e.log 2>&1 \
	  || { cat $(FWB_BUILD)/$(1)/$$$$e.log; echo "firmware-bench: the $(1) $$$$e image failed"; exit 1; }; done
endef

$(foreach b,$(FW_BOARDS),$(eval $(call FWB_BOARD_RULES,$(b))))

FWB_REPORT = $(PYTHON) bench/fw/report.py $(foreach b,$(FW_BOARDS),--build $(b)=$(FWB_BUILD)/$(b))
FWB_RUNS := $(addprefix firmware-bench-run-,$(FW_BOARDS))

firmware-bench-smoke: $(FWB_RUNS) bench/fw/report.py
	@$(FWB_REPORT) --smoke

firmware-bench: $(FWB_RUNS) bench/fw/report.py
	$(FWB_REPORT) --results bench/RESULTS.md --svg bench/fw/firmware-bench.svg
