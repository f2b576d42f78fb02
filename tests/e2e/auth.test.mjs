// Identity in the browser: sign-in pages of both apps, wrong realm, logout, translated errors,
// throttling, the user menu, My account, the admin pages and the invitation flow.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/auth.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, DESKTOP, PHONE, assertNoProblems, expectPath, expectStatus, expectText, openBrowser,
  screenshot, signIn, startServer, stopServer, url,
} from './lib.mjs';

const ANNA = 'anna@demo.example';
const VERA = 'vera@demo.example';
const CAROL = 'carol@client.example';
const DEMO_EMAILS = [
  ANNA, 'boris@demo.example', VERA, CAROL, 'dmitry@client2.example', 'pavel@partner.example',
];

/* An anonymous visit asks GET /me and gets 401 on purpose. */
const ANON = expectStatus(401, '/api/v1/me');

/* Requests each page has in flight, so settle() can wait for them. */
const inflight = new WeakMap();

async function withBrowser(options, fn) {
  const browser = await openBrowser(options);
  const track = (page) => {
    const open = new Set();
    inflight.set(page, open);
    page.on('request', (r) => open.add(r));
    page.on('requestfinished', (r) => open.delete(r));
    page.on('requestfailed', (r) => open.delete(r));
  };
  browser.context.pages().forEach(track);
  browser.context.on('page', track);
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/* A signed-in API client (not a browser) for setting up data: { get, post, dispose }. */
async function apiAs(email, realm = 'employee', password = DEMO_PASSWORD) {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password, realm } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const headers = { 'X-CSRF-Token': csrf };
  return {
    get: (p) => ctx.get('/api/v1' + p),
    post: (p, data) => ctx.post('/api/v1' + p, { data, headers }),
    dispose: () => ctx.dispose(),
  };
}

/* Lets the page's own requests (the feed, the bell) finish before the test navigates away,
 * so they are not reported as aborted: waits for 300 ms without a request in flight. */
async function settle(page, timeout = 5000) {
  const open = inflight.get(page);
  const deadline = Date.now() + timeout;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (open.size) quietSince = Date.now();
    else if (Date.now() - quietSince >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const heading = (page) => page.getByRole('heading', { level: 1 });
const mainNav = (page) => page.getByRole('navigation', { name: /Main navigation|Основная навигация/ });
const userMenu = (page) => page.locator('.usermenu-button');
const alert = (page) => page.getByRole('alert');

/* Fills and sends the sign-in form on the current page. */
async function submitLogin(page, email, password) {
  await page.getByLabel(/^(Email|Электронная почта)$/).fill(email);
  await page.getByLabel(/^(Password|Пароль)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|Войти)$/ }).click();
}

/* Sends the form and returns the login answer. */
async function loginThroughForm(page, email, password = DEMO_PASSWORD) {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await submitLogin(page, email, password);
  return answer;
}

after(stopServer);

before(async () => {
  await startServer();
  try {
    await fetch(url('/healthz'));
  } catch (err) {
    throw new Error(`no portal at ${BASE_URL} (start it, or set PORTAL_URL): ${err.cause?.code || err.message}`);
  }
});

describe('sign in', () => {
  test('an employee signs in at /app/login and sees the app with her name', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/'));
      await expectPath(page, '/app/login');
      await expectText(heading(page), 'Sign in to Portal');
      assert.equal(await page.title(), 'Sign in · Portal');
      assert.equal(await page.locator('input[type=email]').getAttribute('autocomplete'), 'username');
      assert.equal(await page.locator('input[type=password]').getAttribute('autocomplete'), 'current-password');
      await screenshot(page, 'auth-login-desktop-en');

      const res = await loginThroughForm(page, ANNA);
      assert.equal(res.status(), 200);
      const { user } = await res.json();
      assert.match(user.name, /^Anna\b/);
      await expectPath(page, '/app/feed');
      await expectText(heading(page), 'Feed');
      await expectText(page.locator('.usermenu-name'), user.name);
      assert.ok(await mainNav(page).getByText('Administration').isVisible(), 'admins see the admin section');

      // The session survives a reload, and /app/login sends a signed-in user on.
      await settle(page);
      await page.reload();
      await expectText(page.locator('.usermenu-name'), user.name);
      await settle(page);
      await page.goto(url('/app/login'));
      await expectPath(page, '/app/feed');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('a deep link survives the sign-in; the users page lists the demo users', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/admin/users'));
      await expectPath(page, '/app/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/app/admin/users');
      await loginThroughForm(page, ANNA);
      await expectPath(page, '/app/admin/users');
      await expectText(heading(page), 'Users');
      const table = page.locator('table');
      for (const email of DEMO_EMAILS) await table.getByText(email, { exact: true }).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Add user' }).isVisible());
      await screenshot(page, 'auth-admin-users-desktop-en');

      // The search narrows the list on the server.
      await page.getByPlaceholder('Search by name or email').fill('client');
      await table.getByText('pavel@partner.example').waitFor({ state: 'detached' });
      assert.ok(await table.getByText(CAROL).isVisible());

      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Пользователи');
      await page.getByPlaceholder('Поиск по имени или почте').fill('');
      await table.getByText('pavel@partner.example').waitFor();
      await screenshot(page, 'auth-admin-users-desktop-ru');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('a customer signs in at /cabinet/login and sees the cabinet', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/cabinet/orders'));
      await expectPath(page, '/cabinet/login');
      await expectText(heading(page), 'Sign in to your cabinet');
      const { user } = await (await loginThroughForm(page, CAROL)).json();
      assert.equal(user.realm, 'customer');
      await expectPath(page, '/cabinet/orders');
      await expectText(heading(page), 'My orders');
      await expectText(page.locator('.usermenu-name'), user.name);
      assert.equal(await mainNav(page).getByText('Administration').count(), 0);
      await screenshot(page, 'auth-cabinet-desktop-en');

      await userMenu(page).click();
      await expectText(page.locator('.usermenu-role'), `Customer · ${user.account.name}`);
      await page.getByRole('link', { name: 'My account' }).click();
      await expectPath(page, '/cabinet/me');
      await expectText(heading(page), 'My account');
      await expectText(page.locator('.facts'), new RegExp(user.account.name));
      await page.locator('.session').filter({ hasText: 'This device' }).waitFor();
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('a customer on /app/login is sent to the client cabinet', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/login'));
      const res = await loginThroughForm(page, CAROL);
      assert.equal(res.status(), 403);
      await expectText(alert(page).locator('.alert-title'), 'This is a client account');
      const link = alert(page).getByRole('link', { name: 'Go to the client cabinet' });
      assert.equal(await link.getAttribute('href'), '/cabinet/login');
      await expectPath(page, '/app/login');
      await screenshot(page, 'auth-wrong-realm-app-en');
      await link.click();
      await expectPath(page, '/cabinet/login');
      await expectText(heading(page), 'Sign in to your cabinet');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(403, '/api/v1/auth/login')] });
    });
  });

  test('an employee on /cabinet/login is sent to the workspace', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/cabinet/login'));
      assert.equal((await loginThroughForm(page, ANNA)).status(), 403);
      await expectText(alert(page).locator('.alert-title'), 'This is an employee account');
      assert.equal(await alert(page).getByRole('link', { name: 'Go to the employee workspace' }).getAttribute('href'), '/app/login');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(alert(page).locator('.alert-title'), 'Это учётная запись сотрудника');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(403, '/api/v1/auth/login')] });
    });
  });

  test('a wrong password shows the translated error', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/login'));
      assert.equal((await loginThroughForm(page, VERA, 'not-her-password')).status(), 401);
      await expectText(alert(page), 'Wrong email or password.');
      assert.equal(await page.locator('input[type=password]').inputValue(), '', 'the password is cleared');

      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Вход в Portal');
      assert.equal((await loginThroughForm(page, VERA, 'not-her-password')).status(), 401);
      await expectText(alert(page), 'Неверная почта или пароль.');
      await screenshot(page, 'auth-login-error-desktop-ru');

      // Empty fields are caught before any request.
      await page.getByLabel('Электронная почта').fill('');
      await page.getByRole('button', { name: 'Войти' }).click();
      await expectText(page.locator('.field-error').first(), 'Введите адрес электронной почты.');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(401, '/api/v1/auth/login')] });
    });
  });

  test('too many attempts pause the form with a countdown', async () => {
    const email = `locked-${Date.now()}@demo.example`;
    // Five failures block the address for a while; the sixth try is refused with 429.
    const ctx = await request.newContext({ baseURL: BASE_URL });
    for (let i = 0; i < 5; i++) await ctx.post('/api/v1/auth/login', { data: { email, password: 'nope-nope-nope', realm: 'employee' } });
    await ctx.dispose();
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/login'));
      const res = await loginThroughForm(page, email, 'nope-nope-nope');
      assert.equal(res.status(), 429);
      await expectText(alert(page).locator('.alert-title'), 'Too many sign-in attempts');
      await expectText(alert(page).locator('.alert-text'), /Try again in \d+ s\./);
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), true);
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(429, '/api/v1/auth/login')] });
    });
  });

  test('sign-in pages fit a phone, in English and Russian', async () => {
    await withBrowser(PHONE, async ({ page, problems }) => {
      await page.goto(url('/app/login'));
      await expectText(heading(page), 'Sign in to Portal');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
      await screenshot(page, 'auth-login-phone-en');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Вход в Portal');
      await screenshot(page, 'auth-login-phone-ru');
      await page.goto(url('/cabinet/login'));
      await expectText(heading(page), 'Вход в личный кабинет');
      await screenshot(page, 'auth-cabinet-login-phone-ru');
      assertNoProblems(problems, { allow: ANON });
    });
  });
});

describe('session', () => {
  test('logging out returns to the sign-in page and ends the session', async () => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      const { user } = await signIn(context, ANNA);
      await page.goto(url('/app/kb'));
      await expectText(heading(page), 'Knowledge base');
      await userMenu(page).click();
      await expectText(page.locator('.usermenu-email'), user.email);
      await expectText(page.locator('.usermenu-role'), 'Administrator');
      await screenshot(page, 'auth-user-menu-desktop-en');
      await page.getByRole('button', { name: 'Log out' }).click();
      await expectPath(page, '/app/login');
      await expectText(page.getByRole('status').filter({ hasText: 'signed out' }), 'You have signed out.');
      await page.goto(url('/app/kb'));
      await expectPath(page, '/app/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/app/kb');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('a session of the other side gets a notice with a way out', async () => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      const { user } = await signIn(context, CAROL, 'cabinet');
      await page.goto(url('/app/feed'));
      await expectText(heading(page), 'You are signed in to the client cabinet');
      await expectText(page.locator('.auth-lead'), new RegExp(user.email.replace('.', '\\.')));
      assert.equal(await page.getByRole('link', { name: 'Go to the client cabinet' }).getAttribute('href'), '/cabinet/');
      await screenshot(page, 'auth-other-side-desktop-en');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectPath(page, '/app/login');
      await expectText(heading(page), 'Sign in to Portal');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('a member sees no administration and is refused its pages', async () => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, VERA);
      await page.goto(url('/app/feed'));
      await expectText(heading(page), 'Feed');
      assert.equal(await mainNav(page).getByText('Administration').count(), 0);
      await settle(page);
      await page.goto(url('/app/admin/users'));
      await expectText(page.locator('.empty-title'), 'No access');
      assertNoProblems(problems);
    });
  });
});

