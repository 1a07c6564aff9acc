// The interactive form of `edgebox provision`: one question at a time in the terminal, Chinese then English,
// the default in brackets (Enter takes it), every answer checked at once and asked again with the reason when
// it is refused. Passwords are not echoed.
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { AnswerError, type Answers, type Context, type Key, questions } from './questions.js';

export interface WizardIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export async function runWizard(ctx: Omit<Context, 'answers'>, io: WizardIo): Promise<Answers> {
  let muted = false;
  // readline echoes what is typed through its output; while a password is typed nothing reaches the terminal.
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) io.output.write(chunk);
      cb();
    },
  });
  const terminal = (io.input as NodeJS.ReadStream).isTTY === true;
  const rl = readline.createInterface({ input: io.input, output: out, terminal });
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let closed = false;
  rl.on('line', (l) => (waiting.length ? waiting.shift()!(l) : lines.push(l)));
  rl.on('close', () => {
    closed = true;
    while (waiting.length) waiting.shift()!(null);
  });
  const nextLine = () => new Promise<string | null>((resolve) => (lines.length ? resolve(lines.shift()!) : closed ? resolve(null) : waiting.push(resolve)));

  const answers: Answers = {};
  const asked = new Set<Key>();
  try {
    for (;;) {
      const q = questions({ ...ctx, answers }).find((x) => !asked.has(x.key));
      if (!q) break;
      const hint = q.default !== undefined ? ` [${q.default}]` : q.optional ? ' [-]' : '';
      for (;;) {
        io.output.write(`${q.zh} / ${q.en}${hint}: `);
        muted = q.secret === true;
        const line = await nextLine();
        muted = false;
        if (q.secret) io.output.write('\n');
        if (line === null) throw new AnswerError(q.key, 'input ended before every question was answered / 输入提前结束');
        const text = line.trim();
        try {
          if (text === '') {
            if (q.default !== undefined) (answers as Record<string, unknown>)[q.key] = q.parse(q.default);
            else if (!q.optional) throw new AnswerError(q.key, 'an answer is required / 此项必填');
          } else (answers as Record<string, unknown>)[q.key] = q.parse(text);
          break;
        } catch (err) {
          if (!(err instanceof AnswerError)) throw err;
          io.output.write(`  ✗ ${err.message}\n`);
        }
      }
      asked.add(q.key);
    }
  } finally {
    rl.close();
  }
  return answers;
}
