import { describe, expect, it } from 'vitest';
import { markdownProblem, MARKDOWN_LIMITS } from '../../server/render/limits.js';
import { ABUSIVE_SHAPES } from './shapes.js';
import { MarkdownRefused, renderMarkdown } from '../../server/render/markdown.js';

describe('markdownProblem', () => {
  for (const shape of ABUSIVE_SHAPES) {
    it(`names the problem with ${shape.name}`, () => {
      expect(markdownProblem(shape.text)).toMatch(shape.names);
    });
  }

  it('leaves ordinary documentation alone, including what only looks like the shapes', () => {
    const doc = [
      '# Sepsis screening',
      '> A quote\n>> nested once\n>>> and twice',
      Array.from({ length: 12 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n'),
      // snake_case identifiers cannot open emphasis, however many there are.
      `${'order_set_id '.repeat(3_000)}`,
      // Text in a fenced code block is not parsed for emphasis or nesting.
      '```\n' + '>'.repeat(500) + '\n' + '*a'.repeat(5_000) + '\n```',
      `|a|b|\n|-|-|\n${'|x|y|\n'.repeat(1_000)}`,
      '[[vte-panel]] and [a link](https://example.org).',
    ].join('\n\n');
    expect(markdownProblem(doc)).toBeNull();
  });

  it('counts each list item on its own (a changelog of many short items is fine)', () => {
    expect(markdownProblem('* **fs**: fix `read` (#1)\n'.repeat(MARKDOWN_LIMITS.emphasisRunsPerBlock))).toBeNull();
  });
});

describe('renderMarkdown beyond the bounds', () => {
  it('throws a typed refusal instead of overflowing the stack', () => {
    expect(() => renderMarkdown('>'.repeat(3_000))).toThrow(MarkdownRefused);
    expect(() => renderMarkdown('>'.repeat(3_000))).toThrow(/at most 32 levels/);
  });
});