describe('my account', () => {
  test('shows the profile and sessions, and changes the password', async () => {
    const email = `olga-${Date.now()}@demo.example`;
    const first = 'first-Password-2024';
    const admin = await apiAs(ANNA);
    const created = await admin.post('/users', { email, name: 'Olga Testova', realm: 'employee', role: 'member', password: first });
    assert.equal(created.status(), 201, await created.text());
    await admin.dispose();

    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, email, 'employee', first);
      await page.goto(url('/app/feed'));
      await userMenu(page).click();
      await page.getByRole('link', { name: 'My account' }).click();
      await expectPath(page, '/app/me');
      await expectText(heading(page), 'My account');
      await expectText(page.locator('.profile-name'), 'Olga Testova');
      await page.locator('.session').filter({ hasText: 'This device' }).waitFor();

      const form = page.locator('section.card', { has: page.locator('#me-password') });
      await form.getByLabel('Current password').fill('wrong-current-password');
      await form.getByLabel('New password').fill('short');
      await form.getByRole('button', { name: 'Change password' }).click();
      await expectText(form.locator('.field-error'), 'The password is too short: use at least 10 characters.');

      await form.getByLabel('New password').fill('a-much-better-passphrase');
      await form.getByRole('button', { name: 'Change password' }).click();
      await expectText(form.locator('.field-error'), 'The current password is not correct.');

      await form.getByLabel('Current password').fill(first);
      await form.getByRole('button', { name: 'Change password' }).click();
      await expectText(form.locator('.alert-title'), 'Password changed');
      await screenshot(page, 'auth-me-desktop-en');
      assertNoProblems(problems, { allow: expectStatus(400, '/api/v1/me/password') });
    });
    const again = await apiAs(email, 'employee', 'a-much-better-passphrase');
    await again.dispose();
  });
});

