import { listBackends } from "../backends/backend.ts";
import { LaunchError } from "../core/errors.ts";
import type { BrokenGroup, RecoveryState } from "../dispatch/dispatcher.ts";
import { SymmetricHeap } from "../heap/symmetric-heap.ts";
import { markDead, raiseAbort } from "../heap/sync/wait.ts";
import { reportedCores, setSpinPolicy, spinPolicyFor } from "../heap/sync/spin-policy.ts";
import { acquireDevice, type AdapterSummary, cpuAdapterSummary } from "../rank/device.ts";
import { Rank } from "../rank/rank.ts";
import { detectRuntime } from "../core/runtime.ts";
import { registerHeapMemory } from "../core/wasm/direct-wasm.ts";
import { explainLoadFailure } from "./load-failure.ts";
import { CLOSING_MESSAGE, type RankApi, type RankInit, type RunOutcome } from "./protocol.ts";
import { delay } from "./timers.ts";

type RankFn = (rank: Rank, ...args: unknown[]) => unknown;

/**
 * The rank functions a worker serves: a module namespace or an object whose functions `World.run`
 * calls by name, each as `fn(rank, ...args)`. Other exports are ignored.
 */
export type RankFunctions = Readonly<Record<string, unknown>>;

interface Started {
  readonly init: RankInit;
  readonly symm: SymmetricHeap;
  readonly device: GPUDevice | null;
  readonly info: AdapterSummary;
}

/** The worker side of a rank: builds the Rank, runs the user's functions, reports failures. */
export class RankService implements RankApi {
  private rank: Rank | undefined;
  private module: RankFunctions | undefined;
  private started: Started | undefined;

  /** `functions`: the rank functions the worker was built with; else `load` imports the launch's rankModule. */
  constructor(private readonly functions?: RankFunctions) {}

  async init(init: RankInit): Promise<AdapterSummary> {
    const runtime = detectRuntime();
    const symm = new SymmetricHeap({
      rank: init.rank, worldSize: init.worldSize, slabs: init.memories?.map(registerHeapMemory) ?? init.slabs, heapBytes: init.heapBytes, control: init.control,
      layout: init.layout, timeoutMs: init.timeoutMs,
    });
    watchSelfClose(new Int32Array(init.control), init.rank, init.layout.pads);
    setSpinPolicy(spinPolicyFor(init.worldSize, init.backend, reportedCores()));
    let device: GPUDevice | null = null;
    let info = cpuAdapterSummary();
    if (init.backend === "webgpu") ({ device, info } = await acquireDevice(runtime, init.rank));
    this.started = { init, symm, device, info };
    return info;
  }

  async load(): Promise<void> {
    const s = this.started;
    if (s === undefined) throw new LaunchError("load: the rank service was not initialised (init first)");
    const { init } = s;
    // The rank module first: a plugin backend registers itself when its module loads.
    const module = this.functions ?? await this.importRankModule(init);
    if (!listBackends().includes(init.backend)) {
      throw new LaunchError(
        `rank ${init.rank}: backend "${init.backend}" is not registered in the rank worker (registered: ` +
          `${listBackends().join(", ")}): register it when the ${this.functions ? "rank worker" : `rank module ${init.rankModule}`} loads`,
      );
    }
    if (this.started !== s) return; // shut down while the module loaded
    this.module = module;
    this.rank = new Rank(init.rank, init.worldSize, detectRuntime(), init.backend, s.device, s.info, s.symm);
  }

  private async importRankModule(init: RankInit): Promise<RankFunctions> {
    if (init.rankModule === undefined) {
      throw new LaunchError(`rank ${init.rank}: this worker has no rank functions and the launch named no rankModule`);
    }
    try {
      return (await import(/* @vite-ignore */ init.rankModule)) as RankFunctions;
    } catch (err) {
      throw new LaunchError(`rank ${init.rank}: ${await explainLoadFailure("rank module", init.rankModule, err)}`, { cause: err });
    }
  }

  private ready(what: string): { rank: Rank; init: RankInit; module: RankFunctions } {
    const { rank, module } = this;
    const init = this.started?.init;
    if (rank === undefined || init === undefined || module === undefined) {
      throw new Error(`${what}: the rank is not initialised`);
    }
    return { rank, init, module };
  }

  async run(fnName: string, args: unknown[]): Promise<RunOutcome> {
    const { rank, init, module } = this.ready(`run("${fnName}")`);
    const fn = module[fnName];
    try {
      if (typeof fn !== "function") {
        const names = Object.keys(module).filter((k) => typeof module[k] === "function");
        throw new TypeError(
          `${this.functions ? "the rank worker's serveRanks" : `rankModule ${init.rankModule} exports`} no function "${fnName}"; it ${this.functions ? "serves" : "exports"}: ${names.join(", ") || "none"}`,
        );
      }
      const value = await (fn as RankFn)(rank, ...args);
      return { value, hadFailures: rank.hadFailures };
    } catch (err) {
      // Peers blocked on us must fail now, not at their timeout.
      raiseAbort(new Int32Array(init.control), init.rank, init.layout.pads);
      throw err;
    }
  }

  recover(): Promise<RecoveryState> {
    return Promise.resolve(this.ready("recover").rank.recover());
  }

  markBroken(groups: readonly BrokenGroup[]): Promise<void> {
    this.ready("markBroken").rank.markBroken(groups);
    return Promise.resolve();
  }

  async shutdown(): Promise<void> {
    const device = this.started?.device ?? null;
    this.rank?.close();
    this.rank = undefined;
    this.module = undefined;
    this.started = undefined;
    if (device) {
      await device.queue.onSubmittedWorkDone();
      device.destroy();
      // Let the implementation finish tearing the device down before the worker is ended:
      // Deno has crashed at exit when workers were terminated with devices still going away.
      const d = delay(1000);
      await Promise.race([device.lost, d.promise]);
      d.cancel();
    }
  }
}

/**
 * In a Web Worker (Deno, Chromium): a rank that closes itself (`self.close()`) first records its
 * death in the control words, so peers waiting on it fail at once with PeerLostError, and tells
 * the main thread, which those runtimes otherwise leave waiting forever.
 */
function watchSelfClose(control: Int32Array, rank: number, pads: number): void {
  const g = globalThis as unknown as { close?: () => void; postMessage?: (m: unknown) => void; WorkerGlobalScope?: unknown };
  const scope = g.WorkerGlobalScope;
  if (typeof scope !== "function" || !(globalThis instanceof (scope as { new (): unknown })) || typeof g.close !== "function") return;
  const close = g.close;
  if ((close as { webshmemWatched?: boolean }).webshmemWatched) return;
  const watched = Object.assign(function (this: unknown) {
    markDead(control, rank, undefined, pads);
    g.postMessage?.({ type: CLOSING_MESSAGE });
    return close.call(globalThis);
  }, { webshmemWatched: true });
  g.close = watched;
}
