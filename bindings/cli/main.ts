// The `h2wasm` command line: argument parsing, usage and dispatch to `serve` and `get`.
// Run from the sources with `node --import tsx bindings/cli/main.ts`, or bundled as dist/cli.mjs
// through bin/h2wasm.mjs.
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { get, CliError } from './get.ts';
import { serve } from './serve.ts';
import { relay, parseTarget } from './relay.ts';

const USAGE = `Usage:
  h2wasm serve [dir] [--port N] [--host H] [--h2c] [--cert FILE --key FILE]
      HTTP/2 static file server (default: dir ".", port 8443, host 127.0.0.1). TLS with a
      development CA and localhost certificate made on first run (kept in
      $XDG_CACHE_HOME/h2wasm or ~/.cache/h2wasm); --h2c serves cleartext HTTP/2.
      --port 0 picks a free port; the URL is printed.
  h2wasm get URL [-v] [-i] [-o FILE] [-H 'name: value']... [-d DATA | -d @FILE] [-X METHOD]
                 [--h2c] [--insecure] [--cacert FILE] [-f]
      One HTTP/2 request; the body goes to stdout.
      -v  nghttp -v style frame trace on stderr     -i  response head too
      -o  save the body to FILE                      -H  add a request header
      -d  send DATA (or FILE's contents) as a POST   -X  request method
      -f  exit 22 when the status is 400 or more     --h2c  cleartext (prior knowledge)
      --insecure  skip certificate verification      --cacert  trust this CA (PEM)
  h2wasm relay --listen PORT --to HOST:PORT [--host H]
      WebSocket server (host 127.0.0.1) piping each connection's binary messages to its own TCP
      connection to HOST:PORT, so a browser page can speak HTTP/2 to that server.
  h2wasm --help | --version
`;

function version(): string {
  // dist/cli.mjs sits one level under the package root, bindings/cli/main.ts two.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'));
      if (pkg.name === 'h2wasm') return pkg.version;
    } catch { /* try the next */ }
  }
  return '0.0.0';
}

interface Spec { flags: Set<string>; values: Set<string>; repeat: Set<string>; aliases: Record<string, string> }

/** Options and positionals; `--x=v` and `-xV` forms too. Throws CliError on unknown options. */
export function parseArgs(argv: string[], spec: Spec): { opts: Record<string, string | string[] | boolean>; rest: string[] } {
  const opts: Record<string, string | string[] | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '--') { rest.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { rest.push(a); continue; }
    let inline: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) { inline = a.slice(eq + 1); a = a.slice(0, eq); } else if (!a.startsWith('--') && a.length > 2) { inline = a.slice(2); a = a.slice(0, 2); }
    const name = spec.aliases[a] ?? a.replace(/^-+/, '');
    if (spec.flags.has(name)) {
      if (inline !== undefined) {
        // -vi: several short flags at once.
        if (a.startsWith('--')) throw new CliError(`--${name} takes no value`);
        for (const c of inline) {
          const n = spec.aliases[`-${c}`];
          if (!n || !spec.flags.has(n)) throw new CliError(`unknown option -${c} (see --help)`, 2);
          opts[n] = true;
        }
      }
      opts[name] = true;
    } else if (spec.values.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliError(`${a} needs a value`, 2);
      if (spec.repeat.has(name)) opts[name] = [...((opts[name] as string[]) ?? []), v];
      else opts[name] = v;
    } else throw new CliError(`unknown option ${a} (see --help)`, 2);
  }
  return { opts, rest };
}

const SERVE: Spec = {
  flags: new Set(['h2c', 'help']), values: new Set(['port', 'host', 'cert', 'key']), repeat: new Set(),
  aliases: { '-p': 'port', '-h': 'help' },
};
const GET: Spec = {
  flags: new Set(['verbose', 'include', 'h2c', 'insecure', 'fail', 'help']),
  values: new Set(['output', 'header', 'data', 'request', 'cacert']),
  repeat: new Set(['header']),
  aliases: {
    '-v': 'verbose', '-i': 'include', '-o': 'output', '-H': 'header', '-d': 'data', '-X': 'request',
    '-k': 'insecure', '-f': 'fail', '-h': 'help',
  },
};

async function runServe(argv: string[]): Promise<number> {
  const { opts, rest } = parseArgs(argv, SERVE);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (rest.length > 1) throw new CliError(`serve takes one directory, got: ${rest.join(' ')}`);
  const port = Number(opts.port ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`bad --port: ${opts.port}`);
  const dir = rest[0] ?? '.';
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`not a directory: ${dir}`);
  const running = await serve({
    dir, port, host: (opts.host as string) ?? '127.0.0.1', h2c: !!opts.h2c,
    cert: opts.cert as string | undefined, key: opts.key as string | undefined,
    log: (l) => process.stdout.write(l + '\n'),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use (try --port 0 for a free one)`);
    if (err instanceof CliError) throw err;
    throw new CliError(err.message);
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

async function runGet(argv: string[]): Promise<number> {
  const { opts, rest } = parseArgs(argv, GET);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (rest.length !== 1) throw new CliError(rest.length ? `get takes one URL, got: ${rest.join(' ')}` : 'get needs a URL (see --help)');
  return get({
    url: rest[0], verbose: !!opts.verbose, include: !!opts.include, output: opts.output as string | undefined,
    headers: (opts.header as string[]) ?? [], data: opts.data as string | undefined, method: opts.request as string | undefined,
    h2c: !!opts.h2c, insecure: !!opts.insecure, cacert: opts.cacert as string | undefined, fail: !!opts.fail,
  }, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, version: version() });
}

const RELAY: Spec = { flags: new Set(['help']), values: new Set(['listen', 'to', 'host']), repeat: new Set(), aliases: { '-h': 'help', '-l': 'listen' } };

async function runRelay(argv: string[]): Promise<number> {
  const { opts, rest } = parseArgs(argv, RELAY);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (rest.length) throw new CliError(`relay takes no arguments, got: ${rest.join(' ')}`, 2);
  if (!opts.to) throw new CliError('relay needs --to HOST:PORT', 2);
  const port = Number(opts.listen ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`bad --listen: ${opts.listen}`, 2);
  const running = await relay({
    port, host: (opts.host as string) ?? '127.0.0.1', to: parseTarget(opts.to as string), log: (l) => process.stdout.write(l + '\n'),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use (try --listen 0 for a free one)`);
    throw err instanceof CliError ? err : new CliError(err.message);
  });
  process.stdout.write(`relay: ${running.url} → ${opts.to}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); running.close().then(resolve); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'serve') return await runServe(rest);
    if (cmd === 'get') return await runGet(rest);
    if (cmd === 'relay') return await runRelay(rest);
    if (cmd === '--version' || cmd === '-V') { process.stdout.write(`h2wasm ${version()}\n`); return 0; }
    if (cmd === undefined) { process.stderr.write(USAGE); return 2; }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE); return 0; }
    throw new CliError(`unknown command ${cmd} (serve, get or relay; see --help)`, 2);
  } catch (err) {
    const e = err as CliError;
    process.stderr.write(`h2wasm ${cmd && !cmd.startsWith('-') ? `${cmd}: ` : ''}error: ${e?.message ?? err}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/** Runs `main` and exits once stdout has drained. */
export function run(argv = process.argv.slice(2)): void {
  main(argv).then((code) => {
    process.exitCode = code;
    // Let pending output drain, then leave even if a handle lingers.
    process.stdout.write('', () => process.exit(code));
  });
}

// Started directly (from the sources): run. Imported (bin/h2wasm.mjs, tests): only export.
function startedDirectly(): boolean {
  try { return !!process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href; } catch { return false; }
}
if (startedDirectly()) run();
