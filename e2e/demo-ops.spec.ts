import { expect, type Page, test } from "@playwright/test";
import { openDemo, relaunchDemo } from "./demo-page.ts";

/** Runs what the op runner's form says and returns the status text once it has settled. */
async function runOp(page: Page): Promise<string> {
  const status = page.locator("#op-status");
  const before = Number((await status.getAttribute("data-runs")) ?? "0");
  await expect(page.locator("#op-run")).toBeEnabled();
  await page.locator("#op-run").click();
  // data-runs counts the runs that have finished (verified, failed or refused by the form).
  await expect(status).toHaveAttribute("data-runs", String(before + 1), { timeout: 60_000 });
  return (await status.textContent()) ?? "";
}

/** Every rank row says verified, and the rows are the world's ranks. */
async function expectAllVerified(page: Page, what: string, ranks = 4): Promise<void> {
  const rows = page.locator("#op-results tbody tr");
  await expect(rows, what).toHaveCount(ranks);
  for (let r = 0; r < ranks; r++) {
    await expect(rows.nth(r), `${what}, rank ${r}`).toHaveAttribute("data-verified", "true");
    await expect(rows.nth(r).locator("td").nth(4), `${what}, rank ${r}`).toHaveText(/^verified \(/);
  }
}

test("the op runner runs every op on 4 ranks and the page verifies each rank's result", async ({ page }) => {
  await openDemo(page);
  const panel = page.locator("#op-panel");
  await expect(page.locator("#op-status")).toHaveText("ready: 4 ranks on webgpu");

  const options = await page.locator("#op-select option").evaluateAll((os) =>
    (os as HTMLOptionElement[]).map((o) => ({ value: o.value, disabled: o.disabled, text: o.textContent ?? "" })));
  const runnable = options.filter((o) => !o.disabled).map((o) => o.value);
  // Every op the library has a kernel for is offered, plus the webshmem op, the high-level call and the demo's own op.
  for (const op of [
    "symm_mem::one_shot_all_reduce", "symm_mem::one_shot_all_reduce_out", "symm_mem::one_shot_all_reduce_copy",
    "symm_mem::one_shot_all_reduce_copy_out", "symm_mem::two_shot_all_reduce_", "symm_mem::two_shot_all_reduce_out",
    "symm_mem::multimem_all_reduce_", "symm_mem::multimem_one_shot_all_reduce", "symm_mem::multimem_one_shot_all_reduce_out",
    "symm_mem::multimem_one_shot_reduce_out", "symm_mem::multimem_all_gather_out", "symm_mem::reduce_scatter_out",
    "symm_mem::reduce_scatter_out/split_last_dim", "symm_mem::broadcast", "symm_mem::get_remote_tensors",
    "symm_mem::stream_write_value32_", "symm_mem::memset32_", "webshmem::host_all_reduce_", "rank.allReduce",
    "demo_op::rank_weighted_sum",
  ]) expect(runnable, op).toContain(op);
  // The ops without kernels are listed, disabled, saying so.
  expect(options.find((o) => o.value === "symm_mem::tile_reduce")).toMatchObject({ disabled: true });

  await page.locator("#op-count").fill("64");
  const verdicts: string[] = [];
  for (const op of runnable) {
    await page.locator("#op-select").selectOption(op);
    if (await page.locator("#op-root-field").isVisible()) await page.locator("#op-root").fill("2");
    if (await page.locator("#op-reduce-field").isVisible()) await page.locator("#op-reduce").selectOption("sum");
    const text = await runOp(page);
    verdicts.push(`${op}: ${text}`);
    expect(text, op).toMatch(/^verified: all 4 ranks match/);
    await expectAllVerified(page, op);
    if (op === "demo_op::rank_weighted_sum") {
      await expect(page.locator("#op-registration")).toContainText('registerSymmMemArgs("rank_weighted_sum", ["input"])');
      const rows = page.locator("#op-results tbody tr");
      for (let r = 0; r < 4; r++) {
        const n = Number(await rows.nth(r).getAttribute("data-realizations"));
        expect(n, `realizations of demo_op::rank_weighted_sum on rank ${r}`).toBeGreaterThan(0);
        await expect(rows.nth(r).locator("td").nth(3)).toContainText(`${n} realization`);
      }
    }
  }
  await test.info().attach("verdicts", { body: verdicts.join("\n"), contentType: "text/plain" });
  if (process.env.OP_SHOTS) await panel.screenshot({ path: `${process.env.OP_SHOTS}/downstream.png` });
  await test.info().attach("op runner, demo_op::rank_weighted_sum", {
    body: await panel.screenshot(), contentType: "image/png",
  });

  // The high-level all-reduce with every algorithm: the dispatcher's counters say what each did.
  await page.locator("#op-select").selectOption("rank.allReduce");
  await expect(page.locator("#op-algo-field")).toBeVisible();
  for (const algo of ["auto", "one_shot", "two_shot", "host"]) {
    await page.locator("#op-algo").selectOption(algo);
    expect(await runOp(page), `rank.allReduce ${algo}`).toMatch(/^verified: all 4 ranks match the page's computation \(bit-exact\)/);
    await expectAllVerified(page, `rank.allReduce ${algo}`);
    await expect(page.locator("#op-call")).toContainText(algo === "auto" ? 'rank.allReduce(webgpu float32[64], { op: "sum" })' : `algo: "${algo}"`);
    const realized = Number(await page.locator("#op-results tbody tr").first().getAttribute("data-realizations"));
    // one_shot and two_shot realize the tensor in the heap; the host pipeline stages it itself.
    if (algo === "host") expect(realized, algo).toBe(0);
    if (algo === "one_shot" || algo === "two_shot") expect(realized, algo).toBeGreaterThan(0);
  }

  // Other dtypes and reduce ops, checked bit for bit.
  for (const [op, dtype, reduce] of [
    ["symm_mem::two_shot_all_reduce_", "bfloat16", "prod"],
    ["symm_mem::one_shot_all_reduce", "int32", "sum"],
    ["symm_mem::one_shot_all_reduce_out", "float32", "max"],
    ["webshmem::host_all_reduce_", "bfloat16", "avg"],
    ["symm_mem::multimem_all_gather_out", "float16", undefined],
    ["symm_mem::broadcast", "uint32", undefined],
    ["symm_mem::get_remote_tensors", "bfloat16", undefined],
    // The host all-reduce reduces float16 on the host: no shader-f16 needed, so it is offered on SwiftShader too.
    ["webshmem::host_all_reduce_", "float16", "sum"],
    ["symm_mem::two_shot_all_reduce_out", "float32", "avg"],
  ] as const) {
    await page.locator("#op-select").selectOption(op);
    await page.locator("#op-dtype").selectOption(dtype);
    if (reduce !== undefined) await page.locator("#op-reduce").selectOption(reduce);
    const text = await runOp(page);
    // avg on webgpu divides in WGSL, which does not promise correct rounding: the page checks it within a stated tolerance.
    const how = reduce === "avg" && op.startsWith("symm_mem::") ? "within tolerance" : "bit-exact";
    expect(text, `${op} ${dtype} ${reduce}`).toContain(`verified: all 4 ranks match the page's computation (${how})`);
    await expectAllVerified(page, `${op} ${dtype} ${reduce}`);
  }

  // float16 needs shader-f16 for a WGSL reduction: SwiftShader lacks it, and the page says so instead of failing.
  await page.locator("#op-select").selectOption("symm_mem::one_shot_all_reduce");
  const f16 = page.locator('#op-dtype option[value="float16"]');
  const features = await page.evaluate(async () => {
    const a = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
    return a === null ? [] : [...a.features];
  });
  if (!features.includes("shader-f16")) {
    await expect(f16).toBeDisabled();
    await expect(page.locator("#op-note")).toBeVisible();
    await expect(page.locator("#op-note")).toContainText('needs the WebGPU feature "shader-f16"');
  }

  // A reduce op the op refuses for the dtype: a typed error from the ranks, with the rank, on the page.
  await page.locator("#op-dtype").selectOption("int32");
  await page.locator("#op-reduce").selectOption("avg");
  const error = await runOp(page);
  expect(error).toMatch(/^RankError: rank \d+ failed with OpError/);
  expect(error).toContain('reduce_op "avg" is not valid for dtype int32');
  await expect(page.locator("#op-status")).toHaveClass(/op-error/);
  await expect(page.locator("#op-results")).toBeHidden();
  if (process.env.OP_SHOTS) await panel.screenshot({ path: `${process.env.OP_SHOTS}/error.png` });
  await test.info().attach("op runner, typed error", {
    body: await panel.screenshot(), contentType: "image/png",
  });

  // A field the form checks itself names the field; and the ranks still work after the failure.
  await page.locator("#op-count").fill("0");
  expect(await runOp(page)).toMatch(/^elements: expected a whole number from 1/);
  await page.locator("#op-count").fill("64");
  await page.locator("#op-reduce").selectOption("sum");
  expect(await runOp(page)).toMatch(/^verified: all 4 ranks/);
});

test("on 3 ranks of the cpu backend the op runner verifies every op, float16 included", async ({ page }) => {
  await openDemo(page);
  // Relaunch through the Launch panel: 3 ranks (not a power of two: avg really divides), cpu backend.
  await relaunchDemo(page, 3, "cpu");
  await expect(page.locator("#op-status")).toHaveText("ready: 3 ranks on cpu");
  await expect(page.locator("#op-results")).toBeHidden();

  const runnable = await page.locator("#op-select option:not([disabled])").evaluateAll((os) =>
    (os as HTMLOptionElement[]).map((o) => o.value));
  expect(runnable.length).toBeGreaterThanOrEqual(20);
  // 48 elements: divisible by 3 for reduce_scatter_out, and [2, 24] for split_last_dim.
  await page.locator("#op-count").fill("48");
  for (const op of runnable) {
    await page.locator("#op-select").selectOption(op);
    const dtypes = await page.locator("#op-dtype option:not([disabled])").evaluateAll((os) =>
      (os as HTMLOptionElement[]).map((o) => o.value));
    // The cpu backend computes float16 on the host: every op that takes it offers it.
    const dtype = dtypes.includes("float16") ? "float16" : dtypes[0];
    await page.locator("#op-dtype").selectOption(dtype);
    await expect(page.locator("#op-note")).toBeHidden();
    if (await page.locator("#op-reduce-field").isVisible()) await page.locator("#op-reduce").selectOption("avg");
    if (await page.locator("#op-root-field").isVisible()) await page.locator("#op-root").fill("1");
    const text = await runOp(page);
    expect(text, `${op} ${dtype}`).toBe("verified: all 3 ranks match the page's computation (bit-exact)");
    await expectAllVerified(page, `${op} ${dtype}`, 3);
  }
  // A root outside the world is refused by the form, naming the field.
  await page.locator("#op-select").selectOption("symm_mem::broadcast");
  await page.locator("#op-root").fill("3");
  expect(await runOp(page)).toBe('root: expected a rank from 0 to 2, found "3"');
  await test.info().attach("op runner on 3 cpu ranks", { body: await page.locator("#op-panel").screenshot(), contentType: "image/png" });
});
