'use strict';
// The seed paper's recipe (Heinsen, arXiv 2311.06281) emulated in float32 in JS, for the
// accuracy tables (bench/lib/torch.js runs the same recipe in PyTorch, for speed).
const fround = Math.fround;

const PI32 = fround(Math.PI);

/**
 * The seed's recipe (Heinsen, arXiv 2311.06281), general form for inputs of any sign, with every
 * operation rounded to float32 (complex64 in PyTorch terms):
 *   log a, log b complex (log|.| + iπ for negatives), a* = [0, cumsum(log a)],
 *   log x = a* + logcumsumexp(log b - a*), x = Re exp(log x).
 * logcumsumexp accumulates with PyTorch's complex log-add-exp: max + log1p(exp(min - max)), max
 * and min chosen by real part. Imaginary parts are multiples of π accumulated in float32.
 */
function seedComplex32(a, b) {
  const n = a.length;
  const x = new Float32Array(n + 1);
  let ar = 0; // a*_t (real, imaginary)
  let ai = 0;
  let sr = 0; // logcumsumexp state
  let si = 0;
  for (let t = 0; t <= n; t++) {
    if (t > 0) {
      const at = a[t - 1];
      ar = fround(ar + fround(Math.log(Math.abs(at))));
      ai = fround(ai + (at < 0 ? PI32 : 0));
    }
    const bt = b[t];
    const vr = fround(fround(Math.log(Math.abs(bt))) - ar);
    const vi = fround((bt < 0 ? PI32 : 0) - ai);
    if (t === 0) {
      sr = vr;
      si = vi;
    } else if (vr === -Infinity) {
      // log 0: adds nothing.
    } else if (sr === -Infinity) {
      sr = vr;
      si = vi;
    } else {
      let mr, mi, lr, li;
      if (vr > sr) [mr, mi, lr, li] = [vr, vi, sr, si];
      else [mr, mi, lr, li] = [sr, si, vr, vi];
      // exp(min - max), complex, in float32
      const dr = fround(lr - mr);
      const di = fround(li - mi);
      const e = fround(Math.exp(dr));
      const zr = fround(e * fround(Math.cos(di)));
      const zi = fround(e * fround(Math.sin(di)));
      // log1p(z) = log|1 + z| + i arg(1 + z)
      const wr = fround(1 + zr);
      const pr = fround(Math.log(fround(Math.hypot(wr, zi))));
      const pi = fround(Math.atan2(zi, wr));
      sr = fround(mr + pr);
      si = fround(mi + pi);
    }
    const hr = fround(ar + sr);
    const hi = fround(ai + si);
    x[t] = fround(fround(Math.exp(hr)) * fround(Math.cos(hi)));
  }
  return x;
}

/** The seed's recipe, real form (all a, b > 0), every operation rounded to float32. */
function seedReal32(a, b) {
  const n = a.length;
  const x = new Float32Array(n + 1);
  let as = 0;
  let s = 0;
  for (let t = 0; t <= n; t++) {
    if (t > 0) as = fround(as + fround(Math.log(a[t - 1])));
    const v = fround(fround(Math.log(b[t])) - as);
    if (t === 0) s = v;
    else {
      const hi = v > s ? v : s;
      const lo = v > s ? s : v;
      s = fround(hi + fround(Math.log1p(fround(Math.exp(fround(lo - hi))))));
    }
    x[t] = fround(Math.exp(fround(as + s)));
  }
  return x;
}

module.exports = { seedComplex32, seedReal32 };
