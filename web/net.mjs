// Node-side helpers shared by the browser tests (test/) and the paint benchmark (bench/).
import {createServer} from 'node:net';

// A TCP port free on 127.0.0.1 right now (the OS picks it; the socket is closed before returning).
export const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const {port} = s.address();
    s.close(() => ok(port));
  });
  s.on('error', fail);
});
