#!/usr/bin/env node
// `npm run pack`: every tarball a user would install, in pack/: the main package and the platform
// packages this machine can build (scripts/platform-packages.js names them): @linrec/linux-x64
// (CPU engine dispatched at run time over x86-64, -v3 and -v4), where nvcc is found
// @linrec/linux-x64-cuda (the same plus the CUDA engine, CUDA runtime linked statically), and
// where Debian's g++-aarch64-linux-gnu is found (or on linux-arm64 itself) @linrec/linux-arm64
// (the CPU engine, cross-compiled). Every binary is checked to load on the oldest glibc system
// Node 20 supports (scripts/check-binary.js).
//   --no-cuda      skip the CUDA variant
//   --no-arm64     skip the arm64 package
//   --reuse        keep earlier builds in pack/build/ (no rebuild)
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { platformPackages, ADDON_FILE } = require('./platform-packages');
const checkBinary = require('./check-binary');

const root = path.join(__dirname, '..');
const packDir = path.join(root, 'pack');
const args = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const say = (line) => console.log(`pack: ${line}`);

function sh(command, argv, options = {}) {
  say(`$ ${[path.basename(command), ...argv].join(' ')}`);
  execFileSync(command, argv, { cwd: root, stdio: 'inherit', ...options });
}

function build(name, cmakeOptions) {
  const out = path.join('pack', 'build', name);
  const file = path.join(root, out, 'Release', ADDON_FILE);
  if (!(args.includes('--reuse') && fs.existsSync(file))) {
    const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
    // configure, then build: `compile` would keep an earlier configure's options
    sh(process.execPath, [cmakeJs, 'configure', '--out', out, ...cmakeOptions]);
    sh(process.execPath, [cmakeJs, 'build', '--out', out]);
  }
  return file;
}

function platformPackage(name, addonFile, description) {
  const [platform, arch] = name.replace('@linrec/', '').split('-');
  const req = checkBinary.requirements(addonFile);
  const found = req ? checkBinary.findings(req) : [];
  if (found.length) throw new Error(`${addonFile} would not load on older systems:\n  ${found.join('\n  ')}`);
  const stage = path.join(packDir, 'stage', name.replace('/', '+'));
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  fs.copyFileSync(addonFile, path.join(stage, ADDON_FILE));
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE')); // npm packs LICENSE whatever `files` says
  const manifest = {
    name,
    version: pkg.version,
    description: `linrec's prebuilt native addon for ${platform}-${arch}: ${description}`,
    license: pkg.license,
    os: [platform],
    cpu: [arch],
    ...(platform === 'linux' ? { libc: ['glibc'] } : {}),
    files: [ADDON_FILE],
    main: ADDON_FILE,
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(stage, 'README.md'),
    `# ${name}\n\nThe prebuilt Node-API (version 8) binary of [linrec](https://www.npmjs.com/package/linrec) for ${platform}-${arch}: ${description}.\nInstalled by linrec as an optional dependency; not meant to be used on its own.\n`,
  );
  sh('npm', ['pack', stage, '--pack-destination', packDir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function main() {
  // The main package pins its platform packages to its own version: a release bumps both.
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (name.startsWith('@linrec/') && version !== pkg.version)
      throw new Error(`package.json pins ${name}@${version}, not ${pkg.version}: update optionalDependencies`);
  }
  fs.mkdirSync(packDir, { recursive: true });
  const [cudaName, cpuName] = platformPackages('linux', 'x64');
  const written = [];
  if (process.platform === 'linux' && process.arch === 'x64') {
    const cpu = build('cpu', ['--CDLINREC_CUDA=OFF', '--CDLINREC_NATIVE_ARCH=OFF']);
    platformPackage(cpuName, cpu, 'the CPU engine, for every x86-64 processor (AVX2 and AVX-512 chosen at run time)');
    written.push(cpuName);
    const nvcc = spawnSync('sh', ['-c', 'command -v nvcc || ls /usr/local/cuda/bin/nvcc'], { encoding: 'utf8' }).stdout.trim();
    if (args.includes('--no-cuda')) say(`skipping ${cudaName} (--no-cuda)`);
    else if (!nvcc) say(`skipping ${cudaName}: nvcc not found`);
    else {
      const cuda = build('cuda', ['--CDLINREC_CUDA=ON', '--CDLINREC_NATIVE_ARCH=OFF']);
      const info = JSON.parse(execFileSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(cuda)}).info())`], { encoding: 'utf8' }));
      if (!info.cuda.compiled) throw new Error(`the CUDA build at ${cuda} has no CUDA backend (was nvcc found by CMake?)`);
      platformPackage(cudaName, cuda, 'the CPU engine and the CUDA engine (CUDA runtime linked statically; the CPU is used where there is no GPU or driver)');
      written.push(cudaName);
    }
  }
  const [arm64Name] = platformPackages('linux', 'arm64');
  const crossCompiler = spawnSync('sh', ['-c', 'command -v aarch64-linux-gnu-g++'], { encoding: 'utf8' }).stdout.trim();
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    say(`no platform package is built on ${process.platform}-${process.arch} yet: the main package compiles there`);
  } else if (args.includes('--no-arm64')) say(`skipping ${arm64Name} (--no-arm64)`);
  else if (process.arch === 'x64' && !crossCompiler)
    say(`skipping ${arm64Name}: aarch64-linux-gnu-g++ not found (Debian: apt-get install g++-aarch64-linux-gnu)`);
  else {
    const toolchain = process.arch === 'x64' ? [`--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'scripts', 'toolchains', 'linux-arm64.cmake')}`] : [];
    const arm64 = build('arm64', ['--CDLINREC_CUDA=OFF', '--CDLINREC_NATIVE_ARCH=OFF', ...toolchain]);
    const req = checkBinary.requirements(arm64);
    if (req?.machine !== 'aarch64') throw new Error(`the arm64 build at ${arm64} is a ${req?.machine ?? 'non-ELF'} binary`);
    platformPackage(arm64Name, arm64, 'the CPU engine, for every 64-bit ARM processor (ARMv8-A), rounding as the x86-64 baseline build does');
    written.push(arm64Name);
  }
  sh('npm', ['pack', '--pack-destination', packDir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  written.unshift(pkg.name);
  say(`wrote, in ${path.relative(process.cwd(), packDir) || '.'}/:`);
  for (const f of fs
    .readdirSync(packDir)
    .filter((f) => f.endsWith('.tgz'))
    .sort()) {
    say(`  ${f} (${(fs.statSync(path.join(packDir, f)).size / 1e6).toFixed(1)} MB)`);
  }
}

main();
