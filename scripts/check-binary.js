#!/usr/bin/env node
// Whether a Linux build of the addon loads wherever Node 20 does: reads the ELF file's needed
// libraries and the symbol versions it asks of them (no binutils needed) and checks them
// against the oldest Linux distributions Node 20 supports (RHEL 8: glibc 2.28, GCC 8's
// libstdc++). A binary built on a newer system asks for newer versions unless the build keeps
// it from doing so (native/libstdcxx_versions.h); a prebuilt package that asks for them fails
// to load there, and the install falls back to compiling.
//   node scripts/check-binary.js [--cuda] linrec.node...   (exit 1 on a finding)
'use strict';
const fs = require('fs');

// The newest version of each library's symbols a binary may ask for.
const FLOORS = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11', GCC: '8.0.0' };
// The CUDA build's: the static CUDA runtime's pthread, dl and shm calls bind, at link time, to
// the linking system's default versions, which glibc 2.34 moved into libc (GLIBC_2.34). Where
// the CUDA package does not load (glibc < 2.34: RHEL 8, Ubuntu 20.04, Debian 11), the loader
// takes the CPU package, and `npm install --build-from-source` builds CUDA in.
const CUDA_FLOORS = { ...FLOORS, GLIBC: '2.34' };
// The libraries it may need: the C and C++ runtimes (the CUDA runtime is linked statically, and
// it opens the driver itself).
const LIBRARIES = /^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-[\w-]+)\.so(\.\d+)*$/;

const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;

/** { machine, needed: [library], versions: [{ library, version }] } of a 64-bit little-endian ELF file, or null for another format. */
function requirements(file) {
  const b = fs.readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) return null;
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: not a 64-bit little-endian ELF file`);
  const machine = { 62: 'x86-64', 183: 'aarch64' }[b.readUInt16LE(18)] ?? `machine ${b.readUInt16LE(18)}`;
  const shoff = Number(b.readBigUInt64LE(40));
  const shentsize = b.readUInt16LE(58);
  const shnum = b.readUInt16LE(60);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
      link: b.readUInt32LE(o + 40),
    });
  }
  const string = (section, at) => {
    const start = sections[section.link].offset + at;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const needed = [];
  const versions = [];
  for (const s of sections) {
    if (s.type === SHT_DYNAMIC) {
      for (let o = s.offset; o + 16 <= s.offset + s.size; o += 16) {
        const tag = b.readBigInt64LE(o);
        if (tag === 0n) break;
        if (tag === BigInt(DT_NEEDED)) needed.push(string(s, Number(b.readBigUInt64LE(o + 8))));
      }
    } else if (s.type === SHT_GNU_VERNEED) {
      // Elf64_Verneed { u16 version, u16 cnt, u32 file, u32 aux, u32 next }, each followed (at
      // aux) by cnt Elf64_Vernaux { u32 hash, u16 flags, u16 other, u32 name, u32 next }.
      for (let o = s.offset; ;) {
        const library = string(s, b.readUInt32LE(o + 4));
        for (let a = o + b.readUInt32LE(o + 8), k = b.readUInt16LE(o + 2); k > 0; k--) {
          versions.push({ library, version: string(s, b.readUInt32LE(a + 8)) });
          a += b.readUInt32LE(a + 12);
        }
        const next = b.readUInt32LE(o + 12);
        if (next === 0) break;
        o += next;
      }
    }
  }
  return { machine, needed, versions };
}

const newer = (v, floor) => {
  const x = v.split('.').map(Number);
  const f = floor.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, f.length); i++) {
    if ((x[i] ?? 0) !== (f[i] ?? 0)) return (x[i] ?? 0) > (f[i] ?? 0);
  }
  return false;
};

/** The findings for one file's requirements against floors (empty when it loads wherever Node 20 does). */
function findings(req, floors = FLOORS) {
  const out = [];
  for (const lib of req.needed) if (!LIBRARIES.test(lib)) out.push(`needs ${lib}, which a Node 20 system may lack`);
  for (const { library, version } of req.versions) {
    const m = /^([A-Z]+)_(\d+(?:\.\d+)*)$/.exec(version);
    if (!m || !(m[1] in floors)) out.push(`asks ${library} for ${version}, a version outside the checked runtimes`);
    else if (newer(m[2], floors[m[1]]))
      out.push(`asks ${library} for ${version}, newer than ${m[1]}_${floors[m[1]]}${floors === FLOORS ? ' (RHEL 8, the oldest system Node 20 supports)' : ''}`);
  }
  return out;
}

function main(argv) {
  const cuda = argv[0] === '--cuda';
  const files = cuda ? argv.slice(1) : argv;
  if (files.length === 0) {
    console.error('usage: node scripts/check-binary.js [--cuda] linrec.node...   (--cuda: glibc 2.34 allowed)');
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    const req = requirements(file);
    if (!req) {
      console.log(`${file}: not an ELF file, nothing to check`);
      continue;
    }
    const found = findings(req, cuda ? CUDA_FLOORS : FLOORS);
    const newest = {};
    for (const { version } of req.versions) {
      const m = /^([A-Z]+)_(\d+(?:\.\d+)*)$/.exec(version);
      if (m && (!newest[m[1]] || newer(m[2], newest[m[1]]))) newest[m[1]] = m[2];
    }
    const summary = Object.entries(newest)
      .map(([k, v]) => `${k}_${v}`)
      .join(', ');
    console.log(`${file} (${req.machine}): needs ${req.needed.join(', ')}; newest versions ${summary}: ${found.length ? 'FAILED' : 'ok'}`);
    for (const f of found) console.log(`  ${f}`);
    if (found.length) bad++;
  }
  return bad ? 1 : 0;
}

module.exports = { requirements, findings, FLOORS, CUDA_FLOORS };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
