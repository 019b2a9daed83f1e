# towncov — 5G base-station coverage simulator.
#   make         build build/towncov (never installs anything)
#   make deps    install the missing libraries with apt-get (waits for a busy package lock)
#   make run     make deps, build, run the default scenario
#   make test    make deps and the test tools, build, run every test (also under ASan+UBSan)
#   make install PREFIX=/usr/local DESTDIR=   the binary, man pages, completion, maps, scenarios
#   make docs    regenerate the generated parts of man/, README.md and completion/
#   make bench   benchmark (see bench/README.md; bench-raster: the signal rasters)

# ---- options ---------------------------------------------------------------
#   make MPI=1   the MPI build (Open MPI's mpicc) in build-mpi/: `towncov
#                sweep` under mpirun spreads its members over the ranks
# CC from the environment or the command line wins; make's built-in
# default (cc) becomes gcc, the compiler CI and the benchmarks use.
ifeq ($(origin CC),default)
CC        = gcc
endif
MPI       ?=
ifeq ($(MPI),1)
CC        = mpicc
BUILD     ?= build-mpi
MPIFLAGS  := -DTOWNCOV_MPI
endif
BUILD     ?= build
OPT       ?= -O2 -g
SCENARIO  ?= scenarios/jiangxi-65k.ini
THREADS   ?=
SANITIZE  ?=
PKGS      := shapelib geos proj inih cairo gdal libpq
# pkg-config name : Debian package providing it (GLPK has no pkg-config
# file on Debian: the deps target looks for /usr/include/glpk.h instead)
DEPS      := shapelib:libshp-dev geos:libgeos-dev proj:libproj-dev inih:libinih-dev cairo:libcairo2-dev gdal:libgdal-dev libpq:libpq-dev
TEST_DEPS := criterion:libcriterion-dev
# Independent checkers used by the tests (python modules : Debian package)
TEST_PY   := shapely:python3-shapely pyproj:python3-pyproj osgeo:python3-gdal qgis.core:python3-qgis
# A throwaway PostgreSQL + PostGIS cluster (tests/postgis/roundtrip.sh)
TEST_PG   := postgresql postgresql-15-postgis-3

CFLAGS   := -std=c11 -D_GNU_SOURCE -DGEOS_USE_ONLY_R_API $(OPT) -fopenmp \
            -Wall -Wextra -Werror -Iinclude $(SANITIZE) $(MPIFLAGS)
LDLIBS    = $(shell pkg-config --libs $(PKGS)) -lglpk -lm
LDFLAGS  := -fopenmp $(SANITIZE)
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NPROC    := $(shell nproc 2>/dev/null || echo 2)

