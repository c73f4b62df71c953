# make firmware / make firmware-test (issue 19): the no_std library in a bare-metal C image, run
# under QEMU, for two boards. Included from the root Makefile; paths are from the root.
#
#   make firmware        firmware/build/<board>/firmware.elf for each board: libextism.a built with
#                        the no_std profile (cargo profile `firmware`: release at opt-level "z";
#                        FW_BUILD_VARS: 8 KiB of kernel memory per plugin, small call stack
#                        limits; the lean feature set FW_FEATURES of the root Makefile: no TOML
#                        manifests, no WASI, JSON through the small reader (`small-json`);
#                        FW_FEATURES_<board> below), our startup code and
#                        linker script, the plugins from firmware/plugin.c and http_plugin.c and the PDK plugins
#                        (below) embedded; the C library only for memcpy & co.
#   make firmware-test   runs each under QEMU with semihosting, checks its lines and exit status,
#                        and prints its flash/RAM figures, the PDK plugins' RAM table and the
#                        library's flash by crate, area and function (firmware/size-report.py;
#                        docs/firmware-images.md, Room in flash); docs/firmware.md is the porting guide
#   make firmware-test-arm, firmware-test-riscv   one board
#   make firmware-cmake-test   the arm image built with CMake and a toolchain file (firmware/cmake:
#                        the template for a firmware team's build), checked as firmware-test-arm
#
# Boards:  arm    QEMU mps2-an386 (Cortex-M4F), thumbv7em-none-eabihf, gcc-arm-none-eabi + newlib nano
#          riscv  QEMU virt (RV32IMAC), riscv32imac-unknown-none-elf, gcc-riscv64-unknown-elf + picolibc
# Debian packages: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc-riscv64-unknown-elf
# picolibc-riscv64-unknown-elf qemu-system-misc, and cmake for firmware-cmake-test (tools/setup.sh
# installs them, and the Rust targets).

FW_BOARDS := arm riscv
FW_BUILD := firmware/build
# The library's build variables for the images (config.rs reads them at compile time): 8 KiB of
# kernel memory per plugin (reserved up front without an OS; under a wasm page, so it never grows:
# the images' plugins keep a few hundred bytes there, their input, output, config values and vars on
# their way, and 8 KiB leaves them ten times that); the interpreter's call stack limits
# (extism_x_call_stack_bytes): 16 KiB of wasm values and 256 nested calls, plenty for small C
# plugins, so endless recursion stops within 54 KiB of heap. tools/check-baremetal.sh builds the
# same Cortex-M archive with them.
FW_BUILD_VARS := EXTISM_KERNEL_ARENA_BYTES=8192 EXTISM_MAX_VALUE_STACK_BYTES=16384 EXTISM_MAX_RECURSION_DEPTH=256
# Each board's cargo features: the lean set, and on the Cortex-M4 the engine built for flash
# (`small-engine`: wasmi's loop dispatch over its 16-bit IR, 37 KiB less there). The RV32 library
# has wasmi's loop dispatch already (Cargo.toml), and its 16-bit IR makes it larger there (docs/firmware-images.md).
FW_FEATURES_arm := $(FW_FEATURES) small-engine
FW_FEATURES_riscv := $(FW_FEATURES)
FW_WASM_CC ?= clang
# Seconds one QEMU run may take before the test fails (a run takes about a second).
FW_TIMEOUT ?= 120
FW_CWARN := -std=c11 -Os -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections -I.
# -icount shift=0: one guest instruction is one nanosecond of virtual time, so the board's timer
# (and every time the firmware prints) counts instructions, the same on every run and machine.
FW_QEMU_COMMON := -nographic -monitor none -serial none -semihosting-config enable=on,target=native \
  -icount shift=0,align=off,sleep=off

FW_TARGET_arm := thumbv7em-none-eabihf
FW_CC_arm ?= arm-none-eabi-gcc
FW_SIZE_arm ?= arm-none-eabi-size
FW_ARCH_arm := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
FW_SPECS_arm := --specs=nano.specs
FW_LDEXTRA_arm := -Wl,--no-warn-execstack
FW_SRC_arm := mps2-an386
FW_QEMU_arm ?= qemu-system-arm -M mps2-an386 -cpu cortex-m4

