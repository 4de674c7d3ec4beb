/**
 * The --breakdown timing hook: a per-realm recorder of named steps. Off (the default) it costs one
 * boolean test per wrapped call; nothing is wrapped at all unless --breakdown installs the hooks
 * (hooks.ts). Time is attributed exclusively: at every step boundary the time since the previous
 * boundary goes to the most recently entered step still running, so nested steps are not counted
 * twice. An opaque step keeps the steps inside it (e.g. the readback inside a realization
 * readback) from being attributed separately.
 *
 * With --trace it also keeps every step it enters as a span on the shared clock (trace.ts), so
 * the ranks' steps can be laid side by side; the sums are the same either way.
 */
import { type TraceSpan, wallMs } from "./trace.ts";

export const STEPS = ["readback", "barrier", "upload", "kernel", "copy_out", "drain", "other"] as const;
export type Step = (typeof STEPS)[number];

interface Open {
  readonly step: Step;
  readonly start: number;
}

export class Recorder {
  private on = false;
  private readonly open: Open[] = [];
  private opaque = 0;
  private last = 0;
  private totals = new Map<Step, number>();
  private atBegin = 0;
  private tracing = false;
  private iter = 0;
  private spans: TraceSpan[] = [];

  private sum(): number {
    return [...this.totals.values()].reduce((s, v) => s + v, 0);
  }

  /** Keeps spans from now on (--trace), until takeSpans. */
  startTrace(): void {
    this.tracing = true;
    this.spans = [];
  }

  /** The spans kept since startTrace, and stops keeping them. */
  takeSpans(): TraceSpan[] {
    const s = this.spans;
    this.tracing = false;
    this.spans = [];
    return s;
  }

  /** Keeps a span the caller timed itself (the iteration, the benchmark's barrier), when tracing. */
  note(name: string, start: number, end: number): void {
    if (this.tracing) this.spans.push({ name, iter: this.iter, start, end });
  }

  /** Starts attributing (the timed window of one iteration; `iter` labels its spans). */
  begin(iter = 0): void {
    this.iter = iter;
    this.on = true;
    this.atBegin = this.sum();
    this.last = performance.now();
  }

  /** Stops attributing; the window's time outside every step is "other". */
  end(totalMs: number): void {
    this.tick();
    this.on = false;
    this.add("other", Math.max(0, totalMs - (this.sum() - this.atBegin)));
  }

  /** Per-step sums since the last reset, in ms. */
  read(): Record<Step, number> {
    return Object.fromEntries(STEPS.map((s) => [s, this.totals.get(s) ?? 0])) as Record<Step, number>;
  }

  reset(): void {
    this.totals = new Map();
  }

  private add(step: Step, ms: number): void {
    this.totals.set(step, (this.totals.get(step) ?? 0) + ms);
  }

  private tick(): void {
    const now = performance.now();
    const top = this.open[this.open.length - 1];
    if (top !== undefined) this.add(top.step, now - this.last);
    this.last = now;
  }

  private enter(step: Step, opaque: boolean): Open | undefined {
    if (!this.on || this.opaque > 0) return undefined;
    this.tick();
    const o = { step, start: this.tracing ? wallMs() : 0 };
    this.open.push(o);
    if (opaque) this.opaque++;
    return o;
  }

  private exit(o: Open | undefined, opaque: boolean): void {
    if (o === undefined) return;
    if (this.on) this.tick();
    if (this.tracing) this.spans.push({ name: o.step, iter: this.iter, start: o.start, end: wallMs() });
    const i = this.open.lastIndexOf(o);
    if (i >= 0) this.open.splice(i, 1);
    if (opaque) this.opaque--;
  }

  /** Runs `fn` as `step`. */
  async span<T>(step: Step, opaque: boolean, fn: () => Promise<T>): Promise<T> {
    const o = this.enter(step, opaque);
    if (o === undefined) return fn();
    try {
      return await fn();
    } finally {
      this.exit(o, opaque);
    }
  }

  spanSync<T>(step: Step, opaque: boolean, fn: () => T): T {
    const o = this.enter(step, opaque);
    if (o === undefined) return fn();
    try {
      return fn();
    } finally {
      this.exit(o, opaque);
    }
  }
}

/** This realm's recorder (each rank worker has its own). */
export const recorder = new Recorder();