VERSION  := 0.4.0
# make install: where things go ($(DESTDIR) is prepended, for packaging).
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/towncov
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/towncov
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Sources live in a folder per stage (sim/map/, sim/coverage/exact/...);
# objects mirror that tree under $(BUILD)/obj.
SRC      := $(sort $(shell find sim -name '*.c'))
OBJ      := $(SRC:sim/%.c=$(BUILD)/obj/%.o)
MAINOBJ  := $(filter %/main.o,$(OBJ))
LIBOBJ   := $(filter-out $(MAINOBJ),$(OBJ))
TESTSRC  := $(wildcard tests/*.c)
TESTOBJ  := $(TESTSRC:tests/%.c=$(BUILD)/tobj/%.o)
HEADERS  := $(shell find include sim -name "*.h")
BIN      := $(BUILD)/towncov
TESTBIN  := $(BUILD)/towncov-tests

.PHONY: all run test test-unit test-asan check-layers deps test-deps bench bench-targets bench-full bench-china \
        bench-raster clean asan tsan fuzz fuzz-smoke leakcheck docs check-docs install uninstall \
        pkg-check maps map-china map-deps

# Keep objects of pattern chains (fuzz builds) between runs.
.SECONDARY:

all: $(BIN)

# ---- set-up: install what pkg-config (or python) cannot find --------------
# Another apt-get or dpkg at work holds the package lock: wait for it (up to
# 10 minutes) rather than fail at once with exit 100.
APT := $(SUDO) apt-get -o DPkg::Lock::Timeout=600
define apt_install
	echo "towncov: installing $(1) with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$(APT) update -qq && $(APT) install -y -qq $(1) >/dev/null
endef

deps:
	@command -v pkg-config >/dev/null || { $(call apt_install,pkg-config gcc make); }
	@missing=""; for p in $(DEPS); do pkg-config --exists "$${p%%:*}" || missing="$$missing $${p#*:}"; done; \
	 fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-zenhei"; \
	 [ -e /usr/include/glpk.h ] || missing="$$missing libglpk-dev"; \
	 [ "$(MPI)" != 1 ] || command -v mpicc >/dev/null || missing="$$missing libopenmpi-dev openmpi-bin"; \
	 if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi

test-deps: deps
	@missing=""; for p in $(TEST_DEPS); do pkg-config --exists "$${p%%:*}" || missing="$$missing $${p#*:}"; done; \
	 for p in $(TEST_PY); do /usr/bin/python3 -c "import $${p%%:*}" 2>/dev/null || missing="$$missing $${p#*:}"; done; \
	 command -v ogrinfo >/dev/null || missing="$$missing gdal-bin"; \
	 command -v npm >/dev/null || missing="$$missing npm"; \
	 command -v clang >/dev/null || missing="$$missing clang"; \
	 ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
	   || missing="$$missing libclang-rt-dev"; \
	 ls /usr/lib/llvm-*/lib/libomp.so >/dev/null 2>&1 || missing="$$missing libomp-dev"; \
	 command -v valgrind >/dev/null || missing="$$missing valgrind"; \
	 command -v man >/dev/null || missing="$$missing man-db"; \
	 ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	   && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 \
	   || missing="$$missing $(TEST_PG)"; \
	 command -v mpicc >/dev/null && command -v mpirun >/dev/null \
	   || missing="$$missing libopenmpi-dev openmpi-bin"; \
	 if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi

# ---- build -----------------------------------------------------------------
# The libraries must be there before anything compiles: pkg-check says which
# are missing (pkg-config's own message) and how to get them.
pkg-check:
	@pkg-config --print-errors --exists $(PKGS) || \
	  { echo "towncov: missing libraries (above); make deps installs them" >&2; exit 1; }

# Each object depends on the headers it includes (-MMD -MP), so that a
# change rebuilds what it touches.
$(BUILD)/obj/%.o: sim/%.c | pkg-check
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(BUILD) -MMD -MP $(shell pkg-config --cflags $(PKGS)) -c $< -o $@

# The files whose loops call glibc's vector maths (include/towncov/vecmath.h):
# maths that sets no errno and raises no trap, so that GCC may call
# libmvec's SIMD variants and compute both sides of a select (the values
# are the same; towncov reads neither errno nor the FP exception flags).
VECMATH_OBJ := radio/rsrp raster/cells terrain/sampler
$(VECMATH_OBJ:%=$(BUILD)/obj/%.o): CFLAGS += -fno-math-errno -fno-trapping-math

$(BUILD)/tobj/%.o: tests/%.c | pkg-check
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(shell pkg-config --cflags $(PKGS) criterion) -c $< -o $@

-include $(OBJ:.o=.d) $(TESTOBJ:.o=.d)

# What built this binary (towncov --version, summary.json), rewritten only
# when it changes so that it rebuilds only the file that prints it.
GIT_REV = $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo +changes)
$(BUILD)/buildinfo.h: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '/* generated by make: what built this binary */' \
	  '#define TOWNCOV_VERSION "$(VERSION)"' \
	  '#define TOWNCOV_GIT_REV "$(GIT_REV)"' \
	  '#define TOWNCOV_COMPILER "$(shell $(CC) --version 2>/dev/null | head -1)"' \
	  '#define TOWNCOV_CFLAGS "$(strip $(OPT) $(SANITIZE) $(MPIFLAGS))"' \
	  '#define TOWNCOV_LIBS "$(foreach p,$(PKGS),$(p) $(shell pkg-config --modversion $(p) 2>/dev/null))"' \
	  '#define TOWNCOV_DATADIR "$(DATADIR)"' \
	  > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@