FW_TARGET_riscv := riscv32imac-unknown-none-elf
FW_CC_riscv ?= riscv64-unknown-elf-gcc
FW_SIZE_riscv ?= riscv64-unknown-elf-size
# -misa-spec=2.2: rv32imac with the CSR instructions in I, the spelling Debian's multilib matches.
FW_ARCH_riscv := -march=rv32imac -mabi=ilp32 -misa-spec=2.2 -mcmodel=medany
FW_SPECS_riscv := --specs=picolibc.specs
FW_LDEXTRA_riscv :=
FW_SRC_riscv := riscv-virt
FW_QEMU_riscv ?= qemu-system-riscv32 -M virt -bios none

# The plugin: one 64 KiB page of linear memory (8 KiB of it stack), no libc. The "big" one is the same
# code declaring 16 MiB, more than the boards have: the failure path of a plugin too large for the heap.
FW_WASM_COMMON := --target=wasm32-unknown-unknown -nostdlib -ffreestanding -Os -Wall -Wextra -Werror -Wl,--no-entry
FW_WASM_FLAGS := $(FW_WASM_COMMON) -Wl,-z,stack-size=8192

.PHONY: firmware firmware-test $(addprefix firmware-test-,$(FW_BOARDS))

firmware: $(foreach b,$(FW_BOARDS),$(FW_BUILD)/$(b)/firmware.elf)
firmware-test: $(addprefix firmware-test-,$(FW_BOARDS))

$(FW_BUILD)/plugin.wasm: firmware/plugin.c firmware/firmware.mk
	@mkdir -p $(@D)
	$(FW_WASM_CC) $(FW_WASM_FLAGS) -Wl,--initial-memory=65536 -o $@ $<

# The HTTP step's plugin (firmware/http_plugin.c): no linear memory, as pdk_c below.
$(FW_BUILD)/http_plugin.wasm: firmware/http_plugin.c firmware/firmware.mk
	@mkdir -p $(@D)
	$(FW_WASM_CC) $(FW_WASM_COMMON) -Wl,-z,stack-size=0 -Wl,--global-base=0 -o $@ $<

$(FW_BUILD)/plugin_big.wasm: firmware/plugin.c
	@mkdir -p $(@D)
	$(FW_WASM_CC) $(FW_WASM_FLAGS) -Wl,--initial-memory=16777216 -Wl,--max-memory=16777216 -o $@ $<

# The PDK plugins (firmware/pdk_plugins.c: count_vowels with a config key and a var, built for a small
# memory; docs/firmware.md explains each flag):
#   pdk_rust  ctests/plugins/pdk/c1 (Rust, official extism-pdk crate), as the package c1_fw of the
#             suite's PDK workspace (c1's source with a heap inside its page), in the suite's target
#             dir (its dependencies are built once for both); -zstack-size=16384: a 16 KiB shadow
#             stack, so the module declares one page instead of 17 (1 MiB of stack); the shadow
#             stack pointer and the table exported, so that every item a saved state carries is
#             exported and the library compiles the module as given (else it adds exports of its
#             own, on a copy of the module: its size in RAM for the time of the compile); then
#             wasm-opt -Oz (FW_WASM_OPT below).
#   pdk_as    firmware/pdk/count_vowels.ts (AssemblyScript, official @extism/as-pdk), compiled by the
#             suite's npm install of the pinned versions; one page initially; the default runtime
#             (incremental GC) with its GC shadow stack cut from 32 KiB to 4 KiB.
#   pdk_c     firmware/pdk/count_vowels.c on our PDK header firmware/pdk/extism-pdk.h, written to
#             keep its bytes in kernel memory: no stack, no data, so a memory of 0 pages (a page is
#             64 KiB of RAM; the image checks the plugin has no linear memory).
# (The commands use paths relative to the directory they run in, so that docs/firmware.md can show
# them as make prints them.)
FW_PDK_DIR := ctests/plugins/pdk
FW_PDK_TARGET := ctests/build/pdk-target
FW_AS_DIR := ctests/build/as
FW_RUST_PLUGIN_FLAGS := -C link-arg=-zstack-size=16384 -C link-arg=--export=__stack_pointer -C link-arg=--export-table
# Binaryen's optimiser, from the suite's npm install (AssemblyScript's compiler depends on it), run on
# the Rust plugin at -Oz: 15% less wasm, and the engine's module keeps every function body. The
# features are the ones rustc's wasm32 code uses (binaryen assumes none unless told).
FW_WASM_OPT := $(FW_AS_DIR)/node_modules/.bin/wasm-opt
FW_WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals
FW_AS_FLAGS := --optimize --initialMemory 1 --stackSize 4096
FW_PDK_PLUGINS := $(addprefix $(FW_BUILD)/,pdk_rust.wasm pdk_as.wasm pdk_c.wasm pdk_rust.state)

