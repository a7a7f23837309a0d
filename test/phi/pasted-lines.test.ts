import { describe, expect, it } from 'vitest';
import { PhiGuard, phiMessages } from '../../server/phi/guard.js';
import { PASTED_CLEAN, PASTED_PHI } from './pasted-lines.js';

describe('the PHI guard on lines the way analysts paste them', () => {
  const guard = new PhiGuard();

  it('has a realistic set to measure against', () => {
    expect(PASTED_PHI.length).toBeGreaterThanOrEqual(60);
    expect(PASTED_CLEAN.length).toBeGreaterThanOrEqual(40);
  });

  for (const [n, p] of PASTED_PHI.entries()) {
    it(`refuses pasted line ${n + 1} as ${p.kind}: ${p.text}`, () => {
      const hits = guard.scan({ why: `Context first.\n${p.text}` });
      expect(hits.map((h) => h.kind)).toContain(p.kind);
      const hit = hits.find((h) => h.kind === p.kind)!;
      expect(hit).toMatchObject({ field: 'why', line: 2 });
      // The excerpt helps find the place without repeating the identifier: no digits, no whole name.
      expect(hit.excerpt).not.toMatch(/\d/);
      for (const word of p.text.match(/\p{Lu}\p{Ll}{3,}/gu) ?? []) {
        if (!/^(Patient|Ticket|Example|Home|Address|Lives|Statement|Callback|Birth|Rm|Room|Bed|Her|Had|The|Per)$/.test(word)) expect(hit.excerpt).not.toContain(word);
      }
    });
  }

  for (const [n, text] of PASTED_CLEAN.entries()) {
    it(`lets clean line ${n + 1} through: ${text}`, () => {
      expect(guard.scan({ why: text })).toEqual([]);
    });
  }

  it('names the field and the kind in its message, and never the name, number or address itself', () => {
    const text = 'Mrs. Okafor in bed 12 was given heparin twice.\nLives at 1423 Maple Ave Apt 4B.\nSmith, John on 4 West.';
    const [message] = phiMessages(guard.scan({ why: text }));
    expect(message!.field).toBe('why');
    expect(message!.message).toMatch(/line 1: patient name/);
    expect(message!.message).toMatch(/line 2: street address/);
    expect(message!.message).toMatch(/line 3: patient name/);
    for (const secret of ['Okafor', 'Maple', '1423', 'Smith', 'John', '12']) expect(message!.message).not.toContain(secret);
  });

  it('tells a doctor who approves a build from a doctor who is a patient', () => {
    expect(guard.scan({ why: 'Dr. Whitfield approved the build for bed 7 on 03/14/2024.' })).toEqual([]);
    expect(guard.scan({ why: 'Dr. Whitfield in bed 7 was given his meds twice.' }).map((h) => h.kind)).toEqual(['patient name']);
  });
});
