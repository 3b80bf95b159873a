// Command-line options of bench/core.mjs.
const USAGE = 'usage: node bench/core.mjs [--rounds N] [--quick] [--json] [--exchanges N] [--mib N]';

export function parseOptions(argv) {
  const o = { rounds: 5, exchanges: 200_000, concurrency: 100, mib: 256, json: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const number = () => {
      const n = Number(argv[++i]);
      if (!(n > 0)) throw new Error(`${a} needs a positive number\n${USAGE}`);
      return Math.floor(n);
    };
    if (a === '--rounds') o.rounds = number();
    else if (a === '--exchanges') o.exchanges = number();
    else if (a === '--mib') o.mib = number();
    else if (a === '--quick') { o.quick = true; o.rounds = 1; o.exchanges = 20_000; o.mib = 32; }
    else if (a === '--json') o.json = true;
    else if (a === '-h' || a === '--help') throw Object.assign(new Error(USAGE), { help: true });
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}
