// Writes dist/index.mjs: the ESM entry re-exports the CommonJS build's named exports, so
// `import { scan } from 'linrec'` and `require('linrec')` share one module instance.
const fs = require('fs');
const path = require('path');
const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== '__esModule' && n !== 'default');
const body = ["import linrec from './index.js';", `export const { ${names.join(', ')} } = linrec;`, 'export default linrec;', ''].join('\n');
fs.writeFileSync(path.join(dist, 'index.mjs'), body);