$(BUILD)/obj/common/buildinfo.o: $(BUILD)/buildinfo.h
.PHONY: FORCE

# ---- libraries loaded on first use (include/towncov/lazyload.h) -------------
# towncov itself is linked without these: for each, sim/cli/lazygen.sh
# writes a shim defining the functions the objects call, which loads the
# library on the first call. Process start maps none of them (bench/README.md
# "Where the time goes"). The test binary and fuzz harnesses link them.
#   LAZY_LIB_x: the -l name; LAZY_H_x: its headers; LAZY_WHAT_x: what needs it
LAZY        := gdal proj pq cairo glpk
LAZY_LIB_gdal  := gdal
LAZY_H_gdal    := gdal.h ogr_api.h ogr_srs_api.h cpl_conv.h cpl_error.h cpl_string.h cpl_vsi.h
LAZY_WHAT_gdal := the rasters, GeoPackage, OGR sources, DEMs and density rasters
LAZY_LIB_proj  := proj
LAZY_H_proj    := proj.h geodesic.h
LAZY_WHAT_proj := every coordinate system
LAZY_LIB_pq    := pq
LAZY_H_pq      := libpq-fe.h
LAZY_WHAT_pq   := output.postgis
LAZY_LIB_cairo := cairo
LAZY_H_cairo   := cairo.h
LAZY_WHAT_cairo := map.png
LAZY_LIB_glpk  := glpk
LAZY_H_glpk    := glpk.h
LAZY_WHAT_glpk := towncov plan
LAZYOBJ     := $(LAZY:%=$(BUILD)/lazy/lazy_%.o)
# What the binary links: the packages not loaded lazily.
BIN_LDLIBS   = $(shell pkg-config --libs $(filter-out gdal proj libpq cairo,$(PKGS))) -lm

$(BUILD)/lazy/lazy_%.c: $(OBJ) sim/cli/lazygen.sh
	@mkdir -p $(@D)
	@echo "lazygen.sh $* > $@"
	@sh sim/cli/lazygen.sh $* "$(shell $(CC) -print-file-name=lib$(LAZY_LIB_$*).so)" \
	  "$(LAZY_WHAT_$*)" "$(LAZY_H_$*)" "$(shell pkg-config --cflags $(PKGS))" $(OBJ) >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/lazy/lazy_%.o: $(BUILD)/lazy/lazy_%.c
	$(CC) $(CFLAGS) -Wno-deprecated-declarations $(shell pkg-config --cflags $(PKGS)) -c $< -o $@

$(BIN): $(OBJ) $(LAZYOBJ)
	$(CC) $(LDFLAGS) $^ -o $@ $(BIN_LDLIBS)

$(TESTBIN): $(LIBOBJ) $(TESTOBJ)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(shell pkg-config --libs criterion)


# ---- run -------------------------------------------------------------------
run: deps
	$(MAKE) --no-print-directory $(BIN)
	$(BIN) run $(SCENARIO) $(if $(THREADS),--threads $(THREADS))

# ---- tests -----------------------------------------------------------------
# Unit and whole-run tests (Criterion), the independent checks against
# shapely/pyproj/GDAL and the golden results (tests/golden/check.sh BIN
# --update regenerates them), then the same Criterion suite under
# ASan+UBSan.
test: test-deps
	$(MAKE) --no-print-directory -j$(NPROC) test-unit
	$(MAKE) --no-print-directory -j$(NPROC) test-asan
	$(MAKE) --no-print-directory -j$(NPROC) fuzz-smoke

# The MPI build too: the tests run a 2-rank sweep and 2- and 3-rank
# province-parallel runs with it (tests/test_run_mpi.c).
test-unit: check-layers $(BIN) $(TESTBIN)
	$(MAKE) --no-print-directory MPI=1 build-mpi/towncov
	TOWNCOV_BIN=$(abspath $(BIN)) TOWNCOV_MPI_BIN=$(abspath build-mpi/towncov) $(TESTBIN) --jobs 2
	TOWNCOV_BIN=$(abspath $(BIN)) /usr/bin/python3 tests/check_independent.py
	TOWNCOV_BIN=$(abspath $(BIN)) /usr/bin/python3 tests/test_map_build.py
	tests/postgis/roundtrip.sh $(BIN)
	tests/golden/check.sh $(BIN)

