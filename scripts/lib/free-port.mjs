// A TCP port free on 127.0.0.1 right now (the OS picks it), for dev servers started by scripts and tests.
import { createServer } from "node:net";

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
