/** One build stage of a Dockerfile: its base, its name and its instructions (continuations joined). */
export interface DockerfileStage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly DockerfileInstruction[];
}

export interface DockerfileInstruction {
  /** Upper-cased keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
}

/**
 * Splits a Dockerfile into instructions and stages, enough for checking its invariants in tests: comments and blank
 * lines dropped (also inside a continuation, as Docker does), backslash continuations joined.
 */
export function parseDockerfile(text: string): DockerfileStage[] {
  const instructions: DockerfileInstruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
  }
  const stages: { from: string; name?: string; instructions: DockerfileInstruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}
