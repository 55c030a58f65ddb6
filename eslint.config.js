// eslint: the recommended rules for JavaScript and TypeScript (typescript-eslint), with the
// few exceptions this code base makes on purpose. Formatting is prettier's (npm run format).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  // What is built or recorded, not written (and the device kit's .device/).
  { ignores: ['dist/', 'build*/', 'pack/', 'tmp/', '.device/', 'bench/results/', 'bench/gpu/build*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  { files: ['test/**'], languageOptions: { globals: { ...globals.jest } } },
  {
    rules: {
      // A CommonJS package: the addon, optional peers (bullmq, ioredis) and the bench harness are
      // loaded with require() at run time, and `import v = require('./validate')` is chosen for
      // speed (scan.ts says why).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
