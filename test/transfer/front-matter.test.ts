import { describe, expect, it } from 'vitest';
import { readFrontMatter } from '../../server/transfer/front-matter.js';

describe('the front matter reader', () => {
  it('splits YAML front matter off, with or without a yaml tag, a byte order mark or Windows line ends', () => {
    expect(readFrontMatter('---\ntitle: A page\ntags: [a, b]\n---\nBody\n')).toEqual({ data: { title: 'A page', tags: ['a', 'b'] }, body: 'Body\n' });
    expect(readFrontMatter('---yaml\ntitle: A page\n---\nBody\n').data).toEqual({ title: 'A page' });
    expect(readFrontMatter('\uFEFF--- YAML\r\ntitle: A page\r\n---\r\nBody\r\n')).toEqual({ data: { title: 'A page' }, body: 'Body\r\n' });
    // YAML 1.2 core schema: a date stays the text it was written as.
    expect(readFrontMatter('---\ngo_live: 2024-01-02\n---\n').data).toEqual({ go_live: '2024-01-02' });
    expect(readFrontMatter('---\n# only a comment\n---\nBody')).toEqual({ data: {}, body: 'Body' });
  });

  it('leaves a file without front matter (or starting with a longer rule) whole', () => {
    expect(readFrontMatter('# Title\n\nText\n')).toEqual({ data: {}, body: '# Title\n\nText\n' });
    expect(readFrontMatter('-----\ntext\n---\n')).toEqual({ data: {}, body: '-----\ntext\n---\n' });
  });

  it('refuses front matter in any language but YAML, naming it, without running it', () => {
    for (const tag of ['js', 'javascript', 'coffee', 'json', 'toml']) {
      expect(() => readFrontMatter(`---${tag}\n{ "title": "x" }\n---\nBody\n`), tag).toThrow(`the front matter is marked "${tag}"; only YAML front matter is read`);
    }
  });

  it('refuses front matter that is never closed', () => {
    expect(() => readFrontMatter('---\ntitle: x\nBody with no closing line\n')).toThrow('the front matter opened by "---" on the first line is never closed by a "---" line');
    expect(() => readFrontMatter('---')).toThrow(/never closed/);
  });

  it('refuses YAML tags that would build anything but plain data, and names the tag', () => {
    expect(() => readFrontMatter('---\ntitle: !!js/function "function () { return 1 }"\n---\n')).toThrow(/not valid YAML: the tag tag:yaml\.org,2002:js\/function is not allowed/);
    expect(() => readFrontMatter('---\ntitle: !!python/object:os.system ls\n---\n')).toThrow(/the tag tag:yaml\.org,2002:python\/object:os\.system is not allowed/);
    expect(() => readFrontMatter('---\ntitle: !custom x\n---\n')).toThrow(/the tag !custom is not allowed/);
    expect(() => readFrontMatter('---\nblob: !!binary aGVsbG8=\n---\n')).toThrow(/the tag tag:yaml\.org,2002:binary is not allowed/);
    expect(readFrontMatter('---\nticket: !!str 12345\n---\n').data).toEqual({ ticket: '12345' });
  });

  it('refuses an alias bomb ("billion laughs") instead of expanding it', () => {
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (const [prev, name] of [...'abcdefgh'].map((c, i) => [c, 'bcdefghi'[i]!])) lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    expect(() => readFrontMatter(`---\n${lines.join('\n')}\n---\nBody\n`)).toThrow(/not valid YAML: Excessive alias count/);
  });

  it('refuses duplicate keys, several documents and front matter that is not a mapping', () => {
    expect(() => readFrontMatter('---\ntitle: a\ntitle: b\n---\n')).toThrow(/not valid YAML: Map keys must be unique/);
    expect(() => readFrontMatter('---\n- a\n- b\n---\n')).toThrow('the front matter must be a YAML mapping of field: value');
    expect(() => readFrontMatter('---\njust text\n---\n')).toThrow('the front matter must be a YAML mapping of field: value');
  });
});
