/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/cf.d: cf/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/cf.wasm: cf/src/lib.rs

cf/src/lib.rs:
