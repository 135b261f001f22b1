/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.c - the command line: usage and the options (daemon.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

void print_usage(FILE *out)
{
    fprintf(out, "Usage: " PROGRAM " [-c FILE] [--once] [--dry-run] [--check-config]\n"
                 "                      [--set SECTION.KEY=VALUE]... [-v|-q] [--version] [--help]\n"
                 "\n"
                 "Polls the ModelArts training job list and publishes job status to MQTT.\n"
                 "\n"
                 "  -c FILE         INI configuration (default " CONFIG_DEFAULT_FILE ")\n"
                 "  --once          one full poll, publish, disconnect, exit\n"
                 "  --dry-run       no broker: one poll, each message that would be published\n"
                 "                  printed on one line, then exit (implies --once)\n"
                 "  --check-config  validate the configuration and exit\n"
                 "  --set S.K=V     override key K of section S after the file (repeatable);\n"
                 "                  S.K splits at the last dot: modelarts.NAME.K is a key of\n"
                 "                  the project section [modelarts.NAME]\n"
                 "  -v              debug log\n"
                 "  -q              only warnings and errors\n"
                 "  --version       print the version and exit\n"
                 "  --help          print this help and exit\n"
                 "\n"
                 "Secrets may come from the environment: MODELARTS_TOKEN, MODELARTS_AK,\n"
                 "MODELARTS_SK, MODELARTS_PASSWORD, MQTT_PASSWORD (--set wins over the\n"
                 "environment, which wins over the file).\n"
                 "\n"
                 "Exit codes: 0 success, 1 transient failure (network, TLS, HTTP 5xx/408/429,\n"
                 "bad body, broker unreachable), 2 usage or configuration error (broker refused\n"
                 "the credentials included), 3 the API refused (other 4xx, redirect,\n"
                 "is_success false). With several projects, --once exits with the most severe:\n"
                 "2, then 3, then 1, then 0.\n"
                 "Signals: SIGINT/SIGTERM publish offline and exit 0; SIGHUP rereads the file.\n");
}

void print_version(FILE *out)
{
    fprintf(out, "%s %s\n", PROGRAM, M2M_VERSION);
#if M2M_MQTT_TLS
    fprintf(out, "MQTT over TLS: yes (ssl:// and mqtts:// brokers; Paho MQTT C with OpenSSL)\n");
#else
    fprintf(out, "MQTT over TLS: no (built with MQTT_TLS=0: tcp:// and mqtt:// brokers only)\n");
#endif
}

static int usage_error(const char *message, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\nTry '%s --help'.\n", PROGRAM, message, arg != NULL ? " " : "",
            arg != NULL ? arg : "", PROGRAM);
    return M2M_POLL_CONFIG;
}

int parse_args(int argc, char **argv, options_t *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->sets = calloc((size_t)argc, sizeof *o->sets);
    if (o->sets == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        return M2M_POLL_TRANSIENT;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                return usage_error("option -c needs a file name", NULL);
            }
            o->config_path = argv[++i];
        } else if (strcmp(a, "--once") == 0) {
            o->once = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
        } else if (strcmp(a, "--check-config") == 0) {
            o->check_config = 1;
        } else if (strcmp(a, "--set") == 0) {
            if (i + 1 >= argc) {
                return usage_error("option --set needs SECTION.KEY=VALUE", NULL);
            }
            o->sets[o->n_sets++] = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            o->sets[o->n_sets++] = a + 6;
        } else if (strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--version") == 0) {
            o->version = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
        } else if (a[0] == '-') {
            /* Only the option's name: "--token=..." must not be echoed. */
            char name[32];
            size_t n = strcspn(a, "=");
            snprintf(name, sizeof name, "%.*s", (int)(n < 24 ? n : 24), a);
            return usage_error("unknown option", name);
        } else {
            return usage_error("unexpected argument (options start with -)", NULL);
        }
    }
    /* A dry run is a preview: printing every poll forever helps nobody. */
    if (o->dry_run) {
        o->once = 1;
    }
    if (o->verbose && o->quiet) {
        return usage_error("-v and -q exclude each other", NULL);
    }
    return -1;
}
