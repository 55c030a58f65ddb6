#!/usr/bin/env node
// npm's install step for linrec. A prebuilt binary (a platform package, see
// scripts/platform-packages.js) that loads here is used as is; only when none fits does this
// compile the addon: with CMake (cmake-js) where CMake is on the PATH, else with node-gyp (CPU
// only). It says which it did. LINREC_BUILD_FROM_SOURCE=1 (or `npm install --build-from-source`)
// compiles even where a prebuilt binary fits.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { platformPackages, ADDON_FILE } = require('./platform-packages');

const root = path.join(__dirname, '..');
const say = (line) => console.log(`linrec: ${line}`);

/** Loads an addon in a child process (a crash or a missing library must not end this one). */
function loads(file) {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const i = require(${JSON.stringify(file)}).info();
    console.log((i.cpuInstructionSet || 'CPU') + (i.cuda.compiled ? ', CUDA compiled in' : ''))`,
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? { ok: true, what: r.stdout.trim() } : { ok: false, why: (r.stderr || '').trim().split('\n')[0] };
}

function prebuilt() {
  const tried = [];
  for (const name of platformPackages()) {
    let file;
    try {
      file = path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })), ADDON_FILE);
    } catch {
      tried.push(`${name} is not installed`);
      continue;
    }
    const r = loads(file);
    if (r.ok) return { name, file, what: r.what };
    tried.push(`${name} does not load here: ${r.why}`);
  }
  return { tried };
}

function onPath(command, args = ['--version']) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  say(`$ ${[path.basename(command), ...args].join(' ')}`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

function compile() {
  if (onPath('cmake')) {
    say('compiling with CMake (cmake-js); the CUDA backend too where nvcc is found');
    return run(process.execPath, [require.resolve('cmake-js/bin/cmake-js', { paths: [root] }), 'compile', '--out', 'build-cmake'])
      ? path.join(root, 'build-cmake', 'Release', ADDON_FILE)
      : undefined;
  }
  // npm gives its bundled node-gyp to install scripts (npm_config_node_gyp); else one on the PATH.
  const gyp = process.env.npm_config_node_gyp;
  say('CMake is not on the PATH: compiling with node-gyp (CPU backend only)');
  const ok = gyp && fs.existsSync(gyp) ? run(process.execPath, [gyp, 'rebuild']) : run('node-gyp', ['rebuild']);
  return ok ? path.join(root, 'build', 'Release', ADDON_FILE) : undefined;
}

// The platform packages published for this platform (linrec's optional dependencies) that are not
// installed: npm leaves them out with --omit=optional, and a tarball installed alone has none.
function missingPrebuilt() {
  const published = Object.keys(require(path.join(root, 'package.json')).optionalDependencies || {});
  return platformPackages().filter((name) => {
    if (!published.includes(name)) return false;
    try {
      require.resolve(`${name}/package.json`, { paths: [root] });
      return false;
    } catch {
      return true;
    }
  });
}

function main() {
  const forced = process.env.LINREC_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';
  if (!forced) {
    const found = prebuilt();
    if (found.file) {
      say(`using the prebuilt binary from ${found.name} (${found.what}); nothing to compile`);
      return 0;
    }
    const none = found.tried.every((line) => line.endsWith(' is not installed'));
    say(`no prebuilt binary ${none ? 'is installed for' : 'fits'} ${process.platform}-${process.arch} (${found.tried.join('; ')})`);
  } else {
    say('building from source, as asked (LINREC_BUILD_FROM_SOURCE / --build-from-source)');
  }
  const file = compile();
  const r = file && fs.existsSync(file) ? loads(file) : { ok: false, why: 'the build failed' };
  if (!r.ok) {
    say(`could not build the addon (${r.why}). It needs a C++17 compiler and CMake (or Python for node-gyp);` + ' see the README, "Install".');
    const missing = forced ? [] : missingPrebuilt();
    // A prebuilt binary for this platform exists: installing it needs no compiler.
    if (missing.length)
      say(
        `or install the prebuilt binary, which needs no compiler: \`npm install ${missing[missing.length - 1]}\`` +
          ` (${missing.join(' or ')}; npm installs it with linrec unless optional dependencies are left out)`,
      );
    return 1;
  }
  say(`built ${path.relative(root, file)} (${r.what})`);
  return 0;
}

process.exit(main());
