import type { Server } from 'node:http';

/** Starts `server` on the loopback interface (port 0: a free one) and resolves with its base URL. */
export async function listenLocal(server: Server, port = 0, hostname = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      resolve();
    });
  });
  const address = server.address();
  return `http://${hostname}:${address && typeof address === 'object' ? address.port : port}`;
}

/** Closes `server`, ending its keep-alive connections first. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
