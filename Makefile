# The README's two commands: `make demo` (main job on the bundled example) and `make test`.
SWIFT ?= swift
BUILD_FLAGS ?=
EXAMPLE := examples/serverless-shop
BIN = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/tmrepo
PREFIX ?= /usr/local

.PHONY: build test demo release install clean bench leak-check

build:
	$(SWIFT) build $(BUILD_FLAGS)

test:
	$(SWIFT) test $(BUILD_FLAGS)

demo: build
	@scripts/demo.sh "$(BIN)" "$(EXAMPLE)"

release:
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
