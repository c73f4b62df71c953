/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/cf.wasm: /work/main/ctests/plugins/pdk/cf/src/lib.rs
