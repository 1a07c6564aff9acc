// The box's softphone peer (firmware-agent/softphone/peer.ts) against another WebRTC peer standing in for
// the agent's browser (werift here; the chromium end-to-end test drives a real browser): over DTLS-SRTP on
// the machine's own addresses, PCMA negotiated, a tone each way heard (Goertzel) with its delay measured,
// (reported, not asserted), and bad offers refused with their codes.
import fc from 'fast-check';
import t from 'tap';
import * as w from 'werift';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { FRAME_BYTES, SoftphoneError, SoftphonePeer } from '../../firmware-agent/softphone/peer.js';
import { browser, connected, firstHeard, openUdpSockets, settles, talk } from '../helpers/webrtc-browser.js';

t.test('a call’s audio goes both ways as PCMA over DTLS-SRTP, each way within the delay budget', async (t) => {
  const b = await browser();
  const t0 = performance.now();
  const { peer, answerSdp } = await SoftphonePeer.answerOffer(b.offer);
  t.teardown(async () => {
    await peer.close();
    await b.close();
  });
  t.match(answerSdp, /a=rtpmap:8 PCMA\/8000/, 'the answer takes PCMA');
  t.notMatch(answerSdp, /a=rtpmap:\d+ (opus|PCMU)/i, 'and nothing else: no transcoding on the box');
  t.match(answerSdp, /a=fingerprint:sha-256 /, 'DTLS fingerprint in the answer');
  t.match(answerSdp, /a=candidate:.* typ host/, 'host candidates, no STUN needed on a LAN');
  const boxUp = settles(new Promise<void>((r) => (peer.onState = (s) => s === 'connected' && r())), 15_000, 'the box peer’s connection');
  const up = Promise.all([connected(b.pc), boxUp]);
  await settles(b.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp }), 10_000, 'the stand-in browser taking the answer');
  await up;
  t.pass(`connected in ${Math.round(performance.now() - t0)} ms`);

  // Browser → box (the agent speaks): frames come out of the jitter buffer one per 20 ms.
  const atBox: { at: number; pcm: Int16Array }[] = [];
  peer.onAudio = (frame) => atBox.push({ at: performance.now(), pcm: alawToLinear(frame) });
  const spoke = await talk(b.send, 1000, 600);
  const heardAtBox = firstHeard(atBox, 1000);
  t.ok(heardAtBox !== undefined, 'the box hears the agent’s 1 kHz tone');
  t.ok(atBox.every((f) => f.pcm.length === FRAME_BYTES), 'in 20 ms frames');
  // Delays are reported, not asserted (machines are noisy; the target, G.114's 150 ms, is for the closing note).
  t.pass(`browser → box: ${(heardAtBox! - spoke).toFixed(1)} ms from the tone's first packet to its first frame out of the jitter buffer`);

  // Box → browser (the caller speaks on the B-channel).
  const said = await talk((f) => peer.send(f), 1400, 600);
  await new Promise((r) => setTimeout(r, 100));
  const heardInBrowser = firstHeard(b.heard, 1400);
  t.ok(heardInBrowser !== undefined, 'the browser hears the caller’s 1.4 kHz tone');
  t.pass(`box → browser: ${(heardInBrowser! - said).toFixed(1)} ms`);
  t.equal(firstHeard(b.heard, 1000), undefined, 'the agent does not hear themselves');
  t.equal(peer.jitter.stats.late, 0, 'no packet late on the loopback');
});

t.test('offers the box cannot take are refused with their codes', async (t) => {
  const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: unknown) => (e instanceof SoftphoneError ? e.code : String(e)));
  t.equal(await code(SoftphonePeer.answerOffer('hello')), 'softphone-bad-offer');
  t.equal(await code(SoftphonePeer.answerOffer('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n')), 'softphone-bad-offer', 'no audio');
  const opusOnly = await browser([new w.RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })]);
  t.teardown(opusOnly.close);
  t.equal(await code(SoftphonePeer.answerOffer(opusOnly.offer)), 'softphone-no-pcma', 'a browser without A-law');
  // An answer that takes longer than allowed (the WebRTC stack alone takes milliseconds to make its
  // certificate) is refused at once, not left to hold the agent's request.
  const pcma = await browser();
  t.teardown(pcma.close);
  const started = performance.now();
  t.equal(await code(SoftphonePeer.answerOffer(pcma.offer, { answerTimeoutMs: 1 })), 'softphone-negotiation-timeout', 'an answer past its time');
  t.ok(performance.now() - started < 3000, 'refused without waiting for the stack');
  const { peer, answerSdp } = await SoftphonePeer.answerOffer(pcma.offer);
  t.match(answerSdp, /a=rtpmap:8 PCMA\/8000/, 'the same offer is answered with the time it needs');
  await peer.close();
});

t.test('whatever a browser (or anyone with a session) sends as an offer, the box answers or refuses with a code', async (t) => {
  const sample = await browser();
  await sample.close();
  const real = sample.offer.split('\r\n').filter(Boolean);
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  // Offers made of a real offer's lines, some dropped, repeated, cut short or replaced by garbage.
  const line = fc.oneof(
    fc.constantFrom(...real),
    fc.constantFrom(...real).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('m=audio 0 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'a=fingerprint:sha-256 00', 'a=candidate:x', 'c=IN IP4 999.1.1.1', 'a=setup:holdconn'),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), async (lines, audio) => {
      // Half of them pass the box's first look (audio and PCMA) and reach the WebRTC stack.
      const sdp = ['v=0', ...(audio ? ['m=audio 9 UDP/TLS/RTP/SAVPF 8', 'a=rtpmap:8 PCMA/8000'] : []), ...lines].join('\r\n') + '\r\n';
      // An answer or a close that never settles would hold an agent's request for ever: the peer bounds both
      // (answerTimeoutMs); should that fail, the hang fails here with the offer that caused it.
      let hung: NodeJS.Timeout | undefined;
      const bounded = <T>(p: Promise<T>, what: string) =>
        Promise.race([p, new Promise<never>((_, reject) => (hung = setTimeout(() => reject(new Error(`${what} did not settle in 20 s`)), 20_000)))]).finally(() => clearTimeout(hung));
      let answered: Awaited<ReturnType<typeof SoftphonePeer.answerOffer>>;
      try {
        answered = await bounded(SoftphonePeer.answerOffer(sdp), 'the answer');
      } catch (err) {
        if (!(err instanceof SoftphoneError)) throw err;
        return ['softphone-bad-offer', 'softphone-no-pcma', 'softphone-negotiation-timeout'].includes(err.code);
      }
      await bounded(answered.peer.close(), 'the close');
      return true;
    }),
    { numRuns: 60 },
  );
  await new Promise((r) => setTimeout(r, 100));
  t.same(unhandled, [], 'nothing thrown out of band');
  // A refused answer's stack is given up to 30 s to finish before it is closed; a box that stops closes it at
  // once, as here. On a loaded machine one answer in a few hundred has taken past its 10 s, and its stack then
  // held the process past the suite's check.
  await SoftphonePeer.closeSettling();
  // Every peer answered or refused has let go of its sockets (the earlier tests' peers are closed too).
  for (let i = 0; i < 30 && openUdpSockets() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal(openUdpSockets(), 0, 'no UDP socket left open');
});
