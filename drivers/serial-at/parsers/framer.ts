// Bytes → tokens: lines, and the prompt. Composes the two tiny parsers.
import { LineParser, type LineToken } from './lines.js';
import { PromptParser } from './prompt.js';

export type FrameToken = LineToken | { type: 'prompt' };

export class AtFramer {
  readonly lines: LineParser;
  readonly prompt = new PromptParser();
  constructor(maxLineLength = 1024) {
    this.lines = new LineParser(maxLineLength);
  }

  push(chunk: Uint8Array): FrameToken[] {
    const out: FrameToken[] = this.lines.push(chunk);
    if (this.prompt.matches(this.lines.pending)) {
      this.lines.clearPending();
      out.push({ type: 'prompt' });
    }
    return out;
  }
}