test-asan:
	$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  build-asan/towncov build-asan/towncov-tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  TOWNCOV_BIN=$(abspath build-asan/towncov) TOWNCOV_SANITIZED=1 build-asan/towncov-tests --jobs 2

asan: test-asan

# The layer rule (docs/architecture-seams.md): a stage includes only its
# own and earlier stages' public headers, never a later stage's or the
# driver's pipeline.h (the commands and the sweep/plan drivers excepted).
check-layers:
	/usr/bin/python3 tests/check_layers.py

# ThreadSanitizer: the towncov binary built by clang with LLVM's OpenMP
# runtime and its Archer tool (which tells TSan about OpenMP's own
# synchronisation), driven by the test suites that run it and by the golden
# scenarios; a race makes that run exit 66 and its test fail. The libraries
# (GEOS, PROJ, shapelib) are not instrumented. Criterion's own arena does
# not start under TSan, so the test runner stays the plain build: the
# suites that never start towncov (their files name neither fx_run nor
# TOWNCOV_BIN) would only repeat make test's plain run, unseen by TSan, and
# are left out (TSAN_SUITES, found anew at each make).
ARCHER := $(firstword $(wildcard /usr/lib/llvm-*/lib/libarcher.so))
TSAN_ENV := TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 exitcode=66" \
            OMP_TOOL_LIBRARIES=$(ARCHER)
TSAN_SUITES = $(shell grep -lE 'fx_run|TOWNCOV_BIN' tests/test_*.c | xargs sed -nE \
                's/^(Parameterized)?Test. *([a-z_0-9]+),.*/\2/p' | sort -u | paste -sd'|')
tsan: test-deps $(TESTBIN)
	$(MAKE) --no-print-directory BUILD=build-tsan CC=clang OPT="-O1 -g" \
	  SANITIZE="-fsanitize=thread -fno-omit-frame-pointer" build-tsan/towncov
	$(TSAN_ENV) TOWNCOV_BIN=$(abspath build-tsan/towncov) TOWNCOV_SANITIZED=1 $(TESTBIN) --jobs 2 \
	  --filter '@($(TSAN_SUITES))/*'
	$(TSAN_ENV) tests/golden/check.sh build-tsan/towncov

# The generated parts of the documents (SYNOPSIS and OPTIONS of the man
# pages, the key reference of towncov-scenario.5, the README's command list,
# the bash completion) from the option and key tables; the tests fail when
# they are stale (man/update.py --check).
docs: $(BIN)
	/usr/bin/python3 man/update.py $(BIN)

check-docs: $(BIN)
	/usr/bin/python3 man/update.py --check $(BIN)

# ---- install ---------------------------------------------------------------
# The shipped maps and scenarios go to $(DATADIR) (compiled into the binary:
# a scenario path not found from the working folder is looked for there).
# INSTALL_BIN=path installs another build of the binary (the tests).
INSTALL_BIN ?= $(BIN)
install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(DATADIR)/maps/jiangxi \
	  $(DESTDIR)$(DATADIR)/maps/census $(DESTDIR)$(DOCDIR)/images
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/towncov
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 completion/towncov.bash $(DESTDIR)$(BASHCOMPDIR)/towncov
	install -m 644 scenarios/*.ini $(DESTDIR)$(DATADIR)/scenarios/
	install -m 644 maps/README.md $(DESTDIR)$(DATADIR)/maps/
	install -m 644 maps/jiangxi/* maps/jiangxi/.towncov-output $(DESTDIR)$(DATADIR)/maps/jiangxi/
	install -m 644 maps/census/* $(DESTDIR)$(DATADIR)/maps/census/
	install -m 644 README.md LICENSE CHANGELOG.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/images/* $(DESTDIR)$(DOCDIR)/images/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/towncov $(DESTDIR)$(BASHCOMPDIR)/towncov
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5))
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# valgrind memcheck over the good paths and every class of bad input
# (valgrind and GDAL's tools come with the test set-up).
leakcheck: test-deps
	$(MAKE) --no-print-directory $(BIN)
	tests/leakcheck.sh $(BIN)

# ---- fuzzing (libFuzzer, clang, ASan+UBSan) ---------------------------------
# `make fuzz FUZZ_SECONDS=600` runs each harness that long on a copy of its
# seed corpus in tests/fuzz/corpus/NAME; `make fuzz-smoke` (part of make
# test) replays the seeds and runs a few seconds of new inputs, so the
# harnesses keep building and their findings stay fixed.
FUZZ_TARGETS := scenario sites shapefile sweep
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DGEOS_USE_ONLY_R_API -O1 -g -fopenmp -Iinclude \
               -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(LIBOBJ:$(BUILD)/obj/%.o=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: sim/%.c $(HEADERS) $(BUILD)/buildinfo.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -I$(BUILD) $(shell pkg-config --cflags $(PKGS)) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_tmpfile.h $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c %.o,$^) -o $@ $(LDLIBS)


fuzz: test-deps $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus-$$t && cp -n tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus-$$t/; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- $(FUZZ_BUILD)/corpus-$$t 2>&1 \
	    | grep -E "^#[0-9]+ +DONE|ERROR|SUMMARY" ; done

fuzz-smoke: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_BUILD)/smoke-$$t && mkdir -p $(FUZZ_BUILD)/smoke-$$t; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) \
	    -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- $(FUZZ_BUILD)/smoke-$$t tests/fuzz/corpus/$$t \
	    >$(FUZZ_BUILD)/smoke-$$t.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/smoke-$$t.log; exit 1; }; \
	  echo "fuzz smoke $$t: $$(grep -Eo '^#[0-9]+' $(FUZZ_BUILD)/smoke-$$t.log | tail -1 | tr -d '#') inputs, no finding"; \
	done

# ---- bench -----------------------------------------------------------------
bench: all
	TOWNCOV_BIN=$(abspath $(BIN)) bench/run.sh quick
	TOWNCOV_BIN=$(abspath $(BIN)) bench/targets.sh quick

# issue 25's targets beside the measured figures; BASE_BIN=... adds a baseline
bench-targets: all
	TOWNCOV_BIN=$(abspath $(BIN)) bench/targets.sh quick

bench-full: all
	TOWNCOV_BIN=$(abspath $(BIN)) bench/run.sh full

bench-raster: all
	TOWNCOV_BIN=$(abspath $(BIN)) bench/raster.sh

bench-sweep: all
	TOWNCOV_BIN=$(abspath $(BIN)) bench/sweep.sh

# issue 26: the national scenario end to end (maps/china/ built first when
# missing) against its targets; THREADS=2 by default, MPI_RANKS=2 adds the
# province-parallel run (the MPI build); the record goes to bench/results/
bench-china: all
	$(if $(MPI_RANKS),$(MAKE) --no-print-directory MPI=1 build-mpi/towncov)
	TOWNCOV_BIN=$(abspath $(BIN)) bench/china.sh --threads $(or $(THREADS),2) \
	  $(if $(MPI_RANKS),--mpi $(MPI_RANKS))

# ---- maps ------------------------------------------------------------------
# Township maps rebuilt from the pinned npm packages by maps/tools/build.py
# (join decisions in maps/tools/reports/):
#   make maps PROVINCES="jiangxi fujian"   maps/<slug>/ for each
#   make map-china                          the national map, maps/china/ (built, not committed)
PROVINCES ?= jiangxi
map-deps: deps
	@missing=""; command -v npm >/dev/null || missing="$$missing npm"; \
	 /usr/bin/python3 -c 'import osgeo' 2>/dev/null || missing="$$missing python3-gdal"; \
	 if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi

maps: map-deps $(BIN)
	/usr/bin/python3 maps/tools/build.py --towncov $(BIN) $(PROVINCES)

map-china: map-deps $(BIN)
	/usr/bin/python3 maps/tools/build.py --towncov $(BIN) china

clean:
	rm -rf build build-asan build-tsan build-fuzz build-mpi
