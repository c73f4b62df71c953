/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/c1.wasm: /work/main/ctests/plugins/pdk/c1/src/lib.rs
