/* test_config.c - config_load: defaults, the KEY=VALUE file, the environment on top,
 * and refusal of what an operator may mistype. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static const char *all_names[] = {
    "PORTAL_CONFIG",
    "PORTAL_HTTP",
    "PORTAL_WS",
    "PORTAL_DB_URL",
    "PORTAL_DATA_DIR",
    "PORTAL_WWW_DIR",
    "PORTAL_NODE_MODULES",
    "PORTAL_ACCESS_LOG",
    "PORTAL_WS_ORIGINS",
    "PORTAL_THREADS",
    "PORTAL_MAX_BODY",
    "PORTAL_MAX_UPLOAD",
    "PORTAL_REQUEST_TIMEOUT_MS",
    "PORTAL_DB_TIMEOUT",
    "PORTAL_SCHEDULER_INTERVAL",
};

static char config_file[64];

/* Every case starts from an environment without portal settings. */
static int clean_env(void **state)
{
    for (size_t i = 0; i < sizeof all_names / sizeof all_names[0]; i++)
        unsetenv(all_names[i]);
    config_file[0] = '\0';
    return 0;
}

static int remove_file(void **state)
{
    if (config_file[0])
        unlink(config_file);
    return clean_env(state);
}

/* Writes text to a temporary file and points PORTAL_CONFIG at it. */
static void write_config(const char *text)
{
    snprintf(config_file, sizeof config_file, "/tmp/portal-config-XXXXXX");
    int fd = mkstemp(config_file);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    setenv("PORTAL_CONFIG", config_file, 1);
}

static void defaults(void **state)
{
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "127.0.0.1:8080");
    assert_string_equal(config.ws_listen, "127.0.0.1:8081");
    assert_string_equal(config.db_url, "");
    assert_string_equal(config.data_dir, "var");
    assert_string_equal(config.access_log, "-");
    assert_non_null(strstr(config.ws_origins, "http://127.0.0.1:8080"));
    size_t wl = strlen(config.www_dir);
    assert_true(wl >= 4 && strcmp(config.www_dir + wl - 4, "/www") == 0);
    assert_int_equal(config.threads, 96);
    assert_int_equal(config.max_body, 1048576);
    assert_int_equal(config.max_upload, 52428800);
    assert_int_equal(config.request_timeout_ms, 10000);
    assert_int_equal(config.body_min_rate, 8192);
    assert_int_equal(config.conn_per_addr, 32);
    assert_string_equal(config.trusted_proxies, "127.0.0.1,::1");
    assert_int_equal(config.db_timeout_s, 2);
    assert_int_equal(config.scheduler_interval_s, 30);
}

static void environment_overrides(void **state)
{
    setenv("PORTAL_HTTP", "0.0.0.0:9090", 1);
    setenv("PORTAL_DB_URL", "mariadb://u:p@db:3306/crm", 1);
    setenv("PORTAL_THREADS", "8", 1);
    setenv("PORTAL_MAX_UPLOAD", "10M", 1);
    setenv("PORTAL_DB_TIMEOUT", "5", 1);
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "0.0.0.0:9090");
    assert_string_equal(config.db_url, "mariadb://u:p@db:3306/crm");
    assert_int_equal(config.threads, 8);
    assert_int_equal(config.max_upload, 10u << 20);
    assert_int_equal(config.db_timeout_s, 5);
    assert_string_equal(config.ws_listen, "127.0.0.1:8081"); /* untouched: default */
}

static void file_key_value(void **state)
{
    write_config("# portal settings\n"
                 "\n"
                 "PORTAL_HTTP=127.0.0.1:7000\n"
                 "   # an indented comment\n"
                 "  PORTAL_WS = 127.0.0.1:7001  \n"
                 "PORTAL_DATA_DIR=\"/srv/portal data\"\n"
                 "PORTAL_ACCESS_LOG='off'\n"
                 "PORTAL_WS_ORIGINS=\"https://a.example,https://b.example\"\n"
                 "PORTAL_DB_URL=mariadb://u:p%3D@h/db?socket=/run/x.sock\n"
                 "PORTAL_THREADS=16\n"
                 "PORTAL_MAX_BODY=64K\n"
                 "PORTAL_SCHEDULER_INTERVAL=5\n");
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "127.0.0.1:7000");
    assert_string_equal(config.ws_listen, "127.0.0.1:7001");
    assert_string_equal(config.data_dir, "/srv/portal data");
    assert_string_equal(config.access_log, "off");
    assert_string_equal(config.ws_origins, "https://a.example,https://b.example");
    assert_string_equal(config.db_url, "mariadb://u:p%3D@h/db?socket=/run/x.sock");
    assert_int_equal(config.threads, 16);
    assert_int_equal(config.max_body, 64 * 1024);
    assert_int_equal(config.scheduler_interval_s, 5);
}

static void environment_beats_file(void **state)
{
    write_config("PORTAL_HTTP=127.0.0.1:7000\nPORTAL_THREADS=16\n");
    setenv("PORTAL_HTTP", "127.0.0.1:7777", 1);
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "127.0.0.1:7777");
    assert_int_equal(config.threads, 16);
}

