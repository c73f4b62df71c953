/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/extism_manifest-2afdc3aaadb704e0.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-manifest-1.41.0/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/libextism_manifest-2afdc3aaadb704e0.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-manifest-1.41.0/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/wasm32-unknown-unknown/release/deps/libextism_manifest-2afdc3aaadb704e0.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-manifest-1.41.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-manifest-1.41.0/src/lib.rs:
