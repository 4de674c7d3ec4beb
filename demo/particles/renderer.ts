/**
 * Draws the gathered bodies on the page's canvas: with WebGPU (the page's own GPUDevice from
 * `navigator.gpu`, instanced point sprites, additive blending), or, on a page without WebGPU (or
 * with `?particles-renderer=2d` in its address), with a 2-D canvas fallback that projects with the
 * same camera matrix. Bodies are coloured by the
 * rank that owns them (slice i·N/W … (i+1)·N/W - 1 is rank i's); the heavy centre is drawn larger.
 */
import type { Mat4 } from "wgpu-matrix";

/** Background of the canvas (the e2e test checks that frames are not all this colour). */
export const BACKGROUND = { r: 8, g: 11, b: 22 };
const MAX_RANKS = 16;

/** The colour of rank `r`'s bodies, as 0–1 RGB (also shown in the panel's legend). */
export function rankColor(r: number): [number, number, number] {
  const h = ((r * 137.508 + 200) % 360) / 360;
  // HSL(h, 0.85, 0.62) to RGB
  const s = 0.85, l = 0.62;
  const q = l + s - l * s, p = 2 * l - q;
  const f = (t: number) => {
    t = (t + 1) % 1;
    if (t < 1 / 6) return p + (q - p) * 6 * t;
    if (t < 1 / 2) return q;
    if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
    return p;
  };
  return [f(h + 1 / 3), f(h), f(h - 1 / 3)];
}

export interface Frame {
  /** N bodies as (x, y, z, m). */
  positions: Float32Array;
  /** Bodies per rank (the slice size). */
  perRank: number;
  viewProjection: (aspect: number) => Mat4;
}

export interface ParticleRenderer {
  readonly kind: "webgpu" | "2d";
  /** What the panel says about how it draws. */
  readonly description: string;
  /** How WebGPU frames reach the canvas (webgpu only). */
  readonly mode?: PresentMode;
  draw(frame: Frame): void;
  dispose(): void;
}

/** Resizes the canvas's drawing buffer to its CSS size × devicePixelRatio; returns [width, height]. */
function fitCanvas(canvas: HTMLCanvasElement): [number, number] {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return [w, h];
}

/**
 * The WebGPU renderer when the page has an adapter, else the 2-D fallback; `why` says why it fell
 * back (shown on the page).
 */
