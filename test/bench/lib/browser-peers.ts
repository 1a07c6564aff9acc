// The agents' browsers for the softphone bench (test/bench/softphone.ts), in their own process so that
// their WebRTC work is not counted as the box's: each peer offers PCMA, takes the box's answer and then
// talks (a 1.4 kHz tone in 20 ms frames) until told to stop. Driven over the IPC channel:
//   {op:'offer', id}            → {op:'offer', id, sdp}
//   {op:'answer', id, sdp}      → {op:'connected', id}
//   {op:'close'}                → exits
import * as w from 'werift';
import { linearToAlaw } from '../../../drivers/media/alaw.js';
import { sineTone } from '../../../drivers/media/tones.js';

interface Peer {
  pc: w.RTCPeerConnection;
  send: (frame: Buffer) => void;
  talking: boolean;
}
const peers = new Map<string, Peer>();
const frames = Array.from({ length: 50 }, (_, i) => linearToAlaw(sineTone(1400, 20, 8000, i * 160)));
let tick = 0;

setInterval(() => {
  const f = frames[tick++ % frames.length]!;
  for (const p of peers.values()) if (p.talking) p.send(f);
}, 20);

process.on('message', (m: { op: string; id?: string; sdp?: string }) => {
  void (async () => {
    if (m.op === 'close') {
      await Promise.all([...peers.values()].map((p) => p.pc.close()));
      process.exit(0);
    }
    const id = m.id!;
    if (m.op === 'offer') {
      const pc = new w.RTCPeerConnection({ codecs: { audio: [new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 })] } });
      const tr = pc.addTransceiver('audio', { direction: 'sendrecv' });
      let seq = 0;
      let ts = 0;
      const peer: Peer = {
        pc,
        talking: false,
        send: (frame) => void tr.sender.sendRtp(new w.RtpPacket(new w.RtpHeader({ payloadType: 8, sequenceNumber: seq++ & 0xffff, timestamp: (ts += 160) >>> 0 }), frame)).catch(() => undefined),
      };
      peers.set(id, peer);
      pc.connectionStateChange.subscribe((s) => {
        if (s !== 'connected') return;
        peer.talking = true;
        process.send!({ op: 'connected', id });
      });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
      });
      process.send!({ op: 'offer', id, sdp: pc.localDescription!.sdp });
    } else if (m.op === 'answer') {
      await peers.get(id)!.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp! });
    }
  })();
});
