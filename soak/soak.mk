# The soak (issue 31), included from the root Makefile:
#
#   make soak            SOAK_THREADS (8) threads for SOAK_MINUTES (60) creating plugins from bytes and
#                        from a compiled plugin, calling, resetting, cancelling at random and freeing
#                        (soak/soak.c), the resident set sampled every SOAK_SAMPLE (10) seconds;
#                        soak/plot.py draws bench/soak.svg and fails if the resident set grew beyond
#                        noise after warm-up. SOAK_REF=1 also runs it on upstream's library (drawn
#                        alongside, not judged). Not part of make test.
#   make soak-smoke      the same for 8 seconds, every result checked, flatness not judged (too short):
#                        part of make test
#
# The program uses upstream's API only: SOAK_LIB (default: our static library) may be upstream's .so.

SOAK_BUILD := soak/build
SOAK_MINUTES ?= 60
SOAK_THREADS ?= 8
SOAK_SAMPLE ?= 10
SOAK_LIB ?= $(STATIC)
SOAK_PLUGINS := ctests/build/plugins
SOAK_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -pthread -I.

# $(1): the binary, $(2): the library to link.
define SOAK_LINK
	@mkdir -p $(SOAK_BUILD)
	$(CC) $(SOAK_CFLAGS) -o $(1) soak/soak.c $(if $(filter %.a,$(2)),$(2) -lpthread -ldl -lm,$(2) -Wl,-rpath,$(dir $(2)))
endef

$(SOAK_BUILD)/soak: soak/soak.c extism.h $(SOAK_LIB)
	$(call SOAK_LINK,$@,$(SOAK_LIB))

.PHONY: soak soak-smoke soak-plugins
soak-plugins:
	$(MAKE) -s -C ctests plugins

soak: $(SOAK_BUILD)/soak soak-plugins
	$(SOAK_BUILD)/soak $(SOAK_PLUGINS) $$(( $(SOAK_MINUTES) * 60 )) $(SOAK_THREADS) $(SOAK_SAMPLE) $(SOAK_BUILD)/soak.tsv
	@if [ -n "$(SOAK_REF)" ]; then \
	  ref=$$($(REF_SCRIPT) 2>$(SOAK_BUILD)/reference.log) || { cat $(SOAK_BUILD)/reference.log; exit 1; }; \
	  $(CC) $(SOAK_CFLAGS) -o $(SOAK_BUILD)/soak-ref soak/soak.c "$$ref" -Wl,-rpath,"$$(dirname "$$ref")" && \
	  $(SOAK_BUILD)/soak-ref $(SOAK_PLUGINS) $$(( $(SOAK_MINUTES) * 60 )) $(SOAK_THREADS) $(SOAK_SAMPLE) \
	    $(SOAK_BUILD)/soak-ref.tsv || echo "soak: upstream's run failed (above)"; fi
	$(PYTHON) soak/plot.py --check $(SOAK_BUILD)/soak.tsv bench/soak.svg $(if $(SOAK_REF),$(SOAK_BUILD)/soak-ref.tsv)

soak-smoke: $(SOAK_BUILD)/soak soak-plugins
	$(SOAK_BUILD)/soak $(SOAK_PLUGINS) 8 8 1 $(SOAK_BUILD)/smoke.tsv
	$(PYTHON) soak/plot.py $(SOAK_BUILD)/smoke.tsv $(SOAK_BUILD)/smoke.svg
