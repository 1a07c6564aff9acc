// The box's prompts as 8 kHz linear audio for the voice stream: the prompt's file (A-law raw or WAV,
// drivers/media/wav.ts) followed by the digit prompts of its `say` values. A file that cannot be read is skipped
// (logged); a prompt with nothing playable is null, and the trunk plays its short pause instead.
import path from 'node:path';
import { alawToLinear, concatPcm } from '../media/alaw.js';
import { loadPromptAlaw } from '../media/wav.js';
import type { Logger } from '../../common/log.js';
import type { Prompt } from '../trunk/types.js';

export class PromptLoader {
  readonly #cache = new Map<string, Int16Array>();
  constructor(
    private readonly sayDir: string | undefined,
    private readonly log: Logger,
  ) {}

  async load(p: Prompt): Promise<Int16Array | null> {
    const files: string[] = [];
    if (p.file) files.push(p.file);
    if (p.say?.length && this.sayDir) for (const v of p.say) for (const ch of v) if (/\d/.test(ch)) files.push(path.join(this.sayDir, `${ch}.wav`));
    const parts: Int16Array[] = [];
    for (const f of files) {
      let pcm: Int16Array | null | undefined = this.#cache.get(f);
      if (pcm === undefined) {
        pcm = await loadPromptAlaw(f).then(
          (a) => alawToLinear(a),
          (err: unknown) => {
            this.log.warn({ prompt: p.id, file: f, err: String(err) }, 'prompt not playable; pausing instead');
            return null;
          },
        );
        // A missing file may appear later (prompts are generated in the background): cache only successes.
        if (pcm) this.#cache.set(f, pcm);
      }
      if (pcm) parts.push(pcm);
    }
    if (!parts.length) return null;
    return concatPcm(parts);
  }
}
