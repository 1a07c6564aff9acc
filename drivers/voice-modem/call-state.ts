// The state of the one call on the line, shared by the trunk facade (trunk.ts) and its media commands (record.ts).
import type { DtmfDetector } from '../media/dtmf.js';
import type { DigitBuffer } from '../trunk/digits.js';
import type { CallId } from '../trunk/types.js';
import type { VoiceEvent } from './dle.js';
import type { DtmfMerger } from '../media/dtmf-merge.js';
import type { LineToneDetector } from './line-tones.js';
import type { VoicePath } from './voice-path.js';

export interface CallState {
  id: CallId;
  answered: boolean;
  ended: boolean;
  mediaBusy: boolean;
  digits: DigitBuffer;
  digitListeners: Set<(d: string) => void>;
  audioSinks: Set<(pcm: Int16Array) => void>;
  eventSinks: Set<(e: VoiceEvent) => void>;
  /** Aborted when the call ends for any reason: media commands settle. */
  over: AbortController;
  /** Aborted when the driver lost the modem (T9). */
  fail: AbortController;
  path: VoicePath | undefined;
  detector: DtmfDetector;
  merger: DtmfMerger;
  tones: LineToneDetector;
}
