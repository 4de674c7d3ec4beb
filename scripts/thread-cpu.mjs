#!/usr/bin/env node
// CPU time per thread of the Chromium and Deno processes while a command runs (Linux: /proc), the
// "CPU picture" behind issue 14's numbers: which threads of which process used the cores, and
// how long they were runnable but waited for one.
//
//   node scripts/thread-cpu.mjs [--every MS] -- <command...>
//   e.g. node scripts/thread-cpu.mjs -- npm run bench -- --runtime chromium -g 16 -b 8 -e 8 -n 1000 --baselines 0
//
// Every MS (default 100) it reads every thread of every process on the machine whose executable
// is Chromium or Deno (so run nothing else of theirs meanwhile): /proc/PID/task/TID/schedstat,
// the nanoseconds it ran and the nanoseconds it spent runnable in a run queue, waiting for a core
// (utime + stime of .../stat, in 10 ms ticks, where a kernel has no schedstat). At the end it
// prints, per process type (browser, renderer, gpu-process, ..., deno) and thread name
// (DedicatedWorker, Chrome_ChildIOT, ...), those seconds (each thread's last reading: threads
// that ended between two readings lose at most MS of it) and their count. Per call: run it twice
// with different -n and divide the difference. Sampling itself costs a few percent of one core at
// the default period (every thread's files, 10 times a second); a period of 20 ms cost a quarter
// of a core on 2 cores (2026-12-08), so keep it at 100 or more while measuring.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** utime + stime (clock ticks) and the name of a thread, from the text of /proc/PID/task/TID/stat. */
export function parseStat(text) {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is the state (field 3 of stat); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? { name: text.slice(open + 1, close), ticks } : undefined;
}

/**
 * The process type of a command line (its words separated by spaces or NULs): Chromium's
 * --type=..., "browser" for Chromium's own, "deno"; undefined for any other executable, even one
 * whose arguments name them (`node scripts/bench.mjs --runtime chromium`).
 */
export function processType(cmdline) {
  const exe = cmdline.split(/[\s\0]/, 1)[0] ?? "";
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  if (base === "deno") return "deno";
  if (!/^(chromium|chrome|headless_shell|chrome-headless-shell)$/.test(base)) return undefined;
  const m = /--type=([a-z-]+)/.exec(cmdline);
  return m !== null ? m[1] : "browser";
}

/** Run and run-queue wait (ns) and timeslices of a thread, from the text of /proc/PID/task/TID/schedstat. */
export function parseSchedstat(text) {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 3 || !f.slice(0, 3).every(Number.isFinite)) return undefined;
  return { runNs: f[0], waitNs: f[1], slices: f[2] };
}

/** Thread name with a trailing number dropped ("ThreadPoolForeg" stays, "worker-3" → "worker-#"). */
export function threadKind(name) {
  return name.replace(/\d+$/, "#");
}

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function sample(into) {
  let pids;
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    const cmd = read(`/proc/${pid}/cmdline`);
    if (cmd === undefined) continue;
    const type = processType(cmd.replaceAll("\0", " "));
    if (type === undefined) continue;
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const st = parseStat(read(`/proc/${pid}/task/${tid}/stat`) ?? "");
      if (st === undefined) continue;
      const sched = parseSchedstat(read(`/proc/${pid}/task/${tid}/schedstat`) ?? "");
      into.set(`${pid}/${tid}`, {
        type, kind: threadKind(st.name),
        seconds: sched !== undefined ? sched.runNs / 1e9 : st.ticks / USER_HZ,
        waitSeconds: sched !== undefined ? sched.waitNs / 1e9 : undefined,
      });
    }
  }
}

/** Linux's USER_HZ (the unit of utime and stime) is 100 on every architecture Debian ships. */
const USER_HZ = 100;

/**
 * CPU seconds and run-queue seconds (undefined where no thread had schedstat) per (type, thread
 * kind), most CPU first.
 */
export function summarize(threads) {
  const sums = new Map();
  for (const t of threads.values()) {
    const key = `${t.type}\t${t.kind}`;
    const s = sums.get(key) ?? { type: t.type, kind: t.kind, seconds: 0, waitSeconds: undefined, threads: 0 };
    s.seconds += t.seconds;
    if (t.waitSeconds !== undefined) s.waitSeconds = (s.waitSeconds ?? 0) + t.waitSeconds;
    s.threads++;
    sums.set(key, s);
  }
  return [...sums.values()].sort((a, b) => b.seconds - a.seconds);
}

async function main(argv) {
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) {
    console.error("usage: node scripts/thread-cpu.mjs [--every MS] -- <command...>");
    return 2;
  }
  const opts = argv.slice(0, dash);
  const everyAt = opts.indexOf("--every");
  const every = everyAt >= 0 ? Number(opts[everyAt + 1]) : 100;
  if (!(every > 0)) {
    console.error(`thread-cpu: --every expects milliseconds, found "${opts[everyAt + 1]}"`);
    return 2;
  }
  const [cmd, ...args] = argv.slice(dash + 1);
  const threads = new Map();
  const t0 = performance.now();
  const timer = setInterval(() => sample(threads), every);
  const child = spawn(cmd, args, { stdio: "inherit" });
  const code = await new Promise((resolve) => child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  const rows = summarize(threads);
  const total = rows.reduce((a, r) => a + r.seconds, 0);
  console.log(`# thread-cpu: ${wall.toFixed(1)} s wall, ${total.toFixed(2)} s CPU in chromium/deno threads (${(total / wall).toFixed(2)} cores on average)`);
  console.log("# waiting: seconds its threads were runnable but had no core (summed over threads; - without schedstat)");
  console.log("#   process        thread               CPU (s)  waiting (s)  threads");
  for (const r of rows) {
    if (r.seconds <= 0) continue;
    const wait = r.waitSeconds === undefined ? "-" : r.waitSeconds.toFixed(2);
    console.log(`    ${r.type.padEnd(14)} ${r.kind.padEnd(18)} ${r.seconds.toFixed(2).padStart(9)}  ${wait.padStart(11)}  ${String(r.threads).padStart(7)}`);
  }
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
