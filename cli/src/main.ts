import { commands } from './commands/index';
import { asUserError } from './util/errors';

/** The command list with each summary (loads every command module: only for help, never on a normal run). */
async function help(): Promise<string> {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  const summaries = await Promise.all(names.map(async (n) => (await commands[n]!()).summary));
  return [
    'usage: platform <command> [flags]',
    '',
    'commands:',
    ...names.map((n, i) => `  ${n.padEnd(width)}  ${summaries[i]!}`),
    '',
    "Run 'platform <command> --help' for a command's flags.",
  ].join('\n');
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (load === undefined) {
    process.stderr.write(
      `platform: unknown command '${name}'; expected one of: ${Object.keys(commands).sort().join(', ')}\n`,
    );
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const user = asUserError(err);
    if (user === undefined) throw err;
    process.stderr.write(`platform ${name}: ${user.message}\n`);
    return user.exitCode;
  }
}
