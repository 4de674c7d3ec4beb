/**
 * A 3-D orbit camera for the particles canvas, built with wgpu-matrix (WebGPU clip space, z in 0…1):
 * drag to orbit about the origin, wheel to zoom. `viewProjection(aspect)` is what the renderers draw with.
 */
import { mat4, type Mat4 } from "wgpu-matrix";

export class OrbitCamera {
  /** Rotation about the vertical (z) axis, radians. */
  yaw = 0.6;
  /** Elevation above the disk's plane, radians (kept inside ±85°). */
  pitch = 0.75;
  /** Distance from the target. */
  distance = 4.2;
  readonly minDistance = 0.5;
  readonly maxDistance = 40;
  fov = (50 * Math.PI) / 180;

  /** The eye position, z up. */
  eye(): [number, number, number] {
    const c = Math.cos(this.pitch);
    return [this.distance * c * Math.cos(this.yaw), this.distance * c * Math.sin(this.yaw), this.distance * Math.sin(this.pitch)];
  }

  viewProjection(aspect: number): Mat4 {
    const proj = mat4.perspective(this.fov, aspect, 0.05, 200);
    const view = mat4.lookAt(this.eye(), [0, 0, 0], [0, 0, 1]);
    return mat4.multiply(proj, view);
  }

  /** Orbits by a drag of (dx, dy) CSS pixels. */
  orbit(dx: number, dy: number): void {
    this.yaw -= dx * 0.008;
    const lim = (85 * Math.PI) / 180;
    this.pitch = Math.min(lim, Math.max(-lim, this.pitch + dy * 0.008));
  }

  /** Zooms by a wheel delta (positive: away). */
  zoom(deltaY: number): void {
    this.distance = Math.min(this.maxDistance, Math.max(this.minDistance, this.distance * Math.exp(deltaY * 0.001)));
  }

  /** Drag and wheel on `el` move the camera; `changed` is called after each move. Returns the detach. */
  attach(el: HTMLElement, changed: () => void): () => void {
    let last: { x: number; y: number; id: number } | undefined;
    const down = (e: PointerEvent) => {
      last = { x: e.clientX, y: e.clientY, id: e.pointerId };
      el.setPointerCapture(e.pointerId);
    };
    const move = (e: PointerEvent) => {
      if (last === undefined || e.pointerId !== last.id) return;
      this.orbit(e.clientX - last.x, e.clientY - last.y);
      last = { x: e.clientX, y: e.clientY, id: e.pointerId };
      changed();
    };
    const up = (e: PointerEvent) => {
      if (last?.id === e.pointerId) last = undefined;
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      this.zoom(e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY);
      changed();
    };
    el.addEventListener("pointerdown", down);
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
    el.addEventListener("pointercancel", up);
    el.addEventListener("wheel", wheel, { passive: false });
    return () => {
      el.removeEventListener("pointerdown", down);
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      el.removeEventListener("pointercancel", up);
      el.removeEventListener("wheel", wheel);
    };
  }
}