# The Rust PDK plugin's state after one call, saved by the host build (x86-64, the host's
# libextism.a: firmware/save-state.c) and embedded like the plugins: the images restore it
# (pdk_plugins.c, saved_state_step) and go on as if it had never been saved. tools/read-state.py,
# a reader written from docs/state-format.md alone, checks it (frame, records, modules hash).
$(FW_BUILD)/save-state: firmware/save-state.c extism.h $(STATIC)
	@mkdir -p $(@D)
	$(CC) -O1 -Wall -Wextra -Werror -I. -o $@ $< $(STATIC) -lpthread -ldl -lm

$(FW_BUILD)/pdk_rust.state: $(FW_BUILD)/save-state $(FW_BUILD)/pdk_rust.wasm tools/read-state.py
	$(FW_BUILD)/save-state $(FW_BUILD)/pdk_rust.wasm $@.tmp
	$(PYTHON) tools/read-state.py --module main=$(FW_BUILD)/pdk_rust.wasm $@.tmp
	mv $@.tmp $@

$(FW_BUILD)/pdk_rust.wasm: $(FW_PDK_DIR)/c1/src/lib.rs $(FW_PDK_DIR)/c1_fw/src/lib.rs $(FW_PDK_DIR)/c1_fw/Cargo.toml \
  $(FW_PDK_DIR)/Cargo.toml $(FW_PDK_DIR)/Cargo.lock $(FW_AS_DIR)/npm.stamp firmware/firmware.mk
	@mkdir -p $(@D)
	cd $(FW_PDK_DIR) && $(CARGO) rustc --release --target wasm32-unknown-unknown -p c1_fw \
	  --target-dir ../../build/pdk-target -- $(FW_RUST_PLUGIN_FLAGS)
	$(FW_WASM_OPT) $(FW_WASM_OPT_FLAGS) -o $@ $(FW_PDK_TARGET)/wasm32-unknown-unknown/release/c1_fw.wasm

$(FW_AS_DIR)/npm.stamp: ctests/plugins/as/package.json ctests/plugins/as/package-lock.json
	$(MAKE) -C ctests build/as/npm.stamp

$(FW_BUILD)/pdk_as.wasm: firmware/pdk/count_vowels.ts $(FW_AS_DIR)/npm.stamp firmware/firmware.mk
	@mkdir -p $(@D)
	cp $< $(FW_AS_DIR)/fw_count_vowels.ts
	cd $(FW_AS_DIR) && node_modules/.bin/asc fw_count_vowels.ts --outFile ../../../$@ \
	  --use abort=fw_count_vowels/myAbort $(FW_AS_FLAGS)

$(FW_BUILD)/pdk_c.wasm: firmware/pdk/count_vowels.c firmware/pdk/extism-pdk.h firmware/firmware.mk
	@mkdir -p $(@D)
	$(FW_WASM_CC) $(FW_WASM_COMMON) -Wl,-z,stack-size=0 -Wl,--global-base=0 -o $@ $<

# One board's library, objects, image and test ($(1): the board's name).
define FW_BOARD_RULES
FW_LIB_$(1) := $(NOSTD_DIR)/$(FW_TARGET_$(1))/firmware/libextism.a
FW_OBJS_$(1) := $(addprefix $(FW_BUILD)/$(1)/,common.o heap.o http_table.o main.o pdk_plugins.o report.o $(FW_SRC_$(1)).o plugins.o)

# staticlib only (see the nostd rule); FW_BUILD_VARS are read at compile time (config.rs).
$$(FW_LIB_$(1)): $(RUST_SRC) firmware/firmware.mk
	$(FW_BUILD_VARS) $(CARGO) rustc --profile firmware -q -p extism-runtime-c \
	  --lib --crate-type staticlib --no-default-features $(call cargo_features,$(FW_FEATURES_$(1))) \
	  --target $(FW_TARGET_$(1)) --target-dir $(NOSTD_DIR)
	@touch $$@

