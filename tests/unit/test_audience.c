/* test_audience.c - outbox audiences: parsing, and who may see an event (the rule the
 * gateway applies to every connection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audience.h"
#include "http.h"

static const struct audience_ident admin = {.user_id = 1, .realm = REALM_EMPLOYEE, .role = ROLE_ADMIN};
static const struct audience_ident member = {.user_id = 2, .realm = REALM_EMPLOYEE, .role = ROLE_MEMBER};
static const struct audience_ident other = {.user_id = 3, .realm = REALM_EMPLOYEE, .role = ROLE_MANAGER};
static const struct audience_ident customer = {.user_id = 4, .account_id = 7, .realm = REALM_CUSTOMER};
static const struct audience_ident partner = {.user_id = 5, .account_id = 8, .realm = REALM_PARTNER};

static void parses_known_audiences(void **state)
{
    (void)state;
    long long id;
    assert_int_equal(audience_parse("employees", &id), AUD_EMPLOYEES);
    assert_int_equal(id, 0);
    assert_int_equal(audience_parse("user:42", &id), AUD_USER);
    assert_int_equal(id, 42);
    assert_int_equal(audience_parse("account:7", &id), AUD_ACCOUNT);
    assert_int_equal(audience_parse("group:3", &id), AUD_GROUP);
    assert_int_equal(audience_parse("project:5", &id), AUD_PROJECT);
    assert_int_equal(audience_parse("board:9", &id), AUD_BOARD);
    assert_int_equal(audience_parse("channel:12", &id), AUD_CHANNEL);
    assert_int_equal(id, 12);
}

static void refuses_malformed_audiences(void **state)
{
    (void)state;
    long long id;
    const char *bad[] = {NULL,          "",           "user:",       "user:0",  "user:-1",
                         "user:07",     "user:1x",    "user: 1",     "users:1", "Employees",
                         "employees ", "channel:99999999999999999999", "nonsense:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(audience_parse(bad[i], &id), AUD_NONE);
}

static void users_accounts_and_employees(void **state)
{
    (void)state;
    struct audience_rule r = {.kind = AUD_USER, .id = 2};
    assert_true(audience_may_see(&r, &member));
    assert_false(audience_may_see(&r, &admin));
    r = (struct audience_rule){.kind = AUD_EMPLOYEES};
    assert_true(audience_may_see(&r, &member));
    assert_false(audience_may_see(&r, &customer));
    assert_false(audience_may_see(&r, &partner));
    r = (struct audience_rule){.kind = AUD_ACCOUNT, .id = 7};
    assert_true(audience_may_see(&r, &customer));
    assert_false(audience_may_see(&r, &partner)); /* another account */
    assert_false(audience_may_see(&r, &admin)); /* employees have no account */
    r = (struct audience_rule){.kind = AUD_NONE};
    assert_false(audience_may_see(&r, &admin));
}

static void members_and_admins(void **state)
{
    (void)state;
    long long ids[] = {5, 2, 4};
    struct idlist *l = idlist_create(ids, 3);
    struct audience_rule r = {.kind = AUD_PROJECT, .id = 1, .admins = true, .members = l};
    assert_true(audience_may_see(&r, &member));
    assert_true(audience_may_see(&r, &admin)); /* admins see every project */
    assert_false(audience_may_see(&r, &other));
    assert_false(audience_may_see(&r, &customer)); /* a customer listed by mistake still sees nothing */
    r.kind = AUD_CHANNEL;
    r.admins = false;
    assert_true(audience_may_see(&r, &member));
    assert_false(audience_may_see(&r, &admin)); /* channels are for their members only */
    r.members = NULL; /* no chat_members table: nobody */
    assert_false(audience_may_see(&r, &member));
    idlist_unref(l);
}

static void idlists_are_sorted_and_shared(void **state)
{
    (void)state;
    long long ids[] = {9, 1, 5, 3};
    struct idlist *l = idlist_create(ids, 4);
    assert_int_equal(l->ids[0], 1);
    assert_int_equal(l->ids[3], 9);
    for (long long v = 0; v <= 10; v++)
        assert_int_equal(idlist_has(l, v), v == 1 || v == 3 || v == 5 || v == 9);
    assert_ptr_equal(idlist_ref(l), l);
    idlist_unref(l);
    assert_true(idlist_has(l, 5));
    idlist_unref(l);
    idlist_unref(NULL);
    struct idlist *empty = idlist_create(NULL, 0);
    assert_false(idlist_has(empty, 1));
    idlist_unref(empty);
}

static void membership_change_types(void **state)
{
    (void)state;
    assert_true(audience_changes_members("project.updated", AUD_PROJECT));
    assert_false(audience_changes_members("card.moved", AUD_BOARD));
    assert_true(audience_changes_members("chat.member.added", AUD_CHANNEL));
    assert_true(audience_changes_members("chat.channel.updated", AUD_CHANNEL));
    assert_false(audience_changes_members("chat.message", AUD_CHANNEL));
    assert_false(audience_changes_members("project.updated", AUD_CHANNEL));
}

static struct db_res *no_members(struct arena *a, long long id)
{
    (void)a;
    (void)id;
    return NULL;
}

/* Member lists come from the function the owning module registered, per kind. */
static void members_come_from_registered_functions(void **state)
{
    (void)state;
    assert_int_equal(audience_register(AUD_GROUP, no_members), 0);
    assert_ptr_equal(audience_members(AUD_GROUP), no_members);
    assert_null(audience_members(AUD_BOARD));
    assert_int_equal(audience_register(AUD_NONE, no_members), -1);
    assert_int_equal(audience_register((enum audience_kind)99, no_members), -1);
    assert_null(audience_members((enum audience_kind)99));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_known_audiences),
        cmocka_unit_test(refuses_malformed_audiences),
        cmocka_unit_test(users_accounts_and_employees),
        cmocka_unit_test(members_and_admins),
        cmocka_unit_test(idlists_are_sorted_and_shared),
        cmocka_unit_test(membership_change_types),
        cmocka_unit_test(members_come_from_registered_functions),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
