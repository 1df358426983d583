import { describe, expect, it } from 'vitest';
import { StartProgress } from '../../src/cli/progress.js';

function display(isTTY: boolean) {
  const written: string[] = [];
  return { written, progress: new StartProgress({ write: (t) => written.push(t), isTTY }) };
}

describe('the start-up display', () => {
  it('prints one line per phase where it cannot redraw (a log, a pipe)', () => {
    // GIVEN a display on a pipe
    const { written, progress } = display(false);

    // WHEN a start goes through its phases, with many updates
    progress.begin('synth', 'cdk synth');
    progress.begin('bundles');
    for (let i = 1; i <= 45; i += 1) progress.update(`${String(i)} bundled`);
    progress.end('45 functions bundled');
    progress.begin('engines');
    progress.end('listening');
    progress.begin('resources');
    for (let i = 1; i <= 12; i += 1) progress.update(`${String(i)}/12 created`);
    progress.end('12 created');

    // THEN there are four lines, each the phase's number, name, outcome and time
    const lines = written.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\[1\/4\] synth +cdk synth \(\d+\.\d s\)$/);
    expect(lines[1]).toMatch(/^\[2\/4\] bundles +45 functions bundled \(\d+\.\d s\)$/);
    expect(lines[2]).toMatch(/^\[3\/4\] engines +listening \(\d+\.\d s\)$/);
    expect(lines[3]).toMatch(/^\[4\/4\] resources +12 created \(\d+\.\d s\)$/);
  });

  it('redraws the running phase in place on a terminal, and keeps notes above it', () => {
    // GIVEN a display on a terminal
    const { written, progress } = display(true);

    // WHEN a phase updates, a note arrives, and the phase ends
    progress.begin('bundles');
    progress.update('1 bundled');
    progress.note('first start: takes longer');
    progress.update('2 bundled');
    progress.end('2 functions bundled');

    // THEN each redraw clears the line before it, and the finished screen is the note and the phase's result
    const redraws = written.slice(1).filter((_, i) => !written[i]?.endsWith('\n'));
    expect(redraws.length).toBeGreaterThanOrEqual(3);
    expect(redraws.every((w) => w.startsWith('\r\u001b[2K'))).toBe(true);
    const screen = written
      .join('')
      .split('\n')
      .map((line) => line.split('\r\u001b[2K').pop());
    expect(screen.filter(Boolean)).toEqual([
      'first start: takes longer',
      expect.stringMatching(/^\[2\/4\] bundles +2 functions bundled \(\d+\.\d s\)$/),
    ]);
  });
});
