# MDE Console: the two commands of the README, and a few more for developers.
#   make serve   install what is missing, build, serve the demo at http://127.0.0.1:8080
#   make test    install what is missing (Chromium too), run every test
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: serve test setup setup-test size bench screenshot

serve: setup
	trunk serve --release

test: setup-test
	scripts/test.sh

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

size: setup
	scripts/size.sh

screenshot: setup-test
	trunk build --release && node tests/e2e/screenshot.mjs

bench:
	cargo run --release -p fake-azure --bin bench-overview -- --subscriptions 50,500,2000 --latency-ms 100
