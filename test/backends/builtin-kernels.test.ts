/** registerBuiltinKernels: every built-in kernel for one more backend name, and back. */
import { describe, expect, it } from "vitest";
import { findOp, registerBuiltinKernels, SYMM_MEM_KERNELS, WEBSHMEM_OPS } from "../../src/index.ts";

const names = [
  ...Object.keys(SYMM_MEM_KERNELS).map((n) => `symm_mem::${n}`),
  ...Object.keys(WEBSHMEM_OPS).map((n) => `webshmem::${n}`),
];

describe("registerBuiltinKernels", () => {
  it("registers the same kernel the in-tree backends use for every built-in op, and dispose takes them back", () => {
    const libs = registerBuiltinKernels("plugin-x");
    for (const name of names) {
      const impls = findOp(name)?.impls;
      expect(impls?.get("plugin-x"), name).toBeTypeOf("function");
      expect(impls?.get("plugin-x"), name).toBe(impls?.get("cpu"));
    }
    for (const lib of libs) lib.dispose();
    for (const name of names) expect(findOp(name)?.impls.has("plugin-x"), name).toBe(false);
    // the in-tree registrations are untouched
    for (const name of names) expect(findOp(name)?.impls.has("webgpu"), name).toBe(true);
  });

  it("refuses a backend that already has the kernels, and leaves nothing half-registered", () => {
    const libs = registerBuiltinKernels("plugin-y");
    expect(() => registerBuiltinKernels("plugin-y")).toThrow(/already has a "plugin-y" kernel/);
    for (const lib of libs) lib.dispose();
    expect(names.every((n) => !findOp(n)?.impls.has("plugin-y"))).toBe(true);
    const again = registerBuiltinKernels("plugin-y");
    for (const lib of again) lib.dispose();
  });
});
