/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/extism_convert_macros-9d7afea5de2d638f.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-convert-macros-1.41.0/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libextism_convert_macros-9d7afea5de2d638f.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-convert-macros-1.41.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-convert-macros-1.41.0/src/lib.rs:
