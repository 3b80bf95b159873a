// The development certificates of `h2wasm serve`: a CA and a localhost leaf it signed, made on first
// run and kept in the user's cache directory. The CA and the leaf are separate certificates because
// rustls (Deno) and Chromium refuse a self-signed leaf that doubles as its own CA.
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import './reflect.ts';

// Loaded on first use, after the Reflect shim (a static import would be hoisted above it in a bundle).
let x509: typeof X509;

export interface DevCerts {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  /** PEM: the leaf, then the CA (a full chain for the TLS server). */
  cert: string;
  key: string;
  ca: string;
  /** Whether anything was generated on this call. */
  created: boolean;
}

const DAY = 86_400_000;
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const crypto = (globalThis.crypto ?? webcrypto) as Crypto;

/** `$XDG_CACHE_HOME/h2wasm`, or `~/.cache/h2wasm`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'h2wasm');
}

/** Writes through a temporary file so a second process never reads half a PEM. */
function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

const keyPem = async (key: CryptoKey) =>
  x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');

async function importKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0], ALG, true, ['sign']);
}

const serial = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');

async function makeCa(): Promise<{ cert: X509.X509Certificate; key: CryptoKey; keyText: string }> {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=h2wasm development CA, O=h2wasm',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 10 * 365 * DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    ],
  }, crypto);
  return { cert, key: keys.privateKey, keyText: await keyPem(keys.privateKey) };
}

async function makeLeaf(ca: X509.X509Certificate, caKey: CryptoKey): Promise<{ cert: X509.X509Certificate; keyText: string }> {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore: new Date(now - DAY),
    // Under the 398 days browsers accept for a server certificate.
    notAfter: new Date(now + 397 * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
    ],
  }, crypto);
  return { cert, keyText: await keyPem(keys.privateKey) };
}

const readable = (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return null; } };

/** Valid for at least another week. */
function fresh(pem: string | null): X509.X509Certificate | null {
  if (!pem) return null;
  try {
    const c = new x509.X509Certificate(pem);
    return c.notAfter.getTime() - Date.now() > 7 * DAY ? c : null;
  } catch {
    return null;
  }
}

/**
 * The CA and localhost certificate in `dir`, made when missing or about to expire. A leaf is
 * re-issued from the existing CA, so a CA the user already trusts stays trusted.
 */
export async function devCerts(dir = cacheDir()): Promise<DevCerts> {
  x509 ??= await import('@peculiar/x509');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'localhost.pem');
  const keyPath = join(dir, 'localhost-key.pem');
  let created = false;

  let ca = fresh(readable(caPath));
  let caKeyText = readable(caKeyPath);
  let caKey: CryptoKey | null = null;
  if (ca && caKeyText) {
    try { caKey = await importKey(caKeyText); } catch { caKey = null; }
  }
  if (!ca || !caKey || !caKeyText) {
    const made = await makeCa();
    ca = made.cert; caKey = made.key; caKeyText = made.keyText;
    writeAtomic(caKeyPath, caKeyText, 0o600);
    writeAtomic(caPath, ca.toString('pem') + '\n', 0o644);
    created = true;
  }

  let leaf = fresh(readable(certPath));
  let leafKey = readable(keyPath);
  // A leaf from an older CA (the CA was just re-made) must go too.
  if (leaf && (created || leaf.issuer !== ca.subject || !(await leaf.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto).catch(() => false)))) leaf = null;
  if (!leaf || !leafKey) {
    const made = await makeLeaf(ca, caKey);
    leaf = made.cert; leafKey = made.keyText;
    writeAtomic(keyPath, leafKey, 0o600);
    writeAtomic(certPath, leaf.toString('pem') + '\n', 0o644);
    created = true;
  }
  const caText = ca.toString('pem') + '\n';
  return { dir, caPath, certPath, keyPath, cert: leaf.toString('pem') + '\n' + caText, key: leafKey, ca: caText, created };
}

export const certsExist = (dir = cacheDir()) => existsSync(join(dir, 'ca.pem'));
