// The call rigs' prompts: the real prompts (generatePrompts: espeak-ng + sox, through the prompt cache) and a
// copy of each cut or padded to exactly `ms`, made once per process and length. espeak-ng and sox are part of
// the platform (platform notes); a missing one fails the rig rather than silently testing silent prompts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generatePrompts, promptTexts } from '../../firmware-agent/calls/prompts.js';

const run = promisify(execFile);
const cutPrompts = new Map<number, Promise<{ full: string; cut: string }>>();

export function promptsOf(ms: number): Promise<{ full: string; cut: string }> {
  let p = cutPrompts.get(ms);
  if (!p) {
    p = (async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rig-prompts-'));
      process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
      const full = path.join(root, 'full');
      const cut = path.join(root, 'cut');
      fs.mkdirSync(cut, { recursive: true });
      const report = await generatePrompts(full, { cacheDir: process.env.EDGEBOX_PROMPT_CACHE });
      if (report.failed.length) throw new Error(`call rig: prompts not generated: ${JSON.stringify(report.failed[0])}`);
      const s = (ms / 1000).toFixed(3);
      await Promise.all(
        Object.keys(promptTexts).map((id) =>
          run('sox', [path.join(full, `${id}.wav`), '-r', '8000', '-c', '1', '-e', 'a-law', path.join(cut, `${id}.wav`), 'pad', '0', s, 'trim', '0', s]),
        ),
      );
      return { full, cut };
    })();
    cutPrompts.set(ms, p);
  }
  return p;
}

/**
 * Puts the real prompts cut to `ms` into a box's data directory as recorded prompts (the box keeps recorded
 * prompts and generates only missing ones), before the box starts: for tests whose callers would otherwise sit
 * through seconds of IVR speech in real time that nothing checks.
 */
export async function shortPrompts(dataDir: string, ms = 400): Promise<void> {
  fs.cpSync((await promptsOf(ms)).cut, path.join(dataDir, 'prompts'), { recursive: true });
}
