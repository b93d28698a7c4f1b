# The two README commands are `make run` and `make test`; both install what they need first.
# `make` builds everything (native and wasm); `make bench` runs the benchmarks.
JOBS   ?= $(shell nproc)
BUILD  ?= build
ASAN_BUILD ?= build-asan

.PHONY: all native wasm setup models test test-native test-sanitize test-aarch64 run bench clean

all: native wasm

setup:
	@bash scripts/install-deps.sh
	@if [ -f scripts/install-node-deps.sh ]; then bash scripts/install-node-deps.sh; fi

# The generated MobileNet V2 1.0/1.4 in .pb, ONNX and TF.js with identical weights (bench/models).
models:
	@bash scripts/gen-models.sh

native:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

wasm:
	@if [ -f scripts/build-wasm.sh ]; then bash scripts/build-wasm.sh; fi

# Every test: unit, op, pass, end-to-end, malformed-input, service, wasm and Node host tests,
# and the aarch64 (NEON) build's C tests under qemu.
test: setup models all test-aarch64
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The library cross-built for aarch64 (NEON kernels) and its kernel, op, pass and whole-model
# tests run under qemu-aarch64 in build-aarch64/; fails, naming the package, when a tool is missing.
test-aarch64: setup
	@JOBS=$(JOBS) bash scripts/test-aarch64.sh

# The same C suite under AddressSanitizer + UndefinedBehaviorSanitizer (CI runs this too), then
# every stored fuzz input through the clang-built harnesses (clang's UBSan checks more).
test-sanitize: setup models
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWI_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE no-sanitize
	@JOBS_BUILD=$(JOBS) bash scripts/fuzz.sh --replay

# The main job.
run: setup all
	@bash scripts/run-main.sh

bench: setup all
	@bash scripts/bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
