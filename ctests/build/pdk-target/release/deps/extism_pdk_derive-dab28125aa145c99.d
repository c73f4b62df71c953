/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/extism_pdk_derive-dab28125aa145c99.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-pdk-derive-1.4.1/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libextism_pdk_derive-dab28125aa145c99.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-pdk-derive-1.4.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/extism-pdk-derive-1.4.1/src/lib.rs:
