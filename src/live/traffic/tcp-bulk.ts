/**
 * One bulk TCP stream, for a throughput figure and as a check that full-size packets
 * cross the tunnel (PMTU discovery / MSS clamping work — a PMTU black hole lets small
 * probes through and stalls TCP).
 *
 *   ip netns exec <ns> node --import tsx tcp-bulk.ts sink <address> <port>
 *     prints {"event":"ready"}, then {"event":"result","bytes":…,"seconds":…} when the
 *     sender closes, and exits
 *   ip netns exec <ns> node --import tsx tcp-bulk.ts source <address> <port> <seconds>
 *     connects, writes as fast as it can for <seconds>, closes
 */
import { connect, createServer } from 'node:net';

function emit(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function sink(address: string, port: number): void {
  const server = createServer((socket) => {
    let bytes = 0;
    let first = 0;
    socket.on('data', (chunk: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += chunk.length;
    });
    socket.on('end', () => {
      emit({ event: 'result', bytes, seconds: bytes === 0 ? 0 : (performance.now() - first) / 1000 });
      server.close();
    });
    socket.on('error', (error) => {
      emit({ event: 'error', message: error.message });
      server.close();
    });
  });
  server.listen(port, address, () => emit({ event: 'ready' }));
}

function source(address: string, port: number, seconds: number): void {
  const chunk = Buffer.alloc(64 * 1024);
  const socket = connect(port, address, () => {
    const end = performance.now() + seconds * 1000;
    const pump = (): void => {
      while (performance.now() < end) {
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  socket.on('error', (error) => {
    process.stderr.write(`tcp-bulk source: ${error.message}\n`);
    process.exit(1);
  });
}

const [mode, address, port, seconds] = process.argv.slice(2);
if (mode === 'sink' && address && port) sink(address, Number(port));
else if (mode === 'source' && address && port && seconds) source(address, Number(port), Number(seconds));
else {
  process.stderr.write('usage: tcp-bulk.ts sink <address> <port> | source <address> <port> <seconds>\n');
  process.exit(2);
}
