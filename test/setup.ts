import fs from 'node:fs';
import { afterAll } from 'vitest';
import { madeDirs } from './temp.js';

afterAll(() => {
  for (const dir of madeDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
