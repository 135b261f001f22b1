# SPDX-License-Identifier: Apache-2.0
SUMMARY = "ModelArts training job status to MQTT for edge gateways"
DESCRIPTION = "A small agent that polls the ModelArts training job list over HTTPS (mbedTLS) \
and publishes job status to an MQTT broker (Paho MQTT C)."
HOMEPAGE = "https://example.invalid/modelarts2mqtt"
SECTION = "net"
# The project is Apache-2.0; jsmn.h (below), compiled into the binary, is MIT.
LICENSE = "Apache-2.0 & MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=3b83ef96387f14655fc854ddc3c6bd57 \
                    file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

# mbedtls: meta-networking; paho-mqtt-c and libinih: meta-oe. meta-oe's paho-mqtt-c builds
# with OpenSSL, which its TLS variant (libpaho-mqtt3cs, linked by the agent) needs.
DEPENDS = "mbedtls paho-mqtt-c libinih openssl"

# The release tarball (make dist), and jsmn: one header that no layer carries, the upstream
# release tag's jsmn.h, fetched next to the source and put on the include path.
SRC_URI = "https://example.invalid/modelarts2mqtt/releases/modelarts2mqtt-${PV}.tar.gz \
           https://raw.githubusercontent.com/zserge/jsmn/v1.1.0/jsmn.h;name=jsmn;subdir=third_party \
           "
# The tarball's: make dist writes a copy of this recipe with it filled in (docs/packaging.md).
SRC_URI[sha256sum] = "@DIST_SHA256@"
# jsmn.h of v1.1.0: the file of Debian's jsmn_1.1.0.orig.tar.gz (libjsmn-dev).
SRC_URI[jsmn.sha256sum] = "1ed6154dedf009212a08a397e9c4ed50a0ce31d5a8301bb294e137ae3188c13b"

S = "${WORKDIR}/modelarts2mqtt-${PV}"

inherit systemd

SYSTEMD_SERVICE:${PN} = "modelarts2mqtt.service"
# The service needs project_id and credentials first.
SYSTEMD_AUTO_ENABLE:${PN} = "disable"

# The environment holds CC, AR, CFLAGS and LDFLAGS with --sysroot; passed explicitly so that
# the Makefile's own defaults never win. -Werror stays on: a new compiler warning fails the
# build, as in the project's CI.
EXTRA_OEMAKE = " \
    BOARD=host \
    'CC=${CC}' 'AR=${AR}' 'STRIP=${STRIP}' \
    'CFLAGS=${CFLAGS}' 'CPPFLAGS=${CPPFLAGS} -I${WORKDIR}/third_party' 'LDFLAGS=${LDFLAGS}' \
    NOTICE_jsmn=${WORKDIR}/third_party/jsmn.h \
    PREFIX=${prefix} SYSCONFDIR=${sysconfdir} \
    SYSTEMDUNITDIR=${systemd_system_unitdir} \
    SYSUSERSDIR=${nonarch_libdir}/sysusers.d TMPFILESDIR=${nonarch_libdir}/tmpfiles.d \
    "

do_compile() {
    oe_runmake
}

do_install() {
    oe_runmake install DESTDIR=${D}
}

FILES:${PN} += "${nonarch_libdir}/sysusers.d ${nonarch_libdir}/tmpfiles.d"
CONFFILES:${PN} = "${sysconfdir}/modelarts2mqtt/modelarts2mqtt.conf"
RDEPENDS:${PN} = "ca-certificates"

# The service user (User=modelarts2mqtt) on images without systemd-sysusers at first boot.
inherit useradd
USERADD_PACKAGES = "${PN}"
USERADD_PARAM:${PN} = "--system --no-create-home --home-dir / --shell /sbin/nologin \
                       --user-group modelarts2mqtt"

pkg_postinst:${PN}() {
    chown modelarts2mqtt:modelarts2mqtt $D${sysconfdir}/modelarts2mqtt/modelarts2mqtt.conf
}
