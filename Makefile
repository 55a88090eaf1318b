# riskcalc -- see README.md. `make demo` and `make check` are the two set-up commands.
PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
PKGS := gsl openblas lapacke
# OpenBLAS provides CBLAS: drop GSL's reference cblas so BLAS calls go to OpenBLAS.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(filter-out -lgslcblas,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fopenmp -Iinclude $(PKG_CFLAGS) $(CFLAGS)
LDLIBS := $(PKG_LIBS) -lm -fopenmp

# Library: src/core/ (what every model uses) and one folder per model; src/cli/ is the tool.
MODELS := linear quad ridge
LIB_SRC := $(sort $(wildcard src/core/*.c $(MODELS:%=src/%/*.c)))
LIB_PRIVATE_H := $(wildcard src/core/*.h $(MODELS:%=src/%/*.h))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
HEADERS := $(wildcard include/riskcalc/*.h)
# The shared library: soname libriskcalc.so.MAJOR, file libriskcalc.so.MAJOR.MINOR.PATCH, the
# version read from include/riskcalc/version.h (the one place it is written).
version_part = $(shell sed -n 's/^\#define RC_VERSION_$(1) \([0-9]*\)$$/\1/p' include/riskcalc/version.h)
SO_MAJOR := $(call version_part,MAJOR)
SO_VERSION := $(SO_MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME := libriskcalc.so.$(SO_MAJOR)
SO_FILE := libriskcalc.so.$(SO_VERSION)

.PHONY: all deps demo check test asan fuzz fuzz-build valgrind bench figures install uninstall clean format lint

all: $(BUILD)/libriskcalc.a $(BUILD)/libriskcalc.so $(BUILD)/riskcalc $(TEST_BIN)

deps:
	@sh scripts/install-deps.sh

# The library sees its private headers (-Isrc); the tool is compiled without them, so it can
# use the public API only.
$(BUILD)/obj/src/cli/%.o: src/cli/%.c $(HEADERS) $(wildcard src/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Library objects serve both the static and the shared library: position independent, and
# only what the public headers mark RC_API (riskcalc/api.h) is exported.
$(BUILD)/obj/%.o: %.c $(HEADERS) $(LIB_PRIVATE_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -Isrc -c $< -o $@

$(BUILD)/libriskcalc.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/$(SO_FILE): $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $^ $(LDLIBS) -o $@

$(BUILD)/libriskcalc.so: $(BUILD)/$(SO_FILE)
	ln -sf $(SO_FILE) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/riskcalc: $(CLI_OBJ) $(BUILD)/libriskcalc.a
	$(CC) $(ALL_CFLAGS) $(CLI_OBJ) $(BUILD)/libriskcalc.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libriskcalc.a $(HEADERS) $(LIB_PRIVATE_H) $(wildcard tests/*.h tests/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -Itests $< $(BUILD)/libriskcalc.a $(LDLIBS) $(TEST_LDFLAGS) -o $@

# The never-abort test fails allocations on purpose: every malloc, calloc, realloc and free of
# the library (a static archive, so its calls are linked here) goes through the test's wrappers.
$(BUILD)/tests/core/test_never_abort: TEST_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free

# The figure API's and the grids' own tests link the tool's objects (all but main.o).
CLI_LIB_OBJ := $(filter-out $(BUILD)/obj/src/cli/main.o,$(CLI_OBJ))
$(BUILD)/tests/cli/test_figure_api $(BUILD)/tests/cli/test_cli_grid: $(BUILD)/tests/cli/%: tests/cli/%.c $(CLI_LIB_OBJ) $(BUILD)/libriskcalc.a $(wildcard src/cli/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli -Itests $< $(CLI_LIB_OBJ) $(BUILD)/libriskcalc.a $(LDLIBS) -o $@

# Benchmarks see the private headers too (bench_paths times the SVD workspace it replaces).
$(BUILD)/bench/%: bench/%.c $(BUILD)/libriskcalc.a $(HEADERS) $(LIB_PRIVATE_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc $< $(BUILD)/libriskcalc.a $(LDLIBS) -o $@

# The default job: a = 1.5, M = 64, N from 1e2 to 1e5, with its plot; and the quadratic
# model's two phases (coordinate index against time, colour theta_i(t) / w*_i).
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/riskcalc
	$(BUILD)/riskcalc linear --method exact --a 1.5 --d 1000 --M 64 --N 1e2:1e5:13 \
	  --gamma 0.1 --sigma2 0.1 --seed 1 --output plots/demo.tsv --plot plots/demo.png
	@echo "wrote plots/demo.tsv and plots/demo.png"
	$(BUILD)/riskcalc quad --alpha 2.5 --beta 1.5 --d inf --M 100 --T 1e6 --eta 0.02 --phases \
	  --output plots/quad_phases.tsv --plot plots/quad_phases.png
	@echo "wrote plots/quad_phases.tsv and plots/quad_phases.png (the quadratic model's two phases)"

check: deps
	@$(MAKE) --no-print-directory test

test: all
	@OPENBLAS_NUM_THREADS=1 sh tests/run.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

# libFuzzer targets for every parser (tests/fuzz/fuzz_*.c, seeds in tests/fuzz/corpus/NAME),
# built with clang's fuzzer, AddressSanitizer and UBSan, each run FUZZ_TIME seconds.
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang)
FUZZ_TIME ?= 20
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_TIME)

fuzz-build: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(CLI_LIB_OBJ) $(BUILD)/libriskcalc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Isrc/cli -Itests/fuzz $< $(CLI_LIB_OBJ) $(BUILD)/libriskcalc.a $(LDLIBS) -o $@

# The C unit tests listed (default: those that run in seconds; VALGRIND_TESTS="..." for more,
# the slow ones take an hour under memcheck) and a representative set of CLI runs under
# valgrind's memcheck, suppressions for third-party internals only (tests/valgrind.supp).
VALGRIND_TESTS ?= core/test_error core/test_io core/test_root core/test_spectrum core/test_walker \
  core/test_gauss core/test_mc_runner core/test_fit core/test_specsum core/test_schedule \
  linear/test_sketch linear/test_extreme linear/test_stage_jump linear/test_schedule_opt \
  quad/test_quad_analytic cli/test_cli_files cli/test_figure_api
valgrind:
	@sh scripts/install-deps.sh valgrind
	@$(MAKE) --no-print-directory all
	@sh tests/valgrind.sh $(BUILD) $(VALGRIND_TESTS)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BIN) $(BUILD)/riskcalc
	@OPENBLAS_NUM_THREADS=1 sh bench/run.sh $(BUILD)

# Every figure of docs/img/ (and the printed examples of the guide, tutorial and papers pages),
# redrawn from the commands written beside them; tests/cli/cli_doc_refs.sh checks that every
# figure a doc shows is drawn by one of these scripts, and that each of them is listed here.
FIGURE_SCRIPTS := docs/figures/figures.sh docs/figures/quad_figures.sh \
  docs/figures/ridge_cli_figures.sh docs/figures/ridge_figures.sh docs/figures/schedule_opt.sh \
  docs/figures/deteq_exponents.sh docs/figures/guide_figures.sh docs/figures/tuned_scaling.sh

figures: $(BUILD)/libriskcalc.a $(BUILD)/riskcalc
	@for s in $(FIGURE_SCRIPTS); do echo "sh $$s $(BUILD)"; \
	  OPENBLAS_NUM_THREADS=1 sh $$s $(BUILD) || exit 1; done

# DESTDIR stages the files (packaging); PREFIX is where they will live (written into riskcalc.pc).
# The Python package goes where Debian's python3 looks under /usr/local (PYTHONPATH for other
# prefixes) and finds the library two folders up (riskcalc/_lib.py).
LIBDIR = $(PREFIX)/lib
PYDIR = $(LIBDIR)/python3/dist-packages/riskcalc
PY_SRC := $(wildcard python/riskcalc/*.py)
install: $(BUILD)/libriskcalc.a $(BUILD)/libriskcalc.so $(BUILD)/riskcalc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/riskcalc $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PYDIR)
	install -m 755 $(BUILD)/riskcalc $(DESTDIR)$(PREFIX)/bin/riskcalc
	install -m 644 $(BUILD)/libriskcalc.a $(DESTDIR)$(LIBDIR)/libriskcalc.a
	install -m 755 $(BUILD)/$(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libriskcalc.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/riskcalc/
	install -m 644 docs/riskcalc.1 $(DESTDIR)$(PREFIX)/share/man/man1/riskcalc.1
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@LIBS@|$(LDLIBS)|g' \
	  -e 's|@VERSION@|$(SO_VERSION)|g' riskcalc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/riskcalc.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/riskcalc $(DESTDIR)$(LIBDIR)/libriskcalc.a \
	  $(DESTDIR)$(LIBDIR)/$(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libriskcalc.so \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/riskcalc.pc $(DESTDIR)$(PREFIX)/share/man/man1/riskcalc.1
	rm -rf $(DESTDIR)$(PREFIX)/include/riskcalc $(DESTDIR)$(PYDIR)

FORMAT_FILES = $(wildcard include/riskcalc/*.h src/*/*.c src/*/*.h tests/*.h tests/*/*.c tests/*/*.h bench/*.c)

format:
	clang-format -i $(FORMAT_FILES)

lint:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-asan build-fuzz build-valgrind
