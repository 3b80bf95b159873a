// Command-line options of bench/hpack.mjs.
const USAGE = 'usage: node bench/hpack.mjs [--rounds N] [--seconds S] [--quick] [--json]';

export function parseOptions(argv) {
  const o = { rounds: 5, seconds: 2, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const number = () => {
      const n = Number(argv[++i]);
      if (!(n > 0)) throw new Error(`${a} needs a positive number\n${USAGE}`);
      return n;
    };
    if (a === '--rounds') o.rounds = Math.floor(number());
    else if (a === '--seconds') o.seconds = number();
    else if (a === '--quick') { o.rounds = 1; o.seconds = 0.2; }
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  // Untimed warm-up before each figure, so JIT tiering is not in the figure.
  o.warmup = Math.min(0.5, o.seconds / 4);
  return o;
}
