import type { HealthRow } from './reports.js';

/** Server-rendered SVG charts: readable without JavaScript, styled by classes in app.css (no inline style). */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const label = (r: HealthRow) => (r.module === null ? r.system : `${r.system} › ${r.module}`);

const LABEL_W = 260;
const BAR_W = 360;
const ROW_H = 22;

/** One horizontal bar per system and module: the share of pages under review whose review is current. */
export function reviewShareChart(rows: HealthRow[]): string {
  const shown = rows.filter((r) => r.under_review > 0);
  const height = shown.length * ROW_H + 24;
  const parts = shown.map((r, i) => {
    const y = i * ROW_H;
    const share = r.current_review_share ?? 0;
    const w = Math.round(share * BAR_W);
    const pct = `${Math.round(share * 100)}%`;
    const cls = share >= 0.8 ? 'good' : share >= 0.5 ? 'fair' : 'poor';
    return `<g class="${r.module === null ? 'system-row' : 'module-row'}"><title>${esc(label(r))}: ${r.current_review} of ${r.under_review} reviews current (${pct})</title>` +
      `<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end" class="label">${esc(r.module === null ? r.system : r.module)}</text>` +
      `<rect x="${LABEL_W}" y="${y + 4}" width="${BAR_W}" height="${ROW_H - 8}" class="track"/>` +
      `<rect x="${LABEL_W}" y="${y + 4}" width="${w}" height="${ROW_H - 8}" class="bar ${cls}"/>` +
      `<text x="${LABEL_W + BAR_W + 8}" y="${y + 15}" class="value">${pct} <tspan class="muted">(${r.current_review}/${r.under_review})</tspan></text></g>`;
  });
  const axis = [0, 50, 80, 100].map((p) => {
    const x = LABEL_W + (p / 100) * BAR_W;
    return `<line x1="${x}" y1="0" x2="${x}" y2="${height - 20}" class="grid"/><text x="${x}" y="${height - 6}" text-anchor="middle" class="axis">${p}%</text>`;
  });
  return svg(LABEL_W + BAR_W + 110, height, 'Share of pages with a current review, per system and module', [...axis, ...parts]);
}

const RISKS: { key: 'single_owner' | 'orphaned' | 'without_ticket'; name: string }[] = [
  { key: 'orphaned', name: 'Orphaned' },
  { key: 'single_owner', name: 'Single owner' },
  { key: 'without_ticket', name: 'No ticket' },
];

/** Per system: how many pages have no active owner, only one person behind them, or no ticket. */
export function riskChart(rows: HealthRow[]): string {
  const systems = rows.filter((r) => r.module === null);
  const max = Math.max(1, ...systems.flatMap((r) => RISKS.map((k) => r[k.key])));
  const groupH = RISKS.length * 16 + 14;
  const width = 218 + BAR_W + 60;
  const parts: string[] = [];
  systems.forEach((r, i) => {
    const y0 = i * groupH;
    parts.push(`<text x="0" y="${y0 + 14}" class="label strong">${esc(r.system)}</text><text x="0" y="${y0 + 30}" class="axis">${r.pages} pages</text>`);
    RISKS.forEach((k, j) => {
      const y = y0 + j * 16 + 2;
      const v = r[k.key];
      const w = Math.round((v / max) * BAR_W);
      parts.push(`<g><title>${esc(r.system)}: ${v} ${k.name.toLowerCase()} of ${r.pages} pages</title>` +
        `<text x="210" y="${y + 11}" text-anchor="end" class="axis">${k.name}</text>` +
        `<rect x="218" y="${y + 2}" width="${Math.max(w, v > 0 ? 2 : 0)}" height="11" class="bar risk-${k.key}"/>` +
        `<text x="${222 + w}" y="${y + 11}" class="value">${v}</text></g>`);
    });
  });
  return svg(width, systems.length * groupH, 'Knowledge risk per system: orphaned, single-owner and ticketless pages', parts);
}

/** Small column charts, one per system, of versions written in each of the last weeks. */
export function editsChart(rows: HealthRow[], weeks: string[]): string {
  const systems = rows.filter((r) => r.module === null);
  const max = Math.max(1, ...systems.flatMap((r) => r.edits_per_week));
  const cellW = 200;
  const cellH = 110;
  const perRow = 3;
  const colW = Math.floor((cellW - 20) / weeks.length);
  const parts = systems.map((r, i) => {
    const x0 = (i % perRow) * (cellW + 20);
    const y0 = Math.floor(i / perRow) * (cellH + 16);
    const total = r.edits_per_week.reduce((a, b) => a + b, 0);
    const cols = r.edits_per_week.map((v, w) => {
      const h = Math.round((v / max) * (cellH - 40));
      const x = x0 + 10 + w * colW;
      return `<rect x="${x}" y="${y0 + cellH - 16 - h}" width="${colW - 2}" height="${h}" class="bar edits"><title>Week of ${weeks[w]}: ${v} ${v === 1 ? 'edit' : 'edits'}</title></rect>`;
    });
    return `<g><text x="${x0}" y="${y0 + 14}" class="label strong">${esc(r.system)}</text><text x="${x0 + cellW}" y="${y0 + 14}" text-anchor="end" class="axis">${total} in ${weeks.length} weeks</text>` +
      `<line x1="${x0 + 8}" y1="${y0 + cellH - 16}" x2="${x0 + cellW}" y2="${y0 + cellH - 16}" class="grid"/>${cols.join('')}` +
      `<text x="${x0 + 10}" y="${y0 + cellH - 2}" class="axis">${weeks[0]}</text><text x="${x0 + cellW}" y="${y0 + cellH - 2}" text-anchor="end" class="axis">now</text></g>`;
  });
  const rowsN = Math.ceil(systems.length / perRow);
  return svg(perRow * (cellW + 20), rowsN * (cellH + 16), `Edits per week over the last ${weeks.length} weeks, per system`, parts);
}

function svg(width: number, height: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${parts.join('')}</svg>`;
}

/** The people whose leaving would orphan the most pages: one bar each, most first. */
export function keyPersonChart(people: { handle: string; name: string; pages: string[] }[], limit = 12): string {
  const shown = people.slice(0, limit);
  const max = Math.max(1, ...shown.map((p) => p.pages.length));
  const parts = shown.map((p, i) => {
    const y = i * ROW_H;
    const n = p.pages.length;
    const w = Math.max(2, Math.round((n / max) * BAR_W));
    return `<g class="key-person"><title>${esc(p.name)}: ${n} ${n === 1 ? 'page' : 'pages'} orphaned if they left tomorrow</title>` +
      `<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end" class="label">${esc(p.name)}</text>` +
      `<rect x="${LABEL_W}" y="${y + 4}" width="${w}" height="${ROW_H - 8}" class="bar risk-single_owner"/>` +
      `<text x="${LABEL_W + w + 6}" y="${y + 15}" class="value">${n}</text></g>`;
  });
  return svg(LABEL_W + BAR_W + 60, Math.max(ROW_H, shown.length * ROW_H), 'Pages that would be orphaned if each person left tomorrow', parts);
}
