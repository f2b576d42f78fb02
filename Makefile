# The portal's two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
WERROR := $(if $(CI),ON,OFF)

.PHONY: run test build deps npm bench fuzz clean test-fast format security

deps:
	@scripts/install-deps

# node_modules follows package-lock.json; reinstalled only when the lock changes.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@
npm: deps node_modules/.package-lock.json

build: deps npm
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPORTAL_WERROR=$(WERROR) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	scripts/run-portal

# Everything: unit, API, browser tests and a short fuzz run on the normal build, then
# unit and API tests again under AddressSanitizer + UBSan (built with clang, which
# also builds the libFuzzer targets).
test: build
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPORTAL_SANITIZE=ON \
	  -DPORTAL_FUZZ=ON -DPORTAL_WERROR=$(WERROR) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 300
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 --timeout 300 -L 'unit|api|fuzz'

# The normal build only (quicker while working).
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 300 -LE e2e

fuzz:
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPORTAL_SANITIZE=ON -DPORTAL_FUZZ=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	tests/fuzz/run $(ASAN_BUILD) $${FUZZ_SECONDS:-300}

# sqlmap at --level 2 against every route with parameters (not part of `make test`):
# SECURITY_ROUTES=N or SECURITY_ARGS=--quick for a sample. See README.md.
security: build
	scripts/install-deps --security
	scripts/security $(SECURITY_ARGS)

bench: build
	bench/run-all $(BUILD)

format:
	clang-format -i portal/*.[ch] chat/*.[ch] kb/*.[ch] client-cabinet/*.[ch] tests/unit/*.c tests/fuzz/*.c bench/*.c 2>/dev/null || true

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
