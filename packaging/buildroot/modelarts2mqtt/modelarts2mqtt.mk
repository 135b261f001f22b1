# SPDX-License-Identifier: Apache-2.0
################################################################################
#
# modelarts2mqtt
#
################################################################################

MODELARTS2MQTT_VERSION = 0.1.0
# The release tarball of the project (make dist). The copy of this directory that make dist
# writes next to the tarball names the release's location and carries the tarball's sha256 in
# modelarts2mqtt.hash (docs/packaging.md). For a local tree use
# MODELARTS2MQTT_OVERRIDE_SRCDIR = /path/to/modelarts2mqtt in local.mk.
MODELARTS2MQTT_SITE = https://example.invalid/modelarts2mqtt/releases
MODELARTS2MQTT_SOURCE = modelarts2mqtt-$(MODELARTS2MQTT_VERSION).tar.gz
# jsmn.h (below) is compiled into the binary: its MIT license comes along.
MODELARTS2MQTT_LICENSE = Apache-2.0, MIT (jsmn.h)
MODELARTS2MQTT_LICENSE_FILES = LICENSE
MODELARTS2MQTT_DEPENDENCIES = mbedtls paho-mqtt-c openssl libinih

# jsmn is one header and Buildroot has no jsmn package: the header of the upstream release
# tag is downloaded next to the source (its sha256 is in modelarts2mqtt.hash) and handed to the
# compiler through CPPFLAGS; make install installs its license comment (NOTICE_jsmn).
MODELARTS2MQTT_JSMN_VERSION = v1.1.0
MODELARTS2MQTT_EXTRA_DOWNLOADS = \
	https://raw.githubusercontent.com/zserge/jsmn/$(MODELARTS2MQTT_JSMN_VERSION)/jsmn.h

define MODELARTS2MQTT_COPY_JSMN
	mkdir -p $(@D)/third_party
	cp $(MODELARTS2MQTT_DL_DIR)/jsmn.h $(@D)/third_party/jsmn.h
endef
MODELARTS2MQTT_POST_EXTRACT_HOOKS += MODELARTS2MQTT_COPY_JSMN

# BOARD=host: the machine the toolchain targets, with no board defaults of its own.
MODELARTS2MQTT_MAKE_OPTS = \
	BOARD=host \
	CC="$(TARGET_CC)" \
	AR="$(TARGET_AR)" \
	STRIP="$(TARGET_STRIP)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	CPPFLAGS="-I$(@D)/third_party" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	NOTICE_jsmn=$(@D)/third_party/jsmn.h \
	PREFIX=/usr

define MODELARTS2MQTT_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(MODELARTS2MQTT_MAKE_OPTS)
endef

# make install: binary, example configuration (0600, kept when it exists), docs and license
# notices, man pages, systemd unit, sysusers.d and tmpfiles.d files. Buildroot strips the binary
# itself.
define MODELARTS2MQTT_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(MODELARTS2MQTT_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install
endef

# Without systemd, the SysV/BusyBox script (plain POSIX shell, pidfile).
define MODELARTS2MQTT_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/packaging/sysv/modelarts2mqtt.init \
		$(TARGET_DIR)/etc/init.d/S95modelarts2mqtt
endef

# The unit itself comes with make install; the user it runs as is created by Buildroot.
define MODELARTS2MQTT_USERS
	modelarts2mqtt -1 modelarts2mqtt -1 * - - - modelarts2mqtt agent
endef

define MODELARTS2MQTT_PERMISSIONS
	/etc/modelarts2mqtt/modelarts2mqtt.conf f 0600 modelarts2mqtt modelarts2mqtt - - - - -
endef

$(eval $(generic-package))
