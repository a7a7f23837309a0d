/**
 * Draws the demo content's build screenshots (content/files/*.png) in Chromium from mock screens written
 * here, so the demo carries realistic images with no patient data and no vendor's pixels. Run it again
 * after changing a screen: `npx tsx scripts/make-demo-images.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const OUT = path.join(import.meta.dirname, '..', 'content', 'files');

const base = `
  * { box-sizing: border-box; } body { margin: 0; font: 13px "DejaVu Sans", sans-serif; color: #1f2a36; background: #e9edf2; }
  .bar { height: 38px; background: #2a4f7c; color: #fff; display: flex; align-items: center; padding: 0 14px; gap: 18px; font-size: 14px; }
  .bar b { font-size: 15px; } .tabs { display: flex; gap: 2px; background: #cfd8e3; padding: 4px 8px 0; }
  .tab { background: #dfe6ee; padding: 6px 14px; border-radius: 4px 4px 0 0; } .tab.on { background: #fff; font-weight: bold; }
  .panel { background: #fff; margin: 0 8px 8px; border: 1px solid #b9c4d0; padding: 14px 18px; }
  h2 { font-size: 16px; margin: 4px 0 12px; color: #203a5c; } h3 { font-size: 13px; margin: 14px 0 6px; color: #203a5c; text-transform: uppercase; letter-spacing: .04em; }
  table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #c9d2dc; padding: 5px 8px; text-align: left; vertical-align: top; }
  th { background: #eef2f6; font-weight: bold; } .k { color: #55657a; width: 190px; } .mono { font-family: "DejaVu Sans Mono", monospace; }
  .pill { display: inline-block; padding: 1px 8px; border-radius: 9px; background: #e3f1e6; color: #23653a; font-size: 12px; }
  .side { position: absolute; right: 16px; top: 120px; width: 300px; }
`;

const screens: { file: string; width: number; height: number; html: string }[] = [
  {
    file: 'sepsis-bpa-criteria.png',
    width: 1280,
    height: 560,
    html: `<div class="bar"><b>Hyperspace</b><span>Environment: POC (build)</span><span>Activity: Rule Editor</span></div>
    <div class="tabs"><span class="tab on">Rule 90012 - SEPSIS SIRS + SOURCE (ADULT)</span><span class="tab">BPA 1900231</span><span class="tab">SmartSet 3100475</span></div>
    <div class="panel"><h2>Rule 90012 &nbsp;<span class="pill">Released</span></h2>
      <table><tr><td class="k">Context</td><td>Patient (encounter level), evaluated on flowsheet file and on result</td></tr>
      <tr><td class="k">Logic</td><td class="mono">(1 AND 2) OR (3 AND 2) &nbsp;&nbsp;// two SIRS criteria, or lactate, with a suspected source</td></tr></table>
      <h3>Criteria</h3>
      <table><tr><th>#</th><th>Property</th><th>Operator</th><th>Value</th><th>Look-back</th></tr>
      <tr><td>1</td><td>Count of SIRS criteria met (temp &gt; 38.3 or &lt; 36.0, HR &gt; 90, RR &gt; 20, WBC &gt; 12 or &lt; 4)</td><td>&gt;=</td><td>2</td><td>6 hours</td></tr>
      <tr><td>2</td><td>Suspected infection: active antibiotic order OR flowsheet row 3040102 "Infection suspected" = Yes</td><td>is</td><td>true</td><td>24 hours</td></tr>
      <tr><td>3</td><td>Lactate (component 1558), most recent</td><td>&gt;=</td><td>2.0 mmol/L</td><td>6 hours</td></tr></table>
      <h3>Used by</h3>
      <table><tr><th>Record</th><th>Name</th><th>Lockout</th></tr>
      <tr><td>BPA 1900231</td><td>Sepsis screening - notify provider (nurse facing)</td><td>12 hours per encounter after Acknowledge</td></tr>
      <tr><td>BPA 1900232</td><td>Sepsis screening - open Adult Sepsis SmartSet (provider facing)</td><td>4 hours</td></tr></table>
      <h3>Release notes</h3>
      <table><tr><td class="k">CHG0041872</td><td>Initial build, approved by Sepsis Committee (2024-03)</td></tr>
      <tr><td class="k">CHG0049310</td><td>Lactate criterion lowered from 4.0 to 2.0 mmol/L (2025-02)</td></tr></table>
    </div>`,
  },
  {
    file: 'workday-hire-bp-definition.png',
    width: 1280,
    height: 540,
    html: `<div class="bar" style="background:#0b5394"><b>workday.</b><span>Business Process Definition</span></div>
    <div class="panel" style="margin-top:8px"><h2>Hire (Default Definition) for Nursing Supervisory Organizations</h2>
      <table><tr><td class="k">Effective date</td><td>2025-07-01</td></tr><tr><td class="k">Initiating action</td><td>Hire Employee (Web Service / Manager / HR Partner)</td></tr></table>
      <h3>Steps</h3>
      <table><tr><th>Order</th><th>Type</th><th>Specify</th><th>Group</th><th>Condition</th></tr>
      <tr><td>a</td><td>Initiation</td><td>Hire Employee</td><td>Manager; HR Partner</td><td></td></tr>
      <tr><td>b</td><td>Approval</td><td>Approval by Nursing Director</td><td>Nursing Director (Supervisory)</td><td>Job family = Registered Nurse</td></tr>
      <tr><td>c</td><td>Action</td><td>Propose Compensation Hire</td><td>Compensation Partner</td><td></td></tr>
      <tr><td>d</td><td>Approval</td><td>Approval by Compensation Partner</td><td>Compensation Partner</td><td>Base pay above range midpoint</td></tr>
      <tr><td>e</td><td>To Do</td><td>Verify license (Nursys lookup)</td><td>HR Licensure Specialist</td><td>Job profile requires RN license</td></tr>
      <tr><td>f</td><td>Integration</td><td>Provider feed to Epic (EIB INT0142)</td><td>Integration System User</td><td>Worker type = Employee</td></tr>
      <tr><td>g</td><td>Action</td><td>Onboarding</td><td>Employee as Self</td><td></td></tr></table>
      <h3>Notes</h3><p>Step (e) added under RITM0188421 so no RN starts before the license check is documented.</p>
    </div>`,
  },
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
try {
  fs.mkdirSync(OUT, { recursive: true });
  for (const s of screens) {
    const page = await browser.newPage({ viewport: { width: s.width, height: s.height } });
    await page.setContent(`<!doctype html><html><head><style>${base}</style></head><body>${s.html}</body></html>`);
    await page.screenshot({ path: path.join(OUT, s.file) });
    await page.close();
    console.log(`wrote content/files/${s.file}`);
  }
} finally {
  await browser.close();
}
