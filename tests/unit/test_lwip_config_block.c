/* SPDX-License-Identifier: Apache-2.0 */
/* test_lwip_config_block.c - the microcontroller's configuration block
 * (port/lwip/config_block.c): the human form turned into the flash form in
 * place, and the flash form parsed with its defaults, ranges and required
 * keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../port/lwip/config_block.c"

#define OFFSET 64u
#define CAP 4096u

static const char pem[] = "-----BEGIN CERTIFICATE-----\n"
                          "MIIBszCCAVmgAwIBAgIUQk\n"
                          "-----END CERTIFICATE-----\n";

static char block[CAP];

/* text into block at OFFSET, converted; returns the block's length. */
static long convert(const char *text)
{
    size_t n = strlen(text);
    memset(block, 0x55, sizeof block);
    assert_true(OFFSET + n <= sizeof block);
    memcpy(block + OFFSET, text, n);
    return config_block_from_text(block, sizeof block, OFFSET, n);
}

static config_block_status_t parse_text(const char *text, config_block_t *cfg)
{
    long size = convert(text);
    assert_true(size > 0);
    return config_block_parse(block, (size_t)size, 1000, cfg);
}

#define REQUIRED                                                                                   \
    "endpoint_host = api.example\n"                                                                \
    "project_id = p1\n"                                                                            \
    "ak = AK1\n"                                                                                   \
    "sk = SK1\n"                                                                                   \
    "broker_host = 10.0.2.2\n"                                                                     \
    "agent_id = board-1\n"                                                                         \
    "sntp_server = 10.0.2.2\n"

static void the_human_form_becomes_entries_in_place(void **state)
{
    static const char text[] = "# a comment\r\n"
                               "; another\n"
                               "\n"
                               "  endpoint_host   =   api.example  \r\n"
                               "token=a=b;c#d\n"
                               "-----BEGIN CERTIFICATE-----\n"
                               "MIIB\n"
                               "-----END CERTIFICATE-----";
    static const char want[] = "format=m2m-config-1\0endpoint_host=api.example\0token=a=b;c#d\0"
                               "ca_pem=-----BEGIN CERTIFICATE-----\nMIIB\n"
                               "-----END CERTIFICATE-----\0";
    long size;
    (void)state;
    size = convert(text);
    assert_int_equal(size, sizeof want);
    assert_memory_equal(block, want, sizeof want);
}

static void a_complete_block_parses_with_its_defaults(void **state)
{
    char text[1024];
    config_block_t cfg;
    (void)state;
    strcpy(text, REQUIRED "endpoint_address = 10.0.2.2\nper_page = 1000\npoll_interval=2\n"
                          "log_level = debug\nmax_polls = 3\n");
    strcat(text, pem);
    assert_int_equal(parse_text(text, &cfg), CONFIG_BLOCK_OK);
    assert_string_equal(cfg.endpoint_host, "api.example");
    assert_string_equal(cfg.endpoint_address, "10.0.2.2");
    assert_int_equal(cfg.per_page, 1000);
    assert_int_equal(cfg.poll_interval_s, 2);
    assert_int_equal(cfg.log_level, M2M_LOG_DEBUG);
    assert_int_equal(cfg.max_polls, 3);
    /* Defaults. */
    assert_int_equal(cfg.auth, M2M_AUTH_AKSK);
    assert_int_equal(cfg.endpoint_port, 443);
    assert_int_equal(cfg.broker_port, 1883);
    assert_int_equal(cfg.sntp_port, 123);
    assert_int_equal(cfg.qos, 1);
    assert_int_equal(cfg.max_jobs, 1000);
    assert_int_equal(cfg.timeout_s, 10);
    assert_int_equal(cfg.heartbeat_s, 300);
    assert_string_equal(cfg.base_topic, "modelarts");
    assert_string_equal(cfg.client_id, "modelarts2mqtt-board-1");
    assert_null(cfg.control_file);
}

static void the_ca_bundle_keeps_its_newlines(void **state)
{
    char text[1024];
    config_block_t cfg;
    (void)state;
    strcpy(text, REQUIRED);
    strcat(text, pem);
    assert_int_equal(parse_text(text, &cfg), CONFIG_BLOCK_OK);
    assert_string_equal(cfg.ca_pem, pem);
}

static void a_block_without_a_ca_is_incomplete(void **state)
{
    config_block_t cfg;
    (void)state;
    assert_int_equal(parse_text(REQUIRED, &cfg), CONFIG_BLOCK_ERR_MISSING);
    assert_string_equal(cfg.bad_key, "ca_pem");
}