static void file_unknown_key_rejected(void **state)
{
    write_config("PORTAL_HTTP=127.0.0.1:7000\nPORTAL_HTTPS=127.0.0.1:443\n");
    assert_int_equal(config_load(), -1);
}

static void file_line_without_equals_rejected(void **state)
{
    write_config("PORTAL_HTTP 127.0.0.1:7000\n");
    assert_int_equal(config_load(), -1);
}

static void missing_file_rejected(void **state)
{
    setenv("PORTAL_CONFIG", "/nonexistent/portal.conf", 1);
    assert_int_equal(config_load(), -1);
}

static void bad_numbers_rejected(void **state)
{
    static const char *bad_int[] = {"abc", "12x", "-5", "", " ", "1.5", "0x10", "99999999999"};
    for (size_t i = 0; i < sizeof bad_int / sizeof bad_int[0]; i++) {
        setenv("PORTAL_THREADS", bad_int[i], 1);
        if (config_load() != -1)
            fail_msg("PORTAL_THREADS=\"%s\" was accepted", bad_int[i]);
    }
    /* A valid value again, so a failure below can only come from the size. */
    setenv("PORTAL_THREADS", "8", 1);
    assert_int_equal(config_load(), 0);
    /* " -1": strtoull skips the blank and wraps -1 to the largest size, which would
     * switch the limit off. */
    static const char *bad_size[] = {"",    "K",  "10X", "-1",  "1KB",   "1.5M",
                                     "1 M", "M1", "1T",  " -1", "\t-5K", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
        setenv("PORTAL_MAX_BODY", bad_size[i], 1);
        if (config_load() != -1)
            fail_msg("PORTAL_MAX_BODY=\"%s\" was accepted", bad_size[i]);
    }
}

/* A size whose suffix multiplies it past 64 bits must be refused, not wrap around to
 * a tiny (or zero) limit. */
static void size_overflow_rejected(void **state)
{
    static const char *bad[] = {"17179869184G", "18446744073709551615K", "36028797018963968M"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("PORTAL_MAX_UPLOAD", bad[i], 1);
        int rc = config_load();
        if (rc != -1)
            fail_msg("PORTAL_MAX_UPLOAD=%s was accepted as %zu bytes", bad[i], config.max_upload);
    }
}

static void sizes_with_suffixes(void **state)
{
    static const struct {
        const char *text;
        size_t bytes;
    } cases[] = {
        {"0", 0},         {"512", 512},     {"10K", 10240},          {"10k", 10240},
        {"2M", 2u << 20}, {"2m", 2u << 20}, {"1G", (size_t)1 << 30}, {"3g", (size_t)3 << 30},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("PORTAL_MAX_UPLOAD", cases[i].text, 1);
        assert_int_equal(config_load(), 0);
        if (config.max_upload != cases[i].bytes)
            fail_msg("%s gave %zu bytes, expected %zu", cases[i].text, config.max_upload,
                     cases[i].bytes);
    }
}

static void small_values_clamped(void **state)
{
    setenv("PORTAL_THREADS", "1", 1);
    setenv("PORTAL_DB_TIMEOUT", "0", 1);
    assert_int_equal(config_load(), 0);
    assert_int_equal(config.threads, 2);
    assert_int_equal(config.db_timeout_s, 1);
}

/* Loading again starts from the defaults: a setting removed from the environment (or
 * the file) does not linger from the previous load. */
static void reload_forgets_removed_settings(void **state)
{
    setenv("PORTAL_HTTP", "0.0.0.0:1234", 1);
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "0.0.0.0:1234");
    unsetenv("PORTAL_HTTP");
    assert_int_equal(config_load(), 0);
    assert_string_equal(config.http_listen, "127.0.0.1:8080");
}

static void print_hides_db_password(void **state)
{
    setenv("PORTAL_DB_URL", "mariadb://crm:s3cret-pw@db:3306/crm", 1);
    assert_int_equal(config_load(), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    config_print(f);
    fclose(f);
    assert_null(strstr(text, "s3cret-pw"));
    assert_non_null(strstr(text, "PORTAL_DB_URL="));
    assert_non_null(strstr(text, "PORTAL_HTTP=127.0.0.1:8080\n"));
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    config_print_help(f);
    fclose(f);
    for (size_t i = 0; i < sizeof all_names / sizeof all_names[0]; i++)
        if (!strstr(text, all_names[i]))
            fail_msg("help does not mention %s", all_names[i]);
    free(text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(environment_overrides, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(file_key_value, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(environment_beats_file, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(file_unknown_key_rejected, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(file_line_without_equals_rejected, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(missing_file_rejected, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(bad_numbers_rejected, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(size_overflow_rejected, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(sizes_with_suffixes, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(small_values_clamped, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(reload_forgets_removed_settings, clean_env, remove_file),
        cmocka_unit_test_setup_teardown(print_hides_db_password, clean_env, remove_file),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
