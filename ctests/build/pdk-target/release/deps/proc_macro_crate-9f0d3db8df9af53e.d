/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/proc_macro_crate-9f0d3db8df9af53e.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro-crate-3.5.0/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libproc_macro_crate-9f0d3db8df9af53e.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro-crate-3.5.0/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libproc_macro_crate-9f0d3db8df9af53e.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro-crate-3.5.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro-crate-3.5.0/src/lib.rs:
