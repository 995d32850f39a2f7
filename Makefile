# Tandem: `make run` serves a demo workspace on http://127.0.0.1:8080; `make test` runs
# every test. Both install what they need first (Debian packages, npm packages).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
WERROR := $(if $(CI),ON,OFF)
DEMO_DB ?= sqlite:var/demo.db

.PHONY: all deps build test unit-test node-deps run bench fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DTANDEM_WERROR=$(WERROR)

build: deps node-deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

node-deps: deps
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund --loglevel=error; fi

test: build
	cd $(BUILD_DIR) && ctest -j 2 --output-on-failure --timeout 600

run: build
	./$(BUILD_DIR)/tandem --db $(DEMO_DB) demo
	./$(BUILD_DIR)/tandem --db $(DEMO_DB) serve --listen 127.0.0.1:8080

# The PostgreSQL figures run on a throw-away cluster with durable settings, stopped after.
BENCH_PG_DIR ?= /tmp/tandem-bench-pg
bench: build
	PG_CLUSTER_DURABLE=1 scripts/pg-test-cluster.sh start $(BENCH_PG_DIR) >/dev/null
	export TANDEM_BENCH_PG_URL=$$(cat $(BENCH_PG_DIR)/url); \
	  ./$(BUILD_DIR)/bench/ingest_bench ./$(BUILD_DIR)/tandem && \
	  ./$(BUILD_DIR)/bench/leads_bench && \
	  ./$(BUILD_DIR)/bench/keep_up_bench && \
	  ./$(BUILD_DIR)/bench/export_bench && \
	  ./$(BUILD_DIR)/bench/brief_bench && \
	  ./$(BUILD_DIR)/bench/email_bench && \
	  ./$(BUILD_DIR)/bench/lint_bench && \
	  ./$(BUILD_DIR)/bench/inbound_bench && \
	  ./$(BUILD_DIR)/bench/login_flood_bench ./$(BUILD_DIR)/tandem && \
	  ./$(BUILD_DIR)/bench/report_bench && \
	  ./$(BUILD_DIR)/bench/experiment_bench && \
	  ./$(BUILD_DIR)/bench/import_bench ./$(BUILD_DIR)/tandem && \
	  ./$(BUILD_DIR)/bench/erasure_bench; \
	  status=$$?; scripts/pg-test-cluster.sh stop $(BENCH_PG_DIR); exit $$status

# Fuzzing: every fuzz/ target built with clang and libFuzzer (its own build dir; the
# main build stays g++), then run at once for FUZZ_SECONDS each, niced. `make test`
# only replays the seed corpora.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz: deps
	CXX=clang++ cmake -S fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_DIR)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
