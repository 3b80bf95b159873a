// Test certificates, made once per process with the openssl command line: a CA and a separate
// localhost leaf (Deno's rustls refuses a self-signed certificate used as its own CA).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  /** PEM of the CA that signed `cert`: pass as `ca` to clients. */
  ca: string;
  /** PEM of the leaf for localhost / 127.0.0.1 / ::1. */
  cert: string;
  key: string;
}

let made: TestCerts | undefined;

export function testCerts(): TestCerts {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=h2wasm test CA',
      '-keyout', 'ca.key', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'leaf.key', '-out', 'leaf.csr');
    writeFileSync(join(dir, 'leaf.ext'), [
      'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '',
    ].join('\n'));
    run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-out', 'leaf.pem', '-extfile', 'leaf.ext');
    made = {
      ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
      key: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
