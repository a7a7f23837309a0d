import sharp from 'sharp';

/** A multipart/form-data body, as a browser sends it. */
export function multipartBody(parts: { name: string; value: string | Buffer; filename?: string; type?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----whywiki${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A 1280×800 screenshot of an EHR-like build screen, drawn here: a header bar, a form with labels and
 * values, in DejaVu Sans. `lines` are the texts shown, top to bottom.
 */
export async function screenshot(lines: string[], options: { width?: number; height?: number } = {}): Promise<Buffer> {
  const width = options.width ?? 1280;
  const height = options.height ?? 800;
  const rows = lines
    .map((l, i) => `<text x="48" y="${150 + i * 48}" font-family="DejaVu Sans" font-size="24" fill="#1d2733">${esc(l)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#f4f6f8"/>
    <rect width="100%" height="64" fill="#2b5797"/>
    <text x="24" y="42" font-family="DejaVu Sans" font-size="26" fill="#ffffff">Hyperspace - Build Environment (POC)</text>
    <rect x="32" y="100" width="${width - 64}" height="${height - 140}" fill="#ffffff" stroke="#c7ced6"/>
    ${rows}
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
