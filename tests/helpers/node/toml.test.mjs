// The config object is written as TOML that atm reads back exactly: quoting,
// escapes, nested tables, arrays of tables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startAtm, toToml } from '../../../helpers/node/atm.mjs';

const ODD = 'Zoë "Q" \\ O\'Brien\ttab';
let atm;
before(async () => {
  atm = await startAtm({
    config: {
      tokens: { issuer: 'toml "quoted" issuer', access_token_ttl: '15m' },
      applications: [{
        name: 'App with "quotes" and \\ backslash',
        redirect_urls: ['http://localhost:3000/callback', 'http://127.0.0.1/native'],
        web_origins: ['http://localhost:5173'],
        users: [{
          email: 'odd@example.com', first_name: ODD, last_name: '日本',
          claims: { 'https://example.com/roles': ['a', 'b'], org: { id: 7, name: 'Acme' }, active: true },
        }],
      }],
    },
  });
});
after(() => atm.stop());

test('toToml: tables, arrays of tables, quoted keys, escapes; null and undefined left out', () => {
  assert.equal(toToml({
    a: 1, s: 'x"y\\z\n', skip: null, gone: undefined, list: [1, 'two', true],
    t: { 'needs quotes': { inner: 1.5 } },
    arr: [{ k: 'v', sub: { x: 1 }, more: [{ y: 2 }] }, { k: 'w' }],
  }), `a = 1
s = "x\\"y\\\\z\\n"
list = [1, "two", true]

[t]

[t."needs quotes"]
inner = 1.5

[[arr]]
k = "v"

[arr.sub]
x = 1

[[arr.more]]
y = 2

[[arr]]
k = "w"
`);
  assert.throws(() => toToml({ f: () => 1 }), /f: cannot write a function as TOML/);
});

test('atm reads back the odd strings and the claims exactly', async () => {
  const tokens = await atm.signIn();
  const access = decodeJwt(tokens.access_token).payload;
  const id = decodeJwt(tokens.id_token).payload;
  assert.equal(access.iss, 'toml "quoted" issuer');
  assert.equal(access.exp - access.iat, 900);
  assert.equal(access.scope.firstName, ODD);
  assert.equal(id.given_name, ODD);
  assert.equal(id.family_name, '日本');
  const claims = { ...access, ...id };
  assert.deepEqual(claims['https://example.com/roles'], ['a', 'b'], JSON.stringify(claims));
  assert.deepEqual(claims.org, { id: 7, name: 'Acme' });
  assert.equal(claims.active, true);
});

test('the application with the odd name answers CORS for its web origin', async () => {
  const res = await atm.request('OPTIONS', '/auth/token', undefined, {
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
  });
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
});
