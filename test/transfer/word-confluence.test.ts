import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { tempDir, testStore } from '../helpers.js';
import { screenshot } from '../files/fixtures.js';
import { importPages } from '../../server/transfer/import.js';
import { readImportFolder } from '../../server/transfer/source.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { phiGuardFor } from '../../server/phi/guard.js';
import type { Store } from '../../server/store/index.js';
import { writeFiles } from './adr-fixtures.js';

const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Word document as Word writes one: styles for the headings, numbering for the list, a table, pictures and a title in docProps. */
async function wordDocument(opts: { title?: string; blocks: ({ h: 1 | 2; text: string } | { p: string } | { li: string } | { table: string[][] } | { img: number })[]; images?: Buffer[] }): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`);
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`);
  zip.file('docProps/core.xml', `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">${opts.title ? `<dc:title>${esc(opts.title)}</dc:title>` : ''}<dc:creator>Maria Reyes</dc:creator></cp:coreProperties>`);
  zip.file('word/styles.xml', `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style></w:styles>`);
  zip.file('word/numbering.xml', `<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`);
  const rels = (opts.images ?? []).map((_, i) => `<Relationship Id="rIdImg${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image${i + 1}.png"/>`).join('');
  zip.file('word/_rels/document.xml.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdNum" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>${rels}</Relationships>`);
  (opts.images ?? []).forEach((img, i) => zip.file(`word/media/image${i + 1}.png`, img));
  const run = (t: string) => `<w:r><w:t xml:space="preserve">${esc(t)}</w:t></w:r>`;
  const body = opts.blocks
    .map((b) => {
      if ('h' in b) return `<w:p><w:pPr><w:pStyle w:val="Heading${b.h}"/></w:pPr>${run(b.text)}</w:p>`;
      if ('p' in b) return `<w:p>${run(b.p)}</w:p>`;
      if ('li' in b) return `<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>${run(b.li)}</w:p>`;
      if ('table' in b) return `<w:tbl>${b.table.map((row) => `<w:tr>${row.map((c) => `<w:tc><w:p>${run(c)}</w:p></w:tc>`).join('')}</w:tr>`).join('')}</w:tbl>`;
      return `<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:docPr id="${b.img}" name="Picture ${b.img}" descr="Screenshot ${b.img}"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rIdImg${b.img}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`;
    })
    .join('');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function importFolder(store: Store, dir: string, defaults: Record<string, string>) {
  const rules = { systems, maxBodyBytes: 1 << 20, phi: phiGuardFor(store, []) };
  const source = await readImportFolder({ store, ...rules, actor: { username: 'cli' }, client: 'import' }, dir, rules.maxBodyBytes);
  return { source, summary: importPages(store, rules, source, { defaults }) };
}

const png = (color: string) => sharp({ create: { width: 8, height: 8, channels: 3, background: color } }).png().toBuffer();

describe('Word documents', () => {
  it('imports headings, lists, tables and pictures (as files of the page), titled from the document or its first heading; the PHI guard reads text and pictures', async () => {
    const { store } = testStore();
    const dir = writeFiles(tempDir(), {
      'build/Rhapsody ADT build.docx': await wordDocument({
        title: 'Rhapsody ADT build',
        blocks: [{ h: 1, text: 'Overview' }, { p: 'The ADT feed is routed once.' }, { li: 'Register the route' }, { li: 'Test with A08' }, { h: 2, text: 'Ports' }, { table: [['Port', 'Use'], ['6661', 'ADT in'], ['6662', 'ADT out']] }, { img: 1 }],
        images: [await png('#3366cc')],
      }),
      'build/untitled-note.docx': await wordDocument({ blocks: [{ h: 1, text: 'Downtime printing' }, { p: 'Print the census every four hours.' }] }),
      'build/phi-text.docx': await wordDocument({ title: 'Test notes', blocks: [{ p: 'Patient John Smith, MRN 00482913, was used to test' }] }),
      'build/phi-picture.docx': await wordDocument({ title: 'Screenshot notes', blocks: [{ p: 'The BPA as it fired:' }, { img: 1 }], images: [await screenshot(['Patient: John Smith', 'MRN: 00482913', 'Sepsis screening BPA fired'])] }),
      'build/broken.docx': 'not a zip',
    });
    const { summary } = await importFolder(store, dir, { system: 'Interfaces', owners: 'mreyes', why: 'Build documentation.' });
    expect(summary.formats).toEqual({ docx: 3 });
    // The picture the guard refused is a failure of its own; the page around it is still created.
    expect(summary).toMatchObject({ created: 3, failed: 3 });
    const build = getCurrentPage(store, 'rhapsody-adt-build');
    expect(build.frontMatter.title).toBe('Rhapsody ADT build');
    expect(build.body).toContain('# Overview\n\nThe ADT feed is routed once.\n\n-   Register the route\n-   Test with A08');
    expect(build.body).toContain('## Ports');
    expect(build.body).toMatch(/\| Port \| Use \|\n\| --- \| --- \|\n\| 6661 \| ADT in \|/);
    expect(build.body).toMatch(/!\[Screenshot 1\]\(<\/p\/rhapsody-adt-build\/files\/[0-9a-f]{64}\/image-1\.png>\)/);
    expect(store.files.forPage('rhapsody-adt-build').map((f) => f.name)).toEqual(['image-1.png']);
    expect(getCurrentPage(store, 'untitled-note')).toMatchObject({ frontMatter: { title: 'Downtime printing' }, body: 'Print the census every four hours.\n' });
    const byFile = Object.fromEntries(summary.problems.map((p) => [p.file, `${p.field}: ${p.reason}`]));
    expect(byFile['build/phi-text.docx']).toMatch(/^body: .*MRN/);
    expect(byFile['build/broken.docx']).toMatch(/^file: not a Word document mammoth can read/);
    expect(summary.problems.find((p) => p.file === 'build/phi-picture.docx')?.reason).toMatch(/image-1\.png \(picture 1\) was not stored: .*MRN/);
    expect(getCurrentPage(store, 'phi-picture').body).toContain('picture 1 of the document was not imported');
    expect(store.pages.head('phi-text')).toBeUndefined();
  }, 60_000);
});

/** A Confluence space exported as HTML, file for file as Confluence writes it. */
function confluencePage(o: { space: string; title: string; crumbs: [string, string][]; content: string; attachments?: [string, string][]; meta?: string }): string {
  return `<!DOCTYPE html>
<html>
    <head>
        <title>${o.space} : ${o.title}</title>
        <link rel="stylesheet" href="styles/site.css" type="text/css" />
        <META http-equiv="Content-Type" content="text/html; charset=UTF-8">
    </head>
    <body class="theme-default aui-theme-default">
        <div id="page">
            <div id="main" class="aui-page-panel">
                <div id="main-header">
                    <div id="breadcrumb-section">
                        <ol id="breadcrumbs">
${o.crumbs.map(([href, text], i) => `                            <li${i === 0 ? ' class="first"' : ''}><span><a href="${href}">${text}</a></span></li>`).join('\n')}
                        </ol>
                    </div>
                    <h1 id="title-heading" class="pagetitle">
                                                <span id="title-text">
                            ${o.space} : ${o.title}
                        </span>
                    </h1>
                </div>
                <div id="content" class="view">
                    <div class="page-metadata">
                        ${o.meta ?? 'Created by <span class=\'author\'> Maria Reyes</span>, last modified on Mar 04, 2021'}
                    </div>
                    <div id="main-content" class="wiki-content group">
${o.content}
                    </div>
${o.attachments?.length ? `                    <div class="pageSection group">
                        <div class="pageSectionHeader">
                            <h2 id="attachments" class="pageSectionTitle">Attachments:</h2>
                        </div>
                        <div class="greybox" align="left">
${o.attachments.map(([href, name]) => `                                <img src="images/icons/bullet_blue.gif" height="8" width="8" alt=""/>
                                <a href="${href}">${name}</a> (image/png)
                                <br/>`).join('\n')}
                        </div>
                    </div>` : ''}
                </div>
            </div>
            <div id="footer" role="contentinfo">
                <section class="footer-body">
                    <p>Document generated by Confluence on Nov 20, 2026 10:12</p>
                </section>
            </div>
        </div>
    </body>
</html>
`;
}

describe('Confluence space export', () => {
  it('imports each page with its hierarchy, [[links]], images and attachments, tables kept, and lists what it skipped', async () => {
    const { store } = testStore();
    const space = 'Interface Team';
    const home: [string, string] = ['index.html', space];
    const dir = writeFiles(tempDir(), {
      'index.html': `<html><head><title>${space}</title></head><body><div id="content"><h2>Available Pages:</h2><ul><li><a href="Interfaces-Home_65538.html">Interfaces Home</a><ul><li><a href="ADT-Routing_65541.html">ADT Routing</a><ul><li><a href="A08-Filter_65544.html">A08 Filter</a></li></ul></li></ul></li></ul></div></body></html>`,
      'Interfaces-Home_65538.html': confluencePage({ space, title: 'Interfaces Home', crumbs: [home], content: '<p>Start at <a href="ADT-Routing_65541.html">ADT Routing</a>.</p>' }),
      'ADT-Routing_65541.html': confluencePage({
        space,
        title: 'ADT Routing',
        crumbs: [home, ['Interfaces-Home_65538.html', 'Interfaces Home']],
        content: `<h2 id="ADTRouting-Overview">Overview</h2><p>All ADT goes through Rhapsody. See <a href="A08-Filter_65544.html">the A08 filter</a> and <a href="https://example.org/">the vendor</a>.</p>
<p><span class="confluence-embedded-file-wrapper"><img class="confluence-embedded-image" alt="Route diagram" src="attachments/65541/65600.png" data-image-src="attachments/65541/65600.png"></span></p>
<div class="table-wrap"><table class="confluenceTable"><tbody><tr><th class="confluenceTh">Port</th><th class="confluenceTh">Use</th></tr><tr><td class="confluenceTd"><p>6661</p></td><td class="confluenceTd">ADT in</td></tr></tbody></table></div>`,
        attachments: [['attachments/65541/65600.png', 'route-diagram.png'], ['attachments/65541/65601.png', 'old-route.png']],
      }),
      'A08-Filter_65544.html': confluencePage({ space, title: 'A08 Filter', crumbs: [home, ['Interfaces-Home_65538.html', 'Interfaces Home'], ['ADT-Routing_65541.html', 'ADT Routing']], content: '<p>Filter unchanged A08s.</p>' }),
      'styles/site.css': 'body {}',
      'images/icons/bullet_blue.gif': Buffer.from('GIF89a'),
      'attachments/65541/65600.png': await png('#336699'),
      'attachments/65541/65601.png': await png('#993366'),
      'attachments/99999/orphan.png': await png('#000000'),
    });
    const { source, summary } = await importFolder(store, dir, { system: 'Interfaces', owners: 'mreyes', why: 'Moved from Confluence.' });
    expect(source.kind).toBe('confluence');
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ created: 3, failed: 0, formats: { confluence: 3 } });
    const adt = getCurrentPage(store, 'adt-routing');
    expect(adt.frontMatter).toMatchObject({ title: 'ADT Routing', module: 'Interfaces Home', tags: ['interfaces home'] });
    expect(adt.body).toContain('Parent: [[interfaces-home|Interfaces Home]]');
    expect(adt.body).toContain('See [[a08-filter|the A08 filter]] and [the vendor](https://example.org/)');
    expect(adt.body).toMatch(/!\[Route diagram\]\(\/p\/adt-routing\/files\/[0-9a-f]{64}\/route-diagram\.png\)/);
    expect(adt.body).toMatch(/\| Port \| Use \|\n\| --- \| --- \|\n\| 6661 \| ADT in \|/);
    expect(adt.body).toMatch(/## Attachments\n\n- \[old-route\.png\]\(\/p\/adt-routing\/files\/[0-9a-f]{64}\/old-route\.png\)/);
    expect(adt.body).toContain('_Created by Maria Reyes, last modified on Mar 04, 2021_');
    expect(store.files.forPage('adt-routing').map((f) => f.name).sort()).toEqual(['old-route.png', 'route-diagram.png']);
    expect(store.pages.head('adt-routing')!.updated_at).toBe('2021-03-04T00:00:00.000Z');
    expect(getCurrentPage(store, 'a08-filter').frontMatter).toMatchObject({ module: 'Interfaces Home', tags: ['interfaces home', 'adt routing'] });
    expect(getCurrentPage(store, 'a08-filter').body).toContain('Parent: [[adt-routing|ADT Routing]]');
    expect(getCurrentPage(store, 'interfaces-home').body).toContain('Start at [[adt-routing|ADT Routing]].');
    expect(summary.skipped).toEqual([
      { file: 'index.html', field: 'file', reason: expect.stringContaining('the space\'s home index') },
      { file: 'images/, styles/', field: 'file', reason: 'skipped: 2 Confluence theme files (icons and styles)' },
      { file: 'attachments/99999/orphan.png', field: 'file', reason: 'skipped: an attachment of no page in the export' },
    ]);
    expect(fs.existsSync(path.join(dir, 'index.html'))).toBe(true);
  }, 60_000);
});
