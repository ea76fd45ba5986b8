# Coverage-guided fuzzing (issue 15): cargo-fuzz + libFuzzer on the nightly toolchain, which
# is used for nothing else. fuzz/ is its own cargo project with its own target dir; see
# fuzz/README.md for what each target checks.
#   make fuzz-smoke          build every target, run each FUZZ_SMOKE_SECONDS on its seeds
#   make fuzz T=name         a long run of one target (FUZZ_SECONDS, 0 = until stopped), its
#                            corpus growing in fuzz/corpus/name (not committed)
#   make fuzz-cmin T=name    add to fuzz/seeds/name only those inputs of the grown corpus that
#                            add coverage edges (libFuzzer's minimising merge, as cargo fuzz cmin
#                            does, counting edges only so the seeds stay small;
#                            the named seeds stay as they are)
#   make fuzz-go             the Go binding's `go test -fuzz` target, FUZZ_GO_SECONDS long

FUZZ_TARGETS := chat_id image_sniff success_body error_body retry_hints multipart ffi
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_SECONDS ?= 0
FUZZ_GO_SECONDS ?= 20
FUZZ_TARGET_DIR ?= $(CURDIR)/fuzz/target
# cargo-fuzz's default sanitizer (address) and release mode with debug assertions.
FUZZ_CARGO = CARGO_TARGET_DIR=$(FUZZ_TARGET_DIR) $(CARGO) +nightly fuzz
FUZZ_FLAGS ?= -O
# libFuzzer: a 10 s hang or 2 GiB is a finding; no input longer than 64 KiB.
FUZZ_LIBFUZZER_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -max_len=65536

.PHONY: fuzz-build fuzz-smoke fuzz fuzz-cmin fuzz-go lint-fuzzing

# The `fuzzing` modules the targets use, checked on stable in make test, so that a change in
# the core, the emulator or the C ABI that breaks them fails there and not only on nightly.
TEST_TARGETS += lint-fuzzing
lint-fuzzing:
	$(CARGO) clippy -p blooio-core -p blooio-emulator -p blooio-ffi --all-targets \
		--features blooio-core/fuzzing,blooio-emulator/fuzzing,blooio-ffi/fuzzing -- -D warnings

fuzz-build:
	$(FUZZ_CARGO) build $(FUZZ_FLAGS)

# Each target on the checked-in seeds; what it finds new goes to a scratch corpus, so the
# seeds stay as committed. Fails on the first finding (libFuzzer writes it to fuzz/artifacts/).
fuzz-smoke: fuzz-build fuzz-go
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	for t in $(FUZZ_TARGETS); do \
		echo "== fuzz-smoke: $$t ($(FUZZ_SMOKE_SECONDS) s)"; \
		mkdir -p "$$scratch/$$t"; \
		$(FUZZ_CARGO) run $(FUZZ_FLAGS) $$t "$$scratch/$$t" fuzz/seeds/$$t -- \
			$(FUZZ_LIBFUZZER_FLAGS) -max_total_time=$(FUZZ_SMOKE_SECONDS) -print_final_stats=1 \
			> "$$scratch/$$t.log" 2>&1 \
			|| { tail -n 60 "$$scratch/$$t.log"; echo "fuzz-smoke: $$t found a failure" >&2; exit 1; }; \
		grep -E '^(Done|stat::number_of_executed_units)' "$$scratch/$$t.log"; \
	done
	@echo "fuzz-smoke: $(words $(FUZZ_TARGETS)) targets, no finding"

fuzz:
	@[ -n "$(T)" ] || { echo "usage: make fuzz T=<target>, one of: $(FUZZ_TARGETS)" >&2; exit 2; }
	mkdir -p fuzz/corpus/$(T)
	$(FUZZ_CARGO) run $(FUZZ_FLAGS) $(T) fuzz/corpus/$(T) fuzz/seeds/$(T) -- \
		$(FUZZ_LIBFUZZER_FLAGS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1

fuzz-cmin:
	@[ -n "$(T)" ] || { echo "usage: make fuzz-cmin T=<target>" >&2; exit 2; }
	@mkdir -p fuzz/corpus/$(T)
	$(FUZZ_CARGO) run $(FUZZ_FLAGS) $(T) fuzz/seeds/$(T) fuzz/corpus/$(T) -- \
		-merge=1 -use_counters=0 $(FUZZ_LIBFUZZER_FLAGS)

# The Go binding's conversions (bindings/go/fuzz_test.go), with the library built as for test-go.
fuzz-go: ffi
	cd $(GO_DIR) && $(GO_ENV) $(RUNTIME_ENV) $(GO) test -run '^$$' -fuzz '^FuzzConversions$$' \
		-fuzztime $(FUZZ_GO_SECONDS)s -parallel 1 .
