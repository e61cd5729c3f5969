import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { envKekProvider, fileKekProvider, httpKms, kekAad, kekProviderFromEnv, kmsKekProvider } from './kek-provider.ts';

/**
 * A local stand-in for a KMS, over real HTTP: master keys held in memory, AES-256-GCM, speaking the
 * protocol `httpKms` expects. It stands in for the cloud KMS adapter a deployment puts there.
 */
const masters = new Map([['master-1', randomBytes(32)]]);
const TOKEN = 'kms-test-token';
function wrap(keyId: string, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', masters.get(keyId)!, iv).setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}
let server: Server;
let url: string;
before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: 'unauthenticated' });
      const m = /^\/keys\/([^/]+)\/decrypt$/.exec(req.url ?? '');
      const master = m && masters.get(decodeURIComponent(m[1]!));
      if (!master) return send(404, { error: 'no such key' });
      const { ciphertext, aad } = JSON.parse(raw) as { ciphertext: string; aad: string };
      const c = Buffer.from(ciphertext, 'base64');
      try {
        const d = createDecipheriv('aes-256-gcm', master, c.subarray(0, 12)).setAAD(Buffer.from(aad, 'base64'));
        d.setAuthTag(c.subarray(c.length - 16));
        send(200, { plaintext: Buffer.concat([d.update(c.subarray(12, c.length - 16)), d.final()]).toString('base64') });
      } catch {
        send(400, { error: 'decryption failed' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const fileKek = { id: 'kek-file', key: randomBytes(32) };

test('file and env providers', async () => {
  assert.deepEqual(await fileKekProvider(fileKek).current(), fileKek);
  const key = randomBytes(32);
  assert.deepEqual(await envKekProvider({ CARECHAIN_KEK: key.toString('base64url'), CARECHAIN_KEK_ID: 'vault-1' }).current(), { id: 'vault-1', key });
  await assert.rejects(envKekProvider({ CARECHAIN_KEK: randomBytes(16).toString('base64url') }).current(), /must be 32 bytes/);
});

test('the KMS provider unwraps the KEK over HTTP; a wrong master key, org binding or token is refused with the reason', async () => {
  const kek = randomBytes(32);
  const wrapped = wrap('master-1', kek, kekAad('st-mary', 'kek-kms-1'));
  const kms = httpKms(url, TOKEN);
  assert.deepEqual(await kmsKekProvider(kms, { org: 'st-mary', keyId: 'master-1', kekId: 'kek-kms-1', wrapped }).current(), { id: 'kek-kms-1', key: kek });
  await assert.rejects(kmsKekProvider(kms, { org: 'st-mary', keyId: 'master-2', kekId: 'kek-kms-1', wrapped }).current(), /did not unwrap KEK kek-kms-1 with master key master-2: HTTP 404: no such key/);
  await assert.rejects(kmsKekProvider(kms, { org: 'other-org', keyId: 'master-1', kekId: 'kek-kms-1', wrapped }).current(), /HTTP 400: decryption failed/);
  await assert.rejects(kmsKekProvider(httpKms(url, 'wrong'), { org: 'st-mary', keyId: 'master-1', kekId: 'kek-kms-1', wrapped }).current(), /HTTP 401/);
});

test('the environment chooses the provider', async () => {
  const kek = randomBytes(32);
  const env = { CARECHAIN_KEK_PROVIDER: 'kms', CARECHAIN_KMS_URL: url, CARECHAIN_KMS_TOKEN: TOKEN, CARECHAIN_KMS_KEY_ID: 'master-1', CARECHAIN_KMS_KEK_ID: 'k1', CARECHAIN_KMS_WRAPPED_KEK: wrap('master-1', kek, kekAad('lab', 'k1')).toString('base64url') };
  const p = kekProviderFromEnv(env, 'lab', fileKek);
  assert.equal(p.source, 'kms');
  assert.deepEqual(await p.current(), { id: 'k1', key: kek });
  assert.equal(kekProviderFromEnv({}, 'lab', fileKek).source, 'file');
  assert.equal(kekProviderFromEnv({ CARECHAIN_KEK: kek.toString('base64url') }, 'lab', fileKek).source, 'env');
  assert.throws(() => kekProviderFromEnv({ CARECHAIN_KEK_PROVIDER: 'kms' }, 'lab', fileKek), /needs CARECHAIN_KMS_URL, CARECHAIN_KMS_KEY_ID, CARECHAIN_KMS_WRAPPED_KEK/);
  assert.throws(() => kekProviderFromEnv({ CARECHAIN_KEK_PROVIDER: 'hsm' }, 'lab', fileKek), /must be file, env or kms/);
});
