// One syntax for the command line's whole numbers: `linrec run` and `linrec worker`'s --rows,
// --chunk, --threads, ... (src/distributed/cli-args.ts) and `linrec bench`'s --sizes and --seed
// (bench/harness.js). Decimal digits with an optional fraction and exponent (1000, 1e3, 2.5e3),
// whose value is a whole number JavaScript holds exactly; not what else Number() takes
// (hexadecimal, signs, spaces, '' as 0, Infinity) nor 10_000.

/** The whole number `text` spells, or undefined. */
export function integerArg(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^\d+(\.\d+)?(e\+?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
