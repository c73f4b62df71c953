/* The plugins, compiled into the image's read-only data (flash). Built by firmware/firmware.mk
 * (clang, cargo, asc) into the directory given to the assembler with -I. */
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
    .balign 8
    .global pdk_rust_wasm, pdk_rust_wasm_end
pdk_rust_wasm:
    .incbin "pdk_rust.wasm"
pdk_rust_wasm_end:
    .balign 8
    .global pdk_as_wasm, pdk_as_wasm_end
pdk_as_wasm:
    .incbin "pdk_as.wasm"
pdk_as_wasm_end:
    .balign 8
    .global pdk_c_wasm, pdk_c_wasm_end
pdk_c_wasm:
    .incbin "pdk_c.wasm"
pdk_c_wasm_end:
    .balign 8
    .global http_plugin_wasm, http_plugin_wasm_end
http_plugin_wasm:
    .incbin "http_plugin.wasm"
http_plugin_wasm_end:
    .balign 8
    .global pdk_rust_state, pdk_rust_state_end
pdk_rust_state:
    .incbin "pdk_rust.state"
pdk_rust_state_end:
