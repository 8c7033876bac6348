/**
 * Starting the browser-flow benchmark's site (shopSiteServer.ts, its own process) and reading back
 * when the HTTP check's requests arrived there.
 */
import { join } from 'node:path';
import { freePort, spawnChild, waitForHttp, type Child } from './children.js';
import { HOST, REPO_ROOT } from './exporters.js';

export interface ShopSite {
  child: Child;
  baseUrl: string;
  /** The shop's front page, where a flow starts. */
  shopUrl: string;
  /** The page the HTTP check requests (each arrival recorded). */
  checkUrl: string;
}

export async function startShopSite(workDir: string): Promise<ShopSite> {
  const port = await freePort();
  const child = spawnChild({
    name: 'shop-site',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/shopSiteServer.ts'), String(port)],
    cwd: REPO_ROOT, // where `tsx` resolves from
    logDir: workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/demo/shop/`);
  return { child, baseUrl, shopUrl: `${baseUrl}/demo/shop/`, checkUrl: `${baseUrl}/check` };
}

/** When each /check request arrived so far (Unix ms, ascending). */
export async function checkArrivals(site: ShopSite): Promise<number[]> {
  const res = await fetch(`${site.baseUrl}/__bench/arrivals`, { signal: AbortSignal.timeout(10_000) });
  const { arrivals } = (await res.json()) as { arrivals: number[] };
  return arrivals;
}
