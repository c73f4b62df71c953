/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/manyhow_macros-7cc857cfb225340f.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/manyhow-macros-0.11.4/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libmanyhow_macros-7cc857cfb225340f.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/manyhow-macros-0.11.4/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/manyhow-macros-0.11.4/src/lib.rs:
