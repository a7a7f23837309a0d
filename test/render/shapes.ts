/** Each shape whose rendering cost grows faster than its size, just past its bound, and the words its refusal names. */
export const ABUSIVE_SHAPES: { name: string; text: string; names: RegExp }[] = [
  { name: '> run', text: '>'.repeat(3_000), names: /nests block quotes 3,000 levels deep; at most 32/ },
  { name: 'quotes by line', text: Array.from({ length: 40 }, (_, i) => `${'>'.repeat(i)} x`).join('\n'), names: /nests block quotes/ },
  { name: 'nested list', text: Array.from({ length: 800 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n'), names: /nests lists 800 levels deep/ },
  { name: 'list markers on one line', text: `${'- '.repeat(3_000)}x`, names: /nests lists 3,000 levels deep/ },
  { name: '*a run', text: '*a'.repeat(20_000), names: /20,000 runs of \* or _/ },
  { name: 'backticks', text: '`a``'.repeat(5_000), names: /runs of backticks/ },
  { name: '[a run', text: '[a'.repeat(10_000), names: /10,000 square brackets/ },
  { name: 'wiki links', text: '[[link]] '.repeat(20_000), names: /20,000 \[\[wiki links\]\]; at most 2,000/ },
  { name: 'links', text: '[a](b)\n'.repeat(6_000), names: /6,000 links/ },
  { name: 'link reference definitions', text: Array.from({ length: 6_000 }, (_, i) => `[r${i}]: /u${i}`).join('\n'), names: /6,000 links/ },
  { name: 'table', text: `|a|b|\n|-|-|\n${'|x|y|\n'.repeat(10_000)}`, names: /table cells/ },
  { name: 'html tags', text: '<a>'.repeat(11_000), names: /11,000 HTML-like tags/ },
];
