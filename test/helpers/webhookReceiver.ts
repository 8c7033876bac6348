/**
 * Collects what Alertmanager's webhook_configs POST, on 127.0.0.1 and a random port. One receiver
 * stands in for every Alertmanager receiver: give each its own path, e.g.
 * `VANTAGE_PAGER_WEBHOOK_URL=${receiver.url}/pager`, then
 *
 *   const page = await receiver.waitFor('/pager', (m) => m.status === 'firing');
 *
 * The payload is Alertmanager's webhook format, version 4.
 */
import { startHttpServer } from './servers.js';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookMessage {
  version: string;
  groupKey: string;
  /** Alerts left out by the receiver's max_alerts. */
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

export interface ReceivedWebhook {
  /** The request path, e.g. "/pager". */
  path: string;
  /** Date.now() when it arrived. */
  receivedAt: number;
  message: WebhookMessage;
}

export interface WebhookReceiver {
  /** "http://127.0.0.1:PORT", without a trailing slash: append a path per receiver. */
  url: string;
  /** Every payload received so far, oldest first. */
  received: ReceivedWebhook[];
  /** The payloads received on `path`, oldest first. */
  on(path: string): WebhookMessage[];
  /**
   * Resolves with the first payload on `path` (received before or after the call) for which
   * `match` is true; rejects after `timeoutMs`, listing what did arrive.
   */
  waitFor(path: string, match?: (m: WebhookMessage) => boolean, timeoutMs?: number): Promise<WebhookMessage>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const message = JSON.parse(Buffer.concat(chunks).toString()) as WebhookMessage;
        received.push({ path: (req.url ?? '/').split('?')[0]!, receivedAt: Date.now(), message });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end('not JSON');
      }
    });
  });
  const on = (path: string): WebhookMessage[] =>
    received.filter((r) => r.path === path).map((r) => r.message);
  return {
    url: server.origin,
    received,
    on,
    async waitFor(path, match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = on(path).find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = received.map((r) => `${r.path} ${r.message.status} ${r.message.groupKey}`);
          throw new Error(
            `no matching webhook on ${path} within ${timeoutMs}ms; received:\n${seen.join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => server.close(),
  };
}
