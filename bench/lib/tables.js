'use strict';
// Markdown: number formats, tables, and the whole report of a harness run.
const { DISTRIBUTIONS } = require('./random');

function fmtErr(x) {
  if (typeof x === 'string') return x;
  if (x === 0) return '0';
  return x.toExponential(1);
}
function fmtRate(x) {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e8 ? 0 : 1)} M`;
  return `${(x / 1e3).toFixed(1)} k`;
}
const fmtN = (n) => `10^${Math.round(Math.log10(n))}`;

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function markdown(doc) {
  const m = doc.machine;
  const parts = [];
  parts.push(`# linrec benchmark${doc.config.cuda ? ' (CPU + CUDA)' : ' (CPU)'}`);
  parts.push(
    [
      `- machine: ${m.cpuModel}${m.cpuInstructionSet ? ` (linrec's ${m.cpuInstructionSet} build)` : ''}, ${m.cores} logical cores (linrec uses ${m.linrecThreads}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.platform}`,
      `- node ${m.node} (V8 ${m.v8}); commit ${m.git.commit ? m.git.commit.slice(0, 12) + (m.git.dirty ? ' (+ uncommitted changes)' : '') : 'unknown'}; ${m.date}`,
      `- CUDA: ${m.cuda.available ? m.cuda.devices.map((d) => `${d.name} (cc ${d.computeCapability})`).join(', ') : `not used (${m.cuda.reason || 'unavailable'})`}`,
      `- base seed ${doc.config.seed}${doc.config.quick ? '; --quick' : ''}; took ${doc.elapsedSeconds} s; load average ${m.loadAverage[0]} at the start, ${doc.loadAverageAtEnd ? doc.loadAverageAtEnd[0] : '?'} at the end (${m.cores} cores)`,
    ].join('\n'),
  );
  if (doc.throughput.length) {
    const sizes = [...new Set(doc.throughput.map((r) => r.n))];
    const ids = [...new Set(doc.throughput.map((r) => r.id))];
    const get = (id, n) => doc.throughput.find((r) => r.id === id && r.n === n);
    parts.push('## Throughput (elements/s, median)');
    parts.push(
      table(
        ['backend', ...sizes.map(fmtN)],
        ids.map((id) => [get(id, sizes[0])?.label ?? id, ...sizes.map((n) => (get(id, n) ? fmtRate(get(id, n).elementsPerSec) : '–'))]),
      ),
    );
    parts.push('Median milliseconds per call:');
    parts.push(
      table(
        ['backend', ...sizes.map(fmtN)],
        ids.map((id) => [id, ...sizes.map((n) => (get(id, n) ? String(+get(id, n).medianMs.toPrecision(3)) : '–'))]),
      ),
    );
    const names = [...new Set(doc.ratios.map((r) => r.name))];
    parts.push('## Ratios of median times');
    parts.push(
      table(
        ['ratio', ...sizes.map(fmtN), 'meaning'],
        names.map((name) => {
          const rs = doc.ratios.filter((r) => r.name === name);
          return [
            name,
            ...sizes.map((n) => {
              const r = rs.find((x) => x.n === n);
              return r ? r.value.toFixed(2) : '–';
            }),
            rs[0].meaning,
          ];
        }),
      ),
    );
  }
  if (doc.accuracy.length) {
    const sizes = [...new Set(doc.accuracy.map((r) => r.n))];
    parts.push('## Accuracy: max mixed error |x - ref| / (|ref| + mean|ref|) vs float64 (median over trials; worst in brackets)');
    for (const dist of Object.keys(DISTRIBUTIONS)) {
      const recs = doc.accuracy.filter((r) => r.distribution === dist);
      if (!recs.length) continue;
      const ids = [...new Set(recs.map((r) => r.id))];
      parts.push(`### ${DISTRIBUTIONS[dist].label}`);
      parts.push(
        table(
          ['method', ...sizes.map(fmtN)],
          ids.map((id) => {
            const label = recs.find((r) => r.id === id).label;
            return [
              label,
              ...sizes.map((n) => {
                const r = recs.find((x) => x.id === id && x.n === n);
                return r ? `${fmtErr(r.medianMaxError)} [${fmtErr(r.worstMaxError)}]` : '–';
              }),
            ];
          }),
        ),
      );
    }
    const trials = [...new Set(doc.accuracy.map((r) => `${fmtN(r.n)}: ${r.trials}`))];
    parts.push(`Trials per size (fresh inputs each): ${trials.join(', ')}.`);
  }
  return parts.join('\n\n') + '\n';
}

module.exports = { fmtErr, fmtRate, fmtN, table, markdown };
