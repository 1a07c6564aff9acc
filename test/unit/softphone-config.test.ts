// The calls section's softphone settings (calls/config.ts): STUN/TURN servers and extra host addresses for
// browser stations beyond the LAN; none by default; anything else is named as a configuration problem.
import t from 'tap';
import { callsConfig, callsSettingsProblems, defaultCallsConfig } from '../../firmware-agent/calls/config.js';

t.test('no STUN or TURN by default: a LAN needs none', async (t) => {
  t.same(defaultCallsConfig().softphone, { iceServers: [], hostAddresses: [] });
});

t.test('a remote seat over a VPN: a TURN server and the box’s VPN address', async (t) => {
  const c = callsConfig({ softphone: { iceServers: [{ urls: 'turn:turn.example.cn:3478', username: 'box', credential: 's3cret' }], hostAddresses: ['10.8.0.1'] } });
  t.same(c.softphone.iceServers, [{ urls: 'turn:turn.example.cn:3478', username: 'box', credential: 's3cret' }]);
  t.same(c.softphone.hostAddresses, ['10.8.0.1']);
});

t.test('what is not a STUN/TURN URL or an address is refused, naming the field', async (t) => {
  t.match(callsSettingsProblems({ softphone: { iceServers: [{ urls: 'http://example.cn' }], hostAddresses: [] } }), [/^calls\.softphone\.iceServers\[0\]\.urls: /]);
  t.match(callsSettingsProblems({ softphone: { iceServers: [], hostAddresses: ['vpn.example.cn'] } }), [/^calls\.softphone\.hostAddresses\[0\]: /]);
  t.match(callsSettingsProblems({ softphone: { iceServers: [{ urls: 'stun:stun.example.cn', password: 'x' }], hostAddresses: [] } }), [/^calls\.softphone\.iceServers\[0\]/]);
});
