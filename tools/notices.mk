# SPDX-License-Identifier: Apache-2.0
# tools/notices.mk - the license notices a binary of this build ships with (docs/licenses.md):
# besides the project's LICENSE, one file per third-party component whose code is inside the
# binary or image. make install puts them in $(DOCDIR)/licenses/, make notices in
# $(BUILD)/licenses/ (with LICENSE), for a firmware image that nothing installs.
#
# Each notice is a file of the build machine: by default the Debian copyright file of the package
# the build takes the component from (make deps installs them). NOTICE_<component>=FILE names
# another; of a header (a packager's jsmn.h), its leading comment is the notice.

# jsmn is compiled into every binary and image (firmware/job_record.c, include/m2m_jsmn.h).
NOTICES := jsmn
# A static Linux binary holds every library it links and the C library; the LGPL's text goes
# with glibc. Paho's plain variant (MQTT_TLS=0) brings no OpenSSL.
ifeq ($(BOARD_PORT)$(STATIC),posix1)
NOTICES += inih paho-mqtt-c mbedtls $(if $(filter 0,$(MQTT_TLS)),,openssl) glibc LGPL-2.1
endif
# A firmware image's own libraries (BOARD_NOTICES: boards/mps2-an386.mk).
NOTICES += $(BOARD_NOTICES)

NOTICE_jsmn ?= /usr/share/doc/libjsmn-dev/copyright
NOTICE_inih ?= /usr/share/doc/libinih-dev/copyright
NOTICE_paho-mqtt-c ?= /usr/share/doc/libpaho-mqtt-dev/copyright
NOTICE_mbedtls ?= /usr/share/doc/libmbedtls-dev/copyright
NOTICE_openssl ?= /usr/share/doc/libssl-dev/copyright
# A cross board's static C library is Debian's cross glibc (libc6-dev-<arch>-cross).
NOTICE_glibc ?= /usr/share/doc/libc6$(if $(BOARD_ARCH),-$(BOARD_ARCH)-cross)/copyright
NOTICE_LGPL-2.1 ?= /usr/share/common-licenses/LGPL-2.1

# copy_notices,DIR: every notice of NOTICES into DIR, mode 0644, named after its component.
copy_notices = for p in $(foreach n,$(NOTICES),$(n)=$(NOTICE_$(n))); do \
	  n=$${p%%=*}; f=$${p\#*=}; \
	  if [ ! -r "$$f" ]; then echo "no license notice for $$n: $$f is missing; run $(DEPS_HINT)" \
	    "or name one with NOTICE_$$n=FILE (docs/licenses.md)" >&2; exit 1; fi; \
	  case $$f in *.h) sed -n '1,/\*\//p' "$$f" ;; *) cat "$$f" ;; esac >$(1)/$$n.tmp && \
	  chmod 0644 $(1)/$$n.tmp && mv $(1)/$$n.tmp $(1)/$$n || exit 1; done

.PHONY: notices
notices:
	rm -rf $(BUILD)/licenses
	mkdir -p $(BUILD)/licenses
	cp LICENSE $(BUILD)/licenses/LICENSE
	@$(call copy_notices,$(BUILD)/licenses)
	@echo "$(BUILD)/licenses: LICENSE $(NOTICES)"
