import fs from 'node:fs';
import path from 'node:path';

/** Writes decision-record folders in the three common layouts, as their tools generate them. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): string {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export const MADR = {
  '0001-use-rhapsody-for-adt-routing.md': `# Use Rhapsody for ADT routing

* Status: superseded by [ADR-0002](0002-route-adt-through-the-cloud-engine.md)
* Deciders: Sarah Okonkwo, bkowalski
* Date: 2021-03-04

Technical Story: CHG0031001 — replace the point-to-point ADT feeds

## Context and Problem Statement

Twelve downstream systems each had their own ADT feed from Epic, and every new system meant another
Bridges interface. How do we route ADT once?

## Considered Options

* Rhapsody routes
* Epic Bridges broadcast

## Decision Outcome

Chosen option: "Rhapsody routes", because the team already runs Rhapsody.

### Positive Consequences

* One feed out of Epic

\`\`\`text
## Not a section: this heading is inside a code block
\`\`\`
`,
  '0002-route-adt-through-the-cloud-engine.md': `---
status: accepted
date: 2025-06-30
deciders: Sarah Okonkwo
---
# Route ADT through the cloud integration engine

## Context and Problem Statement

The on-premises Rhapsody servers reach end of support in 2026.

## Decision Outcome

Chosen option: the cloud engine, in parallel for one month.
`,
};

export const LOG4BRAINS = {
  'docs/adr/20240110-badge-tap-for-shared-workstations.md': `# Badge tap for shared workstations

- Status: accepted
- Date: 2024-01-10
- Deciders: hito
- Tags: sso, imprivata
- Technical Story: RITM0104455

## Context and Problem Statement

Nurses signed in to shared workstations 70 times a shift.

## Decision Drivers

- Sign-in time

## Decision Outcome

Chosen option: "Imprivata badge tap".
`,
  'docs/adr/20240301-draft-biometric-sign-in.md': `# Biometric sign-in

- Status: proposed
- Deciders: hito

## Context and Problem Statement

Badges get lost.

## Decision Outcome

Pending a pilot.
`,
};

export const ADR_TOOLS = {
  'doc/adr/0001-record-architecture-decisions.md': `# 1. Record architecture decisions

Date: 2023-05-02

## Status

Accepted

## Context

We need to record the architectural decisions made on the interface engine.

## Decision

We will use Architecture Decision Records, as described by Michael Nygard.

## Consequences

See Michael Nygard's article.
`,
  'doc/adr/0002-filter-a08-updates.md': `# 2. Filter A08 updates

Date: 2024-09-12

## Status

Accepted

Supersedes [3. Forward every A08](0003-forward-every-a08.md)

## Context

Downstream systems were flooded with A08 messages that changed nothing they use.

## Decision

Filter A08 messages whose relevant segments did not change. Technical Story: CHG0045120.

## Consequences

Fewer messages; a filter to keep up to date.
`,
  'doc/adr/0003-forward-every-a08.md': `# 3. Forward every A08

Date: 2022-01-20

## Status

Accepted

## Context

Downstream systems asked for every update.

## Decision

Forward every A08.

## Consequences

Volume grows with census.
`,
};
