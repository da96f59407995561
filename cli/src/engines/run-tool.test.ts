import { runTool } from './run-tool';

describe('runTool', () => {
  it('resolves stdout of a tool that reads its input', async () => {
    await expect(runTool('/bin/cat', [], 'line\n')).resolves.toBe('line\n');
  });

  it('judges by the exit status, not by a broken pipe, when the tool exits without reading its input', async () => {
    // 4 MiB: more than a pipe holds, so the write is still pending when the tool is gone (EPIPE)
    const input = 'x'.repeat(4 * 1024 * 1024);
    await expect(runTool('/bin/true', [], input)).resolves.toBe('');
    await expect(runTool('/bin/false', [], input)).rejects.toThrow(/^false : exit 1: $/);
  });
});
