// `edgebox user add|list|unlock|locks`: technicians create accounts and lift login locks from the shell
// (works while the box runs: SQLite in WAL mode takes the write with a busy timeout, and the login
// throttle keeps its counts in the store).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { type UserRole, userRoles } from '../accounts/actor.js';
import { AccountService, systemActor } from '../accounts/service.js';
import { generatePassword } from '../accounts/passwords.js';
import { openDb } from '../store/db.js';
import { dataDirOf } from './main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function userCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      department: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      address: { type: 'string' },
    },
    strict: true,
  });
  const db = openDb({ file: path.join(dataDirOf(values), 'edgebox.sqlite') });
  try {
    const accounts = new AccountService({ db, sessionHours: () => 12, throttle: () => ({ maxFailures: 5, lockMinutes: 15 }) });
    const actor = { ...systemActor, name: `cli:${process.env.SUDO_USER ?? process.env.USER ?? 'root'}` };
    if (sub === 'list') {
      const users = accounts.users();
      if (values.json) process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      else for (const u of users) process.stdout.write(`${u.id}\t${u.username}\t${u.role}\t${u.department?.name ?? ''}${u.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    }
    if (sub === 'unlock') {
      const username = positionals[0] ?? values.username;
      if (!username && !values.address) throw new Error('usage: edgebox user unlock NAME | --address ADDR');
      const target = username ? { username } : { address: values.address! };
      const removed = accounts.unlockLogin(target, actor);
      const who = username ? `user ${username}` : `address ${values.address}`;
      process.stdout.write(removed > 0 ? `unlocked ${who} (${removed} failure count${removed === 1 ? '' : 's'} cleared)\n` : `${who} was not locked\n`);
      return 0;
    }
    if (sub === 'locks') {
      const locks = accounts.throttle.locks();
      if (values.json) process.stdout.write(`${JSON.stringify(locks, null, 2)}\n`);
      else for (const l of locks) process.stdout.write(`${l.scope}\t${l.username ?? '*'}\t${l.address ?? '*'}\t${l.failures} failures\tuntil ${l.lockedUntil.toISOString()}\n`);
      return 0;
    }
    if (sub !== 'add') throw new Error('expected "user add", "user list", "user unlock" or "user locks"');
    if (!values.username) throw new Error('--username is required');
    if (!values.role || !(userRoles as readonly string[]).includes(values.role)) throw new Error(`--role must be one of ${userRoles.join(', ')}`);
    const generated = !values['password-stdin'];
    const password = generated ? generatePassword() : await readStdin();
    const user = await accounts.createUser(
      {
        username: values.username,
        password,
        role: values.role as UserRole,
        department: values.department ?? null,
        displayName: values['display-name'] ?? null,
      },
      actor,
    );
    if (values.json) process.stdout.write(`${JSON.stringify({ user, ...(generated ? { password } : {}) })}\n`);
    else process.stdout.write(`created ${user.role} ${user.username}${user.department ? ` (${user.department.name})` : ''}${generated ? `\npassword: ${password}` : ''}\n`);
    return 0;
  } finally {
    db.close();
  }
}
