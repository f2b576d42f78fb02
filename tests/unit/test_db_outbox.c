/* test_db_outbox.c - outbox_append: an event commits or vanishes with the change it
 * reports, and its payload is valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_fixture.h"
#include "outbox.h"

static long long event_count(void)
{
    return fixture_scalar("SELECT COUNT(*) FROM event");
}

static void refuses_outside_transaction(void **state)
{
    json_t *p = json_pack("{s:i}", "x", 1);
    assert_false(db_in_tx());
    assert_int_equal(outbox_append("chat.message", "channel:3", p), -1);
    assert_int_equal(event_count(), 0);
    /* Not even after a transaction has come and gone. */
    assert_int_equal(db_begin(), 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(outbox_append("chat.message", "channel:3", p), -1);
    assert_int_equal(event_count(), 0);
    json_decref(p);
}

static void visible_only_after_commit(void **state)
{
    json_t *p = json_pack("{s:I, s:s}", "message_id", (json_int_t)77, "text", "hi");
    assert_int_equal(db_begin(), 0);
    long long id = outbox_append("chat.message", "channel:3", p);
    assert_true(id > 0);
    long long id2 = outbox_append("notification", "user:42", NULL);
    assert_true(id2 > id);
    /* Another connection (the gateway's tailer) must not see it yet. */
    assert_int_equal(event_count(), 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(event_count(), 2);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM event WHERE id = %lld AND type ="
                                    " 'chat.message' AND audience = 'channel:3'"
                                    " AND created_at > UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE",
                                    id),
                     1);
    char *text = fixture_text("SELECT payload FROM event WHERE id = %lld", id);
    json_t *back = json_loads(text, 0, NULL);
    assert_non_null(back);
    assert_true(json_equal(back, p));
    json_decref(back);
    free(text);
    text = fixture_text("SELECT payload FROM event WHERE id = %lld", id2);
    assert_string_equal(text, "{}"); /* no payload: an empty object */
    free(text);
    assert_int_equal(json_object_get(p, "text") != NULL, 1); /* not stolen */
    json_decref(p);
}

static void vanishes_on_rollback(void **state)
{
    json_t *p = json_pack("{s:i}", "card", 5);
    assert_int_equal(db_begin(), 0);
    assert_true(outbox_append("card.moved", "board:5", p) > 0);
    db_rollback();
    assert_int_equal(event_count(), 0);
    json_decref(p);
}

struct with_change {
    int refuse; /* what the transaction function returns after appending */
};

static const char sql_change[] = "INSERT INTO meta (k, v) VALUES ('change', 'done')";

static int change_with_event(void *arg)
{
    struct with_change *w = arg;
    if (db_exec(sql_change, "") < 0)
        return -1;
    json_t *p = json_pack("{s:s}", "k", "change");
    long long id = outbox_append("meta.changed", "employees", p);
    json_decref(p);
    if (id < 0)
        return -1;
    return w->refuse;
}

/* Through db_tx, as handlers write: the change and its event share one fate. */
static void shares_fate_with_the_change(void **state)
{
    struct with_change w = {.refuse = 409};
    assert_int_equal(db_tx(change_with_event, &w), 409);
    assert_int_equal(event_count(), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM meta WHERE k = 'change'"), 0);
    w.refuse = 0;
    assert_int_equal(db_tx(change_with_event, &w), 0);
    assert_int_equal(event_count(), 1);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM meta WHERE k = 'change'"), 1);
}

static void payload_is_valid_json(void **state)
{
    json_t *p =
        json_pack("{s:s, s:s, s:[i, f, b, n], s:{s:s}}", "quote", "she said \"hi\"\\", "text",
                  "Привет 😀 <script>\n\t\x01", "list", 1, 2.5, 1, "nested", "a", "b");
    assert_non_null(p);
    assert_int_equal(db_begin(), 0);
    long long id = outbox_append("kb.article", "employees", p);
    assert_true(id > 0);
    json_t *arr = json_pack("[s, i]", "x", 2);
    long long id_arr = outbox_append("kb.article", "employees", arr);
    assert_true(id_arr > 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(fixture_scalar("SELECT COUNT(*) FROM event WHERE JSON_VALID(payload)"), 2);
    char *text = fixture_text("SELECT payload FROM event WHERE id = %lld", id);
    json_error_t err;
    json_t *back = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!back)
        fail_msg("stored payload is not JSON: %s (%s)", err.text, text);
    assert_true(json_equal(back, p));
    json_decref(back);
    free(text);
    json_decref(arr);
    json_decref(p);
}

static void bad_arguments_refused(void **state)
{
    char long_type[70], long_audience[140];
    memset(long_type, 't', sizeof long_type - 1);
    long_type[sizeof long_type - 1] = '\0';
    memset(long_audience, 'a', sizeof long_audience - 1);
    long_audience[sizeof long_audience - 1] = '\0';
    json_t *scalar = json_integer(5);
    assert_int_equal(db_begin(), 0);
    assert_int_equal(outbox_append(NULL, "employees", NULL), -1);
    assert_int_equal(outbox_append("", "employees", NULL), -1);
    assert_int_equal(outbox_append("x", NULL, NULL), -1);
    assert_int_equal(outbox_append("x", "", NULL), -1);
    assert_int_equal(outbox_append(long_type, "employees", NULL), -1);
    assert_int_equal(outbox_append("x", long_audience, NULL), -1);
    assert_int_equal(outbox_append("x", "employees", scalar), -1); /* an object or array */
    assert_true(db_in_tx()); /* a refusal leaves the caller's transaction alone */
    assert_true(outbox_append("x", "employees", NULL) > 0);
    assert_int_equal(db_commit(), 0);
    assert_int_equal(event_count(), 1);
    json_decref(scalar);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(refuses_outside_transaction, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(visible_only_after_commit, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(vanishes_on_rollback, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(shares_fate_with_the_change, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(payload_is_valid_json, db_fixture_setup,
                                        db_fixture_teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_refused, db_fixture_setup,
                                        db_fixture_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, db_fixture_group_teardown);
}
