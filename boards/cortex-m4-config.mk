# SPDX-License-Identifier: Apache-2.0
# boards/cortex-m4-config.mk - the core's default microcontroller configuration.
#
# Read by boards/cortex-m4.mk, which builds it and holds it to the budgets (make size), and
# by tests/tests.mk, which runs the unit tests on the same code on the host (build/host-mcu,
# with ASan/UBSan), so the smaller code forms are tested, not only measured.
#
# The options of include/m2m_defaults.h that a microcontroller sets: AK/SK signing stays (a
# board runs unattended, and tokens expire within a day); IAM passwords and the error
# sentences go; 16 jobs may wait for their acknowledgement (512 bytes of the context, and the
# window of lwIP's MQTT client is small anyway).
M4_FEATURES := -DM2M_WITH_AKSK=1 -DM2M_WITH_IAM_PASSWORD=0 -DM2M_STRERROR_TEXT=0 \
               -DM2M_PUBLISH_WINDOW=16 -DM2M_WITH_V2=0 -DM2M_FAST_DIFF=0
# The core's hot paths in their smaller form (a table walk instead of a switch, loops not
# unrolled); the Linux boards, held to a CPU budget, keep the faster forms.
M4_SIZE_FORMS := -DM2M_OPTIMIZE_SIZE=1
# The unit tests of the modules these options remove do not apply to this configuration.
M4_UNTESTED_UNITS := test_iam_token
