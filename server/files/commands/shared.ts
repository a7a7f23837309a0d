import { ValidationError } from '../../core/errors.js';
import { phiMessages, type PhiHit } from '../../phi/guard.js';
import type { CommandContext } from '../../core/context.js';
import { type InspectLimits } from '../inspect.js';

export interface AttachedFile {
  name: string;
  url: string;
  sha256: string;
  size: number;
  type: string;
}

/** A PHI finding in a file: where it is, masked, and for an image the region to outline. */
export interface FileFinding {
  kind: string;
  line: number;
  excerpt: string;
  box?: { x: number; y: number; width: number; height: number };
}

/** An upload refused because its text (or its name) looks like patient information. */
export class FilePhiRefused extends ValidationError {
  constructor(readonly findings: FileFinding[], hits: PhiHit[]) {
    super(phiMessages(hits).map((m) => ({ field: 'file', message: m.message.replace(/nothing was saved/, 'the file was not stored') })), 422);
    this.name = 'FilePhiRefused';
  }
}

export type AttachContext = CommandContext & { limits: InspectLimits };
