/* Step 8 of the firmware: plugins built with the real PDKs (pdk_plugins.c). */
#ifndef FIRMWARE_PDK_PLUGINS_H
#define FIRMWARE_PDK_PLUGINS_H

/* Runs each PDK plugin (Rust extism-pdk, AssemblyScript @extism/as-pdk, C on firmware/pdk/extism-pdk.h),
 * checks its output, prints its RAM budget ("pdk-budget: ..." lines, size-report.py's table), and
 * runs it again inside a heap cut to its RAM goal (or to what it was measured to need, when that is
 * over the goal). Call with no plugin alive. */
void pdk_plugins_step(void);

/* Step 9: a state of the Rust PDK plugin saved by the host build (firmware/save-state.c, embedded in
 * flash) restored on the board and called: it goes on as if never saved; then saved on the board,
 * freed, restored from that and called again. Call with no plugin alive. */
void saved_state_step(void);

#endif
