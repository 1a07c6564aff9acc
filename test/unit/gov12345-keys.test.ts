// Keys kept in files (docs/12345.md §6): `file:NAME` is replaced by the file's content; a missing or short key
// disables the platform instead of leaving it to verify with a key anyone could compute.
import t from 'tap';
import { type Gov12345Platform, defaultGov12345, resolveKeys } from '../../firmware-agent/gov12345/config.js';
import { signatureMatches, hmac } from '../../firmware-agent/gov12345/sign.js';

const platform = (id: string, secret: string): Gov12345Platform => ({
  id,
  name: id,
  url: 'http://x',
  account: 'a',
  secret,
  enabled: true,
  fields: {},
  codes: {},
  defaultRegion: null,
  defaultDomain: 'other',
});

t.test('file keys are read; a missing or short one disables its platform', async (t) => {
  const literal = 'literal-key-of-at-least-32-characters!!';
  const files: Record<string, string> = { 'a.key': 'file-key-of-at-least-32-characters-long\n', 'short.key': 'too-short' };
  const { cfg, problems } = resolveKeys(
    { ...defaultGov12345, platforms: [platform('lit', literal), platform('a', 'file:a.key'), platform('gone', 'file:gone.key'), platform('short', 'file:short.key')] },
    (name) => files[name] ?? null,
  );
  t.same(
    cfg.platforms.map((p) => [p.id, p.secret, p.enabled]),
    [
      ['lit', literal, true],
      ['a', 'file-key-of-at-least-32-characters-long', true],
      ['gone', '', false],
      ['short', '', false],
    ],
  );
  t.equal(problems.length, 2);
  t.notOk(signatureMatches('', 'text', hmac('', 'text')), 'an empty key never verifies, even a signature made with it');
  t.ok(signatureMatches(literal, 'text', hmac(literal, 'text')));
});
