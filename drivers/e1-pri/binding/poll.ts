/**
 * `koffi.node.poll` (a libuv poll handle on an fd), with the callback signature the native side
 * really uses: koffi 3.3 calls back with (status, events) although its typings say (events).
 */
import koffi from 'koffi';

export interface PollEvents { readable: boolean; writable: boolean; disconnect: boolean }
export type PollHandle = ReturnType<typeof koffi.node.poll>;

export function pollFd(
  fd: number,
  opts: { readable?: boolean; writable?: boolean; disconnect?: boolean },
  cb: (status: number, ev: PollEvents) => void,
): PollHandle {
  return koffi.node.poll(fd, opts, cb as unknown as (ev: PollEvents) => void);
}
