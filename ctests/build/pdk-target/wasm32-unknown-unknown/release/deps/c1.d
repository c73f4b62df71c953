/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/c1.d: c1/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/c1.wasm: c1/src/lib.rs

c1/src/lib.rs:
