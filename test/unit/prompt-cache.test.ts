// Issue 13 finding 3: the IVR prompt cache sat in the shared /tmp and was followed without checks, so any
// local user could plant what callers hear. The cache now lives beside the prompts (or where the composition
// plan points it, compose.ts) and is used only when no one else can write it, file by file only when the
// file is this user's regular file holding an 8 kHz prompt. The calls module reads no environment variable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { wavHeader } from '../../drivers/media/wav.js';
import { cacheKey, generatePrompts, promptCacheDir, promptTexts } from '../../firmware-agent/calls/prompts.js';
import { promptCacheDirOf } from '../../firmware-agent/compose.js';

const cachedName = (text: string): string => `${cacheKey(text)}.wav`;

/** A valid 8 kHz 16-bit WAV of `n` samples of one value — something a planter could make. */
function pcmWav(n: number, byte: number): Buffer {
  return Buffer.concat([wavHeader(n * 2), Buffer.alloc(n * 2, byte)]);
}

function withCacheEnv(t: { teardown(fn: () => void): void }, value: string | undefined): void {
  const before = process.env.EDGEBOX_PROMPT_CACHE;
  if (value === undefined) delete process.env.EDGEBOX_PROMPT_CACHE;
  else process.env.EDGEBOX_PROMPT_CACHE = value;
  t.teardown(() => {
    if (before === undefined) delete process.env.EDGEBOX_PROMPT_CACHE;
    else process.env.EDGEBOX_PROMPT_CACHE = before;
  });
}

t.test('the default cache is private, beside the prompts in the data directory', async (t) => {
  withCacheEnv(t, undefined);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-cache-'));
  t.teardown(() => fs.rmSync(data, { recursive: true, force: true }));
  const prompts = path.join(data, 'prompts');
  t.equal(promptCacheDir(prompts), path.join(data, 'cache', 'prompts'));
  t.equal(promptCacheDirOf(data, {}), path.join(data, 'cache', 'prompts'), 'the composition plan: under the data directory');
  t.equal(promptCacheDirOf(data, { EDGEBOX_PROMPT_CACHE: '/suite/cache' }), '/suite/cache', 'or the one a test suite shares');
  withCacheEnv(t, '/nonexistent/edgebox-cache');
  t.equal(promptCacheDir(prompts), path.join(data, 'cache', 'prompts'), 'the calls module does not read the environment');
  t.notOk(promptCacheDir(prompts).startsWith(path.join(os.tmpdir(), 'edgebox-prompt-cache')), 'not the shared /tmp cache');
});

t.test('a prompt planted in a cache others can write is never played', { timeout: 120_000 }, async (t) => {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-cache-'));
  fs.chmodSync(shared, 0o1777); // like /tmp: anyone may write
  const prompts = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  t.teardown(() => {
    fs.rmSync(shared, { recursive: true, force: true });
    fs.rmSync(prompts, { recursive: true, force: true });
  });
  const planted = pcmWav(8000, 0x55);
  fs.writeFileSync(path.join(shared, cachedName(promptTexts['distress.transfer'])), planted);
  const r = await generatePrompts(prompts, { cacheDir: shared });
  t.same(r.failed, [], 'espeak-ng and sox are installed (provisioning/install-debian-deps.sh)');
  t.notSame(fs.readFileSync(path.join(prompts, 'distress.transfer.wav')), planted, 'the planted prompt was not used');
  t.equal(fs.readdirSync(shared).length, 1, 'and nothing was written into the unsafe cache');
});

t.test('in a private cache, a symlink or a file that is not an 8 kHz prompt is ignored', { timeout: 120_000 }, async (t) => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'private-cache-'));
  fs.chmodSync(cache, 0o700);
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-'));
  const prompts = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  t.teardown(() => {
    for (const d of [cache, elsewhere, prompts]) fs.rmSync(d, { recursive: true, force: true });
  });
  const target = path.join(elsewhere, 'evil.wav');
  fs.writeFileSync(target, pcmWav(8000, 0x2a));
  fs.symlinkSync(target, path.join(cache, cachedName(promptTexts.welcome)));
  fs.writeFileSync(path.join(cache, cachedName(promptTexts.goodbye)), 'not a wav at all');
  const r = await generatePrompts(prompts, { cacheDir: cache });
  t.same(r.failed, []);
  t.notSame(fs.readFileSync(path.join(prompts, 'welcome.wav')), fs.readFileSync(target), 'the symlink was not followed');
  t.equal(fs.readFileSync(path.join(prompts, 'goodbye.wav')).subarray(0, 4).toString(), 'RIFF', 'the junk file was not copied');

  t.test('and a good cached prompt is reused', async (t) => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
    t.teardown(() => fs.rmSync(again, { recursive: true, force: true }));
    const good = path.join(cache, cachedName(promptTexts['route.postal']));
    t.ok(fs.existsSync(good), 'the synthesised prompt went into the private cache');
    const r2 = await generatePrompts(again, { cacheDir: cache });
    t.same(r2.failed, []);
    t.same(fs.readFileSync(path.join(again, 'route.postal.wav')), fs.readFileSync(good), 'taken from the cache');
  });
});
