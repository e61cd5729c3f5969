/**
 * TLS between nodes with a certificate authority per network: `carechain tls init` creates the CA
 * (ECDSA P-256, key kept by whoever runs the network's governance), `carechain tls issue` signs a
 * node's server certificate for its host names. Nodes trust only their network's CA when they call
 * each other, so a certificate from any public CA, or another network's, is refused.
 *
 * Certificates are built with @peculiar/x509 over node:crypto's WebCrypto (no hand-written ASN.1
 * or crypto).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { CarechainError } from '../shared/errors.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface TlsFiles {
  cert: string;
  key: string;
}

/** Where a network keeps its CA: `<home>/tls/ca.{crt,key}`. */
export const caFiles = (home: string): TlsFiles => ({ cert: join(home, 'tls', 'ca.crt'), key: join(home, 'tls', 'ca.key') });
/** Where a node keeps its certificate: `<dataDir>/tls/node.{crt,key}`. */
export const nodeFiles = (dataDir: string): TlsFiles => ({ cert: join(dataDir, 'tls', 'node.crt'), key: join(dataDir, 'tls', 'node.key') });

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'); // positive

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function write(files: TlsFiles, cert: string, key: string): void {
  mkdirSync(dirname(files.cert), { recursive: true });
  writeFileSync(files.key, key, { mode: 0o600 });
  chmodSync(files.key, 0o600);
  writeFileSync(files.cert, cert);
}

/** Creates the network's CA unless it exists; returns its files and whether it was created now. */
export async function initNetworkCa(home: string, name = 'Carechain network'): Promise<TlsFiles & { created: boolean }> {
  const files = caFiles(home);
  if (existsSync(files.cert) && existsSync(files.key)) return { ...files, created: false };
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = new Date();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name.replace(/[,=+<>#;"\\]/g, ' ')} CA`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  write(files, ca.toString('pem'), await keyPem(keys.privateKey));
  return { ...files, created: true };
}

/** Signs a server (and client) certificate for a node, valid for `hosts` (DNS names or IPs), 1 year. */
export async function issueNodeCertificate(home: string, dataDir: string, org: string, hosts: string[]): Promise<TlsFiles> {
  const ca = caFiles(home);
  if (!existsSync(ca.cert) || !existsSync(ca.key)) throw new CarechainError(`no network CA in ${dirname(ca.cert)}: run carechain tls init first`);
  const caCert = new x509.X509Certificate(readFileSync(ca.cert, 'utf8'));
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(readFileSync(ca.key, 'utf8')), ALG, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${org}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 365 * DAY),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([...new Set(hosts)].map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  const files = nodeFiles(dataDir);
  write(files, cert.toString('pem'), await keyPem(keys.privateKey));
  return files;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/**
 * The TLS material a node with TLS on needs: its key and certificate (issued now from the network CA
 * if it has none and the CA is at hand, as on a single-host network) and the network CA to trust.
 */
export async function nodeTls(opts: { home: string; dataDir: string; org: string; host: string }): Promise<{ key: string; cert: string; ca: string }> {
  const ca = caFiles(opts.home);
  if (!existsSync(ca.cert)) throw new CarechainError(`TLS is on but the network CA certificate ${ca.cert} is missing: run carechain tls init (or copy the network's ca.crt there)`);
  const files = nodeFiles(opts.dataDir);
  if (!existsSync(files.cert) || !existsSync(files.key)) {
    if (!existsSync(ca.key)) throw new CarechainError(`TLS is on but ${files.cert} is missing: run carechain tls issue --org ${opts.org} where the network CA key is`);
    await issueNodeCertificate(opts.home, opts.dataDir, opts.org, [opts.host, 'localhost', '127.0.0.1']);
  }
  return { key: readFileSync(files.key, 'utf8'), cert: readFileSync(files.cert, 'utf8'), ca: readFileSync(ca.cert, 'utf8') };
}
