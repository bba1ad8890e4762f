#!/usr/bin/env bash
# Installs what `make demo` (`build`) or `make test` (`test`) needs and a fresh machine may lack,
# before anything is compiled: SwiftPM fails on a missing libgit2 with "'git2.h' file not found"
# (and on a missing Graphviz with "'gvc.h' file not found"),
# which does not say what to do. When it cannot install (not root, no apt-get), it stops with one
# line naming the command to run.
#
#   scripts/ensure-deps.sh build    # Swift, pkg-config, libgit2-dev, libgraphviz-dev (the report's data-flow diagram),
#                                   # git (SwiftPM fetches packages with it; the demo replays history)
#   scripts/ensure-deps.sh test     # the above, plus python3, python3's jsonschema and ssh-keygen
set -euo pipefail
purpose=${1:-build}
case "$purpose" in build|test) ;; *) echo "usage: $0 build|test" >&2; exit 2 ;; esac

is_root() { [ "$(id -u)" = 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null; }
stop() { echo "tmrepo: $*" >&2; exit 1; }

command -v swift >/dev/null || stop "Swift 6 is not installed: install it from https://www.swift.org/install/linux/ and run make again"

# Debian packages for the commands and libraries that are missing.
missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists libgit2 2>/dev/null || missing+=(libgit2-dev)
pkg-config --exists libgvc 2>/dev/null || missing+=(libgraphviz-dev)
command -v git >/dev/null || missing+=(git)
if [ "$purpose" = test ]; then
    command -v python3 >/dev/null || missing+=(python3)
    # The signed-review tests make keys and signatures with ssh-keygen (git's gpg.format=ssh).
    command -v ssh-keygen >/dev/null || missing+=(openssh-client)
fi
if [ ${#missing[@]} -gt 0 ]; then
    command="apt-get update && apt-get install -y ${missing[*]}"
    can_apt || stop "missing ${missing[*]}: run \`sudo apt-get update && sudo apt-get install -y ${missing[*]}\` and run make again"
    echo "--- installing ${missing[*]} ($command)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
    pkg-config --exists libgit2 || stop "libgit2-dev was installed but pkg-config still cannot find libgit2"
    pkg-config --exists libgvc || stop "libgraphviz-dev was installed but pkg-config still cannot find libgvc"
fi

if [ "$purpose" = test ] && ! python3 -c 'import jsonschema' 2>/dev/null; then
    # The Threat Composer export test validates against the v1 JSON schema with jsonschema.
    pip_command="python3 -m pip install --quiet jsonschema"
    in_venv=$(python3 -c 'import sys; print(int(sys.prefix != sys.base_prefix))')
    is_root || [ "$in_venv" = 1 ] || pip_command="python3 -m pip install --quiet --user jsonschema"
    echo "--- installing python3 jsonschema ($pip_command)" >&2
    if ! $pip_command >/dev/null 2>&1 && can_apt; then
        # pip refuses a system Python that is externally managed (PEP 668), or is not installed.
        apt-get install -y -qq python3-jsonschema >/dev/null 2>&1 || true
    fi
    python3 -c 'import jsonschema' 2>/dev/null || stop "python3 has no jsonschema module: run \`$pip_command\` (or \`sudo apt-get install -y python3-jsonschema\`) and run make again"
fi
