// The prebuilt platform packages' names, in one place for the loader (src/addon.ts), the install
// script and `npm run pack`: @linrec/<platform>-<arch>, and on linux-x64 a CUDA variant, which
// the loader prefers since it also runs on the CPU where there is no GPU or driver.
'use strict';

/** The platform packages that fit this process, best first. */
function platformPackages(platform = process.platform, arch = process.arch) {
  const base = `@linrec/${platform}-${arch}`;
  return platform === 'linux' && arch === 'x64' ? [`${base}-cuda`, base] : [base];
}

/** The file name of the addon inside a platform package. */
const ADDON_FILE = 'linrec.node';

module.exports = { platformPackages, ADDON_FILE };
