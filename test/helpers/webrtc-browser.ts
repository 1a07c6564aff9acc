// A WebRTC peer standing in for an agent's browser (werift, offering PCMA as Chrome and Firefox do), and the
// helpers to speak a tone into a call and hear one: for the softphone's tests that need no real browser.
import * as w from 'werift';
import { alawToLinear, linearToAlaw } from '../../drivers/media/alaw.js';
import { sineTone, toneShare } from '../../drivers/media/tones.js';
import { systemClock, within } from '../../common/clock.js';

/** The browser's side: an audio transceiver offering PCMA (as Chrome and Firefox do), all candidates in the offer. */
export async function browser(codecs = [new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 })]) {
  const pc = new w.RTCPeerConnection({ codecs: { audio: codecs } });
  const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
  const heard: { at: number; pcm: Int16Array }[] = [];
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => heard.push({ at: performance.now(), pcm: alawToLinear(rtp.payload) })));
  await pc.setLocalDescription(await pc.createOffer());
  // Bounded: a stand-in that never finishes gathering fails its test at once, not at tap's timeout.
  await new Promise<void>((resolve, reject) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const late = setTimeout(() => reject(new Error('the stand-in browser did not finish ICE gathering in 10 s')), 10_000);
    pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && (clearTimeout(late), resolve()));
  });
  let seq = 1000;
  let ts = 5000;
  const send = (frame: Buffer) => {
    void transceiver.sender.sendRtp(new w.RtpPacket(new w.RtpHeader({ payloadType: 8, sequenceNumber: seq++ & 0xffff, timestamp: (ts += 160) >>> 0 }), frame)).catch(() => undefined);
  };
  // Closing is bounded too: werift's close waits on its sockets, and a test's teardown must not wait for ever.
  const close = () => settles(pc.close(), 2000, 'the stand-in browser’s close').catch(() => undefined);
  return { pc, offer: pc.localDescription!.sdp, heard, send, close };
}

/**
 * `p`, or a rejection naming `what` once `ms` have passed: every wait on the WebRTC stack in a test is bounded,
 * so a connection that never comes up fails its step by name rather than at tap's timeout.
 */
export function settles<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return within(systemClock, p, ms, () => {
    throw new Error(`${what} did not happen within ${ms} ms`);
  });
}

/** Resolves when `pc` is connected; rejects when it fails, or (naming its last state) after `ms`. */
export const connected = (pc: w.RTCPeerConnection, ms = 15_000) =>
  settles(
    new Promise<void>((resolve, reject) => {
      if (pc.connectionState === 'connected') return resolve();
      pc.connectionStateChange.subscribe((s) => (s === 'connected' ? resolve() : s === 'failed' ? reject(new Error('the stand-in browser’s connection failed')) : undefined));
    }),
    ms,
    'the stand-in browser’s connection',
  ).catch((err: Error) => {
    throw new Error(`${err.message} (its state: ${pc.connectionState}, ICE: ${pc.iceConnectionState})`);
  });

/** Sends 20 ms frames of `freq` (or silence when 0) every 20 ms for `ms`; resolves with when the tone began. */
export async function talk(send: (frame: Buffer) => void, freq: number, ms: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i * 20 < ms; i++) {
    send(linearToAlaw(freq ? sineTone(freq, 20, 8000, i * 160) : new Int16Array(160)));
    const due = start + (i + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  return start;
}

/** When `freq` is first heard in 20 ms blocks (share of energy above 0.8), or undefined. */
export function firstHeard(blocks: { at: number; pcm: Int16Array }[], freq: number): number | undefined {
  return blocks.find((b) => b.pcm.length >= 80 && toneShare(b.pcm, freq) > 0.8)?.at;
}


/** The UDP sockets this process holds open (every WebRTC peer has at least one while it lives). */
export const openUdpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;