describe('administration', () => {
  test('users page on a phone, in English and Russian', async () => {
    await withBrowser(PHONE, async ({ context, page, problems }) => {
      await signIn(context, ANNA);
      await page.goto(url('/app/admin/users'));
      await page.getByText(CAROL).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
      await screenshot(page, 'auth-admin-users-phone-en');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Пользователи');
      await screenshot(page, 'auth-admin-users-phone-ru');
      assertNoProblems(problems);
    });
  });

  test('disabling a user asks first and shows the new status', async () => {
    const email = `ivan-${Date.now()}@demo.example`;
    const admin = await apiAs(ANNA);
    assert.equal((await admin.post('/users', { email, name: 'Ivan Disabled', realm: 'employee', role: 'member', password: 'ivan-password-77' })).status(), 201);
    await admin.dispose();
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, ANNA);
      await page.goto(url('/app/admin/users'));
      const row = page.locator('tr').filter({ hasText: email });
      await row.getByRole('button', { name: 'Disable Ivan Disabled' }).click();
      const dialog = page.getByRole('dialog');
      await expectText(dialog.locator('.dialog-title'), 'Disable Ivan Disabled?');
      await screenshot(page, 'auth-admin-disable-dialog-en');
      await dialog.getByRole('button', { name: 'Disable' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expectText(row.locator('.badge').last(), 'Disabled');
      assertNoProblems(problems);
    });
  });

  test('an admin invites an employee; the invitee sets a password and lands in the app', async (t) => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, ANNA);
      await page.goto(url('/app/admin/invitations'));
      await expectText(heading(page), 'Invitations');
      const probe = await context.request.get(url('/api/v1/invitations'));
      if (probe.status() === 404) return t.skip('the server has no invitations yet');

      const email = `nina-${Date.now()}@demo.example`;
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByLabel('Full name').fill('Nina Novikova');
      await dialog.getByLabel('Role').selectOption('member');
      await screenshot(page, 'auth-invite-dialog-en');
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/invitations') && r.request().method() === 'POST');
      await dialog.getByRole('button', { name: 'Create invitation' }).click();
      const res = await answer;
      assert.equal(res.status(), 201);
      const { link } = await res.json();
      await expectText(dialog.locator('.dialog-title'), 'Invitation created');
      assert.equal(await dialog.locator('.invite-link').inputValue(), new URL(link, BASE_URL).href);
      await screenshot(page, 'auth-invite-link-en');
      await dialog.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('tr').filter({ hasText: email });
      await expectText(row.locator('.badge').last(), 'Pending');
      assertNoProblems(problems);

      // The link carries the server's public URL; open its path on the server under test.
      const invite = new URL(link, BASE_URL);
      await withBrowser(DESKTOP, async ({ page: guest, problems: guestProblems }) => {
        await guest.goto(url(invite.pathname + invite.search));
        await expectText(heading(guest), 'Welcome to Portal');
        assert.equal(await guest.getByLabel('Email').inputValue(), email);
        assert.equal(await guest.getByLabel('Your name').inputValue(), 'Nina Novikova');
        await screenshot(guest, 'auth-invite-accept-en');
        await guest.getByLabel('Choose a password').fill('short');
        await guest.getByRole('button', { name: 'Create account and sign in' }).click();
        await expectText(guest.locator('.field-error'), 'The password is too short: use at least 10 characters.');
        await guest.getByLabel('Choose a password').fill('lantern-orchard-velvet-42');
        await guest.getByRole('button', { name: 'Create account and sign in' }).click();
        await expectPath(guest, '/app/feed');
        await expectText(guest.locator('.usermenu-name'), 'Nina Novikova');
        assert.equal(await mainNav(guest).getByText('Administration').count(), 0, 'a member');

        // The link works once.
        await settle(guest);
        await guest.goto(url(invite.pathname + invite.search));
        await expectText(heading(guest), 'This invitation cannot be used');
        assertNoProblems(guestProblems, { allow: [...ANON, ...expectStatus(400, '/api/v1/auth/invitations/inspect')] });
      });

      await page.reload();
      await expectText(page.locator('tr').filter({ hasText: email }).locator('.badge').last(), 'Accepted');
    });
  });

  test('sessions and audit pages show the activity', async () => {
    const admin = await apiAs(ANNA);
    const invited = await admin.post('/invitations', { email: `audit-${Date.now()}@demo.example`, name: 'Audit Probe', realm: 'employee', role: 'member' });
    assert.equal(invited.status(), 201, await invited.text());
    await admin.dispose();
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      const { user } = await signIn(context, ANNA);
      await page.goto(url('/app/admin/sessions'));
      await expectText(heading(page), 'Active sessions');
      await page.locator('tr').filter({ hasText: user.email }).first().waitFor();
      await screenshot(page, 'auth-admin-sessions-desktop-en');

      await page.goto(url('/app/admin/audit'));
      await expectText(heading(page), 'Audit log');
      await page.locator('td').filter({ hasText: 'auth.login' }).first().waitFor();
      await page.getByLabel('Object', { exact: true }).selectOption('invitation');
      await page.getByRole('button', { name: 'Apply' }).click();
      // The filtered list replaces the whole log: wait for the sign-ins to go first.
      await page.locator('td').filter({ hasText: /^Signed in/ }).first().waitFor({ state: 'detached' });
      await page.locator('td').filter({ hasText: 'invitation.create' }).first().waitFor();
      assert.equal(await page.locator('td').filter({ hasText: /^Signed in/ }).count(), 0, 'only invitation events');
      await screenshot(page, 'auth-admin-audit-desktop-en');
      assertNoProblems(problems);
    });
  });

  test('password reset: request answers the same for anyone; a bad link says so', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/login'));
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await expectPath(page, '/app/reset');
      await expectText(heading(page), 'Reset your password');
      await page.getByLabel('Email').fill('nobody@nowhere.example');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await expectText(heading(page), 'Check your email');

      await page.goto(url('/app/reset?token=' + 'x'.repeat(43)));
      await expectText(heading(page), 'Choose a new password');
      await page.getByLabel('New password').fill('perfectly-fine-password');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await expectText(heading(page), 'This link cannot be used');
      await page.getByRole('link', { name: 'Request a new link' }).click();
      await expectText(heading(page), 'Reset your password');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(400, '/api/v1/auth/reset/confirm')] });
    });
  });
});