$(FW_BUILD)/$(1)/%.o: firmware/%.c firmware/board.h firmware/heap.h firmware/report.h firmware/pdk_plugins.h \
  firmware/http_table.h extism.h
	@mkdir -p $$(@D)
	$(FW_CC_$(1)) $(FW_ARCH_$(1)) $(FW_SPECS_$(1)) $(FW_CWARN) -c -o $$@ $$<

$(FW_BUILD)/$(1)/plugins.o: firmware/plugins.S $(FW_BUILD)/plugin.wasm $(FW_BUILD)/plugin_big.wasm $(FW_PDK_PLUGINS) \
  $(FW_BUILD)/http_plugin.wasm
	@mkdir -p $$(@D)
	$(FW_CC_$(1)) $(FW_ARCH_$(1)) -I$(FW_BUILD) -c -o $$@ $$<

$(FW_BUILD)/$(1)/firmware.elf: $$(FW_OBJS_$(1)) $$(FW_LIB_$(1)) firmware/$(FW_SRC_$(1)).ld
	$(FW_CC_$(1)) $(FW_ARCH_$(1)) $(FW_SPECS_$(1)) $(FW_LDEXTRA_$(1)) -nostartfiles -T firmware/$(FW_SRC_$(1)).ld \
	  -Wl,--gc-sections -Wl,-Map,$(FW_BUILD)/$(1)/firmware.map -o $$@ $$(FW_OBJS_$(1)) $$(FW_LIB_$(1)) -lc -lgcc
	$(FW_SIZE_$(1)) $$@

# Every line that matters is checked (grep -x: whole lines), then the exit status the firmware gave
# QEMU through semihosting (0 only if every step gave the expected result): firmware/qemu-check.sh.
firmware-test-$(1): $(FW_BUILD)/$(1)/firmware.elf firmware/expected-lines.txt firmware/size-report.py firmware/qemu-check.sh \
  $(FW_BUILD)/save-state
	@rm -f $(FW_BUILD)/$(1)/board.state
	@FW_TIMEOUT=$(FW_TIMEOUT) firmware/qemu-check.sh $(1) firmware-test-$(1) $(FW_BUILD)/$(1)/run.log \
	  firmware/expected-lines.txt $(FW_QEMU_$(1)) $(FW_QEMU_COMMON) -kernel $$<
	$(PYTHON) tools/read-state.py --module main=$(FW_BUILD)/pdk_rust.wasm $(FW_BUILD)/$(1)/board.state > /dev/null
	$(FW_BUILD)/save-state --restore $(FW_BUILD)/pdk_rust.wasm $(FW_BUILD)/$(1)/board.state
	$(PYTHON) firmware/size-report.py $(1) $(FW_BUILD)/$(1)/firmware.map $(FW_BUILD)/$(1)/run.log
	@echo "firmware-test-$(1): passed"
endef

$(foreach b,$(FW_BOARDS),$(eval $(call FW_BOARD_RULES,$(b))))

# make firmware-cmake-test (issue 30): the arm image built with CMake (firmware/cmake: the template for
# a firmware team's CMake build, and its toolchain file) from make's library and plugins, compared
# with make's image and run under QEMU with the same checks (tools/cmake-firmware-test.sh). Part of
# make firmware-test: it reuses what the arm board built (about 3 s: configure, 7 objects, one run).
.PHONY: firmware-cmake-test
firmware-test: firmware-cmake-test
firmware-cmake-test: $(FW_LIB_arm) $(FW_BUILD)/plugin.wasm $(FW_BUILD)/plugin_big.wasm $(FW_PDK_PLUGINS) \
  $(FW_BUILD)/http_plugin.wasm \
  $(FW_BUILD)/arm/firmware.elf firmware/expected-lines.txt firmware/qemu-check.sh
	FW_QEMU="$(FW_QEMU_arm) $(FW_QEMU_COMMON)" FW_TIMEOUT=$(FW_TIMEOUT) FW_SIZE=$(FW_SIZE_arm) \
	  tools/cmake-firmware-test.sh

# The third image, on FreeRTOS (issue 24): its own rules, reusing the arm board's.
include firmware/rtos/rtos.mk
