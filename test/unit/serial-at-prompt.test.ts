import t from 'tap';
import { PromptParser } from '../../drivers/serial-at/parsers/prompt.js';
import { AtFramer } from '../../drivers/serial-at/parsers/framer.js';

t.test('the prompt is the whole pending text "> " (TS 27.005 §3.5.1)', async (t) => {
  const p = new PromptParser();
  t.ok(p.matches('> '));
  t.notOk(p.matches('>'), 'half a prompt waits for the space');
  t.notOk(p.matches('>> '));
  t.notOk(p.matches('+CMGS'));
});

t.test('the framer delivers the prompt although it has no line ending', async (t) => {
  const f = new AtFramer();
  t.same(f.push(Buffer.from('\r\n> ')), [{ type: 'prompt' }]);
  t.same(f.push(Buffer.from('\r\n+CMGS: 7\r\n\r\nOK\r\n')), [
    { type: 'line', text: '+CMGS: 7' },
    { type: 'line', text: 'OK' },
  ]);
});

t.test('a prompt split over two chunks is delivered when the space arrives', async (t) => {
  const f = new AtFramer();
  t.same(f.push(Buffer.from('\r\n>')), []);
  t.same(f.push(Buffer.from(' ')), [{ type: 'prompt' }]);
});

t.test('a ">" inside a line is not a prompt', async (t) => {
  const f = new AtFramer();
  t.same(f.push(Buffer.from('a > b\r\n')), [{ type: 'line', text: 'a > b' }]);
});
