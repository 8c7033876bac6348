/**
 * The tag of vantage's RUM snippet (docs/field-data.md) on the demo's pages, so the demo's own
 * audits and journeys produce field data (site `demo-synthetic`, which the embedded demo config
 * accepts from headless browsers).
 *
 * Only vantage's app turns it on (`rumSnippet` of demoRouter and shopRouter): it serves the
 * script and the beacon endpoint on the same origin. A router mounted alone (in tests) serves its
 * pages without the tag, which would otherwise ask for a script nobody serves.
 */
export const DEMO_RUM_SITE = 'demo-synthetic';
export const DEMO_RUM_TAG = `<script src="/rum/v1/vantage-rum.js" data-site="${DEMO_RUM_SITE}" defer></script>`;

/** `html` with the tag at the end of its <head> when `on`; unchanged otherwise. */
export function withRumTag(html: string, on: boolean | undefined): string {
  if (!on) return html;
  const end = html.indexOf('</head>');
  if (end < 0) throw new Error('withRumTag: the page has no </head>');
  return html.slice(0, end) + DEMO_RUM_TAG + html.slice(end);
}
