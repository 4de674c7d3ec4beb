/**
 * One runner per device compiles programs through the pipeline cache (compile errors become
 * OpErrors), binds their buffers, writes their uniforms and dispatches them, folding dispatches
 * larger than maxComputeWorkgroupsPerDimension into 2-D. Encoding is synchronous (after
 * `prepare`), so callers batch several calls into one pass and one submit.
 */
import { OpError } from "../../core/errors.ts";
import { cachedPerDevice, compileComputePipeline, getComputePipeline, type PipelineSource } from "./pipeline-cache.ts";
import type { GpuProgram, ProgramCall } from "./program.ts";
import { foldDispatch, type FoldedDispatch } from "./wgsl/dispatch-fold.ts";

export interface EncodeOptions {
  /** The pass's label (shows in validation errors). */
  readonly label?: string;
  /** Tests only: a smaller maxComputeWorkgroupsPerDimension, to exercise 2-D folding. */
  readonly maxGroupsPerDim?: number;
}

/** What `encode` recorded. Call release() once the encoder's command buffer is submitted. */
export interface EncodedCalls {
  readonly dispatches: number;
  /** The folds, in call order (for tests and diagnostics). */
  readonly folds: readonly FoldedDispatch[];
  /** Destroys the per-encode uniform buffer (safe right after queue.submit). */
  release(): void;
}

function adapterDescription(device: GPUDevice): string {
  const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return info?.description || [info?.vendor, info?.architecture].filter(Boolean).join(" ");
}

function layoutKey(p: GpuProgram): string {
  return `layout:${p.storage.join(",")}|u${p.paramsWords}`;
}

export class ProgramRunner {
  constructor(private readonly device: GPUDevice) {}

  /** Throws the OpError that explains a device feature the program needs and the device lacks. */
  requireFeatures(program: GpuProgram): void {
    for (const [f, why] of Object.entries(program.features ?? {})) {
      if (!this.device.features.has(f)) {
        const desc = adapterDescription(this.device);
        throw new OpError(`${why} needs the WebGPU feature "${f}", which this device` +
          `${desc ? ` (${desc})` : ""} does not have`);
      }
    }
  }

  /** Compiles (once per device) every program; rejects with the WGSL compiler's messages. */
  async prepare(programs: readonly GpuProgram[]): Promise<void> {
    for (const p of programs) this.requireFeatures(p);
    await Promise.all(programs.map((p) => compileComputePipeline(this.device, p.key, () => this.source(p))));
  }

  /** Encodes `calls` into one compute pass of `encoder`, with one uniform buffer for all of them. */
  encode(encoder: GPUCommandEncoder, calls: readonly ProgramCall[], opts: EncodeOptions = {}): EncodedCalls {
    const { device } = this;
    const live = calls.filter((c) => c.invocations > 0);
    if (live.length === 0) return { dispatches: 0, folds: [], release() {} };
    const maxPerDim = opts.maxGroupsPerDim ?? device.limits.maxComputeWorkgroupsPerDimension;
    const folds = live.map((c) => foldDispatch(c.invocations, c.program.workgroupSize, maxPerDim));
    const slot = device.limits.minUniformBufferOffsetAlignment;
    const words = Math.max(...live.map((c) => c.program.paramsWords));
    const blockBytes = Math.ceil((words * 4) / 16) * 16;
    const params = device.createBuffer({
      label: `${opts.label ?? "webshmem"} params`,
      size: slot * (live.length - 1) + blockBytes,
      usage: GPUBufferUsage.UNIFORM,
      mappedAtCreation: true,
    });
    const mapped = new Uint32Array(params.getMappedRange());
    live.forEach((c, k) => {
      const w = c.params(folds[k]);
      if (w.length !== c.program.paramsWords) {
        throw new OpError(`WGSL kernel ${c.program.key}: expected ${c.program.paramsWords} parameter words, found ${w.length}`);
      }
      mapped.set(w, (k * slot) / 4);
    });
    params.unmap();

    const pass = encoder.beginComputePass({ label: opts.label });
    live.forEach((c, k) => {
      const p = c.program;
      this.requireFeatures(p);
      if (c.bindings.length !== p.storage.length) {
        throw new OpError(`WGSL kernel ${p.key}: expected ${p.storage.length} storage bindings, found ${c.bindings.length}`);
      }
      const bindGroup = device.createBindGroup({
        label: p.key,
        layout: this.layout(p).bgl,
        entries: [
          ...c.bindings.map((resource, binding) => ({ binding, resource })),
          { binding: p.storage.length, resource: { buffer: params, offset: 0, size: blockBytes } },
        ],
      });
      pass.setPipeline(getComputePipeline(device, p.key, () => this.source(p)));
      pass.setBindGroup(0, bindGroup, [k * slot]);
      pass.dispatchWorkgroups(folds[k].x, folds[k].y);
    });
    pass.end();
    return { dispatches: live.length, folds, release: () => params.destroy() };
  }

  private source(p: GpuProgram): PipelineSource {
    return { code: p.source(), layout: this.layout(p).layout, entryPoint: p.entryPoint };
  }

  private layout(p: GpuProgram): { bgl: GPUBindGroupLayout; layout: GPUPipelineLayout } {
    return cachedPerDevice(this.device, layoutKey(p), () => {
      const entries: GPUBindGroupLayoutEntry[] = p.storage.map((access, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: access === "read" ? "read-only-storage" : "storage" },
      }));
      entries.push({
        binding: p.storage.length,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: "uniform", hasDynamicOffset: true },
      });
      const bgl = this.device.createBindGroupLayout({ label: layoutKey(p), entries });
      return { bgl, layout: this.device.createPipelineLayout({ label: layoutKey(p), bindGroupLayouts: [bgl] }) };
    });
  }
}
