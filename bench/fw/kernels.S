/* The benchmark's wasm module in the image's read-only data (flash), as firmware/plugins.S does. */
    .section .rodata.kernels, "a"
    .balign 8
    .global kernels_wasm, kernels_wasm_end
kernels_wasm:
    .incbin "fwbench_kernels.wasm"
kernels_wasm_end:
