/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/smallvec-79280bde446d82f2.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libsmallvec-79280bde446d82f2.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/ctests/plugins/pdk/../../build/pdk-target/release/deps/libsmallvec-79280bde446d82f2.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs:
