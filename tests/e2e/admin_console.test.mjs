// The admin console in headless Chromium, walking the ATM documentation's
// steps: sign in, create an application, add a user, then sign that user in
// through /login and get a code. Screenshots of each page go to
// $ATM_TEST_OUTPUT/admin_console/. Also: validation next to the field, the
// Users tab's actions, keyboard use, a phone screen, and a change made in
// one interface (console, API, CLI) seen in the other two.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN, adminApi, adminToken, jwtClaims, launchBrowser, outputDir, pkcePair, request, runCli, seedFlow,
  startCallbackServer, startServer, tempDir,
} from './support/admin_server.mjs';

const shots = outputDir('admin_console');
const TIMEOUT = 10000;

// A page that fails the test on script errors and CSP violations.
async function openPage(browser, url, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`CSP: ${m.text()}`);
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signIn(page, url) {
  await page.goto(`${url}/admin`);
  const form = page.locator('#signin-form');
  await form.getByLabel('Username').fill(ADMIN.username);
  await form.getByLabel('Password').fill(ADMIN.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#view-apps').waitFor();
}

// Creates an application in the console; returns {clientId, secret}.
async function createApplication(page, name, redirectUrl) {
  await page.getByRole('button', { name: 'Create application' }).click();
  const dialog = page.locator('#app-dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Redirect URL', { exact: true }).fill(redirectUrl);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.locator('#secret-dialog[open]').waitFor();
  const creds = {
    clientId: await page.locator('#secret-client-id').textContent(),
    secret: await page.locator('#secret-value').textContent(),
  };
  return creds;
}

describe('admin console in Chromium', () => {
  let browser, server, callback;
  before(async () => {
    [browser, server, callback] = await Promise.all([launchBrowser(), startServer(), startCallbackServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await callback?.stop();
  });

  test('the documented steps: sign in, create an application, add a user, log the user in through /login', async () => {
    const page = await openPage(browser, server.url);
    await page.goto(`${server.url}/admin`);
    await page.locator('#view-signin').waitFor();
    await shot(page, '01-sign-in');
    const signin = page.locator('#signin-form');
    await signin.getByLabel('Username').fill(ADMIN.username);
    await signin.getByLabel('Password').fill(ADMIN.password);
    await signin.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#apps-empty').waitFor();
    await shot(page, '02-applications-empty');

    // Applications → Create: name, Authenticator Type "Authorization PKCE Flow", Redirect URL.
    await page.getByRole('button', { name: 'Create application' }).click();
    const dialog = page.locator('#app-dialog');
    await dialog.getByLabel('Name').fill('Demo SPA');
    assert.equal(await dialog.getByLabel('Authenticator Type').inputValue(), 'Authorization PKCE Flow');
    await dialog.getByLabel('Redirect URL', { exact: true }).fill(callback.url);
    await shot(page, '03-create-application');
    await dialog.getByRole('button', { name: 'Save' }).click();

    // The secret, shown once, with a copy button that copies it.
    await page.locator('#secret-dialog[open]').waitFor();
    const clientId = await page.locator('#secret-client-id').textContent();
    const secret = await page.locator('#secret-value').textContent();
    assert.match(clientId, /^[A-Za-z0-9]{20}$/);
    assert.match(secret, /^[A-Za-z0-9]{32}$/);
    await page.locator('#copy-secret').click();
    await page.locator('#copy-secret', { hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await shot(page, '04-client-secret-shown-once');
    await page.locator('#secret-dialog').getByRole('button', { name: 'Done' }).click();

    // The grid: name, client id, type, redirect URL, user count.
    const row = page.locator(`#apps-table tr[data-client-id="${clientId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0].trim(), 'Demo SPA');
    assert.equal(cells[1], clientId);
    assert.match(cells[2], /Authorization PKCE Flow/);
    assert.equal(cells[3], callback.url);
    assert.equal(cells[4], '0');
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
    await shot(page, '05-applications-grid');

    // Edit icon → Application Users tab → Create → First name, Email, Password, Confirm Password → Save.
    await row.getByRole('link', { name: 'Edit Demo SPA' }).click();
    await page.locator('#panel-settings').waitFor();
    await shot(page, '06-application-settings');
    await page.getByRole('tab', { name: 'Application Users' }).click();
    await page.locator('#users-empty').waitFor();
    await shot(page, '07-application-users-empty');
    await page.getByRole('button', { name: 'Create user' }).click();
    const form = page.locator('#user-dialog');
    await form.getByLabel('First name').fill('End');
    await form.getByLabel('Last name').fill('User');
    await form.getByLabel('Email').fill('end.user13@gmail.com');
    await form.getByLabel('Password', { exact: true }).fill('H123456789');
    await form.getByLabel('Confirm Password').fill('H123456789');
    await shot(page, '08-create-user');
    await form.getByRole('button', { name: 'Save' }).click();
    const userRow = page.locator('#users-table tr[data-email="end.user13@gmail.com"]');
    await userRow.waitFor();
    assert.deepEqual((await userRow.locator('td').allTextContents()).slice(0, 3),
      ['End User', 'end.user13@gmail.com', 'Active']);
    await shot(page, '09-application-users');

    // The user signs in through /login and the browser lands on the redirect URL with a code.
    const { verifier, challenge } = pkcePair();
    const login = await openPage(browser, server.url);
    await login.goto(`${server.url}/login?clientId=${clientId}&code_challenge=${challenge}` +
      '&code_challenge_method=S256&state=xyz-123');
    await login.getByLabel('Email').fill('end.user13@gmail.com');
    await login.getByLabel('Password').fill('H123456789');
    await shot(login, '10-login-page');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.waitForURL((u) => u.href.startsWith(callback.url + '?'), { timeout: TIMEOUT });
    const landed = new URL(login.url());
    assert.match(landed.searchParams.get('code'), /^[A-Za-z0-9]{50}$/);
    assert.equal(landed.searchParams.get('state'), 'xyz-123');
    await shot(login, '11-redirected-with-code');

    // The code and the secret copied from the console get tokens for that user.
    const token = await request(`${server.url}/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, clientSecret: secret, grant_types: 'authorization_code',
        code: landed.searchParams.get('code'), code_verifier: verifier }),
    });
    assert.equal(token.status, 200);
    const claims = jwtClaims((await token.json()).access_token);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.scope.email, 'end.user13@gmail.com');
    assert.equal(claims.scope.firstName, 'End');
    assert.deepEqual([...page.problems, ...login.problems], []);
    await page.context().close();
    await login.context().close();
  });

  test('validation messages appear next to the field at fault', async () => {
    const page = await openPage(browser, server.url);
    await signIn(page, server.url);
    await page.getByRole('button', { name: 'Create application' }).click();
    const dialog = page.locator('#app-dialog');
    await dialog.getByLabel('Name').fill('Validated');
    const cases = [
      ['http://example.com/callback', /must use https/],
      ['/callback', /must be absolute/],
      ['https://app.example.com/cb#fragment', /fragment/],
    ];
    for (const [url, message] of cases) {
      await dialog.getByLabel('Redirect URL', { exact: true }).fill(url);
      await dialog.getByRole('button', { name: 'Save' }).click();
      const error = dialog.locator('.field-error[data-for="redirect_urls"]');
      await error.filter({ hasText: message }).waitFor();
      assert.equal(await dialog.getByLabel('Redirect URL', { exact: true }).getAttribute('aria-invalid'), 'true');
    }
    await shot(page, '12-validation-redirect-url');
    await dialog.getByLabel('Redirect URL', { exact: true }).fill('myapp://callback');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('#secret-dialog[open]').waitFor();
    const clientId = await page.locator('#secret-client-id').textContent();
    await page.locator('#secret-dialog').getByRole('button', { name: 'Done' }).click();

    await page.goto(`${server.url}/admin#/applications/${clientId}/users`);
    await page.locator('#panel-users').waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    const form = page.locator('#user-dialog');
    const attempt = async (email, password, confirm, field, message) => {
      await form.getByLabel('Email').fill(email);
      await form.getByLabel('Password', { exact: true }).fill(password);
      await form.getByLabel('Confirm Password').fill(confirm);
      await form.getByRole('button', { name: 'Save' }).click();
      await form.locator(`.field-error[data-for="${field}"]`).filter({ hasText: message }).waitFor();
    };
    await attempt('not-an-email', 'password-1', 'password-1', 'email', /valid email/);
    await attempt('ann@example.com', 'short', 'short', 'password', /at least 8 characters/);
    await attempt('ann@example.com', 'password-1', 'password-2', 'confirm_password', /do not match/);
    await form.getByLabel('Confirm Password').fill('password-1');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('#users-table tr[data-email="ann@example.com"]').waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    await attempt('ANN@example.com', 'password-1', 'password-1', 'email', /already exists/);
    await shot(page, '13-validation-duplicate-email');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the Settings tab sets web origins and post-logout redirect URLs, one per line', async () => {
    const api = adminApi(server.url, await adminToken(server.url));
    const app = (await api('POST', 'applications', { name: 'Origins', redirect_url: 'https://spa.example.com/cb' })).body;
    const page = await openPage(browser, server.url);
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin#/applications/${app.client_id}`);
    const form = page.locator('#app-edit-form');
    await form.waitFor();
    const origins = form.getByLabel('Web origins (CORS)');
    const postLogout = form.getByLabel('Post-logout redirect URLs');
    assert.equal(await origins.inputValue(), '');
    assert.equal(await postLogout.inputValue(), '');

    // A path is refused, beside the field.
    await origins.fill('https://spa.example.com/app');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('.field-error[data-for="web_origins"]').filter({ hasText: /scheme:\/\/host/ }).waitFor();
    assert.equal(await origins.getAttribute('aria-invalid'), 'true');
    await shot(page, '13b-validation-web-origin');

    await origins.fill('http://localhost:5173\n\n  https://admin.example.com  ');
    await postLogout.fill('https://spa.example.com/signed-out');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('#toast', { hasText: 'Saved.' }).waitFor();
    const saved = (await api('GET', `applications/${app.client_id}`)).body;
    assert.deepEqual(saved.web_origins, ['http://localhost:5173', 'https://admin.example.com']);
    assert.deepEqual(saved.post_logout_redirect_urls, ['https://spa.example.com/signed-out']);

    // Shown again, one per line, when the application is opened anew.
    await page.reload();
    await form.waitFor();
    assert.equal(await origins.inputValue(), 'http://localhost:5173\nhttps://admin.example.com');
    assert.equal(await postLogout.inputValue(), 'https://spa.example.com/signed-out');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the Settings tab allows device sign-in (RFC 8628), and the new-application form can too', async () => {
    const api = adminApi(server.url, await adminToken(server.url));
    const app = (await api('POST', 'applications', { name: 'Living room', type: 'public',
      redirect_url: 'https://tv.example.com/cb' })).body;
    const page = await openPage(browser, server.url);
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin#/applications/${app.client_id}`);
    const form = page.locator('#app-edit-form');
    await form.waitFor();
    const device = form.getByLabel(/Device sign-in/);
    assert.equal(await device.isChecked(), false);
    await device.check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('#toast', { hasText: 'Saved.' }).waitFor();
    assert.equal((await api('GET', `applications/${app.client_id}`)).body.device_grant, true);
    await page.reload();
    await form.waitFor();
    assert.equal(await form.getByLabel(/Device sign-in/).isChecked(), true);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the Users tab edits, disables, enables, resets the password, removes and searches by email', async () => {
    const api = adminApi(server.url, await adminToken(server.url));
    const app = (await api('POST', 'applications', { name: 'Shop', redirect_url: 'https://shop.example.com/cb' })).body;
    for (const email of ['ann@shop.com', 'bob@shop.com', 'carl@other.org']) {
      await api('POST', `applications/${app.client_id}/users`, { email, password: 'password-1', first_name: email[0].toUpperCase() });
    }
    const creds = { clientId: app.client_id, clientSecret: app.client_secret, email: 'bob@shop.com', password: 'password-1' };
    const page = await openPage(browser, server.url);
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin#/applications/${app.client_id}/users`);
    const rows = page.locator('#users-table tbody tr');
    await rows.nth(2).waitFor();

    await page.getByLabel('Search users by email').fill('SHOP.com');
    await page.waitForFunction(() => document.querySelectorAll('#users-table tbody tr').length === 2);
    assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.dataset.email)), ['ann@shop.com', 'bob@shop.com']);
    await shot(page, '14-users-search');

    const bob = page.locator('#users-table tr[data-email="bob@shop.com"]');
    await bob.getByRole('button', { name: 'Disable B' }).click();
    await bob.getByText('Disabled').waitFor();
    assert.equal((await seedFlow(server.url, creds)).status, 403, 'a disabled user cannot sign in');
    await bob.getByRole('button', { name: 'Enable B' }).click();
    await bob.getByText('Active').waitFor();
    assert.equal((await seedFlow(server.url, creds)).status, 200);

    await bob.getByRole('button', { name: 'Reset the password of B' }).click();
    const reset = page.locator('#password-dialog');
    await reset.getByLabel('New password').fill('brand-new-pass');
    await reset.getByLabel('Confirm Password').fill('brand-new-pass');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.waitFor({ state: 'hidden' });
    assert.equal((await seedFlow(server.url, creds)).status, 401);
    assert.equal((await seedFlow(server.url, { ...creds, password: 'brand-new-pass' })).status, 200);

    await bob.getByRole('button', { name: 'Edit B' }).click();
    await page.locator('#user-dialog').getByLabel('Last name').fill('Builder');
    await page.locator('#user-dialog').getByRole('button', { name: 'Save' }).click();
    await bob.locator('td', { hasText: 'B Builder' }).waitFor();

    await bob.getByRole('button', { name: 'Remove B Builder' }).click();
    await shot(page, '15-users-remove-confirm');
    await page.locator('#confirm-dialog').getByRole('button', { name: 'Remove user' }).click();
    await bob.waitFor({ state: 'detached' });
    const users = (await api('GET', `applications/${app.client_id}/users`)).body;
    assert.deepEqual(users.items.map((u) => u.email), ['ann@shop.com', 'carl@other.org']);

    // Regenerate the secret from the grid: a new one, shown once, that works.
    await page.goto(`${server.url}/admin#/applications`);
    await page.getByRole('button', { name: 'Regenerate the secret of Shop' }).click();
    await page.locator('#confirm-dialog').getByRole('button', { name: 'Regenerate secret' }).click();
    await page.locator('#secret-dialog[open]').waitFor();
    const fresh = await page.locator('#secret-value').textContent();
    assert.notEqual(fresh, app.client_secret);
    await page.locator('#secret-dialog').getByRole('button', { name: 'Done' }).click();
    const ann = { ...creds, email: 'ann@shop.com' };
    assert.equal((await seedFlow(server.url, ann)).status, 401);
    assert.equal((await seedFlow(server.url, { ...ann, clientSecret: fresh })).status, 200);

    // Delete the application from its settings.
    await page.goto(`${server.url}/admin#/applications/${app.client_id}`);
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.locator('#confirm-dialog').getByRole('button', { name: 'Delete application' }).click();
    await page.locator('#view-apps').waitFor();
    assert.equal((await api('GET', `applications/${app.client_id}`)).status, 404);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('keyboard only: sign in, open and close a dialog; signing out ends the session', async () => {
    const page = await openPage(browser, server.url);
    await page.goto(`${server.url}/admin`);
    await page.locator('#signin-username:focus').waitFor();
    await page.keyboard.type(ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.locator('#view-apps').waitFor();
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement.id === 'new-app');
    }
    assert.ok(found, 'Tab reaches "Create application"');
    await page.keyboard.press('Enter');
    await page.locator('#app-dialog[open]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'app-name');
    await page.keyboard.press('Escape');
    await page.locator('#app-dialog').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.activeElement.id === 'new-app');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#view-signin').waitFor();
    await page.reload();
    await page.locator('#view-signin').waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('on a phone screen nothing overflows sideways', async () => {
    const api = adminApi(server.url, await adminToken(server.url));
    const app = (await api('POST', 'applications', { name: 'Phone App', redirect_url: 'https://a-rather-long-host-name.example.com/oauth/callback' })).body;
    await api('POST', `applications/${app.client_id}/users`, { email: 'someone.with.a.long.email@example.com', password: 'password-1', first_name: 'Pat' });
    const page = await openPage(browser, server.url, { width: 390, height: 844 });
    await signIn(page, server.url);
    await page.locator(`#apps-table tr[data-client-id="${app.client_id}"]`).waitFor();
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'the applications grid fits');
    await shot(page, '16-phone-applications');
    await page.goto(`${server.url}/admin#/applications/${app.client_id}/users`);
    await page.locator('#users-table tbody tr').first().waitFor();
    assert.ok(await fits(), 'the users tab fits');
    await shot(page, '17-phone-users');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('a change made in the console, the API or the CLI shows in the other two', async () => {
  const temp = tempDir();
  const db = join(temp.dir, 'shared.db');
  const [browser, server] = await Promise.all([launchBrowser(), startServer({ db, dir: temp.dir })]);
  const cli = (args, input) => runCli([...args, '--config', server.configPath, '--db', db], { input });
  try {
    const api = adminApi(server.url, await adminToken(server.url));
    const page = await openPage(browser, server.url);
    await signIn(page, server.url);

    // Console → CLI and API.
    const { clientId } = await createApplication(page, 'Three Ways', 'https://three.example.com/cb');
    await page.locator('#secret-dialog').getByRole('button', { name: 'Done' }).click();
    const listed = JSON.parse((await cli(['app', 'list', '--json'])).stdout);
    assert.ok(listed.items.some((a) => a.client_id === clientId && a.name === 'Three Ways'));
    assert.equal((await api('GET', `applications/${clientId}`)).body.name, 'Three Ways');

    // CLI → console and API.
    const added = await cli(['user', 'add', '--app', clientId, '--email', 'cli@example.com', '--first-name', 'Cli'],
      'cli-password\n');
    assert.equal(added.code, 0, added.stderr);
    await page.goto(`${server.url}/admin#/applications/${clientId}/users`);
    const row = page.locator('#users-table tr[data-email="cli@example.com"]');
    await row.waitFor();
    const userId = await row.getAttribute('data-user-id');
    assert.equal((await api('GET', `applications/${clientId}/users/${userId}`)).body.first_name, 'Cli');

    // API → console and CLI.
    await api('PATCH', `applications/${clientId}/users/${userId}`, { disabled: true });
    await page.reload();
    await row.getByText('Disabled').waitFor();
    assert.equal(JSON.parse((await cli(['user', 'show', userId, '--json'])).stdout).disabled, true);

    // Console → CLI and API again: remove the user.
    await row.getByRole('button', { name: 'Remove Cli' }).click();
    await page.locator('#confirm-dialog').getByRole('button', { name: 'Remove user' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(JSON.parse((await cli(['user', 'list', '--app', clientId, '--json'])).stdout).total, 0);
    assert.equal((await api('GET', `applications/${clientId}/users/${userId}`)).status, 404);
    await shot(page, '18-three-interfaces');
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
    await server.stop();
    temp.cleanup();
  }
});
