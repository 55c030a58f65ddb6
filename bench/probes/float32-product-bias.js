// Session 19 (defect B): the bias of a float32 product of 2080 factors just below 1.
// The float32 product of 2080 factors 1 - eps·U against the double product of the same factors:
// relative error, its mean over lanes (bias) and spread, and 2080·2^-24 and sqrt(2080)·2^-24/sqrt(3).
const f = Math.fround;
let seed = 3;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
for (const eps of [1e-5, 1e-4, 1e-3, 0.5]) {
  const errs = [];
  for (let lane = 0; lane < 300; lane++) {
    let p32 = 1,
      p64 = 1;
    for (let i = 0; i < 2080; i++) {
      const a = f(1 - eps * rnd());
      p32 = f(p32 * a);
      p64 *= a;
    }
    errs.push((p32 - p64) / p64);
  }
  const mean = errs.reduce((s, e) => s + e, 0) / errs.length,
    rms = Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / errs.length);
  console.log(
    `a = 1 - ${eps}·U: float32 product of 2080, relative error mean ${mean.toExponential(2)} rms ${rms.toExponential(2)} (2080 ulp/2 = ${(2080 * 2 ** -25).toExponential(2)}, random walk ${(Math.sqrt(2080 / 3) * 2 ** -24).toExponential(2)})`,
  );
}
