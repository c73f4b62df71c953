# libextism on wasmi: build, run the example host, and test everything.
#
#   make            libextism.a and libextism.so (std build) in target/release/
#   make run        build the example C host and run it on a real PDK plugin
#   make test       every test: cargo tests, no_std proof, header drift check, C conformance suite
#   make nostd      the no_std static library (target/nostd/release/libextism.a) and its proof
#   make test-valgrind   the C suite under valgrind memcheck
#   make reference  the C suite against upstream's own libextism (from PyPI)

CARGO ?= cargo
CC ?= cc
LIBDIR := target/release
STATIC := $(LIBDIR)/libextism.a
SHARED := $(LIBDIR)/libextism.so
NOSTD_DIR := target/nostd
NOSTD_STATIC := $(NOSTD_DIR)/release/libextism.a
RUST_SRC := $(shell find src kernel/src -name '*.rs') Cargo.toml kernel/Cargo.toml
C_LIBS := -lpthread -ldl -lm

.PHONY: all run test cargo-test nostd header-check ctest test-valgrind reference clean examples

all: $(STATIC) $(SHARED)

$(STATIC) $(SHARED): $(RUST_SRC)
	$(CARGO) build --release -p extism-runtime-c
	@touch $(STATIC) $(SHARED)

# --- the main job: a C host loading a plugin and calling it -------------------------------------
examples/build/host: examples/host.c extism.h $(STATIC)
	@mkdir -p examples/build
	$(CC) -std=c99 -Wall -Wextra -Werror -O2 -I. -o $@ examples/host.c $(STATIC) $(C_LIBS)

run: examples/build/host
	$(MAKE) -s -C ctests plugins
	examples/build/host ctests/build/plugins/c1.wasm count_vowels "Hello, World!"

# --- tests ----------------------------------------------------------------------------------------
test: cargo-test nostd header-check ctest
	@echo "make test: all passed"

cargo-test:
	$(CARGO) test --workspace --release

nostd: $(NOSTD_STATIC)
	tools/check-nostd.sh $(NOSTD_STATIC)

# Our own #[panic_handler] lives in this build: any crate pulling std in fails it (duplicate lang item).
$(NOSTD_STATIC): $(RUST_SRC)
	$(CARGO) build --release -p extism-runtime-c --no-default-features --target-dir $(NOSTD_DIR)
	@touch $@

header-check: $(STATIC)
	tools/check-header.sh $(STATIC)

ctest: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC))

test-valgrind: $(STATIC)
	$(MAKE) -C ctests test LIB=$(abspath $(STATIC)) \
	  RUNNER="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$(abspath ctests/valgrind.supp)"

reference:
	$(MAKE) -C ctests reference

clean:
	$(CARGO) clean
	rm -rf examples/build ctests/build
