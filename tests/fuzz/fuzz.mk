# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/fuzz.mk - libFuzzer harnesses (clang, ASan + UBSan), built from
# the sources directly, not from the gcc-built core library.
#
#   make fuzz                    every harness for FUZZ_SECONDS (60) seconds
#   make fuzz FUZZ_SECONDS=600   longer
#   make build/fuzz/fuzz_config  one harness
#
# Each harness runs on build/fuzz/corpus-<name>, seeded from
# tests/fuzz/corpus/<name> (the committed seeds are never written to); new
# inputs accumulate there between runs. A failure leaves its input in
# build/fuzz/<name>-crash-* (or -timeout-, -oom-, -leak-) and fails the target.
# docs/fuzzing.md explains.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -std=c99 $(WARN) -Iinclude -Iport/posix
FUZZ_PORT_CFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
                    -DM2M_DEFAULT_CAPACITY=$(BOARD_CAPACITY)
# A name ending in _mcu is the harness of the same name without it, built on the core's
# microcontroller configuration (boards/cortex-m4-config.mk: the smaller code forms), with the
# same seeds.
FUZZ_NAMES := fuzz_http_response fuzz_job_stream fuzz_config fuzz_job_stream_mcu \
              fuzz_job_stream_v2 fuzz_job_stream_v2_mcu
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
include boards/cortex-m4-config.mk
FUZZ_HEADERS := $(wildcard include/*.h port/posix/config.h tests/fuzz/*.h)

FUZZ_SRCS_fuzz_http_response := firmware/http_response.c
FUZZ_SRCS_fuzz_job_stream := firmware/job_stream.c firmware/job_record.c firmware/json_text.c \
                             firmware/job_table.c
FUZZ_SRCS_fuzz_config := port/posix/config.c port/posix/config_values.c port/posix/config_file.c
FUZZ_LIBS_fuzz_config := -linih
FUZZ_EXTRA_fuzz_config := $(FUZZ_PORT_CFLAGS)
FUZZ_SRCS_fuzz_job_stream_mcu := $(FUZZ_SRCS_fuzz_job_stream) firmware/strbuf.c
FUZZ_EXTRA_fuzz_job_stream_mcu := $(M4_FEATURES) $(M4_SIZE_FORMS)
# The v2 harness checks the splitter alone (with jsmn and the JSON helpers of job_record.c and
# json_text.c as its reference reader). Its _mcu build has the v2 list call on whatever
# M4_FEATURES says: the code forms of a microcontroller that reads v2.
FUZZ_SRCS_fuzz_job_stream_v2 := firmware/job_stream.c firmware/job_record.c firmware/json_text.c
FUZZ_SRCS_fuzz_job_stream_v2_mcu := $(FUZZ_SRCS_fuzz_job_stream_v2) firmware/strbuf.c
FUZZ_EXTRA_fuzz_job_stream_v2_mcu := $(filter-out -DM2M_WITH_V2=%,$(M4_FEATURES)) -DM2M_WITH_V2=1 \
                                     $(M4_SIZE_FORMS)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

define FUZZ_RULE
$(FUZZ_DIR)/$(1): tests/fuzz/$(1:_mcu=).c $(FUZZ_SRCS_$(1)) $(FUZZ_HEADERS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_EXTRA_$(1)) -o $$@ $$< $(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1))
endef
$(foreach name,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(name))))

# Every harness runs even when one fails; the summary lines come from
# libFuzzer's -print_final_stats=1.
fuzz: $(FUZZ_BINS)
	@fail=0; for name in $(FUZZ_NAMES); do \
	  corpus=$(FUZZ_DIR)/corpus-$$name; log=$(FUZZ_DIR)/$$name.log; \
	  mkdir -p $$corpus && cp tests/fuzz/corpus/$${name%_mcu}/* $$corpus/; \
	  echo "fuzz  $$name: $(FUZZ_SECONDS) s on $$corpus (log: $$log)"; \
	  if $(FUZZ_DIR)/$$name -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	       -rss_limit_mb=2048 -timeout=5 -artifact_prefix=$(FUZZ_DIR)/$$name- \
	       $$corpus > $$log 2>&1; then status="ok  "; else status=FAIL; fail=1; fi; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	  rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
	  added=$$(sed -n 's/^stat::new_units_added: *//p' $$log); \
	  rss=$$(sed -n 's/^stat::peak_rss_mb: *//p' $$log); \
	  cov=$$(grep -o 'cov: [0-9]*' $$log | tail -n 1); \
	  echo "$$status  $$name: $${execs:-?} executions, $${rate:-?} exec/s, $$cov," \
	       "$${added:-?} new inputs, peak RSS $${rss:-?} MB"; \
	  if [ "$$status" = FAIL ]; then \
	    grep -E 'ERROR: (Address|Leak|libFuzzer)|runtime error:|invariant failed|SUMMARY:|Test unit written' $$log \
	      | head -n 8 | sed 's/^/      /'; \
	  fi; \
	done; \
	exit $$fail
