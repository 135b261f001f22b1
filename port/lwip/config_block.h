/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_block.h - the device's configuration, kept in a block of flash.
 *
 * A microcontroller has no file system: its settings and secrets are
 * provisioned into a flash sector, and the firmware reads them in place.
 * The block holds entries "key=value", each ended by a NUL byte, and an
 * empty entry (a second NUL) after the last; the first entry is
 * "format=m2m-config-1", so that erased flash (0xFF) or another layout is
 * refused. Values are used where they lie: the parsed configuration points
 * into the block, which must stay mapped (flash does) for as long as the
 * agent runs. The CA bundle is the value of ca_pem, PEM text with its
 * newlines.
 *
 * config_block_from_text() turns the human form (the tests' files, a
 * provisioning tool's input) into the block form:
 *
 *   # a comment line        (lines starting with '#' or ';')
 *   key = value             (blanks around key and value are dropped)
 *   -----BEGIN CERTIFICATE-----
 *   ...                     (from the first "-----BEGIN" line to the end
 *                            of the text: ca_pem)
 *
 * Keys, their defaults and ranges (seconds unless said):
 *   endpoint_host     API host name: SNI, certificate check, Host header
 *   endpoint_port     443
 *   endpoint_address  dotted address endpoint_host resolves to without a
 *                     DNS query (lwIP's local host list); optional
 *   project_id        required
 *   auth              aksk (default) | token
 *   token             auth = token
 *   ak, sk            auth = aksk; security_token optional
 *   ca_pem            required (the PEM lines, see above)
 *   broker_host       MQTT broker address or name, required
 *   broker_port       1883
 *   client_id         modelarts2mqtt-<agent_id>
 *   mqtt_username, mqtt_password   optional
 *   keepalive         30 (0..65535)
 *   base_topic        modelarts
 *   agent_id          required, [A-Za-z0-9_-]+
 *   qos               1 (0..2)
 *   poll_interval     30 (1..86400)
 *   per_page          100 (1..1000)
 *   status, search_content, workspace_id, sort_by, order
 *                     the list call's filters and order (docs/configuration.md),
 *                     sent when set
 *   max_jobs          1000 (1..the image's table capacity)
 *   timeout           10 (1..300): each network operation
 *   heartbeat         300 (0..86400): summary and health at least this often
 *   sntp_server       required: address or name of an NTP server
 *   sntp_port         123
 *   sntp_timeout      0 (0..3600): give up when SNTP has not answered in
 *                     this long; 0: wait for ever
 *   log_level         info (error | warning | info | debug)
 *   max_polls         0 (0..1000000): stop after this many polls; 0: never
 *   control_file      a file the board looks for between polls (the
 *                     emulated board: a host file through semihosting);
 *                     once it exists the agent stops cleanly; optional
 */
#ifndef PORT_LWIP_CONFIG_BLOCK_H
#define PORT_LWIP_CONFIG_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

/* The first entry of every block. */
#define CONFIG_BLOCK_FORMAT "m2m-config-1"

typedef enum {
    CONFIG_BLOCK_OK = 0,
    CONFIG_BLOCK_ERR_FORMAT = -1,  /* no format entry first, or no end */
    CONFIG_BLOCK_ERR_KEY = -2,     /* an unknown key */
    CONFIG_BLOCK_ERR_VALUE = -3,   /* a value out of its range or form */
    CONFIG_BLOCK_ERR_MISSING = -4, /* a required key is absent */
    CONFIG_BLOCK_ERR_SPACE = -5    /* the text does not fit the block */
} config_block_status_t;

typedef struct {
    const char *endpoint_host;
    uint32_t endpoint_port;       /* 1..65535 */
    const char *endpoint_address; /* NULL: resolve endpoint_host by DNS */
    const char *project_id;
    m2m_auth_t auth;
    const char *token;
    const char *ak;
    const char *sk;
    const char *security_token;
    const char *ca_pem;
    const char *broker_host;
    uint32_t broker_port; /* 1..65535 */
    const char *client_id;
    const char *mqtt_username;
    const char *mqtt_password;
    uint32_t keepalive_s; /* 0..65535 */
    const char *base_topic;
    const char *agent_id;
    uint32_t qos; /* 0..2 */
    uint32_t poll_interval_s;
    uint32_t per_page;
    const char *status;
    const char *search_content;
    const char *workspace_id;
    const char *sort_by;
    const char *order;
    uint32_t max_jobs;
    uint32_t timeout_s;
    uint32_t heartbeat_s;
    const char *sntp_server;
    uint32_t sntp_port; /* 1..65535 */
    uint32_t sntp_timeout_s;
    m2m_log_level_t log_level;
    uint32_t max_polls;
    const char *control_file;
    char client_id_buf[96]; /* the default client id, built here */
    char bad_key[24];       /* after an error: the key at fault (a name,
                               never a value: values may be secrets) */
} config_block_t;

/* Parse the block at block (size bytes at most) into cfg, defaults first.
 * max_jobs_cap is the largest max_jobs the image's table holds. Returns
 * CONFIG_BLOCK_OK, or an error with cfg->bad_key naming the key at fault
 * (the format errors aside). */
config_block_status_t config_block_parse(const char *block, size_t size, uint32_t max_jobs_cap,
                                         config_block_t *cfg);

/* Turn text_len bytes of the human form, stored at buf + text_offset, into
 * the block form starting at buf (cap bytes in all), in place: the
 * conversion writes behind what it reads, which text_offset >= 32 keeps
 * true (the format entry and the "ca_pem=" prefix are the only growth).
 * Returns the block's length in bytes, or CONFIG_BLOCK_ERR_SPACE. */
long config_block_from_text(char *buf, size_t cap, size_t text_offset, size_t text_len);

#endif /* PORT_LWIP_CONFIG_BLOCK_H */
