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
    "demo_op::rank_weighted_sum", "symm_mem::all_to_all", "symm_mem::all_to_all_vdev", "symm_mem::all_to_all_vdev_2d",
    "symm_mem::all_to_all_vdev_2d_offset", "symm_mem::_make_a2a_exchange_plan", "symm_mem::_all_to_all_get",
    "symm_mem::tile_reduce", "symm_mem::multi_root_tile_reduce", "webshmem::mm", "webshmem::mm.out",
    "symm_mem::fused_all_gather_matmul", "symm_mem::fused_matmul_reduce_scatter",
  ]) expect(runnable, op).toContain(op);
  // Every op of the library has a case now (an op without one would be listed, disabled, saying why).
  expect(options.filter((o) => o.disabled).map((o) => o.text)).toEqual([]);

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

/** The rows the all-to-all picture drew for one rank's column ("in" or "out") of one kind (data, pad, unused). */
async function drawnRows(page: Page, rank: number, side: "in" | "out", kind: string): Promise<number> {
  const rects = page.locator(`#op-picture g[data-rank="${rank}"][data-side="${side}"] rect.op-a2a-${kind}`);
  const rows = await rects.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("data-rows"))));
  return rows.reduce((a, b) => a + b, 0);
}

test("the op runner runs the MoE all-to-alls and the tile reductions and draws them", async ({ page }) => {
  await openDemo(page);
  await expect(page.locator("#op-status")).toHaveText("ready: 4 ranks on webgpu");
  const picture = page.locator("#op-picture");

  // Dispatch: 12 rows of 3 per rank, uneven seeded splits over 4 ranks × 2 experts, major_align 4.
  await page.locator("#op-select").selectOption("symm_mem::all_to_all_vdev_2d");
  await expect(page.locator("#op-count-field")).toBeHidden();
  for (const id of ["rows", "width", "splits", "experts", "align"]) await expect(page.locator(`#op-${id}-field`)).toBeVisible();
  await page.locator("#op-dtype").selectOption("bfloat16");
  await page.locator("#op-rows").fill("12");
  await page.locator("#op-width").fill("3");
  await page.locator("#op-splits").selectOption("uneven");
  await page.locator("#op-experts").fill("2");
  await page.locator("#op-align").selectOption("4");
  expect(await runOp(page)).toBe("verified: all 4 ranks match the page's computation (bit-exact)");
  await expectAllVerified(page, "all_to_all_vdev_2d");
  await expect(page.locator("#op-call")).toContainText("major_align=4");
  await expect(page.locator("#op-results tbody tr").first()).toContainText("out_splits_offsets: int32[2, 8]");
  // Every rank's 12 rows drawn by destination, all 48 arrive somewhere; every expert block is padded to a multiple of 4.
  const svg = picture.locator("svg");
  await expect(svg).toHaveAttribute("data-in-rows", "48");
  await expect(svg).toHaveAttribute("data-out-rows", "48");
  await expect(svg).toHaveAttribute("data-bad-rows", "0");
  let received = 0;
  for (let r = 0; r < 4; r++) {
    expect(await drawnRows(page, r, "in", "data"), `rank ${r} in`).toBe(12);
    const got = await drawnRows(page, r, "out", "data");
    const pad = await drawnRows(page, r, "out", "pad");
    expect((got + pad) % 4, `rank ${r}: out blocks aligned to 4`).toBe(0);
    expect(got + pad, `rank ${r}: 2 blocks of at least 4 rows`).toBeGreaterThanOrEqual(8);
    received += got;
  }
  expect(received).toBe(48);
  if (process.env.OP_SHOTS) await page.locator("#op-panel").screenshot({ path: `${process.env.OP_SHOTS}/a2a-2d.png` });
  await test.info().attach("op runner, all_to_all_vdev_2d", { body: await page.locator("#op-panel").screenshot(), contentType: "image/png" });

  // All to one peer: rank 0 gets every row, the others nothing.
  await page.locator("#op-select").selectOption("symm_mem::all_to_all_vdev");
  await expect(page.locator("#op-experts-field")).toBeHidden();
  await page.locator("#op-splits").selectOption("one_peer");
  expect(await runOp(page)).toMatch(/^verified: all 4 ranks match/);
  await expectAllVerified(page, "all_to_all_vdev, all to one peer");
  expect(await drawnRows(page, 0, "out", "data")).toBe(48);
  for (let r = 1; r < 4; r++) expect(await drawnRows(page, r, "out", "data"), `rank ${r} out`).toBe(0);

  // Two tiles side by side in an 8 × 12 matrix, to roots 1 and 3.
  await page.locator("#op-select").selectOption("symm_mem::multi_root_tile_reduce");
  await expect(page.locator("#op-rows-field")).toBeHidden();
  await page.locator("#op-dtype").selectOption("float32");
  await page.locator("#op-reduce").selectOption("sum");
  await page.locator("#op-mat-rows").fill("8");
  await page.locator("#op-mat-cols").fill("12");
  await page.locator("#op-tile-row").fill("2");
  await page.locator("#op-tile-col").fill("3");
  await page.locator("#op-tile-rows").fill("3");
  await page.locator("#op-tile-cols").fill("4");
  await page.locator("#op-roots").fill("1, 3");
  expect(await runOp(page)).toBe("verified: all 4 ranks match the page's computation (bit-exact)");
  await expectAllVerified(page, "multi_root_tile_reduce");
  const tiles = picture.locator("svg");
  await expect(tiles).toHaveAttribute("data-hits", "2");
  await expect(tiles).toHaveAttribute("data-tiles", "8");
  await expect(tiles).toHaveAttribute("data-bad", "0");
  await expect(picture.locator('g[data-root="true"] rect.op-tile-hit')).toHaveCount(2);
  await expect(picture.locator('g[data-rank="3"]')).toHaveAttribute("data-root", "true");
  if (process.env.OP_SHOTS) await page.locator("#op-panel").screenshot({ path: `${process.env.OP_SHOTS}/tiles.png` });
  await test.info().attach("op runner, multi_root_tile_reduce", { body: await page.locator("#op-panel").screenshot(), contentType: "image/png" });

  // A rank root twice: the op's typed error from the ranks; tiles that do not fit: the form's, naming the field.
  await page.locator("#op-roots").fill("1, 1");
  const twice = await runOp(page);
  expect(twice).toMatch(/^RankError: rank \d+ failed with OpError/);
  expect(twice).toContain("a rank is the root of at most one tile");
  await expect(picture).toBeHidden();
  await page.locator("#op-roots").fill("0, 1, 2");
  expect(await runOp(page)).toBe("tile at: 3 tiles side by side, their columns [3, 15) do not lie inside the matrix's 12 columns");
});
