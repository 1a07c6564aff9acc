// A simulated modem on the far end of a real pty (socat) whose device can vanish and come back at the same
// path, as a USB modem does when it is pulled out and plugged in again.
import { openPtyPair, type PtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { serialPortTransport, type ByteTransport } from '../../drivers/serial-at/transport.js';

export interface PluggedPty {
  /** Opens a new pty pair with its device at the link and attaches the simulator to the far end. */
  plug(): Promise<void>;
  /** Closes the pair: the device at the link is gone. */
  unplug(): Promise<void>;
}

/** `sim` on a pty whose device is `link`, plugged in already. */
export async function pluggedPty(link: string, sim: { attach(port: ByteTransport): void }): Promise<PluggedPty> {
  let pair: PtyPair | undefined;
  let port: ByteTransport | undefined;
  const plug = async () => {
    pair = await openPtyPair({ hostLink: link });
    port = await serialPortTransport({ path: pair.device }).open();
    sim.attach(port);
  };
  const unplug = async () => {
    await pair?.close();
    await port?.close();
    pair = undefined;
    port = undefined;
  };
  await plug();
  return { plug, unplug };
}
