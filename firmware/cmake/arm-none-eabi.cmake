# CMake toolchain file for a Cortex-M4F with the Arm GNU toolchain (arm-none-eabi-gcc, newlib nano):
# the CPU of make firmware-test's arm image (QEMU's mps2-an386), the target the no_std libextism.a is
# built for (thumbv7em-none-eabihf: hard-float ABI, so these flags must match it).
#
#   cmake -S firmware/cmake -B build -DCMAKE_TOOLCHAIN_FILE="$PWD/firmware/cmake/arm-none-eabi.cmake" ...
#
# Another Cortex-M: change the CPU flags and the Rust target together (a Cortex-M7F with double
# precision: -mcpu=cortex-m7 -mfpu=fpv5-d16, still thumbv7em-none-eabihf; docs/firmware.md, section 1
# lists which cores the engine supports).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(EXTISM_FW_TOOLCHAIN_PREFIX arm-none-eabi- CACHE STRING "prefix of the cross tools (gcc, ar, objcopy, size)")
set(CMAKE_C_COMPILER ${EXTISM_FW_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_ASM_COMPILER ${EXTISM_FW_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_AR ${EXTISM_FW_TOOLCHAIN_PREFIX}ar CACHE FILEPATH "archiver")
set(CMAKE_OBJCOPY ${EXTISM_FW_TOOLCHAIN_PREFIX}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE ${EXTISM_FW_TOOLCHAIN_PREFIX}size CACHE FILEPATH "size")

# The CPU flags of firmware/firmware.mk (FW_ARCH_arm) for C, assembler and link; newlib nano
# (FW_SPECS_arm) for C and link: it also picks nano's headers, so compile with it too.
set(EXTISM_FW_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${EXTISM_FW_CPU_FLAGS} --specs=nano.specs")
set(CMAKE_ASM_FLAGS_INIT "${EXTISM_FW_CPU_FLAGS}")

# No program can run on the build machine, so CMake's compiler checks build a static library
# instead of linking an executable (which would need our startup code and linker script).
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Nothing of the build machine: headers, libraries and packages only from the toolchain's sysroot
# (or CMAKE_FIND_ROOT_PATH); programs (cmake, python) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
