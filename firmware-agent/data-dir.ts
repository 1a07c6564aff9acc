// The data directory holds the store (tickets, callers' numbers, the box's Ed25519 private key), backups and
// call recordings: nothing in it is for other local users (issue 13 finding 8). The box runs with umask 077,
// so what it creates is 0600/0700; at start it also takes away what group and others were given to
// files and directories that are already there — a directory a technician made by hand, or files written by
// an older build with umask 022.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The modes the box keeps: no access for others; group may enter and list a directory, nothing more. */
const dirMask = 0o027;
const fileMask = 0o077;

/**
 * Sets the process umask to 077 and fixes the modes of the data directory and of everything at its top
 * level now (the store, configuration, keys). Deeper trees (recordings, prompts, backups) are fixed in the
 * background, since a year of recordings is many files; the returned promise says when that is done.
 * Returns the paths whose mode was changed at once.
 */
export function secureDataDir(dir: string): { fixed: string[]; deep: Promise<string[]> } {
  process.umask(0o077);
  const fixed: string[] = [];
  const subdirs: string[] = [];
  fixMode(dir, true, fixed);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue; // never follow a link out of the data directory
    if (entry.isDirectory()) {
      fixMode(p, true, fixed);
      subdirs.push(p);
    } else if (entry.isFile()) fixMode(p, false, fixed);
  }
  return { fixed, deep: fixTrees(subdirs) };
}

function fixMode(p: string, isDir: boolean, fixed: string[]): void {
  try {
    const st = fs.lstatSync(p);
    const mask = isDir ? dirMask : fileMask;
    if ((st.mode & mask) === 0) return;
    fs.chmodSync(p, st.mode & 0o7777 & ~mask);
    fixed.push(p);
  } catch {
    // A file that vanished meanwhile (a WAL checkpointed away) needs no fixing.
  }
}

async function fixTrees(roots: string[]): Promise<string[]> {
  const fixed: string[] = [];
  const stack = [...roots];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      try {
        const st = await fsp.lstat(p);
        const mask = entry.isDirectory() ? dirMask : fileMask;
        if (st.mode & mask) {
          await fsp.chmod(p, st.mode & 0o7777 & ~mask);
          fixed.push(p);
        }
      } catch {
        continue;
      }
      if (entry.isDirectory()) stack.push(p);
    }
  }
  return fixed;
}
