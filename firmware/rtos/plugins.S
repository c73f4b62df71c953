/* The RTOS image's plugins, in flash: firmware/plugin.c's plugin and hold_plugin.c (built by
 * firmware/rtos/rtos.mk into the directory given to the assembler with -I). */
    .section .rodata.plugins, "a"
    .balign 8
    .global plugin_wasm, plugin_wasm_end
plugin_wasm:
    .incbin "plugin.wasm"
plugin_wasm_end:
    .balign 8
    .global hold_wasm, hold_wasm_end
hold_wasm:
    .incbin "hold_plugin.wasm"
hold_wasm_end:
