# gdl: genomics deep learning in C.  make | make test | make demo | make install PREFIX=DIR
# Benchmarks: make bench | bench-torch | bench-plink | bench-genotype [BENCH_MODE=quick|full] | bench-eval
# Checks: make check-deps (the folders' one-way includes, docs/architecture.md) | make lint
# Variables you may override: CC CFLAGS LDFLAGS PKG_CONFIG PREFIX SANITIZE=1 (ASan + UBSan build)
# Fuzzing: make fuzz runs every libFuzzer target of tests/fuzz/ for FUZZ_S seconds [60] each
# (clang, FUZZ_CC; built in build/fuzz with ASan + UBSan; grown corpora kept in build/fuzz/corpus)

CC         ?= cc
CFLAGS     ?= -O2 -g
LDFLAGS    ?=
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
PYTHON     ?= /usr/bin/python3

PKGS       := htslib openblas zlib libcjson
BUILD_DEBS := libhts-dev libopenblas-dev libcjson-dev zlib1g-dev pkg-config
TEST_DEBS  := python3-numpy python3-sklearn bcftools tabix

ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
GDL   := $(BUILD)/gdl
else
BUILD := build/release
SAN   :=
GDL   := gdl
endif

# pkg-config runs once, and only after the deps check has had a chance to install packages
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell $(PKG_CONFIG) --libs $(PKGS)))$(PKG_LIBS)

ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -fno-math-errno -fno-trapping-math -Wall -Wextra -Iinclude -MMD -MP $(PKG_CFLAGS) $(SAN) $(CFLAGS)
ALL_LIBS   = $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libgdl.a
STAMP    := build/.deps-build

.PHONY: all deps test fuzz fuzz-build demo bench bench-torch bench-plink bench-genotype bench-epistasis bench-epistasis-recovery bench-tune bench-strand bench-vep bench-eval check-deps lint install clean
.SUFFIXES:

all: $(GDL)

# Installs missing Debian packages with apt-get when root; otherwise prints the line to run.
define check_debs
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	  done; \
	elif ! $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null; then \
	  echo "gdl: needs htslib, OpenBLAS, cJSON and zlib development files (pkg-config: $(PKGS))"; exit 1; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "gdl: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "gdl: missing Debian packages; run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call check_debs,$(BUILD_DEBS) $(TEST_DEBS))
	@mkdir -p build && touch $(STAMP)

$(STAMP):
	$(call check_debs,$(BUILD_DEBS))
	@mkdir -p build && touch $@

$(BUILD)/%.o: %.c | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(GDL): $(CLI_OBJ) $(LIB)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(ALL_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -Isrc -MF $@.d -o $@ $< $(LIB) $(LDFLAGS) $(ALL_LIBS)

# libFuzzer targets: the library again, built by clang with the fuzzer's coverage and the
# sanitizers, in its own directory so it never mixes with the release or sanitize objects
FUZZ_CC     ?= clang
FUZZ_S      ?= 60
FUZZ_BUILD  := build/fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_CFLAGS  = -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Wno-unknown-attributes -Wno-ignored-attributes \
               -Iinclude -Isrc -MMD -MP $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB    := $(FUZZ_BUILD)/libgdl.a

$(FUZZ_BUILD)/src/%.o: src/%.c | $(STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB) | $(STAMP)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MF $@.d -o $@ $< $(FUZZ_LIB) $(ALL_LIBS)

fuzz-build: $(FUZZ_BIN)

# every target for FUZZ_S seconds, one after another, each starting from its committed seeds
# and the corpus it grew before (build/fuzz/corpus; crashes in build/fuzz/artifacts)
fuzz: | $(STAMP)
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang with libFuzzer (FUZZ_CC=$(FUZZ_CC))"; exit 1; }
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_S)

test: deps
	@$(MAKE) --no-print-directory $(GDL) $(TEST_BIN)
	@GDL=$(abspath $(GDL)) PYTHON=$(PYTHON) sh tests/run.sh $(TEST_BIN)

demo: deps $(GDL)
	@sh data/demo.sh $(abspath $(GDL))

bench: $(GDL)
	@sh tests/bench/run.sh $(abspath $(GDL))

# gdl against PyTorch (python3-torch, libopenblas0-openmp) and plink2/bcftools; see tests/bench/
bench-torch: $(GDL)
	$(call check_debs,python3-torch libopenblas0-openmp time)
	@sh tests/bench/torch.sh $(abspath $(GDL))

bench-plink: $(GDL)
	$(call check_debs,plink2 bcftools time)
	@sh tests/bench/plink.sh $(abspath $(GDL))

# gdl's genotype configs against scikit-learn's penalised regressions and the chi-square on
# simulated and 1000 Genomes cohorts (BENCH_MODE=quick ~15 min, or full); see tests/bench/
BENCH_MODE ?= quick
bench-genotype: $(GDL)
	$(call check_debs,python3-sklearn python3-scipy python3-numpy)
	@sh tests/bench/bench_genotype.sh $(abspath $(GDL)) $(BENCH_MODE)

# gdl epistasis against plink 1.9 --fast-epistasis boost (EPI_N, EPI_M, ...); see tests/bench/
bench-epistasis: $(GDL)
	$(call check_debs,plink1.9 time)
	@sh tests/bench/bench_epistasis.sh $(abspath $(GDL))

# planted pure-interaction pairs: their scan ranks, and genotype-linear with and without the
# pairs chosen inside each fold, over a grid of simulated cohorts; see tests/bench/
bench-epistasis-recovery: $(GDL)
	$(call check_debs,python3-numpy)
	@sh tests/bench/bench_epistasis_recovery.sh $(abspath $(GDL))

# gdl tune: successive halving against every trial in full (time ratio, best-metric gap)
bench-tune: $(GDL)
	$(call check_debs,python3-numpy bc)
	@sh tests/bench/bench_tune.sh $(abspath $(GDL))

# strand handling on ChIP-seq peaks (../shared/data): augment rc / shift and predict --rc
bench-strand: $(GDL)
	$(call check_debs,python3)
	@sh tests/bench/bench_strand.sh $(abspath $(GDL))

# gdl eval on 455,024 x 919 binary predictions (the DeepSEA test set's size): time and peak RSS
bench-eval: $(GDL)
	$(call check_debs,time)
	@sh tests/bench/bench_eval.sh $(abspath $(GDL))

# gdl vep per variant against gdl predict per window (same model, same windows) and PyTorch
bench-vep: $(GDL)
	$(call check_debs,python3)
	@sh tests/bench/bench_vep.sh $(abspath $(GDL))

# the folders' includes against docs/architecture.md (also run by make test)
check-deps:
	@sh tests/check_deps.sh

# Static checks that must stay clean: cppcheck's warnings and portability checks, and clang-tidy's
# checks for leaks and misuse of the C library (unix.*), null pointers passed where the library
# forbids them (memcpy, qsort, strcmp with n = 0 included), division by zero, integer division
# in floating-point context, unparenthesised macro arguments and strings left unterminated. The
# path-sensitive null-dereference and uninitialised-value checks are left out: they do not see
# the invariants the code keeps (counts checked before the loops) and flag those loops. A
# finding that is not a defect carries a NOLINT or cppcheck-suppress comment saying why.
LINT_CHECKS := -*,clang-analyzer-unix.*,clang-analyzer-core.DivideZero,clang-analyzer-core.NonNullParamChecker,bugprone-integer-division,bugprone-macro-parentheses,bugprone-not-null-terminated-result
lint: | $(STAMP)
	$(call check_debs,cppcheck clang-tidy)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 --inline-suppr \
	  --suppress=missingIncludeSystem --suppress=internalAstError:src/nn/sparse_dense.c -Iinclude -Isrc -j2 src
	@out=$$(ls src/*/*.c | xargs -P2 -n8 sh -c 'clang-tidy --quiet --warnings-as-errors="*" \
	  -checks="$(LINT_CHECKS)" "$$@" -- -std=c11 -D_DEFAULT_SOURCE -Iinclude -Isrc $(PKG_CFLAGS)' lint 2>&1); rc=$$?; \
	  echo "$$out" | grep -v 'warnings generated' || true; \
	  [ $$rc -eq 0 ] && echo "lint: clean" || { echo "lint: clang-tidy findings above"; exit 1; }

install: $(GDL)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gdl/configs/space
	install -m 755 $(GDL) $(DESTDIR)$(PREFIX)/bin/gdl
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 src/cli/gdl.1 $(DESTDIR)$(PREFIX)/share/man/man1/gdl.1
	for f in configs/*.json; do [ -e "$$f" ] || continue; install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/gdl/configs/; done
	for f in configs/space/*.json; do [ -e "$$f" ] || continue; install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/gdl/configs/space/; done

clean:
	rm -rf build gdl

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(FUZZ_BIN:=.d)
-include $(wildcard $(FUZZ_BUILD)/src/*/*.d)
