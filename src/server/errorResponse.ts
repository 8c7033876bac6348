/**
 * Error answers of vantage's HTTP surface (404, 400, 500, ...): a page in the common layout for a
 * browser, which asks for text/html first, and the same message as one line of text/plain for
 * everyone else (curl, scripts, tests), whose answers stay as they were.
 */
import type { Request, Response } from 'express';
import { escapeHtml } from '../html/escape.js';
import { page, rootFrom } from '../html/layout.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'Internal error',
};

/** The error page of `status` explaining `message`, linking back to the index from `path`. */
export function errorPage(status: number, message: string, path: string): string {
  const heading = TITLES[status] ?? `Error ${status}`;
  return page({
    title: `vantage: ${heading}`,
    heading,
    nav: [{ href: rootFrom(path), text: 'vantage' }],
    body: `<p>${escapeHtml(message)}</p>`,
  });
}

/** Sends `status` with `message`: an HTML page when the client prefers HTML, else plain text. */
export function sendError(req: Request, res: Response, status: number, message: string): void {
  res.status(status);
  if (req.accepts(['text', 'html']) === 'html') res.type('html').send(errorPage(status, message, req.path));
  else res.type('text').send(`${message}\n`);
}
