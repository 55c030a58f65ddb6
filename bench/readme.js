// Copies the latest CPU results (bench/results/cpu.md) into the README between the
// <!-- bench:cpu --> markers, so the README shows measured figures: `npm run bench:readme`, after
// `npm run bench` (a benchmark run never edits the README itself).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const readmePath = path.join(root, 'README.md');
const md = fs.readFileSync(path.join(__dirname, 'results', 'cpu.md'), 'utf8');
const body = md
  .split('\n')
  .filter((line) => !/^# /.test(line)) // the file's own title
  .map((line) => line.replace(/^(#{2,5}) /, '#$1 ')) // one level below the README's section
  .join('\n')
  .trim();
const readme = fs.readFileSync(readmePath, 'utf8');
const start = '<!-- bench:cpu -->';
const end = '<!-- /bench:cpu -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < i) throw new Error('README.md lacks the bench:cpu markers');
fs.writeFileSync(readmePath, `${readme.slice(0, i + start.length)}\n${body}\n${readme.slice(j)}`);
console.error('README.md: CPU benchmark section updated');
