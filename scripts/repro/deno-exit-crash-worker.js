// The worker of deno-exit-crash.js: gets a WebGPU adapter and device, optionally uses and
// destroys the device, and reports its OS thread id.
let device;
let opts = {};
self.onmessage = async (e) => {
  if (e.data.cmd === "init") {
    opts = e.data.opts;
    if (opts.gpu !== "none") {
      const adapter = await navigator.gpu.requestAdapter();
      if (opts.gpu !== "adapter") device = await adapter.requestDevice();
    }
    if (opts.work && device) {
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const buf = device.createBuffer({ size: 4096, usage });
      const read = device.createBuffer({ size: 4096, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buf, 0, new Uint8Array(4096).fill(1));
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(buf, 0, read, 0, 4096);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      read.unmap();
      buf.destroy();
      read.destroy();
    }
    // "<pid>/task/<tid>": the OS thread this worker runs on, for --wait-threads.
    self.postMessage({ tid: Deno.readLinkSync("/proc/thread-self").split("/").pop() });
  } else if (e.data.cmd === "shutdown") {
    if (opts.destroy && device) {
      await device.queue.onSubmittedWorkDone();
      device.destroy();
      if (opts.awaitLost) await device.lost;
    }
    device = undefined;
    self.postMessage("down");
    if (opts.selfClose) self.close();
  }
};
