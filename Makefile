# MDE Console: the two commands of the README, and a few more for developers.
#   make serve   install what is missing, build, serve the demo at http://127.0.0.1:8080
#   make test    install what is missing (Chromium too), run every test
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: serve test setup setup-test size bench screenshot fuzz golden

serve: setup
	trunk serve --release

test: setup-test
	scripts/test.sh

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

# Rewrites the reviewed exports (tests/golden/exports) from the code, after a change to an export:
# review them in the diff (`make test` fails while they differ).
golden:
	UPDATE_GOLDEN=1 cargo test -p mde-core --test export_golden
	UPDATE_GOLDEN=1 cargo test -p plan-export --test demo_exports

# Every parser of outside input under proptest for FUZZ_SECONDS each (crates/fuzz); a failing
# input lands in crates/fuzz/corpus/. Not part of `make test`: it takes minutes.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) cargo test --release -p fuzz --test targets -- --test-threads=2 --nocapture

size: setup
	scripts/size.sh

screenshot: setup-test
	trunk build --release && node tests/e2e/screenshot.mjs

# The overview's and the bulk run's round trips natively (the core against the fake tenant), then
# the pages themselves in headless Chromium: the overview of 450 and 1,800 subscriptions, and a
# bulk Fix of every Partial subscription of 200 (wall, main thread, ratio to the ideal), and the
# machines page of 10,000 and 50,000 machines (first page, load, search keystrokes, scrolling).
bench: setup-test
	cargo run --release -p fake-azure --bin bench-overview -- --subscriptions 50,500,2000 --latency-ms 100
	cargo run --release -p fake-azure --bin bench-bulk -- --subscriptions 200 --latency-ms 100 --concurrency 8
	cargo build -p fake-azure --bin fake-azure
	trunk build --release
	node tests/e2e/bench/overview.mjs --subscriptions 500,2000 --latency-ms 0,100
	node tests/e2e/bench/bulk.mjs --subscriptions 200 --latency-ms 100
	node tests/e2e/bench/machines.mjs --tenants 200:11000,2000:55000
