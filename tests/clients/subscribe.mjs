// graphql-ws, the client Apollo, urql and GraphiQL use, subscribing once:
//   node subscribe.mjs '{"url": "ws://...", "token": "...", "query": "...", "variables": {}}'
// Prints one JSON line per event: connected, next (the payload), error, closed (code, reason), done.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { url, token, query, variables } = JSON.parse(process.argv[2]);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  lazy: false,
  retryAttempts: 0,
  on: {
    connected: () => print({ event: 'connected' }),
    closed: (event) => print({ event: 'closed', code: event.code, reason: event.reason }),
  },
});

const timer = setTimeout(() => { print({ event: 'timeout' }); process.exit(2); }, 30000);
// Exiting closes the socket; stdout is flushed first (it is a pipe, written asynchronously).
const finish = (code) => { clearTimeout(timer); process.stdout.write('', () => process.exit(code)); };

client.subscribe({ query, variables }, {
  next: (payload) => { print({ event: 'next', payload }); finish(0); },
  error: (error) => {
    const described = error instanceof Error ? { message: error.message }
      : Array.isArray(error) ? { errors: error }
      : { code: error.code, reason: error.reason };
    print({ event: 'error', ...described });
    finish(1);
  },
  complete: () => { print({ event: 'done' }); finish(0); },
});
