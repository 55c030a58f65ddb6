'use strict';
// SVG charts of a bench results document (bench/harness.js), for CPU and GPU runs alike:
// vega-lite spec → vega spec → headless View (renderer 'none') → view.toSVG().
// vega and vega-lite 6 are ESM-only, hence the dynamic import() from this CommonJS file.

const fs = require('fs');
const path = require('path');

const WIDTH = 520;
const HEIGHT = 340;

function throughputSpec(doc) {
  const values = doc.throughput.map((r) => ({ n: r.n, elementsPerSec: r.elementsPerSec, backend: r.label, group: r.group, medianMs: r.medianMs }));
  const m = doc.machine;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'linrec throughput (median)',
      subtitle: `${m.cpuModel}, ${m.linrecThreads} threads${doc.config.cuda && m.cuda.devices.length ? `; ${m.cuda.devices[0].name}` : ''}; node ${m.node}`,
    },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: {
        field: 'n',
        type: 'quantitative',
        scale: { type: 'log' },
        axis: { title: 'n (elements)', format: '.0e', values: [...new Set(values.map((v) => v.n))] },
      },
      y: { field: 'elementsPerSec', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'elements / s', format: '.0e' } },
      color: { field: 'backend', type: 'nominal', legend: { orient: 'bottom', direction: 'vertical', columns: 1, labelLimit: 600, title: null } },
      strokeDash: {
        field: 'group',
        type: 'nominal',
        legend: null,
        scale: {
          domain: ['linrec', 'gpu', 'baseline', 'floor', 'gpu-floor'],
          range: [
            [1, 0],
            [1, 0],
            [6, 3],
            [2, 2],
            [2, 2],
          ],
        },
      },
      tooltip: [{ field: 'backend' }, { field: 'n' }, { field: 'elementsPerSec', format: '.3s' }, { field: 'medianMs' }],
    },
  };
}

function accuracySpec(doc) {
  // log scale: exact zeros (possible for float64 at small n) and non-finite errors are left out
  const values = doc.accuracy
    .filter((r) => typeof r.medianMaxError === 'number' && r.medianMaxError > 0)
    .map((r) => ({ n: r.n, error: r.medianMaxError, method: r.label, distribution: r.distributionLabel }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Max mixed error vs float64 reference (median over trials)', subtitle: '|x − ref| / (|ref| + mean|ref|); float32 unless noted' },
    data: { values },
    facet: { column: { field: 'distribution', type: 'nominal', title: null } },
    spec: {
      width: WIDTH * 0.75,
      height: HEIGHT,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: {
          field: 'n',
          type: 'quantitative',
          scale: { type: 'log' },
          axis: { title: 'n (elements)', format: '.0e', values: [...new Set(values.map((v) => v.n))] },
        },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'max mixed error', format: '.0e' } },
        color: { field: 'method', type: 'nominal', legend: { orient: 'bottom', direction: 'vertical', columns: 1, labelLimit: 600, title: null } },
        tooltip: [{ field: 'method' }, { field: 'distribution' }, { field: 'n' }, { field: 'error', format: '.2e' }],
      },
    },
  };
}

async function toSVG(vlSpec) {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(vlSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes <prefix>throughput.svg and <prefix>accuracy.svg (those with data); returns the file names. */
async function renderCharts(doc, outDir, { prefix = '' } = {}) {
  const written = [];
  if (doc.throughput && doc.throughput.length) {
    const file = `${prefix}throughput.svg`;
    fs.writeFileSync(path.join(outDir, file), await toSVG(throughputSpec(doc)));
    written.push(file);
  }
  if (doc.accuracy && doc.accuracy.length) {
    const file = `${prefix}accuracy.svg`;
    fs.writeFileSync(path.join(outDir, file), await toSVG(accuracySpec(doc)));
    written.push(file);
  }
  return written;
}

module.exports = { throughputSpec, accuracySpec, toSVG, renderCharts };

// `node bench/charts.js results.json [outDir] [prefix]` re-renders the charts of a saved run.
if (require.main === module) {
  const [file, outDir, prefix] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/charts.js results.json [outDir] [prefix]\n');
    process.exit(2);
  }
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  renderCharts(doc, outDir || path.dirname(file), { prefix: prefix || '' })
    .then((w) => process.stderr.write(`wrote ${w.join(', ')}\n`))
    .catch((e) => {
      process.stderr.write(`${e.stack || e}\n`);
      process.exit(1);
    });
}
