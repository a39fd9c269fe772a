// Verifies a JWT against atm's JWKS with node:crypto only, as a resource server would.
import { createPublicKey, verify } from 'node:crypto';

const HASH = { RS256: 'sha256', ES256: 'sha256', EdDSA: null };

// Resolves with the payload, or throws naming what is wrong (kid, alg, signature).
export async function verifyJwt(token, jwksUrl) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const { keys } = await (await fetch(jwksUrl, { signal: AbortSignal.timeout(10000) })).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`unknown kid ${header.kid}`);
  if (!(header.alg in HASH) || (jwk.alg && jwk.alg !== header.alg)) throw new Error(`unexpected alg ${header.alg}`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const options = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  if (!verify(HASH[header.alg], Buffer.from(`${h}.${p}`), options, Buffer.from(s, 'base64url'))) {
    throw new Error('bad signature');
  }
  return JSON.parse(Buffer.from(p, 'base64url'));
}
