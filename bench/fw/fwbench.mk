# make firmware-bench / firmware-bench-smoke (issue 28): our runtime against wasm3 on the same board.
# Included from the root Makefile after firmware/firmware.mk; paths are from the root.
#
#   make firmware-bench        builds two images for QEMU's mps2-an386 (Cortex-M4F) on the firmware's
#                              board files, linker script and heap (firmware/): ours, the kernels of
#                              bench/fw/kernels_fw.c as an Extism plugin through extism.h on the
#                              firmware's library (FW_LIB_arm: opt-level "z", the lean features); and
#                              wasm3's C core (PyPI's pywasm3 sdist, the one make bench installs, no
#                              WASI) built with arm-none-eabi-gcc -Os, running the same wasm bare. Runs
#                              both under QEMU with -icount shift=0 (guest instructions), prints the
#                              table (flash, RAM peak, create, create + first call, trivial call,
#                              fib(20), sum loop), writes it into bench/RESULTS.md (between the
#                              firmware-bench markers) and draws bench/fw/firmware-bench.svg
#   make firmware-bench-smoke  the same build and run, each call's result checked (part of
#                              make firmware-test: about two seconds once built); writes nothing kept
#
# The RISC-V board is not benchmarked (see bench/RESULTS.md, On the device).

FWB_BUILD := bench/build/fw
FWB_WASM3_SRC := $(FWB_BUILD)/pywasm3-$(PYWASM3_VERSION)/wasm3
FWB_CC := $(FW_CC_arm) $(FW_ARCH_arm) $(FW_SPECS_arm)
# wasm3 as its own build would be on a device: -Os, no WASI (no m3_api_* file linked), nothing else
# changed (its defaults: 32-bit slots, float ops, its checks).
FWB_WASM3_CFLAGS := -std=gnu11 -Os -ffunction-sections -fdata-sections -w -I$(FWB_WASM3_SRC)
FWB_WASM3_CORE := m3_bind m3_code m3_compile m3_core m3_emit m3_env m3_exec m3_function m3_info m3_module m3_parse
FWB_BOARD_OBJS := common heap mps2-an386
FWB_QEMU := $(FW_QEMU_arm) $(FW_QEMU_COMMON)

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

$(FWB_BUILD)/kernels.o: bench/fw/kernels.S $(FWB_BUILD)/fwbench_kernels.wasm
	$(FWB_CC) -I$(FWB_BUILD) -c -o $@ $<

$(FWB_BUILD)/board-%.o: firmware/%.c firmware/board.h firmware/heap.h
	@mkdir -p $(@D)
	$(FWB_CC) $(FW_CWARN) -c -o $@ $<

$(FWB_BUILD)/ours.o: bench/fw/ours.c bench/fw/measure.h firmware/board.h extism.h
	$(FWB_CC) $(FW_CWARN) -Ifirmware -c -o $@ $<

$(FWB_BUILD)/wasm3.o: bench/fw/wasm3.c bench/fw/measure.h firmware/board.h $(FWB_BUILD)/wasm3.stamp
	$(FWB_CC) $(FW_CWARN) -Ifirmware -I$(FWB_WASM3_SRC) -c -o $@ $<

$(FWB_BUILD)/m3_%.o: $(FWB_BUILD)/wasm3.stamp bench/fw/fwbench.mk
	$(FWB_CC) $(FWB_WASM3_CFLAGS) -c -o $@ $(FWB_WASM3_SRC)/m3_$*.c

$(FWB_BUILD)/libwasm3.a: $(addprefix $(FWB_BUILD)/,$(addsuffix .o,$(FWB_WASM3_CORE)))
	rm -f $@
	$(FW_CC_arm:gcc=ar) rcs $@ $^

FWB_LINK = $(FWB_CC) $(FW_LDEXTRA_arm) -nostartfiles -T firmware/mps2-an386.ld -Wl,--gc-sections \
  -Wl,-Map,$(basename $@).map -o $@ $(filter %.o %.a,$^) -lc -lm -lgcc

$(FWB_BUILD)/ours.elf: $(FWB_BUILD)/ours.o $(FWB_BUILD)/kernels.o $(addprefix $(FWB_BUILD)/board-,$(addsuffix .o,$(FWB_BOARD_OBJS))) \
  $(FW_LIB_arm) firmware/mps2-an386.ld
	$(FWB_LINK)

$(FWB_BUILD)/wasm3.elf: $(FWB_BUILD)/wasm3.o $(FWB_BUILD)/kernels.o $(addprefix $(FWB_BUILD)/board-,$(addsuffix .o,$(FWB_BOARD_OBJS))) \
  $(FWB_BUILD)/libwasm3.a firmware/mps2-an386.ld
	$(FWB_LINK)

# Both images' runs (every time: QEMU takes about a second each): their lines in <engine>.log,
# each exit status checked (0: every call gave the right result), then the report.
FWB_RUN = for e in ours wasm3; do \
	  timeout $(FW_TIMEOUT) $(FWB_QEMU) -kernel $(FWB_BUILD)/$$e.elf >$(FWB_BUILD)/$$e.log 2>&1 \
	  || { cat $(FWB_BUILD)/$$e.log; echo "firmware-bench: the $$e image failed (status $$?)"; exit 1; }; done
FWB_REPORT = $(PYTHON) bench/fw/report.py --build $(FWB_BUILD)
FWB_IMAGES := $(FWB_BUILD)/ours.elf $(FWB_BUILD)/wasm3.elf bench/fw/report.py

firmware-bench-smoke: $(FWB_IMAGES)
	@$(FWB_RUN)
	@$(FWB_REPORT) --smoke

firmware-bench: $(FWB_IMAGES)
	@$(FWB_RUN)
	$(FWB_REPORT) --results bench/RESULTS.md --svg bench/fw/firmware-bench.svg
