/**
 * A device's uncaptured errors. WebGPU reports validation, out-of-memory and internal errors as
 * `uncapturederror` events on the device, never as exceptions, so without a listener a failed
 * allocation shows only as wrong numbers: 4 ranks' 256 MiB sources packed into one 1 GiB buffer on
 * SwiftShader failed with GPUOutOfMemoryError and every element came out wrong, silently
 * (BENCHMARKS.md, issue 14 "Scale"). Every readback (StagingRing.read, once its mapping is there,
 * so the errors of the work before it have been reported) throws the first error since the last
 * check as a DeviceError.
 */
import { DeviceError } from "../../core/errors.ts";

interface Reported {
  readonly type: string;
  readonly message: string;
}

export class DeviceErrors {
  private first: Reported | undefined;
  private count = 0;

  constructor(device: GPUDevice) {
    // Fakes and old runtimes may have no events: then nothing is reported, as before.
    const target = device as unknown as { addEventListener?: (type: string, fn: (e: Event) => void) => void };
    target.addEventListener?.("uncapturederror", (e) => this.report((e as GPUUncapturedErrorEvent).error));
  }

  /** Records one `uncapturederror`: counted, and kept when it is the first since the last check. */
  private report(error: GPUError | undefined): void {
    this.count++;
    this.first ??= { type: error?.constructor?.name ?? "GPUError", message: error?.message ?? String(error) };
  }

  /** Throws a DeviceError for the errors reported since the last check, and forgets them. */
  throwIfAny(where: string): void {
    const first = this.first;
    if (first === undefined) return;
    const n = this.count;
    this.first = undefined;
    this.count = 0;
    throw new DeviceError(
      `${where}: the GPU device reported ${n === 1 ? "an error" : `${n} errors`} since the last readback, the first ` +
        `${first.type}: ${first.message.trim()}; what the device computed since then is not valid`,
      first.type, n,
    );
  }
}
