// Root confinement. A queue message must never become a file access outside the worker's
// root: job paths are relative, have no '..', and resolve (symlinks followed) to a regular
// file under the root. The runner names files relative to the same shared root.
import { promises as fsp, constants as fsc } from 'fs';
import * as path from 'path';
import { plainError } from '../errors';

/** The error for a path that a job may not use; the run that sent the job fails with it. */
export const refused = (message: string) => plainError('ERR_LINREC_INVALID_VALUE', `refused: ${message}`);

/** The root as the worker will compare paths against: absolute, symlinks resolved, a directory. */
export async function realRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await fsp.realpath(path.resolve(root));
  } catch (e) {
    throw plainError('ERR_LINREC_IO', `root ${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!(await fsp.stat(real)).isDirectory()) throw plainError('ERR_LINREC_IO', `root ${root}: not a directory`);
  return real;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** Checks a job's path as text, before anything on disk is looked at. */
export function checkJobPath(field: string, rel: string): void {
  if (rel.length === 0 || rel.length > 4096) throw refused(`${field}: expected a path of 1 to 4096 characters`);
  if (rel.includes('\0')) throw refused(`${field}: the path holds a NUL character`);
  if (path.isAbsolute(rel) || /^[a-zA-Z]:|^\\\\/.test(rel))
    throw refused(`${field} ${JSON.stringify(rel)} is an absolute path; job paths are relative to the worker's root`);
  if (rel.split(/[\\/]/).includes('..')) throw refused(`${field} ${JSON.stringify(rel)} holds '..'; job paths stay under the worker's root`);
}

/**
 * The real path of a regular file under `root` (already real), for a job's relative path:
 * refused when it leaves the root through a symlink, is missing, or is not a regular file.
 */
export async function confine(root: string, field: string, rel: string): Promise<string> {
  checkJobPath(field, rel);
  let real: string;
  try {
    real = await fsp.realpath(path.join(root, rel));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw refused(`${field} ${JSON.stringify(rel)}: ${code === 'ENOENT' ? "no such file under the worker's root" : (e as Error).message}`);
  }
  if (!inside(root, real)) throw refused(`${field} ${JSON.stringify(rel)} resolves to ${real}, outside the worker's root ${root}`);
  const st = await fsp.stat(real);
  if (!st.isFile()) throw refused(`${field} ${JSON.stringify(rel)} is not a regular file`);
  return real;
}

/**
 * Opens a confined file for writing in place (no create, no truncate) and checks that what was
 * opened is the file that was checked, so a symlink swapped in meanwhile is not followed, and
 * that it has no other name: a hard link from outside the root would let a job write there (a
 * run's temporary output, made by the runner, has one name).
 */
export async function openConfinedForWrite(root: string, field: string, rel: string): Promise<fsp.FileHandle> {
  const real = await confine(root, field, rel);
  const before = await fsp.stat(real);
  const fh = await fsp.open(real, fsc.O_WRONLY | fsc.O_NOFOLLOW);
  const after = await fh.stat();
  if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
    await fh.close();
    throw refused(`${field} ${JSON.stringify(rel)} changed while it was being opened`);
  }
  if (after.nlink !== 1) {
    await fh.close();
    throw refused(`${field} ${JSON.stringify(rel)} has ${after.nlink} names (hard links); a worker writes only files with one name`);
  }
  return fh;
}

/**
 * For the runner: `file` (relative to the current directory, or absolute) as a path relative
 * to the shared root, refused before anything is queued when the workers could not reach it.
 * A file that does not exist yet (the output) is checked through its directory.
 */
export async function relativeToRoot(root: string, flag: string, file: string): Promise<string> {
  const abs = path.resolve(file);
  let real: string;
  try {
    real = await fsp.realpath(abs);
  } catch {
    let dir: string;
    try {
      dir = await fsp.realpath(path.dirname(abs));
    } catch {
      throw plainError('ERR_LINREC_IO', `${flag} ${file}: no such directory ${path.dirname(abs)}`);
    }
    real = path.join(dir, path.basename(abs));
  }
  if (!inside(root, real) || real === root) {
    throw plainError(
      'ERR_LINREC_INVALID_VALUE',
      `${flag} ${file} (${real}) is outside the shared root ${root}: workers could not reach it (paths are relative to the working directory; set --root to the directory that every worker serves)`,
    );
  }
  return path.relative(root, real);
}
