/**
 * What vantage and its browser-flow worker say to each other over the IPC channel. Kept free of
 * imports from 'lighthouse' and 'puppeteer-core' so vantage itself never loads them.
 *
 * vantage resolves every `${env:...}` and `${file:...}` before the job leaves (the worker has no
 * config) and redacts what the worker writes afterwards; the worker never logs a typed text.
 * Big payloads (the flow report, screenshots) travel as files in the run's out dir.
 */
import type { ChromeJobBase } from '../lighthouse/workerRun.js';
import type { BrowserAction, WaitFor } from '../../config/browserSchema.js';

/** One step, resolved: URLs absolute, secrets filled in, timeouts in ms. */
export interface FlowStep {
  name: string;
  action: BrowserAction;
  navigate?: string;
  click?: string;
  type?: { selector: string; text: string };
  then?: { press?: string; click?: string };
  select?: { selector: string; value: string };
  assert?: { selector: string; text?: string; matches?: string };
  waitFor?: WaitFor;
  timeoutMs: number;
}

export interface FlowJob extends ChromeJobBase {
  type: 'flow';
  steps: FlowStep[];
  formFactor: 'mobile' | 'desktop';
  lighthouse: boolean;
  categories: string[];
  headers: Record<string, string>;
  /** The worker's own budget for the steps (ms): the flow timeout less a reserve for the failure evidence. */
  stepsBudgetMs: number;
}

/** Lighthouse's mode for a step, or none (lighthouse: false, or a screenshot step). */
export type StepMode = 'navigation' | 'timespan' | 'snapshot';

/** Why a step failed, in vantage's reasons (DESIGN.md), with a readable message. */
export interface StepFailure {
  reason: string;
  message: string;
}

export interface StepStarted {
  type: 'step_started';
  index: number;
}

export interface StepDone {
  type: 'step_done';
  index: number;
  /** The step's own duration: its action and wait, not Lighthouse's set-up and gathering (ms). */
  durationMs: number;
  failure?: StepFailure;
  /** The page's URL after the step. */
  url: string;
}

/** Lighthouse's figures for one step of the flow (seconds, unitless CLS, scores 0..1). */
export interface StepFigures {
  step: string;
  mode: StepMode;
  timings: Record<string, number>;
  cls?: number;
  scores: Record<string, number>;
}

export interface NetworkEntry {
  method: string;
  url: string;
  /** HTTP status, or 0 when the request failed (then `error` says why). */
  status: number;
  error?: string;
  resourceType: string;
}

/** The run's evidence: what the page did, for the saved record (and, on failure, the message). */
export interface PageEvidence {
  url: string;
  consoleErrors: string[];
  requests: NetworkEntry[];
  /** A screenshot of the page when a step failed (absolute path in the out dir). */
  failureScreenshot?: string;
  /** Screenshots the flow's `screenshot` steps took, by step. */
  screenshots: { step: string; path: string }[];
}

export interface FlowDone {
  type: 'flow_done';
  evidence: PageEvidence;
  /** Lighthouse's figures per step; empty with lighthouse: false or when the analysis failed. */
  figures: StepFigures[];
  /** Lighthouse's flow report (HTML) in the out dir, when there was a Lighthouse step. */
  reportPath?: string;
  /** Lighthouse's analysis time (ms), not part of the transaction time. */
  analysisMs?: number;
  /** Why the Lighthouse analysis produced no figures, when it did not (the steps stand). */
  analysisError?: string;
}

/** The worker could not run the flow at all (no connection to Chrome, a bug). */
export interface FlowError {
  type: 'flow_error';
  message: string;
}

export type FlowMessage = StepStarted | StepDone | FlowDone | FlowError;

export const isFinalFlowMessage = (m: FlowMessage): boolean =>
  m.type === 'flow_done' || m.type === 'flow_error';
