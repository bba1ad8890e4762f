# The README's two commands: `make demo` (main job on the bundled example) and `make test`.
# Both first install what a fresh machine lacks (scripts/ensure-deps.sh), since SwiftPM cannot
# even compile without libgit2.
SWIFT ?= swift
BUILD_FLAGS ?=
EXAMPLE := examples/serverless-shop
BIN = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/tmrepo
PREFIX ?= /usr/local

.PHONY: build test demo release install clean bench leak-check

build:
	@scripts/ensure-deps.sh build
	$(SWIFT) build $(BUILD_FLAGS)

test:
	@scripts/ensure-deps.sh test
	$(SWIFT) test $(BUILD_FLAGS)

demo: build
	@scripts/demo.sh "$(BIN)" "$(EXAMPLE)"

release:
	@scripts/ensure-deps.sh build
	$(SWIFT) build -c release

install: release
	install -d $(PREFIX)/bin
	install -m 755 "$$($(SWIFT) build -c release --show-bin-path)/tmrepo" $(PREFIX)/bin/tmrepo

bench: release
	Benchmarks/run.sh

leak-check:
	scripts/leak-check.sh

clean:
	rm -rf .build