export async function createRenderer(canvas: HTMLCanvasElement): Promise<ParticleRenderer> {
  let why: string;
  if (new URLSearchParams(location.search).get("particles-renderer") === "2d") {
    why = "asked for with ?particles-renderer=2d in the address";
  } else if (!("gpu" in navigator) || navigator.gpu === undefined) {
    why = "this browser has no WebGPU (navigator.gpu is missing)";
  } else {
    try {
      const adapter = await navigator.gpu.requestAdapter();
      if (adapter === null) why = "navigator.gpu.requestAdapter() found no adapter";
      else return await WebGpuRenderer.create(canvas, adapter);
    } catch (e) {
      why = `WebGPU failed to start (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return new Canvas2dRenderer(canvas, why);
}

const RENDER_WGSL = /* wgsl */ `
struct U {
  viewProj: mat4x4f,
  viewport: vec2f,
  pointPx: f32,
  perRank: u32,
  palette: array<vec4f, ${MAX_RANKS}>,
}
@group(0) @binding(0) var<uniform> u: U;

struct VOut {
  @builtin(position) pos: vec4f,
  @location(0) uv: vec2f,
  @location(1) color: vec3f,
}

@vertex
fn vs(@builtin(vertex_index) v: u32, @builtin(instance_index) inst: u32, @location(0) body: vec4f) -> VOut {
  var corners = array<vec2f, 6>(vec2f(-1.0, -1.0), vec2f(1.0, -1.0), vec2f(-1.0, 1.0),
                                vec2f(-1.0, 1.0), vec2f(1.0, -1.0), vec2f(1.0, 1.0));
  let c = corners[v];
  let heavy = body.w > 0.1;
  let px = select(u.pointPx, u.pointPx * 3.0, heavy);
  var clip = u.viewProj * vec4f(body.xyz, 1.0);
  clip = vec4f(clip.xy + c * (2.0 * px / u.viewport) * clip.w, clip.zw);
  if (clip.w <= 0.0) { clip = vec4f(2.0, 2.0, 2.0, 1.0); } // behind the eye
  let rank = min(inst / max(u.perRank, 1u), ${MAX_RANKS - 1}u);
  var out: VOut;
  out.pos = clip;
  out.uv = c;
  out.color = select(u.palette[rank].rgb, vec3f(1.0, 0.95, 0.8), heavy);
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  let r2 = dot(in.uv, in.uv);
  if (r2 > 1.0) { discard; }
  let a = 1.0 - r2;
  return vec4f(in.color * a, a);
}
`;

/**
 * How a WebGPU frame reaches the canvas: "present" through the canvas's own WebGPU context, or
 * "readback": rendered into a texture, copied into a buffer and put on a 2-D canvas. Software
 * adapters (SwiftShader, `isFallbackAdapter`) get "readback": in headless Chromium their first
 * `getCurrentTexture()` takes down every WebGPU device of the browser, the ranks' too.
 * `?particles-present=canvas` or `=readback` in the page's address overrides the choice.
 */
export type PresentMode = "present" | "readback";

function presentModeFor(adapter: GPUAdapter): { mode: PresentMode; why: string } {
  const asked = new URLSearchParams(location.search).get("particles-present");
  if (asked === "canvas") return { mode: "present", why: "presented through the canvas's WebGPU context (?particles-present=canvas)" };
  if (asked === "readback") return { mode: "readback", why: "read back into a 2-D canvas (?particles-present=readback)" };
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const soft = info.isFallbackAdapter === true || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true
    || /swiftshader/i.test(`${info.architecture} ${info.description} ${info.vendor}`);
  return soft
    ? { mode: "readback", why: "each frame read back into a 2-D canvas: this is a software adapter, whose WebGPU canvas presentation loses the device in headless Chromium" }
    : { mode: "present", why: "presented through the canvas's WebGPU context" };
}

class WebGpuRenderer implements ParticleRenderer {
  readonly kind = "webgpu" as const;
  readonly description: string;
  readonly mode: PresentMode;
  private bodies: GPUBuffer | undefined;
  private capacity = 0;
  private readonly uniforms: GPUBuffer;
  private readonly bind: GPUBindGroup;
  private readonly uniformData = new ArrayBuffer(80 + 16 * MAX_RANKS);
  private readonly pipeline: GPURenderPipeline;
  private readonly format: GPUTextureFormat;
  private readonly context: GPUCanvasContext | undefined;
  private readonly ctx2d: CanvasRenderingContext2D | undefined;
  private target: GPUTexture | undefined;
  private readback: GPUBuffer | undefined;
  private busy = false;
  private pending: Frame | undefined;
  private disposed = false;

  static async create(canvas: HTMLCanvasElement, adapter: GPUAdapter): Promise<WebGpuRenderer> {
    const device = await adapter.requestDevice();
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(" ") || "an adapter";
    return new WebGpuRenderer(canvas, device, presentModeFor(adapter), name);
  }

  private constructor(private readonly canvas: HTMLCanvasElement, private readonly device: GPUDevice,
    present: { mode: PresentMode; why: string }, adapterName: string) {
    this.mode = present.mode;
    this.description = `drawn with WebGPU on the page's own device (${adapterName}), ${present.why}`;
    if (this.mode === "present") {
      const context = canvas.getContext("webgpu");
      if (context === null) throw new Error('canvas.getContext("webgpu") returned null');
      this.context = context;
      this.format = navigator.gpu.getPreferredCanvasFormat();
      context.configure({ device, format: this.format, alphaMode: "opaque" });
    } else {
      const ctx = canvas.getContext("2d");
      if (ctx === null) throw new Error('canvas.getContext("2d") returned null');
      this.ctx2d = ctx;
      this.format = "rgba8unorm";
    }
    const module = device.createShaderModule({ code: RENDER_WGSL, label: "particles render" });
    const add: GPUBlendComponent = { srcFactor: "one", dstFactor: "one", operation: "add" };
    this.pipeline = device.createRenderPipeline({
      layout: "auto",
      vertex: {
        module, entryPoint: "vs",
        buffers: [{ arrayStride: 16, stepMode: "instance", attributes: [{ shaderLocation: 0, offset: 0, format: "float32x4" }] }],
      },
      fragment: { module, entryPoint: "fs", targets: [{ format: this.format, blend: { color: add, alpha: add } }] },
      primitive: { topology: "triangle-list" },
    });
    this.uniforms = device.createBuffer({ size: this.uniformData.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.bind = device.createBindGroup({ layout: this.pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: this.uniforms } }] });
    const pal = new Float32Array(this.uniformData, 80, 4 * MAX_RANKS);
    for (let r = 0; r < MAX_RANKS; r++) pal.set([...rankColor(r), 1], 4 * r);
  }

  draw(frame: Frame): void {
    if (this.disposed) return;
    if (this.busy) {
      this.pending = frame; // drawn when the frame being read back is on the canvas
      return;
    }
    const [w, h] = fitCanvas(this.canvas);
    const view = this.mode === "present" ? this.context!.getCurrentTexture().createView() : this.targetView(w, h);
    const enc = this.encode(frame, view, w, h);
    if (this.mode === "present") {
      this.device.queue.submit([enc.finish()]);
      return;
    }
    const stride = Math.ceil((4 * w) / 256) * 256;
    enc.copyTextureToBuffer({ texture: this.target! }, { buffer: this.readback!, bytesPerRow: stride }, [w, h]);
    this.device.queue.submit([enc.finish()]);
    this.busy = true;
    const buffer = this.readback!;
    buffer.mapAsync(GPUMapMode.READ).then(() => {
      if (this.disposed) return;
      const src = new Uint8Array(buffer.getMappedRange());
      const img = new ImageData(w, h);
      for (let y = 0; y < h; y++) img.data.set(src.subarray(y * stride, y * stride + 4 * w), 4 * w * y);
      buffer.unmap();
      if (this.canvas.width === w && this.canvas.height === h) this.ctx2d!.putImageData(img, 0, 0);
    }).catch((e: unknown) => console.error("particles: reading a frame back failed", e)).finally(() => {
      this.busy = false;
      const next = this.pending;
      this.pending = undefined;
      if (next) this.draw(next);
    });
  }

  /** The offscreen target (and its readback buffer) at w × h. */
  private targetView(w: number, h: number): GPUTextureView {
    if (this.target === undefined || this.target.width !== w || this.target.height !== h) {
      this.target?.destroy();
      this.readback?.destroy();
      this.target = this.device.createTexture({ size: [w, h], format: this.format, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
      this.readback = this.device.createBuffer({ size: Math.ceil((4 * w) / 256) * 256 * h, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    }
    return this.target.createView();
  }

  private encode(frame: Frame, view: GPUTextureView, w: number, h: number): GPUCommandEncoder {
    const n = frame.positions.length / 4;
    if (this.bodies === undefined || this.capacity < n) {
      this.bodies?.destroy();
      this.capacity = Math.max(n, 1);
      this.bodies = this.device.createBuffer({ size: 16 * this.capacity, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    }
    this.device.queue.writeBuffer(this.bodies, 0, frame.positions as Float32Array<ArrayBuffer>);
    new Float32Array(this.uniformData, 0, 16).set(frame.viewProjection(w / h));
    new Float32Array(this.uniformData, 64, 3).set([w, h, 2.2 * Math.min(2, window.devicePixelRatio || 1)]);
    new Uint32Array(this.uniformData, 76, 1)[0] = frame.perRank;
    this.device.queue.writeBuffer(this.uniforms, 0, this.uniformData);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginRenderPass({
      colorAttachments: [{
        view,
        clearValue: { r: BACKGROUND.r / 255, g: BACKGROUND.g / 255, b: BACKGROUND.b / 255, a: 1 },
        loadOp: "clear", storeOp: "store",
      }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bind);
    pass.setVertexBuffer(0, this.bodies);
    pass.draw(6, n);
    pass.end();
    return enc;
  }

  dispose(): void {
    this.disposed = true;
    this.bodies?.destroy();
    this.uniforms.destroy();
    this.target?.destroy();
    this.readback?.destroy();
    this.device.destroy();
  }
}

class Canvas2dRenderer implements ParticleRenderer {
  readonly kind = "2d" as const;
  readonly description: string;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly colors: string[];

  constructor(private readonly canvas: HTMLCanvasElement, why: string) {
    this.description = `drawn with a 2-D canvas instead of WebGPU: ${why}`;
    const ctx = canvas.getContext("2d");
    if (ctx === null) throw new Error('canvas.getContext("2d") returned null');
    this.ctx = ctx;
    this.colors = Array.from({ length: MAX_RANKS }, (_, r) => {
      const [cr, cg, cb] = rankColor(r).map((x) => Math.round(255 * x));
      return `rgb(${cr},${cg},${cb})`;
    });
  }

  draw(frame: Frame): void {
    const [w, h] = fitCanvas(this.canvas);
    const ctx = this.ctx;
    ctx.globalCompositeOperation = "source-over";
    ctx.fillStyle = `rgb(${BACKGROUND.r},${BACKGROUND.g},${BACKGROUND.b})`;
    ctx.fillRect(0, 0, w, h);
    ctx.globalCompositeOperation = "lighter";
    const m = frame.viewProjection(w / h);
    const p = frame.positions;
    const size = 2 * Math.min(2, window.devicePixelRatio || 1);
    for (let i = 0; i < p.length / 4; i++) {
      const x = p[4 * i], y = p[4 * i + 1], z = p[4 * i + 2];
      // column-major: clip = M · (x, y, z, 1)
      const cw = m[3] * x + m[7] * y + m[11] * z + m[15];
      if (cw <= 0) continue;
      const cx = (m[0] * x + m[4] * y + m[8] * z + m[12]) / cw;
      const cy = (m[1] * x + m[5] * y + m[9] * z + m[13]) / cw;
      const heavy = p[4 * i + 3] > 0.1;
      const s = heavy ? 3 * size : size;
      ctx.fillStyle = heavy ? "rgb(255,242,204)" : this.colors[Math.min(MAX_RANKS - 1, Math.floor(i / Math.max(1, frame.perRank)))];
      ctx.fillRect((cx + 1) * 0.5 * w - s / 2, (1 - cy) * 0.5 * h - s / 2, s, s);
    }
  }

  dispose(): void {}
}
