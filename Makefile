# creditref - GNU make + pkg-config.
#
#   make          build build/release/creditref
#   make run      install what is missing, build, run the demo (README.md)
#   make test     install what is missing, build, run every test, also under ASan+UBSan
#   make soak     serve under a mixed load at 80% of its measured peak for 30
#                 minutes, minute by minute: errors, memory, open files, latency
#                 (bench/soak.sh; SOAK_MINUTES=N)
#   make crashtest  kill -9 trials of serve under write load and of ingest
#                 (tests/crash/run.sh; TRIALS=N, default 1000): see there how
#                 long they take
#   make bench    benchmarks against peers, SQLite and nginx, and event latency
#                 (bench/README.md); not part of make test
#   make bench-scale  the same measures on stores of 40,000, 1M and 10M people
#                 (bench/scale.sh; optional, about 45 minutes, 30 GB free disk)
#   make bench-features  the score's features for every person of a 40,000-person
#                 store, next to one sequential read of it (bench/features.sh)
#   make fuzz     build the libFuzzer targets with clang and run each briefly
#   make model    fit the default scorecard, models/default.scorecard, on
#                 generated data (scripts/model.sh; reproducible)
#
# Two build variants share these rules: BUILD=build/release (optimised) and
# BUILD=build/asan (AddressSanitizer + UndefinedBehaviorSanitizer).

BUILD   ?= build/release
SAN     ?= 0
CC      ?= cc
PKGS    := rocksdb libsodium jansson libmicrohttpd libcurl
CSTD    := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
INCS    := $(addprefix -iquote ,$(wildcard src/*))
# The optimised build allocates with jemalloc: under the server's mixed load
# glibc's per-thread arenas kept a quarter more memory after six minutes and
# went on growing, jemalloc 7% (bench/README.md, "Soak").  The sanitizer
# build keeps the C library's allocator, which AddressSanitizer replaces.
ifeq ($(SAN),1)
  OPT   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  MALLOC_LIB :=
else
  OPT   := -O2 -g
  MALLOC_LIB := -ljemalloc
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lrocksdb -lsodium -ljansson -lmicrohttpd -lcurl)
CFLAGS_ALL  = $(CSTD) $(WARN) $(OPT) $(INCS) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)
LIBS        = $(PKG_LIBS) $(MALLOC_LIB) -lm -lpthread

LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/openapi_json.o $(BUILD)/gen/default_model.o \
            $(BUILD)/gen/console_assets.o
# The web console (web/, docs/console.md) and its chart library, Debian's
# libjs-chart.js, are compiled into the server (src/server/console.h).
CHARTJS  := /usr/share/javascript/chart.js/chart.min.js
CONSOLE  := web/index.html web/console.css $(sort $(wildcard web/*.js)) $(CHARTJS)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)

.PHONY: all deps run test unit e2e browser check-src bench bench-features bench-scale fuzz crashtest soak clean asan
.DEFAULT_GOAL := all

all: $(BUILD)/creditref

deps:
	@bash scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The OpenAPI document is compiled into the server (GET /v1/openapi.json).
$(BUILD)/gen/openapi_json.c: docs/openapi.json scripts/embed.py
	@mkdir -p $(dir $@)
	@python3 scripts/embed.py $< cr_openapi_json > $@

$(BUILD)/gen/openapi_json.o: $(BUILD)/gen/openapi_json.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

# The bureau's default scorecard is compiled in as well (src/score/scorer.h);
# make model fits it again on generated data (scripts/model.sh).
$(BUILD)/gen/default_model.c: models/default.scorecard scripts/embed.py
	@mkdir -p $(dir $@)
	@python3 scripts/embed.py $< cr_default_model > $@

$(BUILD)/gen/default_model.o: $(BUILD)/gen/default_model.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/gen/console_assets.c: $(CONSOLE) scripts/embed.py
	@mkdir -p $(dir $@)
	@python3 scripts/embed.py --assets cr_console_assets $(CONSOLE) > $@

$(BUILD)/gen/console_assets.o: $(BUILD)/gen/console_assets.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libcreditref.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/creditref: $(CLI_OBJ) $(BUILD)/libcreditref.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libcreditref.a $(LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libcreditref.a
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $<"
	@$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libcreditref.a $(LIBS) -lcmocka

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

e2e: $(BUILD)/creditref
	@CREDITREF=$(abspath $(BUILD)/creditref) bash tests/e2e/run.sh

# The web console in headless Chromium (tests/browser/); Debian's python3,
# which has python3-selenium, even where another python3 comes first on PATH.
DEB_PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)
browser: $(BUILD)/creditref
	@CREDITREF=$(abspath $(BUILD)/creditref) $(DEB_PYTHON) tests/browser/test_console.py

check-src:
	@bash scripts/checksrc.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit e2e

run: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh $(BUILD)/creditref

test: deps
	@$(MAKE) --no-print-directory check-src
	@$(MAKE) --no-print-directory all unit e2e browser
	@echo "== fuzz smoke: every libFuzzer target for a few seconds (make fuzz runs longer)"
	@FUZZ_SECONDS=$(or $(FUZZ_SMOKE_SECONDS),3) bash fuzz/run.sh
	@echo "== the same suites under AddressSanitizer and UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory asan

bench: deps
	@bash scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh $(BUILD)/creditref
	@bash bench/http.sh $(BUILD)/creditref
	@bash bench/latency.sh $(BUILD)/creditref
	@BENCH_FEATURES_PEOPLE=1000000 BENCH_FEATURES_ROUNDS=1 bash bench/features.sh $(BUILD)/creditref

bench-features: deps
	@$(MAKE) --no-print-directory all
	@bash bench/features.sh $(BUILD)/creditref

bench-scale: deps
	@bash scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all
	@CREDITREF=$(abspath $(BUILD)/creditref) bash bench/scale.sh

fuzz:
	@bash fuzz/run.sh

soak: deps
	@bash scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all
	@bash bench/soak.sh $(BUILD)/creditref

crashtest: deps
	@$(MAKE) --no-print-directory all
	@bash tests/crash/run.sh $(BUILD)/creditref $(or $(TRIALS),1000)

model: $(BUILD)/creditref
	@bash scripts/model.sh $(BUILD)/creditref models/default.scorecard

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
