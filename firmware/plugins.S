/* The plugins, compiled into the image's read-only data (flash). Built by firmware/firmware.mk
 * (clang, wasm32) into the directory given to the assembler with -I. */
    .section .rodata.plugins, "a"
    .balign 8
    .global plugin_wasm, plugin_wasm_end
plugin_wasm:
    .incbin "plugin.wasm"
plugin_wasm_end:
    .balign 8
    .global plugin_big_wasm, plugin_big_wasm_end
plugin_big_wasm:
    .incbin "plugin_big.wasm"
plugin_big_wasm_end:
