#!/usr/bin/env node
// Whether a Linux build of the addon loads wherever Node 20 does: reads the ELF file's needed
// libraries and the symbol versions it asks of them (no binutils needed) and checks them
// against the oldest Linux distributions Node 20 supports (RHEL 8: glibc 2.28, GCC 8's
// libstdc++). A binary built on a newer system asks for newer versions unless the build keeps
// it from doing so (native/libstdcxx_versions.h); a prebuilt package that asks for them fails
// to load there, and the install falls back to compiling. The CUDA build is held to the same
// floors (native/cuda/glibc_compat.cc).
//   node scripts/check-binary.js linrec.node...   (exit 1 on a finding)
'use strict';
const fs = require('fs');
const path = require('path');

// The newest version of each library's symbols a binary may ask for.
const FLOORS = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11', GCC: '8.0.0' };
// The libraries it may need: the C and C++ runtimes (the CUDA runtime is linked statically, and
// it opens the driver itself).
const LIBRARIES = /^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-[\w-]+)\.so(\.\d+)*$/;

// The functions glibc 2.34 moved into libc that the CUDA build calls at their older versions, and
// the library that had them before (native/cuda/glibc_compat.cc, which lists them for the build):
// a binary that asks libc.so.6 for one of them at its old version finds it on glibc < 2.34 only
// if that library is loaded, so it must need it. Empty where the source is not at hand.
function movedFunctions() {
  const moved = new Map();
  let source;
  try {
    source = fs.readFileSync(path.join(__dirname, '..', 'native', 'cuda', 'glibc_compat.cc'), 'utf8');
  } catch {
    return moved;
  }
  let library = null;
  for (const line of source.split('\n')) {
    const section = /glibc < 2\.34: (lib\w+\.so\.\d+)/.exec(line);
    if (section) library = section[1];
    const entry = /^LINREC_GLIBC_OLD\((\w+), "(GLIBC_[\d.]+)"\)/.exec(line);
    if (entry && library) moved.set(entry[1], { library, version: entry[2] });
  }
  return moved;
}
const MOVED = movedFunctions();

const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;

/**
 * { machine, needed: [library], versions: [{ library, version }], symbols: [{ name, library, version }] }
 * of a 64-bit little-endian ELF file (symbols: the undefined ones asked for at a version), or null
 * for another format.
 */
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
      entsize: Number(b.readBigUInt64LE(o + 56)),
    });
  }
  const string = (section, at) => {
    const start = sections[section.link].offset + at;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const needed = [];
  const versions = [];
  const byIndex = new Map(); // version index (Vernaux.other) -> { library, version }
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
          byIndex.set(b.readUInt16LE(a + 6), versions[versions.length - 1]);
          a += b.readUInt32LE(a + 12);
        }
        const next = b.readUInt32LE(o + 12);
        if (next === 0) break;
        o += next;
      }
    }
  }
  // Elf64_Sym { u32 name, u8 info, u8 other, u16 shndx, u64 value, u64 size }; .gnu.version holds
  // one u16 version index per symbol (bit 15: hidden).
  const symbols = [];
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM);
  if (dynsym && versym) {
    for (let i = 1; i < dynsym.size / dynsym.entsize; i++) {
      const o = dynsym.offset + i * dynsym.entsize;
      const v = byIndex.get(b.readUInt16LE(versym.offset + 2 * i) & 0x7fff);
      if (b.readUInt16LE(o + 6) === 0 && v) symbols.push({ name: string(dynsym, b.readUInt32LE(o)), ...v });
    }
  }
  return { machine, needed, versions, symbols };
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
  const unloaded = new Map(); // library -> [name@version] that only it has on glibc < 2.34
  for (const { name, library, version } of req.symbols ?? []) {
    const moved = MOVED.get(name);
    if (moved && library === 'libc.so.6' && newer('2.34', version.replace(/^GLIBC_/, '')) && !req.needed.includes(moved.library))
      unloaded.set(moved.library, [...(unloaded.get(moved.library) ?? []), `${name}@${version}`]);
  }
  for (const [library, names] of unloaded)
    out.push(`asks libc.so.6 for ${names.sort().join(', ')}, which glibc before 2.34 has in ${library} only: needs ${library}`);
  for (const { library, version } of req.versions) {
    const m = /^([A-Z]+)_(\d+(?:\.\d+)*)$/.exec(version);
    if (!m || !(m[1] in floors)) out.push(`asks ${library} for ${version}, a version outside the checked runtimes`);
    else if (newer(m[2], floors[m[1]]))
      out.push(`asks ${library} for ${version}, newer than ${m[1]}_${floors[m[1]]}${floors === FLOORS ? ' (RHEL 8, the oldest system Node 20 supports)' : ''}`);
  }
  return out;
}

function main(files) {
  if (files.length === 0) {
    console.error('usage: node scripts/check-binary.js linrec.node...');
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    const req = requirements(file);
    if (!req) {
      console.log(`${file}: not an ELF file, nothing to check`);
      continue;
    }
    const found = findings(req);
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

module.exports = { requirements, findings, FLOORS, MOVED };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