static void each_required_key_is_named_when_missing(void **state)
{
    static const char *const keys[] = {"endpoint_host", "project_id", "broker_host", "agent_id",
                                       "sntp_server",   "ak",         "sk"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char text[1024];
        char *line;
        config_block_t cfg;
        strcpy(text, REQUIRED);
        strcat(text, pem);
        /* Comment the key's line out. */
        line = strstr(text, keys[i]);
        assert_non_null(line);
        *line = '#';
        assert_int_equal(parse_text(text, &cfg), CONFIG_BLOCK_ERR_MISSING);
        if (strcmp(keys[i], "endpoint_host") != 0) {
            assert_string_equal(cfg.bad_key, keys[i]);
        }
    }
}

static void the_auth_method_decides_which_secrets_are_required(void **state)
{
    config_block_t cfg;
    (void)state;
    assert_int_equal(parse_text("endpoint_host=h\nproject_id=p\nbroker_host=b\nagent_id=a\n"
                                "sntp_server=s\nauth=token\n"
                                "-----BEGIN x\n",
                                &cfg),
                     CONFIG_BLOCK_ERR_MISSING);
    assert_string_equal(cfg.bad_key, "token");
    assert_int_equal(parse_text("endpoint_host=h\nproject_id=p\nbroker_host=b\nagent_id=a\n"
                                "sntp_server=s\nauth=token\ntoken=T\n-----BEGIN x\n",
                                &cfg),
                     CONFIG_BLOCK_OK);
    assert_int_equal(cfg.auth, M2M_AUTH_TOKEN);
}

static void values_out_of_range_name_the_key_never_the_value(void **state)
{
    static const struct {
        const char *line;
        const char *key;
        config_block_status_t st;
    } cases[] = {
        {"per_page = 0\n", "per_page", CONFIG_BLOCK_ERR_VALUE},
        {"per_page = 1001\n", "per_page", CONFIG_BLOCK_ERR_VALUE},
        {"qos = 3\n", "qos", CONFIG_BLOCK_ERR_VALUE},
        {"qos = secret\n", "qos", CONFIG_BLOCK_ERR_VALUE},
        {"broker_port = 65536\n", "broker_port", CONFIG_BLOCK_ERR_VALUE},
        {"endpoint_port = 0\n", "endpoint_port", CONFIG_BLOCK_ERR_VALUE},
        {"poll_interval = 99999999999\n", "poll_interval", CONFIG_BLOCK_ERR_VALUE},
        {"max_jobs = 1001\n", "max_jobs", CONFIG_BLOCK_ERR_VALUE},
        {"auth = password\n", "auth", CONFIG_BLOCK_ERR_VALUE},
        {"log_level = loud\n", "log_level", CONFIG_BLOCK_ERR_VALUE},
        {"agent_id = a/b\n", "agent_id", CONFIG_BLOCK_ERR_VALUE},
        {"insecure = true\n", "insecure", CONFIG_BLOCK_ERR_KEY},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        config_block_t cfg;
        strcpy(text, REQUIRED);
        strcat(text, cases[i].line);
        strcat(text, pem);
        assert_int_equal(parse_text(text, &cfg), cases[i].st);
        assert_string_equal(cfg.bad_key, cases[i].key);
    }
}

static void erased_or_unended_flash_is_not_a_block(void **state)
{
    config_block_t cfg;
    long size;
    (void)state;
    memset(block, 0xFF, sizeof block);
    assert_int_equal(config_block_parse(block, sizeof block, 1000, &cfg), CONFIG_BLOCK_ERR_FORMAT);
    size = convert(REQUIRED);
    assert_true(size > 2);
    /* Cut before the empty entry that ends it. */
    assert_int_equal(config_block_parse(block, (size_t)size - 1, 1000, &cfg),
                     CONFIG_BLOCK_ERR_FORMAT);
}

static void text_that_cannot_become_a_block_is_refused(void **state)
{
    static const char no_equals[] = "endpoint_host api.example\n";
    char small[48];
    (void)state;
    assert_int_equal(convert(no_equals), CONFIG_BLOCK_ERR_FORMAT);
    /* Too little room in front of the text, or in all. */
    memcpy(block + 8, "a=b\n", 4);
    assert_int_equal(config_block_from_text(block, sizeof block, 8, 4), CONFIG_BLOCK_ERR_SPACE);
    /* Text that does not fit the block. */
    assert_int_equal(config_block_from_text(small, sizeof small, 32, 17), CONFIG_BLOCK_ERR_SPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_human_form_becomes_entries_in_place),
        cmocka_unit_test(a_complete_block_parses_with_its_defaults),
        cmocka_unit_test(the_ca_bundle_keeps_its_newlines),
        cmocka_unit_test(a_block_without_a_ca_is_incomplete),
        cmocka_unit_test(each_required_key_is_named_when_missing),
        cmocka_unit_test(the_auth_method_decides_which_secrets_are_required),
        cmocka_unit_test(values_out_of_range_name_the_key_never_the_value),
        cmocka_unit_test(erased_or_unended_flash_is_not_a_block),
        cmocka_unit_test(text_that_cannot_become_a_block_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
