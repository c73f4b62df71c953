# make firmware-test-rtos (issue 24): the arm image's library under FreeRTOS, on QEMU's mps2-an386
# (Cortex-M4F). Included from firmware/firmware.mk (after the boards' rules: it reuses the arm
# library, board code and plugin); paths are from the root.
#
#   firmware/build/rtos/firmware.elf   firmware/rtos/main.c (tasks at several priorities, see its
#                                      header), the board's mps2-an386.c and common.c, the kernel
#   make firmware-test-rtos            runs it under QEMU (seconds), checks the lines of
#                                      firmware/rtos/expected-lines.txt and the exit status; then
#                                      firmware-spin.elf, the same built without the lock hook,
#                                      whose lock case must deadlock (expected-lines-spin.txt)
#
# The kernel: FreeRTOS-Kernel V11.2.0 from the crates.io crate freertos-next (pinned by
# firmware/rtos/kernel/Cargo.lock). `cargo fetch` unpacks it into cargo's registry, `cargo metadata`
# names the directory, and the kernel's C files are compiled here with arm-none-eabi-gcc: tasks,
# queues (mutexes), lists, the GCC/ARM_CM4F port and the heap_5 allocator.

RTOS_BUILD := $(FW_BUILD)/rtos
RTOS_KERNEL_MANIFEST := firmware/rtos/kernel/Cargo.toml
RTOS_KERNEL_FILES := tasks.c queue.c list.c portable/GCC/ARM_CM4F/port.c portable/MemMang/heap_5.c
FW_AR_arm ?= arm-none-eabi-ar
# The kernel's own code: its warnings are not ours to fix (no -Werror).
RTOS_KERNEL_CFLAGS := -std=gnu11 -Os -g -ffunction-sections -fdata-sections -Ifirmware/rtos

.PHONY: firmware-test-rtos
firmware: $(RTOS_BUILD)/firmware.elf
firmware-test: firmware-test-rtos

# The directory of the kernel sources in cargo's registry (one line).
$(RTOS_BUILD)/kernel-dir: $(RTOS_KERNEL_MANIFEST) firmware/rtos/kernel/Cargo.lock
	@mkdir -p $(@D)
	$(CARGO) fetch --locked --manifest-path $(RTOS_KERNEL_MANIFEST)
	$(CARGO) metadata --locked --offline --format-version 1 --manifest-path $(RTOS_KERNEL_MANIFEST) \
	  | $(PYTHON) -c 'import json, os, sys; print(next(os.path.dirname(p["manifest_path"]) + "/FreeRTOS-Kernel" for p in json.load(sys.stdin)["packages"] if p["name"] == "freertos-next"))' >$@.tmp
	@test -f "$$(cat $@.tmp)/include/task.h" || { echo "no FreeRTOS kernel in $$(cat $@.tmp)"; exit 1; }
	@mv $@.tmp $@

$(RTOS_BUILD)/libfreertos.a: $(RTOS_BUILD)/kernel-dir firmware/rtos/FreeRTOSConfig.h firmware/rtos/rtos.mk
	@k=$$(cat $<); rm -f $@; objs=; \
	for f in $(RTOS_KERNEL_FILES); do \
	  o=$(RTOS_BUILD)/kernel/$$(basename $$f .c).o; mkdir -p $(RTOS_BUILD)/kernel; \
	  echo "  CC $$f"; \
	  $(FW_CC_arm) $(FW_ARCH_arm) $(FW_SPECS_arm) $(RTOS_KERNEL_CFLAGS) -I$$k/include -I$$k/portable/GCC/ARM_CM4F \
	    -c -o $$o $$k/$$f || exit 1; \
	  objs="$$objs $$o"; \
	done; \
	$(FW_AR_arm) rcs $@ $$objs

# main.o, and main-spin.o: the same without the lock hook (the deadlock it prevents).
$(RTOS_BUILD)/main.o $(RTOS_BUILD)/main-spin.o: firmware/rtos/main.c firmware/rtos/FreeRTOSConfig.h firmware/board.h \
  extism.h $(RTOS_BUILD)/kernel-dir
	@mkdir -p $(@D)
	k=$$(cat $(RTOS_BUILD)/kernel-dir); \
	$(FW_CC_arm) $(FW_ARCH_arm) $(FW_SPECS_arm) $(FW_CWARN) -Ifirmware -Ifirmware/rtos -I$$k/include \
	  -I$$k/portable/GCC/ARM_CM4F $(if $(findstring spin,$@),-DRTOS_SPIN_LOCKS) -c -o $@ $<

$(RTOS_BUILD)/hold_plugin.wasm: firmware/rtos/hold_plugin.c firmware/firmware.mk
	@mkdir -p $(@D)
	$(FW_WASM_CC) $(FW_WASM_FLAGS) -Wl,--initial-memory=65536 -o $@ $<

$(RTOS_BUILD)/plugins.o: firmware/rtos/plugins.S $(FW_BUILD)/plugin.wasm $(RTOS_BUILD)/hold_plugin.wasm
	@mkdir -p $(@D)
	$(FW_CC_arm) $(FW_ARCH_arm) -I$(FW_BUILD) -I$(RTOS_BUILD) -c -o $@ $<

RTOS_OBJS := $(RTOS_BUILD)/plugins.o $(FW_BUILD)/arm/common.o $(FW_BUILD)/arm/mps2-an386.o

$(RTOS_BUILD)/firmware.elf $(RTOS_BUILD)/firmware-spin.elf: $(RTOS_BUILD)/firmware%.elf: $(RTOS_BUILD)/main%.o \
  $(RTOS_OBJS) $(RTOS_BUILD)/libfreertos.a $(FW_LIB_arm) firmware/mps2-an386.ld
	$(FW_CC_arm) $(FW_ARCH_arm) $(FW_SPECS_arm) $(FW_LDEXTRA_arm) -nostartfiles -T firmware/mps2-an386.ld \
	  -Wl,--gc-sections -Wl,-Map,$(@:.elf=.map) -o $@ $< $(RTOS_OBJS) $(RTOS_BUILD)/libfreertos.a \
	  $(FW_LIB_arm) -lc -lgcc
	$(FW_SIZE_arm) $@

# One run under QEMU, checked as the boards' tests are (firmware/qemu-check.sh): every expected line
# (grep -x), no FAIL/fault/abort line, exit status 0. $(1): the image, $(2): its expected lines,
# $(3): the prefix of its printed lines.
define RTOS_RUN
	@FW_TIMEOUT=$(FW_TIMEOUT) firmware/qemu-check.sh $(3) "firmware-test-rtos: $(3)" $(basename $(1)).log $(2) \
	  $(FW_QEMU_arm) $(FW_QEMU_COMMON) -kernel $(1)
endef

# The image, then the same without the lock hook, which must deadlock (and say so).
firmware-test-rtos: $(RTOS_BUILD)/firmware.elf $(RTOS_BUILD)/firmware-spin.elf firmware/rtos/expected-lines.txt \
  firmware/rtos/expected-lines-spin.txt firmware/qemu-check.sh
	$(call RTOS_RUN,$(RTOS_BUILD)/firmware.elf,firmware/rtos/expected-lines.txt,rtos)
	$(call RTOS_RUN,$(RTOS_BUILD)/firmware-spin.elf,firmware/rtos/expected-lines-spin.txt,rtos-spin)
	@echo "firmware-test-rtos: passed"
