import { listBackends } from "../backends/backend.ts";
import { LaunchError } from "../core/errors.ts";
import { SymmetricHeap } from "../heap/symmetric-heap.ts";
import { raiseAbort } from "../heap/sync/wait.ts";
import { acquireDevice, cpuAdapterSummary } from "../rank/device.ts";
import { Rank } from "../rank/rank.ts";
import { detectRuntime } from "../core/runtime.ts";
import { explainLoadFailure } from "./load-failure.ts";
import type { RankApi, RankInit } from "./protocol.ts";

type RankFn = (rank: Rank, ...args: unknown[]) => unknown;

/**
 * The rank functions a worker serves: a module namespace or an object whose functions `World.run`
 * calls by name, each as `fn(rank, ...args)`. Other exports are ignored.
 */
export type RankFunctions = Readonly<Record<string, unknown>>;

/** The worker side of a rank: builds the Rank, runs the user's functions, reports failures. */
export class RankService implements RankApi {
  private rank: Rank | undefined;
  private module: RankFunctions | undefined;
  private init_: RankInit | undefined;

  /** `functions`: the rank functions the worker was built with; else `init` imports the launch's rankModule. */
  constructor(private readonly functions?: RankFunctions) {}

  async init(init: RankInit): Promise<import("../rank/device.ts").AdapterSummary> {
    this.init_ = init;
    const runtime = detectRuntime();
    const symm = new SymmetricHeap({
      rank: init.rank, worldSize: init.worldSize, slabs: init.slabs, control: init.control,
      layout: init.layout, timeoutMs: init.timeoutMs,
    });
    let device: GPUDevice | null = null;
    let info = cpuAdapterSummary();
    if (init.backend === "webgpu") ({ device, info } = await acquireDevice(runtime, init.rank));
    // The rank module first: a plugin backend registers itself when its module loads.
    this.module = this.functions ?? await this.importRankModule(init);
    if (!listBackends().includes(init.backend)) {
      throw new LaunchError(
        `rank ${init.rank}: backend "${init.backend}" is not registered in the rank worker (registered: ` +
          `${listBackends().join(", ")}): register it when the ${this.functions ? "rank worker" : `rank module ${init.rankModule}`} loads`,
      );
    }
    this.rank = new Rank(init.rank, init.worldSize, runtime, init.backend, device, info, symm);
    return info;
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

  async run(fnName: string, args: unknown[]): Promise<unknown> {
    const rank = this.rank;
    const init = this.init_;
    if (rank === undefined || init === undefined || this.module === undefined) {
      throw new Error("rank is not initialised");
    }
    const fn = this.module[fnName];
    try {
      if (typeof fn !== "function") {
        const names = Object.keys(this.module).filter((k) => typeof this.module?.[k] === "function");
        throw new TypeError(
          `${this.functions ? "the rank worker's serveRanks" : `rankModule ${init.rankModule} exports`} no function "${fnName}"; it ${this.functions ? "serves" : "exports"}: ${names.join(", ") || "none"}`,
        );
      }
      return await (fn as RankFn)(rank, ...args);
    } catch (err) {
      // Peers blocked on us must fail now, not at their timeout.
      raiseAbort(new Int32Array(init.control), init.rank, init.layout.pads);
      throw err;
    }
  }

  async shutdown(): Promise<void> {
    const device = this.rank?.device;
    this.rank?.close();
    if (device) {
      await device.queue.onSubmittedWorkDone();
      device.destroy();
      // Let the implementation finish tearing the device down before the worker is ended:
      // Deno has crashed at exit when workers were terminated with devices still going away.
      await Promise.race([device.lost, new Promise((res) => setTimeout(res, 1000))]);
    }
    this.rank = undefined;
    this.module = undefined;
  }
}
