// Empty: this package exists only so that cargo downloads extism-pdk (see Cargo.toml).
