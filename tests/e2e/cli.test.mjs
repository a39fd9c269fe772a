// The atm app / user / admin subcommands against a database file: every
// command with --help and --json, exit statuses (0 done, 1 refused by the
// data, 2 bad use), passwords from stdin only, and changes made by the CLI
// seen at once by a server running on the same file (and the reverse).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN, adminApi, adminToken, request, runCli, seedFlow, startServer, tempDir, writeConfig,
} from './support/admin_server.mjs';

const COMMANDS = {
  app: ['create', 'list', 'show', 'update', 'delete', 'rotate-secret'],
  user: ['add', 'list', 'show', 'update', 'disable', 'enable', 'passwd', 'delete'],
  admin: ['create', 'list', 'passwd', 'delete', 'token'],
};

describe('atm app, user and admin on a database file', () => {
  let temp, db, cli;
  before(() => {
    temp = tempDir();
    db = join(temp.dir, 'atm.db');
    const config = writeConfig(temp.dir, { admin: false });
    cli = (args, input) => runCli([...args, '--config', config, '--db', db], { input });
  });
  after(() => temp.cleanup());

  test('--help works on every command and names its usage', async () => {
    const top = await runCli(['--help']);
    for (const group of Object.keys(COMMANDS)) assert.match(top.stdout, new RegExp(`\\n  ${group} `));
    for (const [group, subs] of Object.entries(COMMANDS)) {
      const g = await runCli([group, '--help']);
      assert.equal(g.code, 0);
      for (const s of subs) assert.match(g.stdout, new RegExp(`\\n  ${s} `), `${group} --help lists ${s}`);
      for (const s of subs) {
        const r = await runCli([group, s, '--help']);
        assert.equal(r.code, 0, `${group} ${s} --help`);
        assert.match(r.stdout, new RegExp(`^usage: atm ${group} ${s}`));
        assert.match(r.stdout, /--json/);
      }
    }
  });

  test('bad use exits 2 with one line on stderr', async () => {
    const cases = [
      [['app']], [['app', 'frobnicate']], [['user', 'list']], [['app', 'show']], [['app', 'show', 'a', 'b']],
      [['app', 'list', '--bogus']], [['app', 'create', '--name', 'X']], [['app', 'list', '--limit', '0']],
      [['app', 'create', '--name', 'X', '--redirect-url', 'http://evil.example.com/cb']],
      [['app', 'update', 'any-id']], [['user', 'show', 'someone@example.com']],
      [['admin', 'token', 'admin', '--ttl', 'soon']],
      // A password on the command line is refused: there is no such option.
      [['user', 'add', '--app', 'x', '--email', 'a@example.com', '--password', 'secret-123']],
      [['admin', 'create', 'bad name'], 'long-enough-password\n'],
    ];
    for (const [args, input] of cases) {
      const r = await cli(args, input);
      assert.equal(r.code, 2, `atm ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^atm: [^\n]+\n$/, `one line for atm ${args.join(' ')}`);
    }
    const missing = await runCli(['app', 'list', '--config', join(temp.dir, 'missing.toml')]);
    assert.equal(missing.code, 2);
  });

  test('every app command, in text and --json', async () => {
    const created = await cli(['app', 'create', '--name', 'CLI App', '--redirect-url', 'http://localhost:4000/cb',
      '--redirect-url', 'myapp://callback', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const app = JSON.parse(created.stdout);
    assert.match(app.client_id, /^[A-Za-z0-9]{20}$/);
    assert.match(app.client_secret, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(app.redirect_urls, ['http://localhost:4000/cb', 'myapp://callback']);
    assert.equal(app.authenticator_type, 'Authorization PKCE Flow');

    const text = await cli(['app', 'create', '--name', 'Text App', '--redirect-url', 'https://t.example.com/cb',
      '--client-id', 'text-app']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /client_id\s+text-app/);
    assert.match(text.stdout, /client_secret\s+[A-Za-z0-9]{32}\s+\(shown once/);

    const pub = JSON.parse((await cli(['app', 'create', '--name', 'Public', '--redirect-url', 'myapp://cb', '--public', '--json'])).stdout);
    assert.equal(pub.type, 'public');
    assert.equal(pub.client_secret, undefined);

    const chosen = await cli(['app', 'create', '--name', 'Chosen', '--redirect-url', 'https://c.example.com/cb',
      '--client-id', 'chosen', '--secret-stdin', '--json'], 'a-chosen-secret-of-32-characters\n');
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.equal(JSON.parse(chosen.stdout).client_secret, 'a-chosen-secret-of-32-characters');

    const list = JSON.parse((await cli(['app', 'list', '--json', '--limit', '2'])).stdout);
    assert.deepEqual([list.total, list.items.length, list.limit], [4, 2, 2]);
    const listText = await cli(['app', 'list']);
    assert.match(listText.stdout, /^CLIENT ID\s+NAME\s+TYPE\s+USERS/);
    assert.match(listText.stdout, /text-app\s+Text App\s+confidential\s+0/);

    const shown = JSON.parse((await cli(['app', 'show', app.client_id, '--json'])).stdout);
    assert.equal(shown.name, 'CLI App');
    assert.equal(shown.client_secret, undefined);

    const updated = JSON.parse((await cli(['app', 'update', 'text-app', '--name', 'Renamed', '--disable', '--json'])).stdout);
    assert.deepEqual([updated.name, updated.disabled], ['Renamed', true]);
    assert.equal(JSON.parse((await cli(['app', 'update', 'text-app', '--enable', '--json'])).stdout).disabled, false);

    const rotated = JSON.parse((await cli(['app', 'rotate-secret', 'text-app', '--json'])).stdout);
    assert.match(rotated.client_secret, /^[A-Za-z0-9]{32}$/);
    assert.match((await cli(['app', 'rotate-secret', 'text-app'])).stdout, /client_secret\s+[A-Za-z0-9]{32}/);

    assert.deepEqual(JSON.parse((await cli(['app', 'delete', 'chosen', '--json'])).stdout),
      { deleted: 'chosen', users_deleted: 0 });
    assert.match((await cli(['app', 'delete', 'text-app'])).stdout, /^Deleted application Renamed/);
    for (const args of [['app', 'show', 'text-app'], ['app', 'delete', 'text-app'], ['app', 'rotate-secret', 'nope']]) {
      const r = await cli(args);
      assert.equal(r.code, 1, `not found: atm ${args.join(' ')}`);
      assert.match(r.stderr, /^atm: no application with client_id/);
    }
  });

  test('the device grant is allowed with --device-grant, and switched by update --device-grant on|off', async () => {
    const created = await cli(['app', 'create', '--name', 'TV', '--client-id', 'cli-tv', '--public', '--device-grant',
      '--redirect-url', 'https://tv.example.com/cb']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /\ndevice_grant\s+allowed\n/);
    const off = JSON.parse((await cli(['app', 'update', 'cli-tv', '--device-grant', 'off', '--json'])).stdout);
    assert.equal(off.device_grant, false);
    assert.match((await cli(['app', 'show', 'cli-tv'])).stdout, /\ndevice_grant\s+off\n/);
    const bad = await cli(['app', 'update', 'cli-tv', '--device-grant', 'yes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--device-grant takes on or off/);
    assert.equal((await cli(['app', 'delete', 'cli-tv'])).code, 0);
  });

  test('web origins and post-logout redirect URLs are set, shown, replaced and emptied', async () => {
    const created = await cli(['app', 'create', '--name', 'SPA', '--client-id', 'spa-origins', '--public',
      '--redirect-url', 'https://spa.example.com/cb', '--web-origin', 'http://localhost:5173',
      '--web-origin', 'https://admin.example.com', '--post-logout-redirect-url', 'https://spa.example.com/bye']);
    assert.equal(created.code, 0, created.stderr);
    const shownText = (await cli(['app', 'show', 'spa-origins'])).stdout;
    assert.match(shownText, /\nweb_origins\s+http:\/\/localhost:5173 https:\/\/admin\.example\.com\n/);
    assert.match(shownText, /\npost_logout_redirect_urls\s+https:\/\/spa\.example\.com\/bye\n/);
    const shown = JSON.parse((await cli(['app', 'show', 'spa-origins', '--json'])).stdout);
    assert.deepEqual(shown.web_origins, ['http://localhost:5173', 'https://admin.example.com']);
    assert.deepEqual(shown.post_logout_redirect_urls, ['https://spa.example.com/bye']);
    assert.match((await cli(['app', 'list'])).stdout,
      /spa-origins .*https:\/\/spa\.example\.com\/cb\s+http:\/\/localhost:5173 https:\/\/admin\.example\.com\s+https:\/\/spa\.example\.com\/bye\n/);

    const replaced = JSON.parse((await cli(['app', 'update', 'spa-origins', '--web-origin', 'https://new.example.com',
      '--json'])).stdout);
    assert.deepEqual(replaced.web_origins, ['https://new.example.com']);
    assert.deepEqual(replaced.post_logout_redirect_urls, ['https://spa.example.com/bye']);
    const emptied = JSON.parse((await cli(['app', 'update', 'spa-origins', '--post-logout-redirect-url', '',
      '--json'])).stdout);
    assert.deepEqual(emptied.post_logout_redirect_urls, []);
    assert.match((await cli(['app', 'show', 'spa-origins'])).stdout, /\npost_logout_redirect_urls\s+-\n/);

    const bad = await cli(['app', 'update', 'spa-origins', '--web-origin', 'https://new.example.com/']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^atm: --web-origin: web origin "https:\/\/new\.example\.com\/" must be scheme:\/\/host/);
    const badUrl = await cli(['app', 'create', '--name', 'X', '--redirect-url', 'https://x.example.com/cb',
      '--post-logout-redirect-url', 'https://x.example.com/bye#now']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /^atm: --post-logout-redirect-url: redirect URL must not contain a fragment/);
    assert.equal((await cli(['app', 'delete', 'spa-origins'])).code, 0);
  });

  test('every user command, with passwords from stdin', async () => {
    const app = JSON.parse((await cli(['app', 'create', '--name', 'Users', '--redirect-url', 'https://u.example.com/cb', '--json'])).stdout);
    const add = await cli(['user', 'add', '--app', app.client_id, '--email', 'end.user13@gmail.com',
      '--first-name', 'End', '--last-name', 'User', '--json'], 'H123456789\n');
    assert.equal(add.code, 0, add.stderr);
    const user = JSON.parse(add.stdout);
    assert.deepEqual([user.email, user.first_name, user.last_name, user.disabled], ['end.user13@gmail.com', 'End', 'User', false]);
    assert.match(user.id, /^[A-Za-z0-9_-]{21}$/);

    const dup = await cli(['user', 'add', '--app', app.client_id, '--email', 'END.USER13@gmail.com'], 'H123456789\n');
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    const short = await cli(['user', 'add', '--app', app.client_id, '--email', 'b@example.com'], 'short\n');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 8 characters/);
    const none = await cli(['user', 'add', '--app', app.client_id, '--email', 'b@example.com'], '');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no password on stdin/);
    assert.equal((await cli(['user', 'add', '--app', 'missing', '--email', 'b@example.com'], 'password-1\n')).code, 1);
    await cli(['user', 'add', '--app', app.client_id, '--email', 'bob@other.org'], 'password-22\n');

    const list = JSON.parse((await cli(['user', 'list', '--app', app.client_id, '--json'])).stdout);
    assert.equal(list.total, 2);
    const search = JSON.parse((await cli(['user', 'list', '--app', app.client_id, '--email', 'GMAIL', '--json'])).stdout);
    assert.deepEqual(search.items.map((u) => u.email), ['end.user13@gmail.com']);
    assert.match((await cli(['user', 'list', '--app', app.client_id])).stdout, /^ID\s+EMAIL\s+FIRST NAME/);

    // A user is named by id, or by email within --app.
    const byId = JSON.parse((await cli(['user', 'show', user.id, '--json'])).stdout);
    const byEmail = JSON.parse((await cli(['user', 'show', 'End.User13@gmail.com', '--app', app.client_id, '--json'])).stdout);
    assert.equal(byId.id, user.id);
    assert.equal(byEmail.id, user.id);
    assert.equal((await cli(['user', 'show', 'nobody@example.com', '--app', app.client_id])).code, 1);

    const updated = JSON.parse((await cli(['user', 'update', user.id, '--first-name', 'Ending', '--json'])).stdout);
    assert.equal(updated.first_name, 'Ending');
    const clash = await cli(['user', 'update', user.id, '--email', 'bob@other.org']);
    assert.equal(clash.code, 1);
    assert.equal(JSON.parse((await cli(['user', 'disable', user.id, '--json'])).stdout).disabled, true);
    assert.equal(JSON.parse((await cli(['user', 'enable', user.id, '--json'])).stdout).disabled, false);
    const passwd = await cli(['user', 'passwd', user.id, '--json'], 'a-new-password\n');
    assert.deepEqual(JSON.parse(passwd.stdout), { id: user.id, password_changed: true });
    assert.equal((await cli(['user', 'passwd', user.id], 'tiny\n')).code, 2);
    assert.deepEqual(JSON.parse((await cli(['user', 'delete', user.id, '--json'])).stdout), { deleted: user.id });
    assert.equal((await cli(['user', 'delete', user.id])).code, 1);
    assert.equal(JSON.parse((await cli(['app', 'show', app.client_id, '--json'])).stdout).user_count, 1);
  });

  test('every admin command; the password comes from stdin', async () => {
    const created = await cli(['admin', 'create', 'ops', '--json'], 'ops-password-1\n');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).username, 'ops');
    assert.equal((await cli(['admin', 'create', 'OPS'], 'ops-password-1\n')).code, 1);
    assert.equal((await cli(['admin', 'create', 'dev'], 'short\n')).code, 2);
    assert.deepEqual(JSON.parse((await cli(['admin', 'list', '--json'])).stdout).items.map((a) => a.username), ['ops']);
    const token = JSON.parse((await cli(['admin', 'token', 'ops', '--ttl', '2h', '--json'])).stdout);
    assert.match(token.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.match((await cli(['admin', 'token', 'ops'])).stdout, /^[A-Za-z0-9_-]{43}\n$/);
    assert.equal((await cli(['admin', 'token', 'nobody'])).code, 1);
    assert.deepEqual(JSON.parse((await cli(['admin', 'passwd', 'ops', '--json'], 'ops-password-2\n')).stdout),
      { username: 'ops', password_changed: true });
    assert.deepEqual(JSON.parse((await cli(['admin', 'delete', 'ops', '--json'])).stdout), { deleted: 'ops' });
    assert.equal((await cli(['admin', 'delete', 'ops'])).code, 1);
  });
});

describe('the CLI and a running server share the database file', () => {
  let temp, server, cli, db;
  before(async () => {
    temp = tempDir();
    db = join(temp.dir, 'shared.db');
    server = await startServer({ db, dir: temp.dir, admin: false });
    cli = (args, input) => runCli([...args, '--config', server.configPath, '--db', db], { input });
  });
  after(async () => { await server?.stop(); temp?.cleanup(); });

  test('an application, user, admin and secret made by the CLI work on the server at once', async () => {
    const app = JSON.parse((await cli(['app', 'create', '--name', 'Live', '--redirect-url', 'http://localhost:5000/cb', '--json'])).stdout);
    const user = await cli(['user', 'add', '--app', app.client_id, '--email', 'live@example.com'], 'live-password\n');
    assert.equal(user.code, 0, user.stderr);
    const creds = { clientId: app.client_id, clientSecret: app.client_secret, email: 'live@example.com', password: 'live-password' };
    assert.equal((await seedFlow(server.url, creds)).status, 200);

    assert.equal((await cli(['user', 'disable', 'live@example.com', '--app', app.client_id])).code, 0);
    assert.equal((await seedFlow(server.url, creds)).status, 403);
    assert.equal((await cli(['user', 'enable', 'live@example.com', '--app', app.client_id])).code, 0);
    assert.equal((await cli(['user', 'passwd', 'live@example.com', '--app', app.client_id], 'changed-password\n')).code, 0);
    assert.equal((await seedFlow(server.url, creds)).status, 401);
    const changed = { ...creds, password: 'changed-password' };
    assert.equal((await seedFlow(server.url, changed)).status, 200);

    const rotated = JSON.parse((await cli(['app', 'rotate-secret', app.client_id, '--json'])).stdout).client_secret;
    assert.equal((await seedFlow(server.url, changed)).status, 401);
    assert.equal((await seedFlow(server.url, { ...changed, clientSecret: rotated })).status, 200);

    // The server started without an admin; one made by the CLI signs in at once.
    assert.equal((await cli(['admin', 'create', ADMIN.username], `${ADMIN.password}\n`)).code, 0);
    const api = adminApi(server.url, await adminToken(server.url));
    const listed = (await api('GET', 'applications')).body;
    assert.deepEqual(listed.items.map((a) => [a.client_id, a.user_count]), [[app.client_id, 1]]);

    // ... and a token printed by the CLI works as a bearer token.
    const cliToken = (await cli(['admin', 'token', ADMIN.username])).stdout.trim();
    const viaCliToken = await request(`${server.url}/admin/api/applications/${app.client_id}`,
      { headers: { authorization: `Bearer ${cliToken}` } });
    assert.equal(viaCliToken.status, 200);

    assert.equal((await cli(['app', 'delete', app.client_id])).code, 0);
    assert.equal((await seedFlow(server.url, { ...changed, clientSecret: rotated })).status, 401);
  });

  test('what the admin API changes, the CLI sees', async () => {
    const api = adminApi(server.url, await adminToken(server.url));
    const app = (await api('POST', 'applications', { name: 'From API', redirect_url: 'https://api.example.com/cb' })).body;
    await api('POST', `applications/${app.client_id}/users`, { email: 'api-user@example.com', password: 'api-password' });
    const users = JSON.parse((await cli(['user', 'list', '--app', app.client_id, '--json'])).stdout);
    assert.deepEqual(users.items.map((u) => u.email), ['api-user@example.com']);
    await api('PATCH', `applications/${app.client_id}`, { name: 'Renamed by API' });
    assert.equal(JSON.parse((await cli(['app', 'show', app.client_id, '--json'])).stdout).name, 'Renamed by API');
  });
});
