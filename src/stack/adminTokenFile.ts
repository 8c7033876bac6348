/**
 * Writes the admin token file `vantage stack` shares between vantage and Alertmanager
 * (plan.ts, adminTokenPlan): the caller's token when one was given, else a random one made at
 * the first start and kept across restarts, so a running Alertmanager, a reload or a script
 * that read the file never sees it change under them. Readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import type { AdminTokenPlan } from './plan.js';

/** 32 random bytes, hex: 64 characters, well over vantage's 16-character minimum. */
export function generateAdminToken(): string {
  return randomBytes(32).toString('hex');
}

export async function writeAdminTokenFile(plan: AdminTokenPlan): Promise<void> {
  if (plan.write === undefined) return;
  if (plan.write === 'generate') {
    try {
      // 'wx': only when missing, so an existing token is kept (and two runners cannot race).
      await writeFile(plan.file, `${generateAdminToken()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } else {
    await writeFile(plan.file, `${plan.write.token.trim()}\n`, { mode: 0o600 });
  }
  // The mode given to writeFile applies to a new file only.
  await chmod(plan.file, 0o600);
}
