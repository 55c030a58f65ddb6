#!/usr/bin/env node
// Fails when src/ has an import cycle (relative imports, type-only ones included), so the
// modules stay layered one way: errors -> validate/dtype -> addon/backends -> device-array ->
// operands -> scan/scanner -> stream/cli. Part of `npm run lint`.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', 'src');
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})(root);

const importPattern = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\s+\w+\s*=\s*require\(['"](\.[^'"]+)['"]\)|import\(['"](\.[^'"]+)['"]\)/g;
const graph = new Map();
for (const file of files) {
  const deps = new Set();
  for (const m of fs.readFileSync(file, 'utf8').matchAll(importPattern)) {
    const target = path.join(path.dirname(file), m[1] || m[2] || m[3]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(candidate)) {
        deps.add(candidate);
        break;
      }
    }
  }
  graph.set(file, [...deps]);
}

const cycles = [];
const state = new Map(); // 1: on the stack, 2: done
const stack = [];
function visit(file) {
  state.set(file, 1);
  stack.push(file);
  for (const dep of graph.get(file)) {
    if (state.get(dep) === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => path.relative(root, f)).join(' -> '));
    else if (!state.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(file, 2);
}
for (const file of files) if (!state.has(file)) visit(file);

if (cycles.length) {
  console.error(`import cycles in src/ (${cycles.length}):\n  ${cycles.join('\n  ')}`);
  process.exit(1);
}
console.log(`src/: ${files.length} modules, no import cycles`);
